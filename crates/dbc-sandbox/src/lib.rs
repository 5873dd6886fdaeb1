//! The practice network: the real DBC runtime (spec 400, from the mainnet
//! chain spec) under chopsticks, seeded with machines, prices and accounts,
//! with a block ticker, fast-forward and a faucet.
//!
//! ```no_run
//! # async fn demo() -> dbc::Result<()> {
//! use dbc_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::new(dbc::paths::data_dir(None))).await?;
//! println!("chain at {}", sandbox.chain_url());
//! sandbox.fund("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", 1_000).await?;
//! sandbox.advance(600).await?;
//! sandbox.stop().await?;
//! # Ok(()) }
//! ```
//!
//! One module per job: [`spec`] (find, verify, prepare the chain spec),
//! [`metadata`], [`seed`] (machines, accounts, pricing, orders), [`js`] and
//! [`chopsticks`] (find, launch, supervise, stop), [`ticker`], [`advance`],
//! [`faucet`], [`state`] (`state.json`), [`sandbox`] (the whole lifecycle).

pub mod advance;
pub mod audit;
pub mod chopsticks;
pub mod client;
pub mod client_sim;
pub mod faucet;
pub mod fault_proxy;
pub mod foreground;
pub mod js;
pub mod lagging;
pub mod layout;
pub mod metadata;
pub mod sandbox;
pub mod seed;
pub mod sim_clients;
pub mod spec;
pub mod state;
pub mod ticker;

pub use advance::AdvanceReport;
pub use faucet::FundReceipt;
pub use sandbox::{stop_running, ExitReason, ProgressFn, Sandbox, SandboxConfig, Stage, StartTimings};
pub use seed::accounts::{PracticeAccount, Role};
pub use seed::SeedConfig;
pub use state::RunningState;

/// Install ring as rustls' crypto provider (reqwest is built without one,
/// stack.md §6). Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
