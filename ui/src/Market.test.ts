// The Machine step through the whole app with a mocked back end: the cached list at once,
// the idle filter by default, narrowing by GPU, sorting by price, the live update from the
// chain, the detail panel, "Rent this" into the Rent step, and the virtualized row window.
import { beforeAll, describe, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mockCommands, noAccounts, stubResizeObserver, eachTest } from './test-backend';
import { emit } from '@tauri-apps/api/event';
import App from './App.svelte';
import { applyLanguage } from './lib/i18n';
import { machineChoice } from './lib/chosenMachine.svelte';
import { sampleListing } from './lib/market/sample';
import type { Listing, MarketSnapshot, NetworkStatus } from './lib/ipc';

const hex = (n: number, c: string) => `${c}${String(n).padStart(3, '0')}`.padEnd(64, c);

const ROWS: Listing[] = [
  sampleListing({ id: hex(1, 'a'), gpuModel: 'GeForceRTX4090', gpuCount: 4, freeGpus: 4, calcPoint: 4 * 1_400 }),
  sampleListing({
    id: hex(2, 'b'),
    status: 'partly-rented',
    statusRaw: 'Rented',
    gpuModel: 'GeForceRTX3090',
    gpuCount: 8,
    freeGpus: 3,
    calcPoint: 8 * 900,
    country: 'DE',
    region: 'europe',
  }),
  sampleListing({
    id: hex(3, 'c'),
    status: 'rented',
    statusRaw: 'Rented',
    gpuModel: 'NVIDIA A100',
    gpuCount: 8,
    freeGpus: 0,
    calcPoint: 8 * 2_000,
    rentedUntil: 2_000,
  }),
  // As the core decodes it: free means rentable now, so an offline machine has none.
  sampleListing({
    id: hex(4, 'd'),
    status: 'offline',
    statusRaw: 'StakerReportOffline',
    gpuModel: 'GeForceRTX4090',
    gpuCount: 2,
    freeGpus: 0,
    calcPoint: 2 * 1_400,
  }),
  sampleListing({
    id: hex(5, 'e'),
    gpuModel: 'GeForceRTX3080',
    gpuCount: 1,
    freeGpus: 1,
    calcPoint: 700,
    country: 'US',
    region: 'north-america',
  }),
  sampleListing({ id: hex(6, 'f'), gpuModel: 'GeForceRTX4090', gpuCount: 8, freeGpus: 8, calcPoint: 8 * 1_300 }),
];

const CONNECTED: NetworkStatus = {
  network: 'practice',
  state: 'connected',
  endpoint: 'ws://127.0.0.1:9944',
  bestBlock: 1_500,
  specVersion: 400,
};

function snapshot(source: 'cache' | 'chain', rows: Listing[] = ROWS): MarketSnapshot {
  return {
    source,
    savedAt: source === 'cache' ? Math.floor(Date.now() / 1000) - 300 : undefined,
    blockNumber: 1_490,
    specVersion: 400,
    params: { standard: null, avgPrice: null, fixedTxFee: null, maxRentalDays: 60 },
    rows,
    counters: { machines: rows.length, gpus: 0, idleGpus: 0 },
  };
}

let current: MarketSnapshot | null;
let status: NetworkStatus;
let language: 'en' | 'zh';

function mockBackend() {
  mockCommands({
    app_info: () => ({ version: '0.1.0', dataDir: '/d', logDir: '/d/logs' }),
    get_settings: () => ({ language, network: 'practice' }),
    network_status: () => status,
    wallet_overview: noAccounts,
    market_snapshot: () => current,
  });
}

/** The machine rows in the DOM, in order. */
function rowIds(): string[] {
  return [...document.querySelectorAll<HTMLElement>('[data-testid^="machine-row-"]')]
    .sort((a, b) => rowTop(a) - rowTop(b))
    .map((el) => el.dataset.testid!.slice('machine-row-'.length));
}

function rowTop(el: HTMLElement): number {
  return Number(/translateY\((\d+)px\)/.exec(el.getAttribute('style') ?? '')?.[1] ?? 0);
}

async function openMachines() {
  render(App);
  await fireEvent.click(screen.getByTestId('nav-machine'));
  return screen.findByTestId('screen-machine');
}

