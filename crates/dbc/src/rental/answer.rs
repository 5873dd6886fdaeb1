//! What a transaction's answer makes of its rental: pure functions from the
//! rental as journaled and what the submission came to (landed in a block
//! with or without its event, refused, or unknown) to the rental to write
//! and the result to report. `chain_steps` decodes the answer, calls these,
//! writes the rental, then reports.
//!
//! The rule for every call: refused before a block or failed in one
//! ([`refused`]) means nothing happened, so the step is no longer in
//! flight; any other error leaves it in flight for `sync` to settle.

use super::errors;
use super::record::{OrderFacts, Rental, Stage};
use crate::chain::rent::{self, RentOrder, RentPaid, RentPlaced};
use crate::error::{Error, ErrorCode, Result};

/// A submission that came back from a block: its number, and the event the
/// call emits there (decoded as far as the journal needs) if it did.
#[derive(Debug, Clone)]
pub struct Landed<E> {
    pub block: Option<u32>,
    pub event: Option<E>,
}

/// The rental to write, then the result to report (`Err` after the write).
#[derive(Debug, Clone)]
pub struct Verdict<T = ()> {
    pub rental: Rental,
    pub result: Result<T>,
}

impl<T> Verdict<T> {
    fn ok(rental: Rental, value: T) -> Self {
        Verdict { rental, result: Ok(value) }
    }

    fn err(mut rental: Rental, e: Error) -> Self {
        rental.last_error = Some(e.clone());
        Verdict { rental, result: Err(e) }
    }
}

/// Refused before any block (`tx-invalid`, `insufficient-balance`), or
/// failed in one (`tx-failed`): the call had no effect.
pub fn refused(e: &Error) -> bool {
    matches!(e.code, ErrorCode::TxInvalid | ErrorCode::TxFailed | ErrorCode::InsufficientBalance)
}

/// The journal has seen block `n` for `r` (it only moves forward).
fn seen_block(r: &mut Rental, n: Option<u32>) {
    if let Some(n) = n {
        r.seen_at = Some(r.seen_at.map_or(n, |s| s.max(n)));
    }
}

/// A `rent_machine` answer. The event proves the order; `RentOrder` is the
/// order read back right after (`None`: it lapsed already or the read
/// failed, so it is rebuilt from the event and its block).
pub fn rent(mut rental: Rental, answer: Result<Landed<(RentPlaced, Option<RentOrder>)>>) -> Verdict {
    match answer {
        Ok(Landed { block, event: Some((placed, order)) }) => {
            let order_fee = rental.quote.map(|q| q.order_fee).unwrap_or(0);
            rental.order = Some(match order {
                Some(o) => OrderFacts::from_order(&o, placed.reserved, order_fee),
                None => {
                    let start = block.unwrap_or(0);
                    OrderFacts {
                        rent_id: placed.rent_id,
                        rent_start: start,
                        rent_end: start + placed.blocks,
                        confirm_deadline: rent::confirm_deadline(start),
                        reserved: placed.reserved,
                        order_fee,
                        confirmed_at: None,
                        paid: 0,
                    }
                }
            });
            rental.blocks = placed.blocks;
            rental.stage = Stage::Placed;
            rental.pending = None;
            rental.last_error = None;
            seen_block(&mut rental, block);
            Verdict::ok(rental, ())
        }
        Ok(Landed { event: None, .. }) => {
            let e = errors::no_rent_event(&rental.machine_id);
            failed(rental, e)
        }
        // Refused before any block, or failed in one: no order, nothing reserved.
        Err(e) if refused(&e) => failed(rental, e),
        // Sent, outcome unknown: stay `Placing`; `sync` settles it.
        Err(e) => Verdict::err(rental, e),
    }
}

/// The rent never placed an order.
fn failed(mut rental: Rental, e: Error) -> Verdict {
    rental.stage = Stage::Failed;
    rental.pending = None;
    Verdict::err(rental, e)
}

/// A `confirm_rent` answer; `back_to` is the stage the rental had before
/// it was `Confirming`.
pub fn confirm(mut rental: Rental, back_to: Stage, answer: Result<Landed<RentPaid>>) -> Verdict {
    match answer {
        Ok(Landed { block, event }) => {
            rental.pending = None;
            match event {
                Some(RentPaid { paid, .. }) => {
                    if let Some(o) = rental.order.as_mut() {
                        o.confirmed_at = block;
                        o.paid = o.paid.saturating_add(paid);
                    }
                    rental.stage = Stage::Renting;
                    rental.last_error = None;
                    seen_block(&mut rental, block);
                    Verdict::ok(rental, ())
                }
                None => {
                    rental.stage = back_to;
                    Verdict::err(rental, Error::internal("confirm_rent succeeded without a ConfirmRent event"))
                }
            }
        }
        Err(e) if refused(&e) => {
            rental.pending = None;
            rental.stage = back_to;
            Verdict::err(rental, e)
        }
        Err(e) => Verdict::err(rental, e),
    }
}

