//! What moves a rental forward: pure decisions over one read of the chain.
//!
//! Every decision here takes the rental as the journal has it and an
//! [`AccountSnapshot`] (nonce + live orders, read from one pinned block),
//! and says what the journal should become. Nothing here talks to a node,
//! so the rules are tested in milliseconds (see the tests below) and the
//! steps in `chain_steps` only read, decide, write and send.
//!
//! The rules:
//! - A read from a block older than the newest block the journal has seen
//!   for a rental (`seen_at`) changes nothing: a lagging node, or a failover
//!   to one, cannot move a rental back.
//! - An order missing from a read means *lapsed* only at a block past its
//!   confirm deadline, *ended* only at or past its `rent_end`; before that the
//!   read proves nothing and nothing changes.
//! - A lapsed or ended rental whose order shows up again comes back.
//! - A transaction "used without effect" (its nonce is used but its effect is
//!   not there) and one that expired unused are decided only from a finalized
//!   block, because those decisions end the intent: a best block could still
//!   be reorganized away and the transaction land after all.
//! - Anything else leaves the step in flight: the next read decides.

use super::record::{OrderFacts, PendingCall, PendingTx, Rental, Stage};
use crate::chain::rent::{self, AccountSnapshot, OrderStatus, RentOrder};
use crate::error::{Error, ErrorCode};

/// What to do with a rental's transaction in flight.
#[derive(Debug, Clone, PartialEq)]
pub enum Settle {
    /// The chain decided: write this rental (boxed: the other cases carry nothing).
    Decided(Box<Rental>),
    /// The chain has not seen it (nonce unused, still valid): send the same
    /// signed bytes again.
    Resend,
    /// Only a finalized read can decide; ask again with one.
    NeedsFinalized,
    /// Nothing can be decided from this read; leave it in flight.
    Undecided,
}

/// The read is older than what the journal has seen for `r`.
fn stale(r: &Rental, read: &AccountSnapshot) -> bool {
    r.seen_at.is_some_and(|seen| read.at < seen)
}

fn seen(r: &mut Rental, read: &AccountSnapshot) {
    r.seen_at = Some(r.seen_at.map_or(read.at, |s| s.max(read.at)));
}

/// The stage of an order that waits for confirmation, from what the journal
/// knows of its VM.
pub fn awaiting_stage(r: &Rental) -> Stage {
    match r.vm.as_ref().map(|v| v.status.as_str()) {
        Some("running") => Stage::VmReady,
        Some("creating") => Stage::VmCreating,
        _ => Stage::Placed,
    }
}

/// Align a rental with no transaction in flight with a read of its
/// account. `None`: nothing changes.
pub fn reconcile(r: &Rental, read: &AccountSnapshot) -> Option<Rental> {
    let rent_id = r.rent_id()?;
    if r.pending.is_some() || stale(r, read) {
        return None;
    }
    let mut next = r.clone();
    match read.orders.iter().find(|o| o.rent_id == rent_id) {
        Some(o) => {
            if let Some(f) = next.order.as_mut() {
                // An order's end only moves forward on chain (relet).
                f.rent_end = f.rent_end.max(o.rent_end);
                f.confirmed_at = o.confirmed_at.or(f.confirmed_at);
            }
            next.stage = match (o.status, r.stage) {
                (OrderStatus::Renting, _) => Stage::Renting,
                // Lapsed or ended on an earlier (wrong) read: it is back.
                (_, Stage::Lapsed | Stage::Ended | Stage::Failed) => awaiting_stage(r),
                (_, s) => s,
            };
            if next.stage != r.stage && matches!(r.stage, Stage::Lapsed | Stage::Ended) {
                next.last_error = None;
                next.closed_at = None;
            }
        }
        None => {
            let facts = r.order.as_ref()?;
            match r.stage {
                s if s.awaits_confirm() && read.at > facts.confirm_deadline => {
                    next.stage = Stage::Lapsed;
                    next.closed_at = Some(facts.confirm_deadline);
                    next.last_error = Some(rent::lapsed(rent_id));
                }
                Stage::Renting if read.at >= facts.rent_end => {
                    next.stage = Stage::Ended;
                    next.closed_at = Some(facts.rent_end);
                }
                // Gone before its deadline or end: this read proves nothing.
                _ => return None,
            }
        }
    }
    seen(&mut next, read);
    // Only the newer block read: not worth a write on its own.
    let mut same = next.clone();
    same.seen_at = r.seen_at;
    if same == *r {
        return None;
    }
    Some(next)
}

