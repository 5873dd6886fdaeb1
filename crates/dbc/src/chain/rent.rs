//! `RentMachine` (chain.md §4): the three calls a renter makes, the events
//! that prove what they did, and the orders read back from storage.
//!
//! Why events and storage, not just "the extrinsic succeeded": `rent_machine`
//! returns `Ok` and does nothing for a machine without GPUs or a zero
//! duration, and `relet_machine` returns `Ok` and charges nothing when the
//! 60-day horizon caps the extension to zero (chain.md §4.3, §4.5). Only the
//! `Rent` / `Relet` events say that something happened, and with what figures.

use super::client::ChainClient;
use super::value::{bytes, items, u32_of};
use crate::error::{Error, ErrorCode, Result};
use scale_value::{At, Value, ValueDef};
use serde::{Deserialize, Serialize};
use subxt::events::Events;
use subxt::extrinsics::ExtrinsicEvents;
use subxt::utils::AccountId32;
use subxt::SubstrateConfig;

/// `WAITING_CONFIRMING_DELAY`: the order lapses at `rent_start + 150`
/// (15 min; DBC's docs say 30, the code says 15: chain.md §4.9).
pub const CONFIRM_WINDOW_BLOCKS: u32 = 150;
/// The shortest renewal the chain takes (`ReletTooShort` below it).
pub const MIN_RELET_BLOCKS: u32 = 100;
/// Rent and renewals never reach past now + 60 days.
pub const HORIZON_BLOCKS: u32 = 864_000;

/// `rent_machine(machine_id, rent_gpu_num, duration)`; the id goes as its
/// ASCII bytes (chain.md §7.1).
pub fn rent_call(machine_id: &str, gpus: u32, blocks: u32) -> subxt::tx::DynamicPayload<(Value, u32, u32)> {
    subxt::dynamic::tx("RentMachine", "rent_machine", (Value::from_bytes(machine_id.as_bytes()), gpus, blocks))
}

/// `confirm_rent(rent_id)`: pays the reserved rent; no way back afterwards.
pub fn confirm_call(rent_id: u64) -> subxt::tx::DynamicPayload<(u64,)> {
    subxt::dynamic::tx("RentMachine", "confirm_rent", (rent_id,))
}

/// `relet_machine(rent_id, relet_duration)`: paid at once, no order fee.
pub fn relet_call(rent_id: u64, blocks: u32) -> subxt::tx::DynamicPayload<(u64, u32)> {
    subxt::dynamic::tx("RentMachine", "relet_machine", (rent_id, blocks))
}

/// `RentStatus` of a live order (`RentExpired` is never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderStatus {
    /// Placed, rent reserved, waiting for `confirm_rent`.
    WaitingVerifying,
    /// Confirmed and paid.
    Renting,
}

/// A live order, `RentInfo[rent_id]` (chain.md §4.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RentOrder {
    pub rent_id: u64,
    pub machine_id: String,
    /// 32-byte account as `0x` hex (the caller formats SS58).
    pub renter: String,
    pub rent_start: u32,
    /// Block of `confirm_rent`; `None` until confirmed.
    pub confirmed_at: Option<u32>,
    pub rent_end: u32,
    /// Reserved rent while waiting; 0 after confirm.
    #[serde(with = "super::planck_string")]
    pub stake_amount: u128,
    pub status: OrderStatus,
    pub gpu_num: u32,
    pub gpu_index: Vec<u32>,
}

impl RentOrder {
    /// The last block in which `confirm_rent` is still accepted.
    pub fn confirm_deadline(&self) -> u32 {
        confirm_deadline(self.rent_start)
    }

    fn from_value(rent_id: u64, v: &Value) -> Option<RentOrder> {
        let status = match &v.at("rent_status")?.value {
            ValueDef::Variant(var) if var.name == "WaitingVerifying" => OrderStatus::WaitingVerifying,
            ValueDef::Variant(var) if var.name == "Renting" => OrderStatus::Renting,
            _ => return None,
        };
        let confirm = u32_of(v.at("confirm_rent")).unwrap_or(0);
        Some(RentOrder {
            rent_id,
            machine_id: String::from_utf8_lossy(&bytes(v.at("machine_id")?)?).into_owned(),
            renter: format!("0x{}", hex::encode(bytes(v.at("renter")?)?)),
            rent_start: u32_of(v.at("rent_start"))?,
            confirmed_at: (confirm != 0).then_some(confirm),
            rent_end: u32_of(v.at("rent_end"))?,
            stake_amount: v.at("stake_amount").and_then(Value::as_u128).unwrap_or(0),
            status,
            gpu_num: u32_of(v.at("gpu_num"))?,
            gpu_index: v
                .at("gpu_index")
                .map(|g| items(g).filter_map(|x| x.as_u128().and_then(|n| u32::try_from(n).ok())).collect())
                .unwrap_or_default(),
        })
    }
}

