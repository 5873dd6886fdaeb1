// Keeps the catalogs honest: same keys in every language, no empty texts, the same
// placeholders, every key used by the code, every key the code uses present, and
// exactly one `error.<code>` entry per generated error code.
import { describe, expect, test } from 'vitest';
import en from './en.json';
import zh from './zh.json';
import { ERROR_CODES } from '../error-codes';

const catalogs: Record<string, Record<string, string>> = { en, zh };

// All UI sources (no tests, no catalogs), as text.
const sources = import.meta.glob(['/src/**/*.ts', '/src/**/*.svelte', '!/src/**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const placeholders = (text: string) => [...text.matchAll(/\{([A-Za-z0-9_-]+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalogs', () => {
  test('the source scan found the UI code', () => {
    const files = Object.keys(sources);
    expect(files.some((f) => f.endsWith('/App.svelte'))).toBe(true);
    expect(files.some((f) => f.endsWith('/lib/steps.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('.test.ts'))).toBe(false);
  });

  test('en and zh have exactly the same keys', () => {
    const enKeys = Object.keys(en).sort();
    const zhKeys = Object.keys(zh).sort();
    expect(
      zhKeys.filter((k) => !(k in en)),
      'keys only in zh',
    ).toEqual([]);
    expect(
      enKeys.filter((k) => !(k in zh)),
      'keys only in en',
    ).toEqual([]);
  });

  test('no empty values', () => {
    for (const [lang, catalog] of Object.entries(catalogs)) {
      const empty = Object.entries(catalog)
        .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
        .map(([k]) => k);
      expect(empty, `empty texts in ${lang}`).toEqual([]);
    }
  });

  test('placeholders match between languages', () => {
    const mismatched = Object.keys(en).filter(
      (k) => k in zh && placeholders(en[k as keyof typeof en]).join() !== placeholders(zh[k as keyof typeof zh]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  test('error keys are error.<code> for each generated error code, plus variants of those', () => {
    const errorKeys = Object.keys(en).filter((k) => k.startsWith('error.'));
    const bases = errorKeys.filter((k) => k.split('.').length === 2).sort();
    expect(bases).toEqual(ERROR_CODES.map((c) => `error.${c}`).sort());
    // `error.<code>.<variant>` (errors.ts picks one by `data.reason` or the network).
    const orphans = errorKeys.filter((k) => k.split('.').length > 2 && !(k.split('.').slice(0, 2).join('.') in en));
    expect(orphans).toEqual([]);
  });

  test('every non-error key is used in the code as a literal', () => {
    const code = Object.values(sources).join('\n');
    const unused = Object.keys(en)
      .filter((k) => !k.startsWith('error.'))
      .filter((k) => !code.includes(`'${k}'`) && !code.includes(`"${k}"`));
    expect(unused).toEqual([]);
  });

  test("every t('…') literal in the code exists in the catalogs", () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) {
        const key = m[2];
        if (!(key in en) || !(key in zh)) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('only errors.ts calls t() with a computed key', () => {
    const offenders: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      if (file.endsWith('/lib/errors.ts')) continue;
      for (const m of text.matchAll(/\bt\(\s*([^'"\s])/g)) offenders.push(`${file}: t(${m[1]}…`);
    }
    expect(offenders).toEqual([]);
  });
});
