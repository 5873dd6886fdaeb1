//! The market core against the practice chain: `dbc::market::load_all` reads
//! the 60 seeded machines in every status, free GPUs agree with
//! `MachineRentedGPU`, and a real `rent_machine` reserves exactly the quoted
//! rent (the `RentMachine.Rent` event), to the planck. Needs chopsticks
//! (`make sandbox-deps`) and the chain spec; without them it fails.

mod common;

use codec::Decode;
use dbc::market::{self, MachineStatus};
use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig};
use std::collections::BTreeMap;
use subxt::dynamic::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_the_market_and_rents_at_the_quoted_price() {
    let dir = common::data_dir();
    let cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 60);
    assert_eq!(cfg.seed.machines, 60);
    common::with_sandbox(cfg, run).await;
}

async fn run(sandbox: &Sandbox) {
    let client = common::connect(sandbox.chain_url()).await;
    let summary = sandbox.summary().clone();
    let t = std::time::Instant::now();
    let m = market::load_all(&client).await.expect("load_all");
    eprintln!("loaded {} machines at #{} in {:?}", m.machines.len(), m.block_number, t.elapsed());

    // ---- every machine decodes, every status is there ----
    assert_eq!(m.machines.len(), 60);
    let mut by_status: BTreeMap<MachineStatus, usize> = BTreeMap::new();
    for x in &m.machines {
        assert_eq!(x.id.len(), 64, "{}", x.id);
        assert!(x.gpu_count > 0 && !x.gpu_model.is_empty() && x.calc_point > 0, "{x:?}");
        assert!(x.cpu_model.is_some() && x.ram_gb.is_some() && x.longitude.is_some(), "{x:?}");
        *by_status.entry(x.status).or_default() += 1;
    }
    eprintln!("{by_status:?}");
    let n = |s| by_status.get(&s).copied().unwrap_or(0);
    assert_eq!(n(MachineStatus::Idle), summary.idle);
    assert_eq!(n(MachineStatus::PartlyRented), summary.partly_rented);
    assert_eq!(n(MachineStatus::Rented), summary.fully_rented);
    assert_eq!(n(MachineStatus::Offline), summary.offline);
    assert_eq!(n(MachineStatus::Exited), summary.exited);
    assert_eq!(n(MachineStatus::Other), 0, "the seed plans no other status");
    assert!(m.machines.iter().filter(|x| x.status == MachineStatus::Exited).all(|x| x.status_raw == "Exit"));
    assert!(m.machines.iter().any(|x| x.is_bare_machine.is_some()));
    assert_eq!(m.spec_version, 400);
    assert_eq!(m.machines.iter().find(|x| x.extra_price_per_gpu.is_some()), None, "spec 400 has no MachineExtraPrice");

    // ---- free GPUs agree with MachineRentedGPU, read independently ----
    let at = sandbox.chain().at_best().await.unwrap();
    let addr = subxt::dynamic::storage::<(Vec<u8>,), u32>("OnlineProfile", "MachineRentedGPU");
    for x in &m.machines {
        let rented: u32 =
            at.storage().fetch(addr.clone(), (x.id.as_bytes().to_vec(),)).await.unwrap().decode().unwrap();
        assert_eq!(x.rented_gpus, rented, "{}", x.id);
        // Free means rentable now: none on an offline or exited machine.
        let free = if x.status.rentable_status() { x.gpu_count - rented } else { 0 };
        assert_eq!(x.free_gpus, free, "{}", x.id);
        assert_eq!(x.rented_until.is_some(), rented > 0, "live orders <=> rented GPUs: {}", x.id);
    }
    drop(at);

    // ---- pricing parameters as seeded ----
    let p = m.params;
    let std = p.standard.expect("StandardGPUPointPrice");
    assert_eq!(
        (std.gpu_point, std.gpu_price),
        (dbc_sandbox::seed::pricing::GPU_POINT, dbc_sandbox::seed::pricing::GPU_PRICE)
    );
    assert_eq!(p.avg_price, Some(dbc_sandbox::seed::pricing::AVG_PRICE));
    assert_eq!(p.fixed_tx_fee, Some(dbc_sandbox::seed::pricing::FIXED_TX_FEE));
    assert_eq!(p.max_rental_days, 60);

    // ---- rent an idle machine; the chain reserves exactly our quote ----
    let idle = m
        .machines
        .iter()
        .filter(|x| x.status == MachineStatus::Idle && x.gpu_count >= 2)
        .max_by_key(|x| x.calc_point)
        .expect("an idle machine with 2+ GPUs");
    let (gpus, blocks) = (idle.gpu_count - 1, 900);
    let quote = m.quote(&idle.id, gpus, blocks).expect("quote");
    assert_eq!(m.quote(&idle.id, idle.gpu_count + 1, blocks).unwrap_err().code, dbc::ErrorCode::NotEnoughGpus);
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).expect("a renter account");
    let key = keypair_from_uri(&renter.uri);
    let call = subxt::dynamic::tx(
        "RentMachine",
        "rent_machine",
        (Value::from_bytes(idle.id.as_bytes()), Value::u128(gpus.into()), Value::u128(blocks.into())),
    );
    let at = sandbox.chain().at_best().await.unwrap();
    let progress = at.tx().sign_and_submit_then_watch_default(&call, &key).await.expect("submit");
    let events = progress.wait_for_finalized_success().await.expect("rent_machine succeeds");
    let mut rent = None;
    for ev in events.iter() {
        let ev = ev.unwrap();
        if (ev.pallet_name(), ev.event_name()) == ("RentMachine", "Rent") {
            // Rent(rent_id, renter, machine_id, rent_gpu_num, duration, rent_fee)
            type Fields = (u64, [u8; 32], Vec<u8>, u32, u32, u128);
            rent = Some(Fields::decode(&mut ev.field_bytes()).expect("Rent fields"));
        }
    }
    let (_, who, mid, got_gpus, got_blocks, reserved) = rent.expect("a RentMachine.Rent event");
    assert_eq!(who, key.public_key().0);
    assert_eq!(mid, idle.id.as_bytes());
    assert_eq!((got_gpus, got_blocks), (gpus, quote.blocks));
    assert_eq!(reserved, quote.rent, "reserved rent equals the quote to the planck");
    eprintln!("rented {gpus} GPU(s) of {} for {blocks} blocks: {} DBC", idle.id, dbc::units::format_dbc(reserved));

    // ---- and the market sees it ----
    let after = market::load_all(&client).await.unwrap();
    let x = after.machine(&idle.id).unwrap();
    assert_eq!((x.status, x.free_gpus, x.rented_gpus), (MachineStatus::PartlyRented, 1, gpus));
    assert!(x.rented_until.is_some());
}
