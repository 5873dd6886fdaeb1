// Generated from the Rust definitions by src-tauri/src/contract.rs: do not edit.
// Regenerate: UPDATE_CONTRACT=1 cargo test -p dbc-rent-app --lib contract
/* eslint-disable */
import type { Channel } from '@tauri-apps/api/core';
import { call } from './call';

// --- Types (ts-rs, from the serde attributes) ---

/**
 * How the account came in; decides what can be shown or exported later.
 */
export type AccountSource = "created" | "mnemonic" | "seed" | "json";

export type AccountView = { id: string, name: string, address: string, backedUp: boolean, source: AccountSource, hasMnemonic: boolean, };

export type AddressCheck = { valid: boolean, address: string | null, reason: string | null, };

export type AppInfo = { version: string, dataDir: string, logDir: string, };

/**
 * The `wallet-balance` event: the active account's balance after a new block.
 */
export type BalanceEvent = { id: string, address: string, balance: BalanceView, };

export type BalanceView = { block: number | null, free: string, reserved: string, 
/**
 * What locks and freezes hold back inside `free` (staking, votes, vesting).
 */
frozen: string, 
/**
 * What a transfer can move: `free - frozen`, floored at 0.
 */
transferable: string, };

export type Challenge = { pool: Array<string>, };

/**
 * One rental's checklist as the UI shows it: every known item, in order.
 */
export type Checklist = { rentKey: string, items: Array<ChecklistEntry>, 
/**
 * How many items are done.
 */
done: number, total: number, };

export type ChecklistEntry = { id: ChecklistItem, done: boolean, };

/**
 * The steps of the guide, in the order the user does them.
 */
export type ChecklistItem = "driver-checked" | "omniverse-installed" | "audio2face-installed" | "first-launch-done" | "test-audio-played";

/**
 * The VM step's client, chosen for the user: the best of
 * [`live_clients`] (none when no client reaches the machine), with what
 * every client answered.
 */
export type ChosenClient = { 
/**
 * The client to use, `None` when none can reach the machine now.
 */
url: string | null, 
/**
 * The usable clients, best first.
 */
ranked: Array<string>, checked: Array<ClientHealth>, };

/**
 * The error of a failed check, in the one error shape's terms.
 */
export type ClientFailure = { code: string, message: string, };

/**
 * What one DBC client answered when it was last checked.
 */
export type ClientHealth = { 
/**
 * The normalized base URL, or the text as given when it is not a URL.
 */
url: string, 
/**
 * `client_version` from `GET /api/v1/`; `None` when it did not answer.
 */
version: string | null, 
/**
 * The round trip of `GET /api/v1/` in milliseconds.
 */
rttMs: number | null, 
/**
 * Whether its node list holds the machine: `None` when no machine was
 * asked about or the client did not answer.
 */
seesMachine: boolean | null, 
/**
 * How many nodes it sees now.
 */
nodesSeen: number | null, 
/**
 * How many of those are machines of the connected chain (given its
 * machine list): a client of another DBC network, or one cut off from
 * the network, sees none. `None` when not known.
 */
chainMachinesSeen: number | null, 
/**
 * Why it does not qualify: the error code and message of the failed call.
 */
error: ClientFailure | null, 
/**
 * When it was checked, Unix milliseconds.
 */
checkedAtMs: number, };

/**
 * One change of client, for the UI's progress and the CLI's stderr.
 */
export type ClientSwitch = { from: string, to: string, 
/**
 * The error code that made `from` unusable.
 */
reason: string, };

/**
 * Where the connection to the chosen network stands.
 */
export type ConnectionState = "not-connected" | "connecting" | "connected" | "reconnecting" | "offline";

/**
 * What "Test connection" found.
 */
export type ConnectionView = { url: string, clientVersion: string, 
/**
 * Nodes the client sees now.
 */
nodes: number, 
/**
 * The rented machine as the client lists it (when one was given).
 */
machine: NodeSummary | null, 
/**
 * The machine's Windows images (the VM step's picker).
 */
images: Array<ImageInfo>, 
/**
 * The machine's Ubuntu/Linux images (names with `ubuntu` or `linux`).
 */
linuxImages: Array<ImageInfo>, };

export type Copied = { field: Field, 
/**
 * Seconds until a copied password is taken off the clipboard again.
 */
clearsInSecs: number | null, };

/**
 * Counters over a list: machines, GPUs, idle GPUs.
 */
export type Counters = { machines: number, gpus: number, idleGpus: number, };

/**
 * Progress of a create, for the UI.
 */
export type CreateEvent = { "event": "sending", attempt: number, } | { "event": "port-conflict", port: number | null, rdpPort: number, vncPort: number, } | { "event": "busy", retryInSecs: number, } | { "event": "resolving", reason: string, } | { "event": "resending" };

export type DraftWords = { draftId: string, 
/**
 * The one time recovery words reach the webview: the backup display.
 */
words: Array<string>, };

/**
 * Local folders shared with the VM.
 */
export type DriveRedirect = "none" | "home";

/**
 * The error every fallible core function returns.
 */
export type ErrorShape = { 
/**
 * Kebab-case; the UI knows the list from `ui/src/lib/error-codes.ts`.
 */
code: string, message: string, data?: Record<string, unknown>, };

export type Exported = { fileName: string, 
/**
 * The keystore (encrypted with the password), also saved to `saved_to`.
 */
json: string, savedTo: string, };

/**
 * The values the Connect screen can copy (and, for the VNC password, reveal).
 * Serialized with the names `from_str` takes.
 */
export type Field = "address" | "user" | "password" | "vncAddress" | "vncPassword";

export type FundResult = { address: string, 
/**
 * Planck, as a decimal string (u128 does not fit a JS number).
 */
amount: string, blockHash: string, free: string, };

/**
 * One check, kept with the rental's VM and shown in My rentals.
 */
export type GpuCheck = { expected: GpuExpected, seen: Array<GpuSeen>, verdict: GpuVerdict, 
/**
 * Unix seconds.
 */
checkedAt: number, };

export type GpuChecked = { check: GpuCheck, 
/**
 * The rental with the check kept on its VM (My rentals shows it).
 */
rental: RentalView, };

/**
 * What the chain says was rented.
 */
export type GpuExpected = { 
/**
 * The machine's `gpu_type`, as the chain has it.
 */
model: string, 
/**
 * GPUs of the order.
 */
count: number, 
/**
 * The machine's `gpu_mem`, GB per GPU (`None` when the chain has none).
 */
memGb: number | null, };

/**
 * One GPU as the VM sees it.
 */
export type GpuSeen = { name: string, memMib: number, };

/**
 * The outcome.
 */
