//! Live refresh of the market against the practice chain: a real
//! `rent_machine` is reported by `changes_in` as that machine, `refresh` and
//! `follow` re-read only it (its free GPUs drop), and the orders the rent
//! pallet settles silently in `on_finalize` (unconfirmed orders expiring,
//! rentals ending) are picked up block by block, so that after ~160 blocks
//! the followed market equals a full load at the same block.
//!
//! "Only it" is proven with a planted difference: one exited machine is
//! altered in the market handed to `refresh`/`follow`. A full reload would
//! restore it; an incremental one leaves it alone.
//! Needs chopsticks (`make sandbox-deps`) and the chain spec.

mod common;

use dbc::market::{self, Change, MachineStatus, Market};
use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig};
use std::collections::BTreeSet;
use std::time::Duration;
use subxt::dynamic::Value;
use tokio::sync::mpsc;

const PLANTED: &str = "planted-by-the-test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_rents_and_silent_expiries_without_full_reloads() {
    let dir = common::data_dir();
    common::with_sandbox(SandboxConfig::chain_only(dir.path().to_path_buf(), 60), run).await;
}

/// `m` with one exited machine's GPU model changed locally; returns its id.
fn plant(m: &mut Market) -> String {
    let x = m.machines.iter_mut().find(|x| x.status_raw == "Exit").expect("an exited machine");
    x.gpu_model = PLANTED.into();
    x.id.clone()
}

/// Rent `gpus` GPUs of `id` for 900 blocks as the first renter; the block hash.
async fn rent(sandbox: &Sandbox, id: &str, gpus: u32) -> subxt::config::substrate::H256 {
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).expect("a renter account");
    let key = keypair_from_uri(&renter.uri);
    let call = subxt::dynamic::tx(
        "RentMachine",
        "rent_machine",
        (Value::from_bytes(id.as_bytes()), Value::u128(gpus.into()), Value::u128(900)),
    );
    let at = sandbox.chain().at_best().await.unwrap();
    let progress = at.tx().sign_and_submit_then_watch_default(&call, &key).await.expect("submit");
    let in_block = progress.wait_for_finalized().await.expect("in a block");
    in_block.wait_for_success().await.expect("rent_machine succeeds");
    in_block.block_hash()
}

/// The next market `follow` reports that satisfies `done` (a hang guard, not a speed check).
async fn next_update(rx: &mut mpsc::UnboundedReceiver<Market>, done: impl Fn(&Market) -> bool) -> Market {
    let wait = async {
        loop {
            let m = rx.recv().await.expect("follow stopped");
            if done(&m) {
                return m;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(300), wait).await.expect("follow reported the change")
}

async fn run(sandbox: &Sandbox) {
    let client = common::connect(sandbox.chain_url()).await;
    let m0 = market::load_all(&client).await.expect("load_all");
    let mut start = m0.clone();
    let planted = plant(&mut start);

    // Machines with an order the pallet will settle silently within 160 blocks:
    // unconfirmed orders (deadline rent_start + 150) and order 0 (ends within 100).
    let mut idle = m0.machines.iter().filter(|x| x.status == MachineStatus::Idle && x.gpu_count >= 2);
    let (a, b) = (idle.next().expect("an idle machine").clone(), idle.next().expect("a second idle machine").clone());

    // A second follower that rescans at every block: its first update is a
    // full read, which puts the planted machine back.
    let (rescan_tx, mut rescan_rx) = mpsc::unbounded_channel();
    let rescanner = tokio::spawn(market::follow(client.clone(), start.clone(), Duration::ZERO, move |m: &Market| {
        let _ = rescan_tx.send(m.clone());
    }));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let follower =
        tokio::spawn(market::follow(client.clone(), start.clone(), Duration::from_secs(3600), move |m: &Market| {
            let _ = tx.send(m.clone());
        }));

    // ---- one rent: the events name that machine ----
    let hash = rent(sandbox, &a.id, a.gpu_count - 1).await;
    let events = client.api().at_block(hash).await.unwrap().events().fetch().await.unwrap();
    assert_eq!(market::changes_in(&events), Change::Machines(BTreeSet::from([a.id.clone()])));

    // ---- refresh re-reads just that machine ----
    let mut refreshed = start.clone();
    market::refresh(&client, &mut refreshed, &Change::Machines(BTreeSet::from([a.id.clone()]))).await.unwrap();
    let full = market::load_all(&client).await.unwrap();
    assert_eq!(refreshed.block_hash, format!("0x{}", hex::encode(hash.0)));
    assert_eq!(refreshed.block_hash, full.block_hash);
    assert_eq!(refreshed.machine(&a.id), full.machine(&a.id));
    let got = refreshed.machine(&a.id).unwrap();
    assert_eq!((got.status, got.free_gpus, got.rented_gpus), (MachineStatus::PartlyRented, 1, a.gpu_count - 1));
    assert!(got.rented_until.is_some());
    assert_eq!(refreshed.machine(&planted).unwrap().gpu_model, PLANTED);

    // ---- follow sees it too ----
    let seen = next_update(&mut rx, |m| m.machine(&a.id).unwrap().free_gpus == 1).await;
    assert_eq!(seen.machine(&a.id), full.machine(&a.id));
    assert_eq!(seen.machine(&planted).unwrap().gpu_model, PLANTED, "not a full reload");

    let rescanned = next_update(&mut rescan_rx, |m| m.machine(&a.id).unwrap().free_gpus == 1).await;
    assert_ne!(rescanned.machine(&planted).unwrap().gpu_model, PLANTED, "a rescan reads everything");
    assert_eq!(rescanned.machines, full.machines);
    rescanner.abort();

    // ---- silent settlements: expiring orders, ending rentals ----
    let report = sandbox.advance(160).await.expect("advance");
    eprintln!("advanced {report:?}");
    // A last rent gives an update at a known block after all of them.
    let last = rent(sandbox, &b.id, 1).await;
    let fin = next_update(&mut rx, |m| m.machine(&b.id).unwrap().rented_gpus == 1).await;
    assert_eq!(fin.block_hash, format!("0x{}", hex::encode(last.0)));
    let full = market::load_all(&client).await.unwrap();
    assert_eq!(full.block_hash, fin.block_hash);
    assert_eq!(fin.machine(&planted).unwrap().gpu_model, PLANTED, "not a full reload");
    let mut settled = 0;
    for (x, y) in full.machines.iter().zip(&fin.machines) {
        if x.id == planted {
            continue;
        }
        assert_eq!(x, y, "followed = loaded for {}", x.id);
        let before = m0.machine(&x.id).unwrap();
        if x.id != a.id && x.id != b.id && x.rented_gpus < before.rented_gpus {
            settled += 1;
        }
    }
    assert_eq!(full.machines.len(), fin.machines.len());
    // The A order was never confirmed: its deadline passed too.
    assert_eq!(fin.machine(&a.id).unwrap().rented_gpus, 0);
    assert!(settled > 0, "some seeded orders expired or ended silently");
    eprintln!("{settled} machines freed by orders settled in hooks");

    follower.abort();
}
