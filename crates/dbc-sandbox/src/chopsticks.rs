//! Launch chopsticks, wait until it answers, watch it, stop it.
//!
//! `node -r js/parent-watch.cjs js/node_modules/@acala-network/chopsticks/chopsticks.cjs --config=<yml>`
//! in its own process group (so one signal reaches everything it starts),
//! stdout and stderr appended to `chain/chopsticks.log`. The config is JSON,
//! which is valid YAML. A supervisor task owns the child and publishes its
//! exit; `stop` sends SIGTERM to the group and SIGKILL after a grace period;
//! dropping a [`Chopsticks`] that was not stopped kills the group at once.
//! `parent-watch.cjs` makes chopsticks exit if this process dies without
//! cleaning up (SIGKILL, crash).

use crate::js::JsEnv;
use dbc::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What to start.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    pub genesis: PathBuf,
    pub db: Option<PathBuf>,
    /// Resume from the newest block in `db` (YAML `resume: true`; the CLI flag is broken, sandbox.md §5).
    pub resume: bool,
    pub config_path: PathBuf,
    pub log_path: PathBuf,
    /// 0 = pick a free port.
    pub port: u16,
    pub mock_signature_host: bool,
    pub ready_timeout: Duration,
}

/// A running chopsticks.
pub struct Chopsticks {
    pid: u32,
    port: u16,
    log_path: PathBuf,
    exit: watch::Receiver<Option<String>>,
    stopped: bool,
}

/// A free TCP port on 127.0.0.1 (bind to 0, read it, release it).
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|e| Error::internal(format!("no free port: {e}")))?;
    Ok(l.local_addr().map_err(|e| Error::internal(e.to_string()))?.port())
}

/// The last `n` lines of a log file (for error messages).
pub fn log_tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn write_config(o: &LaunchOptions, port: u16) -> Result<()> {
    let mut cfg = serde_json::json!({
        "genesis": o.genesis.display().to_string(),
        "host": "127.0.0.1",
        "port": port,
        "build-block-mode": "Instant",
        "mock-signature-host": o.mock_signature_host,
        "runtime-log-level": 2,
    });
    if let Some(db) = &o.db {
        cfg["db"] = db.display().to_string().into();
        if o.resume {
            cfg["resume"] = true.into();
        }
    }
    let bytes = serde_json::to_vec_pretty(&cfg).map_err(|e| Error::internal(e.to_string()))?;
    dbc::paths::write_atomic(&o.config_path, &bytes).map_err(|e| Error::io(&o.config_path, &e))
}

/// A chopsticks process just started (see [`spawn`]).
pub(crate) struct Spawned {
    pub pid: u32,
    /// `Some(exit status)` once the process has exited.
    pub exit: watch::Receiver<Option<String>>,
}

/// Start chopsticks with `config_path`: in its own process group (so a stop
/// reaches every child), behind the parent watch (it ends when we do), its
/// output appended to `log_path`. `what` names it in errors.
pub(crate) fn spawn(js: &JsEnv, config_path: &Path, log_path: &Path, cwd: &Path, what: &str) -> Result<Spawned> {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(log_path).map_err(|e| Error::io(log_path, &e))?;
    let log2 = log.try_clone().map_err(|e| Error::io(log_path, &e))?;
    let mut cmd = tokio::process::Command::new(&js.node);
    cmd.arg("-r")
        .arg(js.script("parent-watch.cjs"))
        .arg(js.chopsticks())
        .arg(format!("--config={}", config_path.display()))
        .env("DBC_SANDBOX_PARENT_PID", std::process::id().to_string())
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::new(ErrorCode::NodeMissing, format!("cannot run {}: {e}", js.node.display())))?;
    let pid = child.id().ok_or_else(|| Error::internal(format!("{what} exited at once")))?;
    let (tx, exit) = watch::channel(None);
    tokio::spawn(async move {
        let status = match child.wait().await {
            Ok(s) => s.to_string(),
            Err(e) => format!("wait failed: {e}"),
        };
        let _ = tx.send(Some(status));
    });
    Ok(Spawned { pid, exit })
}

