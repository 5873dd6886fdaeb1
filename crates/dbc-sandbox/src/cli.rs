//! Command-line arguments of `dbc-sandbox`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "dbc-sandbox",
    version,
    about = "The DBC Rent practice network: the real DBC runtime under chopsticks, seeded with machines."
)]
pub struct Cli {
    /// The app's data directory (the network lives in <dir>/practice).
    #[arg(long, global = true, env = "DBC_RENT_HOME", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Stop client K: its port refuses connections until `client start K`.
    Stop { k: usize },
    /// Start client K again, on the same port.
    Start { k: usize },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the practice network and run it until Ctrl-C, SIGTERM or `dbc-sandbox down`.
    Up {
        /// Build a block every N ms (0: only when asked).
        #[arg(long, default_value_t = 6000, value_name = "N")]
        block_ms: u64,
        /// Simulated VM boot time for the DBC client simulator.
        #[arg(long, default_value_t = 20, value_name = "N")]
        vm_boot_secs: u64,
        /// Number of seeded machines (a new value rebuilds the chain).
        #[arg(long, default_value_t = 60, value_name = "N")]
        machines: usize,
        /// Forget the previous practice state and start from the seed.
        #[arg(long)]
        fresh: bool,
        /// Use this chain spec file (any hash).
        #[arg(long, env = "DBC_CHAIN_SPEC", value_name = "FILE")]
        spec: Option<PathBuf>,
        /// Keep no block store (nothing survives a restart).
        #[arg(long)]
        no_persist: bool,
        /// Simulated DBC clients: client 1 sees every node, client K ≥ 2 the
        /// machines whose id's first hex digit is a multiple of K.
        #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
        clients: u16,
    },
    /// Stop or restart a simulated DBC client of the running network
    /// (`client stop K`, `client start K`; K from 1): a client going away.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Stop the running practice network.
    Down,
    /// Send DBC from the faucet to an address.
    Fund {
        /// SS58 address or 0x-hex account id.
        address: String,
        /// Whole DBC.
        dbc: u128,
    },
    /// Fast-forward the chain by N blocks (rental ends and confirm deadlines on the way still happen).
    Advance { blocks: u32 },
    /// Is a practice network running, and where.
    Status,
    /// Make `nvidia-smi` in a simulated Linux VM show another GPU model (a test
    /// hook: the app's GPU check must then report a mismatch).
    VmGpu {
        /// The VM's task id.
        task_id: String,
        /// The name to show, e.g. "NVIDIA GeForce RTX 4090".
        #[arg(required_unless_present = "reset")]
        model: Option<String>,
        /// Show the machine's own GPU again.
        #[arg(long, conflicts_with = "model")]
        reset: bool,
    },
}