/// A `relet_machine` answer: the end moves by the blocks the chain added
/// (its event), and the rent it charged is added to what was paid. No
/// event: the chain added nothing (`relet-capped`).
pub fn relet(mut rental: Rental, answer: Result<Landed<RentPaid>>) -> Verdict<RentPaid> {
    let rent_id = rental.rent_id().unwrap_or_default();
    match answer {
        Ok(Landed { block, event }) => {
            rental.pending = None;
            let Some(paid) = event else { return Verdict::err(rental, errors::relet_capped(rent_id)) };
            if let Some(o) = rental.order.as_mut() {
                o.rent_end = o.rent_end.saturating_add(paid.blocks);
                o.paid = o.paid.saturating_add(paid.paid);
            }
            rental.last_error = None;
            seen_block(&mut rental, block);
            Verdict::ok(rental, paid)
        }
        Err(e) if refused(&e) => {
            rental.pending = None;
            Verdict::err(rental, e)
        }
        Err(e) => Verdict::err(rental, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::rent::OrderStatus;
    use crate::rental::record::PendingCall;
    use crate::rental::samples;

    fn in_flight(stage: Stage, call: PendingCall) -> Rental {
        let o = samples::order(7, "m1", 1000, 1600, OrderStatus::WaitingVerifying);
        Rental {
            order: (stage != Stage::Placing).then(|| OrderFacts::from_order(&o, 5, 10)),
            pending: Some(samples::pending(call, 3, 990)),
            seen_at: Some(995),
            ..samples::rental("r", stage)
        }
    }

    fn tx_error(code: ErrorCode) -> Error {
        Error::new(code, "x")
    }

    fn placed(blocks: u32) -> RentPlaced {
        RentPlaced { rent_id: 7, machine_id: "m1".into(), gpus: 1, blocks, reserved: 40 }
    }

    #[test]
    fn a_landed_rent_is_placed_with_the_chains_duration_even_if_its_order_is_gone() {
        let v = rent(
            in_flight(Stage::Placing, PendingCall::Rent),
            Ok(Landed { block: Some(1000), event: Some((placed(300), None)) }),
        );
        assert!(v.result.is_ok());
        let r = v.rental;
        assert_eq!((r.stage, r.pending, r.blocks, r.seen_at), (Stage::Placed, None, 300, Some(1000)));
        let o = r.order.unwrap();
        assert_eq!((o.rent_id, o.rent_start, o.rent_end, o.reserved), (7, 1000, 1300, 40));
        assert_eq!(o.confirm_deadline, rent::confirm_deadline(1000));
    }

    #[test]
    fn a_rent_without_its_event_or_refused_fails_and_an_unknown_one_stays_in_flight() {
        let v = rent(in_flight(Stage::Placing, PendingCall::Rent), Ok(Landed { block: Some(1000), event: None }));
        assert_eq!(v.result.unwrap_err().code, ErrorCode::RentNotPlaced);
        assert_eq!((v.rental.stage, v.rental.pending.is_none()), (Stage::Failed, true));
        for code in [ErrorCode::TxInvalid, ErrorCode::TxFailed, ErrorCode::InsufficientBalance] {
            let v = rent(in_flight(Stage::Placing, PendingCall::Rent), Err(tx_error(code)));
            assert_eq!((v.rental.stage, v.rental.last_error.unwrap().code), (Stage::Failed, code));
        }
        let v = rent(in_flight(Stage::Placing, PendingCall::Rent), Err(tx_error(ErrorCode::TxUnknown)));
        assert_eq!((v.rental.stage, v.rental.pending.is_some()), (Stage::Placing, true), "sync settles it");
        assert_eq!(v.result.unwrap_err().code, ErrorCode::TxUnknown);
    }

    #[test]
    fn a_confirmation_pays_the_rent_or_goes_back_to_waiting() {
        let paid = RentPaid { rent_id: 7, gpus: 1, blocks: 600, paid: 250 };
        let v = confirm(
            in_flight(Stage::Confirming, PendingCall::Confirm),
            Stage::VmReady,
            Ok(Landed { block: Some(1020), event: Some(paid) }),
        );
        let o = v.rental.order.clone().unwrap();
        assert_eq!(
            (v.rental.stage, o.confirmed_at, o.paid, v.rental.seen_at),
            (Stage::Renting, Some(1020), 250, Some(1020))
        );
        let v = confirm(
            in_flight(Stage::Confirming, PendingCall::Confirm),
            Stage::VmReady,
            Ok(Landed { block: Some(1020), event: None }),
        );
        assert_eq!((v.rental.stage, v.result.unwrap_err().code), (Stage::VmReady, ErrorCode::Internal));
        let v = confirm(
            in_flight(Stage::Confirming, PendingCall::Confirm),
            Stage::Placed,
            Err(tx_error(ErrorCode::TxFailed)),
        );
        assert_eq!((v.rental.stage, v.rental.pending), (Stage::Placed, None));
        let v = confirm(
            in_flight(Stage::Confirming, PendingCall::Confirm),
            Stage::Placed,
            Err(tx_error(ErrorCode::ComputeTimeout)),
        );
        assert_eq!((v.rental.stage, v.rental.pending.is_some()), (Stage::Confirming, true));
    }

    #[test]
    fn a_renewal_moves_the_end_by_what_the_chain_added_and_adds_what_it_charged() {
        let call = PendingCall::Relet { blocks: 600, old_end: 1600 };
        let added = RentPaid { rent_id: 7, gpus: 1, blocks: 300, paid: 120 };
        let v = relet(in_flight(Stage::Renting, call), Ok(Landed { block: Some(1200), event: Some(added) }));
        assert_eq!(v.result.unwrap().blocks, 300);
        let o = v.rental.order.unwrap();
        assert_eq!((o.rent_end, o.paid, v.rental.pending), (1900, 120, None));
        let v = relet(in_flight(Stage::Renting, call), Ok(Landed { block: Some(1200), event: None }));
        assert_eq!(v.result.unwrap_err().code, ErrorCode::ReletCapped);
        assert_eq!(v.rental.order.unwrap().rent_end, 1600);
        let v = relet(in_flight(Stage::Renting, call), Err(tx_error(ErrorCode::TxUnknown)));
        assert!(v.rental.pending.is_some(), "unknown: still in flight");
    }
}
