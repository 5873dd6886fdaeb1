//! The app's connection to DBC: which network it is on, the chain manager for
//! it, and the practice network when the app started one. Orchestration only;
//! connecting, failover and the practice network itself live in `dbc` and
//! `dbc-sandbox`.

use dbc::chain::{ChainClient, ChainManager, NonceTracker};
use dbc::network::{ConnectionState, NetworkChoice, NetworkStatus};
use dbc::settings::Settings;
use dbc::{Error, ErrorCode, Result};
use dbc_sandbox::{Sandbox, SandboxConfig, Stage};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

/// How long `start_practice` waits for the chain manager after the network is up.
const PRACTICE_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a chain action waits for a connection being (re)made.
const CLIENT_WAIT: Duration = Duration::from_secs(10);
/// How often the app checks that the practice chain it started is alive.
const CRASH_POLL: Duration = Duration::from_secs(2);

/// One practice account as the UI lists it (without its secret URI).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct PracticeAccountView {
    pub name: String,
    pub role: String,
    pub address: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct PracticeInfo {
    pub running: bool,
    /// True when this app started it (and stops it when leaving practice or quitting).
    pub owned_by_app: bool,
    pub chain: Option<String>,
    pub client: Option<String>,
    pub accounts: Vec<PracticeAccountView>,
}

/// A start-up stage as the progress display gets it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct PracticeProgress {
    /// `stage_name` below (the sandbox crate has no TypeScript derive).
    #[ts(type = "'preparing-spec' | 'seeding' | 'starting-chain' | 'starting-client' | 'connecting' | 'ready'")]
    pub stage: &'static str,
    pub elapsed_ms: u64,
}

#[derive(Default)]
struct Inner {
    manager: Option<ChainManager>,
    /// Nonces handed out on the current network (a new network, a new tracker).
    nonces: Arc<NonceTracker>,
    forward: Option<tokio::task::JoinHandle<()>>,
    practice: Option<Sandbox>,
}

pub struct NetworkService {
    /// A handle on ourselves for background tasks (the service lives in an Arc).
    me: std::sync::Weak<NetworkService>,
    data_dir: PathBuf,
    /// The status the UI sees; follows whichever manager is current.
    status: watch::Sender<NetworkStatus>,
    /// Why the practice network this app started went away (it crashed, or
    /// `dbc-sandbox down` stopped it). The manager only sees a refused
    /// socket; this names the cause in the status until it connects again.
    practice_gone: watch::Sender<Option<Error>>,
    inner: Mutex<Inner>,
}

/// The status to show: the manager's, with the known cause of a practice
/// network's disappearance in place of "no node answered" until it is back.
fn with_cause(mut status: NetworkStatus, gone: Option<&Error>) -> NetworkStatus {
    if let Some(e) = gone {
        if status.state != ConnectionState::Connected {
            status.state = ConnectionState::Offline;
            status.last_error = Some(e.clone());
        }
    }
    status
}

impl NetworkService {
    pub fn new(data_dir: PathBuf, choice: &NetworkChoice) -> Arc<Self> {
        let (status, _) = watch::channel(NetworkStatus::not_connected(choice));
        let (practice_gone, _) = watch::channel(None);
        Arc::new_cyclic(|me| NetworkService {
            me: me.clone(),
            data_dir,
            status,
            practice_gone,
            inner: Mutex::new(Inner::default()),
        })
    }

