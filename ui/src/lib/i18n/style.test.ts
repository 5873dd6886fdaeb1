// The rules of ./README.md, enforced: Chinese texts address the user as 您 and carry no
// English sentence (fragments of 3+ ASCII words), neither in the catalog nor once an
// error's data is put in; and no message ends mid-sentence on a colon.
import { afterEach, describe, expect, test } from 'vitest';
import en from './en.json';
import zh from './zh.json';
import { applyLanguage, t } from '.';
import { describeError, errorDetails } from '../errors';
import { ERROR_CODES } from '../error-codes';

afterEach(() => applyLanguage('en'));

const placeholders = (text: string) => [...text.matchAll(/\{([A-Za-z0-9_-]+)\}/g)].map((m) => m[1]);

/** Runs of 3 or more ASCII words: an English sentence fragment inside Chinese text. */
function englishRuns(text: string): string[] {
  return [...text.matchAll(/[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){2,}/g)].map((m) => m[0]);
}

/** What a Chinese text may contain in ASCII: commands to type and product names. */
const ALLOWED_ASCII = ['sudo apt install nodejs npm', 'sudo apt install freerdp', 'Mac App Store', 'Microsoft Remote Desktop'];

function offending(text: string): string[] {
  let rest = text;
  for (const ok of ALLOWED_ASCII) rest = rest.split(ok).join(' ');
  return englishRuns(rest);
}

describe('zh catalog style', () => {
  test('the detector finds what it must', () => {
    expect(offending('有一个值未被接受："notanaddress" is not an account address')).toEqual(['is not an account address']);
    expect(offending('运行 sudo apt install nodejs npm 后重试')).toEqual([]);
    expect(offending('GeForce RTX Titan 显卡')).toEqual(['GeForce RTX Titan']);
  });

  test('one form of address: 您, never 你', () => {
    const informal = Object.entries(zh).filter(([, v]) => v.includes('你'));
    expect(informal).toEqual([]);
  });

  test('no English sentence fragment in a zh text', () => {
    const found = Object.entries(zh)
      .map(([k, v]) => [k, offending(v.replace(/\{[A-Za-z0-9_-]+\}/g, ' '))] as const)
      .filter(([k, runs]) => runs.length > 0 && !PRODUCT_KEYS.has(k));
    expect(found).toEqual([]);
  });

  test('every zh error, with English in its data, reads without English', () => {
    applyLanguage('zh');
    const leaks: string[] = [];
    const keys = Object.keys(zh).filter((k) => k.startsWith('error.') || k === 'errors.unrecognized');
    for (const code of [...ERROR_CODES, 'some-future-code']) {
      const variants = keys.filter((k) => k === `error.${code}` || k.startsWith(`error.${code}.`));
      for (const key of variants.length ? variants : ['errors.unrecognized']) {
        const variant = key.split('.')[2];
        const data: Record<string, unknown> = {
          // What the back end puts in free-text fields: English, node words.
          reason: variant ?? 'the connection was refused by the peer',
          nodeMessage: 'task id already existed on this node',
          message: 'the node did not answer in time',
          network: variant === 'practice' ? 'practice' : 'mainnet',
          os: variant ?? 'linux',
          state: 'vm-creating',
          status: code === 'not-rentable' ? 'offline' : 'creating',
        };
        // Placeholders that hold values (ids, numbers, paths, URLs, names) get one token;
        // any other one is taken for free text and gets English, which must not show.
        for (const p of placeholders(en[key as keyof typeof en] ?? '')) {
          if (!(p in data)) data[p] = VALUE_PARAMS.has(p) ? 'x1' : 'some free text in English';
        }
        const text = describeError({ code, message: 'the node did not answer in time', data }, t);
        const runs = offending(text.replace(/x1/g, ' '));
        if (runs.length) leaks.push(`${key}: ${runs.join(' | ')} in “${text}”`);
        if (/mainnet|practice/.test(text)) leaks.push(`${key}: network name untranslated in “${text}”`);
      }
    }
    expect(leaks).toEqual([]);
  });

  test('the English message and free-text reasons are the details, not the sentence', () => {
    const e = { code: 'invalid-argument', message: '"notanaddress" is not an account address', data: { value: 'notanaddress' } };
    applyLanguage('zh');
    expect(describeError(e, t)).toBe('值“notanaddress”未被接受。');
    expect(errorDetails(e)).toBe('"notanaddress" is not an account address');
    const node = { code: 'compute-refused', message: 'the machine refused the request: no gpu', data: { nodeMessage: 'no gpu' } };
    expect(describeError(node, t)).not.toContain('no gpu');
    expect(errorDetails(node)).toBe('the machine refused the request: no gpu');
  });
});

/** zh keys whose ASCII is a product or model name the user sees as such. */
const PRODUCT_KEYS = new Set<string>([]);

/** Placeholders of error texts that carry a value, not words: ids, numbers, paths, URLs,
 *  names (and `network`, `state`, `status`, which errors.ts puts in the UI language). */
const VALUE_PARAMS = new Set([
  'actual',
  'address',
  'attempts',
  'available',
  'block',
  'blocks',
  'chain',
  'client',
  'code',
  'count',
  'current',
  'endpoint',
  'error',
  'expected',
  'free',
  'host',
  'image',
  'images',
  'language',
  'log',
  'machineId',
  'max',
  'min',
  'minutes',
  'name',
  'needed',
  'offered',
  'path',
  'pid',
  'port',
  'position',
  'rentId',
  'seen',
  'taskId',
  'url',
  'user',
  'value',
  'wanted',
  'word',
]);

describe('no message ends mid-sentence', () => {
  test('no error text ends on a colon before a value that may be empty', () => {
    for (const [lang, catalog] of Object.entries({ en, zh })) {
      const cut = Object.entries(catalog as Record<string, string>)
        .filter(([k]) => k.startsWith('error.') || k.startsWith('errors.'))
        .map(([k, v]) => [k, v.replace(/\{[A-Za-z0-9_-]+\}/g, '').trim()] as const)
        .filter(([, v]) => /[:：]$/.test(v))
        .map(([k]) => k);
      expect(cut, `error texts of ${lang} ending in a colon`).toEqual([]);
    }
  });

  test('an HTTP error without the node’s words is still a whole sentence', () => {
    const e = {
      code: 'compute-http',
      message: 'the DBC client at http://h:1 answered HTTP 404 on /api/v1',
      data: { url: 'http://h:1', status: 404, nodeMessage: '' },
    };
    for (const lang of ['en', 'zh'] as const) {
      applyLanguage(lang);
      const text = describeError(e, t);
      expect(text).toContain('404');
      expect(text.trim()).toMatch(/[.。]$/);
    }
  });
});
