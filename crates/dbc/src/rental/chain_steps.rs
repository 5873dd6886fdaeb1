//! The on-chain steps of a rental, each journaled before it is sent:
//! [`place`] (`rent_machine`), [`confirm`] (`confirm_rent`), [`renew`]
//! (`relet_machine`), and [`sync`], which settles whatever was in flight
//! when the app stopped and brings every rental in line with the chain.
//!
//! The rule that keeps money safe: a transaction is signed, written to the
//! journal, then sent. On restart the chain is read first (is the order
//! there? did the order's status or end move? was the nonce used?); only
//! when it cannot tell is the *same signed transaction* sent again, which
//! the chain accepts at most once. What each read means is decided in
//! [`super::decide`].
//!
//! One process at a time: every step holds the journal's chain-step lock
//! ([`RentalBook::chain_step`]) from its first read to its last write, so
//! the app and any number of CLI runs never both decide about, or sign for,
//! the same intent.

use super::answer::{self, Landed, Verdict};
use super::book::{now, ChainStepGuard, RentalBook};
use super::chain_port::{ChainCtx, RentalChain};
use super::decide::{self, Settle};
use super::errors;
use super::record::{OrderFacts, PendingCall, PendingTx, Rental, Stage};
use crate::chain::rent::{
    self, AccountSnapshot, Head, OrderStatus, RentOrder, RentPaid, HORIZON_BLOCKS, MIN_RELET_BLOCKS,
};
use crate::chain::tx::{self, PreparedTx, TxOptions, TxOutcome, TxSigner, TxStatus};
use crate::error::{Error, ErrorCode, Result};
use crate::market::Quote;
use subxt::utils::AccountId32;

/// Blocks between signing a confirmation and its inclusion we allow for.
pub const CONFIRM_MARGIN_BLOCKS: u32 = 2;

/// How long a rental transaction's signature stays valid (blocks, a power of
/// two): past it, a transaction never seen on chain can be given up for good.
pub const MORTAL_BLOCKS: u32 = 64;

/// How long a step waits for another process's step on the same journal.
pub const STEP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

/// Place an order for `quote` on `machine_id`, after checking the balance
/// covers rent + order fee + transaction fee. Success means the `Rent`
/// event was seen; the rental is then `Placed` with its rent id and
/// confirm deadline.
pub async fn place(
    ctx: &ChainCtx<'_>,
    signer: &impl TxSigner,
    machine_id: &str,
    quote: &Quote,
    mut on_status: impl FnMut(TxStatus) + Send,
) -> Result<Rental> {
    crate::market::rules::validate_duration(quote.blocks)?;
    let who: AccountId32 = signer.account_id();
    let address = crate::wallet::format_address(&who);
    // One order per intent, across processes: from the check below to the
    // journal write (and the send), no other process runs a chain step here.
    let _step = step_or_busy(ctx.book, &address, machine_id).await?;
    // Settle what an earlier attempt left in flight, and refuse while it is
    // unresolved or an order of this machine still waits for confirmation (a
    // retry or a double click would otherwise pay the order fee twice and
    // reserve the rent twice).
    sync_locked(ctx, ctx.book, &who).await?;
    if let Some(e) = in_progress(&ctx.book.all(), &address, machine_id) {
        return Err(e);
    }
    on_status(TxStatus::Signing);
    let call = rent::rent_call(machine_id, quote.gpus, quote.blocks);
    let (best, _) = ctx.client.best_block().await?;
    let opts = rental_tx_options(&ctx.opts);
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &call, &opts).await?;
    let needed = quote.rent.saturating_add(quote.order_fee).saturating_add(prepared.fee_estimate);
    if let Err(e) = ensure_free(ctx, &who, needed).await {
        ctx.nonces.release(&who, prepared.nonce);
        return Err(e);
    }
    let stamp = now();
    let id = format!("r{stamp}-{}-{:08x}", prepared.nonce, rand::random::<u32>());
    let rental = Rental {
        quote: Some(quote.with_tx_fee(prepared.fee_estimate)),
        pending: Some(pending(PendingCall::Rent, &prepared, best)),
        seen_at: Some(best),
        ..Rental::new(id, address.clone(), machine_id.to_string(), quote.gpus, quote.blocks, Stage::Placing, stamp)
    };
    // The check again, under the journal's own lock, as the rental goes in:
    // a journal written by a version without the step lock cannot slip past.
    let rental = match ctx.book.insert_unless(rental, |all| in_progress(all, &address, machine_id)) {
        Ok(r) => r,
        Err(e) => {
            // Not journaled, so not sent.
            ctx.nonces.release(&who, prepared.nonce);
            return Err(e);
        }
    };
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &opts, on_status).await;
    after_rent(ctx, ctx.book, rental, result).await
}

