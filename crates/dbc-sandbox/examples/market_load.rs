//! `make bench`: a full market load with our core against polkadot.js, on one
//! practice network of 2,000 machines, in one run.
//!
//! `cargo run --release -p dbc-sandbox --example market_load -- [--machines N] [--runs N] [--data-dir DIR]`
//!
//! - ours: `dbc::market::load_all` (every `MachinesInfo` entry decoded into a
//!   `Machine` with its country, `MachineRentedGPU`, the live orders' ends,
//!   the pricing storage), `--runs` times;
//! - polkadot.js (`js/market-load-bench.cjs`, @polkadot/api pinned in
//!   `js/package.json`): `machinesInfo.entries()` + `machineRentedGPU.entries()`
//!   at the same block, `--runs` times.
//!
//! Fairness: the same node, the same block (no blocks are built meanwhile),
//! one after the other, never at the same time. Connection set-up (socket,
//! runtime version, metadata) is excluded from both and printed apart.
//! Before either side, every map either side lists is listed once, untimed:
//! chopsticks builds a key cache on the first listing, which would otherwise
//! cost whichever side goes first a few seconds. "first" is each side's first
//! load after its set-up; "median" is over all runs. Built with `--release`
//! (polkadot.js runs JIT-optimized; a debug build of ours would measure
//! Rust's debug mode, not the loading strategy).
//! Prints a table, then one JSON line with every figure.

use dbc_sandbox::{js::JsEnv, Sandbox, SandboxConfig};
use std::path::PathBuf;
use std::time::Instant;

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolkadotJs {
    setup_ms: f64,
    times_ms: Vec<f64>,
    machines: usize,
    rented_entries: usize,
    block: String,
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("error: {what}: {e}");
    std::process::exit(1);
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    dbc_sandbox::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let machines: usize = arg("--machines").and_then(|m| m.parse().ok()).unwrap_or(2000);
    let runs: usize = arg("--runs").and_then(|m| m.parse().ok()).unwrap_or(7).max(1);
    let dir = arg("--data-dir").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-sandbox").join(format!("market-{machines}"))
    });
    let js = JsEnv::locate(None).unwrap_or_else(|e| fail("node / chopsticks", e.message));

    let t = Instant::now();
    let sb = Sandbox::start(SandboxConfig::chain_only(dir, machines))
        .await
        .unwrap_or_else(|e| fail("starting the practice network", e.message));
    let start_s = t.elapsed().as_secs_f64();
    let result = run(&sb, &js, machines, runs, start_s).await;
    sb.stop().await.ok();
    if let Err(e) = result {
        fail("bench", e);
    }
}

/// List every key of the maps either side lists (`MachinesInfo`, and
/// `MachineRentedGPU` for polkadot.js), untimed: chopsticks builds its key
/// cache on the first listing (seconds for 2,000 machines), and that cost
/// would otherwise fall on whichever side runs first.
async fn warm_node(sb: &Sandbox, hash: &str) -> Result<f64, String> {
    let t = Instant::now();
    for entry in ["MachinesInfo", "MachineRentedGPU"] {
        let prefix = format!(
            "0x{}",
            hex::encode(subxt::ext::frame_decode::storage::encode_storage_key_prefix("OnlineProfile", entry))
        );
        let mut start: Option<String> = None;
        loop {
            let page: Vec<String> = sb
                .chain()
                .rpc
                .request("state_getKeysPaged", subxt::rpcs::rpc_params![&prefix, 1000, start.clone(), hash])
                .await
                .map_err(|e| e.to_string())?;
            let full = page.len() == 1000;
            start = page.last().cloned();
            if !full {
                break;
            }
        }
    }
    Ok(t.elapsed().as_secs_f64() * 1e3)
}

async fn run(sb: &Sandbox, js: &JsEnv, machines: usize, runs: usize, start_s: f64) -> Result<(), String> {
    let (_, best) = sb.chain().best().await.map_err(|e| e.message)?;
    let warm_ms = warm_node(sb, &format!("0x{}", hex::encode(best.0))).await?;
    // ---- ours ----
    let t = Instant::now();
    let (client, _) = dbc::chain::client::connect("practice", sb.chain_url(), None, Default::default(), None)
        .await
        .map_err(|e| e.message)?;
    dbc::market::prefetch_metadata(&client).await.map_err(|e| e.message)?;
    let our_setup_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut ours = Vec::with_capacity(runs);
    let mut market = None;
    for _ in 0..runs {
        let t = Instant::now();
        let m = dbc::market::load_all(&client).await.map_err(|e| e.message)?;
        ours.push(t.elapsed().as_secs_f64() * 1e3);
        market = Some(m);
    }
    let market = market.expect("at least one run");
    if market.machines.len() != machines {
        return Err(format!("loaded {} machines, seeded {machines}", market.machines.len()));
    }

    // ---- polkadot.js, same node, same block ----
    let out = tokio::process::Command::new(&js.node)
        .arg(js.script("market-load-bench.cjs"))
        .arg(sb.chain_url())
        .arg(runs.to_string())
        .arg(&market.block_hash)
        .current_dir(&js.js_dir)
        .output()
        .await
        .map_err(|e| format!("running node: {e}"))?;
    if !out.status.success() {
        return Err(format!("market-load-bench.cjs failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let pjs: PolkadotJs =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&out.stdout)))?;
    if pjs.machines != machines || pjs.block != market.block_hash {
        return Err(format!(
            "polkadot.js read {} machines at {}, we read {} at {}",
            pjs.machines,
            pjs.block,
            market.machines.len(),
            market.block_hash
        ));
    }

    let (our_first, our_med) = (ours[0], median(&ours));
    let (pjs_first, pjs_med) = (pjs.times_ms[0], median(&pjs.times_ms));
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("== market: full load of {machines} machines at block #{} ({profile} build, {runs} runs each; practice network up in {start_s:.1} s, node key cache warmed in {:.1} s)", market.block_number, warm_ms / 1e3);
    println!("{:<34} {:>10} {:>10} {:>12}", "", "first", "median", "set-up");
    println!("{:<34} {:>7.0} ms {:>7.0} ms {:>9.0} ms", "dbc::market::load_all", our_first, our_med, our_setup_ms);
    println!("{:<34} {:>7.0} ms {:>7.0} ms {:>9.0} ms", "polkadot.js entries() x2", pjs_first, pjs_med, pjs.setup_ms);
    let ratio = pjs_med / our_med;
    println!(
        "{:<34} {:>9.1}x {:>9.1}x   (goal: at least 2x; {})",
        "polkadot.js / ours",
        pjs_first / our_first,
        ratio,
        if ratio >= 2.0 { "met" } else { "NOT MET" }
    );
    let json = serde_json::json!({
        "machines": machines,
        "block": market.block_number,
        "profile": profile,
        "runs": runs,
        "oursMs": ours,
        "oursSetupMs": our_setup_ms,
        "polkadotJsMs": pjs.times_ms,
        "polkadotJsSetupMs": pjs.setup_ms,
        "polkadotJsRentedEntries": pjs.rented_entries,
        "ratioMedian": ratio,
        "nodeWarmUpMs": warm_ms,
    });
    println!("{json}");
    Ok(())
}
