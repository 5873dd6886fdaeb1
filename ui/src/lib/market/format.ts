// Display helpers for machine rows, with integer math only (the chain's units: USD×10^6,
// calc points ×100, MHz, degrees ×10^4, 6-second blocks).
import { groupThousands } from '../format';

/** Seconds per block on DBC. */
export const BLOCK_SECONDS = 6;

/** An integer `value` scaled by 10^`scale`, rounded half-up to `places` decimals, trailing zeros kept. */
function scaled(value: number, scale: number, places: number): string {
  const negative = value < 0;
  let v = BigInt(Math.trunc(Math.abs(value)));
  const drop = scale - places;
  if (drop > 0) {
    const unit = BigInt(10) ** BigInt(drop);
    v = (v + unit / BigInt(2)) / unit;
  } else if (drop < 0) {
    v *= BigInt(10) ** BigInt(-drop);
  }
  const s = v.toString().padStart(places + 1, '0');
  const whole = groupThousands(s.slice(0, s.length - places));
  const frac = places > 0 ? `.${s.slice(s.length - places)}` : '';
  return `${negative && v !== BigInt(0) ? '-' : ''}${whole}${frac}`;
}

/** USD micro-dollars as `$0.1072` (4 decimals by default; a tiny non-zero price shows as `<$0.0001`). */
export function formatUsd(micro: number, places = 4): string {
  const text = scaled(micro, 6, places);
  if (micro > 0 && /^[0.,]+$/.test(text)) return `<$${scaled(1, places, places)}`;
  return `$${text}`;
}

/** Galaxy Race's calc points: the chain's value / 100, two decimals (`60775` -> `607.75`). */
export function formatCalcPoints(calcPoint: number): string {
  return scaled(calcPoint, 2, 2);
}

/** MHz as GHz with two decimals (`2900` -> `2.90`). */
export function formatGhz(mhz: number): string {
  return scaled(mhz, 3, 2);
}

/** Degrees ×10^4 as `30.6667° N` / `104.0667° E`. */
export function formatCoordinate(value: number, axis: 'lat' | 'lon'): string {
  const hemisphere = axis === 'lat' ? (value < 0 ? 'S' : 'N') : value < 0 ? 'W' : 'E';
  return `${scaled(Math.abs(value), 4, 4)}° ${hemisphere}`;
}

/** `7a79fd95e89c…ef1f` for a 64-character machine id. */
export function shortId(id: string, head = 10, tail = 4): string {
  return id.length <= head + tail + 1 ? id : `${id.slice(0, head)}…${id.slice(-tail)}`;
}

/**
 * The wall-clock time of `block`, estimated from the current block and 6-second blocks
 * (past blocks give a past time). Chain time is blocks; this is only for display.
 */
export function blockToDate(block: number, currentBlock: number, nowMs: number): Date {
  return new Date(nowMs + (block - currentBlock) * BLOCK_SECONDS * 1000);
}
