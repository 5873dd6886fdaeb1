//! The chain's rent price, reproduced to the planck (chain.md §4.12).
//!
//! `rent_machine` prices an order with integer math in a fixed order, truncating
//! at every division (`OnlineProfile::get_machine_price`, then
//! `rent_machine_by_block`, then `DBCPriceOCW::get_dbc_amount_by_value`). A quote
//! that computes "the same" number with floats, or divides in another order,
//! drifts by a few planck to whole DBC, and the user would see one amount and
//! pay another. So every function here repeats the pallet's steps literally:
//! `u64` checked math up to the USD value, then `u128` for planck. `None` means
//! the pallet would fail too (`GetMachinePriceFailed` or `Overflow`).
//!
//! Units: "USD micro" = USD×10^6, the chain's `gpu_price`/`AvgPrice` unit.

use crate::error::{Error, ErrorCode};
use crate::units::{BLOCKS_PER_DAY, BLOCKS_PER_HOUR, DBC, MAX_RENT_BLOCKS};
use serde::{Deserialize, Serialize};

/// `OnlineProfile.StandardGPUPointPrice`: `gpu_price` USD micro per day buys
/// `gpu_point` calc points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct StandardGpuPointPrice {
    pub gpu_point: u64,
    pub gpu_price: u64,
}

/// Everything the price needs besides the machine, read at one block.
/// Each is `None` when unset on chain; then renting fails on chain as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct PricingParams {
    pub standard: Option<StandardGpuPointPrice>,
    /// `DBCPriceOCW.AvgPrice`: USD micro per DBC.
    pub avg_price: Option<u64>,
    /// `GenericFunc.FixedTxFee`: the order fee `rent_machine` charges, planck.
    #[ts(type = "string | null")]
    #[serde(default, with = "crate::chain::planck_string_opt")]
    pub fixed_tx_fee: Option<u128>,
    /// `RentMachine.MaximumRentalDuration` in days (default 60).
    pub max_rental_days: u32,
}

/// `get_machine_price` (`op/traits.rs`): the system price in USD micro per day
/// for `need_gpu` of the machine's `total_gpu` GPUs:
/// `gpu_price * calc_point * 10_000 / gpu_point * need_gpu / total_gpu / 10_000`.
/// The `* 10_000 ... / 10_000` keeps 4 more digits through the two divisions
/// in between; we must keep it too or the result differs by truncation.
pub fn system_price(std: StandardGpuPointPrice, calc_point: u64, need_gpu: u32, total_gpu: u32) -> Option<u64> {
    if total_gpu == 0 {
        return None;
    }
    std.gpu_price
        .checked_mul(calc_point)?
        .checked_mul(10_000)?
        .checked_div(std.gpu_point)?
        .checked_mul(u64::from(need_gpu))?
        .checked_div(u64::from(total_gpu))?
        .checked_div(10_000)
}

/// The daily price of `need_gpu` GPUs in USD micro, system price plus the
/// owner's extra price.
///
/// `extra_per_gpu` is `OnlineProfile.MachineExtraPrice[id]` (USD micro per GPU
/// per day). It exists from spec 408 on; spec 400/401 (the practice network
/// and the chain's genesis) have no such storage and price `system_price`
/// alone, which is what `None` means here. When present, HEAD computes
/// `system + extra_per_gpu * need_gpu` with checked math and fails with
/// `Overflow` if it overflows (chain.md §4.12 step 4-5), so do we.
pub fn machine_price(
    std: StandardGpuPointPrice,
    calc_point: u64,
    need_gpu: u32,
    total_gpu: u32,
    extra_per_gpu: Option<u64>,
) -> Option<u64> {
    let system = system_price(std, calc_point, need_gpu, total_gpu)?;
    match extra_per_gpu {
        None => Some(system),
        Some(extra) => system.checked_add(extra.checked_mul(u64::from(need_gpu))?),
    }
}

/// `rent_fee_value` (USD micro) for `blocks` at `price_per_day`:
/// `price * blocks / 14_400`, u64 checked.
pub fn usd_value_for_blocks(price_per_day: u64, blocks: u32) -> Option<u64> {
    price_per_day.checked_mul(u64::from(blocks))?.checked_div(u64::from(BLOCKS_PER_DAY))
}

