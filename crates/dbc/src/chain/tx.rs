//! Sign, submit and follow a transaction; decode what happened.
//!
//! One path for every call the app makes (transfer, rent, confirm, relet):
//! [`prepare`] signs with a tracked nonce and asks the runtime for the fee,
//! [`submit`] sends it and reports [`TxStatus`] as it goes, and the result
//! is [`TxOutcome`] or one error with a stable code:
//! `tx-invalid` (refused before any block: nothing paid), `tx-failed` (in a
//! block but the runtime said no: fee paid, pallet/variant in `data`),
//! `tx-unknown` (sent, then we lost sight of it: read the chain before a retry),
//! `insufficient-balance`, `chain-rpc`.

use super::account;
use super::client::ChainClient;
use super::nonce::NonceTracker;
use super::profile::hash_hex;
use crate::error::{Error, ErrorCode, Result};
use crate::units::format_dbc;
use scale_decode::DecodeAsType;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::substrate::H256;
use subxt::config::{SubstrateConfig, SubstrateExtrinsicParamsBuilder};
use subxt::error::{DispatchError, TransactionEventsError};
use subxt::extrinsics::ExtrinsicEvents;
use subxt::transactions::Signer;
use subxt::transactions::{Payload, SubmittableTransaction, TransactionInBlock, TransactionStatus};
use subxt::utils::{AccountId32, MultiAddress};

/// Anything that signs DBC transactions: `subxt_signer::sr25519::Keypair`
/// (dev accounts, the faucet) or a wallet key (`dbc::wallet::SigningKey`,
/// which can also be rebuilt from a polkadot.js JSON import, something
/// subxt-signer's keypair cannot).
pub trait TxSigner: Signer<SubstrateConfig> + Sync {}
impl<T: Signer<SubstrateConfig> + Sync> TxSigner for T {}

type AtBlock = OnlineClientAtBlockImpl<SubstrateConfig>;

/// Where a transaction is, for a progress display. Serialized as
/// `{"status": "inBlock", "blockHash": "0x…"}` etc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[derive(ts_rs::TS)]
pub enum TxStatus {
    /// Reading the nonce, signing, estimating the fee.
    Signing,
    /// The node accepted it into its pool (and may have gossiped it).
    Broadcast,
    /// In a best block: included, though not final yet.
    InBlock { block_hash: String },
    /// In a finalized block: it will not be undone.
    Finalized { block_hash: String },
    /// Refused by the node; it will not be included.
    Invalid { reason: String },
    /// Dropped from the pool; it will almost surely not be included.
    Dropped { reason: String },
}

/// When [`submit`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WaitFor {
    /// As soon as it is in a best block and its events are read (~1 block).
    InBlock,
    /// After finality (mainnet: a few blocks more; chopsticks: ~0.1 s more).
    Finalized,
}

#[derive(Debug, Clone)]
pub struct TxOptions {
    pub wait: WaitFor,
    /// Give up watching after this long (the outcome is then `tx-unknown`
    /// unless it was already seen in a block).
    pub timeout: Duration,
    /// Tip for the block author, planck.
    pub tip: u128,
    /// Blocks the signature stays valid; `None` keeps subxt's default.
    pub mortal_blocks: Option<u64>,
}

impl Default for TxOptions {
    fn default() -> Self {
        TxOptions { wait: WaitFor::Finalized, timeout: Duration::from_secs(180), tip: 0, mortal_blocks: None }
    }
}

/// A transaction that made it into a block and succeeded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct TxOutcome {
    pub extrinsic_hash: String,
    pub block_hash: String,
    pub block_number: Option<u32>,
    pub nonce: u64,
    /// `partial_fee_estimate` before sending, planck.
    #[ts(type = "string")]
    #[serde(with = "super::planck_string")]
    pub fee_estimate: u128,
    /// `TransactionPayment.TransactionFeePaid.actual_fee`, planck.
    #[ts(type = "string | null")]
    #[serde(with = "super::planck_string_opt")]
    pub fee_paid: Option<u128>,
    pub finalized: bool,
    /// `Pallet.Event` names of this extrinsic's events, in order.
    pub events: Vec<String>,
    /// The decoded events, for callers that need fields (e.g. `RentMachine.Rent`).
    #[serde(skip)]
    pub extrinsic_events: Option<ExtrinsicEvents<SubstrateConfig>>,
}

