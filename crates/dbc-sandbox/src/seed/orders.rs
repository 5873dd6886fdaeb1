//! The seeded rent orders on rented machines, consistent with what
//! `rent_machine` / `confirm_rent` would have left (chain.md §4.8, §4.13):
//! most are confirmed (`Renting`), some still wait for confirmation
//! (`WaitingVerifying`, their confirm deadline a few minutes after the start).
//! Order 0 ends 20–400 blocks after the base height, so "a rental ends" is quick to see.

use super::machines::{Machine, Status};
use super::pricing;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// Blocks in the minimum rent unit (`HALF_HOUR`).
pub const HALF_HOUR: u32 = 300;
/// `WAITING_CONFIRMING_DELAY`.
pub const CONFIRM_WINDOW: u32 = 150;

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub rent_id: u64,
    pub machine: usize,
    pub tenant: usize,
    pub gpu_num: u32,
    pub gpu_index: Vec<u32>,
    pub rent_start: u32,
    /// 0 while waiting for confirmation.
    pub confirm_rent: u32,
    pub rent_end: u32,
    /// Reserved rent while waiting; 0 once confirmed.
    pub stake_amount: u128,
    /// The rent paid at confirm (for the machine's totals).
    pub paid: u128,
    pub confirmed: bool,
}

/// Orders for every partly/fully rented machine; tenants are picked among `tenants`.
pub fn plan(machines: &[Machine], tenants: usize, rng_seed: u64, base: u32) -> Vec<Order> {
    let mut rng = StdRng::seed_from_u64(rng_seed ^ 0x0bde_5eed);
    let mut out: Vec<Order> = Vec::new();
    for (mi, m) in machines.iter().enumerate() {
        let splits: Vec<u32> = match m.status {
            Status::PartlyRented => vec![rng.gen_range(1..m.gpu_num)],
            Status::FullyRented if m.gpu_num >= 2 && rng.gen_bool(0.4) => {
                let a = rng.gen_range(1..m.gpu_num);
                vec![a, m.gpu_num - a]
            }
            Status::FullyRented => vec![m.gpu_num],
            _ => continue,
        };
        let mut next_gpu = 0u32;
        for gpus in splits {
            let rent_id = out.len() as u64;
            let waiting = rent_id != 0 && rng.gen_ratio(1, 5);
            let gpu_index: Vec<u32> = (next_gpu..next_gpu + gpus).collect();
            next_gpu += gpus;
            // A waiting order has reserved its rent; a confirmed one paid it.
            // The RNG draws keep their order (the seed is pinned by a test).
            let (rent_start, blocks) = if waiting {
                let rent_start = base - rng.gen_range(10..120);
                let units = rng.gen_range(1..=48);
                (rent_start, units * HALF_HOUR)
            } else {
                let rent_start = base - rng.gen_range(200..20_000);
                // Remaining time after the base height: order 0 ends within 400 blocks.
                let remaining = if rent_id == 0 { rng.gen_range(20..100) } else { rng.gen_range(300..14_400 * 7) };
                let units = (base - rent_start + remaining).div_ceil(HALF_HOUR);
                (rent_start, units * HALF_HOUR)
            };
            let tenant = rng.gen_range(0..tenants);
            let confirm_rent = if waiting { 0 } else { rent_start + rng.gen_range(5..100) };
            let fee = pricing::rent_fee(m.calc_point, gpus, m.gpu_num, blocks);
            let (stake_amount, paid) = if waiting { (fee, 0) } else { (0, fee) };
            out.push(Order {
                rent_id,
                machine: mi,
                tenant,
                gpu_num: gpus,
                gpu_index,
                rent_start,
                confirm_rent,
                rent_end: rent_start + blocks,
                stake_amount,
                paid,
                confirmed: !waiting,
            });
        }
    }
    out
}
