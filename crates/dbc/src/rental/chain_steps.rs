//! The on-chain steps of a rental, each journaled before it is sent:
//! [`place`] (`rent_machine`), [`confirm`] (`confirm_rent`), [`renew`]
//! (`relet_machine`), and [`sync`], which settles whatever was in flight
//! when the app stopped and brings every rental in line with the chain.
//!
//! The rule that keeps money safe: a transaction is signed, written to the
//! journal, then sent. On restart the chain is read first (is the order
//! there? did the order's status or end move? was the nonce used?); only
//! when it cannot tell is the *same signed transaction* sent again, which
//! the chain accepts at most once.

use super::book::{now, RentalBook};
use super::record::{OrderFacts, PendingCall, PendingTx, Rental, Stage};
use crate::chain::rent::{self, OrderStatus, RentOrder, RentPaid, HORIZON_BLOCKS, MIN_RELET_BLOCKS};
use crate::chain::tx::{self, PreparedTx, TxOptions, TxOutcome, TxSigner, TxStatus};
use crate::chain::{account, ChainClient, NonceTracker};
use crate::error::{Error, ErrorCode, Result};
use crate::market::Quote;
use crate::units::format_dbc;
use subxt::utils::AccountId32;

/// Blocks between signing a confirmation and its inclusion we allow for.
pub const CONFIRM_MARGIN_BLOCKS: u32 = 2;

/// What every step needs from the caller's connection.
pub struct ChainCtx<'a> {
    pub client: &'a ChainClient,
    pub nonces: &'a NonceTracker,
    pub book: &'a RentalBook,
    pub opts: TxOptions,
}

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
    // One order per intent: settle what an earlier attempt left in flight,
    // and refuse while it is unresolved or an order of this machine still
    // waits for confirmation (a retry or a double click would otherwise pay
    // the order fee twice and reserve the rent twice).
    sync(ctx, &who).await?;
    let address = crate::wallet::format_address(&who);
    if let Some(open) = ctx.book.all().into_iter().find(|r| {
        r.account == address && (r.pending.is_some() || (r.machine_id == machine_id && r.stage.awaits_confirm()) || r.stage == Stage::Placing)
    }) {
        let id = open.rent_id().map(|n| n.to_string()).unwrap_or_else(|| open.id.clone());
        return Err(Error::new(
            ErrorCode::RentalInProgress,
            format!("rental {id} is still {} (a transaction in flight or an order waiting for confirmation); finish or let it lapse first", open.stage.as_str()),
        )
        .with_data(serde_json::json!({ "rentId": id, "state": open.stage.as_str(), "machineId": open.machine_id })));
    }
    on_status(TxStatus::Signing);
    let call = rent::rent_call(machine_id, quote.gpus, quote.blocks);
    let (best, _) = ctx.client.best_block().await?;
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &call, &ctx.opts).await?;
    let needed = quote.rent.saturating_add(quote.order_fee).saturating_add(prepared.fee_estimate);
    if let Err(e) = ensure_free(ctx.client, &who, needed).await {
        ctx.nonces.release(&who, prepared.nonce);
        return Err(e);
    }
    let stamp = now();
    let rental = Rental {
        id: format!("r{stamp}-{}-{:08x}", prepared.nonce, rand::random::<u32>()),
        account: crate::wallet::format_address(&who),
        machine_id: machine_id.to_string(),
        gpus: quote.gpus,
        blocks: quote.blocks,
        quote: Some(quote.with_tx_fee(prepared.fee_estimate)),
        stage: Stage::Placing,
        order: None,
        vm: None,
        pending: Some(pending(PendingCall::Rent, &prepared, best)),
        last_error: None,
        created_at: stamp,
        updated_at: stamp,
    };
    let rental = match ctx.book.put(rental) {
        Ok(r) => r,
        Err(e) => {
            // Not journaled, so not sent.
            ctx.nonces.release(&who, prepared.nonce);
            return Err(e);
        }
    };
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &ctx.opts, on_status).await;
    after_rent(ctx, rental, result).await
}

