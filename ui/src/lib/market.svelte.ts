// The machine list shared by the Machine screen and the Rent step: the snapshot the Rust
// side publishes (`market-updated`: first from the disk cache, then from the chain, then
// on every change), with `market_snapshot` for the one published before we listened.
import { marketSnapshot, onMarketUpdated, toAppError } from './ipc';
import type { AppError, MarketSnapshot } from './ipc';
import { DEFAULT_FILTER, type MarketFilter, type SortKey } from './market/filter';

export class MarketController {
  /** Raw (not deeply reactive): 10,000 rows must not become 10,000 proxies. */
  snapshot = $state.raw<MarketSnapshot | null>(null);
  /** `market_snapshot` answered (or failed) at least once. */
  loaded = $state(false);
  /** Why `market_snapshot` failed, shown in place. */
  error = $state<AppError | null>(null);

  /** What the Machine screen shows; kept here so leaving the step and coming back keeps it. */
  filter = $state<MarketFilter>({ ...DEFAULT_FILTER });
  sort = $state<SortKey>('price');
  selectedId = $state<string | null>(null);

  /** An event arrived: it is newer than any command answer still in flight. */
  private live = false;

  /** Listens for updates and reads the current snapshot; resolves to the function that stops listening. */
  async start(): Promise<() => void> {
    let stop: () => void = () => {};
    try {
      stop = await onMarketUpdated((next) => {
        this.live = true;
        this.apply(next);
      });
    } catch {
      // Without the event the screen still shows what `market_snapshot` returns.
    }
    await this.load();
    return stop;
  }

  async load(): Promise<void> {
    try {
      const next = await marketSnapshot();
      if (!this.live) this.apply(next);
    } catch (err) {
      this.error = toAppError(err);
    } finally {
      this.loaded = true;
    }
  }

  apply(next: MarketSnapshot | null): void {
    this.snapshot = next;
    this.error = null;
    this.loaded = true;
  }
}
