// Settings → Network, the practice network, the live status bar and the offline banner,
// through the whole app with a mocked back end.
import { describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockCommands, type Handler, eachTest, sendOnChannel } from './test-backend';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { applyLanguage } from './lib/i18n';
import { MAINNET_GENESIS } from './lib/labels';
import type { NetworkStatus, PracticeInfo } from './lib/ipc';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BOB = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';

const RUNNING: PracticeInfo = {
  running: true,
  ownedByApp: true,
  chain: 'ws://127.0.0.1:9944',
  client: 'http://127.0.0.1:8000',
  accounts: [
    { name: 'Alice', role: 'sudo', address: ALICE },
    { name: 'Bob', role: 'renter', address: BOB },
  ],
};
const STOPPED: PracticeInfo = { running: false, ownedByApp: false, chain: null, client: null, accounts: [] };

let calls: Array<[string, unknown]>;
let status: NetworkStatus;
let practice: PracticeInfo;
let kind: string;

function mockBackend(overrides: Record<string, Handler> = {}) {
  mockCommands(
    {
      app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
      get_settings: () => ({ language: 'en', network: kind }),
      network_status: () => status,
      retry_connection: () => status,
      get_network_settings: () => ({
        choice: { kind },
        mainnetEndpoints: ['wss://a.example', 'wss://b.example'],
        defaultMainnetEndpoints: ['wss://a.example'],
      }),
      set_network: (a) => {
        const choice = a.choice as { kind: string; url?: string };
        if (choice.url && !/^wss?:\/\//.test(choice.url)) {
          throw {
            code: 'invalid-argument',
            message: `${JSON.stringify(choice.url)} is not a node address: use ws:// or wss://`,
            data: { value: choice.url, reason: 'node-url-scheme' },
          };
        }
        kind = choice.kind;
        return { choice, mainnetEndpoints: ['wss://a.example'], defaultMainnetEndpoints: ['wss://a.example'] };
      },
      practice_status: () => practice,
      ...overrides,
    },
    (cmd, _a, raw) => calls.push([cmd, raw]),
  );
}

eachTest(() => {
  calls = [];
  kind = 'mainnet';
  practice = STOPPED;
  status = { network: 'mainnet', state: 'connected', endpoint: 'wss://a.example', bestBlock: 1234567, specVersion: 400 };
});

describe('status bar', () => {
  test('shows the polled status with separators, runtime and endpoint', async () => {
    mockBackend();
    render(App);
    await waitFor(() => expect(screen.getByTestId('status-block').textContent).toBe('1,234,567'));
    expect(screen.getByTestId('status-spec').textContent).toBe('runtime 400');
    expect(screen.getByTestId('status-connection').textContent).toBe('Connected');
    expect(screen.getByTestId('status-endpoint').getAttribute('title')).toContain('wss://a.example');
  });

  test('follows the network-status event', async () => {
    mockBackend();
    render(App);
    await waitFor(() => expect(screen.getByTestId('status-block').textContent).toBe('1,234,567'));
    // The listener registers asynchronously: emit until it is heard.
    await waitFor(async () => {
      await emit('network-status', { ...status, bestBlock: 1234568, specVersion: 401 });
      expect(screen.getByTestId('status-block').textContent).toBe('1,234,568');
    });
    expect(screen.getByTestId('status-spec').textContent).toBe('runtime 401');
    await emit('network-status', { network: 'practice', state: 'reconnecting', endpoint: null, bestBlock: null, specVersion: null });
    await waitFor(() => expect(screen.getByTestId('status-connection').textContent).toBe('Reconnecting…'));
    expect(screen.getByTestId('status-network').textContent).toBe('Practice network');
    expect(screen.queryByTestId('status-spec')).toBeNull();
  });

  test("a custom node on mainnet's chain is named as mainnet via that node; another chain stays custom", async () => {
    kind = 'custom';
    status = {
      network: 'custom',
      state: 'connected',
      endpoint: 'wss://my.node',
      bestBlock: 5,
      specVersion: 400,
      genesisHash: MAINNET_GENESIS,
    };
    mockBackend();
    render(App);
    await waitFor(() => expect(screen.getByTestId('status-network').textContent).toBe('Mainnet via custom node'));
    await emit('network-status', { ...status, genesisHash: '0x' + '11'.repeat(32) });
    await waitFor(() => expect(screen.getByTestId('status-network').textContent).toBe('Custom node'));
  });
});

