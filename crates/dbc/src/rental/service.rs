//! The rental service: every rental operation the app and the CLI offer,
//! assembled once. A shell unlocks the key, calls one method here and shows
//! the result; it keeps no rule of its own.
//!
//! "What happens when I renew" reads top to bottom in [`RentalService::renew`]:
//! the duration rule ([`check_renewal_blocks`]), the price from the chain's
//! formula ([`renewal_price`]), then [`chain_steps::renew`] (the 60-day
//! horizon, the balance check, sign → journal → send under the chain-step
//! lock), and [`super::decide`] for what the chain's answer means.

use super::book::RentalBook;
use super::chain_port::ChainCtx;
use super::chain_steps::{self, relet_blocks};
use super::errors;
use super::record::{PendingCall, Rental, Stage};
use crate::chain::rent::{self as chain_rent, RentPaid};
use crate::chain::tx::{self, TxOptions, TxSigner, TxStatus};
use crate::chain::{identity, ChainClient, NonceTracker};
use crate::error::Result;
use crate::market::{price, rules, Market, Quote};
use crate::units::BLOCKS_PER_HOUR;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use subxt::utils::AccountId32;

/// The rentals of one connected chain.
pub struct RentalService {
    client: ChainClient,
    nonces: Arc<NonceTracker>,
    book: Arc<RentalBook>,
    opts: TxOptions,
}

/// What renewing costs now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct RenewQuote {
    pub asked_blocks: u32,
    /// What the 60-day horizon leaves of it (0: nothing can be added).
    pub blocks: u32,
    pub capped: bool,
    /// Planck.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub rent: u128,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub tx_fee_estimate: u128,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub total: u128,
    pub rent_end: u32,
    pub new_end: u32,
    pub at_block: u32,
    /// The renter's transferable balance now.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub available: u128,
    /// The balance covers it (the chain wants the rent strictly below the
    /// free balance, plus the fee): checked before any password is asked.
    pub enough: bool,
}

/// A renewal that landed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Renewed {
    pub rental: Rental,
    pub added_blocks: u32,
    /// Planck.
    #[serde(with = "crate::chain::planck_string")]
    pub paid: u128,
}

impl RentalService {
    /// The service for the chain `client` is connected to, with its journal
    /// (opened by the chain's identity: see [`crate::chain::identity`]).
    pub async fn open(data_dir: &Path, client: ChainClient, nonces: Arc<NonceTracker>) -> Result<Self> {
        let chain = identity::identity(&client).await?;
        let book = Arc::new(RentalBook::open(data_dir, &chain)?);
        Ok(Self::with_book(client, nonces, book))
    }

    /// The service over a journal the caller opened already (the app keeps one per chain).
    pub fn with_book(client: ChainClient, nonces: Arc<NonceTracker>, book: Arc<RentalBook>) -> Self {
        RentalService { client, nonces, book, opts: TxOptions::default() }
    }

    pub fn book(&self) -> &Arc<RentalBook> {
        &self.book
    }

    pub fn client(&self) -> &ChainClient {
        &self.client
    }