impl TxOutcome {
    /// True if an event `pallet.name` was emitted by this extrinsic.
    pub fn has_event(&self, pallet: &str, name: &str) -> bool {
        let want = format!("{pallet}.{name}");
        self.events.contains(&want)
    }
}

/// A signed transaction, ready to send, with its nonce and fee.
pub struct PreparedTx {
    tx: SubmittableTransaction<SubstrateConfig, AtBlock>,
    signer: AccountId32,
    pub nonce: u64,
    /// planck
    pub fee_estimate: u128,
}

impl PreparedTx {
    pub fn extrinsic_hash(&self) -> String {
        hash_hex(&self.tx.hash())
    }
    pub fn signer(&self) -> &AccountId32 {
        &self.signer
    }
    /// The signed extrinsic's bytes. A journal keeps them before sending so
    /// that after a crash the very same transaction (same nonce, same hash)
    /// can be sent again: the chain takes it at most once.
    pub fn encoded(&self) -> Vec<u8> {
        self.tx.encoded().to_vec()
    }
}

/// Rebuild a [`PreparedTx`] from bytes saved by [`PreparedTx::encoded`].
/// Sending it again is safe: its nonce makes it valid at most once.
pub async fn from_encoded(
    client: &ChainClient,
    bytes: Vec<u8>,
    signer: AccountId32,
    nonce: u64,
    fee_estimate: u128,
) -> Result<PreparedTx> {
    let at = client.api().at_current_block().await.map_err(|e| client.rpc_error("pinning the current block", e))?;
    let tx = at.transactions().from_bytes(bytes);
    Ok(PreparedTx { tx, signer, nonce, fee_estimate })
}

/// `Balances.transfer_keep_alive(dest, amount)`. Keep-alive because a
/// transfer must never reap the sender's account (DBC's existential deposit
/// is 0, so it costs nothing).
pub fn transfer_keep_alive_call(dest: &AccountId32, amount: u128) -> impl Payload {
    let dest: MultiAddress<AccountId32, ()> = MultiAddress::Id(*dest);
    subxt::dynamic::tx("Balances", "transfer_keep_alive", (dest, amount))
}

/// Sign `call` with the next nonce of `signer` and estimate its fee.
///
/// The nonce is `max(chain nonce at the best block, last used + 1)`. If
/// anything fails here the nonce is handed back, so nothing is skipped.
pub async fn prepare<C: Payload>(
    client: &ChainClient,
    nonces: &NonceTracker,
    signer: &impl TxSigner,
    call: &C,
    opts: &TxOptions,
) -> Result<PreparedTx> {
    let who: AccountId32 = signer.account_id();
    let (_, on_chain) = account::account_info_at_best(client, &who).await?;
    let nonce = nonces.reserve(&who, u64::from(on_chain));
    let signed = async {
        // The transactions client is pinned to the finalized block: the
        // mortality checkpoint must not be a block that could be reorged away.
        let at = client.api().at_current_block().await.map_err(|e| client.rpc_error("pinning the current block", e))?;
        let mut params = SubstrateExtrinsicParamsBuilder::<SubstrateConfig>::new().nonce(nonce).tip(opts.tip);
        if let Some(n) = opts.mortal_blocks {
            params = params.mortal(n);
        }
        let tx = at.transactions().create_signed(call, signer, params.build()).await.map_err(|e| {
            Error::new(ErrorCode::ChainRpc, format!("cannot build the transaction: {e}"))
                .with_data(serde_json::json!({ "endpoint": client.endpoint() }))
        })?;
        let fee =
            tx.partial_fee_estimate().await.map_err(|e| client.rpc_error("TransactionPaymentApi_query_info", e))?;
        Ok::<_, Error>((tx, fee))
    }
    .await;
    match signed {
        Ok((tx, fee_estimate)) => Ok(PreparedTx { tx, signer: who, nonce, fee_estimate }),
        Err(e) => {
            nonces.release(&who, nonce);
            Err(e)
        }
    }
}