/// Apply the result of a `rent_machine` submission to the journal.
async fn after_rent(ctx: &ChainCtx<'_>, mut rental: Rental, result: Result<TxOutcome>) -> Result<Rental> {
    match result {
        Ok(outcome) => {
            let placed = outcome.extrinsic_events.as_ref().and_then(rent::rent_event);
            let Some(placed) = placed else {
                let err = Error::new(ErrorCode::RentNotPlaced, "the transaction succeeded but the chain placed no order (no RentMachine.Rent event)")
                    .with_data(serde_json::json!({ "machineId": rental.machine_id }));
                return fail(ctx.book, rental, err);
            };
            // The event proves the order; a failed read must not lose its id.
            let order = rent::order(ctx.client, placed.rent_id).await.unwrap_or_else(|e| {
                tracing::warn!(code = ?e.code, "placed order {} could not be read back: {}", placed.rent_id, e.message);
                None
            });
            let order_fee = rental.quote.map(|q| q.order_fee).unwrap_or(0);
            rental.order = Some(match order {
                Some(o) => OrderFacts::from_order(&o, placed.reserved, order_fee),
                // Read too late (it lapsed already): rebuild from the event block.
                None => {
                    let start = outcome.block_number.unwrap_or(0);
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
            save(ctx.book, rental)
        }
        // Refused before any block, or failed in one: no order, nothing reserved.
        Err(e) if matches!(e.code, ErrorCode::TxInvalid | ErrorCode::TxFailed | ErrorCode::InsufficientBalance) => fail(ctx.book, rental, e),
        // Sent, outcome unknown: stay `Placing`; `sync` settles it.
        Err(e) => {
            rental.last_error = Some(e.clone());
            save(ctx.book, rental)?;
            Err(e)
        }
    }
}

fn fail(book: &RentalBook, mut rental: Rental, err: Error) -> Result<Rental> {
    rental.stage = Stage::Failed;
    rental.pending = None;
    rental.last_error = Some(err.clone());
    save(book, rental)?;
    Err(err)
}

/// Confirm the order of rental `id`: the rent becomes non-refundable.
/// Refused before signing when the window has closed or the order is gone.
pub async fn confirm(ctx: &ChainCtx<'_>, signer: &impl TxSigner, id: &str, on_status: impl FnMut(TxStatus) + Send) -> Result<Rental> {
    let rental = get(ctx.book, id)?;
    let facts = rental.order.clone().ok_or_else(|| wrong_state(&rental))?;
    if !rental.stage.awaits_confirm() || rental.pending.is_some() {
        return Err(wrong_state(&rental));
    }
    let (best, _) = ctx.client.best_block().await?;
    match rent::order(ctx.client, facts.rent_id).await? {
        None => {
            let r = reconcile(ctx.book, rental, None)?;
            return Err(gone_error(&r, facts.rent_id));
        }
        Some(o) if o.status == OrderStatus::Renting => {
            // Confirmed already (another app, or a result we missed).
            reconcile(ctx.book, rental, Some(&o))?;
            return Err(Error::new(ErrorCode::WrongRentalState, format!("order {} is already confirmed", facts.rent_id))
                .with_data(serde_json::json!({ "rentId": facts.rent_id.to_string(), "state": "renting" })));
        }
        // Signed now, included a block or two later: keep that margin.
        Some(_) if best.saturating_add(CONFIRM_MARGIN_BLOCKS) > facts.confirm_deadline => return Err(window_closed(facts.rent_id)),
        Some(_) => {}
    }
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &rent::confirm_call(facts.rent_id), &ctx.opts).await?;
    let mut journaled = rental.clone();
    journaled.pending = Some(pending(PendingCall::Confirm, &prepared, best));
    let back_to = rental.stage;
    journaled.stage = Stage::Confirming;
    let journaled = journal_or_release(ctx, journaled, &prepared)?;
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &ctx.opts, on_status).await;
    after_confirm(ctx, journaled, back_to, result).await
}

async fn after_confirm(ctx: &ChainCtx<'_>, mut rental: Rental, back_to: Stage, result: Result<TxOutcome>) -> Result<Rental> {
    match result {
        Ok(outcome) => {
            let paid = outcome.extrinsic_events.as_ref().and_then(rent::confirm_event);
            rental.pending = None;
            match paid {
                Some(RentPaid { paid, .. }) => {
                    if let Some(o) = rental.order.as_mut() {
                        o.confirmed_at = outcome.block_number;
                        o.paid = o.paid.saturating_add(paid);
                    }
                    rental.stage = Stage::Renting;
                    rental.last_error = None;
                    save(ctx.book, rental)
                }
                None => {
                    rental.stage = back_to;
                    let err = Error::internal("confirm_rent succeeded without a ConfirmRent event");
                    rental.last_error = Some(err.clone());
                    save(ctx.book, rental)?;
                    Err(err)
                }
            }
        }
        Err(e) if matches!(e.code, ErrorCode::TxInvalid | ErrorCode::TxFailed | ErrorCode::InsufficientBalance) => {
            rental.pending = None;
            rental.stage = back_to;
            rental.last_error = Some(e.clone());
            save(ctx.book, rental)?;
            Err(e)
        }
        Err(e) => {
            rental.last_error = Some(e.clone());
            save(ctx.book, rental)?;
            Err(e)
        }
    }
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
    let rental = get(ctx.book, id)?;
    let facts = rental.order.clone().ok_or_else(|| wrong_state(&rental))?;
    if rental.stage != Stage::Renting || rental.pending.is_some() {
        return Err(wrong_state(&rental));
    }
    if blocks < MIN_RELET_BLOCKS {
        return Err(Error::new(ErrorCode::InvalidDuration, format!("a renewal must add at least {MIN_RELET_BLOCKS} blocks (10 minutes)"))
            .with_data(serde_json::json!({ "blocks": blocks })));
    }
    let (best, _) = ctx.client.best_block().await?;
    let order = match rent::order(ctx.client, facts.rent_id).await? {
        Some(o) if o.status == OrderStatus::Renting => o,
        other => {
            let r = reconcile(ctx.book, rental, other.as_ref())?;
            return Err(gone_error(&r, facts.rent_id));
        }
    };
    let adds = relet_blocks(best, order.rent_end, blocks);
    if adds == 0 {
        return Err(capped(facts.rent_id));
    }
    let cost = price(order.gpu_num, adds)?;
    let who: AccountId32 = signer.account_id();
    let prepared = tx::prepare(ctx.client, ctx.nonces, signer, &rent::relet_call(facts.rent_id, blocks), &ctx.opts).await?;
    // The chain wants rent < free balance (strictly), plus the fee.
    if let Err(e) = ensure_free(ctx.client, &who, cost.saturating_add(prepared.fee_estimate).saturating_add(1)).await {
        ctx.nonces.release(&who, prepared.nonce);
        return Err(e);
    }
    let mut journaled = rental.clone();
    journaled.pending = Some(pending(PendingCall::Relet { blocks, old_end: order.rent_end }, &prepared, best));
    let journaled = journal_or_release(ctx, journaled, &prepared)?;
    let result = tx::submit(ctx.client, ctx.nonces, prepared, &ctx.opts, on_status).await;
    after_relet(ctx, journaled, result).await
}

async fn after_relet(ctx: &ChainCtx<'_>, mut rental: Rental, result: Result<TxOutcome>) -> Result<(Rental, RentPaid)> {
    let rent_id = rental.rent_id().unwrap_or_default();
    match result {
        Ok(outcome) => {
            rental.pending = None;
            let Some(paid) = outcome.extrinsic_events.as_ref().and_then(rent::relet_event) else {
                rental.last_error = Some(capped(rent_id));
                save(ctx.book, rental)?;
                return Err(capped(rent_id));
            };
            if let Some(o) = rental.order.as_mut() {
                o.rent_end = o.rent_end.saturating_add(paid.blocks);
                o.paid = o.paid.saturating_add(paid.paid);
            }
            rental.last_error = None;
            Ok((save(ctx.book, rental)?, paid))
        }
        Err(e) if matches!(e.code, ErrorCode::TxInvalid | ErrorCode::TxFailed | ErrorCode::InsufficientBalance) => {
            rental.pending = None;
            rental.last_error = Some(e.clone());
            save(ctx.book, rental)?;
            Err(e)
        }
        Err(e) => {
            rental.last_error = Some(e.clone());
            save(ctx.book, rental)?;
            Err(e)
        }
    }
}

/// Settle what was in flight and bring `who`'s rentals in line with the
/// chain: pending transactions resolved (from chain state, else by sending
/// the same signed bytes again), lapsed and ended orders marked, orders
/// placed elsewhere (another wallet app) added. Returns the account's rentals.
pub async fn sync(ctx: &ChainCtx<'_>, who: &AccountId32) -> Result<Vec<Rental>> {
    let address = crate::wallet::format_address(who);
    for r in ctx.book.all().into_iter().filter(|r| r.account == address && r.pending.is_some()) {
        if let Err(e) = settle(ctx, r.clone(), who).await {
            tracing::warn!(rental = %r.id, code = ?e.code, "could not settle a transaction in flight: {}", e.message);
        }
    }
    let (_, orders) = rent::orders_of(ctx.client, who).await?;
    for r in ctx.book.all().into_iter().filter(|r| r.account == address && r.stage.is_live() && r.pending.is_none()) {
        let Some(rent_id) = r.rent_id() else { continue };
        let live = orders.iter().find(|o| o.rent_id == rent_id);
        reconcile(ctx.book, r, live)?;
    }
    let placing: Vec<Rental> = ctx.book.all().into_iter().filter(|r| r.account == address && r.stage == Stage::Placing).collect();
    for o in &orders {
        // An order that a rent of ours still in flight may have placed is
        // left to that rental's settlement, not imported as a stranger.
        let ours_in_flight = placing.iter().any(|r| {
            r.machine_id == o.machine_id && r.gpus == o.gpu_num && r.pending.as_ref().is_some_and(|p| o.rent_start > p.signed_at_block)
        });
        if !ours_in_flight && ctx.book.by_rent_id(o.rent_id).is_none() {
            ctx.book.put(imported(&address, o))?;
        }
    }
    Ok(ctx.book.all().into_iter().filter(|r| r.account == address).collect())
}

/// An order found on chain that the journal did not know.
fn imported(address: &str, o: &RentOrder) -> Rental {
    let stamp = now();
    Rental {
        id: format!("chain-{}", o.rent_id),
        account: address.to_string(),
        machine_id: o.machine_id.clone(),
        gpus: o.gpu_num,
        blocks: o.rent_end.saturating_sub(o.rent_start),
        quote: None,
        stage: if o.status == OrderStatus::Renting { Stage::Renting } else { Stage::Placed },
        order: Some(OrderFacts::from_order(o, o.stake_amount, 0)),
        vm: None,
        pending: None,
        last_error: None,
        created_at: stamp,
        updated_at: stamp,
    }
}

/// Align a rental (no transaction in flight) with its order: `live` is the
/// order as the chain has it now, `None` when it is gone.
fn reconcile(book: &RentalBook, mut r: Rental, live: Option<&RentOrder>) -> Result<Rental> {
    let before = r.clone();
    match live {
        None if r.stage.awaits_confirm() => {
            r.stage = Stage::Lapsed;
            r.last_error = r.rent_id().map(rent::lapsed);
        }
        None if r.stage == Stage::Renting => r.stage = Stage::Ended,
        None => {}
        Some(o) => {
            if let Some(f) = r.order.as_mut() {
                f.rent_end = o.rent_end;
                f.confirmed_at = o.confirmed_at.or(f.confirmed_at);
            }
            if o.status == OrderStatus::Renting && r.stage.awaits_confirm() {
                r.stage = Stage::Renting;
            }
        }
    }
    if r == before {
        return Ok(r);
    }
    save(book, r)
}

/// Resolve one rental's transaction in flight.
async fn settle(ctx: &ChainCtx<'_>, r: Rental, who: &AccountId32) -> Result<Rental> {
    let Some(p) = r.pending.clone() else { return Ok(r) };
    // The nonce first, then the orders: a transaction landing between the two
    // reads then shows as its effect, never as "used without effect".
    let (_, chain_nonce) = account::account_info_at_best(ctx.client, who).await?;
    let nonce_used = u64::from(chain_nonce) > p.nonce;
    let (_, orders) = rent::orders_of(ctx.client, who).await?;
    match p.call {
        PendingCall::Rent => {
            let known: Vec<u64> = ctx.book.all().iter().filter_map(|x| x.rent_id()).collect();
            let found = orders.iter().find(|o| {
                o.machine_id == r.machine_id && o.gpu_num == r.gpus && o.rent_start > p.signed_at_block && !known.contains(&o.rent_id)
            });
            if let Some(o) = found {
                let mut r = r.clone();
                let fee = r.quote.map(|q| q.order_fee).unwrap_or(0);
                r.order = Some(OrderFacts::from_order(o, o.stake_amount, fee));
                r.stage = if o.status == OrderStatus::Renting { Stage::Renting } else { Stage::Placed };
                r.pending = None;
                r.last_error = None;
                return save(ctx.book, r);
            }
            if nonce_used {
                let err = Error::new(
                    ErrorCode::RentNotPlaced,
                    "the rent transaction was used on chain but no order of it is live now: it failed, or the order lapsed while the app was closed",
                )
                .with_data(serde_json::json!({ "machineId": r.machine_id, "extrinsicHash": p.extrinsic_hash }));
                let _ = fail(ctx.book, r, err);
                return Err(Error::new(ErrorCode::RentNotPlaced, "no order was found for the rent sent before the restart"));
            }
            let result = resend(ctx, who, &p).await;
            after_rent(ctx, r, result).await
        }
        PendingCall::Confirm => {
            let rent_id = r.rent_id().unwrap_or_default();
            let order = orders.iter().find(|o| o.rent_id == rent_id);
            let back_to = if r.vm.as_ref().is_some_and(|v| v.status == "running") { Stage::VmReady } else { Stage::Placed };
            match order {
                Some(o) if o.status == OrderStatus::Renting => {
                    let mut r = r.clone();
                    r.pending = None;
                    r.stage = Stage::Renting;
                    if let Some(f) = r.order.as_mut() {
                        f.confirmed_at = o.confirmed_at;
                    }
                    save(ctx.book, r)
                }
                None => {
                    let mut r = r.clone();
                    r.pending = None;
                    r.stage = Stage::Placed;
                    reconcile(ctx.book, r, None)
                }
                Some(_) if nonce_used => {
                    let mut r = r.clone();
                    r.pending = None;
                    r.stage = back_to;
                    r.last_error = Some(Error::new(ErrorCode::TxFailed, "the confirmation sent before the restart did not confirm the order"));
                    save(ctx.book, r)
                }
                Some(_) => {
                    let result = resend(ctx, who, &p).await;
                    after_confirm(ctx, r, back_to, result).await
                }
            }
        }
        PendingCall::Relet { old_end, .. } => {
            let rent_id = r.rent_id().unwrap_or_default();
            let order = orders.iter().find(|o| o.rent_id == rent_id);
            match order {
                Some(o) if o.rent_end > old_end => {
                    let mut r = r.clone();
                    r.pending = None;
                    if let Some(f) = r.order.as_mut() {
                        f.rent_end = o.rent_end;
                    }
                    save(ctx.book, r)
                }
                Some(_) if !nonce_used => {
                    let result = resend(ctx, who, &p).await;
                    after_relet(ctx, r, result).await.map(|(r, _)| r)
                }
                other => {
                    let mut r = r.clone();
                    r.pending = None;
                    let r = save(ctx.book, r)?;
                    reconcile(ctx.book, r, other)
                }
            }
        }
    }
}

/// Send the journaled bytes again.
async fn resend(ctx: &ChainCtx<'_>, who: &AccountId32, p: &PendingTx) -> Result<TxOutcome> {
    let bytes = hex::decode(p.bytes.trim_start_matches("0x")).map_err(|e| Error::internal(format!("journaled transaction is not hex: {e}")))?;
    tracing::info!(tx = %p.extrinsic_hash, nonce = p.nonce, "sending the journaled transaction again (the chain has not seen it)");
    let prepared = tx::from_encoded(ctx.client, bytes, *who, p.nonce, p.fee_estimate).await?;
    tx::submit(ctx.client, ctx.nonces, prepared, &ctx.opts, |_| {}).await.map_err(|e| {
        // "Already imported" / "priority too low": it is in the pool now;
        // "stale": its nonce was used meanwhile. Either way the chain, not
        // this error, decides; the next sync reads it.
        let reason = e.message.to_ascii_lowercase();
        let undecided = ["already imported", "1013", "priority is too low", "1014", "stale", "outdated"];
        if e.code == ErrorCode::TxInvalid && undecided.iter().any(|k| reason.contains(k)) {
            Error::new(ErrorCode::TxUnknown, format!("transaction {} is pending or was used: {}", p.extrinsic_hash, e.message))
                .with_data(serde_json::json!({ "extrinsicHash": p.extrinsic_hash }))
        } else {
            e
        }
    })
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
    }
}

