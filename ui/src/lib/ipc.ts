// Typed wrappers for the Tauri commands of the Rust side (src-tauri).
// Every command failure arrives as `{ code, message, data? }`; anything else is
// normalized to code `unknown`, so the UI only ever handles `AppError`.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { ErrorCode } from './error-codes';

export type Language = 'zh' | 'en';
export type Network = 'mainnet' | 'practice' | 'custom';
export type ConnectionState = 'not-connected' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface AppInfo {
  version: string;
  dataDir: string;
  logDir: string;
}

export interface Settings {
  language: Language;
  network: Network;
}

export interface NetworkStatus {
  network: Network;
  state: ConnectionState;
  endpoint: string | null;
  bestBlock: number | null;
  specVersion: number | null;
  /** Present once connected (crates/dbc/src/chain). */
  txVersion?: number;
  genesisHash?: string;
  /** Why the last attempt failed, while `offline` or `reconnecting`. */
  lastError?: { code: string; message: string; data?: Record<string, unknown> };
}

/** A known code, or a code from a newer back end that this UI does not know yet. */
export type AppErrorCode = ErrorCode | (string & {});

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly data?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns any rejection value into an `AppError`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isRecord(err) && typeof err.code === 'string' && err.code !== '' && typeof err.message === 'string') {
    return new AppError(err.code, err.message, isRecord(err.data) ? err.data : undefined);
  }
  return new AppError('unknown', String(err));
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toAppError(err);
  }
}

export const appInfo = (): Promise<AppInfo> => call<AppInfo>('app_info');
export const getSettings = (): Promise<Settings> => call<Settings>('get_settings');
export const setLanguage = (language: string): Promise<Settings> => call<Settings>('set_language', { language });
export const networkStatus = (): Promise<NetworkStatus> => call<NetworkStatus>('network_status');

// --- Networks and the practice network -------------------------------------

export type NetworkKind = Network;

export interface NetworkChoice {
  kind: NetworkKind;
  /** Only for `custom`: `ws://` or `wss://`. */
  url?: string;
}

export interface NetworkSettings {
  choice: NetworkChoice;
  /** Tried in order; the app moves to the next one when one fails. */
  mainnetEndpoints: string[];
  defaultMainnetEndpoints: string[];
}

export type PracticeStage = 'preparing-spec' | 'seeding' | 'starting-chain' | 'starting-client' | 'connecting' | 'ready';

export interface PracticeProgress {
  stage: PracticeStage;
  elapsedMs: number;
}

export interface PracticeAccount {
  name: string;
  /** `sudo`, `faucet`, `renter`, `fee-pot`, `tenant`, `stash`, `controller`. */
  role: string;
  address: string;
}

export interface PracticeInfo {
  running: boolean;
  ownedByApp: boolean;
  /** The chain's WebSocket URL. */
  chain: string | null;
  /** The DBC client simulator's URL. */
  client: string | null;
  accounts: PracticeAccount[];
}

export interface FundResult {
  address: string;
  /** Planck, decimal string. */
  amount: string;
  blockHash: string;
  /** The new free balance, planck, decimal string. */
  free: string;
}

export const getNetworkSettings = (): Promise<NetworkSettings> => call<NetworkSettings>('get_network_settings');
/** `allowInsecure`: the user said yes to the warning for an unencrypted (ws://) remote node. */
export const setNetwork = (choice: NetworkChoice, allowInsecure = false): Promise<NetworkSettings> =>
  call<NetworkSettings>('set_network', allowInsecure ? { choice, allowInsecure } : { choice });
/** An empty list restores the default endpoints. */
export const setMainnetEndpoints = (endpoints: string[], allowInsecure = false): Promise<NetworkSettings> =>
  call<NetworkSettings>('set_mainnet_endpoints', allowInsecure ? { endpoints, allowInsecure } : { endpoints });
export const retryConnection = (): Promise<NetworkStatus> => call<NetworkStatus>('retry_connection');

/** Starts the practice network if needed and switches to it; resolves once connected. */
export function startPractice(onProgress: (progress: PracticeProgress) => void): Promise<PracticeInfo> {
  const channel = new Channel<PracticeProgress>();
  channel.onmessage = onProgress;
  return call<PracticeInfo>('start_practice', { onProgress: channel });
}

