//! `dbc-sandbox`: start, stop and use the practice network from a shell.

mod cli;

use clap::Parser;
use cli::{Cli, ClientCommand, Command};
use dbc::{Error, Result};
use dbc_sandbox::{layout::Layout, state, Sandbox, SandboxConfig, SeedConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn main() {
    let cli = Cli::parse();
    dbc_sandbox::install_crypto_provider();
    let json = cli.json;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let code = match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            if json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                eprintln!("error: {}", e.message);
            }
            1
        }
    };
    rt.shutdown_timeout(Duration::from_secs(2));
    std::process::exit(code);
}

async fn run(cli: Cli) -> Result<i32> {
    let data_dir: PathBuf = dbc::paths::data_dir(cli.data_dir.as_deref());
    let json = cli.json;
    match cli.command {
        Command::Up { block_ms, vm_boot_secs, machines, fresh, spec, no_persist, clients } => {
            let mut cfg = SandboxConfig::new(data_dir);
            cfg.block_time = (block_ms > 0).then(|| Duration::from_millis(block_ms));
            cfg.vm_boot_secs = vm_boot_secs;
            cfg.seed = SeedConfig { machines, ..SeedConfig::default() };
            cfg.fresh = fresh;
            cfg.spec = spec;
            cfg.persist = !no_persist;
            cfg.clients = clients.into();
            if !json {
                cfg.progress = Some(std::sync::Arc::new(|s| {
                    eprintln!(
                        "practice network: {}",
                        serde_json::to_value(s).unwrap_or_default().as_str().unwrap_or("")
                    )
                }));
            }
            up(cfg, json).await
        }
        Command::Down => {
            let s = dbc_sandbox::stop_running(&data_dir).await?;
            print(
                json,
                &serde_json::json!({"stopped": true, "chain": s.endpoints.chain, "pid": s.endpoints.pid}),
                &format!("stopped the practice network at {}", s.endpoints.chain),
            );
            Ok(0)
        }
        Command::Fund { address, dbc } => {
            let amount = dbc
                .checked_mul(dbc_sandbox::seed::accounts::DBC)
                .ok_or_else(|| Error::invalid_argument("amount too large"))?;
            let r = dbc_sandbox::faucet::fund_running(&data_dir, &address, amount).await?;
            print(
                json,
                &serde_json::to_value(&r).unwrap_or_default(),
                &format!("sent {dbc} DBC to {} (block {})", r.to, r.block_hash),
            );
            Ok(0)
        }
        Command::Advance { blocks } => {
            let s = state::require_live(&Layout::new(&data_dir))?;
            let chain = dbc_sandbox::client::Chain::connect(&s.endpoints.chain).await?;
            let r = dbc_sandbox::advance::advance(&chain, blocks).await?;
            print(
                json,
                &serde_json::to_value(&r).unwrap_or_default(),
                &format!("block {} -> {} ({} scheduled heights built on the way)", r.from, r.to, r.hooks.len()),
            );
            Ok(0)
        }
        Command::Status => status(&data_dir, json).await,
        Command::Client { command } => {
            let (k, stopped) = match command {
                ClientCommand::Stop { k } => (k, true),
                ClientCommand::Start { k } => (k, false),
            };
            let s = dbc_sandbox::sim_clients::request(&data_dir, k, stopped).await?;
            let text = format!("DBC client {k} ({}) {}", s.url, if s.running { "listening" } else { "stopped" });
            print(json, &serde_json::to_value(&s).unwrap_or_default(), &text);
            Ok(0)
        }
        Command::VmGpu { task_id, model, reset } => {
            let vms = Layout::new(&data_dir).vms_dir();
            let folder = dbc_sandbox::client_sim::ssh::VmFolder::of(&vms, &task_id)
                .ok_or_else(|| Error::invalid_argument("not a task id"))?;
            let model = if reset { None } else { model };
            folder.set_gpu_model(model.as_deref())?;
            let shown = model.as_deref().unwrap_or("the machine's own GPU");
            print(
                json,
                &serde_json::json!({"taskId": task_id, "gpuModel": model, "file": folder.gpu_model()}),
                &format!("VM {task_id}: nvidia-smi shows {shown}"),
            );
            Ok(0)
        }
    }
}

fn print(json: bool, v: &serde_json::Value, text: &str) {
    if json {
        println!("{v}");
    } else {
        println!("{text}");
    }
}

async fn up(cfg: SandboxConfig, json: bool) -> Result<i32> {
    let sandbox = Sandbox::start(cfg).await?;
    let client: Option<String> = sandbox.client_url().map(str::to_string);
    let clients = sandbox.client_urls().to_vec();
    let out = serde_json::json!({
        "chain": sandbox.chain_url(), "client": client, "clients": clients, "accounts": sandbox.accounts(),
    });
    if json {
        println!("{out}");
    } else {
        println!("practice network ready in {:.1} s", sandbox.timings().total_ms as f64 / 1000.0);
        println!("  chain   {}", sandbox.chain_url());
        println!("  client  {}", client.as_deref().unwrap_or("(not running)"));
        for (i, c) in clients.iter().enumerate().skip(1) {
            println!("  client {} {c} (sees part of the nodes)", i + 1);
        }
        println!("  log     {}", sandbox.state().log);
        for a in sandbox.accounts() {
            println!(
                "  {:<9} {:<10} {}  {}",
                a.name,
                serde_json::to_value(a.role).unwrap_or_default().as_str().unwrap_or(""),
                a.address,
                a.uri
            );
        }
        println!("Ctrl-C or `dbc-sandbox down` stops it.");
    }
    dbc_sandbox::foreground::run_until_stopped(sandbox).await?;
    if !json {
        eprintln!("practice network stopped");
    }
    Ok(0)
}

async fn status(data_dir: &Path, json: bool) -> Result<i32> {
    let Some((s, best)) = dbc_sandbox::foreground::live_status(data_dir).await? else {
        print(json, &serde_json::json!({"running": false}), "the practice network is not running");
        return Ok(3);
    };
    let mut v = serde_json::to_value(&s).unwrap_or_default();
    v["running"] = true.into();
    v["bestBlock"] = best.into();
    print(
        json,
        &v,
        &format!(
            "running: chain {} (pid {}), best block {}, {} machines, client {}",
            s.endpoints.chain,
            s.endpoints.pid,
            best.map_or("?".to_string(), |b| b.to_string()),
            s.machines,
            s.endpoints.client.as_deref().unwrap_or("(not running)")
        ),
    );
    Ok(0)
}
