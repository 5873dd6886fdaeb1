import { describe, expect, test } from 'vitest';
import {
  countersOf,
  DEFAULT_FILTER,
  filterAndSort,
  gpuModelsOf,
  keeps,
  parseUsdMicro,
  placesOf,
  priceBoundValid,
  type MarketFilter,
  type SortKey,
} from './filter';
import { sampleListing, samplePrice } from './sample';
import type { Listing } from './types';
import fixture from './sort-fixture.json';

// The core's own test market (crates/dbc/src/market/filter.rs `market()`), so both agree.
const MARKET: Listing[] = [
  sampleListing({ id: 'a1', status: 'idle', gpuModel: 'GeForceRTX4090', gpuCount: 4, freeGpus: 4, calcPoint: 4 * 1_400 }),
  sampleListing({ id: 'b2', status: 'partly-rented', gpuModel: 'GeForceRTX3090', gpuCount: 8, freeGpus: 3, calcPoint: 8 * 900 }),
  sampleListing({ id: 'c3', status: 'rented', gpuModel: 'NVIDIA A100', gpuCount: 8, freeGpus: 0, calcPoint: 8 * 2_000 }),
  sampleListing({ id: 'd4', status: 'offline', gpuModel: 'GeForceRTX4090', gpuCount: 2, freeGpus: 2, calcPoint: 2 * 1_400 }),
  sampleListing({ id: 'e5', status: 'idle', gpuModel: 'GeForceRTX3080', gpuCount: 1, freeGpus: 1, calcPoint: 700 }),
];

const ALL: MarketFilter = { ...DEFAULT_FILTER, status: 'all' };
const ids = (rows: Listing[]) => rows.map((r) => r.id);
const list = (filter: Partial<MarketFilter>, sort: SortKey = 'price') => ids(filterAndSort(MARKET, { ...ALL, ...filter }, sort));

