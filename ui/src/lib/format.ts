// Number formatting with integer math only: money is planck (1 DBC = 10^15 planck)
// as a decimal string, and never goes through a float.

// BigInt(…) rather than `0n` literals: the build targets safari13, which has BigInt but no literals.
const ZERO = BigInt(0);
const TWO = BigInt(2);
const TEN = BigInt(10);
const DECIMALS = 15;
export const PLANCK_PER_DBC = TEN ** BigInt(DECIMALS);

/** `1234567` -> `1,234,567` (digits only; the same grouping in English and Chinese). */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A block number or any non-negative integer with thousands separators. */
export function formatInteger(n: number | bigint): string {
  const s = typeof n === 'bigint' ? n.toString() : Number.isSafeInteger(n) ? String(n) : String(Math.trunc(n));
  return s.startsWith('-') ? `-${groupThousands(s.slice(1))}` : groupThousands(s);
}

/**
 * Planck (decimal string) as DBC, rounded half-up to at most `places` decimals,
 * trailing zeros dropped, thousands separated: `"1234500000000000000"` -> `"1,234.5"`.
 * A non-zero amount that rounds to zero shows as `<0.0001` (for `places` = 4) rather
 * than a misleading `0`. A string that is not an integer is returned unchanged.
 */
export function formatDbc(planck: string, places = 4): string {
  const text = planck.trim();
  if (!/^-?\d+$/.test(text)) return planck;
  const p = Math.max(0, Math.min(DECIMALS, Math.trunc(places)));
  let value = BigInt(text);
  const negative = value < ZERO;
  if (negative) value = -value;

  const unit = TEN ** BigInt(DECIMALS - p); // planck per last shown digit
  const rounded = (value + unit / TWO) / unit; // half-up; unit / 2 is 0 when unit is 1
  const scale = TEN ** BigInt(p);
  const whole = rounded / scale;
  const frac = (rounded % scale).toString().padStart(p, '0').replace(/0+$/, '');

  if (rounded === ZERO && value !== ZERO) {
    const smallest = p === 0 ? '1' : `0.${'0'.repeat(p - 1)}1`;
    return `${negative ? '-' : ''}<${smallest}`;
  }
  const sign = negative && rounded !== ZERO ? '-' : '';
  return `${sign}${groupThousands(whole.toString())}${frac ? `.${frac}` : ''}`;
}

/** `5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty` -> `5FHneW…694ty`. */
export function shortAddress(address: string, head = 6, tail = 5): string {
  return address.length <= head + tail + 1 ? address : `${address.slice(0, head)}…${address.slice(-tail)}`;
}

/** `0x1234…cdef` for a hash. */
export function shortHash(hash: string): string {
  return shortAddress(hash, 6, 4);
}

/**
 * DBC as typed (`"12.5"`, `"0.001"`) to planck, exactly; `null` for anything that is
 * not a plain non-negative decimal with at most 15 decimals.
 */
export function parseDbc(text: string): bigint | null {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) return null;
  return BigInt(m[1] || '0') * PLANCK_PER_DBC + BigInt(frac.padEnd(DECIMALS, '0') || '0');
}

/** Planck (decimal string or bigint) as an exact DBC decimal without separators: `"1500000000000000"` -> `"1.5"`. */
export function planckToDbc(planck: string | bigint): string {
  let value = typeof planck === 'bigint' ? planck : BigInt(planck);
  const negative = value < ZERO;
  if (negative) value = -value;
  const whole = value / PLANCK_PER_DBC;
  const frac = (value % PLANCK_PER_DBC).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole.toString()}${frac ? `.${frac}` : ''}`;
}