/// Settle rental `r`'s transaction in flight from a read at the best block
/// (`best`) and, when asked for ([`Settle::NeedsFinalized`]), one at the
/// finalized block. `known`: rent ids the journal already holds.
pub fn settle(r: &Rental, best: &AccountSnapshot, finalized: Option<&AccountSnapshot>, known: &[u64]) -> Settle {
    let Some(p) = r.pending.as_ref() else { return Settle::Undecided };
    if best.at < p.signed_at_block || stale(r, best) {
        return Settle::Undecided;
    }
    match p.call {
        PendingCall::Rent => settle_rent(r, p, best, finalized, known),
        PendingCall::Confirm => settle_confirm(r, p, best, finalized),
        PendingCall::Relet { old_end, .. } => settle_relet(r, p, old_end, best, finalized),
    }
}

/// The order a rent in flight placed, if `read` shows it.
fn placed_by<'a>(r: &Rental, p: &PendingTx, read: &'a AccountSnapshot, known: &[u64]) -> Option<&'a RentOrder> {
    read.orders.iter().find(|o| {
        o.machine_id == r.machine_id
            && o.gpu_num == r.gpus
            && o.rent_start > p.signed_at_block
            && !known.contains(&o.rent_id)
    })
}

fn nonce_used(p: &PendingTx, read: &AccountSnapshot) -> bool {
    read.nonce > p.nonce
}

fn expired(p: &PendingTx, read: &AccountSnapshot) -> bool {
    p.valid_until.is_some_and(|v| read.at > v)
}

/// Whether a transaction without its effect in the best read can still land.
enum Outcome {
    /// Nonce unused and still valid: it can; send it again.
    StillPossible,
    /// Settled on a finalized read: it never will.
    NeverLands,
    /// Wait: this (best or finalized) read cannot tell yet.
    Wait(Settle),
}

/// The verdict that ends an intent without its effect needs a finalized read
/// showing the same. `effect`: whether a read shows the transaction's effect.
fn without_effect(
    p: &PendingTx,
    best: &AccountSnapshot,
    finalized: Option<&AccountSnapshot>,
    effect: impl Fn(&AccountSnapshot) -> bool,
) -> Outcome {
    let used = nonce_used(p, best);
    if !used && !expired(p, best) {
        return Outcome::StillPossible;
    }
    let Some(f) = finalized.filter(|f| f.finalized) else { return Outcome::Wait(Settle::NeedsFinalized) };
    if !effect(f) && (nonce_used(p, f) || (expired(p, f) && !used)) {
        Outcome::NeverLands
    } else {
        Outcome::Wait(Settle::Undecided)
    }
}

fn settle_rent(
    r: &Rental,
    p: &PendingTx,
    best: &AccountSnapshot,
    finalized: Option<&AccountSnapshot>,
    known: &[u64],
) -> Settle {
    if let Some(o) = placed_by(r, p, best, known) {
        let mut next = r.clone();
        let fee = r.quote.map(|q| q.order_fee).unwrap_or(0);
        next.order = Some(OrderFacts::from_order(o, o.stake_amount, fee));
        next.stage = if o.status == OrderStatus::Renting { Stage::Renting } else { Stage::Placed };
        next.blocks = o.rent_end.saturating_sub(o.rent_start);
        next.pending = None;
        next.last_error = None;
        seen(&mut next, best);
        return Settle::Decided(Box::new(next));
    }
    match without_effect(p, best, finalized, |f| placed_by(r, p, f, known).is_some()) {
        Outcome::StillPossible => Settle::Resend,
        Outcome::NeverLands => {
            let mut next = r.clone();
            next.stage = Stage::Failed;
            next.pending = None;
            next.last_error = Some(
                Error::new(
                    ErrorCode::RentNotPlaced,
                    if nonce_used(p, best) {
                        "the rent transaction was used on chain but no order of it is live now: it failed, or the order lapsed while the app was closed"
                    } else {
                        "the rent transaction expired without being included: no order was placed and nothing was paid"
                    },
                )
                .with_data(serde_json::json!({ "machineId": r.machine_id, "extrinsicHash": p.extrinsic_hash })),
            );
            Settle::Decided(Box::new(next))
        }
        Outcome::Wait(s) => s,
    }
}

