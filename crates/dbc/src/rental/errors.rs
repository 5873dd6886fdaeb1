//! The rental flow's errors, each built in one place: the steps, the
//! service and the shells all report a rental's state the same way.

use super::record::{PendingTx, Rental};
use crate::chain::rent;
use crate::error::{Error, ErrorCode};
use crate::units::format_dbc;
use serde_json::json;

/// `rental-not-found`: no rental `id` (local id or rent id) in the journal.
pub fn rental_not_found(id: &str) -> Error {
    Error::new(ErrorCode::RentalNotFound, format!("no rental {id} in this network's journal"))
        .with_data(json!({ "rentId": id }))
}

/// `wrong-rental-state`: rental `r` cannot `doing` ("do that", "be renewed")
/// in its stage.
pub fn wrong_state(r: &Rental, doing: &str) -> Error {
    let id = r.shown_id();
    Error::new(ErrorCode::WrongRentalState, format!("rental {id} cannot {doing} while it is {}", r.stage.as_str()))
        .with_data(json!({ "rentId": id, "state": r.stage.as_str() }))
}

/// `wrong-rental-state`: order `rent_id` is confirmed already.
pub fn already_confirmed(rent_id: u64) -> Error {
    Error::new(ErrorCode::WrongRentalState, format!("order {rent_id} is already confirmed"))
        .with_data(json!({ "rentId": rent_id.to_string(), "state": "renting" }))
}

/// `wrong-rental-state`: rental `r` has no VM yet.
pub fn no_vm_yet(r: &Rental) -> Error {
    Error::new(ErrorCode::WrongRentalState, "this rental has no virtual machine yet")
        .with_data(json!({ "rentId": r.rent_id().map(|n| n.to_string()), "state": r.stage.as_str() }))
}

/// `rental-in-progress`: rental `open` has a transaction in flight or an
/// order waiting for confirmation.
pub fn in_progress(open: &Rental) -> Error {
    let id = open.shown_id();
    Error::new(
        ErrorCode::RentalInProgress,
        format!("rental {id} is still {} (a transaction in flight or an order waiting for confirmation); finish or let it lapse first", open.stage.as_str()),
    )
    .with_data(json!({ "rentId": id, "state": open.stage.as_str(), "machineId": open.machine_id }))
}

/// `rental-in-progress`: another process holds the journal's chain-step lock.
pub fn step_busy(address: &str, machine_id: &str) -> Error {
    Error::new(ErrorCode::RentalInProgress, "another DBC Rent window or command is sending a rental transaction from this computer; try again when it has finished")
        .with_data(json!({ "rentId": "", "state": "busy", "machineId": machine_id, "account": address }))
}

/// `rent-not-placed`: a rent transaction succeeded without a `Rent` event.
pub fn no_rent_event(machine_id: &str) -> Error {
    Error::new(
        ErrorCode::RentNotPlaced,
        "the transaction succeeded but the chain placed no order (no RentMachine.Rent event)",
    )
    .with_data(json!({ "machineId": machine_id }))
}

/// `order-not-found`: order `rent_id` is not on the chain.
pub fn order_not_found(rent_id: u64) -> Error {
    Error::new(ErrorCode::OrderNotFound, format!("order {rent_id} is not on the chain"))
        .with_data(json!({ "rentId": rent_id.to_string() }))
}

/// Why order `rent_id` of rental `r` (as reconciled) is not live: lapsed
/// (`rent-lapsed`) or otherwise gone (`order-not-found`).
pub fn order_gone(r: &Rental, rent_id: u64) -> Error {
    match r.stage {
        super::Stage::Lapsed => rent::lapsed(rent_id),
        _ => Error::new(
            ErrorCode::OrderNotFound,
            format!("order {rent_id} is not live on the chain (it is {})", r.stage.as_str()),
        )
        .with_data(json!({ "rentId": rent_id.to_string() })),
    }
}

/// `confirm-window-closed`: too late to confirm order `rent_id`.
pub fn window_closed(rent_id: u64) -> Error {
    Error::new(ErrorCode::ConfirmWindowClosed, format!("the window to confirm order {rent_id} has closed"))
        .with_data(json!({ "rentId": rent_id.to_string() }))
}

/// `relet-capped`: renewing order `rent_id` adds nothing (60-day horizon).
pub fn relet_capped(rent_id: u64) -> Error {
    Error::new(
        ErrorCode::ReletCapped,
        format!("renewing order {rent_id} adds nothing: it already ends 60 days from now"),
    )
    .with_data(json!({ "rentId": rent_id.to_string() }))
}

/// `invalid-duration`: a renewal shorter than the chain's minimum.
pub fn relet_too_short(blocks: u32) -> Error {
    Error::new(
        ErrorCode::InvalidDuration,
        format!("a renewal must add at least {} blocks (10 minutes)", rent::MIN_RELET_BLOCKS),
    )
    .with_data(json!({ "blocks": blocks }))
}

/// `node-behind`: a read from block `at`, older than block `seen` already
/// seen for rental `r`.
pub fn node_behind(r: &Rental, at: u32, seen: u32) -> Error {
    let id = r.shown_id();
    Error::new(
        ErrorCode::NodeBehind,
        format!("the node answered from block {at}, older than block {seen} already seen for rental {id}; nothing was signed"),
    )
    .with_data(json!({ "rentId": id, "block": at, "seen": seen }))
}

/// `insufficient-balance`: `needed` planck (rent + order fee + transaction
/// fee) against `available`.
pub fn insufficient(needed: u128, available: u128) -> Error {
    Error::new(
        ErrorCode::InsufficientBalance,
        format!(
            "needs {} DBC (rent + order fee + transaction fee), only {} DBC is free",
            format_dbc(needed),
            format_dbc(available)
        ),
    )
    .with_data(json!({ "needed": format_dbc(needed), "available": format_dbc(available) }))
}

/// A resend's refusal ("already imported", "temporarily banned", "stale",
/// a dropped socket, …) as `tx-unknown`: the journaled transaction may be
/// in a pool or on chain; the chain, not this error, decides.
pub fn undecided(e: Error, p: &PendingTx) -> Error {
    if e.code == ErrorCode::TxUnknown {
        return e;
    }
    Error::new(ErrorCode::TxUnknown, format!("transaction {} is pending or was used: {}", p.extrinsic_hash, e.message))
        .with_data(json!({ "extrinsicHash": p.extrinsic_hash }))
}

/// `invalid-client-url`: no DBC client address from any source.
pub fn no_client() -> Error {
    Error::new(
        ErrorCode::InvalidClientUrl,
        "no DBC client address is set: add one in Settings, or pass --client http://HOST:PORT",
    )
    .with_data(json!({ "value": "", "reason": "none set" }))
}
