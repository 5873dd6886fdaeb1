//! The practice chain's starting state, encoded offline from the runtime
//! metadata and baked into the prepared spec's genesis (sandbox.md §6, §9).
//!
//! What it holds: the pricing and fee parameters, the sudo key, funded
//! practice accounts (sudo, faucet, renters, fee pot, tenants, machine owners),
//! `machines` machines in every status with consistent `LiveMachines`,
//! `MachineRentedGPU`, owner indexes and rent orders (`RentInfo`, `UserOrder`,
//! `MachineRentOrder`, `MachineRenterRentedOrders`, `ConfirmingOrder`,
//! `RentEnding`, `UserTotalStake`, `NextRentId`), and the balances those orders
//! imply (reserved rent and machine stakes).
//!
//! Block numbers: the seed's history happened before [`SeedConfig::base_height`];
//! the sandbox jumps the chain to that height once after the first start, so
//! orders, confirm deadlines and rental ends lie in the chain's near future.

pub mod accounts;
pub mod encode;
pub mod machines;
pub mod orders;
pub mod pricing;

use accounts::{Account, PracticeAccount, Role, DBC};
use dbc::Result;
use encode::{bytes, list, n, record, variant, StorageWriter};
use machines::{Machine, Status};
use orders::Order;
use scale_value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use subxt::metadata::Metadata;

/// Bump when the seed's content changes: a prepared spec from another version is rebuilt.
pub const SEED_VERSION: u32 = 1;
/// The fixed RNG seed of the default practice network.
pub const DEFAULT_RNG_SEED: u64 = 20_241_209;
/// The height the chain jumps to after the first start (≈ 69 days of 6-s blocks).
pub const DEFAULT_BASE_HEIGHT: u32 = 1_000_000;
/// Machine stake per GPU (planck).
pub const STAKE_PER_GPU: u128 = 10_000 * DBC;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedConfig {
    pub machines: usize,
    pub rng_seed: u64,
    pub base_height: u32,
}

impl Default for SeedConfig {
    fn default() -> Self {
        SeedConfig { machines: 60, rng_seed: DEFAULT_RNG_SEED, base_height: DEFAULT_BASE_HEIGHT }
    }
}

impl SeedConfig {
    /// Machine owners: 8 for a small network, one per 12 machines beyond.
    pub fn operators(&self) -> usize {
        (self.machines / 12).max(8)
    }
    pub fn tenants(&self) -> usize {
        (self.machines / 20).clamp(4, 50)
    }
}

/// Counts a test or the status line can check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedSummary {
    pub machines: usize,
    pub idle: usize,
    pub partly_rented: usize,
    pub fully_rented: usize,
    pub offline: usize,
    pub exited: usize,
    pub orders: usize,
    pub waiting_orders: usize,
    pub storage_entries: usize,
    pub storage_bytes: usize,
}

pub struct Seed {
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
    /// The accounts a user meets (no stashes, controllers).
    pub accounts: Vec<PracticeAccount>,
    pub machines: Vec<Machine>,
    pub orders: Vec<Order>,
    pub summary: SeedSummary,
}

fn acc(a: &Account) -> Value {
    bytes(a.bytes())
}

fn mid(m: &Machine) -> Value {
    bytes(m.id.as_bytes())
}

