//! The connection supervisor: one background task per chosen network that
//! keeps a [`ChainClient`] alive and publishes where it stands.
//!
//! - Tries the profile's endpoints in order; an endpoint that fails or times
//!   out is skipped for the next one (failover). A whole round without
//!   success gives `offline` with the reason, then retries with exponential
//!   backoff (or at once on [`ChainManager::retry_now`]).
//! - Once connected it follows new best heads (`chain_subscribeNewHeads`, which
//!   works on the legacy backend) and polls `state_getRuntimeVersion` as a
//!   health check; a runtime upgrade (spec/tx version change, or a
//!   `RuntimeEnvironmentUpdated` digest in a head) is re-read at once.
//!   subxt 0.51 itself reads `Core_version` for every block it is pinned to and
//!   caches metadata per spec version, so the client needs no rebuild.
//! - A lost socket, an ended subscription or a failed health check gives
//!   `reconnecting`: the same endpoint is tried first, then the others.
//! - The endpoints are fixed at start ([`ChainManager::start`]) or looked up
//!   before every round ([`ChainManager::start_resolving`]): a practice
//!   network restarted by `dbc-sandbox up` listens on a new port, and a
//!   supervisor that kept dialling the old one would stay offline forever.
//!
//! Nothing here can hang: connects are bounded by `Timeouts::connect`, every
//! request by `Timeouts::request` (jsonrpsee), and the socket by pings.

use super::client::{self, ChainClient, RuntimeVersion, Timeouts};
use super::profile::{hash_hex, NetworkProfile};
use crate::error::{Error, ErrorCode, Result};
use crate::network::{ConnectionState, NetworkStatus};
use std::sync::Arc;
use std::time::Duration;
use subxt::config::substrate::{DigestItem, SubstrateConfig};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Exponential backoff between failed rounds: `initial`, doubled each time,
/// never above `max`. No jitter: one desktop client does not stampede.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(15) }
    }
}

impl Backoff {
    /// For a node on this computer (the practice network): trying it is a
    /// refused connect that costs nothing, so retry often (at most every 2 s)
    /// and be back within seconds of it answering again.
    pub fn local() -> Self {
        Backoff { initial: Duration::from_millis(500), max: Duration::from_secs(2) }
    }

    /// The wait after the `failed_rounds`-th failed round in a row (1-based).
    pub fn delay(&self, failed_rounds: u32) -> Duration {
        let shift = failed_rounds.saturating_sub(1).min(20);
        self.initial.saturating_mul(1u32 << shift).min(self.max)
    }
}

/// Knobs for the supervisor. Tests shorten them; the defaults suit the app.
#[derive(Debug, Clone)]
pub struct ManagerConfig {
    pub timeouts: Timeouts,
    pub backoff: Backoff,
    /// How often a connected node is asked for its runtime version (health
    /// check + upgrade detection when no head carries the digest).
    pub health_interval: Duration,
    /// Give up after this many failed rounds in a row and stay `offline`
    /// until [`ChainManager::retry_now`]. `None` retries forever.
    pub max_failed_rounds: Option<u32>,
    /// After a connection that worked is lost, stay `reconnecting` (not
    /// `offline`) for this many failed rounds: a node restart or a short
    /// network blip should not flash "offline". The very first connect shows
    /// `offline` after one failed round, so a wrong address is clear at once.
    pub reconnect_rounds_before_offline: u32,
    /// Fetch the metadata before reporting `connected`, so "connected" means
    /// "ready" and the first user action is fast (~0.6 s under chopsticks).
    pub warm_up: bool,
}

impl Default for ManagerConfig {
    fn default() -> Self {
        ManagerConfig {
            timeouts: Timeouts::default(),
            backoff: Backoff::default(),
            health_interval: Duration::from_secs(20),
            max_failed_rounds: None,
            reconnect_rounds_before_offline: 3,
            warm_up: true,
        }
    }
}

/// Looks up the endpoints before every connection round (see
/// [`ChainManager::start_resolving`]). An error is that round's failure
/// (e.g. `sandbox-not-running`), reported like an unreachable node.
pub type ResolveProfile = Arc<dyn Fn() -> Result<NetworkProfile> + Send + Sync>;

/// Handle on the supervisor task. Dropping it stops the task and closes the
/// connection. Start one per network; to switch network, drop it (or
/// [`ChainManager::shutdown`]) and start another.
pub struct ChainManager {
    status_tx: Arc<watch::Sender<NetworkStatus>>,
    client_rx: watch::Receiver<Option<ChainClient>>,
    retry: Arc<Notify>,
    task: JoinHandle<()>,
    network: String,
}

