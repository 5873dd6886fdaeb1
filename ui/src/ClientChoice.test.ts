// The DBC client chosen for the user: the VM step prefills the client that sees the
// machine and answered fastest (or says none can), Settings shows every client's health
// and turns the community list on or off, and a machine says whether any client reaches it.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { applyLanguage } from './lib/i18n';
import VmCreate from './lib/components/rental/VmCreate.svelte';
import RentalSettingsSection from './lib/components/rental/RentalSettingsSection.svelte';
import ClientReach from './lib/components/rental/ClientReach.svelte';
import { forgetReach } from './lib/rentals/reach';
import type { ClientHealth, Rental, RentalSettings } from './lib/ipc';
import { mockCommands, placedRental, sampleRentalSettings, SAMPLE_MACHINE } from './test-backend';

const MACHINE = SAMPLE_MACHINE;
const COMMUNITY = ['http://115.231.234.34:5052', 'http://183.232.237.170:5016'];
const SETTINGS: RentalSettings = sampleRentalSettings({ communityClients: COMMUNITY });
const RENTAL: Rental = placedRental();

function health(url: string, over: Partial<ClientHealth> = {}): ClientHealth {
  return {
    url,
    version: '0.4.1.8',
    rttMs: 120,
    seesMachine: true,
    nodesSeen: 40,
    chainMachinesSeen: 38,
    error: null,
    checkedAtMs: Date.UTC(2026, 11, 7, 12, 0, 0),
    ...over,
  };
}
const GONE = {
  code: 'compute-unreachable',
  message: 'DBC client at http://10.0.0.5:18777 cannot be reached',
  data: { url: 'http://10.0.0.5:18777' },
};

beforeEach(() => {
  applyLanguage('en');
  forgetReach();
});
afterEach(() => {
  cleanup();
  clearMocks();
});

const vmProps = { rental: RENTAL, settings: SETTINGS, oncreated: () => {}, onnext: () => {}, onconnect: () => {} };

describe('VM step: the client chosen for the user', () => {
  test('the fastest client that sees the machine is prefilled and said so; the others stand by', async () => {
    mockCommands({
      compute_choose_client: (a) => {
        expect(a).toEqual({ id: 'r42' });
        return {
          url: 'http://10.0.0.9:5052',
          ranked: ['http://10.0.0.9:5052', 'http://115.231.234.34:5052'],
          checked: [health('http://10.0.0.5:18777', { seesMachine: false }), health('http://10.0.0.9:5052', { rttMs: 35 })],
        };
      },
    });
    render(VmCreate, vmProps);
    await waitFor(() => expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe('http://10.0.0.9:5052'));
    const chosen = screen.getByTestId('vm-client-chosen');
    expect(chosen.textContent).toContain('35 ms');
    expect(chosen.textContent).toContain('1 other client');
    // The user can still pick: typing another address drops the "chosen" line.
    await fireEvent.input(screen.getByTestId('vm-client-url'), { target: { value: 'http://10.0.0.5:18777' } });
    expect(screen.queryByTestId('vm-client-chosen')).toBeNull();
  });

  test('a choice that answers after the user tested an address does not swap it under the result', async () => {
    let answer: (c: unknown) => void = () => {};
    mockCommands({
      compute_choose_client: () => new Promise((resolve) => (answer = resolve)),
      compute_test_connection: (a) => ({ url: a.url, clientVersion: '0.4.1.8', nodes: 40, machine: null, images: [], linuxImages: [] }),
    });
    render(VmCreate, vmProps);
    const field = screen.getByTestId('vm-client-url') as HTMLInputElement;
    await waitFor(() => expect(field.value).toBe('http://10.0.0.5:18777'));
    await fireEvent.click(screen.getByTestId('vm-test-connection'));
    await screen.findByTestId('vm-test-result');
    answer({ url: 'http://10.0.0.9:5052', ranked: ['http://10.0.0.9:5052'], checked: [health('http://10.0.0.9:5052', { rttMs: 35 })] });
    await new Promise((r) => setTimeout(r, 20));
    expect(field.value).toBe('http://10.0.0.5:18777');
    expect(screen.getByTestId('vm-test-result')).toBeTruthy();
  });

  test('when no client reaches the machine the step says so, and the settings address stays', async () => {
    mockCommands({
      compute_choose_client: () => ({
        url: null,
        ranked: [],
        checked: [health('http://10.0.0.5:18777', { error: GONE, version: null, rttMs: null })],
      }),
    });
    render(VmCreate, vmProps);
    const none = await screen.findByTestId('vm-client-none');
    expect(none.textContent).toContain('None of your 1 DBC client(s) can reach this machine');
    expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe('http://10.0.0.5:18777');
  });

  test('a choice that cannot be asked leaves the rental or settings address', async () => {
    mockCommands({});
    render(VmCreate, vmProps);
    await waitFor(() => expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe('http://10.0.0.5:18777'));
    expect(screen.queryByTestId('vm-client-chosen')).toBeNull();
    expect(screen.queryByTestId('vm-client-none')).toBeNull();
  });
});