describe('filters', () => {
  test('idle, the default, means a GPU free now, partly rented included', () => {
    expect(ids(filterAndSort(MARKET, DEFAULT_FILTER, 'free'))).toEqual(['a1', 'b2', 'e5']);
    // A "partly rented" machine with no free GPU left is not idle.
    const odd = sampleListing({ id: 'z', status: 'partly-rented', freeGpus: 0 });
    expect(keeps(DEFAULT_FILTER, odd)).toBe(false);
  });

  test('status, GPU model, free GPUs and id search combine', () => {
    expect(list({ gpuModel: 'GeForceRTX4090', minFree: 3 })).toEqual(['a1']);
    expect(list({ status: 'rented' }, 'calc')).toEqual(['c3']);
    expect(list({ status: 'offline' })).toEqual(['d4']);
    // An exited machine may still show free GPUs: only its own status option finds it.
    const exited = sampleListing({ id: 'x6', status: 'exited', statusRaw: 'Exit', freeGpus: 2 });
    expect(keeps(DEFAULT_FILTER, exited)).toBe(false);
    expect(keeps({ ...ALL, status: 'exited' }, exited)).toBe(true);
    expect(keeps({ ...ALL, status: 'offline' }, exited)).toBe(false);
    expect(list({ search: 'C3' })).toEqual(['c3']);
    expect(list({ search: '  ' })).toHaveLength(5);
    // The model select is exact: "4090" alone is not a model.
    expect(list({ gpuModel: '4090' })).toEqual([]);
  });

  test('GPU memory and RAM minimums; a missing value counts as 0', () => {
    const rows = [sampleListing({ id: 'm1', gpuMemGb: 80, ramGb: 512 }), sampleListing({ id: 'm2', gpuMemGb: null, ramGb: 64 })];
    expect(ids(filterAndSort(rows, { ...ALL, minGpuMemGb: 48 }, 'price'))).toEqual(['m1']);
    expect(ids(filterAndSort(rows, { ...ALL, minRamGb: 64 }, 'price'))).toEqual(['m1', 'm2']);
    expect(ids(filterAndSort(rows, { ...ALL, minRamGb: 128 }, 'price'))).toEqual(['m1']);
  });

  test('price range in USD per GPU-hour, inclusive, integer micro-dollars', () => {
    const e5 = MARKET[4].price!.usdMicroPerGpuHour;
    const b2 = MARKET[1].price!.usdMicroPerGpuHour;
    expect(e5).toBeLessThan(b2);
    const usd = (micro: number) => `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, '0')}`;
    expect(list({ priceMax: usd(e5) })).toEqual(['e5']);
    expect(list({ priceMin: usd(e5 + 1), priceMax: usd(b2) })).toEqual(['b2']);
    // An unusable bound is ignored (the input shows it invalid), not a filter that hides all.
    expect(list({ priceMin: 'abc' })).toHaveLength(5);
    // Machines without a price never match a price bound.
    const unpriced = sampleListing({ id: 'np', price: null });
    expect(keeps({ ...ALL, priceMin: '0' }, unpriced)).toBe(false);
    expect(keeps(ALL, unpriced)).toBe(true);
  });

  test('region and country', () => {
    const rows = [
      sampleListing({ id: 'cn', country: 'CN', region: 'asia' }),
      sampleListing({ id: 'jp', country: 'JP', region: 'asia' }),
      sampleListing({ id: 'de', country: 'DE', region: 'europe' }),
      sampleListing({ id: 'sea', country: null, region: null }),
    ];
    expect(ids(filterAndSort(rows, { ...ALL, place: 'region:asia' }, 'price'))).toEqual(['cn', 'jp']);
    expect(ids(filterAndSort(rows, { ...ALL, place: 'country:DE' }, 'price'))).toEqual(['de']);
    expect(placesOf(rows)).toEqual([
      { region: 'asia', countries: ['CN', 'JP'] },
      { region: 'europe', countries: ['DE'] },
    ]);
  });

  test('USD parsing is exact and strict', () => {
    expect(parseUsdMicro('0.1072')).toBe(107_200);
    expect(parseUsdMicro('2')).toBe(2_000_000);
    expect(parseUsdMicro('.5')).toBe(500_000);
    expect(parseUsdMicro('0.0000001')).toBeNull();
    expect(parseUsdMicro('-1')).toBeNull();
    expect(parseUsdMicro('')).toBeNull();
    expect(parseUsdMicro('1e3')).toBeNull();
    expect(priceBoundValid('')).toBe(true);
    expect(priceBoundValid('x')).toBe(false);
  });
});

