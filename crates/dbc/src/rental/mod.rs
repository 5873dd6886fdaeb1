//! The rental flow as a persisted state machine: rent -> VM -> verify ->
//! confirm -> renew, with a journal written before every external action so
//! that a crash or quit at any step resumes without paying twice.
//!
//! - [`record`]: a rental, its stage and what is in flight;
//! - [`book`]: the journal file of one network;
//! - [`chain_steps`]: place, confirm, renew, and `sync` (settle + reconcile);
//! - [`vm_steps`]: create the VM (resumable), its login, power operations.

pub mod book;
pub mod chain_steps;
pub mod record;
pub mod vm_steps;

pub use book::RentalBook;
pub use chain_steps::{confirm, place, renew, sync, ChainCtx};
pub use record::{OrderFacts, PendingCall, PendingTx, Rental, Stage, VmFacts};
pub use vm_steps::{create_vm, vm_detail, vm_power, PowerOp, VmEvent, VmOptions};
