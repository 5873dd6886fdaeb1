// The machine list as the Rust side sends it (src-tauri/src/market.rs): each row is a
// `dbc::market::Machine` (camelCase) plus its `MachinePrice`. Money is planck as decimal
// strings, USD as integer micro-dollars; optional fields may be `null` or absent.

export type MachineStatus = 'idle' | 'partly-rented' | 'rented' | 'offline' | 'exited' | 'other';

/** Continent of the machine's coordinates (offline lookup in the core). */
export type Region = 'asia' | 'europe' | 'north-america' | 'south-america' | 'africa' | 'oceania' | 'antarctica';

export const REGIONS: readonly Region[] = ['asia', 'europe', 'north-america', 'south-america', 'africa', 'oceania', 'antarctica'];

/** The chain's integer price of one machine (crates/dbc/src/market/price.rs). */
export interface MachinePrice {
  /** USD×10^6. */
  usdMicroPerGpuDay: number;
  usdMicroPerGpuHour: number;
  usdMicroPerMachineDay: number;
  /** Planck, decimal strings. */
  planckPerGpuDay: string;
  planckPerGpuHour: string;
  planckPerMachineDay: string;
}

export interface Listing {
  /** 64 lowercase hex characters. */
  id: string;
  status: MachineStatus;
  /** The chain's `MachineStatus` variant, e.g. `StakerReportOffline`. */
  statusRaw: string;
  gpuModel: string;
  gpuCount: number;
  rentedGpus: number;
  freeGpus: number;
  gpuMemGb?: number | null;
  cudaCores?: number | null;
  /** ×100 (Galaxy Race shows calcPoint / 100). */
  calcPoint: number;
  cpuModel?: string | null;
  cpuCores?: number | null;
  cpuMhz?: number | null;
  ramGb?: number | null;
  sysDiskGb?: number | null;
  dataDiskGb?: number | null;
  uploadMbps?: number | null;
  downloadMbps?: number | null;
  /** Degrees ×10^4, east positive. */
  longitude?: number | null;
  /** Degrees ×10^4, north positive. */
  latitude?: number | null;
  telecomOperators?: string[];
  serverRoom?: string | null;
  isBareMachine?: boolean | null;
  bondingHeight?: number | null;
  onlineHeight?: number | null;
  /** The latest end block of the machine's live orders. */
  rentedUntil?: number | null;
  /** USD micro per GPU per day (runtimes with `MachineExtraPrice`). */
  extraPricePerGpu?: number | null;
  /** ISO 3166-1 alpha-2, uppercase. */
  country?: string | null;
  region?: Region | null;
  price: MachinePrice | null;
}

export interface Counters {
  machines: number;
  gpus: number;
  idleGpus: number;
}

export interface PricingParams {
  standard: { gpuPoint: number; gpuPrice: number } | null;
  /** USD micro per DBC. */
  avgPrice: number | null;
  /** The order fee, planck. */
  fixedTxFee: string | null;
  maxRentalDays: number;
}

export interface MarketSnapshot {
  /** `cache` until the list was read from the chain in this session. */
  source: 'cache' | 'chain';
  /** Unix seconds when the cached copy was saved (cache only). */
  savedAt?: number | null;
  blockNumber: number;
  specVersion: number;
  params?: PricingParams;
  rows: Listing[];
  /** Over every row (the screen counts its filtered list itself). */
  counters: Counters;
}

/** What renting costs, checked as the chain checks it (planck strings). */
export interface MarketQuote {
  gpus: number;
  /** The duration as charged, in blocks. */
  blocks: number;
  rent: string;
  orderFee: string;
  txFeeEstimate: string;
  total: string;
  /** The block whose prices were used. */
  atBlock: number;
}
