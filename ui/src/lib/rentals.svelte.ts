// The active account's rentals, shared by the Rent, Virtual machine, Confirm and My rentals
// screens: the snapshot the Rust side publishes (`rentals-updated`, after every sync and
// command), the rental the wizard steps work on, and the reminders that became due.
import { notifyReminder, onRentalReminder, onRentalsUpdated, rentalsList, toAppError } from './ipc';
import type { AppError, Reminder, Rental, RentalsSnapshot } from './ipc';
import type { StepId } from './steps';
import { reminderText } from './rentals/labels';

// What a stage means comes from Rust with each rental (src-tauri/src/rental_view.rs).

/** Stages in which the wizard is not done with a rental yet. */
export function inFlight(r: Rental): boolean {
  return r.inFlight;
}

/** Stages of an order that may still be live on chain. */
export function isLive(r: Rental): boolean {
  return r.isLive;
}

/** The wizard step where a rental in flight continues (after a restart, or from My rentals). */
export function resumeStep(r: Rental): StepId | null {
  return r.nextStep;
}

/** The rental the wizard works on: the chosen one, else the newest still in flight. */
export function pickCurrent(rentals: readonly Rental[], selectedId: string | null): Rental | null {
  if (selectedId !== null) {
    const chosen = rentals.find((r) => r.id === selectedId);
    if (chosen) return chosen;
  }
  return rentals.find(inFlight) ?? null;
}

/** A rental's name for people: its rent id once the chain gave one. */
export function rentalName(r: Rental): string {
  return r.order ? String(r.order.rentId) : r.id;
}

export class RentalsController {
  /** Raw: replaced as a whole on every update. */
  snapshot = $state.raw<RentalsSnapshot | null>(null);
  /** `rentals_list` answered (or failed) at least once. */
  loaded = $state(false);
  loading = $state(false);
  error = $state<AppError | null>(null);
  /** Chosen in My rentals or by a wizard step; `null` follows the newest rental in flight. */
  selectedId = $state<string | null>(null);
  /** Due reminders not dismissed yet, newest first. */
  reminders = $state<Reminder[]>([]);

  readonly rentals: Rental[] = $derived(this.snapshot?.rentals ?? []);
  readonly current: Rental | null = $derived(pickCurrent(this.rentals, this.selectedId));

  /** Bumped by every applied answer, so a slow `load` does not overwrite a newer one. */
  private version = 0;

  /** Listens for updates and reminders, then loads; resolves to the function that stops listening. */
  async start(): Promise<() => void> {
    const stops: Array<() => void> = [];
    try {
      stops.push(await onRentalsUpdated((next) => this.apply(next)));
      stops.push(await onRentalReminder((r) => this.remind(r)));
    } catch {
      // Without events the screens still load the list themselves.
    }
    void this.load();
    return () => stops.forEach((stop) => stop());
  }

  async load(): Promise<void> {
    const before = this.version;
    this.loading = true;
    try {
      const next = await rentalsList();
      if (this.version === before) this.apply(next);
    } catch (err) {
      this.error = toAppError(err);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  apply(next: RentalsSnapshot | null): void {
    this.version++;
    this.snapshot = next;
    this.error = null;
    this.loaded = true;
    // A reminder whose reason is gone (the order lapsed, was confirmed, ended
    // or was renewed past the lead) is withdrawn, not left on screen.
    if (next) this.reminders = this.reminders.filter((r) => stillDue(r, next));
  }

  /** A rental a command returned: shown at once, before the next published list. */
  upsert(r: Rental): void {
    const s = this.snapshot;
    if (!s) return;
    const rentals = s.rentals.some((x) => x.id === r.id) ? s.rentals.map((x) => (x.id === r.id ? r : x)) : [r, ...s.rentals];
    this.snapshot = { ...s, rentals };
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  find(id: string): Rental | null {
    return this.rentals.find((r) => r.id === id) ?? null;
  }

  /** A reminder became due: the banner, and a desktop notification in the UI language. */
  remind(r: Reminder): void {
    if (this.reminders.some((x) => x.key === r.key)) return;
    this.reminders = [r, ...this.reminders];
    const text = reminderText(r);
    notifyReminder(text.title, text.body).catch(() => {});
  }

  dismiss(key: string): void {
    this.reminders = this.reminders.filter((r) => r.key !== key);
  }
}

/** Whether reminder `r` still has its reason in `snapshot`. */
export function stillDue(r: Reminder, snapshot: RentalsSnapshot): boolean {
  const rental = snapshot.rentals.find((x) => x.id === r.rentalId);
  const order = rental?.order;
  if (!rental || !order) return false;
  if (r.kind === 'confirm-window') {
    return rental.awaitsConfirm && snapshot.bestBlock <= order.confirmDeadline;
  }
  const leadBlocks = r.leadMinutes * 10;
  return rental.stage === 'renting' && snapshot.bestBlock < order.rentEnd && order.rentEnd - snapshot.bestBlock <= leadBlocks;
}
