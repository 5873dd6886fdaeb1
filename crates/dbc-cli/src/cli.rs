//! Argument parsing and dispatch.

use clap::{Args as ClapArgs, Parser, Subcommand};
use dbc::chain::{ChainManager, ManagerConfig};
use dbc::network::{ConnectionState, NetworkChoice};
use dbc::settings::{Settings, SettingsStore};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

    /// Keep new accounts' secrets in an encrypted file in the data dir
    /// (sealed with the app password, mode 0600) instead of the OS keyring.
    /// Same as DBC_RENT_SECRET_STORE=file.
    #[arg(long, global = true)]
    pub file_store: bool,

    /// Talk to a DBC client over plain http:// although it is outside this
    /// computer and its private network. Anyone on the way can then read the
    /// signed requests and replay them against your rentals: prefer https or
    /// a DBC client of your own; a dedicated renting account limits the harm.
    #[arg(long, global = true)]
    pub allow_insecure_client: bool,

    /// Use an unencrypted ws:// node outside this computer and its private
    /// network (--network URL or the mainnet list) for this run. Anyone on
    /// the way can then see which accounts are yours and change what the
    /// node answers: prefer wss:// or a node of your own.
    #[arg(long, global = true)]
    pub allow_insecure_node: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the version, data directory, log directory and network in use.
    Info,
    /// Connect to the selected network and show its state: endpoint, best
    /// block, runtime version. Exits with 3 when the network cannot be reached.
    Status {
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 20, value_name = "SECS")]
        timeout: u64,
    },
    /// Accounts: create, import, export, list, choose, balance. The app
    /// password comes from DBC_RENT_PASSWORD or a prompt; words from stdin.
    Wallet {
        #[command(subcommand)]
        command: crate::wallet_cmd::WalletCommand,
    },
    /// Send DBC from the active account: `send ADDRESS AMOUNT_DBC`.
    Send(crate::wallet_cmd::SendArgs),
    /// The machine market, read from the chain: `machines list`, `machines show ID`.
    Machines {
        #[command(subcommand)]
        command: crate::market_cmd::MachinesCommand,
    },
    /// What renting costs, checked as the chain checks it: `quote ID --gpus N --hours H`.
    Quote(crate::market_cmd::QuoteArgs),
    /// Rent a machine: `rent MACHINE_ID --gpus N --hours H`. Prints the rent
    /// id, the reserved rent and the block by which to confirm.
    Rent(crate::rental_cmd::RentArgs),
    /// Confirm a rental (within 15 minutes of renting): the rent is then paid, no refund.
    Confirm(crate::rental_cmd::ConfirmArgs),
    /// Renew a confirmed rental: `renew RENT_ID --hours H` (paid at once).
    Renew(crate::rental_cmd::RenewArgs),
    /// Your rentals on this network, checked against the chain.
    Rentals(crate::rental_cmd::RentalsArgs),
    /// Connect to a rental's Windows VM over Remote Desktop (`--print`: write the .rdp file only).
    Rdp(crate::rental_cmd::RdpArgs),
    /// A rental's Linux VM over SSH: installs your key on first use (the VM's
    /// password, once), then `--print` prints the ssh command, `-- COMMAND`
    /// runs a command (its exit status is ours), neither opens a session.
    Ssh(crate::ssh_cmd::SshArgs),
    /// Check a Linux VM's GPUs (nvidia-smi) against what was rented; exits 4
    /// on a mismatch or a failed check. Run it before `confirm`.
    GpuCheck(crate::ssh_cmd::GpuCheckArgs),
    /// The rented VM, through a DBC client: `vm create|status|start|stop|restart|delete RENT_ID`.
    Vm {
        #[command(subcommand)]
        command: crate::rental_cmd::VmCommand,
    },
    /// The DBC clients VM steps go through: `clients [list]`, `add URL`,
    /// `remove URL`, `check [MACHINE_ID]`, `community on|off` (the app's
    /// Settings → DBC clients, same file).
    Clients {
        #[command(subcommand)]
        command: Option<crate::clients_cmd::ClientsCommand>,
    },
    /// The practice network on this computer (free DBC, simulated machines):
    /// `practice up|down|status|fund`. The app's Settings start the same one.
    Practice {
        #[command(subcommand)]
        command: crate::practice_cmd::PracticeCommand,
    },
    /// Shell completions or the man page, for packagers (written to stdout).
    #[command(hide = true)]
    Generate {
        #[arg(value_enum)]
        what: crate::generate::What,
    },
}

