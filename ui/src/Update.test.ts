// Settings → Updates: off without a release address, the check's three outcomes (newer with
// notes as plain text, up to date, older refused), the download's progress bar fed by the
// Channel, and Restart only after an install.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import type { Channel } from '@tauri-apps/api/core';
import { applyLanguage } from './lib/i18n';
import UpdateCard from './lib/components/settings/UpdateCard.svelte';
import type { UpdateCheck, UpdateInfo, UpdateProgress } from './lib/ipc';
import { mockCommands, type Handler } from './test-backend';

const INFO: UpdateInfo = { currentVersion: '0.1.0', configured: true, installed: null };
const NEWER: UpdateCheck = {
  available: true,
  currentVersion: '0.1.0',
  version: '0.2.0',
  notes: 'Faster market list.\n<b>not bold</b>',
  date: '2026-12-01T10:00:00Z',
};

let calls: string[];

function backend(handlers: Record<string, Handler>) {
  mockCommands({ update_info: () => INFO, ...handlers }, (cmd) => calls.push(cmd));
}

/** Sends one message through a Channel the way the Rust side does (ordered by index). */
function send(channel: unknown, index: number, message: UpdateProgress) {
  const id = (channel as Channel<UpdateProgress>).id;
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
    .__TAURI_INTERNALS__;
  internals.runCallback(id, { index, message });
}

const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;

beforeEach(() => {
  calls = [];
  applyLanguage('en');
});

afterEach(() => {
  cleanup();
  clearMocks();
  applyLanguage('en');
});

describe('Settings: Updates', () => {
  test('without a release address the check is off and says why', async () => {
    backend({ update_info: () => ({ ...INFO, configured: false }) });
    render(UpdateCard);
    expect((await screen.findByTestId('update-not-configured')).textContent).toContain('no release address is configured');
    expect(button('update-check').disabled).toBe(true);
    expect(button('update-check').title).toContain('no release address is configured');
    expect(screen.getByTestId('update-current').textContent).toBe('0.1.0');
    expect(calls).toEqual(['update_info']);
  });

  test('a newer version: notes as plain text, progress from the channel, then restart', async () => {
    let channel: unknown;
    let finish: (v: string) => void = () => {};
    backend({
      update_check: () => NEWER,
      update_install: (args) => {
        channel = args.onProgress;
        return new Promise<string>((resolve) => (finish = resolve));
      },
      update_restart: () => null,
    });
    render(UpdateCard);
    await waitFor(() => expect(button('update-check').disabled).toBe(false));
    await fireEvent.click(button('update-check'));
    const found = await screen.findByTestId('update-available');
    expect(found.textContent).toContain('Version 0.2.0 is available (you have 0.1.0).');
    const notes = screen.getByTestId('update-notes');
    expect(notes.textContent).toBe('Faster market list.\n<b>not bold</b>');
    expect(notes.querySelector('b')).toBeNull();
    expect(screen.getByTestId('update-date').textContent).toContain('2026');

    await fireEvent.click(button('update-install'));
    await waitFor(() => expect(channel).toBeDefined());
    send(channel, 0, { downloaded: 250, total: 1000 });
    await waitFor(() => expect((screen.getByTestId('update-progress') as HTMLProgressElement).value).toBe(250));
    const bar = screen.getByTestId('update-progress') as HTMLProgressElement;
    expect(bar.max).toBe(1000);
    send(channel, 1, { downloaded: 1000, total: 1000 });
    await waitFor(() => expect((screen.getByTestId('update-progress') as HTMLProgressElement).value).toBe(1000));
    expect(screen.getByText(/Installing the verified update/)).toBeTruthy();
    finish('0.2.0');
    expect((await screen.findByTestId('update-installed')).textContent).toBe('Version 0.2.0 is installed. Restart DBC Rent to use it.');
    expect(screen.queryByTestId('update-progress')).toBeNull();
    await fireEvent.click(button('update-restart'));
    await waitFor(() => expect(calls).toContain('update_restart'));
    expect(calls).toEqual(['update_info', 'update_check', 'update_install', 'update_restart']);
  });

  test('the same version is up to date', async () => {
    backend({ update_check: () => ({ available: false, currentVersion: '0.1.0', version: null, notes: null, date: null }) });
    render(UpdateCard);
    await waitFor(() => expect(button('update-check').disabled).toBe(false));
    await fireEvent.click(button('update-check'));
    expect((await screen.findByTestId('update-up-to-date')).textContent).toBe('You have the latest version, 0.1.0.');
    expect(screen.queryByTestId('update-install')).toBeNull();
  });

  test('an older version is refused with both versions, in Chinese too', async () => {
    backend({
      update_check: () => {
        throw {
          code: 'update-not-newer',
          message: 'the offered version 0.0.9 is older than this one, 0.1.0: refused',
          data: { offered: '0.0.9', current: '0.1.0' },
        };
      },
    });
    render(UpdateCard);
    await waitFor(() => expect(button('update-check').disabled).toBe(false));
    await fireEvent.click(button('update-check'));
    const error = await screen.findByTestId('update-error');
    expect(error.dataset.code).toBe('update-not-newer');
    expect(error.textContent).toBe(
      'The release address offers version 0.0.9, which is older than yours (0.1.0). It was refused and nothing was installed.',
    );
    expect(screen.queryByTestId('update-install')).toBeNull();
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('update-error').textContent).toContain('0.0.9 比您当前的版本（0.1.0）更旧'));
  });

  test('a bad signature at download is shown and nothing is installed', async () => {
    backend({
      update_check: () => NEWER,
      update_install: () => {
        throw {
          code: 'update-bad-signature',
          message: 'the update signature is not valid (Invalid signature): refused, nothing was installed',
          data: { reason: 'Invalid signature' },
        };
      },
    });
    render(UpdateCard);
    await waitFor(() => expect(button('update-check').disabled).toBe(false));
    await fireEvent.click(button('update-check'));
    await fireEvent.click(await screen.findByTestId('update-install'));
    const error = await screen.findByTestId('update-error');
    expect(error.dataset.code).toBe('update-bad-signature');
    expect(error.textContent).toContain('not signed with the DBC Rent release key');
    expect(screen.queryByTestId('update-installed')).toBeNull();
    expect(screen.queryByTestId('update-restart')).toBeNull();
    expect(screen.queryByTestId('update-progress')).toBeNull();
  });
});