    fn ctx(&self) -> ChainCtx<'_> {
        ChainCtx { client: &self.client, nonces: &self.nonces, book: &self.book, opts: self.opts.clone() }
    }

    /// Settle what was in flight and reconcile `who`'s rentals with the chain.
    pub async fn sync(&self, who: &AccountId32) -> Result<Vec<Rental>> {
        chain_steps::sync(&self.ctx(), who).await
    }

    /// [`RentalService::sync`] unless another process is running a chain
    /// step on this journal (`None`).
    pub async fn try_sync(&self, who: &AccountId32) -> Result<Option<Vec<Rental>>> {
        chain_steps::try_sync(&self.ctx(), who).await
    }

    /// Check and price a rent with `market` (unknown machine, duration, not
    /// rentable, not enough GPUs are refused here, before any password).
    pub fn quote_rent(market: &Market, machine_id: &str, gpus: u32, blocks: u32) -> Result<Quote> {
        let machine_id = check_rent_request(machine_id, blocks)?;
        market.quote(&machine_id, gpus, blocks)
    }

    /// Rent `gpus` GPUs of `machine_id` for `blocks`, priced with `market`
    /// (read just before): balance checked, signed, journaled, sent, under
    /// the chain-step lock so one intent is paid once. Resolves once the
    /// `Rent` event is seen.
    pub async fn place(
        &self,
        signer: &impl TxSigner,
        market: &Market,
        machine_id: &str,
        gpus: u32,
        blocks: u32,
        on_status: impl FnMut(TxStatus) + Send,
    ) -> Result<Rental> {
        let machine_id = check_rent_request(machine_id, blocks)?;
        let quote = market.quote(&machine_id, gpus, blocks)?;
        // The same command again after a lost answer (a dropped socket, a
        // killed process): the rent it sent may have landed. Settle first; if
        // that rent placed its order, this intent is done — nothing is signed.
        let who = signer.account_id();
        let address = crate::wallet::format_address(&who);
        let in_flight = same_rent_in_flight(&self.book.all(), &address, &machine_id, gpus, blocks);
        if !in_flight.is_empty() {
            self.sync(&who).await?;
            if let Some(done) = in_flight.iter().filter_map(|id| self.book.get(id)).find(placed_by_it) {
                return Ok(done);
            }
        }
        chain_steps::place(&self.ctx(), signer, &machine_id, &quote, on_status).await
    }

    /// Confirm rental `id` (local or rent id): the rent becomes non-refundable.
    pub async fn confirm(
        &self,
        signer: &impl TxSigner,
        id: &str,
        on_status: impl FnMut(TxStatus) + Send,
    ) -> Result<Rental> {
        let before = chain_steps::find(&self.book, id)?;
        if before.pending.as_ref().is_some_and(|p| p.call == PendingCall::Confirm) {
            // A confirmation already in flight (its answer was lost): settle
            // it instead of signing a second one.
            self.sync(&signer.account_id()).await?;
            let now = chain_steps::find(&self.book, &before.id)?;
            if now.stage == Stage::Renting {
                return Ok(now);
            }
        }
        chain_steps::confirm(&self.ctx(), signer, id, on_status).await
    }

    /// What renewing rental `id` by `blocks` costs now, with the 60-day
    /// horizon applied.
    pub async fn renewal_quote(&self, market: &Market, id: &str, blocks: u32) -> Result<RenewQuote> {
        check_renewal_blocks(blocks)?;
        let r = chain_steps::find(&self.book, id)?;
        let rent_id =
            r.rent_id().filter(|_| r.stage == Stage::Renting).ok_or_else(|| errors::wrong_state(&r, "be renewed"))?;
        let (best, _) = self.client.best_block().await?;
        let order = chain_rent::order(&self.client, rent_id).await?.ok_or_else(|| errors::order_not_found(rent_id))?;
        let adds = relet_blocks(best, order.rent_end, blocks);
        let rent = if adds == 0 { 0 } else { renewal_price(market, &r.machine_id)?(order.gpu_num, adds)? };
        let fee = tx::estimate_fee(
            &self.client,
            &crate::wallet::SigningKey::fee_estimator(),
            &chain_rent::relet_call(rent_id, blocks),
        )
        .await?;
        let who = crate::wallet::parse_address(&r.account)?;
        let (balance, _) = crate::chain::account::account_info_at_best(&self.client, &who).await?;
        Ok(RenewQuote::of(blocks, adds, rent, fee, order.rent_end, best, balance.transferable))
    }

    /// Renew rental `id` by `blocks`, paid at once at `market`'s price.
    pub async fn renew(
        &self,
        signer: &impl TxSigner,
        market: &Market,
        id: &str,
        blocks: u32,
        on_status: impl FnMut(TxStatus) + Send,
    ) -> Result<Renewed> {
        check_renewal_blocks(blocks)?;
        let r = chain_steps::find(&self.book, id)?;
        let price = renewal_price(market, &r.machine_id)?;
        if let Some(PendingCall::Relet { blocks: asked, old_end }) = r.pending.as_ref().map(|p| p.call) {
            // A renewal already in flight (its answer was lost): settle it; if
            // it landed, this is that renewal, not a second one.
            self.sync(&signer.account_id()).await?;
            let now = chain_steps::find(&self.book, &r.id)?;
            if let Some(added) = landed_renewal(&now, old_end, asked, blocks) {
                // What the chain charged: its formula for the blocks it added.
                let paid = price(now.gpus, added)?;
                return Ok(Renewed { rental: now, added_blocks: added, paid });
            }
        }
        let (rental, RentPaid { blocks: added, paid, .. }) =
            chain_steps::renew(&self.ctx(), signer, &r.id, blocks, price, on_status).await?;
        Ok(Renewed { rental, added_blocks: added, paid })
    }
}

impl RenewQuote {
    /// The quote for a renewal of `asked` blocks of an order ending at
    /// `rent_end`, read at block `best`: `adds` of them fit under the 60-day
    /// horizon, costing `rent` plus the transaction `fee`, against the
    /// renter's `available` balance.
    pub fn of(asked: u32, adds: u32, rent: u128, fee: u128, rent_end: u32, best: u32, available: u128) -> Self {
        let total = rent.saturating_add(fee);
        RenewQuote {
            available,
            enough: available > total,
            asked_blocks: asked,
            blocks: adds,
            capped: adds < asked,
            rent,
            tx_fee_estimate: fee,
            total,
            rent_end,
            new_end: rent_end.saturating_add(adds),
            at_block: best,
        }
    }
}

