// Ubuntu VMs with a mocked back end: the VM step's OS choice sends a Linux plan with a
// Linux image; the Connect step shows the SSH card for a Linux VM (fields, the ssh command,
// the password only once revealed, copied through Rust), Install my key asks before
// creating a key, Open in VS Code asks before touching ~/.ssh/config, a missing terminal
// says what to install; the Verify step's GPU check blocks Confirm on a mismatch and
// offers it on a pass; My rentals shows the kept check.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import {
  button,
  eachTest,
  lastArgs,
  mockCommands,
  placedRental,
  sampleRentalSettings,
  stubResizeObserver,
  typeInto,
  type Handler,
} from './test-backend';
import VmCreate from './lib/components/rental/VmCreate.svelte';
import RentalRow from './lib/components/rental/RentalRow.svelte';
import ConnectScreen from './lib/screens/ConnectScreen.svelte';
import ConfirmScreen from './lib/screens/ConfirmScreen.svelte';
import { applyLanguage } from './lib/i18n';
import { RentalsController } from './lib/rentals.svelte';
import { STAGE_MEANING } from './lib/ipc';
import type { ConnectLogin, GpuCheck, Rental, SshInfo } from './lib/ipc';

const VM_PASSWORD = 'ubuntu-Secret_77';
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

let calls: Array<[string, Record<string, unknown>]>;
const argsOf = (cmd: string) => lastArgs(calls, cmd);
const countOf = (cmd: string) => calls.filter(([c]) => c === cmd).length;

function backend(handlers: Record<string, Handler>) {
  mockCommands(handlers, (cmd, a) => calls.push([cmd, a]));
}

/** Rent 42 with a running Linux VM, at `stage`. */
function linuxRental(stage: Rental['stage'] = 'renting', gpuCheck?: GpuCheck): Rental {
  const r = placedRental();
  return {
    ...r,
    stage,
    ...STAGE_MEANING[stage],
    order: r.order && { ...r.order, confirmedAt: stage === 'renting' ? 1100 : null },
    vm: {
      clientUrl: 'http://127.0.0.1:5002',
      taskId: 'task42',
      image: 'ubuntu2204.qcow2',
      rdpPort: 0,
      vncPort: 6042,
      status: 'running',
      host: '127.0.0.1',
      user: 'dbc',
      plan: {
        taskId: 'task42',
        imageName: 'ubuntu2204.qcow2',
        desc: '',
        gpuCount: 1,
        cpuCores: 8,
        memGb: 32,
        diskGb: 100,
        rdpPort: 0,
        vncPort: 6042,
        os: 'linux',
        sshPort: 10022,
      },
      ...(gpuCheck ? { gpuCheck } : {}),
    },
  };
}

function loginOf(r: Rental): ConnectLogin {
  return {
    rentalId: r.id,
    rentId: 42,
    vmStatus: 'running',
    running: true,
    os: 'linux',
    linux: true,
    host: '127.0.0.1',
    rdpPort: null,
    sshPort: 10022,
    address: null,
    user: 'dbc',
    passwordAvailable: true,
    vncHost: '127.0.0.1',
    vncPort: 6042,
    vncAddress: '127.0.0.1:6042',
    vncPasswordAvailable: false,
    expiresInSecs: 1800,
  };
}

function infoOf(over: Partial<SshInfo> = {}): SshInfo {
  return {
    rentalId: 'r42',
    rentId: 42,
    host: '127.0.0.1',
    port: 10022,
    user: 'dbc',
    passwordAvailable: true,
    keyPath: '/home/u/.ssh/dbc_rent_ed25519',
    keyExists: false,
    keyChosen: false,
    keyInstalled: false,
    command: 'ssh -p 10022 -i /home/u/.ssh/dbc_rent_ed25519 -o IdentitiesOnly=yes dbc@127.0.0.1',
    alias: 'dbc-42',
    expiresInSecs: 1800,
    ...over,
  };
}

