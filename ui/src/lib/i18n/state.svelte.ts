import type { Language } from '../ipc';

export const LANGUAGES: readonly Language[] = ['zh', 'en'];

export function isLanguage(value: unknown): value is Language {
  return value === 'zh' || value === 'en';
}

/** First guess before `get_settings` answers: the webview's own locale. */
function initialLanguage(): Language {
  const nav = typeof navigator !== 'undefined' ? navigator.language : '';
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const lang = $state<{ current: Language }>({ current: initialLanguage() });

export function currentLanguage(): Language {
  return lang.current;
}

/** Switches the UI language (reactively) and the document's `lang` attribute. */
export function applyLanguage(next: Language): void {
  lang.current = next;
  if (typeof document !== 'undefined') {
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  }
}

applyLanguage(lang.current);