export type GpuVerdict = { "kind": "pass" } | { "kind": "mismatch", reason: string, } | { "kind": "error", code: string, message: string, };

/**
 * A base image in the node's `/data`.
 */
export type ImageInfo = { name: string, 
/**
 * As the node prints it, e.g. `"25G"`.
 */
size: string, };

/**
 * The key "Use another key" keeps in Settings; `None`: the default.
 */
export type KeyChoice = { chosen: string | null, };

/**
 * What [`install_key`] did.
 */
export type KeyInstall = "already-installed" | "installed";

export type KeyInstalled = { outcome: KeyInstall, key: SshKey, 
/**
 * The SSH card as it is now (the key exists and is installed).
 */
info: SshInfo, };

export type KeyringView = { available: boolean, locked: boolean, reason: string | null, };

export type Language = "zh" | "en";

/**
 * A started client.
 */
export type Launched = { client: RdpClient, pid: number, 
/**
 * The `.rdp` file written for this connection (also for FreeRDP, so
 * the user can open it with another client).
 */
rdpFile: string, };

/**
 * One machine with its price, as lists show it.
 */
export type Listing = { price: MachinePrice | null, 
/**
 * The 64-character lowercase hex text the chain uses as `MachineId`
 * (its bytes are the key; never hex-decode it).
 */
id: string, status: MachineStatus, 
/**
 * The chain's `MachineStatus` variant name, e.g. `StakerReportOffline`.
 */
statusRaw: string, 
/**
 * `gpu_type`, UTF-8, e.g. `GeForceRTX2080Ti`.
 */
gpuModel: string, 
/**
 * `gpu_num`.
 */
gpuCount: number, 
/**
 * `MachineRentedGPU`: GPUs held by waiting and running orders.
 */
rentedGpus: number, 
/**
 * GPUs a renter can rent now: `gpu_count - rented_gpus` while the status
 * allows renting ([`MachineStatus::rentable_status`]), else 0. An offline
 * or exited machine holds no orders, but none of its GPUs can be had:
 * "8 free" there would contradict the counters and the refusal.
 */
freeGpus: number, 
/**
 * GB.
 */
gpuMemGb: number | null, cudaCores: number | null, 
/**
 * ×100 for display (Galaxy divides by 100); the price formula takes it raw.
 */
calcPoint: number, cpuModel: string | null, cpuCores: number | null, 
/**
 * MHz.
 */
cpuMhz: number | null, 
/**
 * `mem_num`, GB.
 */
ramGb: number | null, sysDiskGb: number | null, dataDiskGb: number | null, 
/**
 * Mbps.
 */
uploadMbps: number | null, downloadMbps: number | null, 
/**
 * Degrees ×10^4, east positive (`East(x)` -> x, `West(x)` -> -x).
 */
longitude: number | null, 
/**
 * Degrees ×10^4, north positive.
 */
latitude: number | null, 
/**
 * ISO 3166-1 alpha-2 code (uppercase) of the country at the coordinates,
 * from the offline lookup in [`crate::geo`]; `None` at sea or unknown.
 */
country: string | null, 
/**
 * The country's continent.
 */
region: Region | null, telecomOperators: Array<string>, 
/**
 * `server_room` (H256) as `0x` hex.
 */
serverRoom: string | null, 
/**
 * In `StakerCustomizeInfo` of spec 400+; absent in older layouts.
 */
isBareMachine: boolean | null, bondingHeight: number | null, onlineHeight: number | null, 
/**
 * The latest `rent_end` block among the machine's live orders (`RentInfo`),
 * when any; filled by the loader.
 */
rentedUntil: number | null, 
/**
 * `MachineExtraPrice` (USD micro per GPU per day), spec >= 408 only;
 * `None` where the runtime has no such storage.
 */
extraPricePerGpu: number | null, };

/**
 * What the webview sees of a login: everything but the passwords.
 */
export type LoginView = { rentalId: string, rentId: number | null, vmStatus: string, running: boolean, 
/**
 * The VM's OS as the node names it (`windows`, `linux`, `ubuntu`).
 */
os: string, 
/**
 * A Linux VM: the Connect step shows the SSH card (`commands::ssh`), not Remote Desktop.
 */
linux: boolean, host: string, rdpPort: number | null, 
/**
 * A Linux VM's SSH port.
 */
sshPort: number | null, 
/**
 * `host:port` (an IPv6 host in brackets), when both are known.
 */
address: string | null, user: string, passwordAvailable: boolean, vncHost: string, vncPort: number | null, vncAddress: string | null, vncPasswordAvailable: boolean, 
/**
 * Seconds until the login is dropped and must be unlocked again.
 */
expiresInSecs: number, };

/**
 * One machine's prices for display: per GPU and whole machine, per day and
 * per hour, in USD micro and planck. Hourly figures go through the same
 * block formula (600 blocks), so they are what a one-hour rent costs, not
 * the daily price divided by 24 in some other rounding.
 */
export type MachinePrice = { usdMicroPerGpuDay: number, usdMicroPerGpuHour: number, usdMicroPerMachineDay: number, planckPerGpuDay: string, planckPerGpuHour: string, planckPerMachineDay: string, };

/**
 * What a renter needs to know about a machine's state.
 *
 * Mapping from the chain's `MachineStatus` variant (chain.md §7.2):
 * - `Online` -> [`Idle`](Self::Idle) (no GPU rented);
 * - `Rented` -> [`PartlyRented`](Self::PartlyRented) while GPUs are free,
 *   else [`Rented`](Self::Rented). The chain says `Rented` as soon as one GPU
 *   is ordered, even unconfirmed, so the free-GPU count decides;
 * - `StakerReportOffline`, `ReporterReportOffline` -> [`Offline`](Self::Offline);
 * - `Exit` -> [`Exited`](Self::Exited): the machine left the network for
 *   good, which a renter should be told plainly rather than "not available";
 * - everything else (`AddingCustomizeInfo`, `DistributingOrder`,
 *   `CommitteeVerifying`, `CommitteeRefused`, `WaitingFulfill`, `Creating`,
 *   and variants of future runtimes) -> [`Other`](Self::Other);
 *   `Machine::status_raw` keeps the variant name.
 */
export type MachineStatus = "idle" | "partly-rented" | "rented" | "offline" | "exited" | "other";

/**
 * The snapshot as the webview gets it (camelCase; planck as strings).
 */
export type MarketSnapshot = { source: Source, savedAt?: number, blockNumber: number, specVersion: number, params: PricingParams, 
/**
 * Every machine with its price, in id order (the webview filters and sorts).
 */
rows: Array<Listing>, 
/**
 * Over every row.
 */
counters: Counters, };