impl ChainManager {
    /// Start supervising `profile`. Must be called inside a Tokio runtime (in
    /// Tauri, from an async command or `tauri::async_runtime`).
    pub fn start(profile: NetworkProfile, config: ManagerConfig) -> ChainManager {
        Self::start_on(&tokio::runtime::Handle::current(), profile, config)
    }

    /// Same as [`ChainManager::start`], on an explicit runtime.
    pub fn start_on(rt: &tokio::runtime::Handle, profile: NetworkProfile, config: ManagerConfig) -> ChainManager {
        Self::spawn(rt, &profile.network.clone(), Source::Fixed(profile), config)
    }

    /// Supervise `network`, asking `resolve` for the endpoints before every
    /// round (each retry, each reconnect), so a node that moved is found
    /// again without a new manager. The practice network needs this: its
    /// port changes with every `dbc-sandbox up`.
    pub fn start_resolving(network: &str, resolve: ResolveProfile, config: ManagerConfig) -> ChainManager {
        Self::spawn(&tokio::runtime::Handle::current(), network, Source::Resolve(resolve), config)
    }

    fn spawn(rt: &tokio::runtime::Handle, network: &str, source: Source, config: ManagerConfig) -> ChainManager {
        let first = match &source {
            Source::Fixed(p) => p.endpoints.first().cloned(),
            Source::Resolve(r) => r().ok().and_then(|p| p.endpoints.first().cloned()),
        };
        let initial = NetworkStatus { state: ConnectionState::Connecting, endpoint: first, ..blank_status(network) };
        let (status_tx, _) = watch::channel(initial);
        let status_tx = Arc::new(status_tx);
        let (client_tx, client_rx) = watch::channel(None);
        let retry = Arc::new(Notify::new());
        let sup = Supervisor {
            network: network.to_string(),
            source,
            config,
            status: status_tx.clone(),
            client: client_tx,
            retry: retry.clone(),
        };
        let task = rt.spawn(sup.run());
        ChainManager { status_tx, client_rx, retry, task, network: network.to_string() }
    }

    /// A receiver of every status change (`changed().await`, `borrow()`).
    /// The UI forwards these as events; the CLI prints one.
    pub fn subscribe(&self) -> watch::Receiver<NetworkStatus> {
        self.status_tx.subscribe()
    }

    /// The status now.
    pub fn status(&self) -> NetworkStatus {
        self.status_tx.borrow().clone()
    }

    /// The live client, if connected right now.
    pub fn client(&self) -> Option<ChainClient> {
        self.client_rx.borrow().clone().filter(ChainClient::is_connected)
    }

    /// The live client, waiting up to `timeout` while the manager is
    /// (re)connecting. Fails at once with the reason when `offline`.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<ChainClient> {
        let mut status = self.subscribe();
        let settled = status.wait_for(|s| matches!(s.state, ConnectionState::Connected | ConnectionState::Offline));
        let _ = tokio::time::timeout(timeout, settled).await;
        drop(status);
        if let Some(c) = self.client() {
            return Ok(c);
        }
        let now = self.status();
        Err(match now.last_error {
            Some(e) if now.state == ConnectionState::Offline => e,
            _ => Error::new(
                ErrorCode::NetworkUnreachable,
                format!("not connected to {} after {} ms", self.network, timeout.as_millis()),
            )
            .with_data(serde_json::json!({ "network": self.network, "endpoint": now.endpoint.unwrap_or_default() })),
        })
    }

    /// Skip the current backoff wait and try again now (the UI's "Retry").
    pub fn retry_now(&self) {
        self.retry.notify_one();
    }

    /// Stop the task and report `not-connected`.
    pub fn shutdown(self) {
        self.task.abort();
        self.status_tx.send_replace(blank_status(&self.network));
    }
}

