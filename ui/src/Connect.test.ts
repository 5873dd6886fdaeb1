// The Connect step with a mocked back end: the rental shown first, unlocking with the
// wallet password (the VM's password never reaches the page), copy through Rust with the
// 30-second clearing said, the RDP check with its re-check, the window options sent as
// chosen, one-click Connect with the hint to the Omniverse step, the .rdp file, the VNC
// fallback and its single reveal, the errors explained (no client: what to install; no
// guest agent; locked again after 30 minutes), both languages, and the way in from My rentals.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { mockCommands, stubResizeObserver, type Handler, button, eachTest, lastArgs } from './test-backend';
import App from './App.svelte';
import ConnectScreen from './lib/screens/ConnectScreen.svelte';
import { applyLanguage } from './lib/i18n';
import { RentalsController } from './lib/rentals.svelte';
import { DEFAULT_RDP_OPTIONS, rdpOptions } from './lib/connect/options.svelte';
import { STAGE_MEANING } from './lib/ipc';
import type { ConnectLogin, Rental, RentalsSnapshot } from './lib/ipc';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const VM_PASSWORD = 'aZ9_/+[]@#^xyzQ1';
const VNC_PASSWORD = 'vnc-secret-7';

let calls: Array<[string, Record<string, unknown>]>;

function rentalOf(rentId: number, vmStatus: string | null, stage: Rental['stage'] = 'renting'): Rental {
  return {
    id: `r${rentId}`,
    account: ALICE,
    machineId: 'ab'.repeat(32),
    gpus: 2,
    blocks: 600,
    quote: null,
    stage,
    ...STAGE_MEANING[stage],
    order: { rentId, rentStart: 1, rentEnd: 601, confirmDeadline: 151, reserved: '0', orderFee: '0', confirmedAt: 2, paid: '0' },
    vm:
      vmStatus === null
        ? null
        : {
            clientUrl: 'http://127.0.0.1:5002',
            taskId: `task${rentId}`,
            image: 'win10',
            rdpPort: 40000 + rentId,
            vncPort: 6000 + rentId,
            status: vmStatus,
            host: '127.0.0.1',
            user: 'Administrator',
            plan: null,
          },
    pending: null,
    lastError: null,
    createdAt: rentId,
    updatedAt: rentId,
  };
}

function snap(rentals: Rental[]): RentalsSnapshot {
  return { network: 'practice', genesis: '0xabcd', account: ALICE, bestBlock: 100, rentals, syncError: null };
}

function loginOf(r: Rental, partial: Partial<ConnectLogin> = {}): ConnectLogin {
  const port = r.vm?.rdpPort ?? null;
  return {
    rentalId: r.id,
    rentId: r.order?.rentId ?? null,
    vmStatus: 'running',
    running: true,
    os: 'windows',
    linux: false,
    host: '127.0.0.1',
    rdpPort: port,
    sshPort: null,
    address: `127.0.0.1:${port}`,
    user: 'Administrator',
    passwordAvailable: true,
    vncHost: '127.0.0.1',
    vncPort: r.vm?.vncPort ?? null,
    vncAddress: `127.0.0.1:${r.vm?.vncPort}`,
    vncPasswordAvailable: true,
    expiresInSecs: 1800,
    ...partial,
  };
}

function mockBackend(handlers: Record<string, Handler>) {
  mockCommands(handlers, (cmd, a) => calls.push([cmd, a]));
}

const argsOf = (cmd: string) => lastArgs(calls, cmd);
const countOf = (cmd: string) => calls.filter(([c]) => c === cmd).length;
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, ' ').trim() ?? '';

function controller(rentals: Rental[], selectedId: string | null = null): RentalsController {
  const c = new RentalsController();
  c.apply(snap(rentals));
  c.select(selectedId);
  return c;
}

/** The Connect screen alone, with its navigation recorded. */
function show(c: RentalsController) {
  const ongo = vi.fn();
  render(ConnectScreen, { rentals: c, ongo });
  return ongo;
}