export type NetworkChoice = { "kind": "mainnet" } | { "kind": "practice" } | { "kind": "custom", "url": string };

export type NetworkSettings = { choice: NetworkChoice, 
/**
 * The list the app tries, in order (the user's, else the built-in one).
 */
mainnetEndpoints: Array<string>, defaultMainnetEndpoints: Array<string>, };

/**
 * What the status bar and `dbc-rent status` show.
 *
 * The first five fields are always serialized (the UI reads them); the
 * others are omitted while unknown, so a never-started status keeps the
 * original five-field shape.
 */
export type NetworkStatus = { 
/**
 * `NetworkChoice::kind`.
 */
network: Network, state: ConnectionState, endpoint: string | null, bestBlock: number | null, specVersion: number | null, 
/**
 * The runtime's transaction version (part of every signed payload).
 */
txVersion?: number | null, 
/**
 * The genesis hash the connected node reported (`0x…`).
 */
genesisHash?: string | null, 
/**
 * Why the last attempt failed: set while `offline` or `reconnecting`.
 */
lastError?: ErrorShape | null, };

/**
 * The wizard step where a rental in flight continues (`ui/src/lib/steps.ts` ids).
 */
export type NextStep = "rent" | "vm" | "confirm";

/**
 * One node the client currently sees (`POST /api/v1/mining_nodes` with `[]`).
 */
export type NodeSummary = { 
/**
 * The machine id: 64 lowercase hex characters.
 */
nodeId: string, name: string, version: string, };

/**
 * The on-chain facts of a placed order.
 */
export type OrderFacts = { rentId: number, rentStart: number, rentEnd: number, 
/**
 * The last block `confirm_rent` is accepted in.
 */
confirmDeadline: number, 
/**
 * From the `Rent` event.
 */
reserved: string, 
/**
 * `FixedTxFee` when placed (kept by the chain even if the order lapses).
 */
orderFee: string, confirmedAt: number | null, 
/**
 * Rent paid so far (confirm + renewals), planck.
 */
paid: string, };

export type Overview = { accounts: Array<AccountView>, activeId: string | null, store: StoreInfo, };

/**
 * A signed transaction written down before it was sent.
 */
export type PendingTx = { 
/**
 * The signed extrinsic, hex. Public once broadcast; holds no secret.
 */
bytes: string, extrinsicHash: string, nonce: number, feeEstimate: string, 
/**
 * The best block when it was signed: an order it placed starts later.
 */
signedAtBlock: number, 
/**
 * The last block it can be included in (its mortality ends): past it,
 * with its nonce unused at a finalized block, it can never land.
 */
validUntil?: number | null, } & ({ "call": "rent" } | { "call": "confirm" } | { "call": "relet", blocks: number, oldEnd: number, });

/**
 * The answer to one pick.
 */
export type Pick = { correct: boolean, complete: boolean, };

/**
 * A power operation on a rental's VM.
 */
export type PowerOp = "start" | "stop" | "restart" | "delete";

/**
 * One practice account as the UI lists it (without its secret URI).
 */
export type PracticeAccountView = { name: string, role: string, address: string, };

export type PracticeInfo = { running: boolean, 
/**
 * True when this app started it (and stops it when leaving practice or quitting).
 */
ownedByApp: boolean, chain: string | null, client: string | null, accounts: Array<PracticeAccountView>, };

/**
 * A start-up stage as the progress display gets it.
 */
export type PracticeProgress = { 
/**
 * `stage_name` below (the sandbox crate has no TypeScript derive).
 */
stage: 'preparing-spec' | 'seeding' | 'starting-chain' | 'starting-client' | 'connecting' | 'ready', elapsedMs: number, };

/**
 * Everything the price needs besides the machine, read at one block.
 * Each is `None` when unset on chain; then renting fails on chain as well.
 */
export type PricingParams = { standard: StandardGpuPointPrice | null, 
/**
 * `DBCPriceOCW.AvgPrice`: USD micro per DBC.
 */
avgPrice: number | null, 
/**
 * `GenericFunc.FixedTxFee`: the order fee `rent_machine` charges, planck.
 */
fixedTxFee: string | null, 
/**
 * `RentMachine.MaximumRentalDuration` in days (default 60).
 */
maxRentalDays: number, };

/**
 * One poll, reported to the caller.
 */
export type Progress = { taskId: string, 
/**
 * `None` when this poll got no answer (see `error`).
 */
status: TaskStatus | null, kind: StatusKind | null, 
/**
 * The status differs from the previous poll's (always true on the first).
 */
changed: boolean, elapsedSecs: number, 
/**
 * 1-based.
 */
polls: number, 
/**
 * Why this poll got no answer; the wait goes on.
 */
error: ErrorShape | null, };

/**
 * What placing an order costs, in planck. The chain recomputes the rent at
 * inclusion with that block's `AvgPrice`; the `Rent` event has the final figure.
 */
export type Quote = { gpus: number, 
/**
 * The duration as charged (after the chain's cap).
 */
blocks: number, 
/**
 * Reserved at order time, paid at confirm.
 */
rent: string, 
/**
 * `FixedTxFee`, slashed to the Treasury at order time; not refunded.
 */
orderFee: string, 
/**
 * The transaction fee estimate; 0 until the caller fills it
 * (it needs a signer: `chain::tx::estimate_fee`).
 */
txFeeEstimate: string, };

export type QuoteView = { 
/**
 * Rent + order fee + transaction fee, planck.
 */
total: string, 
/**
 * The block whose prices were used.
 */
atBlock: number, gpus: number, 
/**
 * The duration as charged (after the chain's cap).
 */
blocks: number, 
/**
 * Reserved at order time, paid at confirm.
 */
rent: string, 
/**
 * `FixedTxFee`, slashed to the Treasury at order time; not refunded.
 */
orderFee: string, 
/**
 * The transaction fee estimate; 0 until the caller fills it
 * (it needs a signer: `chain::tx::estimate_fee`).
 */
txFeeEstimate: string, };

export type RdpCheck = { host: string, port: number, };

/**
 * The clients we know how to start.
 */
export type RdpClient = "mstsc" | "windows-app" | "xfreerdp3" | "xfreerdp" | "remmina" | "xdg-open";

export type RdpFile = { path: string, };

export type RdpOptions = { 
/**
 * Full screen; `width` and `height` then only matter when leaving it.
 */
fullscreen: boolean, 
/**
 * Window size in pixels when not full screen.
 */
width: number, height: number, 
/**
 * Use every local monitor.
 */
multiMonitor: boolean, 
/**
 * Share the clipboard both ways (copy a path or a command into the VM).
 */
clipboard: boolean, 
/**
 * Which local files the VM may see.
 */
drives: DriveRedirect, 
/**
 * Resize the remote desktop when the window is resized.
 */
dynamicResolution: boolean, };