export const practiceStatus = (): Promise<PracticeInfo> => call<PracticeInfo>('practice_status');
export const stopPractice = (): Promise<PracticeInfo> => call<PracticeInfo>('stop_practice');
/** `amount` is whole or decimal DBC as typed (e.g. "100"); the result is in planck. */
export const practiceFund = (address: string, amount: string): Promise<FundResult> =>
  call<FundResult>('practice_fund', { address, amount });

/**
 * The live `network-status` event (same payload as `network_status`). Resolves to
 * the function that stops listening; stopping never throws (the webview may be
 * going away).
 */
export async function onNetworkStatus(handler: (status: NetworkStatus) => void): Promise<() => void> {
  const unlisten: UnlistenFn = await listen<NetworkStatus>('network-status', (event) => handler(event.payload));
  return () => {
    try {
      Promise.resolve(unlisten()).catch(() => {});
    } catch {
      // Already gone.
    }
  };
}

// --- Wallet -----------------------------------------------------------------
// Secrets stay in Rust. The only secret that ever reaches the webview is the list of
// recovery words while they are shown for a backup (`walletCreateBegin`, `walletBackupBegin`).

export type AccountSource = 'created' | 'mnemonic' | 'seed' | 'json';

export interface AccountView {
  id: string;
  name: string;
  /** SS58, DBC prefix. */
  address: string;
  backedUp: boolean;
  source: AccountSource;
  /** The account has a recovery phrase that can be shown again for a backup. */
  hasMnemonic: boolean;
}

export interface StoreInfo {
  /** Where the keys are kept; `null` until one is usable. */
  kind: 'os-keyring' | 'encrypted-file' | null;
  osKeyring: { available: boolean; locked: boolean; reason: string | null };
  /** The user opted into the encrypted file in the data folder. */
  fileStoreChosen: boolean;
}

export interface WalletOverview {
  accounts: AccountView[];
  activeId: string | null;
  store: StoreInfo;
}

export interface BackupWords {
  draftId: string;
  words: string[];
}

export interface BackupChallenge {
  /** The words plus decoys, shuffled. */
  pool: string[];
}

export interface BackupPick {
  correct: boolean;
  complete: boolean;
}

export interface ExportResult {
  fileName: string;
  /** The polkadot.js keystore text (already saved by Rust at `savedTo`). */
  json: string;
  savedTo: string;
}

/** All planck, decimal strings. */
export interface Balance {
  free: string;
  reserved: string;
  frozen: string;
  transferable: string;
  block: number | null;
}

export interface BalanceEvent {
  id: string;
  address: string;
  balance: Balance;
}

export interface AddressCheck {
  valid: boolean;
  /** Normalized SS58 when valid. */
  address: string | null;
  reason: string | null;
}

/** All planck, decimal strings. */
export interface SendQuote {
  fee: string;
  total: string;
  transferable: string;
  enough: boolean;
}

export type TxStage = 'signing' | 'broadcast' | 'inBlock' | 'finalized' | 'invalid' | 'dropped';

export interface TxStatus {
  status: TxStage;
  blockHash?: string;
  reason?: string;
}

export interface SendResult {
  extrinsicHash: string;
  blockHash: string;
  blockNumber: number | null;
  /** Planck, decimal string. */
  feePaid: string | null;
  events: string[];
}

export interface ImportMnemonic {
  name: string;
  mnemonic: string;
  derivation: string | null;
  mnemonicPassword: string | null;
  password: string;
}

export interface ImportSeed {
  name: string;
  /** `0x` + 64 hex digits. */
  seed: string;
  password: string;
}

export interface ImportJson {
  /** `null` keeps the name stored in the file. */
  name: string | null;
  /** The keystore file's text. */
  json: string;
  jsonPassword: string;
  password: string;
}

export const walletOverview = (): Promise<WalletOverview> => call<WalletOverview>('wallet_overview');
export const walletChooseFileStore = (): Promise<StoreInfo> => call<StoreInfo>('wallet_choose_file_store');
export const walletCreateBegin = (words: 12 | 24): Promise<BackupWords> => call<BackupWords>('wallet_create_begin', { words });
export const walletBackupChallenge = (draftId: string): Promise<BackupChallenge> =>
  call<BackupChallenge>('wallet_backup_challenge', { draftId });
/** `position` is 0-based: the next empty slot. A wrong word is not placed. */
export const walletBackupPick = (draftId: string, position: number, word: string): Promise<BackupPick> =>
  call<BackupPick>('wallet_backup_pick', { draftId, position, word });