/// The blocks a renewal in flight added, once settled: `Some` when `now`
/// (the rental after a sync) has nothing in flight and its end moved past
/// `old_end`, for the same ask (`asked` journaled, `blocks` asked again).
pub fn landed_renewal(now: &Rental, old_end: u32, asked: u32, blocks: u32) -> Option<u32> {
    let end = now.order.as_ref().map_or(0, |o| o.rent_end);
    (now.pending.is_none() && end > old_end && asked == blocks).then(|| end - old_end)
}

/// The rentals of `address` whose rent of the same machine, GPUs and
/// duration is still in flight (`Placing`): the intent a repeated command
/// may already have paid for.
pub fn same_rent_in_flight(all: &[Rental], address: &str, machine_id: &str, gpus: u32, blocks: u32) -> Vec<String> {
    all.iter()
        .filter(|r| {
            r.account == address
                && r.machine_id == machine_id
                && r.gpus == gpus
                && r.blocks == blocks
                && r.stage == Stage::Placing
        })
        .map(|r| r.id.clone())
        .collect()
}

/// After a sync, the rent in flight placed its order: nothing in flight,
/// an order, and live.
fn placed_by_it(r: &Rental) -> bool {
    r.pending.is_none() && r.order.is_some() && r.stage.is_live()
}

/// What a rent request can be checked for without the chain: the duration
/// rule and the machine id's form. Returns the normalized machine id.
pub fn check_rent_request(machine_id: &str, blocks: u32) -> Result<String> {
    rules::validate_duration(blocks)?;
    crate::compute::normalize_machine_id(machine_id)
}

/// A renewal adds half-hour steps (300 blocks, so at least the chain's
/// 100-block minimum) up to the 60-day horizon: the rent's own duration rule.
pub fn check_renewal_blocks(blocks: u32) -> Result<()> {
    rules::validate_duration(blocks).map(|_| ())
}

/// The chain's price of renewing `gpus` GPUs of `machine_id` for `adds` blocks.
pub fn renewal_price(market: &Market, machine_id: &str) -> Result<impl Fn(u32, u32) -> Result<u128>> {
    let machine = market.machine(machine_id).cloned().ok_or_else(|| rules::unknown_machine(machine_id))?;
    let params = market.params;
    Ok(move |gpus: u32, adds: u32| {
        price::rent_fee(&params, machine.calc_point, machine.gpu_count, gpus, adds, machine.extra_price_per_gpu)
            .ok_or_else(price::no_price)
    })
}

/// How long a rental has left at block `best`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeLeft {
    /// Blocks until the rental ends (live rentals).
    pub blocks_left: Option<u32>,
    /// Blocks left to confirm (orders awaiting confirmation).
    pub confirm_blocks_left: Option<u32>,
}

impl TimeLeft {
    pub fn of(r: &Rental, best: u32) -> TimeLeft {
        let o = r.order.as_ref();
        TimeLeft {
            blocks_left: o.filter(|_| r.stage.is_live()).map(|o| o.rent_end.saturating_sub(best)),
            confirm_blocks_left: o
                .filter(|_| r.stage.awaits_confirm())
                .map(|o| o.confirm_deadline.saturating_sub(best)),
        }
    }

    /// "confirm within N min" / "N.N h left", for a terminal.
    pub fn describe(&self, stage: Stage) -> String {
        match (self.confirm_blocks_left, self.blocks_left) {
            (Some(c), _) if stage.awaits_confirm() => format!("confirm within {} min", c / 10),
            (_, Some(b)) if stage == Stage::Renting => {
                let tenths = u64::from(b) * 10 / u64::from(BLOCKS_PER_HOUR);
                format!("{}.{} h left", tenths / 10, tenths % 10)
            }
            _ => String::new(),
        }
    }
}