/**
 * Whether the VM's Remote Desktop port accepts a TCP connection now.
 */
export type Reachability = { address: string, reachable: boolean, 
/**
 * `refused`, `timeout`, `not-rdp` (answers, but not as an RDP server) or the OS's reason, when not reachable.
 */
reason: string | null, };

/**
 * A continent, as the market's region filter offers it.
 */
export type Region = "asia" | "europe" | "north-america" | "south-america" | "africa" | "oceania" | "antarctica";

/**
 * One due reminder, as the webview gets it (`rental-reminder` event).
 */
export type Reminder = { 
/**
 * Unique per event: fired once, then remembered.
 */
key: string, 
/**
 * The journal id (the UI selects the rental by it).
 */
rentalId: string, rentId: number, machineId: string, 
/**
 * Blocks left until the end (expiry) or until the window closes.
 */
blocksLeft: number, } & ({ "kind": "expiry", leadMinutes: number, } | { "kind": "confirm-window" });

/**
 * What renewing costs now.
 */
export type RenewQuote = { askedBlocks: number, 
/**
 * What the 60-day horizon leaves of it (0: nothing can be added).
 */
blocks: number, capped: boolean, 
/**
 * Planck.
 */
rent: string, txFeeEstimate: string, total: string, rentEnd: number, newEnd: number, atBlock: number, 
/**
 * The renter's transferable balance now.
 */
available: string, 
/**
 * The balance covers it (the chain wants the rent strictly below the
 * free balance, plus the fee): checked before any password is asked.
 */
enough: boolean, };

/**
 * `dbc::rental::Renewed` as the webview gets it: the same fields, the
 * rental with its stage's meaning.
 */
export type RenewedView = { rental: RentalView, addedBlocks: number, 
/**
 * Planck, decimal string.
 */
paid: string, };

/**
 * The DBC clients and reminder lead times (Settings).
 */
export type RentalSettings = { computeClients: Array<string>, 
/**
 * The community DBC clients (compute-api.md §3.4), asked unless turned off.
 */
communityClients: Array<string>, communityClientsOff: boolean, 
/**
 * The practice network's own DBC client while on practice.
 */
practiceClient: string | null, reminderLeadsMinutes: Array<number>, defaultReminderLeadsMinutes: Array<number>, };

/**
 * One rental with its stage's meaning, flattened: the record's fields stay
 * exactly where they were, the four new ones sit beside them.
 */
export type RentalView = { 
/**
 * Local id: unique in the journal before the chain gives a rent id.
 */
id: string, 
/**
 * SS58 address of the renter.
 */
account: string, machineId: string, gpus: number, 
/**
 * Duration asked for, blocks (the chain may cap it).
 */
blocks: number, 
/**
 * The quote shown when placing (rent, order fee, fee estimate).
 */
quote: Quote | null, stage: Stage, order: OrderFacts | null, vm: VmFacts | null, pending: PendingTx | null, 
/**
 * The last error met, for the UI to explain (`code`, `message`).
 */
lastError: ErrorShape | null, 
/**
 * The newest block the journal has read this rental's order at. A read
 * from an older block (a lagging node, a failover) changes nothing.
 */
seenAt?: number | null, 
/**
 * The block a lapsed or ended rental stopped at (its confirm deadline,
 * or its end), for the UI to say "lapsed at block N"; `None` while live.
 */
closedAt?: number | null, 
/**
 * Unix seconds.
 */
createdAt: number, updatedAt: number, 
/**
 * The order is (or may be) live on chain: not ended, lapsed or failed.
 */
isLive: boolean, 
/**
 * Before confirmation: the 150-block confirm window applies.
 */
awaitsConfirm: boolean, 
/**
 * The wizard is not done with it: placing, or awaiting confirmation.
 */
inFlight: boolean, 
/**
 * Where the wizard continues with it; `None` once confirmed or closed.
 */
nextStep: NextStep | null, };

/**
 * The rentals as the webview sees them.
 */
export type RentalsSnapshot = { 
/**
 * `mainnet`, `practice` or `custom`.
 */
network: string, genesis: string, 
/**
 * The active account (SS58), `None` without a wallet.
 */
account: string | null, bestBlock: number, 
/**
 * The active account's rentals, newest first (each with its stage's meaning).
 */
rentals: Array<RentalView>, 
/**
 * Why the last sync with the chain failed: the list is then the
 * journal's as it stood.
 */
syncError: ErrorShape | null, };

export type Revealed = { field: string, value: string, };

export type SendQuote = { 
/**
 * Planck, as decimal strings.
 */
fee: string, total: string, transferable: string, enough: boolean, };

/**
 * The settings as the UI sees them: the language already resolved (saved
 * choice, else the OS locale).
 */
export type SettingsView = { language: Language, 
/**
 * `NetworkChoice::kind`.
 */
network: Network, };

/**
 * Where a published list came from.
 */
export type Source = "cache" | "chain";

export type SshCopied = { field: SshField, 
/**
 * Seconds until a copied password is taken off the clipboard again.
 */
clearsInSecs: number | null, };

/**
 * The values the SSH card copies. Serialized with the names `from_str` takes.
 */
export type SshField = "host" | "port" | "user" | "password" | "command";

/**
 * What the SSH card shows of a Linux VM's login: never the password.
 */
export type SshInfo = { rentalId: string, rentId: number | null, host: string, port: number, user: string, 
/**
 * The VM has a generated password (for the first login that installs the key).
 */
passwordAvailable: boolean, 
/**
 * The private key the `ssh` command and the app use (the user's, or where the app would create one).
 */
keyPath: string, 
/**
 * That key exists; when not, "Install my key" asks before creating it.
 */
keyExists: boolean, 
/**
 * The key is the one chosen in "Use another key" (not the default).
 */
keyChosen: boolean, 
/**
 * "Install my key" put that key on this VM in this run of the app.
 */
keyInstalled: boolean, 
/**
 * The exact `ssh` command (one line, no password: the key logs in).
 */
command: string, 
/**
 * The `Host` alias VS Code is opened with (`dbc-<rent id>`).
 */
alias: string, 
/**
 * Seconds until the login is dropped and must be unlocked again.
 */
expiresInSecs: number, };

/**
 * A key pair on disk, with its public line (what goes into `authorized_keys`).
 */
export type SshKey = { private: string, public: string, 
/**
 * `ssh-ed25519 AAAA… comment`, checked by [`check_public_line`].
 */
publicLine: string, };

/**
 * Whether the VM's SSH server answers now (a key exchange, the host key
 * pinned on first use; no login).
 */