export const walletCreateFinish = (draftId: string, name: string, password: string, backedUp: boolean): Promise<AccountView> =>
  call<AccountView>('wallet_create_finish', { draftId, name, password, backedUp });
export const walletBackupBegin = (id: string, password: string): Promise<BackupWords> =>
  call<BackupWords>('wallet_backup_begin', { id, password });
export const walletBackupFinish = (draftId: string): Promise<AccountView> => call<AccountView>('wallet_backup_finish', { draftId });
/** Tell Rust a create/backup dialog was closed, so it wipes that draft's words now. */
export const walletDiscardDraft = (draftId: string): Promise<void> => call<void>('wallet_discard_draft', { draftId });
export const walletImportMnemonic = (args: ImportMnemonic): Promise<AccountView> =>
  call<AccountView>('wallet_import_mnemonic', { ...args });
export const walletImportSeed = (args: ImportSeed): Promise<AccountView> => call<AccountView>('wallet_import_seed', { ...args });
export const walletImportJson = (args: ImportJson): Promise<AccountView> => call<AccountView>('wallet_import_json', { ...args });
/** `exportPassword` encrypts the file; without it, the app password does (an explicit choice). */
export const walletExportJson = (id: string, password: string, exportPassword?: string): Promise<ExportResult> =>
  call<ExportResult>('wallet_export_json', exportPassword === undefined ? { id, password } : { id, password, exportPassword });
export const walletUse = (id: string): Promise<WalletOverview> => call<WalletOverview>('wallet_use', { id });
export const walletRename = (id: string, name: string): Promise<WalletOverview> => call<WalletOverview>('wallet_rename', { id, name });
export const walletRemove = (id: string, password: string): Promise<WalletOverview> =>
  call<WalletOverview>('wallet_remove', { id, password });
export const walletBalance = (id: string): Promise<Balance> => call<Balance>('wallet_balance', { id });
export const checkAddress = (address: string): Promise<AddressCheck> => call<AddressCheck>('check_address', { address });
/** `amount` is DBC as typed (decimal string); the quote is in planck. */
export const walletSendQuote = (id: string, to: string, amount: string): Promise<SendQuote> =>
  call<SendQuote>('wallet_send_quote', { id, to, amount });

/** Signs and sends a transfer; `onStatus` follows it (signing, broadcast, in block, finalized or failed). */
export function walletSend(
  args: { id: string; to: string; amount: string; password: string },
  onStatus: (status: TxStatus) => void,
): Promise<SendResult> {
  const channel = new Channel<TxStatus>();
  channel.onmessage = onStatus;
  return call<SendResult>('wallet_send', { ...args, onStatus: channel });
}

/** The live `wallet-balance` event (the active account, on new blocks). Stopping never throws. */
export async function onWalletBalance(handler: (event: BalanceEvent) => void): Promise<() => void> {
  const unlisten: UnlistenFn = await listen<BalanceEvent>('wallet-balance', (event) => handler(event.payload));
  return () => {
    try {
      Promise.resolve(unlisten()).catch(() => {});
    } catch {
      // Already gone.
    }
  };
}

// --- Machine market ---------------------------------------------------------

export type { Listing, MarketQuote, MarketSnapshot } from './market/types';
import type { MarketQuote, MarketSnapshot } from './market/types';

/** The latest machine list (from the disk cache, then the chain), or `null` before the first. */
export const marketSnapshot = (): Promise<MarketSnapshot | null> => call<MarketSnapshot | null>('market_snapshot');
/**
 * What renting `gpus` GPUs of a machine for `hours` (decimal text in steps of 0.5, e.g. "1.5")
 * costs, checked as the chain checks it; fails with a specific code before anything is signed.
 */
export const marketQuote = (machineId: string, gpus: number, hours: string): Promise<MarketQuote> =>
  call<MarketQuote>('market_quote', { machineId, gpus, hours });

/** The live `market-updated` event (same payload as `market_snapshot`). Stopping never throws. */
export async function onMarketUpdated(handler: (snapshot: MarketSnapshot | null) => void): Promise<() => void> {
  const unlisten: UnlistenFn = await listen<MarketSnapshot | null>('market-updated', (event) => handler(event.payload));
  return () => {
    try {
      Promise.resolve(unlisten()).catch(() => {});
    } catch {
      // Already gone.
    }
  };
}