/// Wait until chopsticks on `port` answers `chain_getHeader`; `Err(why)`
/// when it exits first or `timeout` passes.
pub(crate) async fn wait_answering(
    port: u16,
    exit: &watch::Receiver<Option<String>>,
    timeout: Duration,
    what: &str,
) -> std::result::Result<(), String> {
    let start = Instant::now();
    let url = format!("ws://127.0.0.1:{port}");
    loop {
        if let Some(status) = exit.borrow().clone() {
            return Err(format!("{what} exited during start-up ({status})"));
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            if let Ok(rpc) = subxt::rpcs::RpcClient::from_insecure_url(&url).await {
                let header: std::result::Result<serde_json::Value, _> =
                    rpc.request("chain_getHeader", subxt::rpcs::rpc_params![]).await;
                if header.is_ok() {
                    return Ok(());
                }
            }
        }
        if start.elapsed() > timeout {
            return Err(format!("{what} did not answer within {timeout:?}"));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

impl Chopsticks {
    /// Start chopsticks and wait until its RPC answers `chain_getHeader`.
    pub async fn launch(js: &JsEnv, opts: &LaunchOptions) -> Result<Chopsticks> {
        let port = if opts.port == 0 { free_port()? } else { opts.port };
        write_config(opts, port)?;
        let cwd = opts.config_path.parent().unwrap_or(Path::new("."));
        let Spawned { pid, exit: rx } = spawn(js, &opts.config_path, &opts.log_path, cwd, "chopsticks")?;
        let mut me = Chopsticks { pid, port, log_path: opts.log_path.clone(), exit: rx, stopped: false };
        tracing::info!(pid, port, "chopsticks started");
        if let Err(e) = me.wait_ready(opts.ready_timeout).await {
            me.stop().await.ok();
            return Err(e);
        }
        Ok(me)
    }

    async fn wait_ready(&self, timeout: Duration) -> Result<()> {
        wait_answering(self.port, &self.exit, timeout, "chopsticks").await.map_err(|why| self.failed(why))
    }

    fn failed(&self, why: String) -> Error {
        Error::new(
            ErrorCode::SandboxStartFailed,
            format!("{why}; log {}:\n{}", self.log_path.display(), log_tail(&self.log_path, 15)),
        )
        .with_data(serde_json::json!({"log": self.log_path.display().to_string()}))
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// `Some(status)` once the process has exited.
    pub fn exit_status(&self) -> Option<String> {
        self.exit.borrow().clone()
    }

    /// Resolves when the process exits (for any reason), with its status.
    pub async fn exited(&self) -> String {
        let mut rx = self.exit.clone();
        loop {
            if let Some(s) = rx.borrow_and_update().clone() {
                return s;
            }
            if rx.changed().await.is_err() {
                return "unknown".into();
            }
        }
    }

    /// An error describing an unexpected exit.
    pub fn crashed_error(&self, status: &str) -> Error {
        Error::new(
            ErrorCode::SandboxCrashed,
            format!(
                "the practice chain stopped unexpectedly ({status}); log {}:\n{}",
                self.log_path.display(),
                log_tail(&self.log_path, 15)
            ),
        )
        .with_data(serde_json::json!({"log": self.log_path.display().to_string(), "status": status}))
    }

    /// SIGTERM to the group, SIGKILL after 5 s; returns once the process is gone.
    pub async fn stop(&mut self) -> Result<()> {
        self.stopped = true;
        if self.exit_status().is_some() {
            return Ok(());
        }
        signal_group(self.pid, libc::SIGTERM);
        if tokio::time::timeout(Duration::from_secs(5), self.exited()).await.is_err() {
            tracing::warn!(pid = self.pid, "chopsticks ignored SIGTERM; killing it");
            signal_group(self.pid, libc::SIGKILL);
            let _ = tokio::time::timeout(Duration::from_secs(5), self.exited()).await;
        }
        Ok(())
    }
}

impl Drop for Chopsticks {
    fn drop(&mut self) {
        if !self.stopped && self.exit_status().is_none() {
            signal_group(self.pid, libc::SIGKILL);
        }
    }
}

/// Send `sig` to the process group led by `pid` (chopsticks and anything it started).
pub fn signal_group(pid: u32, sig: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
    unsafe {
        libc::kill(-(pid as i32), sig);
    }
}

/// Is a process with this pid alive (and not a zombie)?
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // state is the field after "(comm)"
            let state = stat.rsplit(')').next().and_then(|r| r.split_whitespace().next());
            state != Some("Z") && state != Some("X")
        }
        // Not Linux, or gone: fall back to kill(pid, 0).
        // SAFETY: signal 0 only checks for existence.
        Err(_) if std::path::Path::new("/proc/self").exists() => false,
        Err(_) => unsafe { libc::kill(pid as i32, 0) == 0 },
    }
}