export type SshReach = { 
/**
 * `host:port` (IPv6 in brackets).
 */
address: string, reachable: boolean, 
/**
 * The error code when not reachable (`ssh-unreachable`, `ssh-host-key-changed`, …).
 */
reason: string | null, message: string | null, };

/**
 * Where a rental's flow stands. Serialized kebab-case for the UI.
 */
export type Stage = "placing" | "placed" | "vm-creating" | "vm-ready" | "confirming" | "renting" | "ended" | "lapsed" | "failed";

/**
 * What a stage means for the UI.
 */
export type StageMeaning = { 
/**
 * The order is (or may be) live on chain: not ended, lapsed or failed.
 */
isLive: boolean, 
/**
 * Before confirmation: the 150-block confirm window applies.
 */
awaitsConfirm: boolean, 
/**
 * The wizard is not done with it: placing, or awaiting confirmation.
 */
inFlight: boolean, 
/**
 * Where the wizard continues with it; `None` once confirmed or closed.
 */
nextStep: NextStep | null, };

/**
 * `OnlineProfile.StandardGPUPointPrice`: `gpu_price` USD micro per day buys
 * `gpu_point` calc points.
 */
export type StandardGpuPointPrice = { gpuPoint: number, gpuPrice: number, };

/**
 * A started program.
 */
export type Started = { program: string, pid: number, };

/**
 * How far a task status is along (compute-api.md §1.5).
 */
export type StatusKind = "creating" | "running" | "off" | "transitional" | "failed" | "unknown";

/**
 * Where secrets can go, as the Wallet screen shows it.
 */
export type StoreInfo = { 
/**
 * Where new accounts go, or `None` while the user must choose.
 */
kind: StoreKind | null, osKeyring: KeyringView, fileStoreChosen: boolean, };

/**
 * Which store keeps an account's secret (recorded per account).
 */
export type StoreKind = "os-keyring" | "encrypted-file";

/**
 * A task status exactly as the node wrote it; [`TaskStatus::kind`] classifies it.
 */
export type TaskStatus = string;

/**
 * A transaction that made it into a block and succeeded.
 */
export type TxOutcome = { extrinsicHash: string, blockHash: string, blockNumber: number | null, nonce: number, 
/**
 * `partial_fee_estimate` before sending, planck.
 */
feeEstimate: string, 
/**
 * `TransactionPayment.TransactionFeePaid.actual_fee`, planck.
 */
feePaid: string | null, finalized: boolean, 
/**
 * `Pallet.Event` names of this extrinsic's events, in order.
 */
events: Array<string>, };

/**
 * Where a transaction is, for a progress display. Serialized as
 * `{"status": "inBlock", "blockHash": "0x…"}` etc.
 */
export type TxStatus = { "status": "signing" } | { "status": "broadcast" } | { "status": "inBlock", blockHash: string, } | { "status": "finalized", blockHash: string, } | { "status": "invalid", reason: string, } | { "status": "dropped", reason: string, };

/**
 * What "Check for updates" found.
 */
export type UpdateCheck = { 
/**
 * A newer version is offered (then `version` is set).
 */
available: boolean, currentVersion: string, version: string | null, 
/**
 * The release notes, shown as plain text.
 */
notes: string | null, 
/**
 * The publication date (RFC 3339), when the manifest gives one.
 */
date: string | null, };

export type UpdateInfo = { currentVersion: string, 
/**
 * This build has a release address and key (else "Check for updates" is off).
 */
configured: boolean, 
/**
 * The version installed and waiting for a restart, if any.
 */
installed: string | null, };

/**
 * Download progress: bytes so far, and the total when the server sent one.
 */
export type UpdateProgress = { downloaded: number, total: number | null, };

/**
 * The Verify step's login: read fresh from the DBC client (never stored).
 */
export type VerifyLogin = { rental: RentalView, status: string, host: string, 
/**
 * The RDP port (Windows).
 */
port: number | null, 
/**
 * A Linux VM's SSH port.
 */
sshPort: number | null, 
/**
 * A Linux VM (reached over SSH; the Confirm step runs the GPU check).
 */
linux: boolean, user: string, 
/**
 * The VM's password once it runs (Windows' or the Linux user's); `None` without a guest agent ("N/A").
 */
password: string | null, };

/**
 * A rental and the VM status after a create.
 */
export type VmCreated = { rental: RentalView, status: string, };

/**
 * Progress of [`create_vm`], for a UI or the CLI.
 */
export type VmEvent = { "step": "planned", taskId: string, image: string, rdpPort: number, vncPort: number, cpuCores: number, memGb: number, diskGb: number, } | { "step": "create" } & CreateEvent | { "step": "poll" } & Progress | { "step": "client-switched" } & ClientSwitch;

/**
 * The VM created for the order through a DBC client. The login password
 * is not kept here: it is read from the client when needed.
 */
export type VmFacts = { 
/**
 * The DBC client the VM was created through; later operations use it.
 */
clientUrl: string, 
/**
 * Chosen by us before the request, so a timed-out create is found, not repeated.
 */
taskId: string, image: string, rdpPort: number, vncPort: number, 
/**
 * Last status the client reported (`creating`, `running`, `closed`, …).
 */
status: string, 
/**
 * `ssh_ip` once known.
 */
host: string | null, user: string | null, 
/**
 * The whole request as sent: after a crash the same plan (same task
 * id) goes again, which the node never turns into a second VM.
 */
plan: VmPlan | null, 
/**
 * The last GPU check of a Linux VM (`nvidia-smi` in the VM against the
 * rented GPUs), kept to be shown in My rentals. A new VM starts without.
 */
gpuCheck?: GpuCheck, };

/**
 * The guest operating system of a VM. Windows is what the app was built
 * for (RDP, Omniverse) and the default everywhere an OS is not given.
 */
export type VmOs = "windows" | "linux";

/**
 * Everything a create request sends. Fields are public so a caller can
 * journal the plan, and show or adjust it; [`VmPlan::validate`] checks it.
 */
export type VmPlan = { taskId: string, imageName: string, desc: string, gpuCount: number, cpuCores: number, memGb: number, 
/**
 * The data disk (`vdb`); the system disk comes from the image.
 */
diskGb: number, 
/**
 * Windows: the host port forwarded to the guest's 3389. `0` on a Linux
 * plan, which sends no `rdp_port`.
 */
rdpPort: number, vncPort: number, 
/**
 * Windows unless told: plans journaled before Linux was offered have no `os`.
 */
os: VmOs, 
/**
 * Linux: the host port forwarded to the guest's 22; `None` on Windows.
 */
sshPort?: number, };