pub fn confirm_deadline(rent_start: u32) -> u32 {
    rent_start.saturating_add(CONFIRM_WINDOW_BLOCKS)
}

/// What `RentMachine.Rent` says was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RentPlaced {
    pub rent_id: u64,
    pub machine_id: String,
    pub gpus: u32,
    /// After the chain's 60-day cap.
    pub blocks: u32,
    #[serde(with = "super::planck_string")]
    pub reserved: u128,
}

/// `ConfirmRent` or `Relet`: an amount paid for `blocks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RentPaid {
    pub rent_id: u64,
    pub gpus: u32,
    /// Confirm: the whole order's duration; relet: the blocks added.
    pub blocks: u32,
    #[serde(with = "super::planck_string")]
    pub paid: u128,
}

/// All six `RentMachine` order events share one field layout:
/// `(rent_id, renter, machine_id, gpu_num, blocks, amount)` (chain.md §4.6).
type OrderEventFields = (u64, AccountId32, Vec<u8>, u32, u32, u128);

fn order_event(events: &ExtrinsicEvents<SubstrateConfig>, name: &str) -> Option<OrderEventFields> {
    events.iter().filter_map(|e| e.ok()).find_map(|e| {
        (e.pallet_name() == "RentMachine" && e.event_name() == name)
            .then(|| e.decode_fields_unchecked_as::<OrderEventFields>().ok())
            .flatten()
    })
}

/// The `Rent` event of an extrinsic, if the rent was placed.
pub fn rent_event(events: &ExtrinsicEvents<SubstrateConfig>) -> Option<RentPlaced> {
    order_event(events, "Rent").map(|(rent_id, _, machine, gpus, blocks, reserved)| RentPlaced {
        rent_id,
        machine_id: String::from_utf8_lossy(&machine).into_owned(),
        gpus,
        blocks,
        reserved,
    })
}

/// The `ConfirmRent` event of an extrinsic.
pub fn confirm_event(events: &ExtrinsicEvents<SubstrateConfig>) -> Option<RentPaid> {
    order_event(events, "ConfirmRent").map(|(rent_id, _, _, gpus, blocks, paid)| RentPaid {
        rent_id,
        gpus,
        blocks,
        paid,
    })
}

/// The `Relet` event of an extrinsic; `None` when the horizon capped it to nothing.
pub fn relet_event(events: &ExtrinsicEvents<SubstrateConfig>) -> Option<RentPaid> {
    order_event(events, "Relet").map(|(rent_id, _, _, gpus, blocks, paid)| RentPaid { rent_id, gpus, blocks, paid })
}

/// Every `Rent` event in a block's events, for finding an order placed by a
/// transaction whose result we never saw.
pub fn rent_events_in_block(events: &Events<SubstrateConfig>) -> Vec<(AccountId32, RentPlaced)> {
    events
        .iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.pallet_name() == "RentMachine" && e.event_name() == "Rent")
        .filter_map(|e| e.decode_fields_unchecked_as::<OrderEventFields>().ok())
        .map(|(rent_id, who, machine, gpus, blocks, reserved)| {
            (
                who,
                RentPlaced {
                    rent_id,
                    machine_id: String::from_utf8_lossy(&machine).into_owned(),
                    gpus,
                    blocks,
                    reserved,
                },
            )
        })
        .collect()
}

/// `RentInfo[rent_id]` at the best block; `None` once the order lapsed or ended.
pub async fn order(client: &ChainClient, rent_id: u64) -> Result<Option<RentOrder>> {
    let (_, hash) = client.best_block().await?;
    let at = client.api().at_block(hash).await.map_err(|e| client.rpc_error("pinning the best block", e))?;
    order_at(client, &at, rent_id).await
}

type AtBlock = subxt::client::ClientAtBlock<SubstrateConfig, subxt::client::OnlineClientAtBlockImpl<SubstrateConfig>>;

async fn order_at(client: &ChainClient, at: &AtBlock, rent_id: u64) -> Result<Option<RentOrder>> {
    let what = "reading RentMachine.RentInfo";
    let addr = subxt::dynamic::storage::<(u64,), Value>("RentMachine", "RentInfo");
    let Some(raw) = at.storage().try_fetch(addr, (rent_id,)).await.map_err(|e| client.rpc_error(what, e))? else {
        return Ok(None);
    };
    let v = raw.decode().map_err(|e| client.rpc_error(what, e))?;
    RentOrder::from_value(rent_id, &v)
        .map(Some)
        .ok_or_else(|| client.rpc_error(what, format!("order {rent_id} has a layout this app cannot read")))
}

