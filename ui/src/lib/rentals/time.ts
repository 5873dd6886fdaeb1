// Chain time for the rental screens: durations are blocks (6 s each), rent goes in
// half-hour steps of 300 blocks up to 60 days, and every countdown is computed from block
// numbers (target block − best block), never from the wall clock. Integer math only.

export const BLOCK_SECONDS = 6;
export const BLOCKS_PER_MINUTE = 10;
export const BLOCKS_PER_HOUR = 600;
export const BLOCKS_PER_DAY = 14_400;
export const RENT_STEP_BLOCKS = 300;
/** 60 days: the longest rental, and how far ahead any rental may reach. */
export const MAX_RENT_BLOCKS = 60 * BLOCKS_PER_DAY;
/** Unconfirmed orders lapse this many blocks after they start (15 minutes). */
export const CONFIRM_WINDOW_BLOCKS = 150;

export type DurationUnit = 'hours' | 'days';

export type DurationResult = { blocks: number } | { error: 'invalid' | 'zero' | 'not-half-hour' | 'too-long' };

/**
 * A duration as typed ("2", "1.5", "0.5" hours or days) to blocks, exactly (no float):
 * a plain non-negative decimal, a whole number of half hours, at most 60 days.
 */
export function durationToBlocks(text: string, unit: DurationUnit): DurationResult {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '') || (m[2] ?? '').length > 6) return { error: 'invalid' };
  const frac = m[2] ?? '';
  const scale = BigInt(10) ** BigInt(frac.length);
  const scaled = BigInt(`${m[1] || '0'}${frac}`) * BigInt(unit === 'days' ? BLOCKS_PER_DAY : BLOCKS_PER_HOUR);
  if (scaled === BigInt(0)) return { error: 'zero' };
  if (scaled % scale !== BigInt(0)) return { error: 'not-half-hour' };
  const blocks = scaled / scale;
  if (blocks > BigInt(MAX_RENT_BLOCKS)) return { error: 'too-long' };
  if (blocks % BigInt(RENT_STEP_BLOCKS) !== BigInt(0)) return { error: 'not-half-hour' };
  return { blocks: Number(blocks) };
}

/** Blocks (a multiple of 300) as the hours text `market_quote` takes: 900 -> "1.5". */
export function blocksToHoursText(blocks: number): string {
  const halves = Math.trunc(blocks / RENT_STEP_BLOCKS);
  return halves % 2 === 0 ? String(halves / 2) : `${(halves - 1) / 2}.5`;
}

/** Blocks left until `target` at block `best` (0 once reached). */
export function blocksLeft(target: number, best: number): number {
  return Math.max(0, target - best);
}

/** Seconds left until `target`, from block numbers. */
export function secondsLeft(target: number, best: number): number {
  return blocksLeft(target, best) * BLOCK_SECONDS;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A countdown as `14:30` (minutes:seconds) or `1:02:03` past an hour. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  const h = Math.trunc(s / 3600);
  const m = Math.trunc((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** A number of blocks as whole days, hours and minutes (rounded down to the minute). */
export function splitBlocks(blocks: number): { days: number; hours: number; minutes: number } {
  const minutes = Math.trunc(Math.max(0, blocks) / BLOCKS_PER_MINUTE);
  return { days: Math.trunc(minutes / 1440), hours: Math.trunc((minutes % 1440) / 60), minutes: minutes % 60 };
}

/** The estimated wall-clock time of `block` (for display only: chain time is blocks). */
export function blockTime(block: number, best: number, nowMs: number): Date {
  return new Date(nowMs + (block - best) * BLOCK_SECONDS * 1000);
}