/// `get_dbc_amount_by_value`: USD micro to planck at `avg_price` USD micro per
/// DBC: `value * 10^15 / avg_price` in u128, truncated.
pub fn usd_to_planck(value_usd_micro: u64, avg_price: u64) -> Option<u128> {
    u128::from(value_usd_micro).checked_mul(DBC)?.checked_div(u128::from(avg_price))
}

/// The duration `rent_machine` actually charges: it silently caps at
/// `MaximumRentalDuration` days (chain.md §4.3 step 6).
pub fn capped_blocks(blocks: u32, max_rental_days: u32) -> u32 {
    blocks.min(max_rental_days.saturating_mul(BLOCKS_PER_DAY))
}

/// The rent `rent_machine(id, gpus, blocks)` reserves, in planck, exactly as the
/// `Rent` event reports it: duration capped, then machine price, then USD value
/// for the blocks, then DBC at `AvgPrice`. `None` where the pallet would fail.
pub fn rent_fee(
    params: &PricingParams,
    calc_point: u64,
    total_gpu: u32,
    gpus: u32,
    blocks: u32,
    extra_per_gpu: Option<u64>,
) -> Option<u128> {
    let std = params.standard?;
    let blocks = capped_blocks(blocks, params.max_rental_days);
    let per_day = machine_price(std, calc_point, gpus, total_gpu, extra_per_gpu)?;
    usd_to_planck(usd_value_for_blocks(per_day, blocks)?, params.avg_price?)
}

/// One machine's prices for display: per GPU and whole machine, per day and
/// per hour, in USD micro and planck. Hourly figures go through the same
/// block formula (600 blocks), so they are what a one-hour rent costs, not
/// the daily price divided by 24 in some other rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct MachinePrice {
    pub usd_micro_per_gpu_day: u64,
    pub usd_micro_per_gpu_hour: u64,
    pub usd_micro_per_machine_day: u64,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub planck_per_gpu_day: u128,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub planck_per_gpu_hour: u128,
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub planck_per_machine_day: u128,
}

impl MachinePrice {
    /// `None` when the chain has no price parameters, the machine has no GPU,
    /// or the math overflows (renting it would fail on chain too).
    pub fn compute(
        params: &PricingParams,
        calc_point: u64,
        total_gpu: u32,
        extra_per_gpu: Option<u64>,
    ) -> Option<Self> {
        let std = params.standard?;
        let avg = params.avg_price?;
        let gpu_day = machine_price(std, calc_point, 1, total_gpu, extra_per_gpu)?;
        let machine_day = machine_price(std, calc_point, total_gpu, total_gpu, extra_per_gpu)?;
        let gpu_hour = usd_value_for_blocks(gpu_day, BLOCKS_PER_HOUR)?;
        Some(MachinePrice {
            usd_micro_per_gpu_day: gpu_day,
            usd_micro_per_gpu_hour: gpu_hour,
            usd_micro_per_machine_day: machine_day,
            planck_per_gpu_day: usd_to_planck(usd_value_for_blocks(gpu_day, BLOCKS_PER_DAY)?, avg)?,
            planck_per_gpu_hour: usd_to_planck(gpu_hour, avg)?,
            planck_per_machine_day: usd_to_planck(usd_value_for_blocks(machine_day, BLOCKS_PER_DAY)?, avg)?,
        })
    }
}

/// What placing an order costs, in planck. The chain recomputes the rent at
/// inclusion with that block's `AvgPrice`; the `Rent` event has the final figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Quote {
    pub gpus: u32,
    /// The duration as charged (after the chain's cap).
    pub blocks: u32,
    /// Reserved at order time, paid at confirm.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub rent: u128,
    /// `FixedTxFee`, slashed to the Treasury at order time; not refunded.
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub order_fee: u128,
    /// The transaction fee estimate; 0 until the caller fills it
    /// (it needs a signer: `chain::tx::estimate_fee`).
    #[ts(type = "string")]
    #[serde(with = "crate::chain::planck_string")]
    pub tx_fee_estimate: u128,
}

