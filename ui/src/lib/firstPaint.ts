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

let recorded = false;

export function recordFirstPaint(rows: number, source: 'cache' | 'chain'): void {
  if (recorded || typeof window === 'undefined') return;
  recorded = true;
  const record = () => {
    window.__dbcMarketPaint = { ms: performance.now(), rows, source };
  };
  if (typeof window.requestAnimationFrame === 'function') window.requestAnimationFrame(record);
  else record();
}

let walletRecorded = false;

export function recordWalletReady(): void {
  if (walletRecorded || typeof window === 'undefined') return;
  walletRecorded = true;
  const record = () => {
    window.__dbcWalletReady = performance.now();
  };
  if (typeof window.requestAnimationFrame === 'function') window.requestAnimationFrame(record);
  else record();
}
