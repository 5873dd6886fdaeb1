//! [`Sandbox`]: one practice network from start to stop.
//!
//! Start: resolve the spec → (first time, or when the spec/seed changed)
//! read the metadata, build the seed, write the prepared spec and drop the old
//! db → launch chopsticks (`db`, and `resume: true` when the db fits the
//! prepared spec) → on a fresh chain jump to the seed's base height and forget
//! the simulated VMs of the previous chain → start
//! the ticker → start the DBC client simulator → write `state.json`. Later starts reuse the prepared spec and
//! resume from the db, so state (balances, rentals, blocks) survives restarts.

use crate::advance::{self, AdvanceReport};
use crate::chopsticks::{Chopsticks, LaunchOptions};
use crate::client::Chain;
use crate::client_sim::{ClientSim, ClientSimConfig, PracticeChain};
use crate::faucet::{Faucet, FundReceipt};
use crate::js::JsEnv;
use crate::layout::Layout;
use crate::seed::accounts::{keypair_from_uri, PracticeAccount, Role, DBC};
use crate::seed::{self, SeedConfig, SeedSummary, SEED_VERSION};
use crate::sim_clients::SimClients;
use crate::spec::{self, SpecSources};
use crate::state::{self, RunningState};
use crate::ticker::Ticker;
use dbc::practice::PracticeEndpoints;
use dbc::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Start-up stages, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    PreparingSpec,
    Seeding,
    StartingChain,
    StartingClient,
    Ready,
}

pub type ProgressFn = Arc<dyn Fn(Stage) + Send + Sync>;

#[derive(Clone)]
pub struct SandboxConfig {
    /// The app's data dir; the network lives in `<data_dir>/practice/`.
    pub data_dir: PathBuf,
    /// An explicit chain spec (accepted whatever its hash); else see [`crate::spec`].
    pub spec: Option<PathBuf>,
    /// Where to look for a missing spec (tests point it at a local server).
    pub spec_url: String,
    /// The js folder with chopsticks; default: see [`crate::js`].
    pub js_dir: Option<PathBuf>,
    /// Build a block this often; `None`: only on demand (transactions, `advance`).
    pub block_time: Option<Duration>,
    pub seed: SeedConfig,
    /// Forget the previous state (new prepared spec, new db).
    pub fresh: bool,
    /// Keep blocks in sqlite and resume on the next start.
    pub persist: bool,
    /// Run the DBC client simulator next to the chain.
    pub client_sim: bool,
    /// How many simulated DBC clients (at least 1): client 1 sees every
    /// node, the others a part of them (`sim_clients`).
    pub clients: usize,
    /// Simulated VM boot time (creating -> running) in the DBC client simulator.
    pub vm_boot_secs: u64,
    pub mock_signature_host: bool,
    pub ready_timeout: Duration,
    pub progress: Option<ProgressFn>,
}

impl SandboxConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        SandboxConfig {
            data_dir,
            spec: None,
            spec_url: spec::SPEC_URL.to_string(),
            js_dir: None,
            block_time: Some(Duration::from_secs(6)),
            seed: SeedConfig::default(),
            fresh: false,
            persist: true,
            client_sim: true,
            clients: 2,
            vm_boot_secs: 20,
            mock_signature_host: false,
            ready_timeout: Duration::from_secs(120),
            progress: None,
        }
    }
}

impl SandboxConfig {
    /// A throwaway chain of `machines` seeded machines: nothing kept on disk,
    /// no DBC client simulator, blocks only when something needs one
    /// (transactions, `advance`). What tests and scripts usually want.
    pub fn chain_only(data_dir: PathBuf, machines: usize) -> Self {
        let mut cfg = SandboxConfig::new(data_dir);
        cfg.persist = false;
        cfg.client_sim = false;
        cfg.clients = 1;
        cfg.block_time = None;
        cfg.seed = SeedConfig { machines, ..SeedConfig::default() };
        cfg
    }
}

/// What the prepared spec was made from (`chain/prepared.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Prepared {
    source_sha256: String,
    seed_version: u32,
    seed: SeedConfig,
    accounts: Vec<PracticeAccount>,
    summary: SeedSummary,
}

/// How long start-up took, by part.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTimings {
    pub prepare_ms: u64,
    pub chain_ms: u64,
    pub total_ms: u64,
    /// True when the prepared spec and db were reused.
    pub resumed: bool,
}

/// Why the chain process ended.
#[derive(Debug, Clone)]
pub enum ExitReason {
    /// `dbc-sandbox down` (or another stop request).
    Requested,
    Crashed(Error),
}

pub struct Sandbox {
    layout: Layout,
    chopsticks: Chopsticks,
    chain: Chain,
    ticker: Option<Ticker>,
    client_sim: Option<ClientSim>,
    clients: Option<SimClients>,
    gate: Arc<Mutex<()>>,
    faucet: Faucet,
    state: RunningState,
    summary: SeedSummary,
    timings: StartTimings,
}