/// `rental-in-progress` when `address` has a transaction in flight, or an
/// order of `machine_id` waiting for confirmation.
fn in_progress(all: &[Rental], address: &str, machine_id: &str) -> Option<Error> {
    let open = all.iter().find(|r| {
        r.account == address
            && (r.pending.is_some()
                || (r.machine_id == machine_id && r.stage.awaits_confirm())
                || r.stage == Stage::Placing)
    })?;
    Some(errors::in_progress(open))
}

/// The chain-step lock, or `rental-in-progress` when another process holds
/// it for longer than [`STEP_PATIENCE`].
async fn step_or_busy(book: &RentalBook, address: &str, machine_id: &str) -> Result<ChainStepGuard> {
    book.chain_step(STEP_PATIENCE).await?.ok_or_else(|| errors::step_busy(address, machine_id))
}

/// The caller's options with the rental flow's mortality, so a transaction
/// that never lands can be given up on evidence (see [`MORTAL_BLOCKS`]).
fn rental_tx_options(opts: &TxOptions) -> TxOptions {
    TxOptions { mortal_blocks: Some(u64::from(MORTAL_BLOCKS)), ..opts.clone() }
}

/// Apply the result of a `rent_machine` submission to the journal ([`answer::rent`]).
async fn after_rent(
    chain: &impl RentalChain,
    book: &RentalBook,
    rental: Rental,
    result: Result<TxOutcome>,
) -> Result<Rental> {
    let answer = match result {
        Ok(outcome) => {
            let placed = outcome.extrinsic_events.as_ref().and_then(rent::rent_event);
            let event = match placed {
                Some(placed) => {
                    // The event proves the order; a failed read must not lose its id.
                    let order = chain.order(placed.rent_id).await.unwrap_or_else(|e| {
                        tracing::warn!(code = ?e.code, "placed order {} could not be read back: {}", placed.rent_id, e.message);
                        None
                    });
                    Some((placed, order))
                }
                None => None,
            };
            Ok(Landed { block: outcome.block_number, event })
        }
        Err(e) => Err(e),
    };
    write(book, answer::rent(rental, answer)).map(|(r, ())| r)
}

/// Write a verdict's rental, then report its result.
fn write<T>(book: &RentalBook, v: Verdict<T>) -> Result<(Rental, T)> {
    let saved = save(book, v.rental)?;
    v.result.map(|t| (saved, t))
}

/// What a submission came to, with the event `decode` finds in its block.
fn landed<E>(
    result: Result<TxOutcome>,
    decode: impl FnOnce(&subxt::extrinsics::ExtrinsicEvents<subxt::SubstrateConfig>) -> Option<E>,
) -> Result<Landed<E>> {
    result.map(|o| Landed { block: o.block_number, event: o.extrinsic_events.as_ref().and_then(decode) })
}