/// What a command produced, and the exit status to end with.
pub struct Outcome {
    pub value: Value,
    pub exit: u8,
}

impl From<Value> for Outcome {
    fn from(value: Value) -> Self {
        Outcome { value, exit: 0 }
    }
}

fn parse_network(raw: &str) -> Result<NetworkChoice, String> {
    raw.parse::<NetworkChoice>().map_err(|e| e.message)
}

fn load_settings(data_dir: &Path) -> dbc::Result<Settings> {
    Ok(SettingsStore::new(data_dir).load()?.settings)
}

pub fn run(args: Args) -> dbc::Result<Outcome> {
    let data_dir = dbc::paths::data_dir(args.global.data_dir.as_deref());
    let log_dir = dbc::paths::log_dir(&data_dir);
    let mut settings = load_settings(&data_dir)?;
    let network = args.global.network.clone().unwrap_or_else(|| settings.network.clone());
    if args.global.allow_insecure_node {
        // For this run only: the saved settings are not changed.
        let urls = match &network {
            NetworkChoice::Custom(url) => vec![url.clone()],
            _ => settings.mainnet_endpoints.clone(),
        };
        for url in urls {
            settings.allow_insecure_node(&url)?;
        }
    }
    let ctx = crate::context::Ctx {
        data_dir: &data_dir,
        json: args.global.json,
        file_store: args.global.file_store,
        allow_insecure_client: args.global.allow_insecure_client,
        network: network.clone(),
        settings: &settings,
    };
    match args.command {
        Command::Wallet { command } => crate::wallet_cmd::run(&ctx, command).map(Outcome::from),
        Command::Send(send) => crate::wallet_cmd::send(&ctx, send).map(Outcome::from),
        Command::Machines { command } => crate::market_cmd::machines(&ctx, command).map(Outcome::from),
        Command::Quote(args) => crate::market_cmd::quote(&ctx, args).map(Outcome::from),
        Command::Rent(args) => crate::rental_cmd::rent(&ctx, args).map(Outcome::from),
        Command::Confirm(args) => crate::rental_cmd::confirm(&ctx, args).map(Outcome::from),
        Command::Renew(args) => crate::rental_cmd::renew(&ctx, args).map(Outcome::from),
        Command::Rentals(args) => crate::rental_cmd::rentals(&ctx, args).map(Outcome::from),
        Command::Rdp(args) => crate::rental_cmd::rdp(&ctx, args).map(Outcome::from),
        Command::Ssh(args) => crate::ssh_cmd::ssh(&ctx, args),
        Command::GpuCheck(args) => crate::ssh_cmd::gpu_check(&ctx, args),
        Command::Vm { command } => crate::rental_cmd::vm(&ctx, command).map(Outcome::from),
        Command::Clients { command } => crate::clients_cmd::run(&ctx, command).map(Outcome::from),
        Command::Practice { command } => crate::practice_cmd::run(&data_dir, args.global.json, command),
        // main writes these before any data dir or settings are read.
        Command::Generate { what } => Err(dbc::Error::internal(format!("`generate {what:?}` is handled by main"))),
        Command::Info => Ok(json!({
            "version": dbc::VERSION,
            "data_dir": data_dir.display().to_string(),
            "log_dir": log_dir.display().to_string(),
            "network": network.kind(),
            "endpoint": match &network { NetworkChoice::Custom(u) => Some(u.clone()), _ => None },
        })
        .into()),
        Command::Status { timeout } => {
            let (profile, runtime) = crate::context::chain_runtime(&network, &settings, &data_dir)?;
            runtime.block_on(async {
                let manager = ChainManager::start(profile, ManagerConfig::default());
                let _ = manager.wait_connected(Duration::from_secs(timeout)).await;
                let status = manager.status();
                let exit = if status.state == ConnectionState::Connected { 0 } else { 3 };
                let value = serde_json::to_value(&status).map_err(|e| dbc::Error::internal(e.to_string()))?;
                Ok(Outcome { value, exit })
            })
        }
    }
}