async function unlock(password = 'wallet-pw') {
  await fireEvent.input(screen.getByTestId('connect-password'), { target: { value: password } });
  await fireEvent.click(button('connect-unlock'));
  await screen.findByTestId('connect-address');
}

/** The usual back end: a locked login that unlocks, RDP answering. */
function backend(r: Rental, over: Record<string, Handler> = {}) {
  mockBackend({
    connect_login: () => null,
    connect_unlock: () => loginOf(r),
    connect_check: () => ({ address: `127.0.0.1:${r.vm?.rdpPort}`, reachable: true, reason: null }),
    connect_copy: (a) => ({ field: a.field, clearsInSecs: a.field === 'password' || a.field === 'vncPassword' ? 30 : null }),
    connect_launch: () => ({ client: 'xfreerdp', pid: 4242, rdpFile: '/d/rdp/vm-127-0-0-1-40042.rdp' }),
    connect_write_rdp: () => ({ path: '/d/rdp/vm-127-0-0-1-40042.rdp' }),
    connect_reveal: () => ({ field: 'vncPassword', value: VNC_PASSWORD }),
    ...over,
  });
}

beforeAll(stubResizeObserver);

eachTest(() => {
  calls = [];
  Object.assign(rdpOptions, DEFAULT_RDP_OPTIONS);
});

