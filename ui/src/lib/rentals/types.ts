// The rentals as the Rust side sends them: generated from the Rust definitions
// (src-tauri/src/rental.rs, rental_view.rs and commands/rental.rs; the records are
// `dbc::rental::Rental`, camelCase). Money is planck as decimal strings; chain time is
// block numbers. This file keeps the UI's names for them.
import type { ConnectionView, Quote, RenewedView, RentalView, VerifyLogin } from '../ipc/generated';

export type {
  ErrorShape,
  NextStep,
  OrderFacts,
  PowerOp,
  RdpCheck,
  Reminder,
  RenewQuote,
  RentalSettings,
  RentalsSnapshot,
  Stage,
  VmCreated,
  VmEvent,
  VmFacts,
} from '../ipc/generated';

/**
 * One rental: the journal's record plus what its stage means (`isLive`, `awaitsConfirm`,
 * `inFlight`, `nextStep`), decided in Rust (src-tauri/src/rental_view.rs).
 */
export type Rental = RentalView;
export type RentalQuote = Quote;
export type Renewed = RenewedView;
/** The Verify step's login; `password` is `null` when the image has no guest agent ("N/A"). */
export type VmLogin = VerifyLogin;
export type ConnectionCheck = ConnectionView;