/// Confirm the order of rental `id`: the rent becomes non-refundable.
/// Refused before signing when the window has closed or the order is gone.
pub async fn confirm(
    ctx: &ChainCtx<'_>,
    signer: &impl TxSigner,
    id: &str,
    on_status: impl FnMut(TxStatus) + Send,
) -> Result<Rental> {
    let first = find(ctx.book, id)?;
    let _step = step_or_busy(ctx.book, &first.account, &first.machine_id).await?;
    // Read again under the lock: another process may have confirmed meanwhile.
    let rental = find(ctx.book, &first.id)?;
    let facts = rental.order.clone().ok_or_else(|| wrong_state(&rental))?;
    if !rental.stage.awaits_confirm() || rental.pending.is_some() {
        return Err(wrong_state(&rental));
    }
    let (best, _) = ctx.client.best_block().await?;
    let who: AccountId32 = signer.account_id();
    let read = ctx.snapshot(&who, Head::Best).await?;
    not_behind(&rental, &read)?;
    match read.orders.iter().find(|o| o.rent_id == facts.rent_id) {
        None => {
            let r = reconcile(ctx.book, rental, &read)?;
            return Err(errors::order_gone(&r, facts.rent_id));
        }
        Some(o) if o.status == OrderStatus::Renting => {
            // Confirmed already (another app, or a result we missed).
            reconcile(ctx.book, rental, &read)?;
            return Err(errors::already_confirmed(facts.rent_id));
        }
        // Signed now, included a block or two later: keep that margin.
        Some(_) if best.saturating_add(CONFIRM_MARGIN_BLOCKS) > facts.confirm_deadline => {
            return Err(errors::window_closed(facts.rent_id))
        }
        Some(_) => {}
    }
    let opts = rental_tx_options(&ctx.opts);
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &rent::confirm_call(facts.rent_id), &opts).await?;
    let back_to = rental.stage;
    let in_flight = pending(PendingCall::Confirm, &prepared, best);
    let journaled = journal_in_flight(ctx, &rental, &prepared, |x| {
        x.pending = Some(in_flight);
        x.stage = Stage::Confirming;
    })?;
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &opts, on_status).await;
    after_confirm(ctx.book, journaled, back_to, result)
}

/// Apply the result of a `confirm_rent` submission ([`answer::confirm`]).
fn after_confirm(book: &RentalBook, rental: Rental, back_to: Stage, result: Result<TxOutcome>) -> Result<Rental> {
    write(book, answer::confirm(rental, back_to, landed(result, rent::confirm_event))).map(|(r, ())| r)
}

/// The blocks a renewal of `blocks` would really add to an order ending at
/// `rent_end`, at block `best`: the chain caps the end at best + 60 days.
pub fn relet_blocks(best: u32, rent_end: u32, blocks: u32) -> u32 {
    let horizon = best.saturating_add(HORIZON_BLOCKS);
    blocks.min(horizon.saturating_sub(rent_end))
}

/// Renew a confirmed rental by `blocks` (paid at once, no order fee).
/// A renewal the 60-day horizon would cap to nothing is refused before
/// signing (`relet-capped`); one the chain capped anyway is reported.
pub async fn renew(
    ctx: &ChainCtx<'_>,
    signer: &impl TxSigner,
    id: &str,
    blocks: u32,
    price: impl FnOnce(u32, u32) -> Result<u128>,
    on_status: impl FnMut(TxStatus) + Send,
) -> Result<(Rental, RentPaid)> {
    let first = find(ctx.book, id)?;
    let _step = step_or_busy(ctx.book, &first.account, &first.machine_id).await?;
    // Read again under the lock: another process may have renewed meanwhile.
    let rental = find(ctx.book, &first.id)?;
    let facts = rental.order.clone().ok_or_else(|| wrong_state(&rental))?;
    if rental.stage != Stage::Renting || rental.pending.is_some() {
        return Err(wrong_state(&rental));
    }
    if blocks < MIN_RELET_BLOCKS {
        return Err(errors::relet_too_short(blocks));
    }
    let who: AccountId32 = signer.account_id();
    let read = ctx.snapshot(&who, Head::Best).await?;
    not_behind(&rental, &read)?;
    let best = read.at;
    let order = match read.orders.iter().find(|o| o.rent_id == facts.rent_id) {
        Some(o) if o.status == OrderStatus::Renting => o.clone(),
        _ => {
            let r = reconcile(ctx.book, rental, &read)?;
            return Err(errors::order_gone(&r, facts.rent_id));
        }
    };
    let adds = relet_blocks(best, order.rent_end, blocks);
    if adds == 0 {
        return Err(errors::relet_capped(facts.rent_id));
    }
    let cost = price(order.gpu_num, adds)?;
    let opts = rental_tx_options(&ctx.opts);
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &rent::relet_call(facts.rent_id, blocks), &opts).await?;
    // The chain wants rent < free balance (strictly), plus the fee.
    if let Err(e) = ensure_free(ctx, &who, cost.saturating_add(prepared.fee_estimate).saturating_add(1)).await {
        ctx.nonces.release(&who, prepared.nonce);
        return Err(e);
    }
    let in_flight = pending(PendingCall::Relet { blocks, old_end: order.rent_end }, &prepared, best);
    let journaled = journal_in_flight(ctx, &rental, &prepared, |x| x.pending = Some(in_flight))?;
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &opts, on_status).await;
    after_relet(ctx.book, journaled, result)
}

