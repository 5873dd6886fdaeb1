// Translation: flat catalogs (key -> string, `{name}` placeholders), one per language.
// Call `t` with a literal string key so the catalog test can find them; the
// only computed keys are `error.<code>` (see ../errors.ts).
import en from './en.json';
import zh from './zh.json';
import type { Language } from '../ipc';
import { currentLanguage } from './state.svelte';

export { LANGUAGES, isLanguage, currentLanguage, applyLanguage } from './state.svelte';

export type Params = Record<string, string | number | boolean | null | undefined>;
export type Translate = (key: string, params?: Params) => string;

const catalogs: Record<Language, Record<string, string>> = { en, zh };

export function hasKey(key: string): boolean {
  return Object.prototype.hasOwnProperty.call(catalogs.en, key) || Object.prototype.hasOwnProperty.call(catalogs.zh, key);
}

export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_-]+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** Looks `key` up in the current language, then English, then returns the key itself. */
export const t: Translate = (key, params) => {
  const text = catalogs[currentLanguage()][key] ?? catalogs.en[key] ?? key;
  return interpolate(text, params);
};