    pub fn status(&self) -> NetworkStatus {
        self.status.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<NetworkStatus> {
        self.status.subscribe()
    }

    /// Connect to `settings.network`, replacing the current connection. A
    /// practice network this app started is stopped when leaving practice.
    pub async fn connect(&self, settings: &Settings) -> Result<()> {
        let mut inner = self.inner.lock().await;
        if settings.network != NetworkChoice::Practice {
            if let Some(sandbox) = inner.practice.take() {
                tracing::info!("leaving practice: stopping the practice network this app started");
                sandbox.stop().await?;
            }
        }
        self.replace_manager(&mut inner, settings)
    }

    fn replace_manager(&self, inner: &mut Inner, settings: &Settings) -> Result<()> {
        if let Some(f) = inner.forward.take() {
            f.abort();
        }
        inner.manager = None;
        self.practice_gone.send_replace(None);
        // The practice network is looked up again on every round, so a manager
        // for it starts even when nothing runs yet (and finds it once it does).
        let endpoints = settings.checked_endpoints(&settings.network);
        let manager = match endpoints.and_then(|e| dbc::chain::manager_for(&settings.network, e, &self.data_dir)) {
            Ok(m) => m,
            Err(e) => {
                // Nothing to dial (a mainnet list or custom URL the user must fix): say so.
                self.status.send_replace(NetworkStatus {
                    state: ConnectionState::Offline,
                    last_error: Some(e.clone()),
                    ..NetworkStatus::not_connected(&settings.network)
                });
                return Err(e);
            }
        };
        inner.nonces = Arc::new(NonceTracker::new());
        let mut rx = manager.subscribe();
        let mut gone = self.practice_gone.subscribe();
        let public = self.status.clone();
        public.send_replace(with_cause(rx.borrow_and_update().clone(), gone.borrow_and_update().as_ref()));
        let clear = self.practice_gone.clone();
        inner.forward = Some(tokio::spawn(async move {
            loop {
                tokio::select! {
                    r = rx.changed() => if r.is_err() { break },
                    r = gone.changed() => if r.is_err() { break },
                }
                let status = rx.borrow_and_update().clone();
                if status.state == ConnectionState::Connected {
                    // Back: the cause no longer applies.
                    clear.send_if_modified(|g| g.take().is_some());
                }
                public.send_replace(with_cause(status, gone.borrow_and_update().as_ref()));
            }
        }));
        inner.manager = Some(manager);
        Ok(())
    }

    /// Start the practice network (unless one already runs for this data
    /// dir, e.g. from `dbc-sandbox up`), then connect to it. `progress` gets
    /// each stage.
    pub async fn start_practice(
        &self,
        settings: &Settings,
        progress: impl Fn(&'static str) + Send + Sync + 'static,
    ) -> Result<PracticeInfo> {
        let mut inner = self.inner.lock().await;
        let progress = Arc::new(progress);
        // A network this app started that has since ended (a crash, or
        // `dbc-sandbox down`) is not "already running": clean it up and start anew.
        if inner.practice.as_ref().is_some_and(|s| s.exit_reason().is_some()) {
            if let Some(dead) = inner.practice.take() {
                let _ = dead.stop().await;
            }
        }
        let already = inner.practice.is_some() || self.external_practice_alive().await;
        if !already {
            if let Some(f) = inner.forward.take() {
                f.abort();
            }
            inner.manager = None;
            self.status.send_replace(NetworkStatus {
                state: ConnectionState::Connecting,
                ..NetworkStatus::not_connected(&NetworkChoice::Practice)
            });
            let mut cfg = SandboxConfig::new(self.data_dir.clone());
            let p = progress.clone();
            cfg.progress = Some(Arc::new(move |s: Stage| {
                if let Some(name) = stage_name(s) {
                    p(name)
                }
            }));
            match Sandbox::start(cfg).await {
                Ok(sandbox) => {
                    inner.practice = Some(sandbox);
                    self.watch_for_crash();
                }
                Err(e) => {
                    self.status.send_replace(NetworkStatus {
                        state: ConnectionState::Offline,
                        last_error: Some(e.clone()),
                        ..NetworkStatus::not_connected(&NetworkChoice::Practice)
                    });
                    return Err(e);
                }
            }
        }
        progress("connecting");
        let mut practice_settings = settings.clone();
        practice_settings.network = NetworkChoice::Practice;
        self.replace_manager(&mut inner, &practice_settings)?;
        let manager = inner.manager.as_ref().expect("manager just started");
        manager.wait_connected(PRACTICE_CONNECT_TIMEOUT).await?;
        progress("ready");
        Ok(self.practice_info_locked(&inner))
    }

    /// If the practice chain this app started ends (killed, out of memory, or
    /// `dbc-sandbox down`), say why in the status with the log's location,
    /// instead of an endless "reconnecting". The manager stays: it looks the
    /// network up on every round, so one started again (here or with
    /// `dbc-sandbox up`, on any port) is joined within seconds.
    fn watch_for_crash(&self) {
        let Some(service) = self.me.upgrade() else { return };
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CRASH_POLL).await;
                let mut inner = service.inner.lock().await;
                let Some(sandbox) = inner.practice.as_ref() else { return };
                let Some(reason) = sandbox.exit_reason() else { continue };
                let cause = match reason {
                    dbc_sandbox::ExitReason::Crashed(e) => {
                        tracing::error!(error = %e, "the practice network crashed");
                        e
                    }
                    dbc_sandbox::ExitReason::Requested => {
                        tracing::info!("the practice network was stopped from outside (dbc-sandbox down)");
                        Error::new(ErrorCode::SandboxNotRunning, "the practice network was stopped (dbc-sandbox down)")
                            .with_data(serde_json::json!({ "reason": "stopped" }))
                    }
                };
                // Its ticker and client simulator go with it; so does its state.json.
                if let Some(dead) = inner.practice.take() {
                    let _ = dead.stop().await;
                }
                if inner.manager.is_some() {
                    service.practice_gone.send_replace(Some(cause));
                } else {
                    service.status.send_replace(NetworkStatus {
                        state: ConnectionState::Offline,
                        last_error: Some(cause),
                        ..NetworkStatus::not_connected(&NetworkChoice::Practice)
                    });
                }
                return;
            }
        });
    }

    /// A practice network started elsewhere (the CLI) that still answers.
    async fn external_practice_alive(&self) -> bool {
        match dbc::practice::running(&self.data_dir) {
            Ok(Some(p)) => {
                tokio::net::TcpStream::connect(p.chain.trim_start_matches("ws://").trim_end_matches('/')).await.is_ok()
            }
            _ => false,
        }
    }

    pub async fn practice_info(&self) -> PracticeInfo {
        let inner = self.inner.lock().await;
        self.practice_info_locked(&inner)
    }

    fn practice_info_locked(&self, inner: &Inner) -> PracticeInfo {
        let state = dbc_sandbox::state::read_live(&dbc_sandbox::layout::Layout::new(&self.data_dir)).ok().flatten();
        match state {
            Some(s) => PracticeInfo {
                running: true,
                owned_by_app: inner.practice.is_some(),
                chain: Some(s.endpoints.chain),
                client: s.endpoints.client,
                accounts: s
                    .accounts
                    .into_iter()
                    .map(|a| PracticeAccountView {
                        name: a.name,
                        role: serde_json::to_value(a.role)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        address: a.address,
                    })
                    .collect(),
            },
            None => {
                PracticeInfo { running: false, owned_by_app: false, chain: None, client: None, accounts: Vec::new() }
            }
        }
    }

    /// Stop the practice network this app started (one started by the CLI is left alone).
    pub async fn stop_practice(&self) -> Result<PracticeInfo> {
        let mut inner = self.inner.lock().await;
        if let Some(sandbox) = inner.practice.take() {
            sandbox.stop().await?;
        }
        Ok(self.practice_info_locked(&inner))
    }

    /// Send `planck` from the practice faucet to `address`; returns the receipt
    /// and the new free balance.
    pub async fn practice_fund(&self, address: &str, planck: u128) -> Result<(dbc_sandbox::FundReceipt, u128)> {
        let receipt = dbc_sandbox::faucet::fund_running(&self.data_dir, address, planck).await?;
        let (client, _) = self.client().await?;
        let who = dbc_sandbox::faucet::parse_account(address)?;
        let balance = dbc::chain::account::balance(&client, &who).await?;
        Ok((receipt, balance.free))
    }

    /// A live client and the nonce tracker of the current network, waiting
    /// briefly while (re)connecting; `network-unreachable` otherwise.
    pub async fn client(&self) -> Result<(ChainClient, Arc<NonceTracker>)> {
        let (waiting, nonces) = {
            let inner = self.inner.lock().await;
            let Some(m) = inner.manager.as_ref() else {
                return Err(Error::new(ErrorCode::NetworkUnreachable, "not connected to any network")
                    .with_data(serde_json::json!({"network": self.status().network, "endpoint": ""})));
            };
            if let Some(c) = m.client() {
                return Ok((c, inner.nonces.clone()));
            }
            // Offline is an answer, not a wait: the reason is known now (the
            // balance says "unavailable while offline" at once, not after 10 s).
            let now = self.status();
            if now.state == ConnectionState::Offline {
                return Err(now.last_error.unwrap_or_else(|| {
                    Error::new(ErrorCode::NetworkUnreachable, "offline").with_data(
                        serde_json::json!({"network": now.network, "endpoint": now.endpoint.unwrap_or_default()}),
                    )
                }));
            }
            (m.subscribe(), inner.nonces.clone())
        };
        let mut rx = waiting;
        let _ = tokio::time::timeout(CLIENT_WAIT, rx.wait_for(|s| s.state == ConnectionState::Connected)).await;
        let inner = self.inner.lock().await;
        match inner.manager.as_ref().and_then(ChainManager::client) {
            Some(c) => Ok((c, nonces)),
            None => Err(self.status().last_error.unwrap_or_else(|| {
                Error::new(ErrorCode::NetworkUnreachable, "not connected to the network yet").with_data(serde_json::json!({"network": self.status().network, "endpoint": self.status().endpoint.unwrap_or_default()}))
            })),
        }
    }

    pub async fn retry(&self) {
        if let Some(m) = self.inner.lock().await.manager.as_ref() {
            m.retry_now();
        }
    }

    /// On quit: stop a practice network this app started.
    pub async fn shutdown(&self) {
        let mut inner = self.inner.lock().await;
        if let Some(f) = inner.forward.take() {
            f.abort();
        }
        inner.manager = None;
        if let Some(sandbox) = inner.practice.take() {
            if let Err(e) = sandbox.stop().await {
                tracing::warn!(error = %e, "stopping the practice network on quit");
            }
        }
    }
}

