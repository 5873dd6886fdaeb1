//! Time from `Sandbox::start` to ready (RPC answering, seed loaded), for `make bench`.
//!
//! `cargo run --release -p dbc-sandbox --example ready_time -- [--cold] [--machines N] [--data-dir DIR] [--label L] [--budget-ms N]`
//!
//! Default: a warm start (the prepared spec, metadata and db from an earlier
//! run in `target/bench-sandbox` are reused; the first run ever is cold).
//! `--cold` forgets them first (seed built and baked, db dropped; the metadata
//! cache is kept). Prints one JSON line: readyMs, the stage split, chopsticks'
//! RSS and the seed size; with `--label`, first a human line that compares
//! the time with `--budget-ms` (default 15 000).

use dbc_sandbox::{Sandbox, SandboxConfig, SeedConfig};
use std::path::PathBuf;
use std::time::Instant;

fn rss_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    dbc_sandbox::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let cold = args.iter().any(|a| a == "--cold");
    let machines: usize = arg("--machines").and_then(|m| m.parse().ok()).unwrap_or(60);
    let dir = arg("--data-dir").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-sandbox").join(format!("m{machines}"))
    });
    let mut cfg = SandboxConfig::new(dir);
    cfg.block_time = None;
    cfg.fresh = cold;
    cfg.seed = SeedConfig { machines, ..SeedConfig::default() };
    let t = Instant::now();
    let sb = match Sandbox::start(cfg).await {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("error: {}", e.message);
            std::process::exit(1);
        }
    };
    let ready_ms = t.elapsed().as_millis();
    if let Some(label) = arg("--label") {
        let budget: u128 = arg("--budget-ms").and_then(|b| b.parse().ok()).unwrap_or(15_000);
        let verdict = if ready_ms <= budget { "within" } else { "OVER" };
        println!(
            "{label:<12} {machines:>5} machines  ready in {:>5.1} s  ({verdict} the {:.0} s budget; chain {:.1} s, prepare {:.1} s)",
            ready_ms as f64 / 1000.0,
            budget as f64 / 1000.0,
            sb.timings().chain_ms as f64 / 1000.0,
            sb.timings().prepare_ms as f64 / 1000.0,
        );
    }
    let out = serde_json::json!({
        "readyMs": ready_ms,
        "timings": sb.timings(),
        "machines": sb.summary().machines,
        "seedEntries": sb.summary().storage_entries,
        "seedBytes": sb.summary().storage_bytes,
        "chopsticksRssKb": rss_kb(sb.pid()),
    });
    println!("{out}");
    sb.stop().await.ok();
}