function checkOf(kind: 'pass' | 'mismatch'): GpuCheck {
  return {
    expected: { model: 'GeForceRTX3080', count: 1, memGb: 10 },
    seen: [{ name: kind === 'pass' ? 'NVIDIA GeForce RTX 3080' : 'NVIDIA GeForce RTX 3060', memMib: kind === 'pass' ? 10240 : 12288 }],
    verdict: kind === 'pass' ? { kind: 'pass' } : { kind: 'mismatch', reason: 'model RTX 3060 is not GeForceRTX3080' },
    checkedAt: 1_765_000_000,
  };
}

function controller(r: Rental): RentalsController {
  const c = new RentalsController();
  c.apply({ network: 'practice', genesis: '0xabcd', account: ALICE, bestBlock: 1010, rentals: [r], syncError: null });
  c.select(r.id);
  return c;
}

beforeAll(stubResizeObserver);
eachTest(() => {
  calls = [];
});

describe('VM step: operating system', () => {
  test('Ubuntu lists the Linux images and sends a Linux plan with the image picked', async () => {
    let createArgs: Record<string, unknown> = {};
    backend({
      compute_choose_client: () => ({ url: 'http://127.0.0.1:5002', ranked: ['http://127.0.0.1:5002'], checked: [] }),
      compute_test_connection: () => ({
        url: 'http://127.0.0.1:5002',
        clientVersion: '0.4.1.8',
        nodes: 1,
        machine: null,
        images: [{ name: 'win10.qcow2', size: '25G' }],
        linuxImages: [
          { name: 'ubuntu2204.qcow2', size: '10G' },
          { name: 'linux-cuda.qcow2', size: '12G' },
        ],
      }),
      rental_create_vm: (a) => {
        createArgs = a;
        return new Promise(() => {});
      },
    });
    const settings = sampleRentalSettings({ practiceClient: 'http://127.0.0.1:5002' });
    render(VmCreate, { rental: placedRental(), settings, oncreated: vi.fn(), onnext: vi.fn(), onconnect: vi.fn() });
    expect((screen.getByTestId('vm-os-windows') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByTestId('vm-os-linux'));
    await waitFor(() => expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe('http://127.0.0.1:5002'));
    await fireEvent.click(button('vm-test-connection'));
    await screen.findByTestId('vm-test-result');
    const options = [...(screen.getByTestId('vm-image') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'ubuntu2204.qcow2', 'linux-cuda.qcow2']);
    await fireEvent.change(screen.getByTestId('vm-image'), { target: { value: 'linux-cuda.qcow2' } });
    await typeInto('vm-password', 'pw');
    await fireEvent.click(button('vm-create'));
    await waitFor(() => expect(createArgs.id).toBe('r42'));
    expect(createArgs).toMatchObject({ os: 'linux', image: 'linux-cuda.qcow2', clientUrl: 'http://127.0.0.1:5002', password: 'pw' });
  });

  test('Windows stays the default and sends the Windows plan', async () => {
    let createArgs: Record<string, unknown> = {};
    backend({
      compute_choose_client: () => ({ url: null, ranked: [], checked: [] }),
      rental_create_vm: (a) => {
        createArgs = a;
        return new Promise(() => {});
      },
    });
    const settings = sampleRentalSettings({ practiceClient: 'http://127.0.0.1:5002' });
    render(VmCreate, { rental: placedRental(), settings, oncreated: vi.fn(), onnext: vi.fn(), onconnect: vi.fn() });
    await waitFor(() => expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).not.toBe(''));
    await typeInto('vm-password', 'pw');
    await fireEvent.click(button('vm-create'));
    await waitFor(() => expect(createArgs.os).toBe('windows'));
    expect(createArgs.image).toBeNull();
  });
});