fn settle_confirm(r: &Rental, p: &PendingTx, best: &AccountSnapshot, finalized: Option<&AccountSnapshot>) -> Settle {
    let rent_id = r.rent_id().unwrap_or_default();
    let order = |read: &AccountSnapshot| read.orders.iter().find(|o| o.rent_id == rent_id).cloned();
    let mut next = r.clone();
    match order(best) {
        Some(o) if o.status == OrderStatus::Renting => {
            next.pending = None;
            next.stage = Stage::Renting;
            if let Some(f) = next.order.as_mut() {
                f.confirmed_at = o.confirmed_at;
            }
            next.last_error = None;
            seen(&mut next, best);
            Settle::Decided(Box::new(next))
        }
        None => {
            // Gone: past the deadline it lapsed (reversible, see `reconcile`).
            let deadline = r.order.as_ref().map(|f| f.confirm_deadline).unwrap_or(u32::MAX);
            if best.at <= deadline {
                return Settle::Undecided;
            }
            next.pending = None;
            next.stage = Stage::Lapsed;
            next.closed_at = r.order.as_ref().map(|f| f.confirm_deadline);
            next.last_error = Some(rent::lapsed(rent_id));
            seen(&mut next, best);
            Settle::Decided(Box::new(next))
        }
        Some(_) => match without_effect(p, best, finalized, |f| {
            order(f).is_some_and(|o| o.status == OrderStatus::Renting)
        }) {
            Outcome::StillPossible => Settle::Resend,
            Outcome::NeverLands => {
                next.pending = None;
                next.stage = awaiting_stage(r);
                next.last_error =
                    Some(Error::new(ErrorCode::TxFailed, "the confirmation sent earlier did not confirm the order"));
                Settle::Decided(Box::new(next))
            }
            Outcome::Wait(s) => s,
        },
    }
}