/// The fee `call` would cost if `signer` sent it now, planck
/// (`partial_fee_estimate`: weight + length fee, no tip). Uses no nonce.
pub async fn estimate_fee<C: Payload>(client: &ChainClient, signer: &impl TxSigner, call: &C) -> Result<u128> {
    let throwaway = NonceTracker::new();
    Ok(prepare(client, &throwaway, signer, call, &TxOptions::default()).await?.fee_estimate)
}

/// Prepare and submit in one go; see [`prepare`] and [`submit`].
pub async fn sign_and_submit<C: Payload>(
    client: &ChainClient,
    nonces: &NonceTracker,
    signer: &impl TxSigner,
    call: &C,
    opts: &TxOptions,
    mut on_status: impl FnMut(TxStatus) + Send,
) -> Result<TxOutcome> {
    on_status(TxStatus::Signing);
    let prepared = prepare(client, nonces, signer, call, opts).await?;
    submit(client, nonces, prepared, opts, on_status).await
}

/// Transfer `amount` planck to `dest`, keeping the sender alive.
/// Refuses up front with `insufficient-balance` when the sender's
/// transferable balance cannot cover amount + estimated fee, so a doomed
/// transfer costs nothing.
pub async fn transfer_keep_alive(
    client: &ChainClient,
    nonces: &NonceTracker,
    signer: &impl TxSigner,
    dest: &AccountId32,
    amount: u128,
    opts: &TxOptions,
    mut on_status: impl FnMut(TxStatus) + Send,
) -> Result<TxOutcome> {
    on_status(TxStatus::Signing);
    let call = transfer_keep_alive_call(dest, amount);
    let prepared = prepare(client, nonces, signer, &call, opts).await?;
    let (balance, _) = match account::account_info_at_best(client, prepared.signer()).await {
        Ok(b) => b,
        Err(e) => {
            nonces.release(prepared.signer(), prepared.nonce);
            return Err(e);
        }
    };
    let needed = amount.saturating_add(prepared.fee_estimate).saturating_add(opts.tip);
    if balance.transferable < needed {
        nonces.release(prepared.signer(), prepared.nonce);
        return Err(insufficient(needed, balance.transferable));
    }
    submit(client, nonces, prepared, opts, on_status).await
}

fn insufficient(needed: u128, available: u128) -> Error {
    Error::new(
        ErrorCode::InsufficientBalance,
        format!("needs {} DBC (amount + fee), only {} DBC can be moved", format_dbc(needed), format_dbc(available)),
    )
    .with_data(serde_json::json!({ "needed": format_dbc(needed), "available": format_dbc(available) }))
}

