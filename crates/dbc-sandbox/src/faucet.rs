//! The faucet: a real signed `Balances.transfer_keep_alive` from the faucet
//! account (sr25519 signature checked by the runtime, fees paid, events
//! emitted), sent with the app's own transaction code (`dbc::chain::tx`), so
//! the practice network exercises the same path the app uses.

use crate::client::Chain;
use dbc::chain::{tx, ChainClient, NonceTracker, Timeouts, TxOptions, WaitFor};
use dbc::{Error, Result};
use serde::Serialize;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::OnceCell;

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
    /// Back-to-back requests from one process get consecutive nonces.
    nonces: NonceTracker,
    client: OnceCell<ChainClient>,
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
        Faucet { key, nonces: NonceTracker::new(), client: OnceCell::new() }
    }

    pub fn address(&self) -> AccountId32 {
        self.key.public_key().to_account_id()
    }

    /// Send `amount` planck to `to`; returns once the transfer is in a block and succeeded.
    pub async fn fund(&self, chain: &Chain, to: &AccountId32, amount: u128) -> Result<FundReceipt> {
        let client = self
            .client
            .get_or_try_init(|| async {
                dbc::chain::client::connect("practice", &chain.url, None, Timeouts::default(), None).await.map(|(c, _)| c)
            })
            .await?;
        let opts = TxOptions { wait: WaitFor::InBlock, ..TxOptions::default() };
        let out = tx::transfer_keep_alive(client, &self.nonces, &self.key, to, amount, &opts, |_| {}).await?;
        Ok(FundReceipt {
            to: to.to_string(),
            amount_planck: amount.to_string(),
            block_hash: out.block_hash,
            extrinsic_hash: out.extrinsic_hash,
        })
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
