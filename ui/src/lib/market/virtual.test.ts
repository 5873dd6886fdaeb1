import { describe, expect, test } from 'vitest';
import { rowWindow } from './virtual';

describe('rowWindow', () => {
  test('the rows in view plus the overscan', () => {
    expect(rowWindow(10_000, 0, 520, 52, 8)).toEqual({ start: 0, end: 11 + 8 });
    expect(rowWindow(10_000, 52 * 100, 520, 52, 8)).toEqual({ start: 92, end: 100 + 11 + 8 });
  });

  test('clamped at both ends', () => {
    expect(rowWindow(10_000, 52 * 20_000, 520, 52, 8)).toEqual({ start: 9_991, end: 10_000 });
    expect(rowWindow(5, 0, 520, 52, 8)).toEqual({ start: 0, end: 5 });
    expect(rowWindow(0, 0, 520, 52, 8)).toEqual({ start: 0, end: 0 });
    expect(rowWindow(10, -40, 0, 52, 2)).toEqual({ start: 0, end: 3 });
  });
});