/// Apply the result of a `relet_machine` submission ([`answer::relet`]).
fn after_relet(book: &RentalBook, rental: Rental, result: Result<TxOutcome>) -> Result<(Rental, RentPaid)> {
    write(book, answer::relet(rental, landed(result, rent::relet_event)))
}

/// Settle what was in flight and bring `who`'s rentals in line with the
/// chain: pending transactions resolved (from chain state, else by sending
/// the same signed bytes again), lapsed and ended orders marked (and brought
/// back if their order shows up again), orders placed elsewhere (another
/// wallet app) added. Returns the account's rentals. Waits for another
/// process's chain step on this journal; see [`try_sync`] for one that does not.
pub async fn sync(ctx: &ChainCtx<'_>, who: &AccountId32) -> Result<Vec<Rental>> {
    let address = crate::wallet::format_address(who);
    let _step = step_or_busy(ctx.book, &address, "").await?;
    sync_locked(ctx, ctx.book, who).await
}

/// [`sync`] unless another process runs a chain step on this journal right
/// now (`None`): for background refreshes, which must never queue up.
pub async fn try_sync(ctx: &ChainCtx<'_>, who: &AccountId32) -> Result<Option<Vec<Rental>>> {
    let Some(_step) = ctx.book.chain_step(std::time::Duration::ZERO).await? else { return Ok(None) };
    sync_locked(ctx, ctx.book, who).await.map(Some)
}

/// [`sync`] for a caller that holds the chain-step lock, reading `chain`.
pub(super) async fn sync_locked(chain: &impl RentalChain, book: &RentalBook, who: &AccountId32) -> Result<Vec<Rental>> {
    let address = crate::wallet::format_address(who);
    let mine = |r: &Rental| r.account == address;
    let mut read = chain.snapshot(who, Head::Best).await?;
    let mut finalized: Option<AccountSnapshot> = None;
    for r in book.all().into_iter().filter(|r| mine(r) && r.pending.is_some()) {
        match settle(chain, book, &r, who, &read, &mut finalized).await {
            // A resend may have moved the chain on: read it again.
            Ok(true) => read = chain.snapshot(who, Head::Best).await?,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(rental = %r.id, code = ?e.code, "could not settle a transaction in flight: {}", e.message)
            }
        }
    }
    for r in book.all().into_iter().filter(|r| mine(r) && r.pending.is_none()) {
        reconcile(book, r, &read)?;
    }
    let all = book.all();
    let placing: Vec<&Rental> = all.iter().filter(|r| mine(r) && r.stage == Stage::Placing).collect();
    for o in &read.orders {
        // An order that a rent of ours still in flight may have placed is
        // left to that rental's settlement, not imported as a stranger.
        let ours_in_flight = placing.iter().any(|r| {
            r.machine_id == o.machine_id
                && r.gpus == o.gpu_num
                && r.pending.as_ref().is_some_and(|p| o.rent_start > p.signed_at_block)
        });
        if !ours_in_flight && book.by_rent_id(o.rent_id).is_none() {
            book.put(imported(&address, o, read.at))?;
        }
    }
    Ok(book.all().into_iter().filter(mine).collect())
}