impl Sandbox {
    pub async fn start(cfg: SandboxConfig) -> Result<Sandbox> {
        let t0 = Instant::now();
        let progress = |s: Stage| {
            tracing::info!(stage = ?s, "practice network");
            if let Some(p) = &cfg.progress {
                p(s)
            }
        };
        // Child processes run in other folders: give them absolute paths.
        let data_dir = std::path::absolute(&cfg.data_dir).map_err(|e| Error::io(&cfg.data_dir, &e))?;
        let layout = Layout::new(&data_dir);
        for d in [layout.root().to_path_buf(), layout.cache_dir(), layout.chain_dir()] {
            dbc::paths::ensure_private_dir(&d).map_err(|e| Error::io(&d, &e))?;
        }
        if let Some(s) = state::read_live(&layout)? {
            return Err(Error::new(
                ErrorCode::SandboxAlreadyRunning,
                format!(
                    "a practice network already runs for this data dir (pid {}, {})",
                    s.endpoints.pid, s.endpoints.chain
                ),
            )
            .with_data(serde_json::json!({"pid": s.endpoints.pid, "chain": s.endpoints.chain})));
        }
        let _ = std::fs::remove_file(state::stop_request(&layout));

        progress(Stage::PreparingSpec);
        let js = JsEnv::locate(cfg.js_dir.as_deref())?;
        let mut sources = SpecSources::new(cfg.spec.clone(), layout.spec_cache());
        sources.url = cfg.spec_url.clone();
        // A package ships the pinned spec beside its practice-network bundle.
        sources.bundled = Some(js.js_dir.join(spec::SPEC_FILE_NAME));
        let source = spec::resolve(&sources).await?;
        let previous: Option<Prepared> =
            std::fs::read(layout.prepared_info()).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let reusable = previous.as_ref().filter(|p| {
            !cfg.fresh
                && p.source_sha256 == source.sha256
                && p.seed_version == SEED_VERSION
                && p.seed == cfg.seed
                && layout.prepared_spec().is_file()
        });
        let resume = cfg.persist && reusable.is_some() && layout.db().is_file();
        let prepared = match reusable {
            Some(p) if resume || !cfg.persist => p.clone(),
            _ => {
                progress(Stage::Seeding);
                prepare(&js, &layout, &source, &cfg.seed).await?
            }
        };
        let prepare_ms = t0.elapsed().as_millis() as u64;

        progress(Stage::StartingChain);
        let t1 = Instant::now();
        let opts = LaunchOptions {
            genesis: layout.prepared_spec(),
            db: cfg.persist.then(|| layout.db()),
            resume,
            config_path: layout.config(),
            log_path: layout.log(),
            port: 0,
            mock_signature_host: cfg.mock_signature_host,
            ready_timeout: cfg.ready_timeout,
        };
        let chopsticks = Chopsticks::launch(&js, &opts).await?;
        let chain = Chain::connect(&chopsticks.url()).await?;
        let (best, _) = chain.best().await?;
        let fresh_chain = best < cfg.seed.base_height;
        // The chain's identity (chopsticks reports the same genesis hash for
        // every chain of this spec, and rent ids restart at 0: journals must
        // not mix; see dbc::chain::identity). chopsticks keeps storage set by
        // `dev_setStorage` in memory only, so it is set on every start: a new
        // id for a new chain, the saved one for a resumed chain.
        let instance = instance_id(&layout, fresh_chain)?;
        let vm_dir = vm_dir_for(&layout, fresh_chain)?;
        chain.set_instance_id(&instance).await?;
        if fresh_chain {
            // Move to the seed's present (its history lies before it).
            chain.new_block(serde_json::json!({"count": 1, "unsafeBlockHeight": cfg.seed.base_height})).await?;
        }
        let gate = Arc::new(Mutex::new(()));
        let ticker = cfg.block_time.map(|every| Ticker::spawn(chain.clone(), every, gate.clone()));
        let faucet_uri = prepared
            .accounts
            .iter()
            .find(|a| a.role == Role::Faucet)
            .map(|a| a.uri.clone())
            .ok_or_else(|| Error::internal("the seed has no faucet account"))?;
        let client_sim = if cfg.client_sim {
            progress(Stage::StartingClient);
            let view = PracticeChain::connect(&chopsticks.url()).await?;
            let sim_cfg = ClientSimConfig {
                boot_time: Duration::from_secs(cfg.vm_boot_secs),
                vm_dir: Some(vm_dir),
                ..ClientSimConfig::default()
            };
            Some(ClientSim::start(sim_cfg, Arc::new(view)).await?)
        } else {
            None
        };
        let clients = match &client_sim {
            Some(sim) => Some(SimClients::start(sim, cfg.clients, &layout).await?),
            None => None,
        };
        let endpoints = PracticeEndpoints {
            chain: chopsticks.url(),
            client: client_sim.as_ref().map(ClientSim::url),
            clients: clients.as_ref().map(SimClients::urls).unwrap_or_default(),
            pid: chopsticks.pid(),
        };
        let state = RunningState {
            endpoints,
            owner_pid: std::process::id(),
            block_ms: cfg.block_time.map(|d| d.as_millis() as u64),
            machines: prepared.summary.machines,
            log: layout.log().display().to_string(),
            accounts: prepared.accounts.clone(),
        };
        state::write(&layout, &state)?;
        let chain_ms = t1.elapsed().as_millis() as u64;
        let timings = StartTimings { prepare_ms, chain_ms, total_ms: t0.elapsed().as_millis() as u64, resumed: resume };
        progress(Stage::Ready);
        Ok(Sandbox {
            layout,
            chopsticks,
            chain,
            ticker,
            client_sim,
            clients,
            gate,
            faucet: Faucet::new(keypair_from_uri(&faucet_uri)),
            state,
            summary: prepared.summary,
            timings,
        })
    }

