// The wallet overview shared by the Wallet screen and the step rail (the backup reminder dot).
import { toAppError, walletOverview } from './ipc';
import type { AccountView, AppError, StoreInfo, WalletOverview } from './ipc';

/** Shortest app password the UI accepts (Rust checks it too: `weak-password`). */
export const MIN_PASSWORD = 8;

/** Keys can be stored: the OS keyring works, or the user chose the encrypted file. */
export function storeUsable(store: StoreInfo): boolean {
  return store.fileStoreChosen || store.kind !== null || (store.osKeyring.available && !store.osKeyring.locked);
}

/** The OS keyring cannot be used and the user has not chosen the encrypted file yet. */
export function keyringNeedsChoice(store: StoreInfo): boolean {
  return (!store.osKeyring.available || store.osKeyring.locked) && !store.fileStoreChosen;
}

export class WalletController {
  overview = $state<WalletOverview | null>(null);
  /** Why the last `wallet_overview` failed, shown in place on the Wallet screen. */
  loadError = $state<AppError | null>(null);
  loading = $state(false);

  readonly active: AccountView | null = $derived(this.overview?.accounts.find((a) => a.id === this.overview?.activeId) ?? null);
  /** The active account has never been backed up: the reminder banner and the rail dot. */
  readonly needsBackup: boolean = $derived(this.active !== null && !this.active.backedUp);

  /** Bumped by every change, so a slow `load` does not overwrite a newer answer. */
  private version = 0;

  async load(): Promise<void> {
    const before = ++this.version;
    this.loading = true;
    try {
      const next = await walletOverview();
      if (this.version !== before) return;
      this.overview = next;
      this.loadError = null;
    } catch (err) {
      if (this.version === before) this.loadError = toAppError(err);
    } finally {
      if (this.version === before) this.loading = false;
    }
  }

  /** An answer from a command that returns the whole overview (use, rename, remove). */
  apply(next: WalletOverview): void {
    this.version++;
    this.loading = false;
    this.overview = next;
    this.loadError = null;
  }

  applyStore(store: StoreInfo): void {
    if (this.overview) this.overview = { ...this.overview, store };
  }
}

/** A new password and its confirmation are good enough to submit. */
export function passwordReady(password: string, confirm: string): boolean {
  return password.length >= MIN_PASSWORD && password === confirm;
}