// --- Omniverse guide --------------------------------------------------------

export type ChecklistItemId = 'driver-checked' | 'omniverse-installed' | 'audio2face-installed' | 'first-launch-done' | 'test-audio-played';

/** One rental's setup checklist (crates/dbc/src/guide.rs), every item in order. */
export interface Checklist {
  rentKey: string;
  items: Array<{ id: ChecklistItemId; done: boolean }>;
  done: number;
  total: number;
}

/** Opens an https link in the system browser; the back end refuses links off its allowlist (`link-not-allowed`). */
export const openExternal = (url: string): Promise<void> => call<void>('open_external', { url });
/** `rentKey`: `<network>:<rent id>`, or `general` before a rental is chosen. */
export const checklistGet = (rentKey: string): Promise<Checklist> => call<Checklist>('checklist_get', { rentKey });
export const checklistSet = (rentKey: string, item: ChecklistItemId, done: boolean): Promise<Checklist> =>
  call<Checklist>('checklist_set', { rentKey, item, done });

// --- Rentals ----------------------------------------------------------------
// The rental flow (src-tauri/src/commands/rental.rs). Passwords go in and are wrapped in
// Rust at once; the only secret that comes back is the VM's login password (Verify step).

export type {
  ConnectionCheck,
  PowerOp,
  RdpCheck,
  Reminder,
  RenewQuote,
  Renewed,
  Rental,
  RentalSettings,
  RentalsSnapshot,
  Stage,
  VmCreated,
  VmEvent,
  VmLogin,
} from './rentals/types';
import type {
  ConnectionCheck,
  PowerOp,
  RdpCheck,
  Reminder,
  RenewQuote,
  Renewed,
  Rental,
  RentalSettings,
  RentalsSnapshot,
  VmCreated,
  VmEvent,
  VmLogin,
} from './rentals/types';

