//! Balances of an account, read from `System.Account`.

use super::client::ChainClient;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;

/// An account's money in planck (1 DBC = 10^15), as u128 integers.
/// Serialized as decimal strings: JavaScript numbers lose planck precision
/// above 2^53 (about 9 DBC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Balance {
    #[ts(type = "string")]
    #[serde(with = "super::planck_string")]
    pub free: u128,
    #[ts(type = "string")]
    #[serde(with = "super::planck_string")]
    pub reserved: u128,
    /// What locks and freezes hold back inside `free` (staking, votes, vesting).
    #[ts(type = "string")]
    #[serde(with = "super::planck_string")]
    pub frozen: u128,
    /// What a transfer can move: `free - frozen`, floored at 0.
    #[ts(type = "string")]
    #[serde(with = "super::planck_string")]
    pub transferable: u128,
}

impl Balance {
    /// Build from the stored fields. DBC runs substrate polkadot-v0.9.43,
    /// whose balances pallet stores `{free, reserved, frozen, flags}`; frozen
    /// funds stay inside `free`, so the spendable part is `free - frozen`
    /// (the existential deposit is 0 on DBC, so nothing else is held back;
    /// fees still come out of it). Older runtimes stored `misc_frozen` and
    /// `fee_frozen` instead: the larger of the two is what was frozen.
    pub fn from_parts(free: u128, reserved: u128, frozen: u128) -> Self {
        Balance { free, reserved, frozen, transferable: free.saturating_sub(frozen) }
    }
}

/// Read the fields by name from a dynamic value, so both the 0.9.43 layout
/// (`frozen`) and the older one (`misc_frozen`, `fee_frozen`) work; a
/// missing frozen field counts as 0.
fn parse_account(v: &scale_value::Value) -> Option<(Balance, u32)> {
    use scale_value::At;
    let nonce = v.at("nonce")?.as_u128()?;
    let data = v.at("data")?;
    let field = |name: &str| data.at(name).and_then(|x| x.as_u128());
    let frozen = ["frozen", "misc_frozen", "fee_frozen"].iter().filter_map(|n| field(n)).max().unwrap_or(0);
    Some((Balance::from_parts(field("free")?, field("reserved")?, frozen), u32::try_from(nonce).ok()?))
}

/// The balance of `who` at the latest finalized block. An account that never
/// received anything reads as all zeros (System.Account is a ValueQuery).
pub async fn balance(client: &ChainClient, who: &AccountId32) -> Result<Balance> {
    let (b, _) = account_info(client, who).await?;
    Ok(b)
}

/// Balance and nonce of `who` at the latest finalized block.
pub async fn account_info(client: &ChainClient, who: &AccountId32) -> Result<(Balance, u32)> {
    let at = client.api().at_current_block().await.map_err(|e| client.rpc_error("pinning the current block", e))?;
    read_account(client, &at, who).await
}

/// Balance and nonce of `who` at the best (not yet final) block: what a new
/// transaction is checked against.
pub async fn account_info_at_best(client: &ChainClient, who: &AccountId32) -> Result<(Balance, u32)> {
    let (_, hash) = client.best_block().await?;
    let at = client.api().at_block(hash).await.map_err(|e| client.rpc_error("pinning the best block", e))?;
    read_account(client, &at, who).await
}

pub(crate) async fn read_account(
    client: &ChainClient,
    at: &subxt::client::ClientAtBlock<
        subxt::SubstrateConfig,
        subxt::client::OnlineClientAtBlockImpl<subxt::SubstrateConfig>,
    >,
    who: &AccountId32,
) -> Result<(Balance, u32)> {
    let addr = subxt::dynamic::storage::<(AccountId32,), scale_value::Value>("System", "Account");
    let value = at.storage().fetch(addr, (*who,)).await.map_err(|e| client.rpc_error("reading System.Account", e))?;
    let v = value.decode().map_err(|e| client.rpc_error("decoding System.Account", e))?;
    parse_account(&v).ok_or_else(|| client.rpc_error("decoding System.Account", format!("unexpected shape: {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_account_data_layouts_parse() {
        use scale_value::Value;
        let new = Value::named_composite([
            ("nonce", Value::u128(7)),
            ("consumers", Value::u128(0)),
            (
                "data",
                Value::named_composite([
                    ("free", Value::u128(100)),
                    ("reserved", Value::u128(5)),
                    ("frozen", Value::u128(30)),
                    ("flags", Value::u128(0)),
                ]),
            ),
        ]);
        assert_eq!(parse_account(&new), Some((Balance::from_parts(100, 5, 30), 7)));
        let old = Value::named_composite([
            ("nonce", Value::u128(1)),
            (
                "data",
                Value::named_composite([
                    ("free", Value::u128(100)),
                    ("reserved", Value::u128(0)),
                    ("misc_frozen", Value::u128(10)),
                    ("fee_frozen", Value::u128(20)),
                ]),
            ),
        ]);
        assert_eq!(parse_account(&old).unwrap().0.transferable, 80);
        assert_eq!(parse_account(&Value::u128(1)), None);
    }

    #[test]
    fn transferable_is_free_minus_frozen_floored() {
        assert_eq!(Balance::from_parts(10, 3, 4).transferable, 6);
        assert_eq!(Balance::from_parts(10, 0, 40).transferable, 0);
        let max = Balance::from_parts(u128::MAX, u128::MAX, 0);
        assert_eq!(max.transferable, u128::MAX, "u128 all the way, no overflow");
    }

    #[test]
    fn serializes_camel_case_decimal_strings() {
        let b = Balance::from_parts(97_000_000 * crate::units::DBC, 1, 2);
        let v = serde_json::to_value(b).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"free": "97000000000000000000000", "reserved": "1", "frozen": "2", "transferable": "96999999999999999999998"})
        );
        assert_eq!(serde_json::from_value::<Balance>(v).unwrap(), b);
    }
}
