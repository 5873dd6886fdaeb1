//! Read the whole market at one block.
//!
//! Everything comes from one block hash so that machines, rented-GPU counts,
//! orders and prices agree with each other (a rent landing between two reads
//! would otherwise show a machine as idle with GPUs rented). Round trips, not
//! machines, set the time: the runtime version, the `MachinesInfo` key pages
//! (1,000 ids each), one concurrent batch for every machine's `MachinesInfo`,
//! `MachineRentedGPU`, `MachineRentOrder` (and `MachineExtraPrice` where the
//! runtime has it) plus the pricing storage, and one for the live orders'
//! `RentInfo` (see [`super::reader`]).

use super::machine::Machine;
use super::price::{PricingParams, Quote, StandardGpuPointPrice, DEFAULT_MAX_RENTAL_DAYS};
use super::reader::BlockReader;
use super::rules;
use crate::chain::client::ChainClient;
use crate::chain::value::{bytes, items};
use crate::error::Result;
use scale_value::{At, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use subxt::config::substrate::H256;

/// Every machine on the chain with the pricing parameters, at one block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        Quote::new(&self.params, m.calc_point, m.gpu_count, gpus, blocks, m.extra_price_per_gpu)
            .ok_or_else(super::price::no_price)
    }
}

/// Load every `MachinesInfo` entry, every `MachineRentedGPU`, the live orders'
/// ends (`RentInfo`), `MachineExtraPrice` where the runtime has it, and the
/// pricing storage, all at the best block.
pub async fn load_all(client: &ChainClient) -> Result<Market> {
    let (block_number, hash) = client.best_block().await?;
    load_at(client, block_number, hash).await
}

/// [`load_all`] at the block `hash` (number `block_number`).
pub async fn load_at(client: &ChainClient, block_number: u32, hash: H256) -> Result<Market> {
    let r = BlockReader::new(client, block_number, hash).await?;
    let keys = r.all_keys("OnlineProfile", "MachinesInfo").await?;
    let ids: Vec<String> = keys
        .iter()
        .filter_map(|k| r.key_part::<Vec<u8>>("OnlineProfile", "MachinesInfo", k))
        .map(|id| String::from_utf8_lossy(&id).into_owned())
        .collect();
    if ids.len() != keys.len() {
        tracing::warn!(skipped = keys.len() - ids.len(), "MachinesInfo keys without a readable machine id");
    }
    let (machines, params) = futures::try_join!(read_machines(&r, &ids), pricing(&r))?;
    let mut machines: Vec<Machine> = machines.into_iter().flatten().collect();
    machines.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(market_of(&r, params, machines))
}

pub(super) fn market_of(r: &BlockReader<'_>, params: PricingParams, machines: Vec<Machine>) -> Market {
    Market {
        block_number: r.number,
        block_hash: format!("0x{}", hex::encode(r.hash.0)),
        spec_version: r.spec_version,
        params,
        machines,
    }
}

/// The machines `ids` as the chain has them at the reader's block, in the
/// same order; `None` for an id not in `MachinesInfo`. Two round trips
/// whatever the number of ids: every per-machine map at once, then the live
/// orders those name.
pub(super) async fn read_machines(r: &BlockReader<'_>, ids: &[String]) -> Result<Vec<Option<Machine>>> {
    const OP: &str = "OnlineProfile";
    const RM: &str = "RentMachine";
    let has_orders = r.has_entry(RM, "MachineRentOrder");
    let has_extra = r.has_entry(OP, "MachineExtraPrice");
    let entries: Vec<(&str, &str)> = [(OP, "MachinesInfo"), (OP, "MachineRentedGPU")]
        .into_iter()
        .chain(has_orders.then_some((RM, "MachineRentOrder")))
        .chain(has_extra.then_some((OP, "MachineExtraPrice")))
        .collect();
    let mut keys = Vec::with_capacity(ids.len() * entries.len());
    for id in ids {
        for (pallet, entry) in &entries {
            keys.push(r.key(pallet, entry, (id.as_bytes().to_vec(),))?);
        }
    }
    let values = r.values(&keys).await?;
    let per_machine: Vec<&[Option<Vec<u8>>]> = values.chunks(entries.len()).collect();

    // The live orders of every machine, then their ends.
    let orders: Vec<Vec<u64>> = per_machine
        .iter()
        .map(|v| {
            let Some(list) = has_orders.then(|| r.decode_opt(RM, "MachineRentOrder", v[2].as_ref())).flatten() else {
                return Vec::new();
            };
            list.at("rent_order")
                .map(|l| items(l).filter_map(|x| x.as_u128().and_then(|n| u64::try_from(n).ok())).collect())
                .unwrap_or_default()
        })
        .collect();
    let rent_ids: Vec<u64> = orders.iter().flatten().copied().collect();
    let ends = rent_ends(r, &rent_ids).await?;

    Ok(ids
        .iter()
        .zip(per_machine)
        .zip(orders)
        .map(|((id, v), orders)| {
            let info = r.decode_opt(OP, "MachinesInfo", v[0].as_ref())?;
            let rented = r
                .decode_opt(OP, "MachineRentedGPU", v[1].as_ref())
                .and_then(|x| x.as_u128())
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0);
            let mut m = Machine::from_value(id.clone(), &info, rented);
            m.rented_until = orders.iter().filter_map(|rid| ends.get(rid).copied()).max();
            m.extra_price_per_gpu = has_extra.then(|| {
                r.decode_opt(OP, "MachineExtraPrice", v[entries.len() - 1].as_ref())
                    .and_then(|x| x.as_u128())
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0)
            });
            Some(m)
        })
        .collect())
}