/// Send a prepared transaction and follow it until `opts.wait`.
///
/// Status order: `Broadcast` → `InBlock` → `Finalized`, or `Invalid` /
/// `Dropped`. Events are read as soon as it is in a block (subxt has no
/// "wait for in block" helper; subxt.md §3).
pub async fn submit(
    client: &ChainClient,
    nonces: &NonceTracker,
    prepared: PreparedTx,
    opts: &TxOptions,
    mut on_status: impl FnMut(TxStatus) + Send,
) -> Result<TxOutcome> {
    let PreparedTx { tx, signer, nonce, fee_estimate } = prepared;
    let ext_hash = hash_hex(&tx.hash());
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let unknown = |why: &str| {
        Error::new(
            ErrorCode::TxUnknown,
            format!("transaction {ext_hash} was sent but {why}; read the chain before retrying"),
        )
        .with_data(serde_json::json!({ "extrinsicHash": ext_hash }))
    };

    let mut progress = match tokio::time::timeout_at(deadline, tx.submit_and_watch()).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            let err = submit_error(&e.to_string(), &ext_hash);
            if matches!(err.code, ErrorCode::TxInvalid | ErrorCode::InsufficientBalance) {
                // The node said no: the nonce was not used.
                nonces.release(&signer, nonce);
                on_status(TxStatus::Invalid { reason: err.message.clone() });
            } else {
                nonces.forget(&signer);
            }
            return Err(err);
        }
        Err(_) => {
            nonces.forget(&signer);
            return Err(unknown("the node did not acknowledge it in time"));
        }
    };

    let mut broadcast_sent = false;
    // The latest in-block result: Ok(outcome) or Err(tx-failed).
    let mut included: Option<(H256, Result<TxOutcome>)> = None;
    loop {
        let next = match tokio::time::timeout_at(deadline, progress.next()).await {
            Ok(n) => n,
            Err(_) => {
                return match included {
                    Some((_, r)) => r,
                    None => {
                        nonces.forget(&signer);
                        Err(unknown("it was not seen in a block before the timeout"))
                    }
                };
            }
        };
        match next {
            Some(Ok(TransactionStatus::Validated | TransactionStatus::Broadcasted)) => {
                if !broadcast_sent {
                    broadcast_sent = true;
                    on_status(TxStatus::Broadcast);
                }
            }
            Some(Ok(TransactionStatus::NoLongerInBestBlock)) => {
                tracing::info!(tx = %ext_hash, "transaction left the best chain; waiting for it to be included again");
                included = None;
            }
            Some(Ok(TransactionStatus::InBestBlock(in_block))) => {
                let hash = in_block.block_hash();
                on_status(TxStatus::InBlock { block_hash: hash_hex(&hash) });
                let result = read_result(client, &in_block, nonce, fee_estimate, false, deadline).await;
                if opts.wait == WaitFor::InBlock {
                    return result;
                }
                included = Some((hash, result));
            }
            Some(Ok(TransactionStatus::InFinalizedBlock(in_block))) => {
                let hash = in_block.block_hash();
                on_status(TxStatus::Finalized { block_hash: hash_hex(&hash) });
                let result = match included.take() {
                    Some((h, r)) if h == hash => r,
                    _ => read_result(client, &in_block, nonce, fee_estimate, true, deadline).await,
                };
                return result.map(|mut o| {
                    o.finalized = true;
                    o
                });
            }
            Some(Ok(TransactionStatus::Invalid { message } | TransactionStatus::Error { message })) => {
                // Already seen in a block: that result stands.
                if let Some((_, r)) = included {
                    return r;
                }
                nonces.forget(&signer);
                on_status(TxStatus::Invalid { reason: message.clone() });
                return Err(invalid(&message, &ext_hash));
            }
            Some(Ok(TransactionStatus::Dropped { message })) => {
                if let Some((_, r)) = included {
                    return r;
                }
                nonces.forget(&signer);
                on_status(TxStatus::Dropped { reason: message.clone() });
                // Dropped from this node's view (the legacy backend also says
                // so on a finality timeout): it may still be included within
                // its mortality, so the outcome is unknown, not refused.
                return Err(unknown(&format!("was dropped from the node's pool ({message})")));
            }
            Some(Err(e)) => {
                if let Some((_, r)) = included {
                    return r;
                }
                nonces.forget(&signer);
                let text = e.to_string();
                // chopsticks reports a failure while building the block as
                // `{"invalid":{…}}`, which subxt cannot parse ("invalid type:
                // map"): it was not included (subxt.md §3).
                if text.contains("invalid type: map") || text.to_ascii_lowercase().contains("\"invalid\"") {
                    tracing::warn!(tx = %ext_hash, error = %text, "transaction reported invalid while the block was built");
                    let reason = "refused while the block was being built (for example a nonce that changed meanwhile)";
                    on_status(TxStatus::Invalid { reason: reason.into() });
                    return Err(invalid(reason, &ext_hash));
                }
                return Err(unknown(&format!("watching it failed ({text})")));
            }
            None => {
                return match included {
                    Some((_, r)) => r,
                    None => {
                        nonces.forget(&signer);
                        Err(unknown("the status stream ended before it was seen in a block"))
                    }
                };
            }
        }
    }
}

fn invalid(reason: &str, ext_hash: &str) -> Error {
    let reason = reason.rsplit("User error: ").next().unwrap_or(reason);
    Error::new(ErrorCode::TxInvalid, format!("transaction refused: {reason}"))
        .with_data(serde_json::json!({ "reason": reason, "extrinsicHash": ext_hash }))
}

