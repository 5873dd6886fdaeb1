// Dates and times as the UI shows them: one formatter per language, used by every screen,
// so a date never appears in two styles ("7 Dec 2026, 02:22" next to "Dec 5, 2026, 11:50 PM").
// zh-CN and en-GB, both on a 24-hour clock, like the block times they stand for.
import { currentLanguage } from './i18n';
import type { Language } from './ipc';

const LOCALES: Record<Language, string> = { zh: 'zh-CN', en: 'en-GB' };

const dateTime: Partial<Record<Language, Intl.DateTimeFormat>> = {};
const time: Partial<Record<Language, Intl.DateTimeFormat>> = {};
const relative: Partial<Record<Language, Intl.RelativeTimeFormat>> = {};

/** A date and time in the UI language: `7 Dec 2026, 02:22` / `2026年12月7日 02:22`. */
export function formatDateTime(date: Date | number): string {
  const lang = currentLanguage();
  dateTime[lang] ??= new Intl.DateTimeFormat(LOCALES[lang], {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return dateTime[lang].format(date);
}

/** The time of day only (for something earlier today): `02:22`. */
export function formatTime(date: Date | number): string {
  const lang = currentLanguage();
  time[lang] ??= new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', hour12: false });
  return time[lang].format(date);
}

/** `seconds` ago in the UI language: "5 minutes ago" / "5分钟前". */
export function formatAgo(seconds: number): string {
  const lang = currentLanguage();
  relative[lang] ??= new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto' });
  const rtf = relative[lang];
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return rtf.format(-s, 'second');
  if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
  if (s < 86400) return rtf.format(-Math.floor(s / 3600), 'hour');
  return rtf.format(-Math.floor(s / 86400), 'day');
}

/** Today: the time only; another day: the date and time. */
export function formatWhen(when: number, now: number): string {
  const a = new Date(when);
  const b = new Date(now);
  const sameDay = a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  return sameDay ? formatTime(a) : formatDateTime(a);
}
