//! The faucet: a real signed `Balances.transfer_keep_alive` from the faucet
//! account (sr25519 signature checked by the runtime, fees paid, events emitted).
//!
//! Nonces are tracked locally (`max(on-chain, last used + 1)`, subxt.md §4) so
//! back-to-back requests from one process do not collide.

use crate::client::{rpc_err, Chain};
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use subxt::config::substrate::SubstrateExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::tx::TransactionStatus;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FundReceipt {
    pub to: String,
    pub amount_planck: String,
    pub block_hash: String,
    pub extrinsic_hash: String,
}

pub struct Faucet {
    key: Keypair,
    last_nonce: Mutex<Option<u64>>,
}

/// Parse an SS58 address (any prefix) or a 0x-hex account id.
pub fn parse_account(s: &str) -> Result<AccountId32> {
    s.trim().parse::<AccountId32>().or_else(|_| {
        let b = hex::decode(s.trim().trim_start_matches("0x"))
            .ok()
            .filter(|b| b.len() == 32);
        b.map(|b| AccountId32(b.try_into().expect("32 bytes")))
            .ok_or_else(|| {
                Error::invalid_argument(format!("{s:?} is not an account address"))
                    .with_data(serde_json::json!({"value": s}))
            })
    })
}

impl Faucet {
    pub fn new(key: Keypair) -> Faucet {
        Faucet {
            key,
            last_nonce: Mutex::new(None),
        }
    }

    pub fn address(&self) -> AccountId32 {
        self.key.public_key().to_account_id()
    }

    /// Send `amount` planck to `to`; returns once the transfer is in a block and succeeded.
    pub async fn fund(&self, chain: &Chain, to: &AccountId32, amount: u128) -> Result<FundReceipt> {
        let mut last = self.last_nonce.lock().await;
        let at = chain.at_best().await?;
        let mut txc = at.tx();
        let on_chain = txc
            .account_nonce(&self.address())
            .await
            .map_err(|e| rpc_err(&chain.url, "reading the faucet nonce", e))?;
        let nonce = last.map_or(on_chain, |l| on_chain.max(l + 1));
        let call = subxt::dynamic::tx(
            "Balances",
            "transfer_keep_alive",
            (
                Value::unnamed_variant("Id", [Value::from_bytes(to.0)]),
                Value::u128(amount),
            ),
        );
        let params = SubstrateExtrinsicParamsBuilder::new().nonce(nonce).build();
        let mut progress = txc
            .sign_and_submit_then_watch(&call, &self.key, params)
            .await
            .map_err(|e| {
                Error::new(
                    ErrorCode::TxInvalid,
                    format!("the faucet transfer was refused: {e}"),
                )
                .with_data(serde_json::json!({"reason": e.to_string()}))
            })?;
        *last = Some(nonce);
        drop(last);
        let ext_hash = format!("{:?}", progress.extrinsic_hash());
        while let Some(status) = progress.next().await {
            let status = status.map_err(|e| {
                Error::new(
                    ErrorCode::TxUnknown,
                    format!("lost track of the faucet transfer: {e}"),
                )
                .with_data(serde_json::json!({"extrinsicHash": ext_hash}))
            })?;
            match status {
                TransactionStatus::InBestBlock(b) | TransactionStatus::InFinalizedBlock(b) => {
                    b.wait_for_success().await.map_err(|e| {
                        Error::new(ErrorCode::TxFailed, format!("the faucet transfer failed: {e}")).with_data(serde_json::json!({
                            "error": e.to_string(), "blockHash": format!("{:?}", b.block_hash()), "extrinsicHash": ext_hash
                        }))
                    })?;
                    return Ok(FundReceipt {
                        to: to.to_string(),
                        amount_planck: amount.to_string(),
                        block_hash: format!("{:?}", b.block_hash()),
                        extrinsic_hash: ext_hash,
                    });
                }
                TransactionStatus::Invalid { message }
                | TransactionStatus::Dropped { message }
                | TransactionStatus::Error { message } => {
                    return Err(Error::new(
                        ErrorCode::TxInvalid,
                        format!("the faucet transfer was dropped: {message}"),
                    )
                    .with_data(serde_json::json!({"reason": message})));
                }
                _ => {}
            }
        }
        Err(Error::new(
            ErrorCode::TxUnknown,
            "the transaction status stream ended early",
        )
        .with_data(serde_json::json!({"extrinsicHash": ext_hash})))
    }
}

/// Fund `address` with `planck` from the faucet of the practice network
/// running for `data_dir` (started by this process or another one: the
/// faucet key comes from `state.json`, the practice-only accounts being public).
pub async fn fund_running(data_dir: &std::path::Path, address: &str, planck: u128) -> Result<FundReceipt> {
    let to = parse_account(address)?;
    if planck == 0 {
        return Err(Error::invalid_argument("the amount must be more than 0 DBC").with_data(serde_json::json!({"value": "0"})));
    }
    let s = crate::state::require_live(&crate::layout::Layout::new(data_dir))?;
    let uri = s
        .accounts
        .iter()
        .find(|a| a.role == crate::Role::Faucet)
        .map(|a| a.uri.clone())
        .ok_or_else(|| Error::internal("state.json lists no faucet"))?;
    let chain = Chain::connect(&s.chain).await?;
    Faucet::new(crate::seed::accounts::keypair_from_uri(&uri)).fund(&chain, &to, planck).await
}