fn journal_or_release(ctx: &ChainCtx<'_>, rental: Rental, prepared: &PreparedTx) -> Result<Rental> {
    save(ctx.book, rental).inspect_err(|_| ctx.nonces.release(prepared.signer(), prepared.nonce))
}

async fn ensure_free(client: &ChainClient, who: &AccountId32, needed: u128) -> Result<()> {
    let (balance, _) = account::account_info_at_best(client, who).await?;
    if balance.transferable < needed {
        return Err(Error::new(
            ErrorCode::InsufficientBalance,
            format!("needs {} DBC (rent + order fee + transaction fee), only {} DBC is free", format_dbc(needed), format_dbc(balance.transferable)),
        )
        .with_data(serde_json::json!({ "needed": format_dbc(needed), "available": format_dbc(balance.transferable) })));
    }
    Ok(())
}

fn get(book: &RentalBook, id: &str) -> Result<Rental> {
    book.get(id)
        .or_else(|| id.parse::<u64>().ok().and_then(|n| book.by_rent_id(n)))
        .ok_or_else(|| Error::new(ErrorCode::RentalNotFound, format!("no rental {id} in this network's journal")).with_data(serde_json::json!({ "rentId": id })))
}

/// Find a rental by local id or rent id.
pub fn find(book: &RentalBook, id: &str) -> Result<Rental> {
    get(book, id)
}

