//! Argument parsing and dispatch.

use clap::{Args as ClapArgs, Parser, Subcommand};
use dbc::network::{NetworkChoice, NetworkStatus};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Rent a DeepBrainChain GPU machine from the command line.
#[derive(Debug, Parser)]
#[command(name = "dbc-rent", version, about, long_about = None, propagate_version = true)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, ClapArgs)]
pub struct Global {
    /// Network: mainnet, practice (the local practice network) or a ws:// / wss:// node URL.
    /// Defaults to the one chosen in the app's settings.
    #[arg(long, global = true, value_name = "mainnet|practice|URL", value_parser = parse_network)]
    pub network: Option<NetworkChoice>,

    /// Machine-readable JSON on stdout instead of human text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Data directory (wallets, settings, rentals). Default: the platform's app-data dir.
    #[arg(long, global = true, env = dbc::paths::HOME_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the version, data directory, log directory and network in use.
    Info,
    /// Show the connection state of the selected network.
    Status,
}

fn parse_network(raw: &str) -> Result<NetworkChoice, String> {
    raw.parse::<NetworkChoice>().map_err(|e| e.message)
}

/// The network to use: `--network`, else the saved setting.
fn effective_network(global: &Global, data_dir: &std::path::Path) -> dbc::Result<NetworkChoice> {
    if let Some(n) = &global.network {
        return Ok(n.clone());
    }
    Ok(dbc::settings::SettingsStore::new(data_dir).load()?.settings.network)
}

pub fn run(args: Args) -> dbc::Result<Value> {
    let data_dir = dbc::paths::data_dir(args.global.data_dir.as_deref());
    let log_dir = dbc::paths::log_dir(&data_dir);
    match args.command {
        Command::Info => {
            let network = effective_network(&args.global, &data_dir)?;
            Ok(json!({
                "version": dbc::VERSION,
                "data_dir": data_dir.display().to_string(),
                "log_dir": log_dir.display().to_string(),
                "network": network.kind(),
                "endpoint": match &network { NetworkChoice::Custom(u) => Some(u.clone()), _ => None },
            }))
        }
        Command::Status => {
            let network = effective_network(&args.global, &data_dir)?;
            let status: NetworkStatus = NetworkStatus::not_connected(&network);
            serde_json::to_value(status).map_err(|e| dbc::Error::internal(e.to_string()))
        }
    }
}