/// Classify a submission error. The legacy backend hands back the node's
/// own JSON-RPC error: 1010 = invalid transaction (bad nonce "Stale"/"Future",
/// "Inability to pay some fees", bad signature), 1011 = unknown validity,
/// 1012 = temporarily banned, 1013 = already imported, 1014 = priority too
/// low (same nonce in the pool).
///
/// A real node words a fee problem "Inability to pay some fees"; chopsticks
/// sends `{"invalid":{"payment":null}}`. Both become `insufficient-balance`.
fn submit_error(text: &str, ext_hash: &str) -> Error {
    let lower = text.to_ascii_lowercase();
    // subxt wraps the node's words in several layers of "… error:"; keep the node's part.
    let text = text.rsplit("User error: ").next().unwrap_or(text);
    if lower.contains("inability to pay") || lower.contains("\"payment\"") {
        return Error::new(ErrorCode::InsufficientBalance, format!("the account cannot pay the fee: {text}"))
            .with_data(serde_json::json!({ "reason": text }));
    }
    // 1011 (unknown validity), 1012 (temporarily banned) and 1013 (already
    // imported) describe the pool, not this transaction: it may be in a pool
    // or on chain already, so the outcome is unknown and the chain decides.
    let pool_state =
        ["1011", "1012", "1013", "temporarily banned", "already imported"].iter().any(|k| lower.contains(k));
    let node_said_no =
        !pool_state && ["1010", "1014", "invalid transaction", "priority is too low"].iter().any(|k| lower.contains(k));
    if node_said_no {
        return invalid(text, ext_hash);
    }
    Error::new(
        ErrorCode::TxUnknown,
        format!("sending transaction {ext_hash} failed: {text}; read the chain before retrying"),
    )
    .with_data(serde_json::json!({ "extrinsicHash": ext_hash }))
}

#[derive(DecodeAsType)]
struct FeePaid {
    actual_fee: u128,
}

/// Events of the extrinsic in `in_block`: success, or `tx-failed` with the
/// module error decoded by name.
async fn read_result(
    client: &ChainClient,
    in_block: &TransactionInBlock<SubstrateConfig, AtBlock>,
    nonce: u64,
    fee_estimate: u128,
    finalized: bool,
    deadline: tokio::time::Instant,
) -> Result<TxOutcome> {
    let block_hash = in_block.block_hash();
    let ext_hash = hash_hex(&in_block.extrinsic_hash());
    let events = match tokio::time::timeout_at(deadline, in_block.fetch_events()).await {
        Ok(Ok(ev)) => ev,
        Ok(Err(e)) => return Err(client.rpc_error("reading the transaction's events", e)),
        Err(_) => return Err(client.rpc_error("reading the transaction's events", "timed out")),
    };
    let block_number = client.rpc().chain_get_header(Some(block_hash)).await.ok().flatten().map(|h| h.number as u32);
    let mut names = Vec::new();
    let mut fee_paid = None;
    let mut failure: Option<Vec<u8>> = None;
    for ev in events.iter() {
        let ev = ev.map_err(|e| client.rpc_error("decoding the transaction's events", e))?;
        names.push(format!("{}.{}", ev.pallet_name(), ev.event_name()));
        match (ev.pallet_name(), ev.event_name()) {
            ("TransactionPayment", "TransactionFeePaid") => {
                fee_paid = ev.decode_fields_unchecked_as::<FeePaid>().ok().map(|f| f.actual_fee);
            }
            ("System", "ExtrinsicFailed") => failure = Some(ev.field_bytes().to_vec()),
            _ => {}
        }
    }
    if let Some(bytes) = failure {
        let metadata = client
            .api()
            .at_block(block_hash)
            .await
            .map_err(|e| client.rpc_error("loading metadata of the inclusion block", e))?
            .metadata();
        let dispatch = DispatchError::decode_from(bytes, metadata).map_err(|e| {
            client.rpc_error(
                "decoding the dispatch error",
                TransactionEventsError::CannotDecodeDispatchError { error: e, bytes: vec![] },
            )
        })?;
        return Err(failed(&dispatch, &hash_hex(&block_hash), &ext_hash, block_number, fee_paid));
    }
    Ok(TxOutcome {
        extrinsic_hash: ext_hash,
        block_hash: hash_hex(&block_hash),
        block_number,
        nonce,
        fee_estimate,
        fee_paid,
        finalized,
        events: names,
        extrinsic_events: Some(events),
    })
}

