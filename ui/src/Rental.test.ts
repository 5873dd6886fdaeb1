// The rental flow through the whole app with a mocked back end: the Rent step's quote and
// balance refusal, renting with the status streamed and the confirm countdown from block
// numbers, creating the VM, verifying and confirming (with the non-refundable dialog and
// the chain's refusals explained), the closing-window choice, My rentals with renew, power
// operations and connect, reminders, resume after a restart, and the Settings section.
import { beforeAll, describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import {
  mockCommands,
  sampleRental,
  stubResizeObserver,
  type Handler,
  button,
  eachTest,
  lastArgs,
  sendOnChannel,
  typeInto,
} from './test-backend';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { t } from './lib/i18n';
import { machineChoice as choice } from './lib/chosenMachine.svelte';
import { sampleListing } from './lib/market/sample';
import { formatDbc } from './lib/format';
import type { NetworkStatus, Rental, RentalsSnapshot, TxStatus, VmEvent } from './lib/ipc';

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const MACHINE = 'ab'.repeat(32);
const DBC = BigInt(10) ** BigInt(15);
const planck = (dbc: number) => (BigInt(dbc) * DBC).toString();
const BEST = 10_000;

const LISTING = sampleListing({ id: MACHINE, gpuModel: 'GeForceRTX4090', gpuCount: 4, freeGpus: 3 });

let calls: Array<[string, Record<string, unknown>]>;
let status: NetworkStatus;
let snapshot: RentalsSnapshot | null;
let transferable: string;

function rentalOf(partial: Partial<Rental> & { stage: Rental['stage'] }, rentId = 42): Rental {
  const start = BEST - 30;
  const order = { rentId, rentStart: start, rentEnd: start + 600, confirmDeadline: start + 150, confirmedAt: null, paid: '0' };
  return sampleRental({
    id: `r${rentId}`,
    account: ALICE,
    machineId: MACHINE,
    order: { ...order, reserved: planck(107), orderFee: planck(10) },
    ...partial,
  });
}

function snap(rentals: Rental[]): RentalsSnapshot {
  return { network: 'practice', genesis: '0xabcd', account: ALICE, bestBlock: BEST, rentals, syncError: null };
}

const VM_RUNNING = {
  clientUrl: 'http://127.0.0.1:5002',
  taskId: 'task0000000000000000001',
  image: 'win10',
  rdpPort: 20001,
  vncPort: 6001,
  status: 'running',
  host: '127.0.0.1',
  user: 'Administrator',
  plan: null,
};

function mockBackend(overrides: Record<string, Handler> = {}) {
  mockCommands(
    {
      app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
      get_settings: () => ({ language: 'en', network: 'practice' }),
      network_status: () => status,
      wallet_overview: () => ({
        accounts: [{ id: 'a1', name: 'Main', address: ALICE, backedUp: true, source: 'created', hasMnemonic: true }],
        activeId: 'a1',
        store: { kind: 'os-keyring', osKeyring: { available: true, locked: false, reason: null }, fileStoreChosen: false },
      }),
      wallet_balance: () => ({ free: transferable, reserved: '0', frozen: '0', transferable, block: BEST }),
      market_snapshot: () => null,
      rentals_list: () => snapshot,
      rental_settings: () => ({
        computeClients: ['http://10.0.0.5:5052'],
        communityClients: ['http://115.231.234.34:5052'],
        communityClientsOff: false,
        practiceClient: 'http://127.0.0.1:5002',
        reminderLeadsMinutes: [1440, 60],
        defaultReminderLeadsMinutes: [1440, 60],
      }),
      market_quote: (a) => ({
        gpus: a.gpus,
        blocks: 900,
        rent: planck(160),
        orderFee: planck(10),
        txFeeEstimate: '1250000000000',
        total: (BigInt(planck(170)) + BigInt('1250000000000')).toString(),
        atBlock: BEST,
      }),
      notify_reminder: () => null,
      ...overrides,
    },
    (cmd, a) => calls.push([cmd, a]),
  );
}

const argsOf = (cmd: string) => lastArgs(calls, cmd);

async function open(step: string) {
  render(App);
  await waitFor(() => expect(calls.some(([c]) => c === 'rentals_list')).toBe(true));
  await fireEvent.click(screen.getByTestId(`nav-${step}`));
  return screen.findByTestId(`screen-${step}`);
}

async function newBlock(best: number) {
  status = { ...status, bestBlock: best };
  await emit('network-status', status);
}

beforeAll(stubResizeObserver);

eachTest(
  () => {
    calls = [];
    status = { network: 'practice', state: 'connected', endpoint: 'ws://127.0.0.1:9944', bestBlock: BEST, specVersion: 400 };
    snapshot = snap([]);
    transferable = planck(1_000);
    choice.clear();
  },
  () => choice.clear(),
);

describe('Rent step', () => {
  test('quotes in DBC, refuses a balance that does not cover it, and says why', async () => {
    transferable = planck(100);
    mockBackend();
    choice.choose(LISTING);
    await open('rent');
    await typeInto('rent-gpus', '2');
    await typeInto('rent-hours', '1.5');
    expect(screen.getByTestId('rent-end').textContent).toContain('900 blocks');
    await waitFor(() => expect(screen.getByTestId('rent-quote-total').textContent).toContain('170.0013 DBC'));
    expect(argsOf('market_quote')).toEqual({ machineId: MACHINE, gpus: 2, hours: '1.5' });
    expect(screen.getByTestId('rent-quote-order-fee').textContent).toContain('10 DBC');
    const refusal = await screen.findByTestId('rent-not-enough');
    expect(refusal.textContent).toContain('170.0013 DBC');
    expect(refusal.textContent).toContain('only 100 DBC');
    await typeInto('rent-password', 'secret pass');
    expect(button('rent-submit').disabled).toBe(true);
  });

  test('bad durations are explained before any quote', async () => {
    mockBackend();
    choice.choose(LISTING);
    await open('rent');
    await typeInto('rent-hours', '0.25');
    expect(screen.getByTestId('rent-duration-error').textContent).toContain('half an hour');
    await typeInto('rent-hours', '61');
    await fireEvent.change(screen.getByTestId('rent-unit'), { target: { value: 'days' } });
    expect(screen.getByTestId('rent-duration-error').textContent).toContain('60 days');
    await typeInto('rent-gpus', '4');
    expect(screen.getByTestId('rent-gpus-error').textContent).toContain('1 to 3');
    expect(calls.some(([c]) => c === 'market_quote')).toBe(false);
  });

  test('rents with the status streamed, then shows the rent id, the reserve and the countdown from blocks', async () => {
    let placeArgs: Record<string, unknown> = {};
    let finish: (r: Rental) => void = () => {};
    mockBackend({
      rental_place: (a) => {
        placeArgs = a;
        return new Promise<Rental>((resolve) => (finish = resolve));
      },
    });
    choice.choose(LISTING);
    await open('rent');
    await typeInto('rent-hours', '1.5');
    await waitFor(() => expect(screen.getByTestId('rent-balance').textContent).toContain('1,000 DBC'));
    await typeInto('rent-password', 'secret pass');
    await waitFor(() => expect(button('rent-submit').disabled).toBe(false));
    await fireEvent.click(button('rent-submit'));
    await waitFor(() => expect(placeArgs.machineId).toBe(MACHINE));
    expect(placeArgs).toMatchObject({ machineId: MACHINE, gpus: 1, blocks: 900, password: 'secret pass' });
    // The password is cleared at once.
    expect((screen.getByTestId('rent-password') as HTMLInputElement).value).toBe('');
    sendOnChannel<TxStatus>(placeArgs.onStatus, 0, { status: 'signing' });
    sendOnChannel<TxStatus>(placeArgs.onStatus, 1, { status: 'inBlock', blockHash: '0x' + '12'.repeat(32) });
    await screen.findByTestId('rent-status-inBlock');

    const placed = rentalOf({ stage: 'placed' });
    placed.order!.rentStart = BEST;
    placed.order!.confirmDeadline = BEST + 150;
    finish(placed);
    const result = await screen.findByTestId('rent-result');
    expect(within(result).getByTestId('rent-result-id').textContent).toBe('42');
    expect(within(result).getByTestId('rent-result-reserved').textContent).toBe('107 DBC');
    const countdown = screen.getByTestId('confirm-countdown');
    expect(countdown.dataset.blocksLeft).toBe('150');
    expect(countdown.textContent).toContain('15:00');
    await newBlock(BEST + 25);
    await waitFor(() => expect(screen.getByTestId('confirm-countdown').textContent).toContain('12:30'));
    expect(screen.getByTestId('confirm-countdown').dataset.secondsLeft).toBe('750');

    await fireEvent.click(screen.getByTestId('rent-next-vm'));
    expect(await screen.findByTestId('screen-vm')).toBeTruthy();
    expect(screen.getByTestId('rental-rent-id').textContent).toContain('42');
  });

  test('after renting, the step keeps the quote and shows the rental in flight for that machine; free GPUs follow the live market', async () => {
    mockBackend({
      rental_place: () => ({
        ...rentalOf({ stage: 'placed' }),
        quote: { gpus: 1, blocks: 600, rent: planck(107), orderFee: planck(10), txFeeEstimate: '1000000000000' },
      }),
    });
    choice.choose(LISTING);
    await open('rent');
    await waitFor(() => expect(screen.getByTestId('rent-balance')).toBeTruthy());
    await typeInto('rent-password', 'pw');
    await waitFor(() => expect(button('rent-submit').disabled).toBe(false));
    await fireEvent.click(button('rent-submit'));
    await screen.findByTestId('rent-result');
    // The quote stays on screen with the fields it was placed with.
    expect(screen.getByTestId('rent-quote-total').textContent).toContain('DBC');
    expect(screen.getByTestId('rent-quote').textContent).not.toContain(t('rent.quote-pending'));
    // Away to the Machine step and back: the same machine shows its rental in flight, not a new order.
    await fireEvent.click(screen.getByTestId('nav-machine'));
    await screen.findByTestId('screen-machine');
    await emit('market-updated', {
      source: 'chain',
      blockNumber: BEST,
      specVersion: 400,
      rows: [{ ...LISTING, freeGpus: 0 }],
      counters: { machines: 1, gpus: 4, freeGpus: 0, idleMachines: 0 },
    });
    await fireEvent.click(screen.getByTestId('nav-rent'));
    await screen.findByTestId('screen-rent');
    expect(screen.getByTestId('rent-machine-in-flight').textContent).toContain('42');
    expect(within(screen.getByTestId('rent-result')).getByTestId('rent-result-id').textContent).toBe('42');
    expect(screen.queryByTestId('rent-submit')).toBeNull();
    expect(screen.getByTestId('rent-machine-free').textContent).toContain('0');
    // The placed order's GPUs are not checked against the (now smaller) free count.
    expect(screen.queryByTestId('rent-gpus-error')).toBeNull();
    expect(screen.getByTestId('rent-quote-total').textContent).toContain(
      formatDbc((BigInt(planck(117)) + BigInt('1000000000000')).toString()),
    );
  });

  test('an insufficient balance found by the chain step is explained with the figures', async () => {
    mockBackend({
      rental_place: () => {
        throw { code: 'insufficient-balance', message: 'x', data: { needed: '170.0013', available: '12' } };
      },
    });
    choice.choose(LISTING);
    await open('rent');
    await typeInto('rent-password', 'pw');
    await waitFor(() => expect(button('rent-submit').disabled).toBe(false));
    await fireEvent.click(button('rent-submit'));
    const err = await screen.findByTestId('rent-error');
    expect(err.textContent).toContain('170.0013 DBC');
    expect(err.textContent).toContain('only 12 DBC');
  });
});

describe('Virtual machine step', () => {
  test('prefills the practice client, tests it, creates the VM with progress, and shows the log on failure', async () => {
    snapshot = snap([rentalOf({ stage: 'placed' })]);
    let createArgs: Record<string, unknown> = {};
    let fail: (e: unknown) => void = () => {};
    mockBackend({
      compute_test_connection: () => ({
        url: 'http://127.0.0.1:5002',
        clientVersion: '0.4.1.8',
        nodes: 60,
        machine: { nodeId: MACHINE, name: 'n', version: '1' },
        images: [
          { name: 'win10-ent', size: '25G' },
          { name: 'win11', size: '30G' },
        ],
      }),
      rental_create_vm: (a) => {
        createArgs = a;
        return new Promise((_, reject) => (fail = reject));
      },
    });
    await open('vm');
    await waitFor(() => expect((screen.getByTestId('vm-client-url') as HTMLInputElement).value).toBe('http://127.0.0.1:5002'));
    expect(screen.getByTestId('vm-client-practice')).toBeTruthy();
    expect(screen.getByTestId('confirm-countdown').dataset.blocksLeft).toBe('120');
    await fireEvent.click(button('vm-test-connection'));
    expect((await screen.findByTestId('vm-test-result')).textContent).toContain('0.4.1.8');
    expect(argsOf('compute_test_connection')).toEqual({ url: 'http://127.0.0.1:5002', machineId: MACHINE });
    await fireEvent.change(screen.getByTestId('vm-image'), { target: { value: 'win11' } });
    await typeInto('vm-password', 'pw');
    await fireEvent.click(button('vm-create'));
    await waitFor(() => expect(createArgs.id).toBe('r42'));
    expect(createArgs).toMatchObject({ clientUrl: 'http://127.0.0.1:5002', image: 'win11', password: 'pw' });
    sendOnChannel<VmEvent>(createArgs.onEvent, 0, {
      step: 'planned',
      taskId: 't',
      image: 'win11',
      rdpPort: 20001,
      vncPort: 6001,
      cpuCores: 8,
      memGb: 32,
      diskGb: 200,
    });
    sendOnChannel<VmEvent>(createArgs.onEvent, 1, { step: 'create', event: 'port-conflict', port: 20001, rdpPort: 20002, vncPort: 6002 });
    sendOnChannel<VmEvent>(createArgs.onEvent, 2, {
      step: 'poll',
      taskId: 't',
      status: 'creating',
      kind: 'creating',
      changed: true,
      elapsedSecs: 65,
      polls: 7,
      error: null,
    });
    sendOnChannel<VmEvent>(createArgs.onEvent, 3, {
      step: 'client-switched',
      from: 'http://127.0.0.1:5002',
      to: 'http://10.0.0.9:5052',
      reason: 'compute-unreachable',
    });
    await waitFor(() => expect(screen.getByTestId('vm-status').textContent).toBe('creating'));
    expect(screen.getByTestId('vm-event-planned').textContent).toContain('32 GB memory');
    await waitFor(() => expect(screen.getByTestId('vm-event-client-switched').textContent).toContain('http://10.0.0.9:5052'));
    expect(screen.getByTestId('vm-event-port-conflict').textContent).toContain('20002');
    expect(screen.getByTestId('vm-elapsed').textContent).toContain('1:05');
    fail({
      code: 'vm-create-failed',
      message: 'x',
      data: { taskId: 't', status: 'create error', log: ['qemu: no space left', 'giving up'] },
    });
    const error = await screen.findByTestId('vm-error');
    expect(error.textContent).toContain('could not be created');
    expect(screen.getByTestId('vm-log').textContent).toContain('no space left');
  });

  test('a public client over plain http is refused until the user allows it, once', async () => {
    snapshot = snap([rentalOf({ stage: 'placed' })]);
    const PUBLIC = 'http://116.31.89.150:5052';
    let allowed = false;
    mockBackend({
      compute_test_connection: (a) => {
        if (!allowed) throw { code: 'insecure-client-url', message: 'plain http', data: { url: a.url, host: '116.31.89.150' } };
        return { url: a.url, clientVersion: '0.4.1.8', nodes: 3, machine: { nodeId: MACHINE, name: 'n', version: '1' }, images: [] };
      },
      compute_allow_insecure_client: (a) => {
        allowed = true;
        return a.url;
      },
    });
    await open('vm');
    expect(screen.getByTestId('vm-client-trust').textContent).toContain('sees every request');
    await fireEvent.input(screen.getByTestId('vm-client-url'), { target: { value: PUBLIC } });
    await fireEvent.click(button('vm-test-connection'));
    const refused = await screen.findByTestId('vm-test-error');
    expect(refused.dataset.code).toBe('insecure-client-url');
    expect(screen.getByTestId('vm-insecure-client').textContent).toContain('replay');
    expect(calls.some(([c]) => c === 'compute_allow_insecure_client')).toBe(false);
    await fireEvent.click(button('vm-insecure-client-allow'));
    expect(argsOf('compute_allow_insecure_client')).toEqual({ url: PUBLIC });
    // Allowed: the test runs again by itself and succeeds; the warning is gone.
    expect((await screen.findByTestId('vm-test-result')).textContent).toContain('0.4.1.8');
    expect(screen.queryByTestId('vm-insecure-client')).toBeNull();
  });

  test('a create under way after a restart is resumed, not started again', async () => {
    snapshot = snap([rentalOf({ stage: 'vm-creating', vm: { ...VM_RUNNING, status: 'creating' } })]);
    mockBackend();
    render(App);
    // Resume: the app goes to the step where the rental continues.
    expect(await screen.findByTestId('screen-vm')).toBeTruthy();
    expect(screen.getByTestId('vm-resume-note').textContent).toContain(VM_RUNNING.taskId);
    expect(button('vm-create').textContent).toContain('Continue');
  });
});

describe('Verify and confirm', () => {
  test('shows the login with the password hidden until revealed, checks RDP, then the non-refundable dialog confirms', async () => {
    snapshot = snap([rentalOf({ stage: 'vm-ready', vm: VM_RUNNING })]);
    let confirmArgs: Record<string, unknown> = {};
    mockBackend({
      rental_vm_detail: () => ({
        rental: snapshot!.rentals[0],
        status: 'running',
        host: '127.0.0.1',
        port: 20001,
        user: 'Administrator',
        password: 'S3cret-Pass-1234',
      }),
      rental_check_rdp: () => ({ host: '127.0.0.1', port: 20001 }),
      rental_confirm: (a) => {
        confirmArgs = a;
        const r = rentalOf({ stage: 'renting', vm: VM_RUNNING });
        r.order!.confirmedAt = BEST;
        r.order!.paid = planck(107);
        return r;
      },
    });
    render(App);
    expect(await screen.findByTestId('screen-confirm')).toBeTruthy();
    expect(screen.getByTestId('vm-login-host').textContent).toBe('127.0.0.1');
    expect(screen.getByTestId('vm-login-port').textContent).toBe('20001');
    expect(screen.getByTestId('vm-login-user').textContent).toBe('Administrator');
    expect(button('confirm-open').disabled).toBe(true);

    await typeInto('vm-login-account-password', 'pw');
    await fireEvent.click(button('vm-login-unlock'));
    const pw = await screen.findByTestId('vm-login-password');
    expect(pw.dataset.hidden).toBe('true');
    expect(pw.textContent).not.toContain('S3cret');
    await fireEvent.click(button('vm-password-reveal'));
    expect(screen.getByTestId('vm-login-password').textContent).toContain('S3cret-Pass-1234');

    await fireEvent.click(button('rdp-check'));
    expect((await screen.findByTestId('rdp-check-ok')).textContent).toContain('127.0.0.1:20001');
    expect(button('confirm-open').disabled).toBe(false);
    await fireEvent.click(button('confirm-open'));
    const dialog = await screen.findByTestId('confirm-dialog');
    expect(within(dialog).getByTestId('confirm-dialog-warning').textContent).toContain('107 DBC');
    expect(within(dialog).getByTestId('confirm-dialog-warning').textContent).toContain('not refundable');
    await typeInto('confirm-password', 'pw');
    await fireEvent.click(button('confirm-accept'));
    expect(await screen.findByTestId('confirm-done')).toBeTruthy();
    expect(confirmArgs).toMatchObject({ id: 'r42', password: 'pw' });
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  });

  test('the chain refusing a late confirmation is explained (ExpiredConfirm, StatusNotAllowed)', async () => {
    snapshot = snap([rentalOf({ stage: 'vm-ready', vm: VM_RUNNING })]);
    let variant = 'ExpiredConfirm';
    mockBackend({
      rental_check_rdp: () => ({ host: '127.0.0.1', port: 20001 }),
      rental_confirm: () => {
        throw { code: 'tx-failed', message: 'x', data: { pallet: 'RentMachine', variant, error: `RentMachine.${variant}` } };
      },
    });
    render(App);
    await screen.findByTestId('screen-confirm');
    await fireEvent.click(button('rdp-check'));
    await screen.findByTestId('rdp-check-ok');
    await fireEvent.click(button('confirm-open'));
    await typeInto('confirm-password', 'pw');
    await fireEvent.click(button('confirm-accept'));
    expect((await screen.findByTestId('confirm-error')).textContent).toContain('15-minute window had closed');
    variant = 'StatusNotAllowed';
    await typeInto('confirm-password', 'pw');
    await fireEvent.click(button('confirm-accept'));
    await waitFor(() => expect(screen.getByTestId('confirm-error').textContent).toContain('no longer in a state'));
  });

  test('when the window is about to close and the VM is not ready, the user chooses', async () => {
    snapshot = snap([rentalOf({ stage: 'vm-creating', vm: { ...VM_RUNNING, status: 'creating' } })]);
    mockBackend();
    status = { ...status, bestBlock: BEST - 30 + 150 - 40 };
    render(App);
    await screen.findByTestId('screen-vm');
    await fireEvent.click(screen.getByTestId('nav-confirm'));
    const closing = await screen.findByTestId('confirm-closing');
    expect(closing.textContent).toContain('107 DBC');
    expect(closing.textContent).toContain('order fee (10 DBC) is lost');
    expect(button('confirm-open').disabled).toBe(true);
    await fireEvent.click(button('confirm-anyway'));
    expect(button('confirm-open').disabled).toBe(false);
    await fireEvent.click(button('confirm-open'));
    expect((await screen.findByTestId('confirm-dialog-unverified')).textContent).toContain('without a verified');
  });
});

describe('My rentals', () => {
  const renting = () => {
    const r = rentalOf({ stage: 'renting', vm: VM_RUNNING }, 7);
    r.order!.rentEnd = BEST + 3 * 600 + 200;
    r.order!.confirmedAt = BEST - 10;
    return r;
  };

  test('rows with stage, time left from blocks, VM status; history apart', async () => {
    snapshot = snap([renting(), rentalOf({ stage: 'lapsed' }, 5), rentalOf({ stage: 'placed' }, 9)]);
    mockBackend();
    await open('rentals');
    const row = await screen.findByTestId('rental-row-7');
    expect(within(row).getByTestId('rental-stage-7').textContent).toBe('Active');
    expect(screen.getByTestId('rental-time-left-7').textContent).toContain('3 h 20 min left');
    expect(screen.getByTestId('rental-vm-7').textContent).toContain('running');
    expect(within(screen.getByTestId('rentals-history')).getByTestId('rental-row-5')).toBeTruthy();
    expect(screen.getByTestId('rental-time-left-9').textContent).toContain('confirm within 12:00');
    await newBlock(BEST + 600);
    await waitFor(() => expect(screen.getByTestId('rental-time-left-7').textContent).toContain('2 h 20 min left'));
    await fireEvent.click(button('rental-continue-9'));
    expect(await screen.findByTestId('screen-vm')).toBeTruthy();
  });

  test('renew quotes with the 60-day cap explained, then renews', async () => {
    snapshot = snap([renting()]);
    let renewArgs: Record<string, unknown> = {};
    mockBackend({
      rental_renew_quote: (a) => ({
        askedBlocks: a.blocks,
        blocks: 300,
        capped: true,
        rent: planck(50),
        txFeeEstimate: '1000000000000',
        total: '50001000000000000',
        rentEnd: BEST + 2000,
        newEnd: BEST + 2300,
        atBlock: BEST,
        available: planck(1000),
        enough: true,
      }),
      rental_renew: (a) => {
        renewArgs = a;
        const r = renting();
        r.order!.rentEnd += 300;
        return { rental: r, addedBlocks: 300, paid: planck(50) };
      },
    });
    await open('rentals');
    await fireEvent.click(await screen.findByTestId('rental-renew-7'));
    await typeInto('renew-hours', '2');
    await waitFor(() => expect(argsOf('rental_renew_quote')).toEqual({ id: 'r7', blocks: 1200 }));
    expect((await screen.findByTestId('renew-capped')).textContent).toContain('60 days');
    expect(screen.getByTestId('renew-quote-total').textContent).toContain('50.001 DBC');
    await typeInto('renew-password', 'pw');
    await fireEvent.click(button('renew-submit'));
    expect((await screen.findByTestId('renew-result')).textContent).toContain('30 min added for 50 DBC');
    expect(renewArgs).toMatchObject({ id: 'r7', blocks: 1200, password: 'pw' });
  });

  test('a renewal the horizon caps to nothing cannot be sent', async () => {
    snapshot = snap([renting()]);
    mockBackend({
      rental_renew_quote: (a) => ({
        askedBlocks: a.blocks,
        blocks: 0,
        capped: true,
        rent: '0',
        txFeeEstimate: '1',
        total: '1',
        rentEnd: 1,
        newEnd: 1,
        atBlock: 1,
        available: planck(1000),
        enough: true,
      }),
    });
    await open('rentals');
    await fireEvent.click(await screen.findByTestId('rental-renew-7'));
    expect(await screen.findByTestId('renew-capped-zero')).toBeTruthy();
    await typeInto('renew-password', 'pw');
    expect(button('renew-submit').disabled).toBe(true);
  });

  test('a renewal the balance does not cover is refused before the password, and each duration rule has its own words', async () => {
    snapshot = snap([renting()]);
    mockBackend({
      rental_renew_quote: (a) => ({
        askedBlocks: a.blocks,
        blocks: a.blocks,
        capped: false,
        rent: planck(173554),
        txFeeEstimate: '1000000000000',
        total: '173554001000000000000',
        rentEnd: BEST + 2000,
        newEnd: BEST + 2000 + Number(a.blocks),
        atBlock: BEST,
        available: planck(49658),
        enough: false,
      }),
    });
    await open('rentals');
    await fireEvent.click(await screen.findByTestId('rental-renew-7'));
    await typeInto('renew-hours', '1000');
    const short = await screen.findByTestId('renew-not-enough');
    expect(short.textContent).toContain(formatDbc('173554001000000000000'));
    expect(short.textContent).toContain(formatDbc(planck(49658)));
    await typeInto('renew-password', 'pw');
    expect(button('renew-submit').disabled).toBe(true);
    // Over 60 days: the limit is named, and no price is calculated forever.
    await typeInto('renew-hours', '100000');
    const e = await screen.findByTestId('renew-hours-error');
    expect(e.dataset.reason).toBe('too-long');
    expect(e.textContent).toContain('60 days');
    expect(screen.getByTestId('renew-quote').textContent).not.toContain('Calculating');
    await typeInto('renew-hours', 'abc');
    expect(screen.getByTestId('renew-hours-error').dataset.reason).toBe('invalid');
    expect(screen.getByTestId('renew-quote').textContent).not.toContain('Calculating');
  });

  test('power operations are confirmed with what they do; connect opens the Connect step', async () => {
    snapshot = snap([renting()]);
    let powerArgs: Record<string, unknown> = {};
    mockBackend({
      rental_vm_power: (a) => {
        powerArgs = a;
        return { ...renting(), vm: { ...VM_RUNNING, status: 'closed' } };
      },
    });
    await open('rentals');
    expect(button('rental-power-start-7').disabled).toBe(true);
    await fireEvent.click(button('rental-power-stop-7'));
    expect(screen.getByTestId('power-explain').textContent).toContain('hard power-off');
    await typeInto('power-password', 'pw');
    await fireEvent.click(button('power-accept'));
    await waitFor(() => expect(screen.getByTestId('rental-vm-7').textContent).toContain('powered off'));
    expect(powerArgs).toEqual({ id: 'r7', op: 'stop', password: 'pw' });
    expect(button('rental-power-start-7').disabled).toBe(false);
    await fireEvent.click(button('rental-power-delete-7'));
    expect(screen.getByTestId('power-explain').textContent).toContain('disks');
    await fireEvent.click(button('power-cancel'));
    await fireEvent.click(button('rental-connect-7'));
    expect(await screen.findByTestId('screen-connect')).toBeTruthy();
  });
});

/** The VM step of a placed rental, then its confirm-window reminder, `blocksLeft` before the deadline. */
async function showConfirmReminder(blocksLeft: number) {
  snapshot = snap([rentalOf({ stage: 'placed' })]);
  mockBackend();
  render(App);
  await screen.findByTestId('screen-vm');
  await emit('rental-reminder', {
    key: 'g:42:confirm',
    kind: 'confirm-window',
    rentalId: 'r42',
    rentId: 42,
    machineId: MACHINE,
    blocksLeft,
  });
}

describe('Reminders and settings', () => {
  test('a due reminder shows a banner and asks for a desktop notification in the UI language', async () => {
    await showConfirmReminder(50);
    const banner = await screen.findByTestId('reminder-42-confirm-window');
    expect(banner.textContent).toContain('5 min');
    await waitFor(() => expect(argsOf('notify_reminder')?.title).toBe('Confirm rental 42 now'));
    expect(String(argsOf('notify_reminder')?.body)).toContain('10 DBC order fee is lost');
    await fireEvent.click(button('reminder-dismiss-42-confirm-window'));
    expect(screen.queryByTestId('reminder-42-confirm-window')).toBeNull();
  });

  test('a reminder is withdrawn when its reason is gone, and a lapsed order says when it lapsed', async () => {
    await showConfirmReminder(10);
    expect(await screen.findByTestId('reminder-42-confirm-window')).toBeTruthy();
    const deadline = BEST - 30 + 150;
    await emit('rentals-updated', { ...snap([rentalOf({ stage: 'lapsed', closedAt: deadline })]), bestBlock: deadline + 1 });
    await waitFor(() => expect(screen.queryByTestId('reminder-42-confirm-window')).toBeNull());
    await fireEvent.click(screen.getByTestId('nav-rentals'));
    const left = await screen.findByTestId('rental-time-left-42');
    expect(left.textContent).toContain(`lapsed (block ${deadline.toLocaleString('en-US')})`);
    expect(left.textContent).not.toContain(String(BEST - 30 + 600));
  });

  test('Settings saves the DBC clients and the reminder lead times', async () => {
    mockBackend({
      set_compute_clients: (a) => ({
        computeClients: a.clients,
        practiceClient: null,
        reminderLeadsMinutes: [1440, 60],
        defaultReminderLeadsMinutes: [1440, 60],
      }),
      set_reminder_leads: (a) => ({
        computeClients: ['http://h:1'],
        practiceClient: null,
        reminderLeadsMinutes: a.minutes,
        defaultReminderLeadsMinutes: [1440, 60],
      }),
    });
    await open('settings');
    await waitFor(() => expect((screen.getByTestId('settings-reminder-leads') as HTMLInputElement).value).toBe('24, 1'));
    await typeInto('settings-reminder-leads', '2, 0.5, x');
    await fireEvent.click(button('settings-rental-save'));
    expect(screen.getByTestId('settings-reminder-help').textContent).toContain('from 1 minute to 60 days');
    await typeInto('settings-reminder-leads', '2, 0.5');
    await typeInto('settings-compute-clients', 'http://h:1');
    await fireEvent.click(button('settings-rental-save'));
    await screen.findByTestId('settings-reminder-saved');
    await screen.findByTestId('settings-clients-saved');
    expect(argsOf('set_reminder_leads')).toEqual({ minutes: [120, 30] });
    expect(argsOf('set_compute_clients')).toEqual({ clients: ['http://h:1'] });
  });
});
