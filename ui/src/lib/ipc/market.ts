// The machine market (src-tauri/src/commands/market.rs).
import { listenTo } from './call';
import { commands, EVENTS } from './generated';
import type { MarketSnapshot, QuoteView } from './generated';

/** What renting costs, checked as the chain checks it (planck strings). */
export type MarketQuote = QuoteView;

/**
 * The latest machine list (from the disk cache, then the chain), or `null` before the first.
 * Rust sends JSON made when the list was published (the `market-updated` payload), so the
 * signature says `unknown`; its shape is `MarketSnapshot` (src-tauri/src/market.rs).
 */
export const marketSnapshot = (): Promise<MarketSnapshot | null> => commands.marketSnapshot() as Promise<MarketSnapshot | null>;
/**
 * What renting `gpus` GPUs of a machine for `hours` (decimal text in steps of 0.5, e.g. "1.5")
 * costs, checked as the chain checks it; fails with a specific code before anything is signed.
 */
export const marketQuote = (machineId: string, gpus: number, hours: string): Promise<MarketQuote> =>
  commands.marketQuote({ machineId, gpus, hours });

/** The live `market-updated` event (same payload as `market_snapshot`). Stopping never throws. */
export const onMarketUpdated = (handler: (snapshot: MarketSnapshot | null) => void): Promise<() => void> =>
  listenTo(EVENTS.marketUpdated, handler);
