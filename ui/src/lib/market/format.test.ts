import { describe, expect, test } from 'vitest';
import { blockToDate, formatCalcPoints, formatCoordinate, formatGhz, formatUsd, shortId } from './format';

describe('market formatting', () => {
  test('USD from micro-dollars, rounded half-up, tiny amounts marked', () => {
    expect(formatUsd(107_223)).toBe('$0.1072');
    expect(formatUsd(107_250)).toBe('$0.1073');
    expect(formatUsd(10_293_461, 2)).toBe('$10.29');
    expect(formatUsd(1_234_567_890_000, 2)).toBe('$1,234,567.89');
    expect(formatUsd(0)).toBe('$0.0000');
    expect(formatUsd(10)).toBe('<$0.0001');
  });

  test('calc points / 100 and GHz', () => {
    expect(formatCalcPoints(60_775)).toBe('607.75');
    expect(formatCalcPoints(5)).toBe('0.05');
    expect(formatCalcPoints(123_456_700)).toBe('1,234,567.00');
    expect(formatGhz(2900)).toBe('2.90');
    expect(formatGhz(2450)).toBe('2.45');
  });

  test('coordinates with hemispheres', () => {
    expect(formatCoordinate(306_667, 'lat')).toBe('30.6667° N');
    expect(formatCoordinate(-1_040_667, 'lon')).toBe('104.0667° W');
    expect(formatCoordinate(-1_276, 'lon')).toBe('0.1276° W');
  });

  test('short ids keep the head and tail', () => {
    const id = '7a79fd95e89c3db2e8bc052cb307d4130f6750cb715c44639e2c3faa7217ef1f';
    expect(shortId(id)).toBe('7a79fd95e8…ef1f');
    expect(shortId('abc')).toBe('abc');
  });

  test('blocks to dates at 6 seconds a block', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(blockToDate(1_000, 1_000, now).getTime()).toBe(now);
    expect(blockToDate(1_600, 1_000, now).getTime()).toBe(now + 3_600_000);
    expect(blockToDate(0, 14_400, now).getTime()).toBe(now - 86_400_000);
  });
});
