// Narrowing and ordering the machine list in the webview. The order must be exactly the
// core's (crates/dbc/src/market/filter.rs, `SortKey` and `order`), ties broken by id, so
// the app and `dbc-rent machines list --sort …` agree row for row. Integer math only:
// planck through BigInt, USD as integer micro-dollars.
import type { Counters, Listing, MachineStatus, Region } from './types';

/** `idle` = a GPU free to rent now (idle or partly rented), the core's `idle_only`. */
export type StatusFilter = 'idle' | 'all' | 'partly-rented' | 'rented' | 'offline' | 'exited' | 'other';

export type SortKey = 'price' | 'price-per-point' | 'free' | 'calc' | 'memory' | 'online';

export const SORT_KEYS: readonly SortKey[] = ['price', 'price-per-point', 'free', 'calc', 'memory', 'online'];

export interface MarketFilter {
  /** Exact GPU model; `null` = every model. */
  gpuModel: string | null;
  minFree: number | null;
  status: StatusFilter;
  /** USD per GPU-hour as typed ("0.25"); empty = no bound. */
  priceMin: string;
  priceMax: string;
  /** `region:<continent>` or `country:<ISO alpha-2>`; `null` = everywhere. */
  place: string | null;
  minGpuMemGb: number | null;
  minRamGb: number | null;
  /** Part of the machine id. */
  search: string;
}

export const DEFAULT_FILTER: MarketFilter = {
  gpuModel: null,
  minFree: null,
  status: 'idle',
  priceMin: '',
  priceMax: '',
  place: null,
  minGpuMemGb: null,
  minRamGb: null,
  search: '',
};

const ZERO = BigInt(0);
const ONE = BigInt(1);
/** `u128::MAX`: the core multiplies with `saturating_mul`. */
const U128_MAX = (ONE << BigInt(128)) - ONE;

/** The status part of "can be rented now" plus a free GPU (core `Filter::keeps`, `idle_only`). */
export function rentableNow(m: Pick<Listing, 'status' | 'freeGpus'>): boolean {
  return m.freeGpus >= 1 && (m.status === 'idle' || m.status === 'partly-rented');
}

/**
 * USD as typed ("0.1", "2", ".5") to integer micro-dollars; `null` for empty or anything
 * that is not a plain non-negative decimal with at most 6 decimals.
 */
export function parseUsdMicro(text: string): number | null {
  const m = /^(\d*)(?:\.(\d{0,6}))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
  const whole = Number(m[1] || '0');
  const frac = Number((m[2] ?? '').padEnd(6, '0'));
  const micro = whole * 1_000_000 + frac;
  return Number.isSafeInteger(micro) ? micro : null;
}

/** A price bound as typed is usable: empty, or a valid amount. */
export function priceBoundValid(text: string): boolean {
  return text.trim() === '' || parseUsdMicro(text) !== null;
}

/** What is wrong with the price range as typed, to say next to it (a bound that is not a
 *  number is left out of the filter; a range with min above max keeps nothing). */
export type PriceProblem = { kind: 'min-invalid' | 'max-invalid'; value: string } | { kind: 'min-above-max'; min: string; max: string };

export function priceProblem(filter: Pick<MarketFilter, 'priceMin' | 'priceMax'>): PriceProblem | null {
  if (!priceBoundValid(filter.priceMin)) return { kind: 'min-invalid', value: filter.priceMin.trim() };
  if (!priceBoundValid(filter.priceMax)) return { kind: 'max-invalid', value: filter.priceMax.trim() };
  const min = parseUsdMicro(filter.priceMin);
  const max = parseUsdMicro(filter.priceMax);
  if (min !== null && max !== null && min > max) return { kind: 'min-above-max', min: filter.priceMin.trim(), max: filter.priceMax.trim() };
  return null;
}

/**
 * The id search as a test: part of the id, or the shortened form the list shows
 * (`46237848…3b64`, also with `...`), which matches an id that starts and ends so.
 */
export function idMatcher(search: string): (id: string) => boolean {
  const text = search.trim().toLowerCase();
  if (text === '') return () => true;
  const parts = text.split(/…|\.{3}/);
  if (parts.length === 2) {
    const [head, tail] = parts.map((p) => p.trim());
    return (id) => id.startsWith(head) && id.endsWith(tail) && id.length >= head.length + tail.length;
  }
  return (id) => id.includes(text);
}

function placeMatches(place: string, m: Listing): boolean {
  const [kind, value] = place.split(':', 2);
  if (kind === 'region') return m.region === value;
  if (kind === 'country') return m.country === value;
  return true;
}

