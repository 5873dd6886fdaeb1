// The one way the webview talks to Rust: `call` for commands, `channelOf` for the progress
// streams a command takes, `listenTo` for events. Every command failure arrives as
// `{ code, message, data? }`; anything else is normalized to code `unknown`, so the UI
// only ever handles `AppError`.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { ErrorCode } from '../error-codes';
import type { EventName, EventPayloads } from './generated';

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

/** Invokes command `cmd`; a rejection becomes an `AppError`. */
export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toAppError(err);
  }
}

/** A channel that hands every message to `handler` (a command's progress stream). */
export function channelOf<T>(handler: (message: T) => void): Channel<T> {
  const channel = new Channel<T>();
  channel.onmessage = handler;
  return channel;
}

/**
 * Listens to event `event` with its payload type from the contract. Resolves to the function
 * that stops listening; stopping never throws (the webview may be going away).
 */
export async function listenTo<E extends EventName>(event: E, handler: (payload: EventPayloads[E]) => void): Promise<() => void> {
  const unlisten: UnlistenFn = await listen<EventPayloads[E]>(event, (e) => handler(e.payload));
  return () => {
    try {
      Promise.resolve(unlisten()).catch(() => {});
    } catch {
      // Already gone.
    }
  };
}
