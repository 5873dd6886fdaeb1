// The rentals as the Rust side sends them (src-tauri/src/rental.rs and commands/rental.rs;
// the records are `dbc::rental::Rental`, camelCase). Money is planck as decimal strings;
// chain time is block numbers.
export type Stage = 'placing' | 'placed' | 'vm-creating' | 'vm-ready' | 'confirming' | 'renting' | 'ended' | 'lapsed' | 'failed';

export interface OrderFacts {
  rentId: number;
  rentStart: number;
  rentEnd: number;
  /** The last block `confirm_rent` is accepted in. */
  confirmDeadline: number;
  reserved: string;
  /** The 10 DBC order fee (kept by the chain even if the order lapses). */
  orderFee: string;
  confirmedAt: number | null;
  paid: string;
}

export interface VmFacts {
  clientUrl: string;
  taskId: string;
  image: string;
  rdpPort: number;
  vncPort: number;
  /** The last status the DBC client reported (`creating`, `running`, `closed`, …). */
  status: string;
  host: string | null;
  user: string | null;
}

export interface RentalQuote {
  gpus: number;
  blocks: number;
  rent: string;
  orderFee: string;
  txFeeEstimate: string;
}

export interface ErrorShape {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface Rental {
  /** Local id (the journal's); `rentId` once the chain gave one. */
  id: string;
  account: string;
  machineId: string;
  gpus: number;
  blocks: number;
  quote: RentalQuote | null;
  stage: Stage;
  order: OrderFacts | null;
  vm: VmFacts | null;
  /** A transaction in flight (its signed bytes are public once sent). */
  pending: { call: string; extrinsicHash: string; nonce: number } | null;
  lastError: ErrorShape | null;
  /** The block a lapsed or ended rental stopped at (its confirm deadline, or its end). */
  closedAt?: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface RentalsSnapshot {
  network: string;
  genesis: string;
  /** The active account, `null` without a wallet. */
  account: string | null;
  bestBlock: number;
  rentals: Rental[];
  /** The last sync with the chain failed: the list is the journal's. */
  syncError: ErrorShape | null;
}

/** VM creation progress (`dbc::rental::VmEvent`). */
export type VmEvent =
  | { step: 'planned'; taskId: string; image: string; rdpPort: number; vncPort: number; cpuCores: number; memGb: number; diskGb: number }
  | { step: 'create'; event: 'sending'; attempt: number }
  | { step: 'create'; event: 'port-conflict'; port: number | null; rdpPort: number; vncPort: number }
  | { step: 'create'; event: 'busy'; retryInSecs: number }
  | { step: 'create'; event: 'resolving'; reason: string }
  | { step: 'create'; event: 'resending' }
  | {
      step: 'poll';
      taskId: string;
      status: string | null;
      kind: 'creating' | 'running' | 'off' | 'transitional' | 'failed' | 'unknown' | null;
      changed: boolean;
      elapsedSecs: number;
      polls: number;
      error: ErrorShape | null;
    };

export interface VmCreated {
  rental: Rental;
  status: string;
}

export interface VmLogin {
  rental: Rental;
  status: string;
  host: string;
  port: number | null;
  user: string;
  /** `null` when the image has no guest agent ("N/A"). */
  password: string | null;
}

export interface RdpCheck {
  host: string;
  port: number;
}

export interface RenewQuote {
  askedBlocks: number;
  /** What the 60-day horizon leaves of it (0: nothing can be added). */
  blocks: number;
  capped: boolean;
  rent: string;
  txFeeEstimate: string;
  total: string;
  rentEnd: number;
  newEnd: number;
  atBlock: number;
  /** The renter's transferable balance now (planck). */
  available: string;
  /** The balance covers rent + fee (the core's rule, checked before any password). */
  enough: boolean;
}

export interface Renewed {
  rental: Rental;
  addedBlocks: number;
  paid: string;
}

export type PowerOp = 'start' | 'stop' | 'restart' | 'delete';

export interface ConnectionCheck {
  url: string;
  clientVersion: string;
  nodes: number;
  machine: { nodeId: string; name: string; version: string } | null;
  /** The machine's Windows images. */
  images: Array<{ name: string; size: string }>;
}

export interface RentalSettings {
  computeClients: string[];
  /** The practice network's own DBC client while on practice. */
  practiceClient: string | null;
  reminderLeadsMinutes: number[];
  defaultReminderLeadsMinutes: number[];
}

export type Reminder = {
  key: string;
  rentalId: string;
  rentId: number;
  machineId: string;
  blocksLeft: number;
} & ({ kind: 'expiry'; leadMinutes: number } | { kind: 'confirm-window' });
