//! Where the practice network keeps its files, all under `<data dir>/practice/`.
//!
//! ```text
//! practice/
//!   state.json                 the running network (chain URL, pid, accounts), absent when down
//!   cache/dbc-spec-v4.json     downloaded chain spec (only when no local copy was found)
//!   cache/metadata-<sha>.scale runtime metadata, keyed by the sha256 of the spec's `:code`
//!   chain/spec.json            the prepared spec: sorted, timestamped, seed baked in
//!   chain/prepared.json        what chain/spec.json was made from (source hash, seed fingerprint)
//!   chain/db.sqlite            chopsticks' block store (resume across restarts)
//!   chain/chopsticks.yml       the launch config
//!   chain/chopsticks.log       chopsticks' stdout and stderr
//!   vms/<task_id>/             a simulated VM's folder: host_key, home/, logins.jsonl, gpu_model,
//!                              task.json (the saved VM, 0600; forgotten with the chain when it is new)
//! ```

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The practice folder inside the app's data dir.
    pub fn new(data_dir: &Path) -> Self {
        Layout { root: dbc::practice::dir(data_dir) }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// Read by the CLI and the app through `dbc::practice`.
    pub fn state(&self) -> PathBuf {
        self.root.join("state.json")
    }
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }
    pub fn spec_cache(&self) -> PathBuf {
        self.cache_dir().join(crate::spec::SPEC_FILE_NAME)
    }
    pub fn metadata_cache(&self, code_sha256: &str) -> PathBuf {
        self.cache_dir().join(format!("metadata-{code_sha256}.scale"))
    }
    pub fn chain_dir(&self) -> PathBuf {
        self.root.join("chain")
    }
    pub fn prepared_spec(&self) -> PathBuf {
        self.chain_dir().join("spec.json")
    }
    pub fn prepared_info(&self) -> PathBuf {
        self.chain_dir().join("prepared.json")
    }
    pub fn db(&self) -> PathBuf {
        self.chain_dir().join("db.sqlite")
    }
    pub fn config(&self) -> PathBuf {
        self.chain_dir().join("chopsticks.yml")
    }
    pub fn log(&self) -> PathBuf {
        self.chain_dir().join("chopsticks.log")
    }
    /// The DBC client simulator's VM folders (see `client_sim::ssh::VmFolder`).
    pub fn vms_dir(&self) -> PathBuf {
        self.root.join("vms")
    }
    /// The chain's instance id (hex), kept beside its block store.
    pub fn instance(&self) -> PathBuf {
        self.chain_dir().join("instance")
    }

    /// Remove the block store and its sqlite side files (WAL, shared memory):
    /// done whenever the prepared spec changes, since a db only fits the spec
    /// it was made from.
    pub fn remove_db(&self) -> std::io::Result<()> {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = PathBuf::from(format!("{}{suffix}", self.db().display()));
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
