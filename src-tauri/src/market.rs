//! The machine list the app shows, kept current: when the network becomes
//! connected, the list saved for that chain is published at once (`cache`),
//! then the whole market is read from the chain (`chain`), saved, and
//! followed block by block. A reconnect or a network switch starts it over.
//! Orchestration only: loading, caching, following and pricing live in
//! `dbc::market`.
//!
//! Each published list is serialized to JSON once, here, and the same text
//! goes to the `market-updated` event and to `market_snapshot`: with 10,000
//! machines that is a few MB, too much to build again per request.

use crate::network::NetworkService;
use dbc::market::{self, cache, filter, Listing, MachinePrice, Market, PricingParams, Quote};
use dbc::network::ConnectionState;
use dbc::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The event that carries every published list (or `null` when the list of
/// the previous network no longer applies).
pub const MARKET_UPDATED_EVENT: &str = "market-updated";

/// Wait after a failed read before trying again (doubling up to the max).
const RETRY_FIRST: Duration = Duration::from_secs(2);
const RETRY_MAX: Duration = Duration::from_secs(60);
/// Live updates rewrite the disk cache at most this often (a full write of
/// 10,000 machines per block would be wasted work).
const SAVE_EVERY: Duration = Duration::from_secs(5 * 60);

/// Where a published list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[derive(ts_rs::TS)]
pub enum Source {
    /// The copy saved on disk, shown until the chain has been read.
    Cache,
    /// Read from the chain in this session (and kept current).
    Chain,
}

/// One published list: the market itself (quotes use it) and its JSON.
#[derive(Debug)]
pub struct Published {
    pub market: Arc<Market>,
    pub source: Source,
    /// The chain it belongs to (`0x…`).
    pub genesis: String,
    /// The `market-updated` / `market_snapshot` payload.
    pub json: String,
}

/// The snapshot as the webview gets it (camelCase; planck as strings).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
#[ts(rename = "MarketSnapshot")]
pub(crate) struct SnapshotOut<'a> {
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    saved_at: Option<u64>,
    block_number: u32,
    spec_version: u32,
    params: &'a PricingParams,
    /// Every machine with its price, in id order (the webview filters and sorts).
    rows: Vec<Listing<'a>>,
    /// Over every row.
    counters: filter::Counters,
}

/// The JSON of a published list.
pub fn snapshot_json(market: &Market, source: Source, saved_at: Option<u64>) -> String {
    let rows: Vec<Listing> = market
        .machines
        .iter()
        .map(|m| Listing {
            machine: m,
            price: MachinePrice::compute(&market.params, m.calc_point, m.gpu_count, m.extra_price_per_gpu),
        })
        .collect();
    let out = SnapshotOut {
        source,
        saved_at,
        block_number: market.block_number,
        spec_version: market.spec_version,
        params: &market.params,
        counters: filter::counters(&rows),
        rows,
    };
    // Plain data with string keys: serializing cannot fail.
    serde_json::to_string(&out).unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialize the market snapshot");
        "null".into()
    })
}

pub struct MarketService {
    data_dir: PathBuf,
    latest: watch::Sender<Option<Arc<Published>>>,
    /// The pipeline for the current connection.
    task: Mutex<Option<JoinHandle<()>>>,
}

impl MarketService {
    pub fn new(data_dir: PathBuf) -> Arc<Self> {
        let (latest, _) = watch::channel(None);
        Arc::new(MarketService { data_dir, latest, task: Mutex::new(None) })
    }