describe('Settings: DBC clients', () => {
  test('every client with its health, marked as yours or community; the community list can be turned off', async () => {
    let saved = { ...SETTINGS };
    const toggles: unknown[] = [];
    mockCommands({
      rental_settings: () => saved,
      compute_check_clients: (a) => {
        expect(a).toEqual({ machineId: null });
        return [
          health('http://10.0.0.5:18777', { seesMachine: null, rttMs: 12 }),
          health(COMMUNITY[0], { seesMachine: null, error: GONE, version: null, rttMs: null }),
        ];
      },
      set_community_clients: (a) => {
        toggles.push(a);
        saved = { ...saved, communityClientsOff: !(a.enabled as boolean) };
        return saved;
      },
    });
    render(RentalSettingsSection);
    await screen.findByTestId('settings-community-list');
    expect(screen.getByTestId('settings-community-list').textContent).toContain(COMMUNITY[1]);
    await fireEvent.click(screen.getByTestId('settings-clients-check'));
    const own = await screen.findByTestId('settings-client-health-0');
    expect(own.dataset.ok).toBe('true');
    expect(own.textContent).toContain('version 0.4.1.8, 12 ms, sees 40 machine(s)');
    expect(screen.getByTestId('settings-client-kind-0').textContent).toBe('yours');
    expect(screen.getByTestId('settings-client-kind-1').textContent).toBe('community');
    expect(screen.getByTestId('settings-client-health-1').dataset.ok).toBe('false');
    expect(screen.getByTestId('settings-client-health-1').textContent).toContain('cannot be reached');

    await fireEvent.click(screen.getByTestId('settings-community-clients'));
    await waitFor(() => expect(toggles).toEqual([{ enabled: false }]));
    await waitFor(() => expect(screen.queryByTestId('settings-community-list')).toBeNull());
    expect((screen.getByTestId('settings-community-clients') as HTMLInputElement).checked).toBe(false);
  });

  test('in Chinese', async () => {
    applyLanguage('zh');
    mockCommands({ rental_settings: () => SETTINGS, compute_check_clients: () => [health('http://10.0.0.5:18777')] });
    render(RentalSettingsSection);
    await fireEvent.click(await screen.findByTestId('settings-clients-check'));
    expect((await screen.findByTestId('settings-client-kind-0')).textContent).toBe('您的');
  });
});

describe('Can a client reach this machine', () => {
  test('checking, then yes with the count; asked once per machine for a minute', async () => {
    let asked = 0;
    mockCommands({
      compute_check_clients: (a) => {
        asked += 1;
        expect(a).toEqual({ machineId: MACHINE });
        return [health('http://a:1'), health('http://b:1', { seesMachine: false })];
      },
    });
    render(ClientReach, { machineId: MACHINE });
    expect(screen.getByTestId('client-reach').dataset.state).toBe('checking');
    await waitFor(() => expect(screen.getByTestId('client-reach').dataset.state).toBe('yes'));
    expect(screen.getByTestId('client-reach').textContent).toContain('1 can reach this machine');
    cleanup();
    render(ClientReach, { machineId: MACHINE, warn: true });
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByTestId('rent-no-client-warning')).toBeNull();
    expect(asked).toBe(1);
  });

  test('none reaches it: a plain "no", and before signing a warning about the order fee', async () => {
    mockCommands({ compute_check_clients: () => [health('http://a:1', { seesMachine: false })] });
    render(ClientReach, { machineId: MACHINE });
    await waitFor(() => expect(screen.getByTestId('client-reach').dataset.state).toBe('no'));
    cleanup();
    render(ClientReach, { machineId: MACHINE, warn: true });
    const warn = await screen.findByTestId('rent-no-client-warning');
    expect(warn.textContent).toContain('you would pay the order fee');
  });

  test('no answer at all is "not known", never a "no"', async () => {
    mockCommands({});
    render(ClientReach, { machineId: MACHINE });
    await waitFor(() => expect(screen.getByTestId('client-reach').dataset.state).toBe('unknown'));
  });
});
