// Shared by the component tests (`*.test.ts`): a mocked back end answering commands
// from a table, and what jsdom lacks for the screens.
import { mockIPC } from '@tauri-apps/api/mocks';

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