    /// The latest published list, if any.
    pub fn latest(&self) -> Option<Arc<Published>> {
        self.latest.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<Published>>> {
        self.latest.subscribe()
    }

    /// Publish `market` of chain `genesis` (serialized here, once).
    pub fn publish(&self, market: Market, source: Source, saved_at: Option<u64>, genesis: &str) {
        let json = snapshot_json(&market, source, saved_at);
        tracing::debug!(
            machines = market.machines.len(),
            block = market.block_number,
            ?source,
            bytes = json.len(),
            "market published"
        );
        self.latest.send_replace(Some(Arc::new(Published {
            market: Arc::new(market),
            source,
            genesis: genesis.to_string(),
            json,
        })));
    }

    /// The list no longer applies (another network): publish `null`.
    /// `<data>/cache/market-last.json`: the genesis of the chain each network
    /// kind last showed, so the next start paints that chain's cached list
    /// before the connection is even made.
    fn last_chain_path(&self) -> PathBuf {
        self.data_dir.join("cache").join("market-last.json")
    }

    fn remember_chain(&self, network: &str, genesis: &str) {
        let path = self.last_chain_path();
        let mut map: serde_json::Map<String, serde_json::Value> =
            std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        if map.get(network).and_then(|v| v.as_str()) == Some(genesis) {
            return;
        }
        map.insert(network.to_string(), genesis.into());
        let write = path
            .parent()
            .map_or(Ok(()), dbc::paths::ensure_private_dir)
            .and_then(|()| dbc::paths::write_atomic(&path, serde_json::Value::Object(map).to_string().as_bytes()));
        if let Err(e) = write {
            tracing::warn!(error = %e, "cannot remember the market's chain");
        }
    }

    /// Publish the cached list of the chain `network` (a kind: mainnet,
    /// practice, custom) showed last time, if any: the first paint does not
    /// wait for the connection. A connection to another chain replaces it.
    pub fn preload(&self, network: &str) {
        let genesis = std::fs::read(self.last_chain_path())
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|m| m.get(network).and_then(|v| v.as_str()).map(str::to_string));
        let Some(genesis) = genesis else { return };
        match cache::load(&cache::cache_path(&self.data_dir, &genesis)) {
            Ok(Some(c)) if self.latest().is_none() => self.publish(c.market, Source::Cache, Some(c.saved_at), &genesis),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the market cache"),
        }
    }

    fn clear(&self) {
        if self.latest.borrow().is_some() {
            self.latest.send_replace(None);
        }
    }

    fn stop_pipeline(&self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }

    /// Follow the network's status for the life of the app: (re)start the
    /// pipeline on every connection, stop it on a disconnect, and drop the
    /// list when the network is another chain.
    pub async fn watch_network(self: Arc<Self>, network: Arc<NetworkService>) {
        // Whether this ends or is aborted, the pipeline goes with it.
        let _stop = StopOnDrop(self.clone());
        let mut rx = network.subscribe();
        let mut was_connected = false;
        // The network kind and genesis of the list being shown.
        let mut shown: Option<(String, String)> = None;
        loop {
            let status = rx.borrow_and_update().clone();
            let connected = status.state == ConnectionState::Connected;
            match (connected, status.genesis_hash.clone()) {
                (true, Some(genesis)) => {
                    let key = (status.network.clone(), genesis.clone());
                    if !was_connected || shown.as_ref() != Some(&key) {
                        self.stop_pipeline();
                        if shown.as_ref().is_some_and(|(_, g)| *g != genesis) {
                            self.clear();
                        }
                        shown = Some(key);
                        let me = self.clone();
                        let net = network.clone();
                        *self.task.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(tokio::spawn(async move { me.pipeline(net, genesis).await }));
                    }
                }
                _ => {
                    if was_connected {
                        // Reconnecting: the pipeline would only fail; it starts over once connected.
                        self.stop_pipeline();
                    }
                    if shown.as_ref().is_some_and(|(kind, _)| *kind != status.network) {
                        // Switched network: the old chain's machines must not show meanwhile.
                        self.clear();
                        shown = None;
                    }
                }
            }
            was_connected = connected;
            if rx.changed().await.is_err() {
                break;
            }
        }
    }

