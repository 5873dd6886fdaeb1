import { toAppError } from './ipc';
import type { Params, Translate } from './i18n';

/**
 * Localized text for any error: `error.<code>` from the catalog, with the error's
 * `data` (and `code`, `message`) as placeholders. A code the catalog does not know
 * (e.g. from a newer back end) still shows its raw message behind a generic prefix.
 */
export function describeError(err: unknown, t: Translate): string {
  const e = toAppError(err);
  const params: Params = { code: e.code, message: e.message };
  for (const [name, value] of Object.entries(e.data ?? {})) {
    if (name === 'code' || name === 'message') continue;
    params[name] = typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as Params[string]);
  }
  const key = `error.${e.code}`;
  const text = t(key, params);
  // `t` returns the key itself when no catalog has it.
  if (text !== key) return text;
  return t('errors.unrecognized', params);
}
