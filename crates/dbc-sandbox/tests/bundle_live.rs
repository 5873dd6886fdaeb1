//! The practice network as a package ships it: `js/bundle.cjs` turns the
//! pinned chopsticks install into a folder of a few files, which runs the
//! network with nothing but Node.js — no node_modules on any path Node could
//! search (the folder lives in a temp dir outside the repository) — and with
//! the chain spec read from the package's own checked copy.

mod common;

use dbc_sandbox::{spec, SandboxConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bundle_into(out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("js/bundle.cjs");
    let run = Command::new("node").arg(&script).arg(out).output().expect("node runs");
    assert!(run.status.success(), "bundle.cjs failed: {}", String::from_utf8_lossy(&run.stderr));
    let listed = String::from_utf8_lossy(&run.stdout);
    for f in ["chopsticks.cjs", "node-wasm-executor.js", "metadata.cjs", "parent-watch.cjs", "node_sqlite3.node"] {
        assert!(out.join(f).is_file(), "{f} missing from the bundle; it printed:\n{listed}");
    }
    assert!(!out.join("node_modules").exists(), "the bundle has no node_modules");
}

fn cmdline(pid: u32) -> String {
    String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()).replace('\0', " ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_runs_the_practice_network_with_only_node() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("lib/DBC Rent/practice");
    bundle_into(&bundle);
    let shared: PathBuf = spec::shared_candidates().into_iter().find(|p| p.is_file()).expect("../shared has the spec");
    std::fs::copy(&shared, bundle.join(spec::SPEC_FILE_NAME)).unwrap();

    // A data dir of its own (no shared metadata cache): the bundled
    // metadata.cjs extracts the runtime metadata too.
    let data = tmp.path().join("data");
    let mut cfg = SandboxConfig::new(data.clone());
    cfg.js_dir = Some(bundle.clone());
    cfg.block_time = None;
    let sandbox = common::start(cfg).await;
    let pid = sandbox.pid();
    let result = common::catching(async {
        let chopsticks: Vec<String> = common::processes_in_group(pid).into_iter().map(cmdline).collect();
        assert!(
            chopsticks.iter().any(|c| c.contains(&bundle.join("chopsticks.cjs").display().to_string())),
            "the network runs the bundle: {chopsticks:?}"
        );
        let (before, _) = sandbox.chain().best().await.unwrap();
        sandbox.advance(2).await.unwrap();
        let (after, _) = sandbox.chain().best().await.unwrap();
        assert_eq!(after, before + 2, "the bundled chain builds blocks");
        // The DBC client simulator answers beside it.
        let client = sandbox.client_url().expect("client simulator").to_string();
        let version: serde_json::Value = reqwest::get(format!("{client}/api/v1/")).await.unwrap().json().await.unwrap();
        assert_eq!(version["errcode"], 0, "{version}");
    })
    .await;
    let (best, _) = sandbox.chain().best().await.unwrap();
    common::stop_then_rethrow(sandbox, result).await;

    // The blocks are in the bundle's sqlite (its native module): a restart resumes them.
    let mut cfg = SandboxConfig::new(data);
    cfg.js_dir = Some(bundle);
    cfg.block_time = None;
    let again = common::start(cfg).await;
    let resumed = again.chain().best().await.map(|(b, _)| b);
    again.stop().await.unwrap();
    assert_eq!(resumed.unwrap(), best, "the restart resumes at the last block");
}
