//! The rental service on a network that misbehaves, against the practice
//! chain (the real DBC runtime): a lagging endpoint (a second chopsticks
//! forked from the practice chain at an older block), sockets dropped right
//! after a transaction was submitted (the fault proxy), and a failover from a
//! dead endpoint to a live one while a VM is being created. Every case checks
//! the chain itself afterwards: one order, one confirmation, one renewal, one
//! VM — and a retry of the same command signs nothing new.

mod common;

use common::connect;

use dbc::chain::rent::{self, OrderStatus};
use dbc::chain::{account, ChainClient, ChainManager, ManagerConfig, NetworkProfile, NonceTracker};
use dbc::market::{self, MachineStatus, Market};
use dbc::rental::{self, RentalService, Stage};
use dbc::wallet::{DerivationPath, SigningKey};
use dbc::ErrorCode;
use dbc_sandbox::fault_proxy::FaultProxy;
use dbc_sandbox::js::JsEnv;
use dbc_sandbox::lagging::start_lagging;
use dbc_sandbox::Sandbox;
use std::sync::Arc;
use std::time::Duration;
use subxt::utils::AccountId32;

const SUBMIT: &str = "author_submitAndWatchExtrinsic";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_nodes_dropped_sockets_and_failover_never_lose_or_double_pay() {
    let dir = common::data_dir();
    let cfg = common::with_client_sim(&dir, 60, 6);
    common::with_sandbox(cfg, async |sandbox| run(sandbox, dir.path()).await).await;
}

async fn service(data_dir: &std::path::Path, url: &str) -> RentalService {
    RentalService::open(data_dir, connect(url).await, Arc::new(NonceTracker::new()))
        .await
        .expect("open the rental service")
}

fn idle_machines(m: &Market) -> Vec<String> {
    let mut v: Vec<&market::Machine> =
        m.machines.iter().filter(|x| x.status == MachineStatus::Idle && x.gpu_count >= 2).collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.gpu_count));
    v.into_iter().map(|x| x.id.clone()).collect()
}

async fn nonce(client: &ChainClient, who: &AccountId32) -> u32 {
    account::account_info_at_best(client, who).await.unwrap().1
}

async fn orders_on(client: &ChainClient, who: &AccountId32, machine: &str) -> Vec<rent::RentOrder> {
    rent::orders_of(client, who).await.unwrap().1.into_iter().filter(|o| o.machine_id == machine).collect()
}

