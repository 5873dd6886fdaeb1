//! The app's market service against a real practice chain (the DBC runtime
//! under chopsticks, 60 seeded machines): on connecting it reads the chain and
//! publishes the list, saves it, and on the next start shows the saved list
//! first (marked `cache`) before the chain's; quotes check and price like the
//! chain; switching network drops the old chain's list. Needs chopsticks
//! (`make sandbox-deps`) and the chain spec; without them it fails.

use dbc::market::{cache, MachineStatus};
use dbc::network::NetworkChoice;
use dbc::settings::Settings;
use dbc_rent_app::market::{MarketService, Published, Source};
use dbc_rent_app::network::NetworkService;
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(90);

/// The next published value that `pred` accepts.
async fn next_where(
    rx: &mut watch::Receiver<Option<Arc<Published>>>,
    what: &str,
    pred: impl Fn(&Option<Arc<Published>>) -> bool,
) -> Option<Arc<Published>> {
    tokio::time::timeout(WAIT, async {
        loop {
            {
                let v = rx.borrow_and_update();
                if pred(&v) {
                    return v.clone();
                }
            }
            rx.changed().await.expect("the service is alive");
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
}

fn practice() -> Settings {
    Settings { network: NetworkChoice::Practice, ..Settings::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_cache_then_chain_quotes_and_forgets_on_switch() {
    dbc_sandbox::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::chain_only(dir.path().to_path_buf(), 60)).await.unwrap_or_else(|e| {
        panic!("practice network unavailable (run `make sandbox-deps`): {} ({})", e.message, e.code)
    });
    let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(run(dir.path()))).await;
    sandbox.stop().await.expect("stop sandbox");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn run(data: &std::path::Path) {
    // ---- first start: nothing saved, the chain's list is the first one ----
    let network = NetworkService::new(data.to_path_buf(), &NetworkChoice::Practice);
    let service = MarketService::new(data.to_path_buf());
    let mut rx = service.subscribe();
    let watcher = tokio::spawn(service.clone().watch_network(network.clone()));
    network.connect(&practice()).await.expect("connect to the practice chain");
    let first = next_where(&mut rx, "list", Option::is_some).await.unwrap();
    assert_eq!(first.source, Source::Chain, "no cache yet: the first list is the chain's");
    assert_eq!(first.market.machines.len(), 60);
    let genesis = network.status().genesis_hash.expect("connected: genesis known");
    assert_eq!(first.genesis, genesis);
    let v: serde_json::Value = serde_json::from_str(&first.json).unwrap();
    assert_eq!((v["source"].as_str(), v["rows"].as_array().map(Vec::len)), (Some("chain"), Some(60)));
    assert_eq!(v["counters"]["machines"], 60);

    // Saved for the next start (in the background: wait for it).
    let path = cache::cache_path(data, &genesis);
    let saved = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(Some(c)) = cache::load(&path) {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the cache is written");
    assert_eq!(saved.market.machines, first.market.machines);

    // ---- quotes: checked like the chain, priced like the chain, with a tx fee ----
    let idle = first
        .market
        .machines
        .iter()
        .find(|m| m.status == MachineStatus::Idle && m.free_gpus >= 2)
        .expect("an idle machine");
    let (q, at) = service.quote(&network, &idle.id, 2, 900).await.expect("quote");
    let expected = first.market.quote(&idle.id, 2, 900).unwrap();
    assert_eq!((q.rent, q.order_fee, q.blocks), (expected.rent, 10 * dbc::units::DBC, 900));
    assert!(q.tx_fee_estimate > 0 && q.tx_fee_estimate < dbc::units::DBC / 100, "{}", q.tx_fee_estimate);
    assert_eq!(at, first.market.block_number);
    let offline =
        first.market.machines.iter().find(|m| m.status == MachineStatus::Offline).expect("an offline machine");
    assert_eq!(service.quote(&network, &offline.id, 1, 600).await.unwrap_err().code, dbc::ErrorCode::NotRentable);
    watcher.abort();
    drop(service);

    // ---- next start: the saved list at once, marked cache, then the chain's ----
    let network2 = NetworkService::new(data.to_path_buf(), &NetworkChoice::Practice);
    let service2 = MarketService::new(data.to_path_buf());
    let mut rx2 = service2.subscribe();
    let watcher2 = tokio::spawn(service2.clone().watch_network(network2.clone()));
    network2.connect(&practice()).await.expect("connect again");
    let cached = next_where(&mut rx2, "cached list", Option::is_some).await.unwrap();
    assert_eq!(cached.source, Source::Cache);
    let v: serde_json::Value = serde_json::from_str(&cached.json).unwrap();
    assert_eq!(v["savedAt"], saved.saved_at);
    assert_eq!(v["rows"].as_array().unwrap().len(), 60);
    let fresh =
        next_where(&mut rx2, "chain list", |p| p.as_ref().is_some_and(|p| p.source == Source::Chain)).await.unwrap();
    assert_eq!(fresh.market.machines.len(), 60);

    // ---- another network: the practice list is dropped at once ----
    network2
        .connect(&Settings { network: NetworkChoice::Mainnet, ..Settings::default() })
        .await
        .expect("switching is not an error");
    next_where(&mut rx2, "the list dropped", Option::is_none).await;
    watcher2.abort();
}