fn wrong_state(r: &Rental) -> Error {
    let id = r.rent_id().map(|n| n.to_string()).unwrap_or_else(|| r.id.clone());
    Error::new(ErrorCode::WrongRentalState, format!("rental {id} cannot do that while it is {}", r.stage.as_str()))
        .with_data(serde_json::json!({ "rentId": id, "state": r.stage.as_str() }))
}

fn window_closed(rent_id: u64) -> Error {
    Error::new(ErrorCode::ConfirmWindowClosed, format!("the window to confirm order {rent_id} has closed"))
        .with_data(serde_json::json!({ "rentId": rent_id.to_string() }))
}

fn capped(rent_id: u64) -> Error {
    Error::new(ErrorCode::ReletCapped, format!("renewing order {rent_id} adds nothing: it already ends 60 days from now"))
        .with_data(serde_json::json!({ "rentId": rent_id.to_string() }))
}

fn gone_error(r: &Rental, rent_id: u64) -> Error {
    match r.stage {
        Stage::Lapsed => rent::lapsed(rent_id),
        _ => Error::new(ErrorCode::OrderNotFound, format!("order {rent_id} is not live on the chain (it is {})", r.stage.as_str()))
            .with_data(serde_json::json!({ "rentId": rent_id.to_string() })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_stop_at_the_sixty_day_horizon() {
        assert_eq!(relet_blocks(1000, 2000, 600), 600);
        assert_eq!(relet_blocks(1000, 1000 + HORIZON_BLOCKS - 100, 600), 100);
        assert_eq!(relet_blocks(1000, 1000 + HORIZON_BLOCKS, 600), 0);
    }
}