/** The Connect step on a Linux rental whose login is unlocked. */
async function showConnect(over: Record<string, Handler> = {}) {
  const r = linuxRental();
  backend({
    connect_login: () => loginOf(r),
    ssh_info: () => infoOf(),
    ssh_copy: (a) => ({ field: a.field, clearsInSecs: a.field === 'password' ? 30 : null }),
    ssh_reveal: () => ({ field: 'password', value: VM_PASSWORD }),
    ...over,
  });
  render(ConnectScreen, { rentals: controller(r), ongo: vi.fn() });
  await screen.findByTestId('ssh-host');
}

describe('Connect step: the SSH card', () => {
  test('shows host, port, user and the ssh command, never the password until revealed; no Remote Desktop', async () => {
    await showConnect();
    expect(screen.getByTestId('ssh-host').textContent).toBe('127.0.0.1');
    expect(screen.getByTestId('ssh-port').textContent).toBe('10022');
    expect(screen.getByTestId('ssh-user').textContent).toBe('dbc');
    expect(screen.getByTestId('ssh-command').textContent).toContain('ssh -p 10022 -i /home/u/.ssh/dbc_rent_ed25519');
    expect(screen.queryByTestId('connect-launch')).toBeNull();
    expect(screen.getByTestId('screen-title').textContent).toBe('Connect over SSH');
    expect(countOf('connect_check')).toBe(0);
    expect(document.body.textContent).not.toContain(VM_PASSWORD);
    expect(screen.getByTestId('ssh-password-hidden')).toBeTruthy();

    await fireEvent.click(button('ssh-copy-password'));
    await waitFor(() => expect(argsOf('ssh_copy')).toEqual({ id: 'r42', field: 'password' }));
    expect((await screen.findByTestId('ssh-copy-note')).textContent).toContain('30');
    expect(document.body.textContent).not.toContain(VM_PASSWORD);
    await fireEvent.click(button('ssh-copy-command'));
    await waitFor(() => expect(argsOf('ssh_copy')).toEqual({ id: 'r42', field: 'command' }));

    await fireEvent.click(button('ssh-password-reveal'));
    expect((await screen.findByTestId('ssh-password')).textContent).toBe(VM_PASSWORD);
    await fireEvent.click(button('ssh-password-hide'));
    expect(document.body.textContent).not.toContain(VM_PASSWORD);
  });

  test('Install my key asks before creating a key, and creates it only on yes', async () => {
    await showConnect({
      ssh_install_key: () => ({
        outcome: 'installed',
        key: {
          private: '/home/u/.ssh/dbc_rent_ed25519',
          public: '/home/u/.ssh/dbc_rent_ed25519.pub',
          publicLine: 'ssh-ed25519 AAAA dbc-rent',
        },
        info: infoOf({ keyExists: true, keyInstalled: true }),
      }),
      ssh_open_terminal: () => ({ program: '/usr/bin/xterm', pid: 777 }),
    });
    expect(button('ssh-open-terminal').disabled).toBe(true);
    await fireEvent.click(button('ssh-install-key'));
    expect(screen.getByTestId('ssh-key-consent').textContent).toContain('/home/u/.ssh/dbc_rent_ed25519');
    await fireEvent.click(button('ssh-key-consent-cancel'));
    expect(screen.queryByTestId('ssh-key-consent')).toBeNull();
    expect(countOf('ssh_install_key')).toBe(0);

    await fireEvent.click(button('ssh-install-key'));
    await fireEvent.click(button('ssh-key-consent-accept'));
    await waitFor(() => expect(argsOf('ssh_install_key')).toEqual({ id: 'r42', generate: true }));
    expect((await screen.findByTestId('ssh-key-installed')).dataset.outcome).toBe('installed');
    expect(screen.getByTestId('ssh-key-state').dataset.installed).toBe('true');

    await fireEvent.click(button('ssh-open-terminal'));
    expect((await screen.findByTestId('ssh-terminal-started')).dataset.pid).toBe('777');
  });

  test('a key of the user is installed without a question', async () => {
    await showConnect({
      ssh_info: () => infoOf({ keyPath: '/home/u/.ssh/id_ed25519', keyExists: true }),
      ssh_install_key: () => ({
        outcome: 'already-installed',
        key: { private: '/home/u/.ssh/id_ed25519', public: '/home/u/.ssh/id_ed25519.pub', publicLine: 'ssh-ed25519 AAAA me' },
        info: infoOf({ keyPath: '/home/u/.ssh/id_ed25519', keyExists: true, keyInstalled: true }),
      }),
    });
    await fireEvent.click(button('ssh-install-key'));
    await waitFor(() => expect(argsOf('ssh_install_key')).toEqual({ id: 'r42', generate: false }));
    expect(screen.queryByTestId('ssh-key-consent')).toBeNull();
    expect((await screen.findByTestId('ssh-key-installed')).dataset.outcome).toBe('already-installed');
  });

  test('Use another key keeps the key Rust accepts and reloads the card; a refused one is said; the default comes back', async () => {
    let chosen: string | null = null;
    await showConnect({
      ssh_info: () =>
        chosen === null
          ? infoOf({ keyPath: '/home/u/.ssh/id_ed25519', keyExists: true })
          : infoOf({ keyPath: chosen, keyExists: true, keyChosen: true }),
      ssh_choose_key: (a) => {
        const path = String(a.path);
        if (path === 'id_gone') throw { code: 'ssh-key-missing', message: 'no pair', data: { path: '/home/u/.ssh/id_gone' } };
        chosen = path === '' ? null : '/home/u/.ssh/id_work';
        return { chosen };
      },
    });
    expect(screen.queryByTestId('ssh-key-default')).toBeNull();
    await fireEvent.click(button('ssh-key-change'));
    expect(button('ssh-key-use').disabled).toBe(true);
    await typeInto('ssh-key-path', 'id_gone');
    await fireEvent.click(button('ssh-key-use'));
    const refused = await screen.findByTestId('ssh-key-choose-error');
    expect(refused.dataset.code).toBe('ssh-key-missing');
    expect(refused.textContent).toContain('/home/u/.ssh/id_gone');
    expect(screen.getByTestId('ssh-key-state').textContent).toContain('/home/u/.ssh/id_ed25519');

    await typeInto('ssh-key-path', '~/.ssh/id_work');
    await fireEvent.click(button('ssh-key-use'));
    await waitFor(() => expect(argsOf('ssh_choose_key')).toEqual({ path: '~/.ssh/id_work' }));
    await waitFor(() => expect(screen.getByTestId('ssh-key-state').textContent).toContain('/home/u/.ssh/id_work'));
    expect(screen.queryByTestId('ssh-key-choose')).toBeNull();

    await fireEvent.click(button('ssh-key-default'));
    await waitFor(() => expect(argsOf('ssh_choose_key')).toEqual({ path: '' }));
    await waitFor(() => expect(screen.getByTestId('ssh-key-state').textContent).toContain('/home/u/.ssh/id_ed25519'));
    expect(screen.queryByTestId('ssh-key-default')).toBeNull();
  });

  test('Open in VS Code asks before the ~/.ssh/config block; a missing program says what to install', async () => {
    await showConnect({
      ssh_info: () => infoOf({ keyExists: true, keyInstalled: true }),
      ssh_open_vscode: () => ({ started: { program: '/usr/bin/code', pid: 9 }, alias: 'dbc-42', config: '/home/u/.ssh/config' }),
      ssh_open_terminal: () => {
        throw { code: 'terminal-missing', message: 'no terminal', data: { os: 'linux', install: 'sudo apt install xterm' } };
      },
    });
    await fireEvent.click(button('ssh-open-vscode'));
    expect(screen.getByTestId('ssh-vscode-consent').textContent).toContain('dbc-42');
    expect(countOf('ssh_open_vscode')).toBe(0);
    await fireEvent.click(button('ssh-vscode-consent-accept'));
    await waitFor(() => expect(argsOf('ssh_open_vscode')).toEqual({ id: 'r42', consent: true }));
    expect((await screen.findByTestId('ssh-vscode-started')).dataset.alias).toBe('dbc-42');

    await fireEvent.click(button('ssh-open-terminal'));
    expect((await screen.findByTestId('ssh-install-hint')).textContent).toContain('sudo apt install xterm');
    applyLanguage('zh');
    await waitFor(() => expect(screen.getByTestId('ssh-install-hint').textContent).toContain('sudo apt install xterm'));
    expect(screen.getByTestId('ssh-open-terminal').textContent).toContain('打开终端');
  });
});

