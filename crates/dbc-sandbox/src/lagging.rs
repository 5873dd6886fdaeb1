//! A "lagging endpoint" for the fault tests (issue 11): a second chopsticks
//! that forks the running practice chain at an older block. Same chain (it
//! reports the upstream's genesis hash), but its best block stays at the fork
//! point, like a node that fell behind.
//!
//! chopsticks in fork mode (`endpoint` + `block` in its config instead of
//! `genesis`) reads the header of that block from the upstream and fetches
//! storage from it lazily, at that block's hash, as it is asked. Blocks are
//! built only on demand (`build-block-mode: Manual`), so it never catches up
//! on its own. The upstream must stay up while the fork is used.
//!
//! Only a block the upstream chopsticks really built and still holds can be
//! forked. chopsticks running from a chain spec answers
//! `chain_getBlockHash(n)` for a height it never built (the practice chain
//! jumps from #1 to the seed's base height) or no longer holds (it keeps the
//! newest 500 blocks in memory when it has no db) with the genesis hash
//! `0x4545…45`, and a fork there silently starts at #0. [`start_lagging`]
//! checks the upstream first and refuses such a block (`invalid-argument`),
//! and checks afterwards that the fork's head is the block asked for.
//!
//! The same holds while the fork runs: once the upstream has built 500 blocks
//! past the fork point, it no longer has that block's state and answers the
//! fork's lazy storage reads **with genesis state, without an error** (checked:
//! `System.Number` read through the fork became `null`). Keep the upstream
//! within 500 blocks of the fork point, or ask
//! [`Lagging::upstream_holds_block`] before trusting what the fork says.
//!
//! Launched like [`crate::chopsticks`] does (same js folder, `parent-watch`,
//! own process group, log file, ready check on `chain_getHeader`), but with a
//! fork config, which [`crate::chopsticks::LaunchOptions`] cannot express.
//! Dropping a [`Lagging`] kills its process group.

use crate::chopsticks::{free_port, log_tail, signal_group, spawn, wait_answering, Spawned};
use crate::js::JsEnv;
use dbc::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;
use subxt::rpcs::{rpc_params, RpcClient};
use tokio::sync::watch;

/// How long a fork may take to answer (fetching metadata and `:code` from the
/// upstream and compiling the wasm).
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// A running fork of the practice chain; see the module docs.
pub struct Lagging {
    pid: u32,
    port: u16,
    block: u32,
    hash: String,
    upstream: String,
    log_path: PathBuf,
    exit: watch::Receiver<Option<String>>,
    stopped: bool,
}

/// Start chopsticks forking `upstream_ws` at block `block`, with its config
/// and log in `data_dir` (created if missing), and wait until it answers.
pub async fn start_lagging(js: &JsEnv, upstream_ws: &str, block: u32, data_dir: &Path) -> Result<Lagging> {
    let expected = upstream_block_hash(upstream_ws, block).await?;
    std::fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, &e))?;
    let data_dir = std::path::absolute(data_dir).map_err(|e| Error::io(data_dir, &e))?;
    let port = free_port()?;
    let config_path = data_dir.join(format!("lagging-{port}.yml"));
    let log_path = data_dir.join(format!("lagging-{port}.log"));
    // JSON is valid YAML.
    let cfg = serde_json::json!({
        "endpoint": upstream_ws,
        "block": block,
        "host": "127.0.0.1",
        "port": port,
        "build-block-mode": "Manual",
        "runtime-log-level": 2,
    });
    let bytes = serde_json::to_vec_pretty(&cfg).map_err(|e| Error::internal(e.to_string()))?;
    dbc::paths::write_atomic(&config_path, &bytes).map_err(|e| Error::io(&config_path, &e))?;
    let Spawned { pid, exit: rx } = spawn(js, &config_path, &log_path, &data_dir, "the lagging chopsticks")?;
    let mut me = Lagging {
        pid,
        port,
        block,
        hash: expected,
        upstream: upstream_ws.to_string(),
        log_path,
        exit: rx,
        stopped: false,
    };
    tracing::info!(pid, port, block, upstream_ws, "lagging chopsticks started");
    let checked = match me.wait_ready(READY_TIMEOUT).await {
        Ok(()) => me.check_head().await,
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        me.stop().await;
        return Err(e);
    }
    Ok(me)
}