    pub fn chain_url(&self) -> &str {
        &self.state.endpoints.chain
    }
    pub fn chain(&self) -> &Chain {
        &self.chain
    }
    pub fn state(&self) -> &RunningState {
        &self.state
    }
    pub fn accounts(&self) -> &[PracticeAccount] {
        &self.state.accounts
    }
    pub fn summary(&self) -> &SeedSummary {
        &self.summary
    }
    pub fn timings(&self) -> &StartTimings {
        &self.timings
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn pid(&self) -> u32 {
        self.chopsticks.pid()
    }

    /// The DBC client simulator's base URL, when it runs.
    pub fn client_url(&self) -> Option<&str> {
        self.state.endpoints.client.as_deref()
    }

    /// The DBC client simulator (tests drive its knobs: slow nodes, sweeps).
    pub fn client_sim(&self) -> Option<&ClientSim> {
        self.client_sim.as_ref()
    }

    /// Every simulated DBC client's base URL, client 1 (sees every node) first.
    pub fn client_urls(&self) -> &[String] {
        &self.state.endpoints.clients
    }

    /// Simulated DBC client `k` (1-based): its URL, view, answer delay.
    pub fn sim_client(&self, k: usize) -> Result<&Arc<crate::client_sim::ClientListener>> {
        self.clients.as_ref().ok_or_else(|| Error::invalid_argument("no DBC client simulator runs"))?.get(k)
    }

    /// Stop simulated DBC client `k` (1-based), or start it again on its
    /// port; what `dbc-sandbox client stop|start K` asks for from outside.
    pub async fn set_client_stopped(&self, k: usize, stopped: bool) -> Result<()> {
        let clients = self.clients.as_ref().ok_or_else(|| Error::invalid_argument("no DBC client simulator runs"))?;
        clients.set_stopped(&self.layout, k, stopped).await
    }

    /// Fast-forward `n` blocks (pauses the ticker meanwhile).
    pub async fn advance(&self, n: u32) -> Result<AdvanceReport> {
        let _g = self.gate.lock().await;
        advance::advance(&self.chain, n).await
    }

    /// Send `dbc` whole DBC from the faucet to `address` (SS58 or 0x-hex).
    pub async fn fund(&self, address: &str, dbc: u128) -> Result<FundReceipt> {
        let to = crate::faucet::parse_account(address)?;
        let amount = dbc.checked_mul(DBC).ok_or_else(|| Error::invalid_argument("amount too large"))?;
        self.faucet.fund(&self.chain, &to, amount).await
    }

    /// `None` while running; why it ended otherwise.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.chopsticks.exit_status().map(|s| self.reason(&s))
    }

    fn reason(&self, status: &str) -> ExitReason {
        if state::stop_request(&self.layout).exists() {
            ExitReason::Requested
        } else {
            ExitReason::Crashed(self.chopsticks.crashed_error(status))
        }
    }

    /// Resolves when the chain process ends (a crash, or `dbc-sandbox down`).
    pub async fn exited(&self) -> ExitReason {
        let s = self.chopsticks.exited().await;
        self.reason(&s)
    }

    /// Stop the ticker and chopsticks (SIGTERM, then SIGKILL) and remove `state.json`.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(c) = self.clients.take() {
            c.shutdown().await;
        }
        if let Some(sim) = self.client_sim.take() {
            sim.stop().await;
        }
        if let Some(t) = self.ticker.take() {
            t.stop().await;
        }
        let r = self.chopsticks.stop().await;
        state::remove(&self.layout);
        let _ = std::fs::remove_file(state::stop_request(&self.layout));
        r
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Chopsticks' own Drop kills the process group if `stop` was not called.
        if state::read(&self.layout).ok().flatten().is_some_and(|s| s.endpoints.pid == self.chopsticks.pid()) {
            state::remove(&self.layout);
        }
    }
}

