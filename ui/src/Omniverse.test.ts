// The Omniverse step with a mocked back end: the checklist loads for the rental shown,
// ticks persist through the ipc wrapper (a fresh render reads them back), links go to
// `open_external` and its refusal shows in place, and the guide renders in both languages.
import { describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { mockCommands, noAccounts, eachTest } from './test-backend';
import OmniverseScreen from './lib/screens/OmniverseScreen.svelte';
import App from './App.svelte';
import { applyLanguage } from './lib/i18n';
import type { Checklist, ChecklistItemId } from './lib/ipc';

const ITEMS: ChecklistItemId[] = [
  'driver-checked',
  'omniverse-installed',
  'audio2face-installed',
  'first-launch-done',
  'test-audio-played',
];

let calls: Array<[string, Record<string, unknown>]>;
/** The back end's saved state: rent key -> done items. */
let saved: Map<string, Set<ChecklistItemId>>;
let refuseLinks: boolean;
/** No browser on this computer: `open_external` says `browser-unavailable`. */
let noBrowser: boolean;
const MACHINE_42 = `4623784812${'a'.repeat(50)}3b64`;

function list(rentKey: string): Checklist {
  const done = saved.get(rentKey) ?? new Set();
  const items = ITEMS.map((id) => ({ id, done: done.has(id) }));
  return { rentKey, items, done: items.filter((i) => i.done).length, total: items.length };
}

function mockBackend() {
  mockCommands(
    {
      checklist_get: (a) => list(a.rentKey as string),
      checklist_set: (a) => {
        const key = a.rentKey as string;
        const set = saved.get(key) ?? new Set<ChecklistItemId>();
        if (a.done) set.add(a.item as ChecklistItemId);
        else set.delete(a.item as ChecklistItemId);
        saved.set(key, set);
        return list(key);
      },
      open_external: (a) => {
        if (refuseLinks) throw { code: 'link-not-allowed', message: 'link refused', data: { url: a.url } };
        if (noBrowser)
          throw {
            code: 'browser-unavailable',
            message: `cannot open a browser (xdg-open exited with exit status: 3): ${String(a.url)}`,
            data: { url: a.url },
          };
        return null;
      },
      app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
      get_settings: () => ({ language: 'en', network: 'mainnet' }),
      network_status: () => ({ network: 'mainnet', state: 'not-connected', endpoint: null, bestBlock: null, specVersion: null }),
      wallet_overview: noAccounts,
      market_snapshot: () => null,
    },
    (cmd, a) => calls.push([cmd, a]),
  );
}

const checkbox = (id: ChecklistItemId) => screen.getByTestId(`omni-item-${id}`) as HTMLInputElement;

eachTest(() => {
  calls = [];
  saved = new Map();
  refuseLinks = false;
  noBrowser = false;
  mockBackend();
});

describe('Omniverse step', () => {
  test('without a rental it shows the general checklist, all open', async () => {
    render(OmniverseScreen);
    await waitFor(() => expect(screen.getByTestId('omni-progress').textContent).toBe('0 of 5 done'));
    expect(calls).toContainEqual(['checklist_get', { rentKey: 'general' }]);
    expect(screen.getByTestId('omni-rental').textContent).toContain('general checklist');
    for (const id of ITEMS) expect(checkbox(id).checked).toBe(false);
    expect(screen.queryByTestId('omni-all-done')).toBeNull();
  });

  test('ticks are saved through the back end and read back by a fresh screen', async () => {
    const first = render(OmniverseScreen, { rentKey: 'practice:42', rental: { rentId: 42, machineId: MACHINE_42 } });
    await waitFor(() => expect(checkbox('driver-checked')).toBeTruthy());
    await fireEvent.click(checkbox('driver-checked'));
    await waitFor(() => expect(screen.getByTestId('omni-progress').textContent).toBe('1 of 5 done'));
    await fireEvent.click(checkbox('first-launch-done'));
    await waitFor(() => expect(checkbox('first-launch-done').checked).toBe(true));
    expect(calls).toContainEqual(['checklist_set', { rentKey: 'practice:42', item: 'driver-checked', done: true }]);
    expect(calls).toContainEqual(['checklist_set', { rentKey: 'practice:42', item: 'first-launch-done', done: true }]);

    // Untick one again.
    await fireEvent.click(checkbox('driver-checked'));
    await waitFor(() => expect(checkbox('driver-checked').checked).toBe(false));
    expect(calls).toContainEqual(['checklist_set', { rentKey: 'practice:42', item: 'driver-checked', done: false }]);
    first.unmount();

    // Another visit (or a restart): what the back end saved is shown.
    render(OmniverseScreen, { rentKey: 'practice:42', rental: { rentId: 42, machineId: MACHINE_42 } });
    await waitFor(() => expect(checkbox('first-launch-done').checked).toBe(true));
    expect(checkbox('driver-checked').checked).toBe(false);
    // Named as everywhere else (rent id and machine), never by the internal key.
    expect(screen.getByTestId('omni-rental').textContent).toBe('Checklist of rental 42 (machine 4623784812…3b64)');
    expect(screen.getByTestId('omni-rental').textContent).not.toContain('practice:');
  });

  test('every item done says so', async () => {
    saved.set('general', new Set(ITEMS));
    render(OmniverseScreen);
    await waitFor(() => expect(screen.getByTestId('omni-all-done')).toBeTruthy());
    expect(screen.getByTestId('omni-progress').textContent).toBe('5 of 5 done');
  });

  test('a failed save shows the error and keeps the box as the back end has it', async () => {
    render(OmniverseScreen);
    await waitFor(() => expect(checkbox('driver-checked')).toBeTruthy());
    clearMocks();
    mockIPC((cmd) => {
      if (cmd === 'checklist_set') throw { code: 'io', message: 'disk full', data: { path: '/d/omniverse-checklist.json' } };
      throw { code: 'internal', message: cmd };
    });
    await fireEvent.click(checkbox('audio2face-installed'));
    await waitFor(() => expect(screen.getByTestId('omni-error').getAttribute('data-code')).toBe('io'));
    expect(screen.getByTestId('omni-progress').textContent).toBe('0 of 5 done');
  });

  test('links open through open_external, in the language shown', async () => {
    render(OmniverseScreen);
    await fireEvent.click(screen.getByTestId('omni-open-a2f3d'));
    await waitFor(() => expect(calls).toContainEqual(['open_external', { url: 'https://github.com/NVIDIA/Audio2Face-3D' }]));
    await fireEvent.click(screen.getByTestId('omni-open-legacy-tools'));
    await waitFor(() => expect(calls).toContainEqual(['open_external', { url: 'https://developer.nvidia.com/omniverse/legacy-tools' }]));
    await fireEvent.click(screen.getByTestId('omni-open-dbc-guide'));
    await waitFor(() =>
      expect(calls.filter(([c]) => c === 'open_external').at(-1)?.[1].url).toBe(
        'https://deepbrainchain.github.io/DBC-Wiki/en/install-update-dbc-node/create-win-machine-omniverse/create-win-machine-omniverse.html',
      ),
    );
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('omni-url-dbc-guide').textContent).not.toContain('/en/'));
    await fireEvent.click(screen.getByTestId('omni-open-omniverse-download'));
    await waitFor(() => expect(calls).toContainEqual(['open_external', { url: 'https://www.nvidia.cn/omniverse/' }]));
    expect(screen.queryByTestId('omni-error')).toBeNull();
  });

  test('a refused link is explained in place', async () => {
    refuseLinks = true;
    render(OmniverseScreen);
    await fireEvent.click(screen.getByTestId('omni-open-ngc'));
    const box = await screen.findByTestId('omni-error');
    expect(box.getAttribute('data-code')).toBe('link-not-allowed');
    expect(box.textContent).toContain('https://catalog.ngc.nvidia.com/');
  });

  test('no browser: said at the link, with the address copied', async () => {
    noBrowser = true;
    let copied = '';
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void (copied = text) },
    });
    render(OmniverseScreen);
    await fireEvent.click(screen.getByTestId('omni-open-ngc'));
    const note = await screen.findByTestId('omni-no-browser-ngc');
    expect(note.textContent).toContain('No web browser was found');
    expect(note.textContent).toContain('The address is copied');
    expect(copied).toBe('https://catalog.ngc.nvidia.com/');
    expect(screen.queryByTestId('omni-error')).toBeNull();
  });

  test('the driver check fits its place after Confirm', async () => {
    render(OmniverseScreen);
    expect(screen.getByTestId('omni-driver').textContent).not.toContain('do not confirm');
    expect(screen.getByTestId('omni-driver').textContent).toContain('restart the VM in My rentals');
  });

  test('both routes and the driver check render in English and Chinese', async () => {
    render(OmniverseScreen);
    await waitFor(() => expect(screen.getByTestId('omni-progress')).toBeTruthy());
    expect(screen.getByTestId('screen-title').textContent).toBe('Set up NVIDIA Omniverse');
    expect(screen.getByTestId('omni-route-launcher').textContent).toContain('EXCHANGE');
    expect(screen.getByTestId('omni-launcher-deprecated').textContent).toContain('1 October 2025');
    expect(screen.getByTestId('omni-route-current').textContent).toContain('September 2025');
    expect(screen.getByTestId('omni-driver').textContent).toContain('nvidia-smi');
    expect(screen.getByTestId('omni-item-first-launch-done').closest('label')?.textContent).toContain('engine loaded');

    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('screen-title').textContent).toBe('配置 NVIDIA Omniverse'));
    expect(screen.getByTestId('omni-progress').textContent).toBe('已完成 0 / 5');
    expect(screen.getByTestId('omni-launcher-deprecated').textContent).toContain('2025 年 10 月 1 日');
    expect(screen.getByTestId('omni-route-current').textContent).toContain('2025 年 9 月');
    expect(screen.getByTestId('omni-intro').textContent).toMatch(/[\u4e00-\u9fff]/);
  });

  test('the rail opens the guide instead of a placeholder', async () => {
    render(App);
    await fireEvent.click(screen.getByTestId('nav-omniverse'));
    await waitFor(() => expect(screen.getByTestId('screen-omniverse')).toBeTruthy());
    expect(screen.queryByTestId('screen-unavailable')).toBeNull();
    await waitFor(() => expect(calls).toContainEqual(['checklist_get', { rentKey: 'general' }]));
  });
});