/// The UI's stage names; the sandbox's own `Ready` is not the end for the
/// user (the app still has to connect), so it is not forwarded.
fn stage_name(s: Stage) -> Option<&'static str> {
    match s {
        Stage::PreparingSpec => Some("preparing-spec"),
        Stage::Seeding => Some("seeding"),
        Stage::StartingChain => Some("starting-chain"),
        Stage::StartingClient => Some("starting-client"),
        Stage::Ready => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_err(code: ErrorCode) -> Error {
        Error::new(code, "x")
    }

    #[test]
    fn a_known_cause_replaces_no_node_answered_until_connected() {
        let mut s = NetworkStatus::not_connected(&NetworkChoice::Practice);
        s.state = ConnectionState::Reconnecting;
        s.last_error = Some(offline_err(ErrorCode::NetworkUnreachable));
        let crashed = offline_err(ErrorCode::SandboxCrashed);
        let shown = with_cause(s.clone(), Some(&crashed));
        assert_eq!(
            (shown.state, shown.last_error.unwrap().code),
            (ConnectionState::Offline, ErrorCode::SandboxCrashed)
        );
        assert_eq!(with_cause(s.clone(), None).state, ConnectionState::Reconnecting);
        s.state = ConnectionState::Connected;
        s.last_error = None;
        assert_eq!(with_cause(s, Some(&crashed)).state, ConnectionState::Connected);
    }

    #[tokio::test]
    async fn offline_is_answered_at_once_not_after_the_reconnect_wait() {
        let dir = tempfile::tempdir().unwrap();
        let choice = NetworkChoice::Custom("ws://127.0.0.1:1".into());
        let service = NetworkService::new(dir.path().to_path_buf(), &choice);
        let settings = Settings { network: choice, ..Settings::default() };
        let mut rx = service.subscribe();
        service.connect(&settings).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|s| s.state == ConnectionState::Offline))
            .await
            .unwrap()
            .unwrap();
        let t = std::time::Instant::now();
        let err = service.client().await.unwrap_err();
        assert!(t.elapsed() < Duration::from_millis(500), "took {:?} (CLIENT_WAIT is {CLIENT_WAIT:?})", t.elapsed());
        assert_eq!(err.code, ErrorCode::NetworkUnreachable);
    }

    #[tokio::test]
    async fn practice_without_a_running_network_still_gets_a_manager() {
        // Before: no state.json meant no manager, so Retry and a later
        // `dbc-sandbox up` changed nothing until the user switched networks.
        let dir = tempfile::tempdir().unwrap();
        let service = NetworkService::new(dir.path().to_path_buf(), &NetworkChoice::Practice);
        let settings = Settings { network: NetworkChoice::Practice, ..Settings::default() };
        let mut rx = service.subscribe();
        service.connect(&settings).await.unwrap();
        assert!(service.inner.lock().await.manager.is_some());
        let s = tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|s| s.state == ConnectionState::Offline))
            .await
            .unwrap()
            .unwrap()
            .clone();
        assert_eq!(s.last_error.unwrap().code, ErrorCode::SandboxNotRunning);
    }
}