describe('Verify step: the GPU check of a Linux VM', () => {
  function showConfirm(kind: 'pass' | 'mismatch') {
    const r = linuxRental('vm-ready');
    backend({
      ssh_check: () => ({ address: '127.0.0.1:10022', reachable: true, reason: null, message: null }),
      ssh_gpu_check: () => ({ check: checkOf(kind), rental: linuxRental('vm-ready', checkOf(kind)) }),
    });
    render(ConfirmScreen, { rentals: controller(r), bestBlock: 1010, ongo: vi.fn() });
  }

  test('a mismatch is shown side by side with "do not confirm", and Confirm stays off', async () => {
    showConfirm('mismatch');
    expect(screen.queryByTestId('rdp-check')).toBeNull();
    expect(button('confirm-open').disabled).toBe(true);
    expect(screen.getByText('Check SSH and the GPUs first.')).toBeTruthy();
    await fireEvent.click(button('gpu-check-run'));
    const view = await screen.findByTestId('gpu-check');
    expect(view.dataset.verdict).toBe('mismatch');
    expect(screen.getByTestId('ssh-check-ok').textContent).toContain('127.0.0.1:10022');
    expect(screen.getByTestId('gpu-check-expected-model').textContent).toBe('GeForceRTX3080');
    expect(screen.getByTestId('gpu-check-seen-model').textContent).toBe('NVIDIA GeForce RTX 3060');
    expect(screen.getByTestId('gpu-check-seen-mem').textContent).toContain('12,288 MiB');
    expect(screen.getByTestId('gpu-check-advice').textContent).toContain('Do not confirm');
    expect(button('confirm-open').disabled).toBe(true);
  });

  test('a pass after the SSH port answers offers Confirm', async () => {
    showConfirm('pass');
    await fireEvent.click(button('gpu-check-run'));
    expect((await screen.findByTestId('gpu-check')).dataset.verdict).toBe('pass');
    await waitFor(() => expect(button('confirm-open').disabled).toBe(false));
    expect(argsOf('ssh_gpu_check')).toEqual({ id: 'r42' });
  });

  test('an SSH port that does not answer blocks Confirm without a GPU check', async () => {
    const r = linuxRental('vm-ready');
    backend({
      ssh_check: () => ({ address: '127.0.0.1:10022', reachable: false, reason: 'ssh-unreachable', message: 'refused' }),
    });
    render(ConfirmScreen, { rentals: controller(r), bestBlock: 1010, ongo: vi.fn() });
    await fireEvent.click(button('gpu-check-run'));
    expect((await screen.findByTestId('ssh-check-failed')).dataset.code).toBe('ssh-unreachable');
    expect(countOf('ssh_gpu_check')).toBe(0);
    expect(button('confirm-open').disabled).toBe(true);
  });
});

describe('My rentals', () => {
  test('a Linux rental shows its OS and the GPU check kept with it', () => {
    const row = (check: GpuCheck) =>
      render(RentalRow, {
        rental: linuxRental('renting', check),
        bestBlock: 1010,
        oncontinue: vi.fn(),
        onrenew: vi.fn(),
        onconnect: vi.fn(),
        onpower: vi.fn(),
      });
    row(checkOf('pass'));
    expect(screen.getByTestId('rental-os-42').textContent).toContain('Ubuntu');
    expect(screen.getByTestId('rental-gpu-check-42').dataset.verdict).toBe('pass');
  });
});