impl Quote {
    /// The quote for `gpus` GPUs over `blocks`; `None` when the rent cannot be
    /// computed (see [`rent_fee`]) or `FixedTxFee` is unset (the chain then
    /// refuses the order with `PayTxFeeFailed`).
    pub fn new(
        params: &PricingParams,
        calc_point: u64,
        total_gpu: u32,
        gpus: u32,
        blocks: u32,
        extra_per_gpu: Option<u64>,
    ) -> Option<Quote> {
        Some(Quote {
            gpus,
            blocks: capped_blocks(blocks, params.max_rental_days),
            rent: rent_fee(params, calc_point, total_gpu, gpus, blocks, extra_per_gpu)?,
            order_fee: params.fixed_tx_fee?,
            tx_fee_estimate: 0,
        })
    }

    pub fn with_tx_fee(mut self, fee: u128) -> Self {
        self.tx_fee_estimate = fee;
        self
    }

    /// Free balance needed: rent + order fee + transaction fee.
    pub fn total(&self) -> u128 {
        self.rent.saturating_add(self.order_fee).saturating_add(self.tx_fee_estimate)
    }
}

/// 60 days, the default `MaximumRentalDuration`, in blocks.
pub const DEFAULT_MAX_RENTAL_DAYS: u32 = MAX_RENT_BLOCKS / BLOCKS_PER_DAY;

/// `chain-rpc`: the chain lacks the parameters its price formula needs (the
/// chain itself would fail `GetMachinePriceFailed`, `Overflow` or
/// `PayTxFeeFailed`).
pub fn no_price() -> Error {
    Error::new(
        ErrorCode::ChainRpc,
        "the chain has no usable price parameters (StandardGPUPointPrice, AvgPrice, FixedTxFee)",
    )
}

