// Paint timing for `make bench`: when the first machine rows are on screen, record
// `window.__dbcMarketPaint = { ms, rows, source }` (once per app run), one animation frame
// after the render so the figure includes layout.

export interface MarketPaint {
  /** `performance.now()`: ms since the window's document started. */
  ms: number;
  rows: number;
  source: 'cache' | 'chain';
}

declare global {
  interface Window {
    __dbcMarketPaint?: MarketPaint;
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
