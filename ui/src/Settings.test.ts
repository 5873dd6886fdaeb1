// Statuses that tell the truth: the VM step's Test connection belongs to the address it
// tested, and Settings gives each field one status for what was really written.
import { describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import { eachTest } from './test-backend';
import { applyLanguage } from './lib/i18n';
import VmCreate from './lib/components/rental/VmCreate.svelte';
import RentalSettingsSection from './lib/components/rental/RentalSettingsSection.svelte';
import type { Rental, RentalSettings } from './lib/ipc';
import { placedRental, sampleRentalSettings } from './test-backend';

const SETTINGS: RentalSettings = sampleRentalSettings();
const RENTAL: Rental = placedRental();

let calls: Array<[string, Record<string, unknown>]>;

eachTest(() => {
  calls = [];
});

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe('VM step: Test connection', () => {
  test('a result belongs to the address it tested; changing the address clears it', async () => {
    mockIPC((cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push([cmd, a]);
      if (cmd === 'compute_test_connection') {
        // The client answers 404 without an envelope: no words of its own.
        throw {
          code: 'compute-http',
          message: `the DBC client at ${String(a.url)} answered HTTP 404 on /api/v1/mining_nodes`,
          data: { url: a.url, status: 404, nodeMessage: '' },
        };
      }
      throw { code: 'internal', message: `unexpected ${cmd}` };
    });
    render(VmCreate, { rental: RENTAL, settings: SETTINGS, oncreated: () => {}, onnext: () => {}, onconnect: () => {} });
    await waitFor(() => expect(input('vm-client-url').value).toBe('http://10.0.0.5:18777'));
    await fireEvent.click(screen.getByTestId('vm-test-connection'));
    const error = await screen.findByTestId('vm-test-error');
    expect(error.dataset.url).toBe('http://10.0.0.5:18777');
    // A whole sentence, not one that stops at a colon.
    expect(error.textContent).toBe(
      'The DBC client at http://10.0.0.5:18777 answered with an error (HTTP 404). Check that the address is the one of a DBC client.',
    );
    // Another address: the old result says nothing about it.
    await fireEvent.input(input('vm-client-url'), { target: { value: 'http://10.0.0.5:1' } });
    expect(screen.queryByTestId('vm-test-error')).toBeNull();
    // Back to the tested address: its result is true again.
    await fireEvent.input(input('vm-client-url'), { target: { value: 'http://10.0.0.5:18777' } });
    expect(screen.getByTestId('vm-test-error')).toBeTruthy();
  });
});

describe('Settings: one status per field', () => {
  function backend(opts: { refuseClients?: boolean } = {}) {
    let saved = { ...SETTINGS };
    mockIPC((cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push([cmd, a]);
      switch (cmd) {
        case 'rental_settings':
          return saved;
        case 'set_compute_clients': {
          const list = (a.clients as string[]).map((c) => c.trim()).filter(Boolean);
          const bad = list.find((c) => !/^https?:\/\//.test(c));
          if (opts.refuseClients && bad) {
            throw {
              code: 'invalid-client-url',
              message: `"${bad}" is not a DBC client address (it must start with http:// or https://)`,
              data: { value: bad, reason: 'it must start with http:// or https://' },
            };
          }
          saved = { ...saved, computeClients: list };
          return saved;
        }
        case 'set_reminder_leads':
          saved = { ...saved, reminderLeadsMinutes: a.minutes as number[] };
          return saved;
        default:
          throw { code: 'internal', message: `unexpected ${cmd}` };
      }
    });
  }

  test('an invalid lead time is an error, never "Saved" beside it; the client list is saved on its own', async () => {
    backend();
    render(RentalSettingsSection);
    await waitFor(() => expect(input('settings-reminder-leads').value).toBe('24, 1'));
    await fireEvent.input(input('settings-reminder-leads'), { target: { value: 'abc' } });
    await fireEvent.click(screen.getByTestId('settings-rental-save'));
    await screen.findByTestId('settings-clients-saved');
    const help = screen.getByTestId('settings-reminder-help');
    expect(help.dataset.state).toBe('invalid');
    expect(screen.queryByTestId('settings-reminder-saved')).toBeNull();
    expect(calls.some(([c]) => c === 'set_reminder_leads')).toBe(false);
    // Typing again: the error described the old text, so it goes.
    await fireEvent.input(input('settings-reminder-leads'), { target: { value: '2' } });
    expect(screen.getByTestId('settings-reminder-help').dataset.state).toBe('help');
  });

  test('an earlier client-list error is gone after a later successful save', async () => {
    backend({ refuseClients: true });
    render(RentalSettingsSection);
    await waitFor(() =>
      expect((screen.getByTestId('settings-compute-clients') as HTMLTextAreaElement).value).toBe('http://10.0.0.5:18777'),
    );
    await fireEvent.input(screen.getByTestId('settings-compute-clients'), { target: { value: '10.0.0.5:18777' } });
    await fireEvent.click(screen.getByTestId('settings-rental-save'));
    const error = await screen.findByTestId('settings-clients-error');
    expect(error.textContent).toBe(
      '“10.0.0.5:18777” is not a DBC client address. Use the form http://host:port, for example http://127.0.0.1:5002.',
    );
    expect(screen.queryByTestId('settings-clients-saved')).toBeNull();
    // The lead times were valid and written: their own status says so.
    expect(await screen.findByTestId('settings-reminder-saved')).toBeTruthy();
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('settings-clients-error').textContent).not.toContain('it must start'));

    await fireEvent.input(screen.getByTestId('settings-compute-clients'), { target: { value: 'http://10.0.0.5:18777' } });
    await fireEvent.click(screen.getByTestId('settings-rental-save'));
    await screen.findByTestId('settings-clients-saved');
    expect(screen.queryByTestId('settings-clients-error')).toBeNull();
  });
});
