import { toAppError } from './ipc';
import type { AppError } from './ipc';
import { hasKey } from './i18n';
import type { Params, Translate } from './i18n';
import { formatDbc } from './format';
import { networkName } from './labels';
import { statusLabel } from './market/labels';
import type { MachineStatus } from './market/types';
import { stageLabel, vmStatusLabel } from './rentals/labels';

/**
 * Data fields that carry free text from the back end or a node (English, or whatever the
 * node said): never put into a sentence, so a Chinese message has no English inside. They
 * are the technical reason, shown behind a "Details" toggle (`errorDetails`).
 */
const FREE_TEXT = new Set(['message', 'reason', 'nodeMessage']);

/** A stable id (`amount-zero`, `faucet-limit`), as opposed to free text. */
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The catalog key for `e`: `error.<code>.<variant>` when the catalog words that case on
 * its own, else `error.<code>`. Variants: the stable id in `data.reason` (the core sets
 * one where one code covers several rules), then the network (`practice`: a node on this
 * computer, where "check your internet connection" would be wrong).
 */
function errorKey(e: AppError): string {
  const base = `error.${e.code}`;
  const data = e.data ?? {};
  const variants: string[] = [];
  if (typeof data.reason === 'string' && ID.test(data.reason)) variants.push(data.reason);
  if (data.network === 'practice') variants.push('practice');
  // The operating system a hint is for (`rdp-client-missing`: what to install there).
  if (typeof data.os === 'string' && ID.test(data.os)) variants.push(data.os);
  for (const v of variants) {
    if (hasKey(`${base}.${v}`)) return `${base}.${v}`;
  }
  return base;
}

/** `data` as placeholders, each value in the UI language where the back end sends an id. */
function paramsOf(e: AppError): Params {
  const params: Params = { code: e.code };
  for (const [name, value] of Object.entries(e.data ?? {})) {
    if (name === 'code' || FREE_TEXT.has(name)) continue;
    params[name] = typeof value === 'object' && value !== null ? JSON.stringify(value) : (value as Params[string]);
    // Planck amounts (`maxPlanck`) also as DBC (`{max}`), formatted like everywhere else.
    if (name.endsWith('Planck') && typeof value === 'string' && /^\d+$/.test(value)) {
      params[name.slice(0, -'Planck'.length)] = formatDbc(value);
    }
  }
  if (typeof params.network === 'string') params.network = networkName(params.network);
  if (typeof params.state === 'string') params.state = stageLabel(params.state);
  if (typeof params.status === 'string') {
    if (e.code === 'not-rentable') params.status = statusLabel(params.status as MachineStatus);
    else if (e.code.startsWith('vm-')) params.status = vmStatusLabel(params.status);
  }
  return params;
}

/**
 * Localized text for any error: `error.<code>` (or one of its variants) from the catalog,
 * with the error's `data` as placeholders. Never the English `message`: that, and any
 * free-text reason, is what `errorDetails` returns. A code the catalog does not know (a
 * newer back end) still reads as a sentence, with its code.
 */
export function describeError(err: unknown, t: Translate): string {
  const e = toAppError(err);
  const params = paramsOf(e);
  const key = errorKey(e);
  const text = t(key, params);
  // `t` returns the key itself when no catalog has it.
  if (text === key) return t('errors.unrecognized', params);
  // A value the sentence names is missing (an older back end, another call site): the
  // catalog's sentence without it, rather than a raw `{value}` on screen.
  if (/\{[A-Za-z0-9_-]+\}/.test(text) && hasKey(`error.${e.code}.bare`)) return t(`error.${e.code}.bare`, params);
  return text;
}

/**
 * The technical side of an error, for a "Details" toggle: the back end's own message (in
 * English, for logs and support) and a node's words when the message does not carry them.
 * `null` when there is nothing beyond what the sentence says.
 */
export function errorDetails(err: unknown): string | null {
  const e = toAppError(err);
  const parts: string[] = [];
  const message = e.message.trim();
  if (message) parts.push(message);
  for (const name of ['reason', 'nodeMessage']) {
    const v = e.data?.[name];
    if (typeof v === 'string' && v.trim() !== '' && !ID.test(v) && !message.includes(v.trim())) parts.push(v.trim());
  }
  return parts.length > 0 ? parts.join('\n') : null;
}
