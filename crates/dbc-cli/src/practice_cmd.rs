//! `dbc-rent practice up|down|status|fund`: the practice network from the
//! command line, the same one the app's Settings start (same data dir, same
//! `practice/state.json`), so `--network practice` commands use it. Thin
//! over `dbc_sandbox`, like `dbc-sandbox` itself: an installed package has
//! no `dbc-sandbox`, only this.

use crate::progress::Progress;
use clap::Subcommand;
use dbc::{Error, Result};
use dbc_sandbox::{Sandbox, SandboxConfig, SeedConfig, Stage};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum PracticeCommand {
    /// Start the practice network and keep it running until Ctrl-C, SIGTERM
    /// or `dbc-rent practice down`. Where it listens and its accounts go to
    /// stderr once it is ready (one JSON line with --json).
    Up {
        /// Number of seeded machines (another value rebuilds the chain).
        #[arg(long, default_value_t = SeedConfig::default().machines, value_name = "N")]
        machines: usize,
        /// Build a block every N ms (0: only when a transaction asks).
        #[arg(long, default_value_t = 6000, value_name = "N")]
        block_ms: u64,
        /// Forget the previous practice state and start from the seed.
        #[arg(long)]
        fresh: bool,
    },
    /// Stop the running practice network (the app's too: it is the same one).
    Down,
    /// Is a practice network running, and where. Exits with 3 when none runs.
    Status,
    /// Send free practice DBC from the faucet: `fund ADDRESS DBC`.
    Fund {
        /// SS58 address or 0x-hex account id.
        address: String,
        /// Whole DBC.
        dbc: u128,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    // Multi-threaded: the network's ticker and DBC client simulator run as
    // tasks beside the command.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))
}

pub fn run(data_dir: &Path, json_mode: bool, command: PracticeCommand) -> Result<crate::cli::Outcome> {
    dbc_sandbox::install_crypto_provider();
    let rt = runtime()?;
    let outcome = rt.block_on(async {
        match command {
            PracticeCommand::Up { machines, block_ms, fresh } => {
                let mut cfg = SandboxConfig::new(data_dir.to_path_buf());
                cfg.seed = SeedConfig { machines, ..SeedConfig::default() };
                cfg.block_time = (block_ms > 0).then(|| Duration::from_millis(block_ms));
                cfg.fresh = fresh;
                up(cfg, json_mode).await.map(crate::cli::Outcome::from)
            }
            PracticeCommand::Down => {
                let s = dbc_sandbox::stop_running(data_dir).await?;
                Ok(json!({"stopped": true, "chain": s.endpoints.chain, "pid": s.endpoints.pid}).into())
            }
            PracticeCommand::Status => Ok(match dbc_sandbox::foreground::live_status(data_dir).await? {
                None => crate::cli::Outcome { value: json!({"running": false}), exit: 3 },
                Some((s, best)) => {
                    let mut v = serde_json::to_value(&s).map_err(|e| Error::internal(e.to_string()))?;
                    v["running"] = true.into();
                    v["bestBlock"] = best.into();
                    v.into()
                }
            }),
            PracticeCommand::Fund { address, dbc } => {
                let amount = dbc
                    .checked_mul(dbc_sandbox::seed::accounts::DBC)
                    .ok_or_else(|| Error::invalid_argument("amount too large"))?;
                let r = dbc_sandbox::faucet::fund_running(data_dir, &address, amount).await?;
                Ok(serde_json::to_value(&r).map_err(|e| Error::internal(e.to_string()))?.into())
            }
        }
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    outcome
}

async fn up(mut cfg: SandboxConfig, json_mode: bool) -> Result<Value> {
    let progress = std::sync::Arc::new(Progress::new(json_mode, "starting the practice network"));
    let shown = progress.clone();
    cfg.progress = Some(std::sync::Arc::new(move |stage: Stage| shown.show(&json!({ "step": stage }))));
    let sandbox = Sandbox::start(cfg).await?;
    progress.finish();
    let ready = json!({
        "event": "ready",
        "chain": sandbox.chain_url(),
        "client": sandbox.client_url(),
        "clients": sandbox.client_urls(),
        "log": sandbox.state().log,
        "accounts": sandbox.accounts(),
    });
    if json_mode {
        eprintln!("{ready}");
    } else {
        eprintln!("practice network ready in {:.1} s", sandbox.timings().total_ms as f64 / 1000.0);
        eprintln!("  chain   {}", sandbox.chain_url());
        eprintln!("  client  {}", sandbox.client_url().unwrap_or("(not running)"));
        eprintln!("Ctrl-C or `dbc-rent practice down` stops it; `dbc-rent --network practice …` uses it.");
    }
    let chain = sandbox.chain_url().to_string();
    dbc_sandbox::foreground::run_until_stopped(sandbox).await?;
    Ok(json!({"stopped": true, "chain": chain}))
}