/// The instance id of the chain in `layout`: a new random one for a new
/// chain (saved), else the saved one (a new one if none was saved yet).
fn instance_id(layout: &Layout, new_chain: bool) -> Result<Vec<u8>> {
    let path = layout.instance();
    if !new_chain {
        if let Some(id) =
            std::fs::read_to_string(&path).ok().and_then(|t| hex::decode(t.trim()).ok()).filter(|id| id.len() == 16)
        {
            return Ok(id);
        }
    }
    let id = rand::random::<[u8; 16]>().to_vec();
    dbc::paths::write_atomic(&path, hex::encode(&id).as_bytes()).map_err(|e| Error::io(&path, &e))?;
    Ok(id)
}

/// The simulated VMs' folder: its saved VMs belong to the chain in
/// `layout`, so a new chain (new genesis or data) forgets them, as its rent
/// orders never existed; a resumed chain keeps them (they come back running).
fn vm_dir_for(layout: &Layout, new_chain: bool) -> Result<PathBuf> {
    let dir = layout.vms_dir();
    if new_chain {
        crate::client_sim::persist::forget_all(&dir).map_err(|e| Error::io(&dir, &e))?;
    }
    Ok(dir)
}

/// Build the seed and write the prepared spec (sorted, timestamped, seeded);
/// the old db no longer fits and is removed.
async fn prepare(js: &JsEnv, layout: &Layout, source: &spec::SourceSpec, cfg: &SeedConfig) -> Result<Prepared> {
    let spec = spec::Spec::read(&source.path)?;
    let md = crate::metadata::load(js, &source.path, &layout.metadata_cache(&spec.code_sha256()?)).await?;
    let w = seed::encode::StorageWriter::new(&md.metadata);
    let issuance_key = w.key("Balances", "TotalIssuance", vec![])?;
    let issuance = spec.get(&issuance_key).map(|v| {
        use codec::Decode;
        u128::decode(&mut &v[..]).unwrap_or(0)
    });
    let mut seed = seed::build(&md.metadata, cfg, issuance.unwrap_or(0))?;
    let now_key = w.key("Timestamp", "Now", vec![])?;
    let now_value = w.value("Timestamp", "Now", seed::encode::n(spec::aligned_now_ms()))?;
    seed.entries.push((now_key, now_value));
    spec.write_prepared(&seed.entries, &layout.prepared_spec())?;
    layout.remove_db().map_err(|e| Error::io(&layout.db(), &e))?;
    let prepared = Prepared {
        source_sha256: source.sha256.clone(),
        seed_version: SEED_VERSION,
        seed: cfg.clone(),
        accounts: seed.accounts,
        summary: seed.summary,
    };
    let bytes = serde_json::to_vec_pretty(&prepared).map_err(|e| Error::internal(e.to_string()))?;
    dbc::paths::write_atomic(&layout.prepared_info(), &bytes).map_err(|e| Error::io(&layout.prepared_info(), &e))?;
    Ok(prepared)
}

/// Ask a running network (maybe in another process) to stop, and wait until
/// its chain process is gone. Used by `dbc-sandbox down`.
pub async fn stop_running(data_dir: &std::path::Path) -> Result<RunningState> {
    let layout = Layout::new(data_dir);
    let s = state::require_live(&layout)?;
    std::fs::write(state::stop_request(&layout), b"").map_err(|e| Error::io(&state::stop_request(&layout), &e))?;
    crate::chopsticks::signal_group(s.endpoints.pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(8);
    while crate::chopsticks::pid_alive(s.endpoints.pid) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if crate::chopsticks::pid_alive(s.endpoints.pid) {
        crate::chopsticks::signal_group(s.endpoints.pid, libc::SIGKILL);
    }
    // Give the owner a moment to clean up itself, then make sure.
    let deadline = Instant::now() + Duration::from_secs(3);
    while layout.state().exists()
        && s.owner_pid != std::process::id()
        && crate::chopsticks::pid_alive(s.owner_pid)
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    state::remove(&layout);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_chain_forgets_the_saved_vms_and_a_resumed_one_keeps_them() {
        let d = tempfile::tempdir().unwrap();
        let layout = Layout::new(d.path());
        let file = layout.vms_dir().join("TaskA").join("task.json");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(vm_dir_for(&layout, false).unwrap(), layout.vms_dir());
        assert!(file.is_file(), "a resumed chain keeps its VMs");
        assert_eq!(vm_dir_for(&layout, true).unwrap(), layout.vms_dir());
        assert!(!layout.vms_dir().exists(), "a new chain has none");
        vm_dir_for(&layout, true).unwrap();
    }
}
