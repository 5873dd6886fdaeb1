//! The fault-test harness against the real practice chain: a lagging
//! endpoint (a second chopsticks forking the running chain at an older
//! block) reached through the fault-injecting proxy, then the proxy switched
//! over to the real node. Needs chopsticks (`make sandbox-deps`) and the spec.

mod common;

use dbc::chain::client::{connect, ChainClient, Timeouts};
use dbc::chain::profile::{hash_hex, parse_hash};
use dbc::chain::PRACTICE_GENESIS;
use dbc::ErrorCode;
use dbc_sandbox::fault_proxy::FaultProxy;
use dbc_sandbox::js::JsEnv;
use dbc_sandbox::lagging::start_lagging;
use dbc_sandbox::{Role, Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

fn timeouts() -> Timeouts {
    // The fork answers its first calls slowly: it fetches from the upstream.
    Timeouts { connect: Duration::from_secs(60), request: Duration::from_secs(60), ping: Duration::from_secs(15) }
}

/// Free balance at the client's best block.
async fn free_at_best(client: &ChainClient, who: &subxt::utils::AccountId32) -> u128 {
    dbc::chain::account::account_info_at_best(client, who).await.unwrap().0.free
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lagging_fork_through_the_proxy_then_the_real_node() {
    let dir = common::data_dir();
    let cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 2);
    common::with_sandbox(cfg, async |sandbox| run(sandbox, dir.path()).await).await;
}

async fn run(sandbox: &Sandbox, data_dir: &std::path::Path) {
    let practice = parse_hash(PRACTICE_GENESIS).unwrap();
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).expect("a renter account");
    let who: subxt::utils::AccountId32 = renter.address.parse().expect("renter address");

    // History: a few blocks, the fork point, a transfer after it, more blocks.
    sandbox.advance(3).await.unwrap();
    let (old, old_hash) = sandbox.chain().best().await.unwrap();
    let before = sandbox.chain().free_balance(&who).await.unwrap();
    sandbox.fund(&renter.address, 5).await.unwrap();
    sandbox.advance(2).await.unwrap();
    let (head, head_hash) = sandbox.chain().best().await.unwrap();
    assert!(head >= old + 3, "head {head}, fork point {old}");
    let after = sandbox.chain().free_balance(&who).await.unwrap();
    assert_eq!(after, before + 5 * dbc::units::DBC);

    // Heights the upstream does not hold are refused up front: a future one,
    // and one the practice chain jumped over (#1 -> the seed's base height),
    // which chopsticks would answer with the genesis hash and fork at #0.
    let js = JsEnv::locate(None).unwrap();
    let forks = data_dir.join("lagging");
    for bad in [head + 10, old - 100] {
        let t = Instant::now();
        let e = start_lagging(&js, sandbox.chain_url(), bad, &forks).await.err().expect("refused");
        assert_eq!(e.code, ErrorCode::InvalidArgument, "#{bad}: {e}");
        assert!(t.elapsed() < Duration::from_secs(5), "refused before launching");
        eprintln!("#{bad} refused: {}", e.message);
    }

    // The lagging endpoint, behind the proxy.
    let t = Instant::now();
    let lagging = start_lagging(&js, sandbox.chain_url(), old, &forks).await.expect("the fork starts");
    eprintln!("fork at #{old} ready in {:?} (head #{head}), log {}", t.elapsed(), lagging.log_path().display());
    assert_eq!(lagging.block(), old);
    assert_eq!(lagging.hash(), format!("{old_hash:?}"));
    assert!(lagging.upstream_holds_block().await.unwrap());
    let proxy = FaultProxy::start(&lagging.url()).await.unwrap();

    let t = Instant::now();
    let (client, _) = connect("practice", &proxy.url(), Some(practice), timeouts(), None)
        .await
        .unwrap_or_else(|e| panic!("the fork is accepted with the practice genesis pinned: {e} ({:?})", e.data));
    eprintln!("connected to the fork through the proxy in {:?}", t.elapsed());
    assert_eq!(hash_hex(&client.genesis_hash()), PRACTICE_GENESIS, "the fork reports the upstream's genesis");
    let (n, hash) = client.best_block().await.unwrap();
    assert_eq!((n, hash), (old, old_hash), "the fork's best block is the fork point");
    let t = Instant::now();
    assert_eq!(free_at_best(&client, &who).await, before, "the fork serves the old state");
    eprintln!("storage at the old block read in {:?}", t.elapsed());
    assert_eq!(client.runtime_at_connect().spec_version, 400);
    assert!(proxy.seen("chain_getBlockHash") >= 1);
    assert!(proxy.seen("state_getRuntimeVersion") >= 1);
    // It stays behind: Manual block building.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(client.best_block().await.unwrap().0, old);

    // Switch the proxy to the real node: new connections see the head.
    proxy.set_upstream(sandbox.chain_url());
    proxy.kill_connections();
    tokio::time::timeout(Duration::from_secs(10), client.disconnected()).await.expect("the old connection is cut");
    assert!(!client.is_connected());
    let (real, _) = connect("practice", &proxy.url(), Some(practice), timeouts(), None)
        .await
        .expect("the real node through the proxy");
    assert_eq!(real.genesis_hash(), practice);
    assert_eq!(real.best_block().await.unwrap(), (head, head_hash));
    assert_eq!(free_at_best(&real, &who).await, after);
    assert_eq!(proxy.connections(), 2);

    // Dropping the fork kills its process group.
    let pid = lagging.pid();
    assert!(!common::processes_in_group(pid).is_empty());
    drop(lagging);
    let t = Instant::now();
    while !common::processes_in_group(pid).is_empty() {
        assert!(t.elapsed() < Duration::from_secs(10), "the fork's processes are gone after drop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