describe('sorting (the core SortKey order, ties by id)', () => {
  test('price per GPU-hour, cheapest first, unpriced last', () => {
    expect(list({}, 'price')).toEqual(['e5', 'b2', 'a1', 'd4', 'c3']);
    const rows = [sampleListing({ id: 'x', price: null }), ...MARKET];
    expect(ids(filterAndSort(rows, ALL, 'price')).at(-1)).toBe('x');
  });

  test('equal keys fall back to the id, so the order is total', () => {
    const rows = ['f', 'c', 'e', 'a'].map((id) => sampleListing({ id, calcPoint: 5_600, gpuCount: 4 }));
    for (const key of ['price', 'price-per-point', 'free', 'calc', 'memory', 'online'] as SortKey[]) {
      expect(ids(filterAndSort(rows, ALL, key)), key).toEqual(['a', 'c', 'e', 'f']);
    }
  });

  test('free GPUs, calc points and GPU memory: most first; missing memory last', () => {
    expect(list({}, 'free').slice(0, 2)).toEqual(['a1', 'b2']);
    expect(list({}, 'calc')[0]).toBe('c3');
    const rows = [
      sampleListing({ id: 'n', gpuMemGb: null }),
      sampleListing({ id: 'm', gpuMemGb: 80 }),
      sampleListing({ id: 'k', gpuMemGb: 24 }),
    ];
    expect(ids(filterAndSort(rows, ALL, 'memory'))).toEqual(['m', 'k', 'n']);
  });

  test('online: lowest online height (longest online) first, unknown last', () => {
    const rows = [
      sampleListing({ id: 'u', onlineHeight: null }),
      sampleListing({ id: 'new', onlineHeight: 9_000 }),
      sampleListing({ id: 'old', onlineHeight: 100 }),
    ];
    expect(ids(filterAndSort(rows, ALL, 'online'))).toEqual(['old', 'new', 'u']);
  });

  test('price per calc point never decreases (cross-multiplied exactly)', () => {
    const rows = filterAndSort(MARKET, ALL, 'price-per-point');
    expect(rows).toHaveLength(5);
    const key = (l: Listing) => [BigInt(l.price!.planckPerGpuHour), BigInt(Math.floor(l.calcPoint / l.gpuCount))] as const;
    for (let i = 1; i < rows.length; i++) {
      const [pa, ca] = key(rows[i - 1]);
      const [pb, cb] = key(rows[i]);
      expect(pa * cb <= pb * ca).toBe(true);
    }
  });

  test('sorting does not mutate its input', () => {
    const before = ids(MARKET);
    filterAndSort(MARKET, ALL, 'free');
    expect(ids(MARKET)).toEqual(before);
  });
});

describe('counters and choices', () => {
  test('idle GPUs count only where rentable now (the core counters)', () => {
    expect(countersOf(filterAndSort(MARKET, ALL, 'free'))).toEqual({ machines: 5, gpus: 23, idleGpus: 4 + 3 + 1 });
    expect(countersOf([])).toEqual({ machines: 0, gpus: 0, idleGpus: 0 });
  });

  test('GPU models present, sorted and distinct', () => {
    expect(gpuModelsOf(MARKET)).toEqual(['GeForceRTX3080', 'GeForceRTX3090', 'GeForceRTX4090', 'NVIDIA A100']);
  });

  test('the sample prices reproduce the market reference example', () => {
    // 2080 Ti x4, calc point 60775 (market.md §7.1; price.rs reproduces_the_market_reference_example).
    const p = samplePrice(60_775, 4)!;
    expect(p.usdMicroPerMachineDay).toBe(10_293_461);
    expect(p.usdMicroPerGpuDay).toBe(2_573_365);
    expect(p.usdMicroPerGpuHour).toBe(107_223);
    expect(p.planckPerGpuHour).toBe(((BigInt(107_223) * BigInt(10) ** BigInt(15)) / BigInt(500)).toString());
  });
});

// The core's own orders for a market built to stress them (equal keys, unpriced rows,
// missing memory and online heights), generated by src-tauri/src/market.rs.

describe('the same order as the core, row for row', () => {
  const rows = fixture.rows as unknown as Listing[];
  const keys = Object.keys(fixture.orders) as SortKey[];

  test('the fixture covers every sort key and the tricky cases', () => {
    expect([...keys].sort()).toEqual(['calc', 'free', 'memory', 'online', 'price', 'price-per-point']);
    expect(rows.some((r) => r.price === null)).toBe(true);
    expect(rows.some((r) => r.gpuMemGb == null)).toBe(true);
    expect(rows.some((r) => r.status === 'exited')).toBe(true);
  });

  test.each(keys)('all statuses, sorted by %s', (key) => {
    expect(ids(filterAndSort(rows, ALL, key))).toEqual(fixture.orders[key]);
  });

  test.each(keys)('idle only, sorted by %s', (key) => {
    expect(ids(filterAndSort(rows, DEFAULT_FILTER, key))).toEqual(fixture.idleOrders[key]);
  });

  test('idle counters', () => {
    expect(countersOf(filterAndSort(rows, DEFAULT_FILTER, 'price'))).toEqual(fixture.idleCounters);
  });
});