/// Where the DBC client addresses come from, for
/// [`choose_live_client`](super::choose_live_client).
#[derive(Debug, Clone, Default)]
pub struct ClientSources<'a> {
    /// Given for this one command (the VM step's field, `--client`).
    pub asked: Option<&'a str>,
    /// The practice network's own clients (the first sees every practice
    /// machine), while on the practice network; empty elsewhere.
    pub practice: Vec<String>,
    /// `DBC_RENT_CLIENT` (the CLI).
    pub env: Option<String>,
    /// The user's list from Settings.
    pub configured: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::rental::record::OrderFacts;
    use crate::rental::samples;

    fn rental(vm_client: Option<&str>) -> Rental {
        Rental { vm: vm_client.map(samples::vm), ..samples::rental("r", Stage::Placed) }
    }

    /// An order from block 1000 to `rent_end`, confirmable until 1150.
    fn facts(rent_end: u32, confirmed_at: Option<u32>) -> OrderFacts {
        OrderFacts {
            rent_id: 1,
            rent_start: 1000,
            rent_end,
            confirm_deadline: 1150,
            reserved: 0,
            order_fee: 0,
            confirmed_at,
            paid: 0,
        }
    }

    #[test]
    fn renewals_are_half_hour_steps_of_at_least_the_chain_minimum() {
        assert!(check_renewal_blocks(300).is_ok());
        assert!(check_renewal_blocks(1_200).is_ok());
        for bad in [0, 100, 150, 450, 864_300] {
            assert_eq!(check_renewal_blocks(bad).unwrap_err().code, ErrorCode::InvalidDuration, "{bad}");
        }
        let too_long = check_renewal_blocks(100_000 * 600).unwrap_err();
        assert_eq!(too_long.data.unwrap()["reason"], "too-long", "the 60-day limit, not the half-hour rule");
    }

    #[test]
    fn a_renewal_quote_is_what_the_horizon_leaves_and_needs_more_than_its_total() {
        let q = RenewQuote::of(600, 600, 1_000, 10, 2_000, 1_500, 1_011);
        assert_eq!((q.blocks, q.capped, q.total, q.new_end, q.enough), (600, false, 1_010, 2_600, true));
        // The chain wants the rent strictly below the free balance.
        assert!(!RenewQuote::of(600, 600, 1_000, 10, 2_000, 1_500, 1_010).enough);
        let capped = RenewQuote::of(600, 100, 200, 10, 2_000, 1_500, 5_000);
        assert_eq!((capped.asked_blocks, capped.blocks, capped.capped, capped.new_end), (600, 100, true, 2_100));
        let nothing = RenewQuote::of(600, 0, 0, 10, 2_000, 1_500, 5_000);
        assert_eq!((nothing.blocks, nothing.rent, nothing.total, nothing.new_end), (0, 0, 10, 2_000));
    }

    #[test]
    fn a_lost_renewal_answer_counts_only_when_the_end_moved_for_the_same_ask() {
        let mut now = rental(None);
        now.stage = Stage::Renting;
        now.order = Some(facts(1900, Some(1010)));
        assert_eq!(landed_renewal(&now, 1600, 300, 300), Some(300));
        assert_eq!(landed_renewal(&now, 1600, 300, 600), None, "another ask is a new renewal");
        assert_eq!(landed_renewal(&now, 1900, 300, 300), None, "the end did not move");
        now.pending = Some(samples::pending(PendingCall::Relet { blocks: 300, old_end: 1600 }, 1, 1200));
        assert_eq!(landed_renewal(&now, 1600, 300, 300), None, "still in flight");
    }

    #[test]
    fn a_repeated_rent_finds_only_the_same_intent_in_flight_and_its_order() {
        let placing = |id: &str| Rental { account: "me".into(), ..samples::rental(id, Stage::Placing) };
        let all = vec![
            placing("same"),
            Rental { gpus: 2, ..placing("more-gpus") },
            Rental { blocks: 900, ..placing("longer") },
            Rental { machine_id: "m2".into(), ..placing("other-machine") },
            Rental { account: "else".into(), ..placing("other-account") },
            Rental { account: "me".into(), ..samples::rental("placed", Stage::Placed) },
        ];
        assert_eq!(same_rent_in_flight(&all, "me", "m1", 1, 600), ["same"]);
        let mut settled = Rental { order: Some(facts(1600, None)), ..samples::rental("same", Stage::Placed) };
        assert!(placed_by_it(&settled));
        settled.stage = Stage::Failed;
        assert!(!placed_by_it(&settled), "a failed rent placed nothing: sign again");
        assert!(!placed_by_it(&samples::rental("same", Stage::Placing)), "still in flight");
    }

    #[test]
    fn time_left_counts_blocks_from_the_chain() {
        let mut r = rental(None);
        r.order = Some(facts(1600, None));
        let t = TimeLeft::of(&r, 1100);
        assert_eq!((t.blocks_left, t.confirm_blocks_left), (Some(500), Some(50)));
        assert_eq!(t.describe(Stage::Placed), "confirm within 5 min");
        r.stage = Stage::Renting;
        let t = TimeLeft::of(&r, 1300);
        assert_eq!((t.blocks_left, t.confirm_blocks_left), (Some(300), None));
        assert_eq!(t.describe(Stage::Renting), "0.5 h left");
        r.stage = Stage::Lapsed;
        assert_eq!(TimeLeft::of(&r, 1300), TimeLeft { blocks_left: None, confirm_blocks_left: None });
    }
}