#[cfg(test)]
impl PricingParams {
    /// market.md §7.1 parameters: Galaxy's 0.016937 USD per calc point and day,
    /// 0.0005 USD per DBC, 10 DBC order fee (also the practice network's seed).
    pub(crate) fn example() -> PricingParams {
        PricingParams {
            standard: Some(StandardGpuPointPrice { gpu_point: 100, gpu_price: 16_937 }),
            avg_price: Some(500),
            fixed_tx_fee: Some(10 * DBC),
            max_rental_days: 60,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> PricingParams {
        PricingParams::example()
    }

    #[test]
    fn reproduces_the_market_reference_example() {
        // 2080 Ti x4, calc point 60775 (market.md §7.1).
        let p = MachinePrice::compute(&example(), 60_775, 4, None).unwrap();
        assert_eq!(p.usd_micro_per_machine_day, 10_293_461);
        assert_eq!(p.usd_micro_per_gpu_day, 2_573_365);
        // "dbc_per_day_whole": "20586.922"
        assert_eq!(p.planck_per_machine_day, 20_586_922 * DBC / 1000);
        // "usd_per_gpu_hour": "0.1072": 2_573_365 * 600 / 14_400 = 107_223 (truncated).
        assert_eq!(p.usd_micro_per_gpu_hour, 107_223);
        assert_eq!(p.planck_per_gpu_hour, 107_223 * DBC / 500);
    }

    #[test]
    fn reproduces_the_pallet_unit_test() {
        // rm/tests.rs: gpu_point 1000, gpu_price 5_000_000, AvgPrice 12_000,
        // calc_point 59_890, 4 of 4 GPUs for 10 days.
        let params = PricingParams {
            standard: Some(StandardGpuPointPrice { gpu_point: 1000, gpu_price: 5_000_000 }),
            avg_price: Some(12_000),
            fixed_tx_fee: Some(10 * DBC),
            max_rental_days: 60,
        };
        let std = params.standard.unwrap();
        assert_eq!(system_price(std, 59_890, 4, 4), Some(299_450_000));
        assert_eq!(rent_fee(&params, 59_890, 4, 4, 144_000, None), Some(249_541_666_666_666_666_666));
        let q = Quote::new(&params, 59_890, 4, 4, 144_000, None).unwrap().with_tx_fee(7);
        assert_eq!(q.total(), 249_541_666_666_666_666_666 + 10 * DBC + 7);
    }

    #[test]
    fn truncates_in_the_pallets_order() {
        let std = StandardGpuPointPrice { gpu_point: 100, gpu_price: 16_937 };
        // 1 of 3 GPUs: 16937*6828*10000/100 = 11_564_583_600; /3 = 3_854_861_200; /10000 = 385_486.
        assert_eq!(system_price(std, 6_828, 1, 3), Some(385_486));
        // Dividing by 10_000 before the GPU share would give 1_156_458 / 3 = 385_486 here but
        // differs elsewhere: 7 of 9 GPUs of calc point 1.
        // pallet: 16937*1*10000/100 = 1_693_700 *7 = 11_855_900 /9 = 1_317_322 /10000 = 131.
        assert_eq!(system_price(std, 1, 7, 9), Some(131));
        // The USD value truncates before converting to DBC: 131 * 300 / 14400 = 2 (not 2.729).
        assert_eq!(usd_value_for_blocks(131, 300), Some(2));
        // Planck truncates: 1 USD micro at 3 USD micro per DBC.
        assert_eq!(usd_to_planck(1, 3), Some(333_333_333_333_333));
    }

    #[test]
    fn the_practice_chain_figure() {
        // chain.md §4.12: under chopsticks with the pallet test's parameters,
        // calc_point 6828, 2 of 4 GPUs, 600 blocks reserved 59.27 DBC.
        let params = PricingParams {
            standard: Some(StandardGpuPointPrice { gpu_point: 1000, gpu_price: 5_000_000 }),
            avg_price: Some(12_000),
            ..example()
        };
        let fee = rent_fee(&params, 6_828, 4, 2, 600, None).unwrap();
        // 17_070_000 USD micro/day * 600 / 14_400 = 711_250; / 0.012 USD per DBC.
        assert_eq!(fee, 711_250 * DBC / 12_000);
        assert_eq!(crate::units::format_dbc_fixed(fee, 2), "59.27");
    }

    #[test]
    fn extra_price_is_added_per_gpu_when_present() {
        let std = example().standard.unwrap();
        assert_eq!(machine_price(std, 60_775, 1, 4, None), Some(2_573_365));
        assert_eq!(machine_price(std, 60_775, 1, 4, Some(0)), Some(2_573_365));
        assert_eq!(machine_price(std, 60_775, 2, 4, Some(1_000_000)), Some(5_146_730 + 2_000_000));
        assert_eq!(machine_price(std, 60_775, 2, 4, Some(u64::MAX)), None, "overflow fails like the pallet");
    }

    #[test]
    fn unset_parameters_and_zero_gpus_give_none() {
        let mut p = example();
        assert_eq!(rent_fee(&p, 100, 0, 1, 300, None), None);
        p.avg_price = None;
        assert_eq!(rent_fee(&p, 100, 1, 1, 300, None), None);
        let mut p = example();
        p.standard = None;
        assert!(MachinePrice::compute(&p, 100, 1, None).is_none());
        let mut p = example();
        p.fixed_tx_fee = None;
        assert!(Quote::new(&p, 100, 1, 1, 300, None).is_none());
        let mut p = example();
        p.standard = Some(StandardGpuPointPrice { gpu_point: 0, gpu_price: 1 });
        assert_eq!(rent_fee(&p, 100, 1, 1, 300, None), None, "checked_div by 0");
    }

    #[test]
    fn duration_is_capped_like_the_chain() {
        let p = example();
        let q = Quote::new(&p, 60_775, 4, 4, 2 * 864_000, None).unwrap();
        assert_eq!(q.blocks, 864_000);
        assert_eq!(q.rent, rent_fee(&p, 60_775, 4, 4, 864_000, None).unwrap());
        assert_eq!(DEFAULT_MAX_RENTAL_DAYS, 60);
    }

    #[test]
    fn serializes_planck_as_strings() {
        let q = Quote::new(&example(), 60_775, 4, 1, 300, None).unwrap();
        let v = serde_json::to_value(q).unwrap();
        assert_eq!(v["orderFee"], serde_json::json!("10000000000000000"));
        assert!(v["rent"].is_string());
    }
}
