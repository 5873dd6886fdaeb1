// Paint timing for `make bench`: when the first machine rows are on screen, record
// `window.__dbcMarketPaint = { ms, rows, source }` (once per app run), one animation frame
// after the render so the figure includes layout. Likewise `window.__dbcWalletReady`: when the
// Wallet step first answers input (the wallet read, its controls drawn), for the cold-start figure.

export interface MarketPaint {
  /** `performance.now()`: ms since the window's document started. */
  ms: number;
  rows: number;
  source: 'cache' | 'chain';
}

declare global {
  interface Window {
    __dbcMarketPaint?: MarketPaint;
    /** `performance.now()` one frame after the Wallet step first showed its controls. */
    __dbcWalletReady?: number;
  }
}

const recorded = new Set<string>();

/** Runs `record` one animation frame from now (so the figure includes layout), once per app run per `mark`. */
function onceAfterFrame(mark: string, record: () => void): void {
  if (recorded.has(mark) || typeof window === 'undefined') return;
  recorded.add(mark);
  if (typeof window.requestAnimationFrame === 'function') window.requestAnimationFrame(record);
  else record();
}

export function recordFirstPaint(rows: number, source: 'cache' | 'chain'): void {
  onceAfterFrame('market', () => {
    window.__dbcMarketPaint = { ms: performance.now(), rows, source };
  });
}

export function recordWalletReady(): void {
  onceAfterFrame('wallet', () => {
    window.__dbcWalletReady = performance.now();
  });
}
