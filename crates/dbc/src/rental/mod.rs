//! The rental flow as a persisted state machine: rent -> VM -> verify ->
//! confirm -> renew, with a journal written before every external action so
//! that a crash or quit at any step resumes without paying twice.
//!
//! - [`record`]: a rental, its stage and what is in flight;
//! - [`book`]: the journal file of one network;
//! - [`decide`]: what moves a rental forward, as pure decisions over a read;
//! - [`answer`]: what a transaction's answer makes of its rental (pure);
//! - [`chain_port`]: the chain as the steps read it (a trait: the real
//!   client, or an in-memory chain in tests);
//! - [`chain_steps`]: place, confirm, renew, and `sync` (settle + reconcile);
//! - [`client_choice`]: the DBC client for a VM call, chosen on what the
//!   clients answer now;
//! - [`errors`]: the flow's errors, each built in one place;
//! - [`failover`]: a VM step going on through the next client when one goes away;
//! - [`login`]: a VM's login (validated RDP target, password as a secret, VNC);
//! - [`reminders`]: which reminders are due, from block numbers;
//! - [`service`]: the operations both shells call (one rule each);
//! - [`vm_steps`]: create the VM (resumable), its login, power operations.

pub mod answer;
pub mod book;
pub mod chain_port;
pub mod chain_steps;
pub mod client_choice;
pub mod decide;
pub mod errors;
pub mod failover;
#[cfg(test)]
mod fake_chain;
pub mod login;
pub mod record;
pub mod reminders;
#[cfg(test)]
mod samples;
pub mod service;
pub mod ssh_steps;
pub mod vm_steps;

#[cfg(test)]
mod sync_tests;

pub use book::RentalBook;
pub use chain_port::{ChainCtx, RentalChain};
pub use chain_steps::{confirm, place, renew, sync, try_sync};
pub use client_choice::{choose_live_client, LiveChoice};
pub use errors::rental_not_found;
pub use failover::{poll_for, through_clients, ClientSwitch, GONE_POLLS_BEFORE_SWITCH};
pub use login::VmLogin;
pub use record::{OrderFacts, PendingCall, PendingTx, Rental, Stage, VmFacts};
pub use service::{ClientSources, RenewQuote, Renewed, RentalService, TimeLeft};
pub use ssh_steps::{
    expected_gpus, forget_ended_vscode_hosts, gpu_check, gpu_check_with_login, install_key, ssh_login, SshUse,
};
pub use vm_steps::{create_vm, vm_detail, vm_power, PowerOp, VmEvent, VmOptions};