function channelOf<T>(handler: (message: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = handler;
  return channel;
}

/** The active account's rentals, settled and reconciled with the chain (`null` before a network is known). */
export const rentalsList = (): Promise<RentalsSnapshot | null> => call<RentalsSnapshot | null>('rentals_list');
/** Rents `gpus` GPUs for `blocks` (a multiple of 300); resolves once the chain placed the order. */
export const rentalPlace = (
  args: { machineId: string; gpus: number; blocks: number; password: string },
  onStatus: (status: TxStatus) => void,
): Promise<Rental> => call<Rental>('rental_place', { ...args, onStatus: channelOf(onStatus) });
/** Creates (or resumes creating) the Windows VM and waits until it runs. */
export const rentalCreateVm = (
  args: { id: string; clientUrl: string | null; image: string | null; password: string },
  onEvent: (event: VmEvent) => void,
): Promise<VmCreated> => call<VmCreated>('rental_create_vm', { ...args, onEvent: channelOf(onEvent) });
export const rentalVmDetail = (id: string, password: string): Promise<VmLogin> => call<VmLogin>('rental_vm_detail', { id, password });
export const rentalCheckRdp = (id: string): Promise<RdpCheck> => call<RdpCheck>('rental_check_rdp', { id });
export const rentalConfirm = (id: string, password: string, onStatus: (status: TxStatus) => void): Promise<Rental> =>
  call<Rental>('rental_confirm', { id, password, onStatus: channelOf(onStatus) });
export const rentalRenewQuote = (id: string, blocks: number): Promise<RenewQuote> => call<RenewQuote>('rental_renew_quote', { id, blocks });
export const rentalRenew = (id: string, blocks: number, password: string, onStatus: (status: TxStatus) => void): Promise<Renewed> =>
  call<Renewed>('rental_renew', { id, blocks, password, onStatus: channelOf(onStatus) });
export const rentalVmPower = (id: string, op: PowerOp, password: string): Promise<Rental> =>
  call<Rental>('rental_vm_power', { id, op, password });
/** "Test connection" of a DBC client; with a machine id, also that it sees the machine and its Windows images. */
export const computeTestConnection = (url: string, machineId: string | null): Promise<ConnectionCheck> =>
  call<ConnectionCheck>('compute_test_connection', { url, machineId });
/** The user allows plain http:// to this DBC client outside their network (asked once per client). */
export const computeAllowInsecureClient = (url: string): Promise<string> => call<string>('compute_allow_insecure_client', { url });
export const rentalSettings = (): Promise<RentalSettings> => call<RentalSettings>('rental_settings');
export const setComputeClients = (clients: string[]): Promise<RentalSettings> => call<RentalSettings>('set_compute_clients', { clients });
export const setReminderLeads = (minutes: number[]): Promise<RentalSettings> => call<RentalSettings>('set_reminder_leads', { minutes });
/** A desktop notification with text in the user's language. */
export const notifyReminder = (title: string, body: string): Promise<void> => call<void>('notify_reminder', { title, body });

async function listenTo<T>(event: string, handler: (payload: T) => void): Promise<() => void> {
  const unlisten: UnlistenFn = await listen<T>(event, (e) => handler(e.payload));
  return () => {
    try {
      Promise.resolve(unlisten()).catch(() => {});
    } catch {
      // Already gone.
    }
  };
}

/** The live `rentals-updated` event (same payload as `rentals_list`). Stopping never throws. */
export const onRentalsUpdated = (handler: (snapshot: RentalsSnapshot | null) => void): Promise<() => void> =>
  listenTo('rentals-updated', handler);
/** A reminder that just became due (`rental-reminder`). Stopping never throws. */
export const onRentalReminder = (handler: (reminder: Reminder) => void): Promise<() => void> => listenTo('rental-reminder', handler);

// --- Connect ------------------------------------------------------------------
// The Connect step (src-tauri/src/commands/connect.rs). The wallet password unlocks a
// rental's VM login, which Rust keeps in memory for 30 minutes; the passwords stay there
// (copied to the clipboard from Rust), except one explicit reveal of the VNC password.

/** The Remote Desktop window (`dbc::rdp::RdpOptions`, camelCase). */
export interface RdpOptions {
  fullscreen: boolean;
  width: number;
  height: number;
  multiMonitor: boolean;
  clipboard: boolean;
  /** `home` (the wire name, kept for saved options): share the one folder `<data dir>/share` as the
   *  drive DBC-Rent (FreeRDP only); never the home folder or drives, and nothing in a `.rdp` file. */
  drives: 'none' | 'home';
  dynamicResolution: boolean;
}

/** An unlocked VM login, without its passwords. */
export interface ConnectLogin {
  rentalId: string;
  rentId: number | null;
  vmStatus: string;
  running: boolean;
  host: string;
  rdpPort: number | null;
  /** `host:port`, when both are known. */
  address: string | null;
  user: string;
  passwordAvailable: boolean;
  vncHost: string;
  vncPort: number | null;
  vncAddress: string | null;
  vncPasswordAvailable: boolean;
  expiresInSecs: number;
}

export interface Reachability {
  address: string;
  reachable: boolean;
  /** `refused`, `timeout` or the OS's reason. */
  reason: string | null;
}

/** A started Remote Desktop client (`dbc::rdp::Launched`). */
export interface Launched {
  client: 'mstsc' | 'windows-app' | 'xfreerdp3' | 'xfreerdp' | 'remmina' | 'xdg-open' | (string & {});
  pid: number;
  rdpFile: string;
}

export type CopyField = 'address' | 'user' | 'password' | 'vncAddress' | 'vncPassword';

export interface Copied {
  field: CopyField;
  /** Seconds until a copied password is taken off the clipboard. */
  clearsInSecs: number | null;
}

export const connectUnlock = (id: string, password: string): Promise<ConnectLogin> =>
  call<ConnectLogin>('connect_unlock', { id, password });
/** The login if it is still unlocked, else `null`. */
export const connectLogin = (id: string): Promise<ConnectLogin | null> => call<ConnectLogin | null>('connect_login', { id });
export const connectCheck = (id: string): Promise<Reachability> => call<Reachability>('connect_check', { id });
export const connectLaunch = (id: string, options: RdpOptions): Promise<Launched> => call<Launched>('connect_launch', { id, options });
export const connectWriteRdp = (id: string, options: RdpOptions): Promise<{ path: string }> =>
  call<{ path: string }>('connect_write_rdp', { id, options });
export const connectCopy = (id: string, field: CopyField): Promise<Copied> => call<Copied>('connect_copy', { id, field });
export const connectReveal = (id: string, field: 'vncPassword'): Promise<{ field: string; value: string }> =>
  call<{ field: string; value: string }>('connect_reveal', { id, field });