describe('Settings → Network', () => {
  test('choosing Practice starts it with progress from the channel, then shows the panel', async () => {
    let finish: (info: PracticeInfo) => void = () => {};
    let channel: unknown = null;
    mockBackend({
      start_practice: (args) => {
        channel = args.onProgress;
        return new Promise<PracticeInfo>((resolve) => (finish = resolve));
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect((screen.getByTestId('network-mainnet') as HTMLInputElement).checked).toBe(true));
    expect((screen.getByTestId('mainnet-endpoints') as HTMLTextAreaElement).value).toBe('wss://a.example\nwss://b.example');

    await fireEvent.click(screen.getByTestId('network-practice'));
    const progress = await screen.findByTestId('practice-progress');
    expect(calls.some(([c]) => c === 'start_practice')).toBe(true);
    expect(channel).not.toBeNull();

    sendOnChannel(channel, 0, { stage: 'preparing-spec', elapsedMs: 100 });
    sendOnChannel(channel, 1, { stage: 'seeding', elapsedMs: 2100 });
    await waitFor(() => expect(screen.getByTestId('practice-stage').textContent).toBe('Creating practice accounts and machines'));
    expect(screen.getByTestId('practice-step-preparing-spec').dataset.mark).toBe('done');
    expect(screen.getByTestId('practice-step-seeding').dataset.mark).toBe('current');
    expect(screen.getByTestId('practice-step-ready').dataset.mark).toBe('todo');
    expect(screen.getByTestId('practice-elapsed').textContent).toMatch(/^\d+ s$/);
    expect(Number(screen.getByTestId('practice-elapsed').textContent!.split(' ')[0])).toBeGreaterThanOrEqual(2);
    // Out of order: index 3 waits for index 2.
    sendOnChannel(channel, 3, { stage: 'connecting', elapsedMs: 9000 });
    sendOnChannel(channel, 2, { stage: 'starting-chain', elapsedMs: 5000 });
    await waitFor(() => expect(progress.dataset.stage).toBe('connecting'));
    expect((screen.getByTestId('network-mainnet') as HTMLInputElement).disabled).toBe(true);

    kind = 'practice';
    practice = RUNNING;
    finish(RUNNING);
    const panel = await screen.findByTestId('practice-panel');
    expect(screen.queryByTestId('practice-progress')).toBeNull();
    expect(screen.getByTestId('practice-chain-url').textContent).toBe('ws://127.0.0.1:9944');
    expect(screen.getByTestId('practice-client-url').textContent).toBe('http://127.0.0.1:8000');
    expect(panel.textContent).toContain('Administrator');
    expect(panel.textContent).toContain(BOB);
    expect((screen.getByTestId('network-practice') as HTMLInputElement).checked).toBe(true);
  });

  test('faucet: a click on an account fills the address; submit sends {address, amount} and shows the result', async () => {
    kind = 'practice';
    practice = RUNNING;
    let release: () => void = () => {};
    mockBackend({
      practice_fund: (args) =>
        new Promise((resolve) => {
          release = () =>
            resolve({
              address: args.address,
              amount: '1000000000000000000',
              blockHash: '0x12ab34cd56ef7890aa',
              free: '1001000000000000000000',
            });
        }),
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('practice-panel');
    const address = screen.getByTestId('faucet-address') as HTMLInputElement;
    expect(address.value).toBe('');
    expect((screen.getByTestId('faucet-amount') as HTMLInputElement).value).toBe('1000');
    expect((screen.getByTestId('faucet-submit') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('practice-account-bob'));
    expect(address.value).toBe(BOB);
    await fireEvent.click(screen.getByTestId('faucet-submit'));
    expect(calls).toContainEqual(['practice_fund', { address: BOB, amount: '1000' }]);
    await waitFor(() => expect((screen.getByTestId('faucet-submit') as HTMLButtonElement).disabled).toBe(true));

    release();
    const result = await screen.findByTestId('faucet-result');
    expect(result.textContent).toBe('Sent 1,000 DBC to 5FHneW…694ty in block 0x12ab…90aa; new balance 1,001,000 DBC.');
    expect((screen.getByTestId('faucet-submit') as HTMLButtonElement).disabled).toBe(false);
  });

  test('faucet: invalid-argument shows localized text in place (en and zh)', async () => {
    kind = 'practice';
    practice = RUNNING;
    mockBackend({
      // As dbc::units::parse_dbc refuses it: a stable reason id, the English for logs.
      practice_fund: (args) => {
        throw {
          code: 'invalid-argument',
          message: `"${String(args.amount)}" is not a DBC amount: only digits and one decimal point`,
          data: { value: args.amount, reason: 'amount-not-a-number' },
        };
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('practice-panel');
    await fireEvent.input(screen.getByTestId('faucet-address'), { target: { value: ALICE } });
    await fireEvent.input(screen.getByTestId('faucet-amount'), { target: { value: '-5' } });
    await fireEvent.click(screen.getByTestId('faucet-submit'));
    const error = await screen.findByTestId('faucet-error');
    expect(error.textContent).toBe('“-5” is not an amount: use digits and at most one decimal point, for example 12.5.');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    // The English reason only behind "Details".
    expect(screen.getByTestId('faucet-error-details-text').textContent).toContain('is not a DBC amount');
    applyLanguage('zh');
    await waitFor(() =>
      expect(screen.getByTestId('faucet-error').textContent).toBe('“-5”不是有效的金额：请只用数字和最多一个小数点，例如 12.5。'),
    );
    expect(screen.getByTestId('faucet-error-details-toggle').textContent).toBe('详细信息');
  });

  test('faucet: prefilled with the active account; a wrong address and a too-large amount are said plainly', async () => {
    kind = 'practice';
    practice = RUNNING;
    mockBackend({
      wallet_overview: () => ({
        accounts: [{ id: 'a1', name: 'Mine', address: BOB, backedUp: true, source: 'mnemonic', hasMnemonic: true }],
        activeId: 'a1',
        store: { kind: 'encrypted-file', osKeyring: { available: false, locked: false, reason: null }, fileStoreChosen: true },
      }),
      practice_fund: (args) => {
        if (args.address !== BOB)
          throw { code: 'invalid-address', message: `"${String(args.address)}" is not an account address`, data: { value: args.address } };
        throw {
          code: 'insufficient-balance',
          message: 'the practice faucet can give at most 999999999 DBC now',
          data: { reason: 'faucet-limit', maxPlanck: '999999999000000000000000', neededPlanck: '5000000000000000000000000' },
        };
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('practice-panel');
    await waitFor(() => expect((screen.getByTestId('faucet-address') as HTMLInputElement).value).toBe(BOB));
    expect(screen.getByTestId('faucet-address-active')).toBeTruthy();
    await fireEvent.input(screen.getByTestId('faucet-amount'), { target: { value: '5000000000' } });
    await fireEvent.click(screen.getByTestId('faucet-submit'));
    const error = await screen.findByTestId('faucet-error');
    expect(error.textContent).toBe('The practice faucet can give at most 999,999,999 DBC at a time. Ask for less.');
    expect(error.textContent).not.toContain('This account');

    await fireEvent.input(screen.getByTestId('faucet-address'), { target: { value: 'notanaddress' } });
    expect(screen.queryByTestId('faucet-address-active')).toBeNull();
    await fireEvent.click(screen.getByTestId('faucet-submit'));
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('faucet-error').getAttribute('data-code')).toBe('invalid-address'));
    const zh = screen.getByTestId('faucet-error').textContent ?? '';
    expect(zh).toContain('notanaddress');
    expect(zh).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/);
  });

  test('a failed start shows the error, the install hint and a retry that starts again', async () => {
    let attempts = 0;
    mockBackend({
      start_practice: () => {
        attempts++;
        if (attempts === 1) throw { code: 'node-missing', message: 'node not found' };
        practice = RUNNING;
        return RUNNING;
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect((screen.getByTestId('network-practice') as HTMLInputElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('network-practice'));
    const failed = await screen.findByTestId('practice-error');
    expect(failed.dataset.code).toBe('node-missing');
    expect(failed.textContent).toContain('Node.js 20 or newer');
    expect(screen.getByTestId('practice-hint').textContent).toContain('node --version');

    await fireEvent.click(screen.getByTestId('practice-retry'));
    await screen.findByTestId('practice-panel');
    expect(attempts).toBe(2);
  });

  test('stop calls stop_practice and hides the panel', async () => {
    kind = 'practice';
    practice = RUNNING;
    mockBackend({ stop_practice: () => STOPPED });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await fireEvent.click(await screen.findByTestId('practice-stop'));
    await screen.findByTestId('practice-start');
    expect(screen.queryByTestId('practice-panel')).toBeNull();
    expect(calls.map(([c]) => c)).toContain('stop_practice');
  });

  test('custom: apply calls set_network with the URL; a bad URL shows localized text in place', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect((screen.getByTestId('network-custom') as HTMLInputElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('network-custom'));
    const url = screen.getByTestId('network-custom-url') as HTMLInputElement;

    await fireEvent.input(url, { target: { value: 'http://node.example:9944' } });
    await fireEvent.click(screen.getByTestId('network-custom-apply'));
    const error = await screen.findByTestId('network-custom-error');
    expect(error.textContent).toBe('“http://node.example:9944” is not a node address: it must start with ws:// or wss://.');

    await fireEvent.input(url, { target: { value: ' wss://node.example:9944 ' } });
    await fireEvent.click(screen.getByTestId('network-custom-apply'));
    await screen.findByTestId('network-custom-active');
    expect(calls).toContainEqual(['set_network', { choice: { kind: 'custom', url: 'wss://node.example:9944' } }]);
    expect(screen.queryByTestId('network-custom-error')).toBeNull();
  });

  test('custom: an unencrypted remote node is used only after the user says yes to the warning', async () => {
    mockBackend({
      set_network: (a) => {
        const choice = a.choice as { kind: string; url: string };
        if (choice.url.startsWith('ws://') && a.allowInsecure !== true) {
          throw { code: 'insecure-node-url', message: 'unencrypted', data: { url: choice.url, host: '203.0.113.7' } };
        }
        kind = choice.kind;
        return { choice, mainnetEndpoints: ['wss://a.example'], defaultMainnetEndpoints: ['wss://a.example'] };
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect((screen.getByTestId('network-custom') as HTMLInputElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('network-custom'));
    await fireEvent.input(screen.getByTestId('network-custom-url'), { target: { value: 'ws://203.0.113.7:9944' } });
    await fireEvent.click(screen.getByTestId('network-custom-apply'));
    expect((await screen.findByTestId('network-custom-error')).textContent).toContain('unencrypted (ws://) node');
    expect(screen.getByTestId('network-custom-insecure').textContent).toContain('ws://203.0.113.7:9944');
    expect(calls.filter(([c]) => c === 'set_network')).toEqual([
      ['set_network', { choice: { kind: 'custom', url: 'ws://203.0.113.7:9944' } }],
    ]);
    await fireEvent.click(screen.getByTestId('network-custom-insecure-allow'));
    await screen.findByTestId('network-custom-active');
    expect(calls).toContainEqual(['set_network', { choice: { kind: 'custom', url: 'ws://203.0.113.7:9944' }, allowInsecure: true }]);
    expect(screen.queryByTestId('network-custom-insecure')).toBeNull();
  });

  test('mainnet endpoints: save sends one URL per line, reset sends an empty list', async () => {
    mockBackend({
      set_mainnet_endpoints: (args) => {
        const list = args.endpoints as string[];
        if (list.some((e) => !e.startsWith('ws'))) throw { code: 'invalid-argument', message: 'bad endpoint', data: { value: 'x' } };
        return {
          choice: { kind: 'mainnet' },
          mainnetEndpoints: list.length ? list : ['wss://a.example'],
          defaultMainnetEndpoints: ['wss://a.example'],
        };
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    const area = (await screen.findByTestId('mainnet-endpoints')) as HTMLTextAreaElement;
    await waitFor(() => expect(area.value).toBe('wss://a.example\nwss://b.example'));
    await fireEvent.input(area, { target: { value: 'wss://c.example\n\n  wss://d.example  \n' } });
    await fireEvent.click(screen.getByTestId('mainnet-endpoints-save'));
    await screen.findByTestId('mainnet-endpoints-saved');
    expect(calls).toContainEqual(['set_mainnet_endpoints', { endpoints: ['wss://c.example', 'wss://d.example'] }]);
    expect(area.value).toBe('wss://c.example\nwss://d.example');

    await fireEvent.input(area, { target: { value: 'x' } });
    await fireEvent.click(screen.getByTestId('mainnet-endpoints-save'));
    expect((await screen.findByTestId('mainnet-endpoints-error')).textContent).toBe('The value “x” was not accepted.');
    expect(screen.getByTestId('mainnet-endpoints-error-details-text').textContent).toBe('bad endpoint');

    await fireEvent.click(screen.getByTestId('mainnet-endpoints-reset'));
    await waitFor(() => expect(area.value).toBe('wss://a.example'));
    expect(calls).toContainEqual(['set_mainnet_endpoints', { endpoints: [] }]);
  });
});

/** Mainnet chosen and no endpoint answering. */
const MAINNET_UNREACHABLE: NetworkStatus = {
  network: 'mainnet',
  state: 'offline',
  endpoint: null,
  bestBlock: null,
  specVersion: null,
  lastError: {
    code: 'network-unreachable',
    message: 'no endpoint answered',
    data: { network: 'mainnet', endpoint: 'wss://a.example' },
  },
};

describe('offline banner', () => {
  test('appears for mainnet + offline with the localized reason; retry calls retry_connection', async () => {
    status = MAINNET_UNREACHABLE;
    mockBackend();
    render(App);
    const banner = await screen.findByTestId('offline-banner');
    expect(banner.textContent).toContain('DBC mainnet cannot be reached right now.');
    expect(banner.textContent).toContain('last tried wss://a.example');
    expect(banner.textContent).toContain('rehearse on the free practice network');

    status = { network: 'mainnet', state: 'connected', endpoint: 'wss://a.example', bestBlock: 5, specVersion: 400 };
    await fireEvent.click(screen.getByTestId('offline-retry'));
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    expect(calls.map(([c]) => c)).toContain('retry_connection');
  });

  test('a stopped practice network: the cause in plain words, local advice, gone once it is back', async () => {
    status = {
      network: 'practice',
      state: 'offline',
      endpoint: 'ws://127.0.0.1:9944',
      bestBlock: 1_000_033,
      specVersion: 400,
      lastError: {
        code: 'sandbox-crashed',
        message: 'the practice chain stopped unexpectedly (signal: 15 (SIGTERM)); log /d/practice/chain/chopsticks.log',
        data: { log: '/d/practice/chain/chopsticks.log', status: 'signal: 15 (SIGTERM)' },
      },
    };
    mockBackend();
    render(App);
    const banner = await screen.findByTestId('offline-banner');
    expect(screen.getByTestId('offline-title').textContent).toBe('The practice network is not answering.');
    expect(screen.getByTestId('offline-reason').textContent).toContain('The practice network stopped unexpectedly.');
    expect(banner.textContent).not.toContain('internet connection');
    expect(screen.getByTestId('offline-advice').textContent).toContain('reconnects by itself');
    expect(screen.getByTestId('offline-details-text').textContent).toContain('SIGTERM');
    expect(screen.getByTestId('offline-use-practice').textContent).toBe('Start the practice network');
    // Not running at all: a local network's words too, never "check your internet connection".
    await emit('network-status', {
      ...status,
      lastError: { code: 'network-unreachable', message: 'refused', data: { network: 'practice', endpoint: 'ws://127.0.0.1:9944' } },
    });
    await waitFor(() =>
      expect(screen.getByTestId('offline-reason').textContent).toContain('practice network on this computer does not answer'),
    );
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('offline-reason').textContent).toContain('本机上的练习网络没有响应'));
    expect(screen.getByTestId('offline-banner').textContent).not.toContain('practice');
    // Back by itself (dbc-sandbox up on a new port): the banner goes.
    await emit('network-status', {
      network: 'practice',
      state: 'connected',
      endpoint: 'ws://127.0.0.1:9955',
      bestBlock: 1_000_034,
      specVersion: 400,
    });
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
  });

  test('the practice panel follows a network that stopped and came back on a new port', async () => {
    kind = 'practice';
    practice = RUNNING;
    status = { network: 'practice', state: 'connected', endpoint: 'ws://127.0.0.1:9944', bestBlock: 5, specVersion: 400 };
    mockBackend();
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    expect((await screen.findByTestId('practice-chain-url')).textContent).toBe('ws://127.0.0.1:9944');
    // `dbc-sandbox down`: the panel no longer claims it runs.
    practice = STOPPED;
    await emit('network-status', {
      ...status,
      state: 'offline',
      lastError: { code: 'sandbox-not-running', message: 'stopped', data: { reason: 'stopped' } },
    });
    await screen.findByTestId('practice-start');
    // `dbc-sandbox up` elsewhere, on another port: the app reconnected; the panel shows it.
    practice = { ...RUNNING, chain: 'ws://127.0.0.1:9955' };
    await emit('network-status', { ...status, endpoint: 'ws://127.0.0.1:9955' });
    await waitFor(() => expect(screen.getByTestId('practice-chain-url').textContent).toBe('ws://127.0.0.1:9955'));
  });

  test('mainnet unreachable names the network in the UI language', async () => {
    status = MAINNET_UNREACHABLE;
    applyLanguage('zh');
    mockBackend({ get_settings: () => ({ language: 'zh', network: 'mainnet' }) });
    render(App);
    await waitFor(() => expect(screen.getByTestId('offline-reason').textContent).toContain('无法连接 DBC 主网'));
    expect(screen.getByTestId('offline-reason').textContent).not.toContain('mainnet');
  });

  test('"use the practice network" opens Settings and starts it', async () => {
    status = { network: 'mainnet', state: 'offline', endpoint: null, bestBlock: null, specVersion: null };
    mockBackend({
      start_practice: () => {
        kind = 'practice';
        practice = RUNNING;
        status = { network: 'practice', state: 'connected', endpoint: 'ws://127.0.0.1:9944', bestBlock: 1, specVersion: 400 };
        void emit('network-status', status);
        return RUNNING;
      },
    });
    render(App);
    await fireEvent.click(await screen.findByTestId('offline-use-practice'));
    expect(screen.getByTestId('screen-settings')).toBeTruthy();
    await screen.findByTestId('practice-panel');
    expect(calls.map(([c]) => c)).toContain('start_practice');
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    expect((screen.getByTestId('network-practice') as HTMLInputElement).checked).toBe(true);
  });
});