/// `tx-failed` from a dispatch error: `Pallet.Variant` for module errors
/// (e.g. `RentMachine.OnlyHalfHourAllowed`), the kind otherwise
/// (`Token.FundsUnavailable`, `BadOrigin`).
fn failed(
    e: &DispatchError,
    block_hash: &str,
    ext_hash: &str,
    block_number: Option<u32>,
    fee_paid: Option<u128>,
) -> Error {
    let mut data = serde_json::json!({
        "blockHash": block_hash,
        "extrinsicHash": ext_hash,
        "blockNumber": block_number,
        "feePaid": fee_paid.map(|f| f.to_string()),
    });
    let (name, docs) = match e {
        DispatchError::Module(m) => match m.details() {
            Ok(d) => {
                let (pallet, variant) = (d.pallet.name().to_string(), d.variant.name.clone());
                data["pallet"] = pallet.clone().into();
                data["variant"] = variant.clone().into();
                (format!("{pallet}.{variant}"), d.variant.docs.join(" "))
            }
            Err(_) => (m.details_string(), String::new()),
        },
        DispatchError::Token(t) => (format!("Token.{t:?}"), t.to_string()),
        DispatchError::Arithmetic(a) => (format!("Arithmetic.{a:?}"), a.to_string()),
        DispatchError::Transactional(t) => (format!("Transactional.{t:?}"), t.to_string()),
        other => {
            let dbg = format!("{other:?}");
            (dbg.split(['(', ' ']).next().unwrap_or("Other").to_string(), other.to_string())
        }
    };
    data["error"] = name.clone().into();
    let msg = if docs.trim().is_empty() {
        format!("the chain rejected the transaction: {name}")
    } else {
        format!("the chain rejected the transaction: {name} ({})", docs.trim())
    };
    Error::new(ErrorCode::TxFailed, msg).with_data(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_serializes_for_the_ui() {
        let v = serde_json::to_value(TxStatus::InBlock { block_hash: "0xab".into() }).unwrap();
        assert_eq!(v, serde_json::json!({"status": "inBlock", "blockHash": "0xab"}));
        assert_eq!(serde_json::to_value(TxStatus::Signing).unwrap(), serde_json::json!({"status": "signing"}));
    }

    #[test]
    fn submission_errors_are_classified() {
        let e = submit_error(
            "User error: Invalid Transaction (1010): Inability to pay some fees (e.g. account balance too low)",
            "0x1",
        );
        assert_eq!(e.code, ErrorCode::InsufficientBalance);
        let e = submit_error("RPC error: User error: Invalid Transaction (1010) Transaction is outdated", "0x1");
        assert_eq!(e.code, ErrorCode::TxInvalid);
        assert_eq!(e.data.unwrap()["extrinsicHash"], "0x1");
        assert_eq!(submit_error("Priority is too low: (1 vs 1)", "0x1").code, ErrorCode::TxInvalid);
        assert_eq!(submit_error("restart required: connection closed", "0x1").code, ErrorCode::TxUnknown);
        // The pool's state, not a refusal: the transaction may still land.
        assert_eq!(
            submit_error("RPC error: User error: Transaction is temporarily banned (1012)", "0x1").code,
            ErrorCode::TxUnknown
        );
        assert_eq!(
            submit_error("RPC error: User error: Transaction Already Imported (1013)", "0x1").code,
            ErrorCode::TxUnknown
        );
        // What chopsticks 1.5.1 actually sends for an account that cannot pay the fee:
        let e = submit_error(
            r#"Cannot submit extrinsic: Backend error: RPC error: RPC error: User error: {"invalid":{"payment":null}} (1010)"#,
            "0x1",
        );
        assert_eq!(e.code, ErrorCode::InsufficientBalance);
        assert_eq!(e.data.unwrap()["reason"], r#"{"invalid":{"payment":null}} (1010)"#);
        let e = submit_error(
            r#"Cannot submit extrinsic: Backend error: RPC error: RPC error: User error: {"invalid":{"stale":null}} (1010)"#,
            "0x1",
        );
        assert_eq!(e.code, ErrorCode::TxInvalid);
        assert_eq!(e.data.unwrap()["reason"], r#"{"invalid":{"stale":null}} (1010)"#);
    }

    #[test]
    fn transfer_call_is_balances_transfer_keep_alive() {
        let call = transfer_keep_alive_call(&AccountId32([1; 32]), 5);
        assert_eq!((call.pallet_name(), call.call_name()), ("Balances", "transfer_keep_alive"));
    }
}
