//! The pricing and fee parameters the rent flow needs (chain.md §4.12, §6),
//! and the chain's own integer price formula for the seeded orders' amounts.
//!
//! Values: `StandardGPUPointPrice {gpu_point: 100, gpu_price: 16_937}` makes the
//! chain price equal Galaxy Race's displayed `calc_point/100 × 0.016937 USD/day`
//! (market.md §7.1); `AvgPrice = 500` is 0.0005 USD per DBC, the example value
//! of market.md §7.1; `FixedTxFee = 10 DBC` as the WIKI says.

use super::accounts::DBC;

pub const GPU_POINT: u64 = 100;
pub const GPU_PRICE: u64 = 16_937;
/// USD×10^6 per DBC.
pub const AVG_PRICE: u64 = 500;
pub const FIXED_TX_FEE: u128 = 10 * DBC;
pub const ONE_DAY: u64 = 14_400;

/// USD×10^6 per day for `rent_gpus` of a machine's `total_gpus` (chain.md §4.12 step 3).
pub fn usd_micro_per_day(calc_point: u64, rent_gpus: u32, total_gpus: u32) -> u64 {
    GPU_PRICE * calc_point * 10_000 / GPU_POINT * rent_gpus as u64 / total_gpus as u64 / 10_000
}

/// The rent in planck for `blocks`, as `rent_machine` reserves it (steps 6–7).
pub fn rent_fee(calc_point: u64, rent_gpus: u32, total_gpus: u32, blocks: u32) -> u128 {
    let value = usd_micro_per_day(calc_point, rent_gpus, total_gpus) * blocks as u64 / ONE_DAY;
    value as u128 * DBC / AVG_PRICE as u128
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn matches_the_galaxy_price_of_the_market_reference() {
        // market.md §7.1: 2080Ti ×4, calc point 60775 -> 10_293_461 USD×10^6/day.
        assert_eq!(usd_micro_per_day(60_775, 4, 4), 10_293_461);
        assert_eq!(usd_micro_per_day(60_775, 1, 4), 2_573_365);
    }
}