export type VscodeOpened = { started: Started, alias: string, 
/**
 * The `~/.ssh/config` the `Host` block was added to.
 */
config: string, };

/** A network's kind, as `NetworkChoice::kind()` writes it. */
export type Network = NetworkChoice['kind'];

/** What each stage means (`StageMeaning::of`), for fixtures and mocks. */
export const STAGE_MEANING: Record<Stage, StageMeaning> = {
  'placing': {"isLive":true,"awaitsConfirm":false,"inFlight":true,"nextStep":"rent"},
  'placed': {"isLive":true,"awaitsConfirm":true,"inFlight":true,"nextStep":"vm"},
  'vm-creating': {"isLive":true,"awaitsConfirm":true,"inFlight":true,"nextStep":"vm"},
  'vm-ready': {"isLive":true,"awaitsConfirm":true,"inFlight":true,"nextStep":"confirm"},
  'confirming': {"isLive":true,"awaitsConfirm":true,"inFlight":true,"nextStep":"confirm"},
  'renting': {"isLive":true,"awaitsConfirm":false,"inFlight":false,"nextStep":null},
  'ended': {"isLive":false,"awaitsConfirm":false,"inFlight":false,"nextStep":null},
  'lapsed': {"isLive":false,"awaitsConfirm":false,"inFlight":false,"nextStep":null},
  'failed': {"isLive":false,"awaitsConfirm":false,"inFlight":false,"nextStep":null},
};

// --- Commands (the #[tauri::command] functions of src-tauri/src/commands/*.rs) ---

