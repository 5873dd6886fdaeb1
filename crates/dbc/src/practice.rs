//! Finding a running practice network.
//!
//! `dbc-sandbox` (the practice network, which depends on this crate) writes
//! `<data dir>/practice/state.json` when its chain and DBC client simulator
//! are ready and removes it when they stop. The CLI and the app read it here
//! to learn where to connect. The file's endpoints are this one type, which
//! the practice network writes (flattened into its own state) and every
//! reader reads.

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The practice network's folder inside the data dir.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("practice")
}

/// The file a running practice network describes itself in.
pub fn state_path(data_dir: &Path) -> PathBuf {
    dir(data_dir).join("state.json")
}

/// Where a running practice network answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PracticeEndpoints {
    /// The chain, `ws://127.0.0.1:PORT`.
    pub chain: String,
    /// The DBC client simulator, `http://127.0.0.1:PORT` (the first of
    /// `clients`; kept for files written before there were several).
    #[serde(default)]
    pub client: Option<String>,
    /// Every simulated DBC client, the first (which sees every node) first.
    #[serde(default)]
    pub clients: Vec<String>,
    /// The chain process (its liveness is the sandbox's business; a stale
    /// file simply fails to connect).
    pub pid: u32,
}

impl PracticeEndpoints {
    /// The practice network's DBC clients, in order: `clients`, or the one
    /// `client` of an older state file.
    pub fn client_urls(&self) -> Vec<String> {
        if self.clients.is_empty() {
            self.client.iter().cloned().collect()
        } else {
            self.clients.clone()
        }
    }
}

/// The running practice network of `data_dir`, if its state file exists.
pub fn running(data_dir: &Path) -> Result<Option<PracticeEndpoints>> {
    let path = state_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::new(ErrorCode::StorageCorrupt, format!("{}: {e}", path.display()))
                .with_data(serde_json::json!({ "path": path.display().to_string() }))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, &e)),
    }
}

/// Like [`running`], but a missing network is an error that says how to start one.
pub fn require_running(data_dir: &Path) -> Result<PracticeEndpoints> {
    running(data_dir)?.ok_or_else(|| {
        Error::new(
            ErrorCode::SandboxNotRunning,
            "the practice network is not running: start it in the app (Settings > Network > Practice) or with `dbc-sandbox up`",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_sandbox_writes_and_explains_absence() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(running(d.path()).unwrap(), None);
        assert_eq!(require_running(d.path()).unwrap_err().code, ErrorCode::SandboxNotRunning);
        std::fs::create_dir_all(dir(d.path())).unwrap();
        std::fs::write(
            state_path(d.path()),
            r#"{"chain":"ws://127.0.0.1:9944","client":"http://127.0.0.1:5000","pid":7,"ownerPid":8,"machines":60,"log":"x","accounts":[]}"#,
        )
        .unwrap();
        let p = require_running(d.path()).unwrap();
        assert_eq!(
            (p.chain.as_str(), p.client.as_deref(), p.pid),
            ("ws://127.0.0.1:9944", Some("http://127.0.0.1:5000"), 7)
        );
        assert_eq!(p.client_urls(), ["http://127.0.0.1:5000"], "an older file names one client");
        std::fs::write(
            state_path(d.path()),
            r#"{"chain":"ws://127.0.0.1:9944","client":"http://127.0.0.1:5000","clients":["http://127.0.0.1:5000","http://127.0.0.1:5001"],"pid":7}"#,
        )
        .unwrap();
        assert_eq!(
            require_running(d.path()).unwrap().client_urls(),
            ["http://127.0.0.1:5000", "http://127.0.0.1:5001"]
        );
        std::fs::write(state_path(d.path()), b"garbage").unwrap();
        assert_eq!(running(d.path()).unwrap_err().code, ErrorCode::StorageCorrupt);
    }
}
