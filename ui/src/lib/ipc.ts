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
export const setNetwork = (choice: NetworkChoice): Promise<NetworkSettings> => call<NetworkSettings>('set_network', { choice });
/** An empty list restores the default endpoints. */
export const setMainnetEndpoints = (endpoints: string[]): Promise<NetworkSettings> =>
  call<NetworkSettings>('set_mainnet_endpoints', { endpoints });
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