fn settle_relet(
    r: &Rental,
    p: &PendingTx,
    old_end: u32,
    best: &AccountSnapshot,
    finalized: Option<&AccountSnapshot>,
) -> Settle {
    let rent_id = r.rent_id().unwrap_or_default();
    let order = |read: &AccountSnapshot| read.orders.iter().find(|o| o.rent_id == rent_id).cloned();
    let mut next = r.clone();
    match order(best) {
        Some(o) if o.rent_end > old_end => {
            next.pending = None;
            if let Some(f) = next.order.as_mut() {
                f.rent_end = f.rent_end.max(o.rent_end);
            }
            next.last_error = None;
            seen(&mut next, best);
            Settle::Decided(Box::new(next))
        }
        // Gone: the renewal is moot; what the order became is reconcile's call.
        None => {
            next.pending = None;
            Settle::Decided(Box::new(reconcile(&next, best).unwrap_or(next)))
        }
        Some(_) => match without_effect(p, best, finalized, |f| order(f).is_some_and(|o| o.rent_end > old_end)) {
            Outcome::StillPossible => Settle::Resend,
            Outcome::NeverLands => {
                next.pending = None;
                next.last_error =
                    Some(Error::new(ErrorCode::TxFailed, "the renewal sent earlier did not extend the order"));
                Settle::Decided(Box::new(next))
            }
            Outcome::Wait(s) => s,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rental::samples;

    fn order(rent_id: u64, start: u32, end: u32, status: OrderStatus) -> RentOrder {
        samples::order(rent_id, "m1", start, end, status)
    }

    fn read(at: u32, nonce: u64, orders: Vec<RentOrder>) -> AccountSnapshot {
        AccountSnapshot { at, finalized: false, nonce, orders }
    }

    fn finalized(at: u32, nonce: u64, orders: Vec<RentOrder>) -> AccountSnapshot {
        AccountSnapshot { finalized: true, ..read(at, nonce, orders) }
    }

    /// Placed at block 1000 (confirm by 1150, ends 1600), seen at 1001.
    fn placed() -> Rental {
        let o = order(7, 1000, 1600, OrderStatus::WaitingVerifying);
        Rental {
            order: Some(OrderFacts::from_order(&o, 5, 10)),
            seen_at: Some(1001),
            ..samples::rental("r", Stage::Placed)
        }
    }

    fn renting() -> Rental {
        let mut r = Rental { stage: Stage::Renting, ..placed() };
        r.order.as_mut().unwrap().confirmed_at = Some(1010);
        r
    }

    fn in_flight(r: Rental, call: PendingCall, nonce: u64, signed_at: u32) -> Rental {
        Rental { pending: Some(samples::pending(call, nonce, signed_at)), ..r }
    }

    #[test]
    fn a_lagging_read_changes_nothing() {
        // A node a few blocks behind, right after the rent: the order is not there yet.
        assert_eq!(reconcile(&placed(), &read(995, 3, vec![])), None);
        // Renewed up to 1900, then a node still showing the old end.
        let mut r = renting();
        r.order.as_mut().unwrap().rent_end = 1900;
        r.seen_at = Some(1200);
        assert_eq!(reconcile(&r, &read(1100, 3, vec![order(7, 1000, 1600, OrderStatus::Renting)])), None);
    }

    #[test]
    fn missing_means_lapsed_only_past_the_deadline_and_ended_only_past_the_end() {
        assert_eq!(reconcile(&placed(), &read(1100, 3, vec![])), None, "gone before the deadline proves nothing");
        let lapsed = reconcile(&placed(), &read(1151, 3, vec![])).unwrap();
        assert_eq!(
            (lapsed.stage, lapsed.seen_at, lapsed.closed_at),
            (Stage::Lapsed, Some(1151), Some(1150)),
            "lapsed at its deadline, not its planned end"
        );
        assert_eq!(lapsed.last_error.unwrap().code, ErrorCode::RentLapsed);
        assert_eq!(reconcile(&renting(), &read(1599, 3, vec![])), None);
        let ended = reconcile(&renting(), &read(1600, 3, vec![])).unwrap();
        assert_eq!((ended.stage, ended.closed_at), (Stage::Ended, Some(1600)));
    }

    #[test]
    fn a_lapsed_or_ended_rental_whose_order_shows_up_comes_back() {
        let lapsed =
            Rental { stage: Stage::Lapsed, last_error: Some(rent::lapsed(7)), closed_at: Some(1150), ..placed() };
        let back =
            reconcile(&lapsed, &read(1010, 3, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)])).unwrap();
        assert_eq!((back.stage, back.last_error, back.closed_at), (Stage::Placed, None, None));
        let mut with_vm = lapsed.clone();
        with_vm.vm = Some(samples::vm("http://127.0.0.1:1"));
        assert_eq!(
            reconcile(&with_vm, &read(1010, 3, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)]))
                .unwrap()
                .stage,
            Stage::VmReady
        );
        let ended = Rental { stage: Stage::Ended, ..renting() };
        assert_eq!(
            reconcile(&ended, &read(1300, 3, vec![order(7, 1000, 1600, OrderStatus::Renting)])).unwrap().stage,
            Stage::Renting
        );
    }

    #[test]
    fn a_confirm_seen_elsewhere_moves_to_renting_and_ends_only_move_forward() {
        let r = reconcile(&placed(), &read(1020, 3, vec![order(7, 1000, 1600, OrderStatus::Renting)])).unwrap();
        assert_eq!(r.stage, Stage::Renting);
        let mut renewed = renting();
        renewed.order.as_mut().unwrap().rent_end = 1900;
        assert_eq!(reconcile(&renewed, &read(1020, 3, vec![order(7, 1000, 1600, OrderStatus::Renting)])), None);
        let extended = reconcile(&renting(), &read(1020, 3, vec![order(7, 1000, 2200, OrderStatus::Renting)])).unwrap();
        assert_eq!(extended.order.unwrap().rent_end, 2200);
        assert_eq!(
            reconcile(&renting(), &read(1020, 3, vec![order(7, 1000, 1600, OrderStatus::Renting)])),
            None,
            "nothing new: no write"
        );
    }

    #[test]
    fn a_rent_in_flight_is_found_resent_or_failed_only_on_finalized_evidence() {
        let placing = in_flight(
            Rental { stage: Stage::Placing, order: None, seen_at: Some(990), ..placed() },
            PendingCall::Rent,
            3,
            990,
        );
        let found =
            settle(&placing, &read(1001, 4, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)]), None, &[]);
        let Settle::Decided(r) = found else { panic!("{found:?}") };
        assert_eq!((r.stage, r.rent_id(), r.pending), (Stage::Placed, Some(7), None));
        // An order of the same machine the journal knows already is not this one.
        assert_eq!(
            settle(&placing, &read(1001, 3, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)]), None, &[7]),
            Settle::Resend
        );
        // Not seen, nonce unused, still valid: the same bytes again.
        assert_eq!(settle(&placing, &read(1001, 3, vec![]), None, &[]), Settle::Resend);
        // A read older than its signing block decides nothing.
        assert_eq!(settle(&placing, &read(980, 3, vec![]), None, &[]), Settle::Undecided);
        // Nonce used, no order: only a finalized read may say "not placed".
        assert_eq!(settle(&placing, &read(1001, 4, vec![]), None, &[]), Settle::NeedsFinalized);
        assert_eq!(settle(&placing, &read(1001, 4, vec![]), Some(&finalized(999, 3, vec![])), &[]), Settle::Undecided);
        let Settle::Decided(failed) = settle(&placing, &read(1001, 4, vec![]), Some(&finalized(1001, 4, vec![])), &[])
        else {
            panic!()
        };
        assert_eq!((failed.stage, failed.last_error.unwrap().code), (Stage::Failed, ErrorCode::RentNotPlaced));
        // Expired unused (finalized past its mortality): never placed.
        assert_eq!(settle(&placing, &read(1100, 3, vec![]), None, &[]), Settle::NeedsFinalized);
        let Settle::Decided(expired) = settle(&placing, &read(1100, 3, vec![]), Some(&finalized(1060, 3, vec![])), &[])
        else {
            panic!()
        };
        assert_eq!(expired.stage, Stage::Failed);
    }

    #[test]
    fn a_confirm_in_flight_is_settled_by_the_order_status() {
        let confirming = in_flight(Rental { stage: Stage::Confirming, ..placed() }, PendingCall::Confirm, 4, 1010);
        let Settle::Decided(r) =
            settle(&confirming, &read(1012, 5, vec![order(7, 1000, 1600, OrderStatus::Renting)]), None, &[])
        else {
            panic!()
        };
        assert_eq!((r.stage, r.pending), (Stage::Renting, None));
        assert_eq!(
            settle(&confirming, &read(1012, 4, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)]), None, &[]),
            Settle::Resend
        );
        assert_eq!(
            settle(&confirming, &read(1100, 4, vec![]), None, &[]),
            Settle::Undecided,
            "gone before the deadline: undecided"
        );
        let Settle::Decided(lapsed) = settle(&confirming, &read(1151, 5, vec![]), None, &[]) else { panic!() };
        assert_eq!(lapsed.stage, Stage::Lapsed);
        let used = read(1012, 5, vec![order(7, 1000, 1600, OrderStatus::WaitingVerifying)]);
        assert_eq!(settle(&confirming, &used, None, &[]), Settle::NeedsFinalized);
        let Settle::Decided(back) = settle(&confirming, &used, Some(&finalized(1012, 5, used.orders.clone())), &[])
        else {
            panic!()
        };
        assert_eq!((back.stage, back.last_error.unwrap().code), (Stage::Placed, ErrorCode::TxFailed));
    }

    #[test]
    fn a_renewal_in_flight_never_moves_the_end_back() {
        let renewing = in_flight(renting(), PendingCall::Relet { blocks: 300, old_end: 1600 }, 5, 1200);
        let Settle::Decided(r) =
            settle(&renewing, &read(1202, 6, vec![order(7, 1000, 1900, OrderStatus::Renting)]), None, &[])
        else {
            panic!()
        };
        assert_eq!((r.order.unwrap().rent_end, r.pending), (1900, None));
        assert_eq!(
            settle(&renewing, &read(1202, 5, vec![order(7, 1000, 1600, OrderStatus::Renting)]), None, &[]),
            Settle::Resend
        );
        assert_eq!(settle(&renewing, &read(1190, 5, vec![]), None, &[]), Settle::Undecided, "a lagging node");
        let used = read(1202, 6, vec![order(7, 1000, 1600, OrderStatus::Renting)]);
        assert_eq!(settle(&renewing, &used, None, &[]), Settle::NeedsFinalized);
        let Settle::Decided(r) = settle(&renewing, &used, Some(&finalized(1202, 6, used.orders.clone())), &[]) else {
            panic!()
        };
        assert_eq!((r.order.unwrap().rent_end, r.pending, r.stage), (1600, None, Stage::Renting));
    }
}