/// `rent_end` of each of `rent_ids` found in `RentInfo`.
async fn rent_ends(r: &BlockReader<'_>, rent_ids: &[u64]) -> Result<BTreeMap<u64, u32>> {
    let keys = rent_ids.iter().map(|id| r.key("RentMachine", "RentInfo", (*id,))).collect::<Result<Vec<_>>>()?;
    let values = r.values(&keys).await?;
    Ok(rent_ids
        .iter()
        .zip(values)
        .filter_map(|(id, v)| {
            let v = r.decode_opt("RentMachine", "RentInfo", v.as_ref())?;
            let end = v.at("rent_end").and_then(Value::as_u128).and_then(|n| u32::try_from(n).ok())?;
            Some((*id, end))
        })
        .collect())
}

/// The machine ids of orders `rent_ids` (`RentInfo[..].machine_id`).
pub(super) async fn order_machines(r: &BlockReader<'_>, rent_ids: &[u64]) -> Result<Vec<String>> {
    let keys = rent_ids.iter().map(|id| r.key("RentMachine", "RentInfo", (*id,))).collect::<Result<Vec<_>>>()?;
    let values = r.values(&keys).await?;
    Ok(values
        .iter()
        .filter_map(|v| r.decode_opt("RentMachine", "RentInfo", v.as_ref()))
        .filter_map(|v| v.at("machine_id").and_then(bytes))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect())
}

/// `StandardGPUPointPrice`, `AvgPrice`, `FixedTxFee`, `MaximumRentalDuration`,
/// in one request. Unset values are `None` (an `AvgPrice` of 0 too: the
/// chain's division fails); an item the runtime lacks counts as unset.
pub(super) async fn pricing(r: &BlockReader<'_>) -> Result<PricingParams> {
    const ITEMS: [(&str, &str); 4] = [
        ("OnlineProfile", "StandardGPUPointPrice"),
        ("DBCPriceOCW", "AvgPrice"),
        ("GenericFunc", "FixedTxFee"),
        ("RentMachine", "MaximumRentalDuration"),
    ];
    let present: Vec<(&str, &str)> = ITEMS.into_iter().filter(|(p, e)| r.has_entry(p, e)).collect();
    let keys = present.iter().map(|(p, e)| r.key(p, e, ())).collect::<Result<Vec<_>>>()?;
    let values = r.values(&keys).await?;
    let got: BTreeMap<&str, Value> =
        present.iter().zip(values).filter_map(|((p, e), v)| Some((*e, r.decode_opt(p, e, v.as_ref())?))).collect();
    let num = |v: Option<&Value>| v.and_then(Value::as_u128);
    Ok(PricingParams {
        standard: got.get("StandardGPUPointPrice").and_then(|v| {
            Some(StandardGpuPointPrice {
                gpu_point: u64::try_from(num(v.at("gpu_point"))?).ok()?,
                gpu_price: u64::try_from(num(v.at("gpu_price"))?).ok()?,
            })
        }),
        avg_price: num(got.get("AvgPrice")).and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0),
        fixed_tx_fee: num(got.get("FixedTxFee")),
        max_rental_days: num(got.get("MaximumRentalDuration"))
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(DEFAULT_MAX_RENTAL_DAYS),
    })
}

#[cfg(test)]
impl Market {
    /// A market at block 1 of spec 400 with the example prices
    /// ([`PricingParams::example`]) and `machines`.
    pub(crate) fn example(machines: Vec<Machine>) -> Market {
        Market {
            block_number: 1,
            block_hash: "0x00".into(),
            spec_version: 400,
            params: PricingParams::example(),
            machines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
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
        Market::example(machines)
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
