// The machine list as the Rust side sends it (src-tauri/src/market.rs), generated from
// the Rust definitions: each row is a `dbc::market::Machine` (camelCase) plus its
// `MachinePrice`. Money is planck as decimal strings, USD as integer micro-dollars.
import type { Region } from '../ipc/generated';

export type { Counters, Listing, MachinePrice, MachineStatus, MarketSnapshot, PricingParams, Region } from '../ipc/generated';
export type { MarketQuote } from '../ipc/market';

/** Every region, in the filter's order (`dbc::geo::Region`). */
export const REGIONS: readonly Region[] = ['asia', 'europe', 'north-america', 'south-america', 'africa', 'oceania', 'antarctica'];
