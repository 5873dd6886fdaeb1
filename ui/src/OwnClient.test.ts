// "Run your own DBC client" (issue 16): the guide opens from Settings → DBC clients and
// from the VM step when no client reaches the machine; it shows the port and DBC's
// commands, copies them, and "Add this client" saves the list the way Settings does
// (set_compute_clients), then checks the client with the same Test connection.
import { describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { applyLanguage } from './lib/i18n';
import VmCreate from './lib/components/rental/VmCreate.svelte';
import RentalSettingsSection from './lib/components/rental/RentalSettingsSection.svelte';
import type { RentalSettings } from './lib/ipc';
import { button, eachTest, lastArgs, mockCommands, placedRental, sampleRentalSettings, typeInto } from './test-backend';

const OWN = 'http://203.0.113.7:5002';

let calls: Array<[string, Record<string, unknown>]>;
let copied: string[];

eachTest(() => {
  calls = [];
  copied = [];
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (text: string) => void copied.push(text) },
  });
});

const text = (id: string) => screen.getByTestId(id).textContent ?? '';

/** The Renting settings as saved, with set_compute_clients checking each URL as the back end does
 *  (`invalid-client-url` for one without http:// or https://), and compute_test_connection answering
 *  with `check` for every URL. */
function backend(check: (url: string) => unknown = () => ({ url: OWN, clientVersion: '0.4.1.8', nodes: 37, machine: null, images: [] })) {
  let saved: RentalSettings = sampleRentalSettings();
  mockCommands(
    {
      rental_settings: () => saved,
      set_compute_clients: (a) => {
        const list = (a.clients as string[]).map((c) => c.trim()).filter(Boolean);
        const bad = list.find((c) => !/^https?:\/\//.test(c));
        if (bad) {
          throw {
            code: 'invalid-client-url',
            message: `"${bad}" is not a DBC client address (it must start with http:// or https://)`,
            data: { value: bad, reason: 'it must start with http:// or https://' },
          };
        }
        saved = { ...saved, computeClients: [...new Set(list)] };
        return saved;
      },
      compute_test_connection: (a) => check(String(a.url)),
      compute_allow_insecure_client: (a) => String(a.url),
      compute_choose_client: () => ({ url: null, ranked: [], checked: [] }),
    },
    (cmd, args) => calls.push([cmd, args]),
  );
}

async function openFromSettings() {
  render(RentalSettingsSection);
  await waitFor(() => expect((screen.getByTestId('settings-compute-clients') as HTMLTextAreaElement).value).toBe('http://10.0.0.5:18777'));
  await fireEvent.click(screen.getByTestId('settings-run-own-client'));
  return screen.findByTestId('own-client');
}

describe('Run your own DBC client', () => {
  test('opens from Settings → DBC clients with the port, the URL form and DBC’s commands', async () => {
    backend();
    await openFromSettings();
    expect(text('own-client-port')).toContain('port 5002');
    expect(text('own-client-url-form')).toBe('http://SERVER_IP:5002');
    expect(text('own-client-cmd-download')).toBe('wget http://112.192.16.27:9000/dbc/install_update_script/mainnet/install_client.sh');
    expect(text('own-client-cmd-install')).toBe('chmod +x install_client.sh && sudo ./install_client.sh /opt/dbc-client');
    expect(text('own-client-cmd-check')).toBe('curl http://127.0.0.1:5002/api/v1/');
    expect(text('own-client-why')).toContain('sees only your requests');
    // Closing it leaves Settings as it was.
    await fireEvent.click(screen.getByTestId('own-client-close'));
    expect(screen.queryByTestId('own-client')).toBeNull();
  });

  test('Copy puts the command’s own text on the clipboard and says so', async () => {
    backend();
    await openFromSettings();
    await fireEvent.click(screen.getByTestId('own-client-copy-install'));
    await waitFor(() => expect(copied).toEqual(['chmod +x install_client.sh && sudo ./install_client.sh /opt/dbc-client']));
    expect(text('own-client-copy-install')).toContain('Copied');
    expect(text('own-client-copy-download')).toContain('Copy');
    await fireEvent.click(screen.getByTestId('own-client-copy-check'));
    await waitFor(() => expect(copied.at(-1)).toBe(text('own-client-cmd-check')));
  });

  test('Add this client saves the list as Settings does, then checks the client and shows what it answered', async () => {
    backend();
    await openFromSettings();
    expect(button('own-client-add').disabled).toBe(true);
    await typeInto('own-client-url', `  ${OWN} `);
    await fireEvent.click(button('own-client-add'));
    expect((await screen.findByTestId('own-client-check-ok')).textContent).toBe('DBC client 0.4.1.8, 37 machine(s) online');
    expect(text('own-client-added')).toBe(`${OWN} is now in your DBC clients.`);
    // The same command Settings' Save sends, with the user's list and the new client after it.
    expect(lastArgs(calls, 'set_compute_clients')).toEqual({ clients: ['http://10.0.0.5:18777', OWN] });
    // The same check as Settings' Test connection, on the added address.
    expect(lastArgs(calls, 'compute_test_connection')).toEqual({ url: OWN, machineId: null });
    // Settings shows the saved list.
    expect((screen.getByTestId('settings-compute-clients') as HTMLTextAreaElement).value).toBe(`http://10.0.0.5:18777\n${OWN}`);
    expect(screen.getByTestId('settings-clients-saved')).toBeTruthy();
  });

  test('a bad URL shows the specific error Settings shows, and nothing is checked', async () => {
    backend();
    await openFromSettings();
    await typeInto('own-client-url', '203.0.113.7:5002');
    await fireEvent.click(button('own-client-add'));
    const error = await screen.findByTestId('own-client-add-error');
    expect(error.dataset.code).toBe('invalid-client-url');
    expect(error.textContent).toBe(
      '“203.0.113.7:5002” is not a DBC client address. Use the form http://host:port, for example http://127.0.0.1:5002.',
    );
    expect(screen.queryByTestId('own-client-added')).toBeNull();
    expect(calls.some(([c]) => c === 'compute_test_connection')).toBe(false);
    // Typing again: the error described the old text.
    await typeInto('own-client-url', OWN);
    expect(screen.queryByTestId('own-client-add-error')).toBeNull();
  });

  test('plain http to the server: the check says so and allowing it checks again', async () => {
    let allowed = false;
    backend((url) => {
      if (!allowed) {
        throw {
          code: 'insecure-client-url',
          message: `${url} is plain http to a host outside this computer and its private network`,
          data: { url, host: '203.0.113.7' },
        };
      }
      return { url, clientVersion: '0.4.1.8', nodes: 12, machine: null, images: [] };
    });
    await openFromSettings();
    await typeInto('own-client-url', OWN);
    await fireEvent.click(button('own-client-add'));
    const error = await screen.findByTestId('own-client-check-error');
    expect(error.dataset.code).toBe('insecure-client-url');
    allowed = true;
    await fireEvent.click(screen.getByTestId('own-client-insecure-allow'));
    expect((await screen.findByTestId('own-client-check-ok')).textContent).toBe('DBC client 0.4.1.8, 12 machine(s) online');
    expect(lastArgs(calls, 'compute_allow_insecure_client')).toEqual({ url: OWN });
  });

  test('the VM step links to it when no client reaches the machine, and an added client fills the address', async () => {
    mockCommands(
      {
        rental_settings: () => sampleRentalSettings(),
        set_compute_clients: (a) => sampleRentalSettings({ computeClients: a.clients as string[] }),
        compute_test_connection: (a) => ({ url: a.url, clientVersion: '0.4.1.8', nodes: 5, machine: null, images: [] }),
        compute_choose_client: () => ({
          url: null,
          ranked: [],
          checked: [
            {
              url: 'http://10.0.0.5:18777',
              version: '0.4.1.8',
              rttMs: 80,
              seesMachine: false,
              nodesSeen: 3,
              chainMachinesSeen: 3,
              error: null,
              checkedAtMs: 0,
            },
          ],
        }),
      },
      (cmd, args) => calls.push([cmd, args]),
    );
    render(VmCreate, {
      rental: placedRental(),
      settings: sampleRentalSettings(),
      oncreated: () => {},
      onnext: () => {},
      onconnect: () => {},
    });
    await screen.findByTestId('vm-client-none');
    await fireEvent.click(screen.getByTestId('vm-run-own-client'));
    await screen.findByTestId('own-client');
    await typeInto('own-client-url', OWN);
    // Enter in the field adds the client and does not send the VM step's own form.
    await fireEvent.keyDown(screen.getByTestId('own-client-url'), { key: 'Enter' });
    await screen.findByTestId('own-client-check-ok');
    expect(calls.some(([c]) => c === 'rental_create_vm')).toBe(false);
    expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe(OWN);
  });

  test('every text of the guide is there in Chinese', async () => {
    backend();
    await openFromSettings();
    applyLanguage('zh');
    await waitFor(() => expect(document.getElementById('own-client-title')?.textContent).toBe('运行您自己的 DBC 客户端'));
    expect(text('own-client-port')).toContain('5002');
    expect(text('own-client-add')).toBe('添加此客户端');
    expect(text('own-client-why')).not.toMatch(/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/);
  });
});
