//! The practice network's N simulated DBC clients over one set of nodes:
//! client 1 sees every node, client k ≥ 2 only a part of them
//! ([`NodeView::of_client`]), so choosing a client and failing over between
//! clients can be rehearsed. `state.json` lists them all (`clients`).
//!
//! `dbc-sandbox client stop K` / `client start K` reach a running network
//! in another process through a flag file per client
//! (`practice/client-K.stopped`): the owner watches the flags and stops or
//! restarts that client's listener (on the same port); the command waits
//! until the port refuses or accepts connections.

use crate::client_sim::{ClientListener, ClientSim, NodeView};
use crate::layout::Layout;
use crate::state;
use dbc::{Error, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the owner looks at the flag files.
const WATCH_EVERY: Duration = Duration::from_millis(200);
/// How long a stopped client lets a request under way finish.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// The flag file that keeps client `k` (1-based) stopped while it exists.
pub fn stop_flag(layout: &Layout, k: usize) -> PathBuf {
    layout.root().join(format!("client-{k}.stopped"))
}

/// The running clients, and the watcher of their flag files.
pub struct SimClients {
    listeners: Vec<Arc<ClientListener>>,
    watcher: JoinHandle<()>,
}

impl SimClients {
    /// `n` clients (at least one: `sim`'s own, which sees every node), the
    /// others on free ports; stale flags of an earlier run are removed.
    pub async fn start(sim: &ClientSim, n: usize, layout: &Layout) -> Result<SimClients> {
        let mut listeners = vec![sim.listener()];
        for k in 2..=n.max(1) {
            listeners.push(sim.listen(0, NodeView::of_client(k)).await?);
        }
        for k in 1..=listeners.len() + 8 {
            let _ = std::fs::remove_file(stop_flag(layout, k));
        }
        let (watched, root) = (listeners.clone(), layout.clone());
        let watcher = tokio::spawn(async move {
            loop {
                tokio::time::sleep(WATCH_EVERY).await;
                for (i, l) in watched.iter().enumerate() {
                    apply(l, stop_flag(&root, i + 1).exists()).await;
                }
            }
        });
        Ok(SimClients { listeners, watcher })
    }

    /// Base URLs, client 1 first.
    pub fn urls(&self) -> Vec<String> {
        self.listeners.iter().map(|l| l.url()).collect()
    }

    /// Client `k` (1-based).
    pub fn get(&self, k: usize) -> Result<&Arc<ClientListener>> {
        k.checked_sub(1).and_then(|i| self.listeners.get(i)).ok_or_else(|| no_such_client(k, self.listeners.len()))
    }

    /// Stop (`stopped`) or restart client `k` now, and keep it so (its flag file).
    pub async fn set_stopped(&self, layout: &Layout, k: usize, stopped: bool) -> Result<()> {
        let l = self.get(k)?;
        write_flag(layout, k, stopped)?;
        apply(l, stopped).await;
        Ok(())
    }

    /// Stop watching and stop every client.
    pub async fn shutdown(self) {
        self.watcher.abort();
        futures::future::join_all(self.listeners.iter().map(|l| l.stop(STOP_GRACE))).await;
    }
}

impl Drop for SimClients {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

async fn apply(l: &ClientListener, stopped: bool) {
    match (stopped, l.is_running()) {
        (true, true) => l.stop(STOP_GRACE).await,
        (false, false) => {
            if let Err(e) = l.start().await {
                tracing::warn!(error = %e, url = %l.url(), "simulated DBC client cannot listen again");
            }
        }
        _ => {}
    }
}

fn write_flag(layout: &Layout, k: usize, stopped: bool) -> Result<()> {
    let path = stop_flag(layout, k);
    let r = if stopped { std::fs::write(&path, b"") } else { std::fs::remove_file(&path) };
    match r {
        // Already started: no flag to remove.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !stopped => Ok(()),
        Err(e) => Err(Error::io(&path, &e)),
        Ok(()) => Ok(()),
    }
}

fn no_such_client(k: usize, n: usize) -> Error {
    Error::invalid_argument(format!("no simulated DBC client {k}: the practice network runs {n} (1 to {n})"))
        .with_data(serde_json::json!({ "client": k, "clients": n }))
}

/// What `dbc-sandbox client stop|start K` did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientState {
    pub client: usize,
    pub url: String,
    pub running: bool,
}

/// Ask the running practice network of `data_dir` (maybe in another
/// process) to stop or restart its client `k`, and wait until it has.
pub async fn request(data_dir: &Path, k: usize, stopped: bool) -> Result<ClientState> {
    let layout = Layout::new(data_dir);
    let s = state::require_live(&layout)?;
    let urls = s.endpoints.client_urls();
    let url = k.checked_sub(1).and_then(|i| urls.get(i)).cloned().ok_or_else(|| no_such_client(k, urls.len()))?;
    write_flag(&layout, k, stopped)?;
    let addr = url.trim_start_matches("http://").to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let listening = tokio::time::timeout(Duration::from_secs(1), tokio::net::TcpStream::connect(&addr))
            .await
            .is_ok_and(|c| c.is_ok());
        if listening != stopped {
            return Ok(ClientState { client: k, url, running: listening });
        }
        if tokio::time::Instant::now() >= deadline {
            let what = if stopped { "stop" } else { "start" };
            return Err(Error::internal(format!("simulated DBC client {k} ({url}) did not {what} within 10 s")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
