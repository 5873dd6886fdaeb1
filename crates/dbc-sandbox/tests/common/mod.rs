//! Shared test helpers: a fresh data dir whose `practice/cache` (spec download,
//! runtime metadata) is shared between tests, so only the first test pays for
//! extracting the metadata; starting and always stopping the practice network.
#![allow(dead_code)]

use dbc_sandbox::{Sandbox, SandboxConfig};
use std::path::PathBuf;

/// The shape of every live test: start the practice network on `cfg`, run
/// `body` against it, and stop the network whether `body` passed or panicked
/// (no chopsticks left behind), then let its panic go on.
pub async fn with_sandbox(cfg: SandboxConfig, body: impl AsyncFnOnce(&Sandbox)) {
    dbc_sandbox::install_crypto_provider();
    let sandbox = start(cfg).await;
    let result = catching(body(&sandbox)).await;
    stop_then_rethrow(sandbox, result).await;
}

/// A `dbc` chain client for `url` (the practice network or a proxy in front of it).
pub async fn connect(url: &str) -> dbc::chain::ChainClient {
    dbc::chain::client::connect("practice", url, None, Default::default(), None)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"))
        .0
}

/// Start the practice network, or fail the test saying how to get it.
pub async fn start(cfg: SandboxConfig) -> Sandbox {
    Sandbox::start(cfg).await.unwrap_or_else(|e| {
        panic!("practice network unavailable (run `make sandbox-deps`): {} ({})", e.message, e.code)
    })
}

/// Run `body` to its end or its panic (`stop_then_rethrow` comes next).
pub async fn catching<F: std::future::Future<Output = ()>>(body: F) -> std::thread::Result<()> {
    futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(body)).await
}

/// Stop the network whether the test passed or panicked (no chopsticks left
/// behind), then let its panic go on.
pub async fn stop_then_rethrow(sandbox: Sandbox, result: std::thread::Result<()>) {
    sandbox.stop().await.expect("stop sandbox");
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A practice network of `machines` seeded machines in `dir` with the DBC
/// client simulator beside it, whose VMs boot in `vm_boot_secs`.
pub fn with_client_sim(dir: &tempfile::TempDir, machines: usize, vm_boot_secs: u64) -> SandboxConfig {
    let mut cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), machines);
    cfg.client_sim = true;
    cfg.vm_boot_secs = vm_boot_secs;
    cfg
}

pub fn data_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let shared = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sandbox-cache");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::create_dir_all(d.path().join("practice")).unwrap();
    std::os::unix::fs::symlink(&shared, d.path().join("practice/cache")).unwrap();
    d
}

/// Every process whose process group is `pgid` (from /proc).
pub fn processes_in_group(pgid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // fields after ") ": state ppid pgrp ...
        let rest: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        if rest.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid) && rest.first() != Some(&"Z") {
            out.push(pid);
        }
    }
    out
}

/// Processes whose command line mentions `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            if String::from_utf8_lossy(&cmd).contains(needle) {
                out.push(pid);
            }
        }
    }
    out
}