impl Drop for ChainManager {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn blank_status(network: &str) -> NetworkStatus {
    NetworkStatus {
        network: network.to_string(),
        state: ConnectionState::NotConnected,
        endpoint: None,
        best_block: None,
        spec_version: None,
        tx_version: None,
        genesis_hash: None,
        last_error: None,
    }
}

/// Where a supervisor gets its endpoints.
enum Source {
    Fixed(NetworkProfile),
    Resolve(ResolveProfile),
}

struct Supervisor {
    network: String,
    source: Source,
    config: ManagerConfig,
    status: Arc<watch::Sender<NetworkStatus>>,
    client: watch::Sender<Option<ChainClient>>,
    retry: Arc<Notify>,
}

impl Supervisor {
    /// Apply `f`; wake subscribers only if something actually changed.
    fn publish(&self, f: impl FnOnce(&mut NetworkStatus)) {
        self.status.send_if_modified(|s| {
            let before = s.clone();
            f(s);
            *s != before
        });
    }

    async fn run(self) {
        if let Source::Fixed(p) = &self.source {
            if p.endpoints.is_empty() {
                let e = Error::invalid_argument("no endpoint to connect to");
                self.publish(|s| {
                    s.state = ConnectionState::Offline;
                    s.last_error = Some(e);
                });
                return;
            }
        }
        let mut start = 0usize;
        let mut failed_rounds = 0u32;
        let mut cache: Option<SubstrateConfig> = None;
        let mut was_connected = false;
        loop {
            let attempt = match self.profile() {
                Ok(profile) => self.round(&profile, start, cache.as_ref()).await.map(|ok| (profile, ok)),
                Err(e) => Err(e),
            };
            match attempt {
                Ok((profile, (index, client, config))) => {
                    start = index;
                    failed_rounds = 0;
                    was_connected = true;
                    cache = Some(config);
                    let reason = self.serve(client).await;
                    self.client.send_replace(None);
                    tracing::warn!(network = %self.network, endpoint = %profile.endpoints[index], reason = %reason.message, "chain connection lost; reconnecting");
                    self.publish(|s| {
                        s.state = ConnectionState::Reconnecting;
                        s.last_error = Some(reason);
                    });
                    // A node that accepts and then drops at once must not make us spin.
                    self.pause(self.config.backoff.initial).await;
                }
                Err(err) => {
                    failed_rounds += 1;
                    let wait = self.config.backoff.delay(failed_rounds);
                    let grace = if was_connected { self.config.reconnect_rounds_before_offline.max(1) } else { 1 };
                    let state =
                        if failed_rounds >= grace { ConnectionState::Offline } else { ConnectionState::Reconnecting };
                    tracing::warn!(network = %self.network, rounds = failed_rounds, state = ?state, retry_in_ms = wait.as_millis() as u64, error = %err.message, "no endpoint answered");
                    self.publish(|s| {
                        s.state = state;
                        s.last_error = Some(err);
                    });
                    if self.config.max_failed_rounds.is_some_and(|max| failed_rounds >= max) {
                        self.retry.notified().await;
                        failed_rounds = 0;
                    } else {
                        self.pause(wait).await;
                    }
                }
            }
        }
    }

    /// The endpoints for this round: fixed, or looked up now.
    fn profile(&self) -> Result<NetworkProfile> {
        let profile = match &self.source {
            Source::Fixed(p) => return Ok(p.clone()),
            Source::Resolve(resolve) => resolve()?,
        };
        if profile.endpoints.is_empty() {
            return Err(Error::invalid_argument("no endpoint to connect to"));
        }
        Ok(profile)
    }

    /// Sleep, unless someone asks for a retry.
    async fn pause(&self, d: Duration) {
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = self.retry.notified() => {}
        }
    }

    /// Try every endpoint once, starting at `start`. The error is the most
    /// telling one: a wrong genesis beats "unreachable".
    async fn round(
        &self,
        profile: &NetworkProfile,
        start: usize,
        cache: Option<&SubstrateConfig>,
    ) -> Result<(usize, ChainClient, SubstrateConfig)> {
        let n = profile.endpoints.len();
        let mut last: Option<Error> = None;
        let mut wrong_chain: Option<Error> = None;
        for k in 0..n {
            let index = (start + k) % n;
            let endpoint = &profile.endpoints[index];
            self.publish(|s| {
                if s.state != ConnectionState::Offline {
                    s.endpoint = Some(endpoint.clone());
                }
            });
            let started = std::time::Instant::now();
            match self.open(profile, endpoint, cache).await {
                Ok((client, config)) => {
                    tracing::info!(network = %self.network, endpoint = %endpoint, ms = started.elapsed().as_millis() as u64, "chain connected");
                    return Ok((index, client, config));
                }
                Err(e) => {
                    tracing::warn!(network = %self.network, endpoint = %endpoint, code = %e.code, error = %e.message, "endpoint failed");
                    if e.code == ErrorCode::WrongGenesis {
                        wrong_chain = Some(e);
                    } else {
                        last = Some(e);
                    }
                }
            }
        }
        Err(wrong_chain.or(last).unwrap_or_else(|| Error::internal("empty endpoint round")))
    }

