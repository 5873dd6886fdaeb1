import { afterEach, describe, expect, test } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import {
  AppError,
  appInfo,
  getNetworkSettings,
  getSettings,
  networkStatus,
  practiceFund,
  practiceStatus,
  retryConnection,
  setLanguage,
  setMainnetEndpoints,
  setNetwork,
  startPractice,
  stopPractice,
  toAppError,
} from './ipc';
import type { PracticeProgress } from './ipc';
import { describeError, errorDetails } from './errors';
import { applyLanguage, t } from './i18n';

afterEach(() => {
  clearMocks();
  applyLanguage('en');
});

describe('ipc wrappers', () => {
  test('call the contract commands with the contract arguments', async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      switch (cmd) {
        case 'app_info':
          return { version: '0.1.0', dataDir: '/d', logDir: '/l' };
        case 'get_settings':
        case 'set_language':
          return { language: 'zh', network: 'mainnet' };
        case 'network_status':
          return { network: 'mainnet', state: 'not-connected', endpoint: null, bestBlock: null, specVersion: null };
      }
    });
    expect((await appInfo()).dataDir).toBe('/d');
    expect((await getSettings()).language).toBe('zh');
    expect((await setLanguage('zh')).network).toBe('mainnet');
    expect((await networkStatus()).state).toBe('not-connected');
    expect(calls.map(([c]) => c)).toEqual(['app_info', 'get_settings', 'set_language', 'network_status']);
    expect(calls[2][1]).toEqual({ language: 'zh' });
  });

  test('network and practice wrappers send the contract arguments (camelCase)', async () => {
    const calls: Array<[string, unknown]> = [];
    const settings = { choice: { kind: 'mainnet' }, mainnetEndpoints: [], defaultMainnetEndpoints: [] };
    const info = { running: true, ownedByApp: true, chain: 'ws://127.0.0.1:9944', client: null, accounts: [] };
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      switch (cmd) {
        case 'start_practice': {
          const channel = (args as { onProgress: { onmessage: (m: PracticeProgress) => void } }).onProgress;
          channel.onmessage({ stage: 'ready', elapsedMs: 5 });
          return info;
        }
        case 'practice_fund':
          return { address: 'a', amount: '1', blockHash: '0x1', free: '2' };
        case 'network_status':
        case 'retry_connection':
          return { network: 'mainnet', state: 'connecting', endpoint: null, bestBlock: null, specVersion: null };
        case 'practice_status':
        case 'stop_practice':
          return info;
        default:
          return settings;
      }
    });
    await getNetworkSettings();
    await setNetwork({ kind: 'custom', url: 'wss://x' });
    await setMainnetEndpoints(['wss://a', 'wss://b']);
    const seen: PracticeProgress[] = [];
    expect((await startPractice((p) => seen.push(p))).chain).toBe('ws://127.0.0.1:9944');
    expect(seen).toEqual([{ stage: 'ready', elapsedMs: 5 }]);
    await practiceStatus();
    await stopPractice();
    expect((await practiceFund('5F', '100')).free).toBe('2');
    expect((await retryConnection()).state).toBe('connecting');
    expect(calls.map(([c]) => c)).toEqual([
      'get_network_settings',
      'set_network',
      'set_mainnet_endpoints',
      'start_practice',
      'practice_status',
      'stop_practice',
      'practice_fund',
      'retry_connection',
    ]);
    expect(calls[1][1]).toEqual({ choice: { kind: 'custom', url: 'wss://x' } });
    expect(calls[2][1]).toEqual({ endpoints: ['wss://a', 'wss://b'] });
    expect(Object.keys(calls[3][1] as object)).toEqual(['onProgress']);
    expect(calls[6][1]).toEqual({ address: '5F', amount: '100' });
  });

  test('a known error code becomes localized text in en and zh with its data', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'set_language') {
        throw {
          code: 'unsupported-language',
          message: 'unsupported language: fr',
          data: { language: (args as { language: string }).language },
        };
      }
    });
    const err = await setLanguage('fr').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('unsupported-language');
    expect((err as AppError).data).toEqual({ language: 'fr' });

    applyLanguage('en');
    const enText = describeError(err, t);
    expect(enText).toContain('fr');
    expect(enText).toContain('not supported');

    applyLanguage('zh');
    const zhText = describeError(err, t);
    expect(zhText).toContain('fr');
    expect(zhText).toContain('不支持');
  });

  test('an unknown code still shows its message', async () => {
    mockIPC(() => {
      throw { code: 'wallet-locked-forever', message: 'the wallet is locked forever' };
    });
    const err = await getSettings().catch((e: unknown) => e);
    expect((err as AppError).code).toBe('wallet-locked-forever');
    const text = describeError(err, t);
    expect(text).toContain('wallet-locked-forever');
    // The back end's English is the technical detail, not part of the sentence.
    expect(text).not.toContain('the wallet is locked forever');
    expect(errorDetails(err)).toBe('the wallet is locked forever');
    applyLanguage('zh');
    expect(describeError(err, t)).toContain('意外错误');
  });

  test('a non-object rejection becomes code unknown', async () => {
    mockIPC(() => {
      throw 'boom: plain string';
    });
    const err = await networkStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('unknown');
    expect((err as AppError).message).toBe('boom: plain string');
    expect(describeError(err, t)).toBe('Something unexpected happened.');
    expect(errorDetails(err)).toBe('boom: plain string');
  });

  test('toAppError normalizes odd shapes', () => {
    expect(toAppError(null).code).toBe('unknown');
    expect(toAppError(42).message).toBe('42');
    expect(toAppError({ code: 5, message: 'x' }).code).toBe('unknown');
    expect(toAppError({ code: 'io', message: 'x', data: 'not-an-object' }).data).toBeUndefined();
    const e = toAppError({ code: 'io', message: 'denied', data: { path: '/tmp/x' } });
    expect(describeError(e, t)).toContain('/tmp/x');
  });

  test('storage-corrupt names the file and says it was left untouched', () => {
    const e = toAppError({ code: 'storage-corrupt', message: 'bad json', data: { path: '/data/settings.json' } });
    expect(describeError(e, t)).toContain('/data/settings.json');
    expect(describeError(e, t)).toContain('untouched');
  });
});

describe('t', () => {
  test('falls back to English, then to the key', () => {
    applyLanguage('zh');
    expect(t('nav.settings')).toBe('设置');
    expect(t('no.such.key')).toBe('no.such.key');
    expect(document.documentElement.lang).toBe('zh-CN');
    applyLanguage('en');
    expect(document.documentElement.lang).toBe('en');
  });

  test('interpolates placeholders', () => {
    expect(t('screen.step-counter', { n: 2, total: 7 })).toBe('Step 2 of 7');
  });
});
