//! Read the whole market at one block.
//!
//! Everything comes from one block hash so that machines, rented-GPU counts,
//! orders and prices agree with each other (a rent landing between two reads
//! would otherwise show a machine as idle with GPUs rented). The reads are
//! whole-map iterations (the legacy backend pages keys and fetches values in
//! batches per page), run concurrently on the one socket: a handful of round
//! trips per page instead of one per machine.

use super::machine::{bytes, Machine};
use super::price::{PricingParams, Quote, StandardGpuPointPrice, DEFAULT_MAX_RENTAL_DAYS};
use super::rules;
use crate::chain::client::ChainClient;
use crate::error::{Error, ErrorCode, Result};
use scale_value::{At, Value};
use serde::Serialize;
use std::collections::BTreeMap;
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::SubstrateConfig;

type AtBlock = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;

/// Every machine on the chain with the pricing parameters, at one block.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Market {
    pub block_number: u32,
    /// `0x` hex.
    pub block_hash: String,
    pub spec_version: u32,
    pub params: PricingParams,
    /// Sorted by id.
    pub machines: Vec<Machine>,
}

impl Market {
    pub fn machine(&self, id: &str) -> Option<&Machine> {
        self.machines.binary_search_by(|m| m.id.as_str().cmp(id)).ok().map(|i| &self.machines[i])
    }

    /// Check and price an order of `gpus` GPUs of machine `id` for `blocks`:
    /// `unknown-machine`, `invalid-duration`, `not-rentable`, `not-enough-gpus`
    /// as the chain would refuse it, and `chain-rpc` when the chain lacks the
    /// price parameters (the chain would fail `GetMachinePriceFailed`,
    /// `Overflow` or `PayTxFeeFailed`).
    pub fn quote(&self, id: &str, gpus: u32, blocks: u32) -> Result<Quote> {
        let m = self.machine(id).ok_or_else(|| rules::unknown_machine(id))?;
        rules::validate_duration(blocks)?;
        rules::check_rentable(m, gpus)?;
        Quote::new(&self.params, m.calc_point, m.gpu_count, gpus, blocks, m.extra_price_per_gpu).ok_or_else(|| {
            Error::new(
                ErrorCode::ChainRpc,
                "the chain has no usable price parameters (StandardGPUPointPrice, AvgPrice, FixedTxFee)",
            )
        })
    }
}

/// Load every `MachinesInfo` entry, every `MachineRentedGPU`, the live orders'
/// ends (`RentInfo`), `MachineExtraPrice` where the runtime has it, and the
/// pricing storage, all at the best block.
pub async fn load_all(client: &ChainClient) -> Result<Market> {
    let (block_number, hash) = client.best_block().await?;
    let at = client.api().at_block(hash).await.map_err(|e| client.rpc_error("pinning the best block", e))?;
    let has_extra = at
        .metadata_ref()
        .pallet_by_name("OnlineProfile")
        .and_then(|p| p.storage())
        .and_then(|s| s.entry_by_name("MachineExtraPrice"))
        .is_some();

    let (infos, rented, orders, extra, params) = futures::try_join!(
        iter_by_machine(client, &at, "OnlineProfile", "MachinesInfo"),
        iter_by_machine(client, &at, "OnlineProfile", "MachineRentedGPU"),
        rent_ends(client, &at),
        async {
            if has_extra {
                iter_by_machine(client, &at, "OnlineProfile", "MachineExtraPrice").await.map(Some)
            } else {
                Ok(None)
            }
        },
        pricing(client, &at),
    )?;

    let mut machines: Vec<Machine> = infos
        .into_iter()
        .map(|(id, v)| {
            let rented_gpus = rented.get(&id).and_then(Value::as_u128).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
            let mut m = Machine::from_value(id.clone(), &v, rented_gpus);
            m.rented_until = orders.get(&id).copied();
            m.extra_price_per_gpu = extra.as_ref().map(|e| {
                e.get(&id).and_then(Value::as_u128).and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
            });
            m
        })
        .collect();
    machines.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Market {
        block_number,
        block_hash: format!("0x{}", hex::encode(hash.0)),
        spec_version: at.spec_version(),
        params,
        machines,
    })
}

/// Every entry of a map keyed by `MachineId`, by id text.
async fn iter_by_machine(client: &ChainClient, at: &AtBlock, pallet: &str, entry: &str) -> Result<BTreeMap<String, Value>> {
    let what = format!("reading {pallet}.{entry}");
    let err = |e: &dyn std::fmt::Display| client.rpc_error(&what, e);
    let addr = subxt::dynamic::storage::<(Vec<u8>,), Value>(pallet, entry);
    let mut it = at.storage().iter(addr, ()).await.map_err(|e| err(&e))?;
    let mut out = BTreeMap::new();
    while let Some(kv) = it.next().await {
        let kv = kv.map_err(|e| err(&e))?;
        let key = kv.key().map_err(|e| err(&e))?;
        let id = key
            .part(0)
            .and_then(|p| p.decode_as::<Vec<u8>>().ok().flatten())
            .ok_or_else(|| err(&"undecodable machine id key"))?;
        let value = kv.value().decode().map_err(|e| err(&e))?;
        out.insert(String::from_utf8_lossy(&id).into_owned(), value);
    }
    Ok(out)
}