async fn run(sandbox: &Sandbox, data_dir: &std::path::Path) {
    let real_url = sandbox.chain_url().to_string();
    let real = service(data_dir, &real_url).await;
    let client = real.client().clone();
    let key = SigningKey::from_seed(&rand::random::<[u8; 32]>(), &DerivationPath::root()).unwrap();
    let who = key.account_id();
    sandbox.fund(&dbc::wallet::format_address(&who), 200_000).await.expect("faucet");
    let m = market::load_all(&client).await.unwrap();
    let idle = idle_machines(&m);
    assert!(idle.len() >= 4, "four idle machines with 2+ GPUs are seeded");

    // ---- a lagging endpoint: forked before the rent, it never catches up ----
    sandbox.advance(2).await.unwrap();
    let fork_at = client.best_block().await.unwrap().0;
    sandbox.advance(1).await.unwrap();
    let placed = real.place(&key, &m, &idle[0], 1, 600, |_| {}).await.expect("place");
    assert_eq!(placed.stage, Stage::Placed);
    let js = JsEnv::locate(None).unwrap();
    let lag = start_lagging(&js, &real_url, fork_at, &data_dir.join("lagging")).await.expect("a lagging fork starts");
    let lagging = service(data_dir, &lag.url()).await;
    assert_eq!(lagging.book().path(), real.book().path(), "the same chain, the same journal");
    assert!(
        lagging.client().best_block().await.unwrap().0 < placed.order.as_ref().unwrap().rent_start,
        "the fork is behind the rent"
    );

    // After a rent: the lagging node does not show the order; nothing moves.
    let seen = lagging.sync(&who).await.unwrap();
    let r = seen.iter().find(|r| r.id == placed.id).unwrap();
    assert_eq!(r.stage, Stage::Placed, "still awaiting confirmation after a sync through a lagging node: {r:?}");
    assert_eq!(r.order, placed.order);
    // Nothing is signed on a lagging node's word.
    let nonce_before = nonce(&client, &who).await;
    assert_eq!(lagging.confirm(&key, &placed.id, |_| {}).await.unwrap_err().code, ErrorCode::NodeBehind);
    assert_eq!(nonce(&client, &who).await, nonce_before);
    // Back on the real node: confirm works.
    let confirmed = real.confirm(&key, &placed.id, |_| {}).await.expect("confirm after the lagging sync");
    assert_eq!(confirmed.stage, Stage::Renting);
    // After a confirm: still renting.
    let seen = lagging.sync(&who).await.unwrap();
    assert_eq!(seen.iter().find(|r| r.id == placed.id).unwrap().stage, Stage::Renting);
    // After a renew: the end does not move back.
    let renewed = real.renew(&key, &m, &placed.id, 300, |_| {}).await.expect("renew");
    let end = renewed.rental.order.as_ref().unwrap().rent_end;
    let seen = lagging.sync(&who).await.unwrap();
    let r = seen.iter().find(|r| r.id == placed.id).unwrap();
    assert_eq!((r.stage, r.order.as_ref().unwrap().rent_end), (Stage::Renting, end));
    assert_eq!(real.sync(&who).await.unwrap().iter().find(|r| r.id == placed.id).unwrap().stage, Stage::Renting);
    drop(lagging);
    drop(lag);

    // ---- the socket dropped right after submitting: rent ----
    let proxy = FaultProxy::start(&real_url).await.unwrap();
    let nonce_before = nonce(&client, &who).await;
    let cut = service(data_dir, &proxy.url()).await;
    proxy.drop_after(SUBMIT);
    let e = cut.place(&key, &m, &idle[1], 1, 600, |_| {}).await.expect_err("the answer is lost");
    assert!(matches!(e.code, ErrorCode::TxUnknown | ErrorCode::ChainRpc), "{e:?}");
    let journaled = real.book().all().into_iter().find(|r| r.machine_id == idle[1]).expect("journaled before sending");
    assert_eq!(journaled.stage, Stage::Placing, "undecided stays undecided: {journaled:?}");
    // The same command again (on a working connection): it finds the order, signs nothing.
    let again = real.place(&key, &m, &idle[1], 1, 600, |_| {}).await.expect("the retry finds the rent that landed");
    assert_eq!((again.id.as_str(), again.stage), (journaled.id.as_str(), Stage::Placed));
    assert_eq!(orders_on(&client, &who, &idle[1]).await.len(), 1, "one order");
    assert_eq!(nonce(&client, &who).await, nonce_before + 1, "one transaction signed for one intent");

    // ---- confirm ----
    let cut = service(data_dir, &proxy.url()).await;
    proxy.drop_after(SUBMIT);
    let nonce_before = nonce(&client, &who).await;
    cut.confirm(&key, &again.id, |_| {}).await.expect_err("the answer is lost");
    assert_eq!(real.book().get(&again.id).unwrap().stage, Stage::Confirming);
    let confirmed = real.confirm(&key, &again.id, |_| {}).await.expect("the retry settles the confirmation");
    assert_eq!(confirmed.stage, Stage::Renting);
    let order = rent::order(&client, again.rent_id().unwrap()).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Renting);
    assert_eq!(nonce(&client, &who).await, nonce_before + 1, "confirmed once, signed once");

    // ---- renew ----
    let cut = service(data_dir, &proxy.url()).await;
    proxy.drop_after(SUBMIT);
    let nonce_before = nonce(&client, &who).await;
    let end_before = order.rent_end;
    cut.renew(&key, &m, &again.id, 300, |_| {}).await.expect_err("the answer is lost");
    let renewed = real.renew(&key, &m, &again.id, 300, |_| {}).await.expect("the retry settles the renewal");
    assert_eq!(renewed.added_blocks, 300);
    assert_eq!(
        rent::order(&client, again.rent_id().unwrap()).await.unwrap().unwrap().rent_end,
        end_before + 300,
        "renewed once"
    );
    assert_eq!(nonce(&client, &who).await, nonce_before + 1, "renewed once, signed once");
    drop(proxy);

    // ---- failover from a dead endpoint to a live one while the VM is created ----
    let dead = FaultProxy::start(&real_url).await.unwrap();
    let live = FaultProxy::start(&real_url).await.unwrap();
    let profile =
        NetworkProfile { network: "practice".into(), endpoints: vec![dead.url(), live.url()], expected_genesis: None };
    let manager = ChainManager::start(profile, ManagerConfig::default());
    let first = manager.wait_connected(Duration::from_secs(30)).await.expect("connected");
    assert_eq!(first.endpoint(), dead.url(), "starts on the first endpoint");
    let svc = RentalService::open(data_dir, first, Arc::new(NonceTracker::new())).await.unwrap();
    let vm_rental = svc.place(&key, &m, &idle[2], 1, 600, |_| {}).await.expect("place for the VM");
    let compute = dbc::compute::ComputeClient::new(sandbox.client_url().expect("the simulator runs")).unwrap();
    let opts = rental::VmOptions {
        poll: dbc::compute::PollOptions { interval: Duration::from_secs(1), ..Default::default() },
        ..Default::default()
    };
    let mut polls = 0u32;
    let create = rental::create_vm(svc.book(), &vm_rental.id, &compute, key.clone(), None, &opts, |e| {
        if matches!(e, rental::VmEvent::Poll(_)) {
            polls += 1;
            if polls == 2 {
                // The first endpoint dies mid-poll: it points at a closed port and drops its sockets.
                dead.set_upstream("ws://127.0.0.1:9");
                dead.kill_connections();
            }
        }
    });
    let (created, detail) = create.await.expect("the VM is created despite the failover");
    assert_eq!(created.stage, Stage::VmReady);
    assert!(polls >= 2, "the failover happened while polling ({polls} polls)");
    let failed_over = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Some(c) = manager.client().filter(|c| c.endpoint() == live.url()) {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the manager fails over to the live endpoint");
    let after = RentalService::open(data_dir, failed_over, Arc::new(NonceTracker::new())).await.unwrap();
    let list = after.sync(&who).await.expect("sync through the live endpoint");
    let r = list.iter().find(|r| r.id == vm_rental.id).unwrap();
    assert_eq!(
        (r.stage, r.vm.as_ref().unwrap().task_id.as_str()),
        (Stage::VmReady, detail.task_id.as_str()),
        "the flow goes on"
    );
    let machine = compute.rented(&idle[2], dbc::compute::Auth::new(key.clone(), r.rent_id().unwrap())).unwrap();
    assert_eq!(machine.tasks().await.unwrap().len(), 1, "one VM");
    manager.shutdown();
}