/// An order found on chain that the journal did not know.
fn imported(address: &str, o: &RentOrder, at: u32) -> Rental {
    let stage = if o.status == OrderStatus::Renting { Stage::Renting } else { Stage::Placed };
    let blocks = o.rent_end.saturating_sub(o.rent_start);
    Rental {
        order: Some(OrderFacts::from_order(o, o.stake_amount, 0)),
        seen_at: Some(at),
        ..Rental::new(
            format!("chain-{}", o.rent_id),
            address.to_string(),
            o.machine_id.clone(),
            o.gpu_num,
            blocks,
            stage,
            now(),
        )
    }
}

/// Align a rental (no transaction in flight) with a read of its account
/// ([`decide::reconcile`]); writes only when something changed.
fn reconcile(book: &RentalBook, r: Rental, read: &AccountSnapshot) -> Result<Rental> {
    match decide::reconcile(&r, read) {
        Some(next) => save(book, next),
        None => Ok(r),
    }
}

/// Resolve one rental's transaction in flight. `Ok(true)`: the same bytes
/// were sent again (the chain may have moved).
async fn settle(
    chain: &impl RentalChain,
    book: &RentalBook,
    r: &Rental,
    who: &AccountId32,
    best: &AccountSnapshot,
    finalized: &mut Option<AccountSnapshot>,
) -> Result<bool> {
    let known: Vec<u64> = book.all().iter().filter_map(|x| x.rent_id()).collect();
    let mut verdict = decide::settle(r, best, finalized.as_ref(), &known);
    if verdict == Settle::NeedsFinalized {
        // Irreversible verdicts ("used without effect", "expired") are read
        // at the finalized block, once per sync.
        if finalized.is_none() {
            *finalized = Some(chain.snapshot(who, Head::Finalized).await?);
        }
        verdict = decide::settle(r, best, finalized.as_ref(), &known);
    }
    match verdict {
        Settle::Decided(next) => {
            save(book, *next)?;
            Ok(false)
        }
        Settle::Undecided | Settle::NeedsFinalized => Ok(false),
        Settle::Resend => {
            let p = r.pending.clone().expect("settle decides only for a rental in flight");
            // Only the chain's answer in a block counts here (included, or
            // included and failed: `tx-failed`); any other refusal of a
            // resend leaves the step in flight for the next read to decide.
            let result = match chain.resend(who, &p).await {
                Ok(o) => Ok(o),
                Err(e) if e.code == ErrorCode::TxFailed => Err(e),
                Err(e) => {
                    let e = errors::undecided(e, &p);
                    book.update(&r.id, |x| x.last_error = Some(e.clone()))?;
                    return Err(e);
                }
            };
            match p.call {
                PendingCall::Rent => after_rent(chain, book, r.clone(), result).await.map(|_| true),
                PendingCall::Confirm => after_confirm(book, r.clone(), decide::awaiting_stage(r), result).map(|_| true),
                PendingCall::Relet { .. } => after_relet(book, r.clone(), result).map(|_| true),
            }
        }
    }
}

/// Write the chain-side fields of `r` (stage, order, transaction in flight,
/// last error, duration, quote) into the rental as the journal has it now,
/// keeping what a VM step wrote meanwhile.
fn save(book: &RentalBook, r: Rental) -> Result<Rental> {
    book.update(&r.id, |x| {
        x.stage = r.stage;
        x.order = r.order.clone();
        x.pending = r.pending.clone();
        x.last_error = r.last_error.clone();
        x.blocks = r.blocks;
        x.quote = r.quote;
        x.seen_at = x.seen_at.max(r.seen_at);
        x.closed_at = r.closed_at;
    })
}

