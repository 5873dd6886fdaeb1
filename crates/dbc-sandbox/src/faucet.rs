//! The faucet: a real signed `Balances.transfer_keep_alive` from the faucet
//! account (sr25519 signature checked by the runtime, fees paid, events
//! emitted), sent with the app's own transaction code (`dbc::chain::tx`), so
//! the practice network exercises the same path the app uses.

use crate::client::Chain;
use dbc::chain::{tx, ChainClient, NonceTracker, Timeouts, TxOptions, WaitFor};
use dbc::{Error, ErrorCode, Result};
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

/// Parse an SS58 address (any prefix) or a 0x-hex account id. Anything else
/// is `invalid-address` with the text as typed, the code the wallet uses, so
/// the UI says it in the user's language.
pub fn parse_account(s: &str) -> Result<AccountId32> {
    s.trim().parse::<AccountId32>().or_else(|_| {
        let b = hex::decode(s.trim().trim_start_matches("0x")).ok().filter(|b| b.len() == 32);
        b.map(|b| AccountId32(b.try_into().expect("32 bytes"))).ok_or_else(|| {
            Error::new(ErrorCode::InvalidAddress, format!("{s:?} is not an account address"))
                .with_data(serde_json::json!({"value": s.trim()}))
        })
    })
}

/// Kept back from the faucet's own balance for the transfer's fee.
const FEE_MARGIN: u128 = crate::seed::accounts::DBC;

/// The most the faucet can send now: its transferable balance minus the
/// fee, in whole DBC. Asking for more fails before signing with the faucet's
/// limit, not with the chain's "not enough DBC" (which reads as the user's account).
pub fn faucet_limit(transferable: u128) -> u128 {
    let dbc = crate::seed::accounts::DBC;
    transferable.saturating_sub(FEE_MARGIN) / dbc * dbc
}

fn over_limit(amount: u128, max: u128) -> Error {
    Error::new(
        ErrorCode::InsufficientBalance,
        format!(
            "the practice faucet can give at most {} DBC now ({} DBC asked)",
            dbc::units::format_dbc(max),
            dbc::units::format_dbc(amount)
        ),
    )
    .with_data(serde_json::json!({
        "reason": "faucet-limit",
        "maxPlanck": max.to_string(),
        "neededPlanck": amount.to_string(),
    }))
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
                dbc::chain::client::connect("practice", &chain.url, None, Timeouts::default(), None)
                    .await
                    .map(|(c, _)| c)
            })
            .await?;
        let max = faucet_limit(dbc::chain::account::balance(client, &self.address()).await?.transferable);
        if amount > max {
            return Err(over_limit(amount, max));
        }
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
        return Err(Error::invalid_argument("the amount must be more than 0 DBC")
            .with_data(serde_json::json!({"value": "0", "reason": "amount-zero"})));
    }
    let s = crate::state::require_live(&crate::layout::Layout::new(data_dir))?;
    let uri = s
        .accounts
        .iter()
        .find(|a| a.role == crate::Role::Faucet)
        .map(|a| a.uri.clone())
        .ok_or_else(|| Error::internal("state.json lists no faucet"))?;
    let chain = Chain::connect(&s.endpoints.chain).await?;
    Faucet::new(crate::seed::accounts::keypair_from_uri(&uri)).fund(&chain, &to, planck).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::accounts::DBC;

    #[test]
    fn a_wrong_address_is_invalid_address_with_the_text_typed() {
        let e = parse_account(" notanaddress ").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidAddress);
        assert_eq!(e.data.unwrap()["value"], "notanaddress");
        assert!(parse_account(&format!("0x{}", "11".repeat(32))).is_ok());
    }

    #[test]
    fn the_limit_keeps_the_fee_back_in_whole_dbc() {
        assert_eq!(faucet_limit(1_000 * DBC), 999 * DBC);
        assert_eq!(faucet_limit(1_000 * DBC + DBC / 2), 999 * DBC);
        assert_eq!(faucet_limit(DBC / 2), 0);
        let e = over_limit(2_000 * DBC, 999 * DBC);
        assert_eq!(e.code, ErrorCode::InsufficientBalance);
        let d = e.data.unwrap();
        assert_eq!((d["reason"].as_str(), d["maxPlanck"].as_str()), (Some("faucet-limit"), Some("999000000000000000")));
    }
}
