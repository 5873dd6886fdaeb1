//! The chain as the rental steps read it: one small trait, so the money
//! rules of `sync` (settle what was in flight, reconcile, import) run
//! against the real chain client in the app and the CLI, and against an
//! in-memory chain in unit tests.

use super::book::RentalBook;
use super::record::PendingTx;
use crate::chain::rent::{self, AccountSnapshot, Head, RentOrder};
use crate::chain::tx::{self, TxOptions, TxOutcome};
use crate::chain::{account, ChainClient, NonceTracker};
use crate::error::{Error, Result};
use std::future::Future;
use subxt::utils::AccountId32;

/// What every step needs from the caller's connection.
pub struct ChainCtx<'a> {
    pub client: &'a ChainClient,
    pub nonces: &'a NonceTracker,
    pub book: &'a RentalBook,
    pub opts: TxOptions,
}

/// What the rental steps read from the chain, and the one write they make
/// without a signer: sending journaled bytes again.
pub trait RentalChain: Sync {
    /// `who`'s nonce and live orders, read at one block (best or finalized).
    fn snapshot(&self, who: &AccountId32, head: Head) -> impl Future<Output = Result<AccountSnapshot>> + Send;

    /// Order `rent_id` at the best block (`None`: not live).
    fn order(&self, rent_id: u64) -> impl Future<Output = Result<Option<RentOrder>>> + Send;

    /// `who`'s transferable balance at the best block, planck.
    fn transferable(&self, who: &AccountId32) -> impl Future<Output = Result<u128>> + Send;

    /// Send the journaled signed bytes of `p` again (same nonce: the chain
    /// takes them at most once).
    fn resend(&self, who: &AccountId32, p: &PendingTx) -> impl Future<Output = Result<TxOutcome>> + Send;
}

impl RentalChain for ChainCtx<'_> {
    async fn snapshot(&self, who: &AccountId32, head: Head) -> Result<AccountSnapshot> {
        rent::snapshot(self.client, who, head).await
    }

    async fn order(&self, rent_id: u64) -> Result<Option<RentOrder>> {
        rent::order(self.client, rent_id).await
    }

    async fn transferable(&self, who: &AccountId32) -> Result<u128> {
        Ok(account::account_info_at_best(self.client, who).await?.0.transferable)
    }

    async fn resend(&self, who: &AccountId32, p: &PendingTx) -> Result<TxOutcome> {
        let bytes = hex::decode(p.bytes.trim_start_matches("0x"))
            .map_err(|e| Error::internal(format!("journaled transaction is not hex: {e}")))?;
        tracing::info!(tx = %p.extrinsic_hash, nonce = p.nonce, "sending the journaled transaction again (the chain has not seen it)");
        let prepared = tx::from_encoded(self.client, bytes, *who, p.nonce, p.fee_estimate).await?;
        tx::submit(self.client, self.nonces, prepared, &self.opts, |_| {}).await
    }
}