    /// Cache, then chain, then follow; a failed read is retried with backoff
    /// for as long as this connection lasts (the watcher aborts it otherwise).
    async fn pipeline(self: Arc<Self>, network: Arc<NetworkService>, genesis: String) {
        let path = cache::cache_path(&self.data_dir, &genesis);
        let have_this_chain = self.latest().is_some_and(|p| p.genesis == genesis);
        if !have_this_chain {
            // A preloaded list of another chain must not stay on screen.
            self.clear();
            self.publish_cache(&path, &genesis).await;
        }
        self.remember_chain(&network.status().network, &genesis);
        let mut wait = RETRY_FIRST;
        loop {
            match self.load_and_follow(&network, &path, &genesis).await {
                Ok(()) => wait = RETRY_FIRST,
                Err(e) => tracing::warn!(error = %e, retry_in = ?wait, "reading the market failed"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RETRY_MAX);
        }
    }

    async fn publish_cache(&self, path: &Path, genesis: &str) {
        let p = path.to_path_buf();
        match tokio::task::spawn_blocking(move || cache::load(&p)).await {
            Ok(Ok(Some(c))) => {
                // The chain may have answered first (a slow disk): never go back to the cache.
                if self.latest().is_some_and(|p| p.source == Source::Chain && p.genesis == genesis) {
                    return;
                }
                self.publish(c.market, Source::Cache, Some(c.saved_at), genesis);
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot read the market cache"),
            Err(e) => tracing::warn!(error = %e, "reading the market cache failed"),
        }
    }

    /// Check and price an order at the chain's current prices, with the
    /// transaction fee estimate; returns the quote and the block it used.
    /// The list being shown answers unknown ids and busy GPUs before any
    /// network round trip; a list from the cache is only that first check,
    /// the chain is read when nothing fresher exists.
    pub async fn quote(
        &self,
        network: &NetworkService,
        machine_id: &str,
        gpus: u32,
        blocks: u32,
    ) -> Result<(Quote, u32)> {
        let shown = self.latest();
        if let Some(p) = &shown {
            p.market.quote(machine_id, gpus, blocks)?;
        }
        let (client, _) = network.client().await?;
        let mk = self.for_pricing(&client).await?;
        let quote = mk.quote(machine_id, gpus, blocks)?;
        let call = market::rent_machine_call(machine_id, gpus, blocks);
        let fee = dbc::chain::tx::estimate_fee(&client, &dbc::wallet::SigningKey::fee_estimator(), &call).await?;
        Ok((quote.with_tx_fee(fee), mk.block_number))
    }

    /// The market to price an order with: the followed list (current to
    /// the last block event), else a fresh read of the chain.
    pub async fn for_pricing(&self, client: &dbc::chain::ChainClient) -> Result<Arc<Market>> {
        match self.latest() {
            Some(p) if p.source == Source::Chain => Ok(p.market.clone()),
            _ => Ok(Arc::new(market::load_all(client).await?)),
        }
    }

    async fn load_and_follow(&self, network: &NetworkService, path: &Path, genesis: &str) -> Result<()> {
        let (client, _) = network.client().await?;
        let market = market::load_all(&client).await?;
        save_in_background(path, &market);
        self.publish(market.clone(), Source::Chain, None, genesis);
        let mut last_save = Instant::now();
        market::follow(client, market, market::DEFAULT_RESCAN_EVERY, |m| {
            self.publish(m.clone(), Source::Chain, None, genesis);
            if last_save.elapsed() >= SAVE_EVERY {
                last_save = Instant::now();
                save_in_background(path, m);
            }
        })
        .await
    }
}

struct StopOnDrop(Arc<MarketService>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop_pipeline();
    }
}

/// Keep the list current for the life of the app, and push every published
/// list to the webview as `market-updated` (the JSON made at publishing).
pub fn start_background<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    let state = app.state::<crate::AppState>();
    let (service, network) = (state.market.clone(), state.network.clone());
    // Subscribed before the preload starts, so its list is emitted too.
    let mut rx = state.market.subscribe();
    // Off the main thread: reading and re-serializing the cache must not hold
    // up the window or the first IPC calls.
    let kind = state.settings().network.kind();
    let preloader = service.clone();
    let preload = tauri::async_runtime::spawn_blocking(move || preloader.preload(kind));
    tauri::async_runtime::spawn(async move {
        // The connection's own pipeline starts after the preload, so a slow
        // disk never puts the cached list over the chain's.
        if let Err(e) = preload.await {
            tracing::warn!(error = %e, "preloading the cached market failed");
        }
        service.watch_network(network).await;
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while rx.changed().await.is_ok() {
            let payload = rx.borrow_and_update().as_ref().map_or_else(|| "null".to_string(), |p| p.json.clone());
            if let Err(e) = handle.emit_str(MARKET_UPDATED_EVENT, payload) {
                tracing::warn!(error = %e, "cannot emit the market");
            }
        }
    });
}