export const commands = {
  appInfo: (): Promise<AppInfo> => call<AppInfo>('app_info'),
  /**
   * "Test connection": the client answers its version, and (given a
   * machine) sees that machine; then its Windows and Linux images for the picker.
   */
  computeTestConnection: (args: { url: string; machineId?: string | null }): Promise<ConnectionView> => call<ConnectionView>('compute_test_connection', args),
  /**
   * The user read the warning and allows plain `http://` to the DBC client
   * at `url` (outside their network): remembered in the settings, asked once
   * per client. Gives the normalized URL.
   */
  computeAllowInsecureClient: (args: { url: string }): Promise<string> => call<string>('compute_allow_insecure_client', args),
  /**
   * Settings → DBC clients, and a machine's "can a client reach it": every
   * client asked at once for its version and (given a machine) whether it
   * sees that machine.
   */
  computeCheckClients: (args: { machineId?: string | null }): Promise<Array<ClientHealth>> => call<Array<ClientHealth>>('compute_check_clients', args),
  computeChooseClient: (args: { id: string }): Promise<ChosenClient> => call<ChosenClient>('compute_choose_client', args),
  /**
   * Read rental `id`'s VM login fresh from its DBC client (the wallet
   * password unlocks the key that signs the request) and keep it for 30
   * minutes. Returns it without the passwords.
   */
  connectUnlock: (args: { id: string; password: string }): Promise<LoginView> => call<LoginView>('connect_unlock', args),
  /** The login of rental `id` if it is unlocked (`null` when it must be unlocked). */
  connectLogin: (args: { id: string }): Promise<LoginView | null> => call<LoginView | null>('connect_login', args),
  connectCheck: (args: { id: string }): Promise<Reachability> => call<Reachability>('connect_check', args),
  /**
   * Start this computer's Remote Desktop client on rental `id`'s VM with
   * `options`: the core validates everything, writes the `.rdp` file and
   * starts the client with an argument vector (FreeRDP gets the password on
   * stdin), never through a shell.
   */
  connectLaunch: (args: { id: string; options: unknown }): Promise<Launched> => call<Launched>('connect_launch', args),
  /**
   * "Save .rdp file": the connection settings (never the password) in
   * `<data dir>/rdp/`, mode 0600, to open with any Remote Desktop client.
   */
  connectWriteRdp: (args: { id: string; options: unknown }): Promise<RdpFile> => call<RdpFile>('connect_write_rdp', args),
  /**
   * Copy `field` (`address`, `user`, `password`, `vncAddress`,
   * `vncPassword`) of rental `id`'s login to the clipboard. A password is
   * cleared 30 s later if the clipboard still holds it.
   */
  connectCopy: (args: { id: string; field: string }): Promise<Copied> => call<Copied>('connect_copy', args),
  /**
   * Show the VNC password, for the VNC fallback (a VNC viewer asks for it
   * and not every viewer takes a paste). Only that field: the Windows
   * password is copied, never shown.
   */
  connectReveal: (args: { id: string; field: string }): Promise<Revealed> => call<Revealed>('connect_reveal', args),
  /**
   * Open an allowlisted https link in the system browser. Async: the core
   * waits up to a few seconds for the opener to say whether a browser was
   * found, which must not hold up the window.
   */
  openExternal: (args: { url: string }): Promise<void> => call<void>('open_external', args),
  /** The checklist of one rental (`rentKey`: `<network>:<rent id>` or `general`). */
  checklistGet: (args: { rentKey: string }): Promise<Checklist> => call<Checklist>('checklist_get', args),
  /** Tick or untick one item and return the saved checklist. */
  checklistSet: (args: { rentKey: string; item: string; done: boolean }): Promise<Checklist> => call<Checklist>('checklist_set', args),
  /**
   * The latest list (the `market-updated` payload), or `null` before the
   * first. Sent as the JSON text made when it was published, not built again.
   */
  marketSnapshot: (): Promise<unknown> => call<unknown>('market_snapshot'),
  /**
   * What renting `gpus` GPUs of `machine_id` for `hours` ("2", "1.5") costs,
   * with the transaction fee estimate. The duration, the machine and its free
   * GPUs are checked first, each with its own error, before anything is signed.
   */
  marketQuote: (args: { machineId: string; gpus: number; hours: string }): Promise<QuoteView> => call<QuoteView>('market_quote', args),
  /** The connection state the status bar shows (also pushed as `network-status` events). */
  networkStatus: (): Promise<NetworkStatus> => call<NetworkStatus>('network_status'),
  getNetworkSettings: (): Promise<NetworkSettings> => call<NetworkSettings>('get_network_settings'),
  /**
   * Switch network (saved first, then connected). A custom URL is checked here
   * (an unencrypted remote one only with `allow_insecure`, asked once per
   * node); practice goes through `start_practice`, which also starts the network.
   */
  setNetwork: (args: { choice: NetworkChoice; allowInsecure?: boolean | null }): Promise<NetworkSettings> => call<NetworkSettings>('set_network', args),
  /**
   * Save the mainnet endpoint list (each must be ws:// or wss://; empty = the
   * built-in list) and reconnect when on mainnet.
   */
  setMainnetEndpoints: (args: { endpoints: Array<string>; allowInsecure?: boolean | null }): Promise<NetworkSettings> => call<NetworkSettings>('set_mainnet_endpoints', args),
  /** Skip the backoff and try to connect now. */
  retryConnection: (): Promise<NetworkStatus> => call<NetworkStatus>('retry_connection'),
  /**
   * Start the practice network (or join one already running), switch the app
   * to it and report each stage on `on_progress`.
   */
  startPractice: (args: { onProgress: Channel<PracticeProgress> }): Promise<PracticeInfo> => call<PracticeInfo>('start_practice', args),
  practiceStatus: (): Promise<PracticeInfo> => call<PracticeInfo>('practice_status'),
  stopPractice: (): Promise<PracticeInfo> => call<PracticeInfo>('stop_practice'),
  /** "Get practice DBC": a real signed transfer from the practice faucet. */
  practiceFund: (args: { address: string; amount: string }): Promise<FundResult> => call<FundResult>('practice_fund', args),
  /**
   * Show a reminder as a desktop notification. The webview sends the text
   * in the user's language; plain text only, bounded.
   */
  notifyReminder: (args: { title: string; body: string }): Promise<void> => call<void>('notify_reminder', args),
  /**
   * Every rental of the active account, after settling what was in flight
   * and reconciling with the chain. Offline, the last list (with `syncError`).
   */
  rentalsList: (): Promise<RentalsSnapshot | null> => call<RentalsSnapshot | null>('rentals_list'),
  /**
   * Rent `gpus` GPUs of `machine_id` for `blocks` (a multiple of 300): checked
   * and priced again before the password is used, the balance checked
   * before signing, the status streamed. Resolves once the `Rent` event is seen.
   */
  rentalPlace: (args: { machineId: string; gpus: number; blocks: number; password: string; onStatus: Channel<TxStatus> }): Promise<RentalView> => call<RentalView>('rental_place', args),
  /**
   * Create the VM of rental `id` through a DBC client (or resume a create
   * under way) and wait until it runs; progress goes to `on_event`. `os` is
   * `windows` (the default) or `linux` (Ubuntu, reached over SSH); `image`
   * one of the node's images for it (default: the node's first for the OS).
   */
  rentalCreateVm: (args: { id: string; clientUrl?: string | null; image?: string | null; os?: string | null; password: string; onEvent: Channel<VmEvent> }): Promise<VmCreated> => call<VmCreated>('rental_create_vm', args),
  rentalVmDetail: (args: { id: string; password: string }): Promise<VerifyLogin> => call<VerifyLogin>('rental_vm_detail', args),
  /** Does the VM's RDP port accept a TCP connection? (Before Confirm.) */
  rentalCheckRdp: (args: { id: string }): Promise<RdpCheck> => call<RdpCheck>('rental_check_rdp', args),
  /** Confirm rental `id` on chain: from then on the rent is not refundable. */
  rentalConfirm: (args: { id: string; password: string; onStatus: Channel<TxStatus> }): Promise<RentalView> => call<RentalView>('rental_confirm', args),
  /** The quote for renewing rental `id` by `blocks`, with the horizon cap applied. */
  rentalRenewQuote: (args: { id: string; blocks: number }): Promise<RenewQuote> => call<RenewQuote>('rental_renew_quote', args),
  /** Renew rental `id` by `blocks`, paid at once. */
  rentalRenew: (args: { id: string; blocks: number; password: string; onStatus: Channel<TxStatus> }): Promise<RenewedView> => call<RenewedView>('rental_renew', args),
  /**
   * Start, stop (a hard power-off), restart or delete (with its disks) the
   * VM of rental `id`, and wait until it has taken effect.
   */
  rentalVmPower: (args: { id: string; op: string; password: string }): Promise<RentalView> => call<RentalView>('rental_vm_power', args),
  rentalSettings: (): Promise<RentalSettings> => call<RentalSettings>('rental_settings'),
  /**
   * Save the DBC client list (each URL checked and normalized; nothing is
   * saved when one is bad).
   */
  setComputeClients: (args: { clients: Array<string> }): Promise<RentalSettings> => call<RentalSettings>('set_compute_clients', args),
  /** Turn the community DBC clients on or off. */
  setCommunityClients: (args: { enabled: boolean }): Promise<RentalSettings> => call<RentalSettings>('set_community_clients', args),
  /** Save the reminder lead times, minutes before a rental ends (empty: none). */
  setReminderLeads: (args: { minutes: Array<number> }): Promise<RentalSettings> => call<RentalSettings>('set_reminder_leads', args),
  getSettings: (): Promise<SettingsView> => call<SettingsView>('get_settings'),
  /** Switch the UI language and persist the choice. Nothing changes if saving fails. */
  setLanguage: (args: { language: string }): Promise<SettingsView> => call<SettingsView>('set_language', args),
  /**
   * The SSH card of rental `id`'s running Linux VM (`not-linux-vm` for a
   * Windows VM, `wrong-rental-state` until it runs with an SSH port).
   */
  sshInfo: (args: { id: string }): Promise<SshInfo> => call<SshInfo>('ssh_info', args),
  /**
   * Copy `field` (`host`, `port`, `user`, `password`, `command`) of rental
   * `id`'s SSH login to the clipboard; the password is cleared 30 s later.
   */
  sshCopy: (args: { id: string; field: string }): Promise<SshCopied> => call<SshCopied>('ssh_copy', args),
  /**
   * Show the VM's password, on an explicit click (a terminal's password
   * prompt does not always take a paste). Only the password can be asked.
   */
  sshReveal: (args: { id: string; field: string }): Promise<Revealed> => call<Revealed>('ssh_reveal', args),
  /**
   * "Use another key": the key pair `path` names (a full path, `~/…`, or a
   * name in `~/.ssh`; the private key or its `.pub`), checked by the core
   * (there, OpenSSH format, no passphrase) and kept in Settings for every
   * SSH action of the app; an empty `path` goes back to the default
   * (`~/.ssh/id_ed25519`, else the app's own key).
   */
  sshChooseKey: (args: { path: string }): Promise<KeyChoice> => call<KeyChoice>('ssh_choose_key', args),
  /**
   * "Install my key": log in once with the VM's password and append the
   * user's public key to `~/.ssh/authorized_keys`. Without a key of theirs,
   * `generate: true` (the user agreed) creates `~/.ssh/dbc_rent_ed25519`;
   * `false` is refused with `ssh-key-missing {path}`.
   */
  sshInstallKey: (args: { id: string; generate: boolean }): Promise<KeyInstalled> => call<KeyInstalled>('ssh_install_key', args),
  /**
   * Open the system terminal running `ssh` to rental `id`'s VM with the
   * user's key (`ssh-key-missing` before "Install my key" made one;
   * `ssh-client-missing`, `terminal-missing` with `{os, install}` for the hint).
   */
  sshOpenTerminal: (args: { id: string }): Promise<Started> => call<Started>('ssh_open_terminal', args),
  /**
   * "Open in VS Code": with the user's yes (`consent: true`; anything else
   * is refused before a file is touched), add the rental's `Host dbc-<rent>`
   * block to `~/.ssh/config` (between marked lines, removed when the rental
   * ends), then start `code --remote ssh-remote+dbc-<rent> /home/<user>`.
   */
  sshOpenVscode: (args: { id: string; consent: boolean }): Promise<VscodeOpened> => call<VscodeOpened>('ssh_open_vscode', args),
  /** The Confirm step's SSH port check for a Linux VM (the RDP check's counterpart). */
  sshCheck: (args: { id: string }): Promise<SshReach> => call<SshReach>('ssh_check', args),
  /**
   * The GPU check before Confirm: `nvidia-smi` in the VM (the user's key
   * when it logs in, else the VM's password) against what the chain says
   * was rented; the result is journaled with the VM. A failed login or
   * `nvidia-smi` is the check's verdict (`error`), not a command error.
   */
  sshGpuCheck: (args: { id: string }): Promise<GpuChecked> => call<GpuChecked>('ssh_gpu_check', args),
  /** What the Updates card shows before any check. */
  updateInfo: (): Promise<UpdateInfo> => call<UpdateInfo>('update_info'),
  /**
   * Ask the built-in release address for a newer version. An older one is
   * refused (`update-not-newer`), the same one is "up to date".
   */
  updateCheck: (): Promise<UpdateCheck> => call<UpdateCheck>('update_check'),
  /**
   * Download the release the last check found, verify its signature against
   * the built-in key and install it; progress on `on_progress`. Returns the
   * version installed (a restart runs it).
   */
  updateInstall: (args: { onProgress: Channel<UpdateProgress> }): Promise<string> => call<string>('update_install', args),
  /** Restart into the installed version (only after an install). */
  updateRestart: (): Promise<void> => call<void>('update_restart'),
  walletOverview: (): Promise<Overview> => call<Overview>('wallet_overview'),
  /** The user's explicit choice of the encrypted file (no usable OS keyring). */
  walletChooseFileStore: (): Promise<StoreInfo> => call<StoreInfo>('wallet_choose_file_store'),
  walletCreateBegin: (args: { words: number }): Promise<DraftWords> => call<DraftWords>('wallet_create_begin', args),
  walletBackupChallenge: (args: { draftId: string }): Promise<Challenge> => call<Challenge>('wallet_backup_challenge', args),
  walletBackupPick: (args: { draftId: string; position: number; word: string }): Promise<Pick> => call<Pick>('wallet_backup_pick', args),
  walletCreateFinish: (args: { draftId: string; name?: string | null; password: string; backedUp: boolean }): Promise<AccountView> => call<AccountView>('wallet_create_finish', args),
  walletBackupBegin: (args: { id: string; password: string }): Promise<DraftWords> => call<DraftWords>('wallet_backup_begin', args),
  walletBackupFinish: (args: { draftId: string }): Promise<AccountView> => call<AccountView>('wallet_backup_finish', args),
  /** The dialog was closed: wipe the draft's words now. */
  walletDiscardDraft: (args: { draftId: string }): Promise<void> => call<void>('wallet_discard_draft', args),
  walletImportMnemonic: (args: { name?: string | null; mnemonic: string; derivation?: string | null; mnemonicPassword?: string | null; password: string }): Promise<AccountView> => call<AccountView>('wallet_import_mnemonic', args),
  walletImportSeed: (args: { name?: string | null; seed: string; password: string }): Promise<AccountView> => call<AccountView>('wallet_import_seed', args),
  walletImportJson: (args: { name?: string | null; json: string; jsonPassword: string; password: string }): Promise<AccountView> => call<AccountView>('wallet_import_json', args),
  /**
   * A polkadot.js keystore file in the Downloads folder: dbcwallet.io and
   * the polkadot.js extension open it. It is encrypted with `export_password`
   * (its own password: typing the app password into a web page would give
   * that page every account's seal), or with the app password when the user
   * chose that explicitly (`None`).
   */
  walletExportJson: (args: { id: string; password: string; exportPassword?: string | null }): Promise<Exported> => call<Exported>('wallet_export_json', args),
  walletUse: (args: { id: string }): Promise<Overview> => call<Overview>('wallet_use', args),
  walletRename: (args: { id: string; name: string }): Promise<Overview> => call<Overview>('wallet_rename', args),
  walletRemove: (args: { id: string; password: string }): Promise<Overview> => call<Overview>('wallet_remove', args),
  walletBalance: (args: { id: string }): Promise<BalanceView> => call<BalanceView>('wallet_balance', args),
  /** Checked before anything is signed: SS58 checksum, DBC's prefix 42. */
  checkAddress: (args: { address: string }): Promise<AddressCheck> => call<AddressCheck>('check_address', args),
  /**
   * The fee of a transfer before signing. The estimate is made with a
   * throwaway key (no password needed yet): the fee depends on the call and
   * its length, which are the same for every sr25519 signer.
   */
  walletSendQuote: (args: { id: string; to: string; amount: string }): Promise<SendQuote> => call<SendQuote>('wallet_send_quote', args),
  /** Sign with the account's password and send; each status goes to `on_status`. */
  walletSend: (args: { id: string; to: string; amount: string; password: string; onStatus: Channel<TxStatus> }): Promise<TxOutcome> => call<TxOutcome>('wallet_send', args),
} as const;

// --- Events (the *_EVENT constants of src-tauri/src) ---

export const EVENTS = {
  /** The event that carries every connection-state change to the webview. */
  networkStatus: 'network-status',
  /** The event that carries the active account's balance after each new block. */
  walletBalance: 'wallet-balance',
  /**
   * The event that carries every published list (or `null` when the list of
   * the previous network no longer applies).
   */
  marketUpdated: 'market-updated',
  /** Every published list of rentals. */
  rentalsUpdated: 'rentals-updated',
  /**
   * A reminder that just became due (the webview shows it and asks for the
   * desktop notification, with the text in the user's language).
   */
  rentalReminder: 'rental-reminder',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** What each event carries. */
export interface EventPayloads {
  'network-status': NetworkStatus;
  'wallet-balance': BalanceEvent;
  'market-updated': MarketSnapshot | null;
  'rentals-updated': RentalsSnapshot | null;
  'rental-reminder': Reminder;
}