async function select(testid: string, value: string) {
  await fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

beforeAll(stubResizeObserver);

eachTest(() => {
  current = snapshot('cache');
  status = CONNECTED;
  machineChoice.clear();
  language = 'en';
});

describe('Machine step', () => {
  test('the cached list shows at once, marked, with the idle filter by default', async () => {
    mockBackend();
    await openMachines();
    const cached = await screen.findByTestId('market-cached');
    expect(cached.textContent).toContain('Cached list');
    expect(cached.textContent).toContain('5 minutes ago');
    expect(screen.getByTestId('market-refreshing')).toBeTruthy();
    expect((screen.getByTestId('market-filter-status') as HTMLSelectElement).value).toBe('idle');
    // Idle = a GPU free now: idle machines and the partly rented one, not rented/offline.
    expect(new Set(rowIds())).toEqual(new Set([hex(1, 'a'), hex(2, 'b'), hex(5, 'e'), hex(6, 'f')]));
    expect(screen.getByTestId('market-count-machines').textContent).toBe('4');
    expect(screen.getByTestId('market-count-gpus').textContent).toBe(String(4 + 8 + 1 + 8));
    expect(screen.getByTestId('market-count-idle-gpus').textContent).toBe(String(4 + 3 + 1 + 8));

    await select('market-filter-status', 'all');
    expect(rowIds()).toHaveLength(6);
    expect(screen.getByTestId('market-count-idle-gpus').textContent).toBe(String(4 + 3 + 1 + 8));
  });

  test('a GPU model narrows the list; sorting by price orders it, cheapest first', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    const options = [...(screen.getByTestId('market-filter-gpu') as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(['', 'GeForceRTX3080', 'GeForceRTX3090', 'GeForceRTX4090', 'NVIDIA A100']);

    await select('market-filter-gpu', 'GeForceRTX4090');
    expect(rowIds()).toEqual([hex(6, 'f'), hex(1, 'a')]); // 1,300 < 1,400 calc points per GPU
    expect(screen.getByTestId('market-count-machines').textContent).toBe('2');

    await select('market-filter-gpu', '');
    await select('market-sort', 'price');
    const prices = rowIds().map((id) => BigInt(screen.getByTestId(`machine-price-${id}`).dataset.planck!));
    expect(prices).toHaveLength(4);
    for (let i = 1; i < prices.length; i++) expect(prices[i - 1] <= prices[i]).toBe(true);

    await select('market-sort', 'free');
    expect(rowIds()[0]).toBe(hex(6, 'f'));

    await fireEvent.input(screen.getByTestId('market-search'), { target: { value: 'E005' } });
    expect(rowIds()).toEqual([hex(5, 'e')]);
    await fireEvent.input(screen.getByTestId('market-search'), { target: { value: 'zzz' } });
    expect(screen.getByTestId('market-empty')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('market-empty-reset'));
    expect(rowIds()).toHaveLength(4);
  });

  test('region select offers continents and countries by name; a country narrows', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    const region = screen.getByTestId('market-filter-region') as HTMLSelectElement;
    const labels = [...region.options].map((o) => o.textContent?.trim());
    expect(labels).toContain('Germany');
    expect(labels).toContain('All of Europe');
    await select('market-filter-region', 'country:DE');
    expect(rowIds()).toEqual([hex(2, 'b')]);
  });

  test('the chain replaces the cache live: the marker goes', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId('market-cached');
    const fresh = snapshot(
      'chain',
      ROWS.filter((r) => r.id !== hex(6, 'f')),
    );
    await emit('market-updated', fresh);
    await waitFor(() => expect(screen.queryByTestId('market-cached')).toBeNull());
    expect(screen.getByTestId('market-live').textContent).toContain('1,490');
    expect(rowIds()).not.toContain(hex(6, 'f'));
  });

  test('selecting a row shows every detail; Rent this opens the Rent step with that machine', async () => {
    mockBackend();
    await openMachines();
    await fireEvent.click(await screen.findByTestId(`machine-row-${hex(2, 'b')}`));
    const detail = screen.getByTestId('machine-detail');
    expect(within(detail).getByTestId('machine-detail-id').textContent).toBe(hex(2, 'b'));
    expect(within(detail).getByTestId('machine-detail-gpus').textContent).toBe('3 of 8 free');
    expect(within(detail).getByTestId('machine-detail-country').textContent).toBe('Germany');
    expect(detail.textContent).toContain('AMD EPYC 7543');
    expect(detail.textContent).toContain('2.80 GHz');
    expect(detail.textContent).toContain('30.6667° N, 104.0667° E');
    expect(detail.textContent).toContain('block 1,300');
    const rent = screen.getByTestId('machine-rent-this') as HTMLButtonElement;
    expect(rent.disabled).toBe(false);

    await fireEvent.click(rent);
    expect(await screen.findByTestId('screen-rent')).toBeTruthy();
    expect(screen.getByTestId('rent-machine-id').textContent).toBe(hex(2, 'b'));
    expect(screen.getByTestId('rent-machine-gpu').textContent).toContain('GeForceRTX3090');
    expect(screen.getByTestId('rent-machine-free').textContent).toContain('3 of 8');
    expect(machineChoice.selectedMachine?.id).toBe(hex(2, 'b'));

    // Back on the list: the choice and the filters are as they were.
    await fireEvent.click(screen.getByTestId('rent-change-machine'));
    expect(await screen.findByTestId('screen-machine')).toBeTruthy();
    expect(screen.getByTestId('machine-detail-id').textContent).toBe(hex(2, 'b'));
  });

  test('Rent this is disabled, with the reason, for a machine that cannot be rented', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId('market-filter-status');
    await select('market-filter-status', 'all');
    await fireEvent.click(await screen.findByTestId(`machine-row-${hex(3, 'c')}`));
    expect((screen.getByTestId('machine-rent-this') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('machine-rent-reason').textContent).toContain('Every GPU');
    await fireEvent.click(screen.getByTestId(`machine-row-${hex(4, 'd')}`));
    expect(screen.getByTestId('machine-rent-reason').textContent).toContain('offline');
    await fireEvent.click(screen.getByTestId('machine-detail-close'));
    expect(screen.queryByTestId('machine-detail')).toBeNull();
  });

  test('offline with no list: says so and leads to Settings; connected: loading', async () => {
    current = null;
    status = { ...CONNECTED, state: 'offline', bestBlock: null };
    mockBackend();
    await openMachines();
    expect(await screen.findByTestId('market-offline')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('market-open-settings'));
    expect(await screen.findByTestId('screen-settings')).toBeTruthy();
    cleanup();

    status = CONNECTED;
    await openMachines();
    expect(await screen.findByTestId('market-loading')).toBeTruthy();
  });

  test('an exited machine: its own filter option and badge, never idle, and why it cannot be rented', async () => {
    // The chain keeps an exited machine's GPU record; the core reports none of it free.
    const exited = sampleListing({ id: hex(7, '9'), status: 'exited', statusRaw: 'Exit', gpuCount: 2 });
    current = snapshot('cache', [...ROWS, exited]);
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    expect(rowIds()).not.toContain(hex(7, '9'));
    const options = [...(screen.getByTestId('market-filter-status') as HTMLSelectElement).options];
    expect(options.find((o) => o.value === 'exited')?.textContent?.trim()).toBe('Exited');
    await select('market-filter-status', 'exited');
    expect(rowIds()).toEqual([hex(7, '9')]);
    await fireEvent.click(screen.getByTestId(`machine-row-${hex(7, '9')}`));
    const badge = screen.getByTestId('machine-detail-status');
    expect([badge.dataset.status, badge.textContent, badge.title]).toEqual(['exited', 'Exited', 'Exit']);
    expect((screen.getByTestId('machine-rent-this') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('machine-rent-reason').textContent).toContain('left the DBC network');

    cleanup();
    language = 'zh';
    applyLanguage('zh');
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    await select('market-filter-status', 'exited');
    await fireEvent.click(screen.getByTestId(`machine-row-${hex(7, '9')}`));
    expect(screen.getByTestId('machine-detail-status').textContent).toBe('已退出');
    expect(screen.getByTestId('machine-rent-reason').textContent).toContain('已退出 DBC 网络');
  });

  test('an unrentable machine shows no free GPU anywhere, and the detail says why', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId('market-filter-status');
    await select('market-filter-status', 'offline');
    expect(rowIds()).toEqual([hex(4, 'd')]);
    expect(screen.getByTestId(`machine-free-${hex(4, 'd')}`).textContent).toBe('0 / 2');
    expect(screen.getByTestId('market-count-idle-gpus').textContent).toBe('0');
    await fireEvent.click(screen.getByTestId(`machine-row-${hex(4, 'd')}`));
    expect(screen.getByTestId('machine-detail-gpus').textContent).toBe('0 of 2 free');
    expect(screen.getByTestId('machine-detail-gpus-why').textContent).toBe('This machine is offline.');
    // A fully rented machine's GPUs are taken, not unavailable: no status line there.
    await select('market-filter-status', 'rented');
    await fireEvent.click(screen.getByTestId(`machine-row-${hex(3, 'c')}`));
    expect(screen.queryByTestId('machine-detail-gpus-why')).toBeNull();
  });

  test('the header: the block the list was read at and the live best block; offline since when', async () => {
    current = snapshot('chain');
    status = { ...CONNECTED, bestBlock: 1_523 };
    mockBackend();
    await openMachines();
    expect((await screen.findByTestId('market-live')).textContent).toContain('List read at block 1,490');
    expect(screen.getByTestId('market-best').textContent).toBe('Chain at block 1,523');
    expect(screen.queryByTestId('market-offline-since')).toBeNull();
    // The connection drops: no "live" claim, since when it is offline instead.
    await emit('network-status', { ...status, state: 'offline' });
    const since = await screen.findByTestId('market-offline-since');
    expect(since.textContent).toMatch(/^Offline since \d\d:\d\d$/);
    expect(screen.queryByTestId('market-best')).toBeNull();
    expect(screen.getByTestId('market-live').textContent).not.toContain('Live');
    // A cached list while offline says both.
    await emit('market-updated', snapshot('cache'));
    await waitFor(() => expect(screen.getByTestId('market-cached').textContent).toContain('5 minutes ago'));
    expect(screen.getByTestId('market-offline-since').textContent).toContain('Offline since');
  });

  test('the id search matches the shortened id as the list shows it', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    const id = hex(2, 'b');
    const short = `${id.slice(0, 8)}…${id.slice(-4)}`;
    await fireEvent.input(screen.getByTestId('market-search'), { target: { value: short } });
    expect(rowIds()).toEqual([id]);
    await fireEvent.input(screen.getByTestId('market-search'), { target: { value: `${id.slice(0, 8)}...${id.slice(-4)}` } });
    expect(rowIds()).toEqual([id]);
    await fireEvent.input(screen.getByTestId('market-search'), { target: { value: `${id.slice(0, 8)}…ffff` } });
    expect(rowIds()).toEqual([]);
  });

  test('the price filter says when a bound is not a price, and when min is above max', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    expect(screen.queryByTestId('market-filter-price-error')).toBeNull();
    await fireEvent.input(screen.getByTestId('market-filter-price-min'), { target: { value: 'abc' } });
    expect(screen.getByTestId('market-filter-price-error').textContent).toContain('“abc” is not a price');
    await fireEvent.input(screen.getByTestId('market-filter-price-min'), { target: { value: '2' } });
    await fireEvent.input(screen.getByTestId('market-filter-price-max'), { target: { value: '0.5' } });
    expect(screen.getByTestId('market-filter-price-error').textContent).toBe(
      'The lowest price (2) is above the highest (0.5), so no machine can match.',
    );
    await fireEvent.input(screen.getByTestId('market-filter-price-max'), { target: { value: '5' } });
    expect(screen.queryByTestId('market-filter-price-error')).toBeNull();
  });

  test('the Rent step without a choice leads back to the list', async () => {
    mockBackend();
    render(App);
    await fireEvent.click(screen.getByTestId('nav-rent'));
    expect(await screen.findByTestId('rent-no-machine')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('rent-pick-machine'));
    expect(await screen.findByTestId('screen-machine')).toBeTruthy();
  });

  test('in Chinese', async () => {
    language = 'zh';
    applyLanguage('zh');
    mockBackend();
    await openMachines();
    expect((await screen.findByTestId('market-cached')).textContent).toContain('缓存列表');
    expect(screen.getByTestId('screen-title').textContent).toBe('选择 GPU 机器');
  });
});