/// Write the cache off the async runtime; a failure is only logged (the cache
/// is a convenience).
fn save_in_background(path: &Path, market: &Market) {
    let (path, market) = (path.to_path_buf(), market.clone());
    tokio::task::spawn_blocking(move || {
        if let Err(e) = cache::save(&path, &market) {
            tracing::warn!(error = %e, "cannot save the market cache");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbc::market::{Machine, MachineStatus, StandardGpuPointPrice};

    /// A market of `n` machines shaped like mainnet ones (every field set).
    pub(crate) fn market(n: usize) -> Market {
        let machines = (0..n)
            .map(|i| {
                let gpus = [1u32, 2, 4, 8][i % 4];
                let free = if i % 3 == 0 { 0 } else { gpus };
                Machine {
                    id: format!("{:064x}", i * 7919),
                    status: if free == 0 { MachineStatus::Rented } else { MachineStatus::Idle },
                    status_raw: if free == 0 { "Rented" } else { "Online" }.into(),
                    gpu_model: ["GeForceRTX4090", "GeForceRTX3090", "NVIDIA A100"][i % 3].into(),
                    gpu_count: gpus,
                    rented_gpus: gpus - free,
                    free_gpus: free,
                    gpu_mem_gb: Some(24),
                    cuda_cores: Some(16_384),
                    calc_point: u64::from(gpus) * (1_000 + (i as u64 % 997)),
                    cpu_model: Some("AMD EPYC 7543 32-Core Processor".into()),
                    cpu_cores: Some(64),
                    cpu_mhz: Some(2_800),
                    ram_gb: Some(256),
                    sys_disk_gb: Some(500),
                    data_disk_gb: Some(2_000),
                    upload_mbps: Some(500),
                    download_mbps: Some(500),
                    longitude: Some(1_040_667),
                    latitude: Some(306_667),
                    telecom_operators: vec!["China Telecom".into()],
                    server_room: Some(format!("0x{}", "ab".repeat(32))),
                    is_bare_machine: Some(false),
                    bonding_height: Some(531_155),
                    online_height: Some(537_808),
                    rented_until: (free == 0).then_some(9_876_543),
                    extra_price_per_gpu: None,
                    ..Machine::default()
                }
            })
            .collect();
        Market {
            block_number: 9_870_000,
            block_hash: format!("0x{}", "cd".repeat(32)),
            spec_version: 400,
            params: PricingParams {
                standard: Some(StandardGpuPointPrice { gpu_point: 100, gpu_price: 16_937 }),
                avg_price: Some(500),
                fixed_tx_fee: Some(10 * dbc::units::DBC),
                max_rental_days: 60,
            },
            machines,
        }
    }

    #[test]
    fn snapshot_shape_for_the_webview() {
        let mk = market(3);
        let v: serde_json::Value =
            serde_json::from_str(&snapshot_json(&mk, Source::Cache, Some(1_700_000_000))).unwrap();
        assert_eq!(v["source"], "cache");
        assert_eq!(v["savedAt"], 1_700_000_000u64);
        assert_eq!((v["blockNumber"].as_u64(), v["specVersion"].as_u64()), (Some(9_870_000), Some(400)));
        assert_eq!(v["params"]["fixedTxFee"], "10000000000000000");
        let rows = v["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        let r = &rows[1];
        for key in [
            "id",
            "status",
            "statusRaw",
            "gpuModel",
            "gpuCount",
            "freeGpus",
            "gpuMemGb",
            "calcPoint",
            "cpuMhz",
            "ramGb",
            "onlineHeight",
        ] {
            assert!(!r[key].is_null(), "{key} in {r}");
        }
        // Money: planck as exact strings, USD as integer micro-dollars.
        let expected =
            MachinePrice::compute(&mk.params, mk.machines[1].calc_point, mk.machines[1].gpu_count, None).unwrap();
        assert_eq!(r["price"]["planckPerGpuHour"], expected.planck_per_gpu_hour.to_string());
        assert_eq!(r["price"]["usdMicroPerGpuHour"], expected.usd_micro_per_gpu_hour);
        assert_eq!(v["counters"]["machines"], 3);
        assert_eq!(v["counters"]["gpus"], 1 + 2 + 4);
        assert_eq!(v["counters"]["idleGpus"], 2 + 4, "machine 0 is fully rented");
        let chain: serde_json::Value = serde_json::from_str(&snapshot_json(&mk, Source::Chain, None)).unwrap();
        assert_eq!(chain["source"], "chain");
        assert!(chain.get("savedAt").is_none());
    }

    #[test]
    fn an_unpriced_chain_gives_null_prices() {
        let mut mk = market(2);
        mk.params.avg_price = None;
        let v: serde_json::Value = serde_json::from_str(&snapshot_json(&mk, Source::Chain, None)).unwrap();
        assert!(v["rows"][0]["price"].is_null());
    }

    /// A market built to stress the order: equal prices, equal keys, missing
    /// prices (0 GPUs), missing memory and online heights, ids out of order.
    fn tricky_market() -> Market {
        let mut seed: u64 = 0x5eed;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let mut mk = market(0);
        for i in 0..48u64 {
            let gpus = [0u32, 1, 2, 3, 4, 8][next(6) as usize];
            let free = if gpus == 0 { 0 } else { next(u64::from(gpus) + 1) as u32 };
            let status = [
                MachineStatus::Idle,
                MachineStatus::PartlyRented,
                MachineStatus::Rented,
                MachineStatus::Offline,
                MachineStatus::Exited,
                MachineStatus::Other,
            ][next(6) as usize];
            mk.machines.push(Machine {
                id: format!("{:02x}{}", next(256), format!("{i:x}").repeat(62).chars().take(62).collect::<String>()),
                status,
                status_raw: "Online".into(),
                gpu_model: ["GeForceRTX4090", "NVIDIA A100"][next(2) as usize].into(),
                gpu_count: gpus,
                rented_gpus: gpus - free,
                // Free means rentable now, as the core decodes it (machine.rs).
                free_gpus: if status.rentable_status() { free } else { 0 },
                gpu_mem_gb: [None, Some(24), Some(80)][next(3) as usize],
                calc_point: u64::from(gpus.max(1)) * [700, 900, 1_400][next(3) as usize] + next(3),
                online_height: [None, Some(100), Some(5_000)][next(3) as usize],
                ..Machine::default()
            });
        }
        mk.machines.sort_by(|a, b| a.id.cmp(&b.id));
        mk
    }

    /// The webview sorts and filters itself (ui/src/lib/market/filter.ts); it
    /// must order exactly like the core. This writes the core's orders for a
    /// tricky market to a fixture the UI test replays
    /// (`UPDATE_MARKET_FIXTURE=1` regenerates it; otherwise it must match).
    #[test]
    fn sort_fixture_for_the_ui_is_current() {
        use dbc::market::{Filter, SortKey};
        let mk = tricky_market();
        let snapshot: serde_json::Value = serde_json::from_str(&snapshot_json(&mk, Source::Chain, None)).unwrap();
        let order = |filter: &Filter, key: SortKey| -> Vec<String> {
            filter::list(&mk, filter, key).iter().map(|l| l.machine.id.clone()).collect()
        };
        let all = Filter::default();
        let idle = Filter { idle_only: true, ..Filter::default() };
        let keys = [
            ("price", SortKey::PricePerGpuHour),
            ("price-per-point", SortKey::PricePerCalcPoint),
            ("free", SortKey::FreeGpus),
            ("calc", SortKey::CalcPoints),
            ("memory", SortKey::GpuMemory),
            ("online", SortKey::OnlineSince),
        ];
        let orders: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|(name, k)| (name.to_string(), serde_json::json!(order(&all, *k)))).collect();
        let idle_orders: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|(name, k)| (name.to_string(), serde_json::json!(order(&idle, *k)))).collect();
        let counters = filter::counters(&filter::list(&mk, &idle, SortKey::PricePerGpuHour));
        let fixture = serde_json::json!({
            "note": "Generated by src-tauri/src/market.rs sort_fixture_for_the_ui_is_current (UPDATE_MARKET_FIXTURE=1). Do not edit.",
            "rows": snapshot["rows"],
            "orders": orders,
            "idleOrders": idle_orders,
            "idleCounters": counters,
        });
        let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/market/sort-fixture.json");
        crate::contract::keep_current(
            &path,
            &text,
            "UPDATE_MARKET_FIXTURE",
            "cargo test -p dbc-rent-app --lib sort_fixture",
        );
    }

    /// 10,000 machines: the payload size and the time to build it (printed,
    /// not asserted: speed figures belong in a bench). Run with
    /// `cargo test -p dbc-rent-app --lib market::tests::ten_thousand -- --nocapture`.
    #[test]
    fn ten_thousand_rows_serialize_once() {
        let mk = market(10_000);
        let start = Instant::now();
        let json = snapshot_json(&mk, Source::Chain, None);
        let took = start.elapsed();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["rows"].as_array().unwrap().len(), 10_000);
        eprintln!(
            "market snapshot: 10,000 rows, {} bytes ({} per row), serialized in {:?} ({} build)",
            json.len(),
            json.len() / 10_000,
            took,
            if cfg!(debug_assertions) { "debug" } else { "release" }
        );
    }
}