/** `filter` as a predicate, with its text inputs parsed once (not once per row). */
export function predicate(filter: MarketFilter): (m: Listing) => boolean {
  const idMatches = idMatcher(filter.search);
  const min = filter.priceMin.trim() === '' ? null : parseUsdMicro(filter.priceMin);
  const max = filter.priceMax.trim() === '' ? null : parseUsdMicro(filter.priceMax);
  return (m) => {
    switch (filter.status) {
      case 'all':
        break;
      case 'idle':
        if (!rentableNow(m)) return false;
        break;
      default:
        if (m.status !== (filter.status as MachineStatus)) return false;
    }
    if (filter.gpuModel !== null && m.gpuModel !== filter.gpuModel) return false;
    if (filter.minFree !== null && m.freeGpus < filter.minFree) return false;
    if (filter.minGpuMemGb !== null && (m.gpuMemGb ?? 0) < filter.minGpuMemGb) return false;
    if (filter.minRamGb !== null && (m.ramGb ?? 0) < filter.minRamGb) return false;
    if (!idMatches(m.id)) return false;
    if (filter.place !== null && !placeMatches(filter.place, m)) return false;
    if (min !== null || max !== null) {
      // A machine without a price cannot satisfy a price bound.
      if (!m.price) return false;
      const usd = m.price.usdMicroPerGpuHour;
      if (min !== null && usd < min) return false;
      if (max !== null && usd > max) return false;
    }
    return true;
  };
}

/** Whether `filter` keeps the machine. */
export function keeps(filter: MarketFilter, m: Listing): boolean {
  return predicate(filter)(m);
}

function cmp<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Present values in order, then missing ones (the core's `missing_last`). */
function missingLast<T extends number | bigint>(a: T | null | undefined, b: T | null | undefined): number {
  const hasA = a !== null && a !== undefined;
  const hasB = b !== null && b !== undefined;
  if (hasA && hasB) return cmp(a, b);
  if (hasA) return -1;
  if (hasB) return 1;
  return 0;
}

/** Rust's `Option::cmp`: `None` before any `Some`. */
function optionCmp(a: number | null | undefined, b: number | null | undefined): number {
  const hasA = a !== null && a !== undefined;
  const hasB = b !== null && b !== undefined;
  if (hasA && hasB) return cmp(a, b);
  return cmp(hasA ? 1 : 0, hasB ? 1 : 0);
}

/** The sort inputs of one row, computed once (parsing planck per comparison is slow on 10,000 rows). */
interface Keyed {
  row: Listing;
  /** Planck per GPU-hour; `null` without a price. */
  hour: bigint | null;
  /** `max(1, calc points per GPU)`, the core's `per_point` divisor. */
  perGpu: bigint;
}

function keyed(m: Listing): Keyed {
  const hour = m.price ? BigInt(m.price.planckPerGpuHour) : null;
  const perGpu = BigInt(Math.trunc(m.calcPoint)) / BigInt(Math.max(m.gpuCount, 1));
  return { row: m, hour, perGpu: perGpu > ONE ? perGpu : ONE };
}

function saturatingMul(a: bigint, b: bigint): bigint {
  const p = a * b;
  return p > U128_MAX ? U128_MAX : p;
}

/** The core's `order(a, b, sort)` (without the id tie-break). */
function order(x: Keyed, y: Keyed, sort: SortKey): number {
  const a = x.row;
  const b = y.row;
  switch (sort) {
    case 'price':
      return missingLast(x.hour, y.hour);
    case 'price-per-point':
      // a/ca < b/cb  <=>  a*cb < b*ca, without division (the core's cross-multiplication).
      if (x.hour !== null && y.hour !== null) return cmp(saturatingMul(x.hour, y.perGpu), saturatingMul(y.hour, x.perGpu));
      return missingLast(x.hour !== null ? ZERO : null, y.hour !== null ? ZERO : null);
    case 'free':
      return cmp(b.freeGpus, a.freeGpus);
    case 'calc':
      return cmp(b.calcPoint, a.calcPoint);
    case 'memory':
      return optionCmp(b.gpuMemGb, a.gpuMemGb);
    case 'online':
      return missingLast(a.onlineHeight, b.onlineHeight);
  }
}

/** A new array: `rows` kept by `filter`, ordered by `sort`, ties by id. */
export function filterAndSort(rows: readonly Listing[], filter: MarketFilter, sort: SortKey): Listing[] {
  const kept = rows.filter(predicate(filter)).map(keyed);
  kept.sort((x, y) => order(x, y, sort) || cmp(x.row.id, y.row.id));
  return kept.map((k) => k.row);
}

/** Machines, GPUs, and GPUs free to rent now (the core's `counters`). */
export function countersOf(rows: readonly Listing[]): Counters {
  let gpus = 0;
  let idleGpus = 0;
  for (const m of rows) {
    gpus += m.gpuCount;
    if (m.status === 'idle' || m.status === 'partly-rented') idleGpus += m.freeGpus;
  }
  return { machines: rows.length, gpus, idleGpus };
}

/** The GPU models present, sorted, for the model select. */
export function gpuModelsOf(rows: readonly Listing[]): string[] {
  return [...new Set(rows.map((m) => m.gpuModel).filter((g) => g !== ''))].sort();
}

/** Continents present with their countries, in a stable order, for the place select. */
export function placesOf(rows: readonly Listing[]): Array<{ region: Region; countries: string[] }> {
  const byRegion = new Map<Region, Set<string>>();
  for (const m of rows) {
    if (!m.region) continue;
    const set = byRegion.get(m.region) ?? new Set<string>();
    if (m.country) set.add(m.country);
    byRegion.set(m.region, set);
  }
  return [...byRegion.entries()].sort(([a], [b]) => cmp(a, b)).map(([region, countries]) => ({ region, countries: [...countries].sort() }));
}