describe('virtualized list', () => {
  test('10,000 machines put only a window of rows in the DOM, and scrolling moves it', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      sampleListing({ id: i.toString(16).padStart(64, '0'), calcPoint: 4 * (1_000 + (i % 997)), gpuCount: 4 }),
    );
    current = snapshot('cache', many);
    mockBackend();
    await openMachines();
    const list = await screen.findByTestId('machine-list');
    expect(list.dataset.rows).toBe('10000');
    expect(screen.getByTestId('market-count-machines').textContent).toBe('10,000');
    const first = rowIds();
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(40);
    // The spacer keeps the full height, so the scrollbar is right.
    expect((list.firstElementChild as HTMLElement).style.height).toBe(`${10_000 * 52}px`);

    list.scrollTop = 52 * 5_000;
    await fireEvent.scroll(list);
    const later = rowIds();
    expect(later.length).toBeLessThan(40);
    expect(later).not.toContain(first[0]);
    const tops = [...document.querySelectorAll<HTMLElement>('[data-testid^="machine-row-"]')].map(rowTop);
    expect(Math.min(...tops)).toBeGreaterThan(52 * 4_900);
  });

  test('the first painted rows are recorded for the bench', async () => {
    mockBackend();
    await openMachines();
    await screen.findByTestId(`machine-row-${hex(1, 'a')}`);
    await waitFor(() => expect(window.__dbcMarketPaint).toBeDefined());
    expect(window.__dbcMarketPaint!.source).toBe('cache');
    expect(window.__dbcMarketPaint!.rows).toBeGreaterThan(0);
  });
});
