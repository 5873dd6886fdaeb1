// One date formatter per language: every screen shows a date the same way.
import { afterEach, describe, expect, test } from 'vitest';
import { applyLanguage } from './i18n';
import { formatAgo, formatDateTime, formatWhen } from './dates';
import { dateTimeLabel } from './rentals/labels';

const sources = import.meta.glob(['/src/**/*.ts', '/src/**/*.svelte', '!/src/**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

afterEach(() => applyLanguage('en'));

describe('dates', () => {
  test('only dates.ts builds date formatters', () => {
    const others = Object.entries(sources)
      .filter(([file]) => !file.endsWith('/lib/dates.ts'))
      .filter(([, text]) => /Intl\.(DateTimeFormat|RelativeTimeFormat)|toLocale(Date|Time)?String/.test(text))
      .map(([file]) => file);
    expect(others).toEqual([]);
  });

  test('one style per language, 24-hour clock', () => {
    const when = new Date(2026, 11, 7, 2, 22);
    expect(formatDateTime(when)).toBe('7 Dec 2026, 02:22');
    expect(dateTimeLabel(when)).toBe(formatDateTime(when));
    applyLanguage('zh');
    expect(formatDateTime(when)).toBe('2026年12月7日 02:22');
    expect(formatAgo(300)).toBe('5分钟前');
  });

  test('today: the time only', () => {
    const now = new Date(2026, 11, 7, 9, 0).getTime();
    expect(formatWhen(new Date(2026, 11, 7, 2, 22).getTime(), now)).toBe('02:22');
    expect(formatWhen(new Date(2026, 11, 5, 23, 50).getTime(), now)).toBe('5 Dec 2026, 23:50');
  });
});