describe('Connect step', () => {
  test('shows the rental chosen in My rentals, else the newest with a running VM; only rentals with a VM are offered', async () => {
    const stopped = rentalOf(44, 'closed');
    const running = rentalOf(43, 'running');
    const older = rentalOf(42, 'running');
    const noVm = rentalOf(45, null, 'placed');
    const ended = rentalOf(41, 'running', 'ended');
    backend(running);
    show(controller([noVm, stopped, running, older, ended]));
    const select = screen.getByTestId('connect-rental') as HTMLSelectElement;
    expect(select.value).toBe('r43');
    expect([...select.options].map((o) => o.value)).toEqual(['r44', 'r43', 'r42']);
    expect(select.options[0].textContent).toContain('powered off');
    await waitFor(() => expect(argsOf('connect_login')).toEqual({ id: 'r43' }));
    cleanup();

    show(controller([noVm, stopped, running, older], 'r42'));
    expect((screen.getByTestId('connect-rental') as HTMLSelectElement).value).toBe('r42');
  });

  test('without a rental with a VM it says where to go', async () => {
    backend(rentalOf(1, null));
    const ongo = show(controller([rentalOf(45, null, 'placed')]));
    expect(text('connect-none')).toContain('No rental has a virtual machine yet');
    await fireEvent.click(button('connect-go-rentals'));
    expect(ongo).toHaveBeenCalledWith('rentals');
    cleanup();

    // Not connected yet: said so, not "no rental".
    const offline = new RentalsController();
    offline.apply(null);
    show(offline);
    expect(text('connect-none')).toContain('Not connected to a network yet');
  });

  test('unlocks with the wallet password; the VM password never reaches the page; RDP is checked', async () => {
    const r = rentalOf(42, 'running');
    const c = controller([r]);
    backend(r);
    show(c);
    expect(button('connect-unlock').disabled).toBe(true);
    await unlock('wallet-pw');
    expect(argsOf('connect_unlock')).toEqual({ id: 'r42', password: 'wallet-pw' });
    expect(c.selectedId).toBe('r42');
    expect(text('connect-address')).toBe('127.0.0.1:40042');
    expect(text('connect-user')).toBe('Administrator');
    expect(document.body.textContent).not.toContain(VM_PASSWORD);
    expect(screen.queryByTestId('connect-password')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('connect-rdp-status').dataset.state).toBe('reachable'));
    expect(text('connect-rdp-status')).toContain('127.0.0.1:40042 accepts connections');
    expect(screen.queryByTestId('connect-vnc')).toBeNull();
  });

  test('a login still unlocked in Rust is shown without asking again', async () => {
    const r = rentalOf(42, 'running');
    backend(r, { connect_login: () => loginOf(r) });
    show(controller([r]));
    await screen.findByTestId('connect-address');
    expect(screen.queryByTestId('connect-password')).toBeNull();
    expect(countOf('connect_unlock')).toBe(0);
  });

  test('copies through Rust; the password copy says it is cleared in 30 s', async () => {
    const r = rentalOf(42, 'running');
    backend(r);
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-copy-address'));
    await waitFor(() => expect(argsOf('connect_copy')).toEqual({ id: 'r42', field: 'address' }));
    expect(text('connect-copy-address')).toBe('Copied');
    expect(screen.queryByTestId('connect-copy-note')).toBeNull();
    await fireEvent.click(button('connect-copy-user'));
    await waitFor(() => expect(argsOf('connect_copy')).toEqual({ id: 'r42', field: 'user' }));
    await fireEvent.click(button('connect-copy-password'));
    await waitFor(() => expect(argsOf('connect_copy')).toEqual({ id: 'r42', field: 'password' }));
    expect(text('connect-copy-note')).toBe('Copied. It is cleared from the clipboard in 30 s.');
    expect(document.body.textContent).not.toContain(VM_PASSWORD);
    // Something else copied: the password is off the clipboard, the note goes.
    await fireEvent.click(button('connect-copy-address'));
    await waitFor(() => expect(screen.queryByTestId('connect-copy-note')).toBeNull());
  });

  test('Connect sends the options as chosen and points to the Omniverse step', async () => {
    const r = rentalOf(42, 'running');
    backend(r);
    const ongo = show(controller([r]));
    await unlock();
    await fireEvent.click(screen.getByTestId('connect-multimon'));
    await fireEvent.click(screen.getByTestId('connect-drives'));
    await fireEvent.click(screen.getByTestId('connect-clipboard'));
    await fireEvent.input(screen.getByTestId('connect-width'), { target: { value: '1920' } });
    await fireEvent.input(screen.getByTestId('connect-height'), { target: { value: '1080' } });
    expect(screen.getByTestId('connect-drives-help')).toBeTruthy();
    await fireEvent.click(button('connect-launch'));
    const result = await screen.findByTestId('connect-result');
    expect(argsOf('connect_launch')).toEqual({
      id: 'r42',
      options: {
        fullscreen: false,
        width: 1920,
        height: 1080,
        multiMonitor: true,
        clipboard: false,
        drives: 'home',
        dynamicResolution: true,
      },
    });
    expect(result.textContent).toContain('Remote Desktop started (xfreerdp, process 4242)');
    expect(result.textContent).not.toContain('asks for the password');
    await fireEvent.click(button('connect-next-omniverse'));
    expect(ongo).toHaveBeenCalledWith('omniverse');

    await fireEvent.click(screen.getByTestId('connect-fullscreen'));
    expect((screen.getByTestId('connect-width') as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(button('connect-launch'));
    await waitFor(() => expect((argsOf('connect_launch')?.options as { fullscreen: boolean }).fullscreen).toBe(true));
  });

  test('a client that prompts is told to paste the password', async () => {
    const r = rentalOf(42, 'running');
    backend(r, { connect_launch: () => ({ client: 'remmina', pid: 7, rdpFile: '/d/rdp/x.rdp' }) });
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-launch'));
    expect((await screen.findByTestId('connect-result')).textContent).toContain('paste it');
  });

  test('a window size no client accepts disables Connect and Save', async () => {
    const r = rentalOf(42, 'running');
    backend(r);
    show(controller([r]));
    await unlock();
    await fireEvent.input(screen.getByTestId('connect-width'), { target: { value: '320' } });
    expect(text('connect-size-invalid')).toContain('640 × 480');
    expect(button('connect-launch').disabled).toBe(true);
    expect(button('connect-save-rdp').disabled).toBe(true);
  });

  test('Save .rdp file shows where it went', async () => {
    const r = rentalOf(42, 'running');
    backend(r);
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-save-rdp'));
    expect((await screen.findByTestId('connect-rdp-file')).textContent).toContain('/d/rdp/vm-127-0-0-1-40042.rdp');
    expect(argsOf('connect_write_rdp')).toEqual({ id: 'r42', options: { ...DEFAULT_RDP_OPTIONS } });
  });

  test('while RDP does not answer: the VNC fallback, its password revealed once on request', async () => {
    const r = rentalOf(42, 'running');
    let reachable = false;
    backend(r, { connect_check: () => ({ address: '127.0.0.1:40042', reachable, reason: reachable ? null : 'refused' }) });
    show(controller([r]));
    await unlock();
    await waitFor(() => expect(screen.getByTestId('connect-rdp-status').dataset.state).toBe('unreachable'));
    expect(text('connect-rdp-status')).toContain('does not answer yet (connection refused)');
    expect(text('connect-vnc-address')).toBe('127.0.0.1:6042');
    expect(screen.getByTestId('connect-vnc-password').dataset.hidden).toBe('true');
    expect(document.body.textContent).not.toContain(VNC_PASSWORD);
    await fireEvent.click(button('connect-vnc-reveal'));
    await waitFor(() => expect(text('connect-vnc-password')).toBe(VNC_PASSWORD));
    expect(argsOf('connect_reveal')).toEqual({ id: 'r42', field: 'vncPassword' });
    await fireEvent.blur(window);
    await waitFor(() => expect(screen.getByTestId('connect-vnc-password').dataset.hidden).toBe('true'));

    reachable = true;
    await fireEvent.click(button('connect-recheck'));
    await waitFor(() => expect(screen.getByTestId('connect-rdp-status').dataset.state).toBe('reachable'));
    expect(screen.queryByTestId('connect-vnc')).toBeNull();
    expect(countOf('connect_check')).toBe(2);
  });

  test('no guest agent: no password, Connect off, VNC offered', async () => {
    const r = rentalOf(42, 'running');
    backend(r, { connect_unlock: () => loginOf(r, { passwordAvailable: false }) });
    show(controller([r]));
    await unlock();
    expect(text('connect-no-password')).toContain('no guest agent');
    expect(screen.queryByTestId('connect-copy-password')).toBeNull();
    expect(button('connect-launch').disabled).toBe(true);
    expect(screen.getByTestId('connect-vnc')).toBeTruthy();
  });

  test('a stopped VM: said so, with the way to start it', async () => {
    const r = rentalOf(42, 'closed');
    backend(r, { connect_unlock: () => loginOf(r, { running: false, vmStatus: 'closed' }) });
    const ongo = show(controller([r]));
    await unlock();
    expect(text('connect-not-running')).toContain('powered off');
    expect(screen.getByTestId('connect-rdp-status').dataset.state).toBe('stopped');
    expect(button('connect-launch').disabled).toBe(true);
    expect(countOf('connect_check')).toBe(0);
    await fireEvent.click(button('connect-not-running-rentals'));
    expect(ongo).toHaveBeenCalledWith('rentals');
  });

  test('no Remote Desktop client: what to install, in the UI language', async () => {
    const r = rentalOf(42, 'running');
    const missing = () => {
      throw {
        code: 'rdp-client-missing',
        message: 'no Remote Desktop client found',
        data: { os: 'linux', install: 'FreeRDP: sudo apt install freerdp2-x11' },
      };
    };
    backend(r, { connect_launch: missing });
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-launch'));
    const err = await screen.findByTestId('connect-error');
    expect(err.dataset.code).toBe('rdp-client-missing');
    expect(text('connect-install-hint')).toContain('sudo apt install freerdp2-x11');
    cleanup();

    applyLanguage('zh');
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-launch'));
    await screen.findByTestId('connect-error');
    expect(text('connect-install-hint')).toContain('请安装 FreeRDP');
  });

  test('a wrong wallet password is explained and the form stays', async () => {
    const r = rentalOf(42, 'running');
    backend(r, {
      connect_unlock: () => {
        throw { code: 'wrong-password', message: 'wrong password' };
      },
    });
    show(controller([r]));
    await fireEvent.input(screen.getByTestId('connect-password'), { target: { value: 'nope' } });
    await fireEvent.click(button('connect-unlock'));
    const err = await screen.findByTestId('connect-error');
    expect(err.dataset.code).toBe('wrong-password');
    expect((screen.getByTestId('connect-password') as HTMLInputElement).value).toBe('');
  });

  test('locked again in Rust (30 minutes, another network or account): back to the unlock form', async () => {
    const r = rentalOf(42, 'running');
    backend(r, {
      connect_copy: () => {
        throw { code: 'connect-locked', message: 'locked', data: { rentId: '42' } };
      },
    });
    show(controller([r]));
    await unlock();
    await fireEvent.click(button('connect-copy-user'));
    expect((await screen.findByTestId('connect-relocked')).textContent).toContain('locked again');
    expect(screen.getByTestId('connect-password')).toBeTruthy();
    expect(screen.queryByTestId('connect-address')).toBeNull();
  });

  test('reads in Chinese', async () => {
    applyLanguage('zh');
    const r = rentalOf(42, 'running');
    backend(r);
    show(controller([r]));
    expect(text('screen-title')).toBe('远程桌面连接');
    expect(text('connect-unlock')).toBe('解锁');
    await unlock();
    expect(text('connect-launch')).toBe('连接');
    expect(text('connect-copy-address')).toBe('复制');
    await fireEvent.click(button('connect-copy-password'));
    await waitFor(() => expect(text('connect-copy-note')).toBe('已复制。30 秒后将从剪贴板中清除。'));
  });
});

describe('Connect in the app', () => {
  test('My rentals → Connect opens the step on that rental, and the Omniverse step follows it', async () => {
    const r7 = rentalOf(7, 'running');
    const r8 = rentalOf(8, 'running');
    mockBackend({
      app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
      get_settings: () => ({ language: 'en', network: 'practice' }),
      network_status: () => ({
        network: 'practice',
        state: 'connected',
        endpoint: 'ws://127.0.0.1:9944',
        bestBlock: 100,
        specVersion: 400,
      }),
      wallet_overview: () => ({
        accounts: [{ id: 'a1', name: 'Main', address: ALICE, backedUp: true, source: 'created', hasMnemonic: true }],
        activeId: 'a1',
        store: { kind: 'os-keyring', osKeyring: { available: true, locked: false, reason: null }, fileStoreChosen: false },
      }),
      wallet_balance: () => ({ free: '0', reserved: '0', frozen: '0', transferable: '0', block: 100 }),
      market_snapshot: () => null,
      rentals_list: () => snap([r8, r7]),
      connect_login: () => null,
      checklist_get: (a) => ({ rentKey: a.rentKey, items: [], done: 0, total: 5 }),
    });
    render(App);
    await waitFor(() => expect(countOf('rentals_list')).toBeGreaterThan(0));
    await fireEvent.click(screen.getByTestId('nav-rentals'));
    await fireEvent.click(await screen.findByTestId('rental-connect-7'));
    await screen.findByTestId('screen-connect');
    expect((screen.getByTestId('connect-rental') as HTMLSelectElement).value).toBe('r7');
    await waitFor(() => expect(argsOf('connect_login')).toEqual({ id: 'r7' }));
    await fireEvent.click(screen.getByTestId('nav-omniverse'));
    await waitFor(() => expect(argsOf('checklist_get')).toEqual({ rentKey: 'practice:7' }));
  });
});