/// The live orders of `who` (`UserOrder` + `RentInfo`) at the best block, and
/// that block's number.
pub async fn orders_of(client: &ChainClient, who: &AccountId32) -> Result<(u32, Vec<RentOrder>)> {
    let s = snapshot(client, who, Head::Best).await?;
    Ok((s.at, s.orders))
}

/// The most live orders one account may list (each is one more read): far
/// above any renter's, low enough that a hostile node cannot make us read forever.
pub const MAX_USER_ORDERS: usize = 1_000;

/// Which head of the node a read is pinned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// The newest block: what a new transaction is checked against.
    Best,
    /// The newest finalized block: what it shows cannot be reorganized away.
    Finalized,
}

/// What the chain shows of one account at one block: its nonce and its live
/// orders, read from the same pinned block so they always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSnapshot {
    /// The block read.
    pub at: u32,
    pub finalized: bool,
    pub nonce: u64,
    pub orders: Vec<RentOrder>,
}

/// [`AccountSnapshot`] of `who` at the node's `head`.
pub async fn snapshot(client: &ChainClient, who: &AccountId32, head: Head) -> Result<AccountSnapshot> {
    let (number, hash) = match head {
        Head::Best => client.best_block().await?,
        Head::Finalized => client.finalized_block().await?,
    };
    let at = client.api().at_block(hash).await.map_err(|e| client.rpc_error("pinning a block", e))?;
    let (_, nonce) = super::account::read_account(client, &at, who).await?;
    let what = "reading RentMachine.UserOrder";
    let addr = subxt::dynamic::storage::<(AccountId32,), Value>("RentMachine", "UserOrder");
    let ids: Vec<u64> = match at.storage().try_fetch(addr, (*who,)).await.map_err(|e| client.rpc_error(what, e))? {
        Some(raw) => {
            // Bound by size before decoding: a node claiming a million ids
            // must not make us build a million values first.
            if raw.bytes().len() > MAX_USER_ORDERS * 8 + 4 {
                return Err(super::reply_too_large(client.endpoint(), "RentMachine.UserOrder", MAX_USER_ORDERS));
            }
            let v = raw.decode().map_err(|e| client.rpc_error(what, e))?;
            items(&v).filter_map(|x| x.as_u128().and_then(|n| u64::try_from(n).ok())).collect()
        }
        None => Vec::new(),
    };
    if ids.len() > MAX_USER_ORDERS {
        return Err(super::reply_too_large(client.endpoint(), "RentMachine.UserOrder", MAX_USER_ORDERS));
    }
    let mut orders = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(o) = order_at(client, &at, id).await? {
            orders.push(o);
        }
    }
    Ok(AccountSnapshot { at: number, finalized: head == Head::Finalized, nonce: u64::from(nonce), orders })
}

/// `rent-lapsed`: the order is gone before it was confirmed.
pub fn lapsed(rent_id: u64) -> Error {
    Error::new(
        ErrorCode::RentLapsed,
        format!("order {rent_id} is no longer on the chain: it was not confirmed within {CONFIRM_WINDOW_BLOCKS} blocks (15 min), so the chain refunded the rent and kept the order fee"),
    )
    .with_data(serde_json::json!({ "rentId": rent_id }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale_value::Composite;

    fn order_value(status: &str, confirm: u32) -> Value {
        Value::named_composite([
            ("machine_id", Value::from_bytes(b"ab01")),
            ("renter", Value::unnamed_composite([Value::from_bytes([7u8; 32])])),
            ("rent_start", Value::u128(1000)),
            ("confirm_rent", Value::u128(confirm as u128)),
            ("rent_end", Value::u128(1600)),
            ("stake_amount", Value::u128(5)),
            ("rent_status", Value::variant(status, Composite::unnamed([]))),
            ("gpu_num", Value::u128(2)),
            ("gpu_index", Value::unnamed_composite([Value::u128(0), Value::u128(1)])),
        ])
    }

    #[test]
    fn orders_decode_by_field_name() {
        let o = RentOrder::from_value(9, &order_value("WaitingVerifying", 0)).unwrap();
        assert_eq!(o.machine_id, "ab01");
        assert_eq!(o.renter, format!("0x{}", "07".repeat(32)));
        assert_eq!((o.rent_start, o.rent_end, o.gpu_num), (1000, 1600, 2));
        assert_eq!(o.confirmed_at, None);
        assert_eq!(o.confirm_deadline(), 1150);
        assert_eq!(o.gpu_index, vec![0, 1]);
        let c = RentOrder::from_value(9, &order_value("Renting", 1040)).unwrap();
        assert_eq!((c.status, c.confirmed_at), (OrderStatus::Renting, Some(1040)));
        assert!(RentOrder::from_value(9, &order_value("RentExpired", 0)).is_none());
    }
}
