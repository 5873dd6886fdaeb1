import { describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockCommands, eachTest } from './test-backend';
import App from './App.svelte';

const NAV_IDS = ['wallet', 'machine', 'rent', 'vm', 'confirm', 'connect', 'omniverse', 'rentals', 'settings'];

let calls: Array<[string, unknown]>;
let language: string;

function mockBackend(overrides: Record<string, (args: unknown) => unknown> = {}) {
  mockCommands(
    {
      app_info: () => ({ version: '0.1.0', dataDir: '/home/u/.local/share/dbc-rent', logDir: '/home/u/.local/share/dbc-rent/logs' }),
      get_settings: () => ({ language, network: 'mainnet' }),
      set_language: (args) => {
        language = (args as { language: string }).language;
        return { language, network: 'mainnet' };
      },
      network_status: () => ({ network: 'mainnet', state: 'not-connected', endpoint: null, bestBlock: null, specVersion: null }),
      get_network_settings: () => ({
        choice: { kind: 'mainnet' },
        mainnetEndpoints: ['wss://a.example'],
        defaultMainnetEndpoints: ['wss://a.example'],
      }),
      practice_status: () => ({ running: false, ownedByApp: false, chain: null, client: null, accounts: [] }),
      ...overrides,
    },
    (cmd, _args, raw) => calls.push([cmd, raw]),
  );
}

eachTest(() => {
  calls = [];
  language = 'en';
});

describe('App', () => {
  test('renders the rail with all nav buttons and the status bar', async () => {
    mockBackend();
    render(App);
    for (const id of NAV_IDS) expect(screen.getByTestId(`nav-${id}`)).toBeTruthy();
    expect(screen.getByTestId('screen-wallet')).toBeTruthy();
    expect(screen.getByTestId('screen-title').textContent).toBe('Your DBC wallet');

    await waitFor(() => expect(screen.getByTestId('status-connection').textContent).toBe('Not connected yet'));
    expect(screen.getByTestId('status-network').textContent).toBe('DBC mainnet');
    expect(screen.getByTestId('status-block').textContent).toBe('—');
    expect(calls.map(([c]) => c)).toEqual(expect.arrayContaining(['get_settings', 'app_info', 'network_status']));
  });

  test('clicking a nav button switches the screen', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(screen.getByTestId('nav-connect'));
    expect(screen.getByTestId('screen-connect')).toBeTruthy();
    expect(screen.getByTestId('screen-title').textContent).toBe('Connect with Remote Desktop');
    // The Connect step is built: no placeholder text.
    expect(screen.queryByText('This step is not available yet in this version.')).toBeNull();

    await fireEvent.click(screen.getByTestId('nav-settings'));
    expect(screen.getByTestId('screen-settings')).toBeTruthy();
    expect(screen.queryByTestId('screen-connect')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('about-version').textContent).toBe('0.1.0'));
    expect(screen.getByTestId('about-data-dir').textContent).toBe('/home/u/.local/share/dbc-rent');
    expect(screen.getByTestId('about-log-dir').textContent).toBe('/home/u/.local/share/dbc-rent/logs');
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });

  test('changing the language calls set_language and switches the text to Chinese', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    await waitFor(() => expect(calls.some(([c]) => c === 'get_settings')).toBe(true));
    expect(screen.getByTestId('screen-title').textContent).toBe('Settings');

    const select = screen.getByTestId('settings-language') as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'zh' } });

    await waitFor(() => expect(screen.getByTestId('screen-title').textContent).toBe('设置'));
    expect(calls).toContainEqual(['set_language', { language: 'zh' }]);
    expect(screen.getByTestId('nav-wallet').textContent).toContain('钱包');
    expect(screen.getByTestId('status-connection').textContent).toBe('尚未连接');
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  test('uses the language from get_settings at startup', async () => {
    language = 'zh';
    mockBackend();
    render(App);
    await waitFor(() => expect(screen.getByTestId('screen-title').textContent).toBe('您的 DBC 钱包'));
  });

  test('a failing command shows a dismissible localized error banner', async () => {
    mockBackend({
      set_language: (args) => {
        throw { code: 'unsupported-language', message: 'nope', data: args };
      },
    });
    render(App);
    await fireEvent.click(screen.getByTestId('nav-settings'));
    const select = screen.getByTestId('settings-language') as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'zh' } });

    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('“zh” is not supported');
    expect(select.value).toBe('en');
    await fireEvent.click(screen.getByTestId('error-dismiss'));
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });
});
