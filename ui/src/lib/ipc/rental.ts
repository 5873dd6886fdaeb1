// The rental flow (src-tauri/src/commands/rental.rs). Passwords go in and are wrapped in
// Rust at once; the only secret that comes back is the VM's login password (Verify step).
import { channelOf, listenTo } from './call';
import { commands, EVENTS } from './generated';
import type { PowerOp, RdpCheck, Reminder, RenewQuote, RentalsSnapshot, TxStatus, VmCreated, VmEvent, VmOs } from './generated';
import type { Rental, Renewed, VmLogin } from '../rentals/types';

/** The active account's rentals, settled and reconciled with the chain (`null` before a network is known). */
export const rentalsList = (): Promise<RentalsSnapshot | null> => commands.rentalsList();
/** Rents `gpus` GPUs for `blocks` (a multiple of 300); resolves once the chain placed the order. */
export const rentalPlace = (
  args: { machineId: string; gpus: number; blocks: number; password: string },
  onStatus: (status: TxStatus) => void,
): Promise<Rental> => commands.rentalPlace({ ...args, onStatus: channelOf(onStatus) });
/** Creates (or resumes creating) the VM, Windows or Linux (`os`), and waits until it runs. */
export const rentalCreateVm = (
  args: { id: string; clientUrl: string | null; image: string | null; os: VmOs; password: string },
  onEvent: (event: VmEvent) => void,
): Promise<VmCreated> => commands.rentalCreateVm({ ...args, onEvent: channelOf(onEvent) });
export const rentalVmDetail = (id: string, password: string): Promise<VmLogin> => commands.rentalVmDetail({ id, password });
export const rentalCheckRdp = (id: string): Promise<RdpCheck> => commands.rentalCheckRdp({ id });
export const rentalConfirm = (id: string, password: string, onStatus: (status: TxStatus) => void): Promise<Rental> =>
  commands.rentalConfirm({ id, password, onStatus: channelOf(onStatus) });
export const rentalRenewQuote = (id: string, blocks: number): Promise<RenewQuote> => commands.rentalRenewQuote({ id, blocks });
export const rentalRenew = (id: string, blocks: number, password: string, onStatus: (status: TxStatus) => void): Promise<Renewed> =>
  commands.rentalRenew({ id, blocks, password, onStatus: channelOf(onStatus) });
export const rentalVmPower = (id: string, op: PowerOp, password: string): Promise<Rental> => commands.rentalVmPower({ id, op, password });

/** The live `rentals-updated` event (same payload as `rentals_list`). Stopping never throws. */
export const onRentalsUpdated = (handler: (snapshot: RentalsSnapshot | null) => void): Promise<() => void> =>
  listenTo(EVENTS.rentalsUpdated, handler);
/** A reminder that just became due (`rental-reminder`). Stopping never throws. */
export const onRentalReminder = (handler: (reminder: Reminder) => void): Promise<() => void> => listenTo(EVENTS.rentalReminder, handler);