/// The latest `rent_end` per machine among the live orders in `RentInfo`.
async fn rent_ends(client: &ChainClient, at: &AtBlock) -> Result<BTreeMap<String, u32>> {
    let err = |e: &dyn std::fmt::Display| client.rpc_error("reading RentMachine.RentInfo", e);
    let addr = subxt::dynamic::storage::<(u64,), Value>("RentMachine", "RentInfo");
    let mut it = at.storage().iter(addr, ()).await.map_err(|e| err(&e))?;
    let mut out: BTreeMap<String, u32> = BTreeMap::new();
    while let Some(kv) = it.next().await {
        let v = kv.map_err(|e| err(&e))?.value().decode().map_err(|e| err(&e))?;
        let (Some(id), Some(end)) = (
            v.at("machine_id").and_then(bytes),
            v.at("rent_end").and_then(Value::as_u128).and_then(|n| u32::try_from(n).ok()),
        ) else {
            continue;
        };
        let slot = out.entry(String::from_utf8_lossy(&id).into_owned()).or_default();
        *slot = (*slot).max(end);
    }
    Ok(out)
}

/// `StandardGPUPointPrice`, `AvgPrice`, `FixedTxFee`, `MaximumRentalDuration`.
/// Unset values are `None` (an `AvgPrice` of 0 too: the chain's division fails).
async fn pricing(client: &ChainClient, at: &AtBlock) -> Result<PricingParams> {
    let (std, avg, fee, max_days) = futures::try_join!(
        plain(client, at, "OnlineProfile", "StandardGPUPointPrice"),
        plain(client, at, "DBCPriceOCW", "AvgPrice"),
        plain(client, at, "GenericFunc", "FixedTxFee"),
        plain(client, at, "RentMachine", "MaximumRentalDuration"),
    )?;
    let num = |v: Option<&Value>| v.and_then(Value::as_u128);
    Ok(PricingParams {
        standard: std.as_ref().and_then(|v| {
            Some(StandardGpuPointPrice {
                gpu_point: u64::try_from(num(v.at("gpu_point"))?).ok()?,
                gpu_price: u64::try_from(num(v.at("gpu_price"))?).ok()?,
            })
        }),
        avg_price: num(avg.as_ref()).and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0),
        fixed_tx_fee: num(fee.as_ref()),
        max_rental_days: num(max_days.as_ref())
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_MAX_RENTAL_DAYS),
    })
}

/// A plain storage value, `None` when not stored.
async fn plain(client: &ChainClient, at: &AtBlock, pallet: &str, entry: &str) -> Result<Option<Value>> {
    let what = format!("reading {pallet}.{entry}");
    let addr = subxt::dynamic::storage::<(), Value>(pallet, entry);
    match at.storage().try_fetch(addr, ()).await.map_err(|e| client.rpc_error(&what, e))? {
        Some(v) => Ok(Some(v.decode().map_err(|e| client.rpc_error(&what, e))?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::machine::tests::machine_value;
    use crate::units::DBC;
    use scale_value::Composite;

    fn market() -> Market {
        let unit = |n: &str| Value::variant(n, Composite::unnamed([]));
        let mut machines = vec![
            Machine::from_value("b".repeat(64), &machine_value(unit("Online"), 4, false), 0),
            Machine::from_value("a".repeat(64), &machine_value(unit("Rented"), 4, false), 1),
            Machine::from_value("c".repeat(64), &machine_value(unit("Exit"), 4, false), 0),
        ];
        machines.sort_by(|a, b| a.id.cmp(&b.id));
        Market {
            block_number: 1,
            block_hash: "0x00".into(),
            spec_version: 400,
            params: PricingParams {
                standard: Some(StandardGpuPointPrice { gpu_point: 100, gpu_price: 16_937 }),
                avg_price: Some(500),
                fixed_tx_fee: Some(10 * DBC),
                max_rental_days: 60,
            },
            machines,
        }
    }

    #[test]
    fn quote_checks_in_the_chains_order_then_prices() {
        let m = market();
        let q = m.quote(&"a".repeat(64), 3, 14_400).unwrap();
        // 3 of 4 GPUs of calc point 60775 for a day: 7_720_096 USD micro.
        assert_eq!(q.rent, 7_720_096 * DBC / 500);
        assert_eq!(q.order_fee, 10 * DBC);
        assert_eq!(m.quote("nope", 1, 300).unwrap_err().code, ErrorCode::UnknownMachine);
        assert_eq!(m.quote(&"a".repeat(64), 4, 300).unwrap_err().code, ErrorCode::NotEnoughGpus);
        assert_eq!(m.quote(&"b".repeat(64), 1, 301).unwrap_err().code, ErrorCode::InvalidDuration);
        assert_eq!(m.quote(&"c".repeat(64), 1, 300).unwrap_err().code, ErrorCode::NotRentable);
        let mut unpriced = m.clone();
        unpriced.params.avg_price = None;
        assert_eq!(unpriced.quote(&"b".repeat(64), 1, 300).unwrap_err().code, ErrorCode::ChainRpc);
    }
}
