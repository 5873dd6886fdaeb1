//! `practice/state.json`: how other processes (`dbc-rent --network practice`,
//! the app, `dbc-sandbox status|fund|advance|down`) find a running practice
//! network. Written when the network is ready, removed when it stops; a file
//! whose chopsticks process is gone is stale and ignored (then removed).

use crate::chopsticks::pid_alive;
use crate::layout::Layout;
use crate::seed::accounts::PracticeAccount;
use dbc::practice::PracticeEndpoints;
use dbc::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunningState {
    /// Where the chain and the simulated DBC clients answer, and chopsticks'
    /// pid (also its process group): the part the CLI and the app read.
    #[serde(flatten)]
    pub endpoints: PracticeEndpoints,
    /// The process that started the network and owns its lifetime.
    pub owner_pid: u32,
    /// Milliseconds between ticker blocks; `None` when blocks are only built on demand.
    #[serde(default)]
    pub block_ms: Option<u64>,
    pub machines: usize,
    pub log: String,
    pub accounts: Vec<PracticeAccount>,
}

pub fn read(layout: &Layout) -> Result<Option<RunningState>> {
    let path = layout.state();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, &e)),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::new(ErrorCode::StorageCorrupt, format!("{}: {e}", path.display()))
            .with_data(serde_json::json!({"path": path.display().to_string()}))
    })
}

/// The running network, if its chain process is alive; a stale file is removed.
pub fn read_live(layout: &Layout) -> Result<Option<RunningState>> {
    match read(layout)? {
        Some(s) if pid_alive(s.endpoints.pid) => Ok(Some(s)),
        Some(_) => {
            remove(layout);
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Like [`read_live`], but `sandbox-not-running` when there is none.
pub fn require_live(layout: &Layout) -> Result<RunningState> {
    read_live(layout)?.ok_or_else(|| {
        Error::new(ErrorCode::SandboxNotRunning, "no practice network is running (start one with `dbc-sandbox up`)")
    })
}

pub fn write(layout: &Layout, s: &RunningState) -> Result<()> {
    let path = layout.state();
    let bytes = serde_json::to_vec_pretty(s).map_err(|e| Error::internal(e.to_string()))?;
    dbc::paths::write_atomic(&path, &bytes).map_err(|e| Error::io(&path, &e))
}

pub fn remove(layout: &Layout) {
    let _ = std::fs::remove_file(layout.state());
}

/// Marker that a stop was asked for (`dbc-sandbox down`), so the owner treats
/// the chain's exit as requested, not as a crash.
pub fn stop_request(layout: &Layout) -> std::path::PathBuf {
    layout.root().join("stop-requested")
}
