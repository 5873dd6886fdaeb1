// Typed wrappers for the Tauri commands of the Rust side (src-tauri).
// Every command failure arrives as `{ code, message, data? }`; anything else is
// normalized to code `unknown`, so the UI only ever handles `AppError`.
import { invoke } from '@tauri-apps/api/core';
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
