// Which rentals the Connect step offers, and which one it shows first.
import type { Rental } from '../ipc';

/** A live rental with a virtual machine: something to connect to (Rust says what is live). */
export function connectable(r: Rental): boolean {
  return r.vm !== null && r.isLive && r.stage !== 'placing';
}

/**
 * The rental shown first: the one chosen in My rentals (or by a wizard step) if it has a
 * VM, else the newest with a running VM, else the newest with any VM. `rentals` is newest first.
 */
export function defaultRental(rentals: readonly Rental[], selectedId: string | null): Rental | null {
  const list = rentals.filter(connectable);
  const chosen = selectedId !== null ? list.find((r) => r.id === selectedId) : undefined;
  return chosen ?? list.find((r) => r.vm?.status === 'running') ?? list[0] ?? null;
}