async fn request<T: serde::de::DeserializeOwned>(
    rpc: &RpcClient,
    url: &str,
    method: &str,
    params: subxt::rpcs::client::RpcParams,
) -> Result<T> {
    rpc.request(method, params).await.map_err(|e| crate::client::rpc_err(url, method, e))
}

/// The hash of `block` on the upstream, refusing a height it does not hold.
async fn upstream_block_hash(upstream_ws: &str, block: u32) -> Result<String> {
    let rpc = RpcClient::from_insecure_url(upstream_ws)
        .await
        .map_err(|e| crate::client::rpc_err(upstream_ws, "connecting", e))?;
    let hash: Option<String> = request(&rpc, upstream_ws, "chain_getBlockHash", rpc_params![block]).await?;
    let Some(hash) = hash else {
        return Err(Error::invalid_argument(format!(
            "{upstream_ws} has no block #{block} yet: a lagging endpoint forks an older block"
        ))
        .with_data(serde_json::json!({"block": block})));
    };
    if block > 0 {
        let genesis: Option<String> = request(&rpc, upstream_ws, "chain_getBlockHash", rpc_params![0]).await?;
        if genesis.as_deref() == Some(hash.as_str()) {
            return Err(Error::invalid_argument(format!(
                "{upstream_ws} answers block #{block} with the genesis hash {hash}: chopsticks never \
                 built that height (a jump) or no longer holds it (500 blocks in memory); fork a block it built"
            ))
            .with_data(serde_json::json!({"block": block})));
        }
    }
    Ok(hash)
}

impl Lagging {
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }
    pub fn pid(&self) -> u32 {
        self.pid
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    /// The block it forked at (its best block until someone builds one).
    pub fn block(&self) -> u32 {
        self.block
    }
    /// The fork block's hash (`0x…`), as the upstream reported it.
    pub fn hash(&self) -> &str {
        &self.hash
    }
    /// The node it forked.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }
    /// Does the upstream still hold the fork block (same hash at that
    /// height)? When not, the fork's storage reads silently return genesis
    /// state (module docs).
    pub async fn upstream_holds_block(&self) -> Result<bool> {
        match upstream_block_hash(&self.upstream, self.block).await {
            Ok(h) => Ok(h == self.hash),
            Err(e) if e.code == ErrorCode::InvalidArgument => Ok(false),
            Err(e) => Err(e),
        }
    }
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }
    /// `Some(status)` once the process has exited.
    pub fn exit_status(&self) -> Option<String> {
        self.exit.borrow().clone()
    }

    async fn exited(&self) {
        let mut rx = self.exit.clone();
        let _ = rx.wait_for(Option::is_some).await;
    }

    async fn wait_ready(&self, timeout: Duration) -> Result<()> {
        wait_answering(self.port, &self.exit, timeout, "the lagging chopsticks").await.map_err(|why| self.failed(why))
    }

    /// The fork's head must be the block asked for.
    async fn check_head(&self) -> Result<()> {
        let expected = self.hash.as_str();
        let url = self.url();
        let rpc =
            RpcClient::from_insecure_url(&url).await.map_err(|e| crate::client::rpc_err(&url, "connecting", e))?;
        let head: Option<String> = request(&rpc, &url, "chain_getBlockHash", rpc_params![]).await?;
        if head.as_deref() != Some(expected) {
            return Err(self.failed(format!("the fork's head is {head:?}, not block #{} ({expected})", self.block)));
        }
        Ok(())
    }

    fn failed(&self, why: String) -> Error {
        Error::new(
            ErrorCode::SandboxStartFailed,
            format!("{why}; log {}:\n{}", self.log_path.display(), log_tail(&self.log_path, 15)),
        )
        .with_data(serde_json::json!({"log": self.log_path.display().to_string()}))
    }

    /// SIGTERM to the group, SIGKILL after 5 s; returns once the process is gone.
    pub async fn stop(&mut self) {
        self.stopped = true;
        if self.exit_status().is_some() {
            return;
        }
        signal_group(self.pid, libc::SIGTERM);
        if tokio::time::timeout(Duration::from_secs(5), self.exited()).await.is_err() {
            signal_group(self.pid, libc::SIGKILL);
            let _ = tokio::time::timeout(Duration::from_secs(5), self.exited()).await;
        }
    }
}

impl Drop for Lagging {
    fn drop(&mut self) {
        if !self.stopped && self.exit_status().is_none() {
            signal_group(self.pid, libc::SIGKILL);
        }
    }
}