fn pending(call: PendingCall, prepared: &PreparedTx, best: u32) -> PendingTx {
    PendingTx {
        call,
        bytes: hex::encode(prepared.encoded()),
        extrinsic_hash: prepared.extrinsic_hash(),
        nonce: prepared.nonce,
        fee_estimate: prepared.fee_estimate,
        signed_at_block: best,
        valid_until: Some(best.saturating_add(MORTAL_BLOCKS)),
    }
}

/// Journal a transaction in flight for `rental` — only if the journal still
/// has it as it was read (no other transaction in flight, same stage) — or
/// hand the nonce back: what is not journaled is never sent.
fn journal_in_flight(
    ctx: &ChainCtx<'_>,
    rental: &Rental,
    prepared: &PreparedTx,
    change: impl FnOnce(&mut Rental),
) -> Result<Rental> {
    ctx.book
        .try_update(&rental.id, |x| {
            if x.pending.is_some() || x.stage != rental.stage {
                return Err(wrong_state(x));
            }
            change(x);
            Ok(())
        })
        .inspect_err(|_| ctx.nonces.release(prepared.signer(), prepared.nonce))
}

/// `insufficient-balance` unless `who` has `needed` planck free.
async fn ensure_free(chain: &impl RentalChain, who: &AccountId32, needed: u128) -> Result<()> {
    let available = chain.transferable(who).await?;
    if available < needed {
        return Err(errors::insufficient(needed, available));
    }
    Ok(())
}

/// Find a rental by local id or rent id.
pub fn find(book: &RentalBook, id: &str) -> Result<Rental> {
    book.get(id)
        .or_else(|| id.parse::<u64>().ok().and_then(|n| book.by_rent_id(n)))
        .ok_or_else(|| errors::rental_not_found(id))
}

fn wrong_state(r: &Rental) -> Error {
    errors::wrong_state(r, "do that")
}

/// `node-behind` when `read` is older than what the journal has seen for `r`:
/// a lagging node must not be the ground for signing anything.
fn not_behind(r: &Rental, read: &AccountSnapshot) -> Result<()> {
    match r.seen_at {
        Some(seen) if read.at < seen => Err(errors::node_behind(r, read.at, seen)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rental::samples;

    #[test]
    fn a_new_rent_waits_for_any_transaction_in_flight_and_for_an_order_of_its_machine() {
        let mine = |id: &str, stage: Stage| Rental { account: "me".into(), ..samples::rental(id, stage) };
        assert!(in_progress(&[mine("done", Stage::Renting), mine("gone", Stage::Lapsed)], "me", "m1").is_none());
        let waiting = mine("w", Stage::VmReady);
        assert_eq!(in_progress(std::slice::from_ref(&waiting), "me", "m1").unwrap().code, ErrorCode::RentalInProgress);
        assert!(in_progress(&[waiting], "me", "m2").is_none(), "another machine may be rented meanwhile");
        let renewing = Rental {
            pending: Some(samples::pending(PendingCall::Relet { blocks: 300, old_end: 1600 }, 1, 1)),
            ..mine("r", Stage::Renting)
        };
        let e = in_progress(std::slice::from_ref(&renewing), "me", "m2").unwrap();
        assert_eq!(e.data.unwrap()["state"], "renting", "any transaction in flight: one nonce at a time");
        assert!(in_progress(&[renewing], "other", "m1").is_none(), "another account's rentals do not count");
        assert!(in_progress(&[mine("p", Stage::Placing)], "me", "m2").is_some());
    }

    #[test]
    fn renewals_stop_at_the_sixty_day_horizon() {
        assert_eq!(relet_blocks(1000, 2000, 600), 600);
        assert_eq!(relet_blocks(1000, 1000 + HORIZON_BLOCKS - 100, 600), 100);
        assert_eq!(relet_blocks(1000, 1000 + HORIZON_BLOCKS, 600), 0);
    }
}
