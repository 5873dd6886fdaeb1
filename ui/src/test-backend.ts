// Shared by the component tests (`*.test.ts`): a mocked back end answering commands
// from a table, and what jsdom lacks for the screens.
import { afterEach, beforeEach } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import type { Channel } from '@tauri-apps/api/core';
import { applyLanguage } from './lib/i18n';
import { STAGE_MEANING } from './lib/ipc';
import type { Rental, RentalSettings } from './lib/ipc';

export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Answers each command from `handlers`; any other command fails as an unexpected one,
 * so a test notices a command it did not plan for. `oncall` sees every call first
 * (`args` as `{}` when the command has none; `raw` as the app sent it).
 */
export function mockCommands(
  handlers: Record<string, Handler>,
  oncall?: (cmd: string, args: Record<string, unknown>, raw: unknown) => void,
) {
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      oncall?.(cmd, args, raw);
      const handler = handlers[cmd];
      if (handler) return handler(args);
      throw { code: 'internal', message: `unexpected command ${cmd}` };
    },
    { shouldMockEvents: true },
  );
}

/** jsdom has no layout; Svelte's size bindings need the observer to exist. */
export function stubResizeObserver() {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

/** `wallet_overview` before any account exists, the OS keyring usable. */
export function noAccounts() {
  return {
    accounts: [],
    activeId: null,
    store: { kind: 'os-keyring', osKeyring: { available: true, locked: false, reason: null }, fileStoreChosen: false },
  };
}

/**
 * The hooks every screen test shares: `before` resets the file's own state, then the UI
 * starts in English; after each test what was rendered is unmounted, the mocked back end
 * dropped, `after` run and the language set back to English.
 */
export function eachTest(before?: () => void, after?: () => void) {
  beforeEach(() => {
    before?.();
    applyLanguage('en');
  });
  afterEach(() => {
    cleanup();
    clearMocks();
    after?.();
    applyLanguage('en');
  });
}

/** The arguments of the last call of `cmd` in a test's call log. */
export function lastArgs<A>(calls: Array<[string, A]>, cmd: string): A | undefined {
  return calls.filter(([c]) => c === cmd).at(-1)?.[1];
}

/** Sends one message through a Channel the way the Rust side does (ordered by index). */
export function sendOnChannel<T>(channel: unknown, index: number, message: T) {
  const id = (channel as Channel<T>).id;
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
    .__TAURI_INTERNALS__;
  internals.runCallback(id, { index, message });
}

export const button = (id: string) => screen.getByTestId(id) as HTMLButtonElement;

/** Types `value` into the field with test id `id`. */
export async function typeInto(id: string, value: string) {
  await fireEvent.input(screen.getByTestId(id), { target: { value } });
}

/** A machine id as the chain writes it (64 hex digits). */
export const SAMPLE_MACHINE = '4623784812' + 'a'.repeat(50) + '3b64';

/** The Renting settings with one DBC client of the user's, off the practice network. */
export function sampleRentalSettings(over: Partial<RentalSettings> = {}): RentalSettings {
  return {
    computeClients: ['http://10.0.0.5:18777'],
    communityClients: [],
    communityClientsOff: false,
    practiceClient: null,
    reminderLeadsMinutes: [1440, 60],
    defaultReminderLeadsMinutes: [1440, 60],
    ...over,
  };
}

/** Rent 42 of 1 GPU on `SAMPLE_MACHINE` for 600 blocks, placed, no VM yet, with `over` changed; the stage's meaning
 * goes with the stage, as Rust sends it. */
export function sampleRental(over: Partial<Rental> = {}): Rental {
  const stage = over.stage ?? 'placed';
  return {
    id: 'r42',
    account: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY',
    machineId: SAMPLE_MACHINE,
    gpus: 1,
    blocks: 600,
    quote: null,
    order: {
      rentId: 42,
      rentStart: 1000,
      rentEnd: 1600,
      confirmDeadline: 1150,
      reserved: '1',
      orderFee: '1',
      confirmedAt: null,
      paid: '0',
    },
    vm: null,
    pending: null,
    lastError: null,
    createdAt: 1,
    updatedAt: 1,
    ...over,
    stage,
    ...STAGE_MEANING[stage],
  };
}

/** Rent 42 on `SAMPLE_MACHINE`, placed, no VM yet. */
export function placedRental(): Rental {
  return sampleRental();
}