    /// Connect, optionally warm the metadata cache, read the best block.
    async fn open(
        &self,
        profile: &NetworkProfile,
        endpoint: &str,
        cache: Option<&SubstrateConfig>,
    ) -> Result<(ChainClient, SubstrateConfig)> {
        let t = self.config.timeouts;
        let (client, config) = client::connect(&profile.network, endpoint, profile.expected_genesis, t, cache).await?;
        if self.config.warm_up {
            match tokio::time::timeout(t.request, client.api().at_current_block()).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(client.rpc_error("loading the runtime metadata", e)),
                Err(_) => return Err(client.rpc_error("loading the runtime metadata", "timed out")),
            }
        }
        let best = tokio::time::timeout(t.request, client.best_block()).await.ok().and_then(|r| r.ok());
        let rt = client.runtime_at_connect();
        let genesis = hash_hex(&client.genesis_hash());
        // The client goes out before the status says `connected`, so whoever
        // waits on the status finds it.
        self.client.send_replace(Some(client.clone()));
        self.publish(|s| {
            s.state = ConnectionState::Connected;
            s.endpoint = Some(endpoint.to_string());
            s.best_block = best.map(|(n, _)| n).or(s.best_block);
            s.spec_version = Some(rt.spec_version);
            s.tx_version = Some(rt.transaction_version);
            s.genesis_hash = Some(genesis);
            s.last_error = None;
        });
        Ok((client, config))
    }

    /// Follow heads and health until the connection is lost; returns why.
    async fn serve(&self, client: ChainClient) -> Error {
        let t = client.timeouts();
        let mut heads = match tokio::time::timeout(t.request, client.rpc().chain_subscribe_new_heads()).await {
            Ok(Ok(sub)) => sub,
            Ok(Err(e)) => return client.rpc_error("chain_subscribeNewHeads", e),
            Err(_) => return client.rpc_error("chain_subscribeNewHeads", "timed out"),
        };
        let mut health = tokio::time::interval_at(
            tokio::time::Instant::now() + self.config.health_interval,
            self.config.health_interval,
        );
        health.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                head = heads.next() => match head {
                    Some(Ok(header)) => {
                        let number = header.number as u32;
                        self.publish(|s| s.best_block = Some(number));
                        let upgraded = header.digest.logs.iter().any(|d| matches!(d, DigestItem::RuntimeEnvironmentUpdated));
                        if upgraded {
                            tracing::info!(block = number, "runtime environment updated in this block; re-reading the version");
                            if let Err(e) = self.refresh_runtime(&client).await {
                                return e;
                            }
                        }
                    }
                    Some(Err(e)) => return client.rpc_error("new heads subscription", e),
                    None => return client.rpc_error("new heads subscription", "ended (connection closed)"),
                },
                _ = health.tick() => {
                    if let Err(e) = self.refresh_runtime(&client).await {
                        return e;
                    }
                }
                reason = client.disconnected() => return client.rpc_error("connection", reason),
            }
        }
    }

    /// Read the runtime version; publish it if it changed.
    async fn refresh_runtime(&self, client: &ChainClient) -> Result<RuntimeVersion> {
        let v = match tokio::time::timeout(client.timeouts().request, client.runtime_version()).await {
            Ok(r) => r?,
            Err(_) => return Err(client.rpc_error("state_getRuntimeVersion", "timed out")),
        };
        let before = self.status.borrow().spec_version;
        if before != Some(v.spec_version) || self.status.borrow().tx_version != Some(v.transaction_version) {
            tracing::info!(spec = v.spec_version, tx = v.transaction_version, previous_spec = ?before, "runtime version changed");
            self.publish(|s| {
                s.spec_version = Some(v.spec_version);
                s.tx_version = Some(v.transaction_version);
            });
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::fake_node::FakeNode;
    use crate::chain::profile::{mainnet_genesis, parse_hash, PRACTICE_GENESIS};
    use std::time::Instant;

    /// Short everything, so a test that fails, fails fast.
    fn quick() -> ManagerConfig {
        ManagerConfig {
            timeouts: Timeouts {
                connect: Duration::from_millis(500),
                request: Duration::from_secs(1),
                ping: Duration::from_secs(1),
            },
            backoff: Backoff { initial: Duration::from_millis(100), max: Duration::from_millis(400) },
            health_interval: Duration::from_millis(300),
            max_failed_rounds: None,
            reconnect_rounds_before_offline: 1,
            warm_up: false, // the fake node serves no metadata
        }
    }

    fn profile(network: &str, endpoints: &[String], pin: Option<H256>) -> NetworkProfile {
        NetworkProfile { network: network.into(), endpoints: endpoints.to_vec(), expected_genesis: pin }
    }

    async fn wait_for(m: &ChainManager, what: &str, f: impl Fn(&NetworkStatus) -> bool) -> NetworkStatus {
        let mut rx = m.subscribe();
        let got = match tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|s| f(s))).await {
            Ok(Ok(s)) => Some(s.clone()),
            _ => None,
        };
        got.unwrap_or_else(|| panic!("timed out waiting for {what}; status now {:?}", m.status()))
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    use subxt::config::substrate::H256;

    #[tokio::test]
    async fn dead_endpoints_fail_over_then_offline_quickly() {
        // Port 1: refused at once. The listener below accepts TCP (kernel
        // backlog) but never speaks WebSocket: only the timeout saves us.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let silent_url = format!("ws://{}", silent.local_addr().unwrap());
        let eps = vec!["ws://127.0.0.1:1".to_string(), silent_url.clone()];
        let started = Instant::now();
        let m = ChainManager::start(profile("mainnet", &eps, Some(mainnet_genesis())), quick());
        assert_eq!(m.status().state, ConnectionState::Connecting);
        let s = wait_for(&m, "offline", |s| s.state == ConnectionState::Offline).await;
        let took = started.elapsed();
        assert!(took < Duration::from_millis(2500), "offline after {took:?}");
        let e = s.last_error.expect("offline says why");
        assert_eq!(e.code, ErrorCode::NetworkUnreachable);
        assert_eq!(e.data.as_ref().unwrap()["endpoint"], silent_url.as_str(), "the last endpoint tried is named");
        assert_eq!(e.data.as_ref().unwrap()["network"], "mainnet");
        let t = Instant::now();
        let err = m.wait_connected(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::NetworkUnreachable);
        assert!(t.elapsed() < Duration::from_millis(300), "offline answers at once");
        assert!(m.client().is_none());
        drop(silent);
    }

    #[tokio::test]
    async fn fails_over_to_the_first_live_node() {
        let node = FakeNode::start(0, mainnet_genesis(), 400).await;
        let eps = vec!["ws://127.0.0.1:1".to_string(), node.url()];
        let m = ChainManager::start(profile("mainnet", &eps, Some(mainnet_genesis())), quick());
        let client = m.wait_connected(Duration::from_secs(5)).await.unwrap();
        assert_eq!(client.endpoint(), node.url());
        let s = m.status();
        assert_eq!(s.state, ConnectionState::Connected);
        assert_eq!(s.endpoint.as_deref(), Some(node.url().as_str()));
        assert_eq!((s.spec_version, s.tx_version), (Some(400), Some(1)));
        assert_eq!(s.genesis_hash.as_deref(), Some(crate::chain::MAINNET_GENESIS));
        assert_eq!(s.best_block, Some(0));
        assert!(s.last_error.is_none());
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["state"], "connected");
        assert_eq!(v["bestBlock"], 0);
        assert_eq!(v["specVersion"], 400);
    }

    #[tokio::test]
    async fn another_chain_is_refused_but_custom_reports_it() {
        let practice = parse_hash(PRACTICE_GENESIS).unwrap();
        let node = FakeNode::start(0, practice, 400).await;
        let eps = vec![node.url()];
        let m = ChainManager::start(profile("mainnet", &eps, Some(mainnet_genesis())), quick());
        let s = wait_for(&m, "offline", |s| s.state == ConnectionState::Offline).await;
        let e = s.last_error.unwrap();
        assert_eq!(e.code, ErrorCode::WrongGenesis);
        let d = e.data.unwrap();
        assert_eq!(d["actual"], PRACTICE_GENESIS);
        assert_eq!(d["expected"], crate::chain::MAINNET_GENESIS);
        assert_eq!(d["endpoint"], node.url().as_str());
        drop(m);

        let c = ChainManager::start(profile("custom", &eps, None), quick());
        c.wait_connected(Duration::from_secs(5)).await.unwrap();
        assert_eq!(c.status().genesis_hash.as_deref(), Some(PRACTICE_GENESIS));
    }

    #[tokio::test]
    async fn follows_heads_and_runtime_upgrades() {
        let node = FakeNode::start(0, mainnet_genesis(), 400).await;
        let mut cfg = quick();
        cfg.health_interval = Duration::from_secs(60); // the digest alone must trigger the re-read
        let m = ChainManager::start(profile("practice", &[node.url()], None), cfg);
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await; // let the subscription settle
        node.new_head(false);
        node.new_head(false);
        wait_for(&m, "best block 2", |s| s.best_block == Some(2)).await;
        node.set_spec(401, 2);
        node.new_head(true);
        let s = wait_for(&m, "spec 401", |s| s.spec_version == Some(401)).await;
        assert_eq!((s.best_block, s.tx_version), (Some(3), Some(2)));
        drop(m);

        // Without a digest, the periodic health check notices.
        let m = ChainManager::start(profile("practice", &[node.url()], None), quick());
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        node.set_spec(402, 2);
        wait_for(&m, "spec 402 by polling", |s| s.spec_version == Some(402)).await;
    }

    #[tokio::test]
    async fn reconnects_when_the_node_comes_back() {
        let port = free_port();
        let node = FakeNode::start(port, mainnet_genesis(), 400).await;
        let m = ChainManager::start(profile("practice", &[node.url()], None), quick());
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        let rx = m.subscribe();
        node.stop();
        let s = wait_for(&m, "connection loss noticed", |s| s.state != ConnectionState::Connected).await;
        assert_eq!(s.state, ConnectionState::Reconnecting);
        assert!(s.last_error.is_some());
        assert!(m.client().is_none());
        wait_for(&m, "offline after a failed round", |s| s.state == ConnectionState::Offline).await;
        let back = FakeNode::start(port, mainnet_genesis(), 400).await;
        let t = Instant::now();
        let s = wait_for(&m, "connected again", |s| s.state == ConnectionState::Connected).await;
        assert!(t.elapsed() < Duration::from_secs(2), "backoff is capped at 400 ms here");
        assert!(s.last_error.is_none());
        assert!(m.client().is_some());
        // Every state was published in order (the receiver saw the changes).
        assert!(rx.has_changed().unwrap());
        drop(back);
    }

    #[tokio::test]
    async fn a_resolving_manager_follows_a_node_that_moved() {
        // The first node goes away; its successor listens on another port (as
        // after `dbc-sandbox down` / `up`). A fixed list would dial the old port forever.
        let first = FakeNode::start(0, mainnet_genesis(), 400).await;
        let at: Arc<std::sync::Mutex<Option<String>>> = Arc::new(std::sync::Mutex::new(Some(first.url())));
        let asked = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let resolve: ResolveProfile = {
            let (at, asked) = (at.clone(), asked.clone());
            Arc::new(move || {
                asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match at.lock().unwrap().clone() {
                    Some(url) => Ok(profile("practice", &[url], None)),
                    None => Err(Error::new(ErrorCode::SandboxNotRunning, "not running")),
                }
            })
        };
        let m = ChainManager::start_resolving("practice", resolve, quick());
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        assert_eq!(m.status().endpoint.as_deref(), Some(first.url().as_str()));

        // Gone, and nothing to dial: offline with the resolver's reason.
        *at.lock().unwrap() = None;
        first.stop();
        let s = wait_for(&m, "offline while nothing runs", |s| {
            s.state == ConnectionState::Offline
                && s.last_error.as_ref().is_some_and(|e| e.code == ErrorCode::SandboxNotRunning)
        })
        .await;
        assert_eq!(s.network, "practice");

        // Back on a new port: found on the next round, without a retry or a new manager.
        let second = FakeNode::start(0, mainnet_genesis(), 400).await;
        assert_ne!(second.url(), first.url());
        let before = asked.load(std::sync::atomic::Ordering::SeqCst);
        *at.lock().unwrap() = Some(second.url());
        let t = Instant::now();
        let s = wait_for(&m, "connected to the new port", |s| s.state == ConnectionState::Connected).await;
        assert!(t.elapsed() < Duration::from_secs(2), "backoff is capped at 400 ms here: {:?}", t.elapsed());
        assert_eq!(s.endpoint.as_deref(), Some(second.url().as_str()));
        assert!(s.last_error.is_none());
        assert!(asked.load(std::sync::atomic::Ordering::SeqCst) > before, "resolved again for the new round");
    }

    #[tokio::test]
    async fn the_practice_manager_reads_state_json_on_every_round() {
        let dir = tempfile::tempdir().unwrap();
        let write = |url: &str| {
            std::fs::create_dir_all(crate::practice::dir(dir.path())).unwrap();
            std::fs::write(crate::practice::state_path(dir.path()), format!(r#"{{"chain":"{url}","pid":1}}"#)).unwrap();
        };
        // Not running at start: the manager still starts, says why, and keeps looking.
        let m =
            crate::chain::manager_with(&crate::network::NetworkChoice::Practice, None, dir.path(), quick()).unwrap();
        let s = wait_for(&m, "offline: not running", |s| s.state == ConnectionState::Offline).await;
        assert_eq!(s.last_error.unwrap().code, ErrorCode::SandboxNotRunning);
        let node = FakeNode::start(0, mainnet_genesis(), 400).await;
        write(&node.url());
        let t = Instant::now();
        let s = wait_for(&m, "connected once state.json names a live node", |s| s.state == ConnectionState::Connected)
            .await;
        assert!(t.elapsed() < Duration::from_secs(3), "the local backoff is at most 2 s: {:?}", t.elapsed());
        assert_eq!(Backoff::local().delay(10), Duration::from_secs(2));
        assert_eq!(s.endpoint.as_deref(), Some(node.url().as_str()));
    }

    #[tokio::test]
    async fn a_lost_connection_stays_reconnecting_for_the_grace_rounds() {
        let port = free_port();
        let node = FakeNode::start(port, mainnet_genesis(), 400).await;
        let mut cfg = quick();
        cfg.reconnect_rounds_before_offline = 3;
        cfg.backoff = Backoff { initial: Duration::from_millis(200), max: Duration::from_millis(200) };
        let m = ChainManager::start(profile("practice", &[node.url()], None), cfg);
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        node.stop();
        wait_for(&m, "reconnecting", |s| s.state == ConnectionState::Reconnecting).await;
        // Rounds 1 and 2 fail within ~0.5 s: still reconnecting, with the reason.
        tokio::time::sleep(Duration::from_millis(450)).await;
        let s = m.status();
        assert_eq!(s.state, ConnectionState::Reconnecting);
        assert_eq!(s.last_error.unwrap().code, ErrorCode::NetworkUnreachable);
        wait_for(&m, "offline after the third round", |s| s.state == ConnectionState::Offline).await;
        let _back = FakeNode::start(port, mainnet_genesis(), 400).await;
        wait_for(&m, "connected again", |s| s.state == ConnectionState::Connected).await;
    }

    #[tokio::test]
    async fn gives_up_after_max_rounds_until_retry_now() {
        let port = free_port();
        let url = format!("ws://127.0.0.1:{port}");
        let mut cfg = quick();
        cfg.max_failed_rounds = Some(1);
        cfg.backoff = Backoff { initial: Duration::from_millis(100), max: Duration::from_millis(100) };
        let m = ChainManager::start(profile("custom", &[url], None), cfg);
        wait_for(&m, "offline", |s| s.state == ConnectionState::Offline).await;
        let _node = FakeNode::start(port, mainnet_genesis(), 400).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(m.status().state, ConnectionState::Offline, "no retries after max rounds");
        m.retry_now();
        wait_for(&m, "connected after retry_now", |s| s.state == ConnectionState::Connected).await;
        m.shutdown();
    }

    #[tokio::test]
    async fn shutdown_reports_not_connected() {
        let node = FakeNode::start(0, mainnet_genesis(), 400).await;
        let m = ChainManager::start(profile("practice", &[node.url()], None), quick());
        let rx = m.subscribe();
        m.wait_connected(Duration::from_secs(5)).await.unwrap();
        m.shutdown();
        assert_eq!(rx.borrow().state, ConnectionState::NotConnected);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff { initial: Duration::from_millis(500), max: Duration::from_secs(10) };
        let got: Vec<u128> = (1..=8).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(got, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
        assert_eq!(b.delay(0), Duration::from_millis(500));
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(10), "no overflow on a long outage");
        let d = Backoff::default();
        assert_eq!((d.delay(1), d.delay(5)), (Duration::from_secs(1), Duration::from_secs(15)));
    }
}
