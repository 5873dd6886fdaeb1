//! Shared test helpers: a fresh data dir whose `practice/cache` (spec download,
//! runtime metadata) is shared between tests, so only the first test pays for
//! extracting the metadata; starting and always stopping the practice network.
#![allow(dead_code)]

use dbc_sandbox::{Sandbox, SandboxConfig};
use std::path::PathBuf;

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
