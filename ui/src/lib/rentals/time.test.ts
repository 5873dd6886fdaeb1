import { describe, expect, test } from 'vitest';
import { blocksLeft, blocksToHoursText, durationToBlocks, formatCountdown, secondsLeft, splitBlocks } from './time';
import { formatLeads, parseLeads } from './leads';

describe('durations in blocks', () => {
  test('hours and days in half-hour steps, exactly', () => {
    expect(durationToBlocks('1', 'hours')).toEqual({ blocks: 600 });
    expect(durationToBlocks('1.5', 'hours')).toEqual({ blocks: 900 });
    expect(durationToBlocks('0.5', 'hours')).toEqual({ blocks: 300 });
    expect(durationToBlocks('.5', 'hours')).toEqual({ blocks: 300 });
    expect(durationToBlocks('2.5', 'days')).toEqual({ blocks: 36_000 });
    expect(durationToBlocks('60', 'days')).toEqual({ blocks: 864_000 });
    expect(durationToBlocks('1440', 'hours')).toEqual({ blocks: 864_000 });
  });

  test('refusals with a reason', () => {
    expect(durationToBlocks('0', 'hours')).toEqual({ error: 'zero' });
    expect(durationToBlocks('0.25', 'hours')).toEqual({ error: 'not-half-hour' });
    expect(durationToBlocks('0.0001', 'hours')).toEqual({ error: 'not-half-hour' });
    expect(durationToBlocks('1440.5', 'hours')).toEqual({ error: 'too-long' });
    expect(durationToBlocks('61', 'days')).toEqual({ error: 'too-long' });
    for (const bad of ['', 'abc', '1,5', '-1', '1.5.0', '1e3']) expect(durationToBlocks(bad, 'hours')).toEqual({ error: 'invalid' });
  });

  test('blocks back to the hours text of market_quote', () => {
    expect(blocksToHoursText(600)).toBe('1');
    expect(blocksToHoursText(900)).toBe('1.5');
    expect(blocksToHoursText(300)).toBe('0.5');
    expect(blocksToHoursText(864_000)).toBe('1440');
  });
});

describe('countdowns from block numbers', () => {
  test('(target − best) × 6 s, never negative', () => {
    expect(blocksLeft(1_150, 1_000)).toBe(150);
    expect(secondsLeft(1_150, 1_000)).toBe(900);
    expect(secondsLeft(1_150, 1_149)).toBe(6);
    expect(secondsLeft(1_150, 1_150)).toBe(0);
    expect(secondsLeft(1_150, 2_000)).toBe(0);
  });

  test('formatting', () => {
    expect(formatCountdown(900)).toBe('15:00');
    expect(formatCountdown(750)).toBe('12:30');
    expect(formatCountdown(6)).toBe('00:06');
    expect(formatCountdown(3_723)).toBe('1:02:03');
    expect(splitBlocks(14_400 + 600 * 3 + 35)).toEqual({ days: 1, hours: 3, minutes: 3 });
  });
});

describe('reminder lead times', () => {
  test('hours as typed to minutes and back', () => {
    expect(parseLeads('24, 1')).toEqual([1440, 60]);
    expect(parseLeads('0.5，2 1:15')).toEqual([120, 75, 30]);
    expect(parseLeads('')).toEqual([]);
    expect(parseLeads('1, 1')).toEqual([60]);
    for (const bad of ['x', '0', '1441:00', '0.33', '-1']) expect(parseLeads(bad)).toBeNull();
    expect(formatLeads([1440, 60, 30, 75])).toBe('24, 1, 0.5, 1:15');
  });
});