/// Build the seed. `genesis_issuance` is the spec's `Balances.TotalIssuance`.
pub fn build(md: &Metadata, cfg: &SeedConfig, genesis_issuance: u128) -> Result<Seed> {
    let mut w = StorageWriter::new(md);
    let main = accounts::main_accounts();
    let tenants = accounts::tenants(cfg.tenants());
    let operators = accounts::operators(cfg.operators());
    let machines = machines::plan(cfg.machines, operators.len(), cfg.rng_seed, cfg.base_height);
    let orders = orders::plan(&machines, tenants.len(), cfg.rng_seed, cfg.base_height);
    let role = |r: Role| main.iter().find(|a| a.info.role == r).expect("main accounts have every role");

    // ---- parameters (chain.md §6) ----
    w.set("Sudo", "Key", vec![], acc(role(Role::Sudo)))?;
    w.set("GenericFunc", "FixedTxFee", vec![], n(pricing::FIXED_TX_FEE))?;
    w.set("DBCPriceOCW", "AvgPrice", vec![], n(pricing::AVG_PRICE))?;
    w.set(
        "OnlineProfile",
        "StandardGPUPointPrice",
        vec![],
        record([("gpu_point", n(pricing::GPU_POINT)), ("gpu_price", n(pricing::GPU_PRICE))]),
    )?;
    w.set("RentMachine", "RentFeePot", vec![], acc(role(Role::FeePot)))?;

    // ---- balances: free from the account list, reserved from stakes and waiting orders ----
    let mut reserved: BTreeMap<[u8; 32], u128> = BTreeMap::new();
    for m in &machines {
        if m.status != Status::Exited {
            *reserved.entry(operators[m.owner].0.bytes()).or_default() += STAKE_PER_GPU * m.gpu_num as u128;
        }
    }
    for o in orders.iter().filter(|o| !o.confirmed) {
        *reserved.entry(tenants[o.tenant].bytes()).or_default() += o.stake_amount;
    }
    let mut issuance = genesis_issuance;
    let everyone = main.iter().chain(&tenants).chain(operators.iter().flat_map(|(s, c)| [s, c]));
    for a in everyone {
        let free = a.info.genesis_dbc * DBC;
        let res = reserved.get(&a.bytes()).copied().unwrap_or(0);
        issuance += free + res;
        w.set(
            "System",
            "Account",
            vec![acc(a)],
            record([
                ("providers", n(1u32)),
                ("consumers", n(u32::from(res > 0))),
                ("data", record([("free", n(free)), ("reserved", n(res)), ("flags", n(1u128 << 127))])),
            ]),
        )?;
    }
    w.set("Balances", "TotalIssuance", vec![], n(issuance))?;

    // ---- machines ----
    let mut rented_gpus: BTreeMap<usize, u32> = BTreeMap::new();
    let mut confirmed_renters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut has_confirmed: BTreeMap<usize, bool> = BTreeMap::new();
    for o in &orders {
        *rented_gpus.entry(o.machine).or_default() += o.gpu_num;
        if o.confirmed {
            let r = confirmed_renters.entry(o.machine).or_default();
            if !r.contains(&o.tenant) {
                r.push(o.tenant);
            }
            has_confirmed.insert(o.machine, true);
        }
    }
    let mut live: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut per_owner: Vec<Vec<usize>> = vec![Vec::new(); operators.len()];
    for (i, m) in machines.iter().enumerate() {
        let (stash, controller) = &operators[m.owner];
        per_owner[m.owner].push(i);
        let status = match m.status {
            Status::Idle => variant("Online", []),
            Status::PartlyRented | Status::FullyRented => variant("Rented", []),
            Status::Offline => {
                variant("StakerReportOffline", [n(cfg.base_height - 1_000 - (i as u32 % 500)), variant("Online", [])])
            }
            Status::Exited => variant("Exit", []),
        };
        let list_name = match m.status {
            Status::Idle => Some("online_machine"),
            Status::PartlyRented | Status::FullyRented if has_confirmed.contains_key(&i) => Some("rented_machine"),
            Status::PartlyRented | Status::FullyRented => Some("online_machine"),
            Status::Offline => Some("offline_machine"),
            Status::Exited => None,
        };
        if let Some(l) = list_name {
            live.entry(l).or_default().push(mid(m));
        }
        let my_orders: Vec<&Order> = orders.iter().filter(|o| o.machine == i).collect();
        let paid: u128 = my_orders.iter().map(|o| o.paid).sum();
        let history_times = (m.online_height % 7) as u64;
        let history_fee = pricing::rent_fee(m.calc_point, m.gpu_num, m.gpu_num, 14_400) * history_times as u128;
        let renters: Vec<Value> =
            confirmed_renters.get(&i).map(|r| r.iter().map(|t| acc(&tenants[*t])).collect()).unwrap_or_default();
        let stake = if m.status == Status::Exited { 0 } else { STAKE_PER_GPU * m.gpu_num as u128 };
        let longitude =
            if m.lon >= 0 { variant("East", [n(m.lon as u64)]) } else { variant("West", [n((-m.lon) as u64)]) };
        let latitude =
            if m.lat >= 0 { variant("North", [n(m.lat as u64)]) } else { variant("South", [n((-m.lat) as u64)]) };
        let info = record([
            ("controller", acc(controller)),
            ("machine_stash", acc(stash)),
            ("renters", list(renters)),
            ("last_machine_restake", n(m.online_height)),
            ("bonding_height", n(m.bonding_height)),
            ("online_height", n(m.online_height)),
            ("last_online_height", n(m.online_height)),
            ("init_stake_per_gpu", n(STAKE_PER_GPU)),
            ("stake_amount", n(stake)),
            ("machine_status", status),
            ("total_rented_duration", n(history_times as u32 * 14_400)),
            ("total_rented_times", n(history_times + my_orders.iter().filter(|o| o.confirmed).count() as u64)),
            ("total_rent_fee", n(history_fee + paid)),
            ("total_burn_fee", n((history_fee + paid) * 3 / 10)),
            (
                "machine_info_detail",
                record([
                    (
                        "committee_upload_info",
                        record([
                            ("machine_id", mid(m)),
                            ("gpu_type", bytes(m.gpu_type.as_bytes())),
                            ("gpu_num", n(m.gpu_num)),
                            ("cuda_core", n(m.cuda_core)),
                            ("gpu_mem", n(m.gpu_mem)),
                            ("calc_point", n(m.calc_point)),
                            ("sys_disk", n(m.sys_disk)),
                            ("data_disk", n(m.data_disk)),
                            ("cpu_type", bytes(m.cpu_type.as_bytes())),
                            ("cpu_core_num", n(m.cpu_core_num)),
                            ("cpu_rate", n(m.cpu_rate)),
                            ("mem_num", n(m.mem_num)),
                            ("rand_str", bytes(m.rand_str.as_bytes())),
                            ("is_support", Value::bool(true)),
                        ]),
                    ),
                    (
                        "staker_customize_info",
                        record([
                            ("server_room", bytes(m.server_room)),
                            ("upload_net", n(m.upload_net)),
                            ("download_net", n(m.download_net)),
                            ("longitude", longitude),
                            ("latitude", latitude),
                            ("telecom_operators", list(m.operators.iter().map(|o| bytes(o.as_bytes())))),
                            ("is_bare_machine", Value::bool(m.is_bare_machine)),
                        ]),
                    ),
                ]),
            ),
            ("reward_deadline", n(1_304u32 + 365)),
        ]);
        w.set("OnlineProfile", "MachinesInfo", vec![mid(m)], info)?;
        if let Some(g) = rented_gpus.get(&i) {
            w.set("OnlineProfile", "MachineRentedGPU", vec![mid(m)], n(*g))?;
        }
    }
    w.set(
        "OnlineProfile",
        "LiveMachines",
        vec![],
        Value::named_composite(live.into_iter().map(|(k, v)| (k.to_string(), list(v)))),
    )?;

    // ---- owners ----
    let mut total_gpu = 0u64;
    let mut total_rented = 0u64;
    let mut total_calc = 0u64;
    let mut total_stake = 0u128;
    for (oi, (stash, controller)) in operators.iter().enumerate() {
        let mine = &per_owner[oi];
        let active: Vec<usize> = mine.iter().copied().filter(|i| machines[*i].status != Status::Exited).collect();
        let online: Vec<usize> = active.iter().copied().filter(|i| machines[*i].status != Status::Offline).collect();
        let gpus: u64 = online.iter().map(|i| machines[*i].gpu_num as u64).sum();
        let rented: u64 = online.iter().map(|i| rented_gpus.get(i).copied().unwrap_or(0) as u64).sum();
        let calc: u64 = online.iter().map(|i| machines[*i].calc_point).sum();
        let stake: u128 = active.iter().map(|i| STAKE_PER_GPU * machines[*i].gpu_num as u128).sum();
        total_gpu += gpus;
        total_rented += rented;
        total_calc += calc;
        total_stake += stake;
        w.set("OnlineProfile", "StashController", vec![acc(stash)], acc(controller))?;
        w.set("OnlineProfile", "ControllerStash", vec![acc(controller)], acc(stash))?;
        w.set(
            "OnlineProfile",
            "ControllerMachines",
            vec![acc(controller)],
            list(active.iter().map(|i| mid(&machines[*i]))),
        )?;
        w.set(
            "OnlineProfile",
            "StashMachines",
            vec![acc(stash)],
            record([
                ("total_machine", list(mine.iter().map(|i| mid(&machines[*i])))),
                ("online_machine", list(online.iter().map(|i| mid(&machines[*i])))),
                ("total_calc_points", n(calc)),
                ("total_gpu_num", n(gpus)),
                ("total_rented_gpu", n(rented)),
            ]),
        )?;
    }
    w.set(
        "OnlineProfile",
        "SysInfo",
        vec![],
        record([
            ("total_gpu_num", n(total_gpu)),
            ("total_rented_gpu", n(total_rented)),
            ("total_staker", n(operators.len() as u64)),
            ("total_calc_points", n(total_calc)),
            ("total_stake", n(total_stake)),
        ]),
    )?;

    // ---- rent orders ----
    let mut user_orders: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    let mut user_stake: BTreeMap<usize, u128> = BTreeMap::new();
    let mut machine_orders: BTreeMap<usize, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    let mut confirming: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
    let mut ending: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
    let mut history: BTreeMap<(usize, usize), Vec<Value>> = BTreeMap::new();
    for o in &orders {
        let m = &machines[o.machine];
        let t = &tenants[o.tenant];
        w.set(
            "RentMachine",
            "RentInfo",
            vec![n(o.rent_id)],
            record([
                ("machine_id", mid(m)),
                ("renter", acc(t)),
                ("rent_start", n(o.rent_start)),
                ("confirm_rent", n(o.confirm_rent)),
                ("rent_end", n(o.rent_end)),
                ("stake_amount", n(o.stake_amount)),
                ("rent_status", variant(if o.confirmed { "Renting" } else { "WaitingVerifying" }, [])),
                ("gpu_num", n(o.gpu_num)),
                ("gpu_index", list(o.gpu_index.iter().map(|g| n(*g)))),
            ]),
        )?;
        user_orders.entry(o.tenant).or_default().push(n(o.rent_id));
        let mo = machine_orders.entry(o.machine).or_default();
        mo.0.push(n(o.rent_id));
        mo.1.extend(o.gpu_index.iter().map(|g| n(*g)));
        ending.entry(o.rent_end).or_default().push(n(o.rent_id));
        if o.confirmed {
            history.entry((o.machine, o.tenant)).or_default().push(record([
                ("rent_id", n(o.rent_id)),
                ("rent_start", n(o.confirm_rent)),
                ("rent_end", n(o.rent_end)),
            ]));
        } else {
            confirming.entry(o.rent_start + orders::CONFIRM_WINDOW).or_default().push(n(o.rent_id));
            *user_stake.entry(o.tenant).or_default() += o.stake_amount;
        }
    }
    for (t, ids) in user_orders {
        w.set("RentMachine", "UserOrder", vec![acc(&tenants[t])], list(ids))?;
    }
    for (t, s) in user_stake {
        w.set("RentMachine", "UserTotalStake", vec![acc(&tenants[t])], n(s))?;
    }
    for (mi, (ids, used)) in machine_orders {
        w.set(
            "RentMachine",
            "MachineRentOrder",
            vec![mid(&machines[mi])],
            record([("rent_order", list(ids)), ("used_gpu", list(used))]),
        )?;
    }
    for (h, ids) in confirming {
        w.set("RentMachine", "ConfirmingOrder", vec![n(h)], list(ids))?;
    }
    for (h, ids) in ending {
        w.set("RentMachine", "RentEnding", vec![n(h)], list(ids))?;
    }
    for ((mi, t), entries) in history {
        w.set("RentMachine", "MachineRenterRentedOrders", vec![mid(&machines[mi]), acc(&tenants[t])], list(entries))?;
    }
    w.set("RentMachine", "NextRentId", vec![], n(orders.len() as u64))?;

    let count = |s: Status| machines.iter().filter(|m| m.status == s).count();
    let entries = w.into_entries();
    let summary = SeedSummary {
        machines: machines.len(),
        idle: count(Status::Idle),
        partly_rented: count(Status::PartlyRented),
        fully_rented: count(Status::FullyRented),
        offline: count(Status::Offline),
        exited: count(Status::Exited),
        orders: orders.len(),
        waiting_orders: orders.iter().filter(|o| !o.confirmed).count(),
        storage_entries: entries.len(),
        storage_bytes: entries.iter().map(|(k, v)| k.len() + v.len()).sum(),
    };
    let mut listed: Vec<PracticeAccount> = main.iter().map(|a| a.info.clone()).collect();
    listed.extend(tenants.iter().map(|a| a.info.clone()));
    Ok(Seed { entries, accounts: listed, machines, orders, summary })
}
