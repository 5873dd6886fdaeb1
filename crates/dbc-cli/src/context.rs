//! What every command shares: the global flags ([`Ctx`]), the wallet of the
//! data dir, and a connection to the selected network for one command
//! ([`with_chain`]).

use dbc::chain::{ChainManager, ManagerConfig, NetworkProfile};
use dbc::network::NetworkChoice;
use dbc::settings::Settings;
use dbc::wallet::{Account, Wallet};
use dbc::{Error, Result};
use std::path::Path;
use std::time::Duration;

/// What the CLI needs from the global flags.
pub struct Ctx<'a> {
    pub data_dir: &'a Path,
    pub json: bool,
    pub file_store: bool,
    /// `--allow-insecure-client`: plain http:// to a public DBC client is
    /// accepted (`ComputeClient::new_checked(url, ctx.allow_insecure_client)`).
    pub allow_insecure_client: bool,
    pub network: NetworkChoice,
    pub settings: &'a Settings,
}

pub(crate) fn wallet(ctx: &Ctx) -> Result<Wallet> {
    Wallet::open(ctx.data_dir)
}

/// The account `account` names (name, address or id), else the active one.
pub(crate) fn pick(w: &Wallet, account: Option<&str>) -> Result<Account> {
    match account {
        Some(q) => w.find(q),
        None => w.active(),
    }
}

/// The nodes to dial for `network` as the user configured them, and a
/// runtime on this thread to talk to them.
pub(crate) fn chain_runtime(
    network: &NetworkChoice,
    settings: &Settings,
    data_dir: &Path,
) -> Result<(NetworkProfile, tokio::runtime::Runtime)> {
    let profile = dbc::chain::profile_for(network, settings.checked_endpoints(network)?, data_dir)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))?;
    Ok((profile, runtime))
}

/// Connect to the selected network, run `f` with the client, disconnect.
pub(crate) fn with_chain<T, F, Fut>(ctx: &Ctx, timeout: u64, f: F) -> Result<T>
where
    F: FnOnce(dbc::chain::ChainClient) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let (profile, runtime) = chain_runtime(&ctx.network, ctx.settings, ctx.data_dir)?;
    runtime.block_on(async {
        let manager = ChainManager::start(profile, ManagerConfig::default());
        let client = manager.wait_connected(Duration::from_secs(timeout)).await?;
        let out = f(client).await;
        manager.shutdown();
        out
    })
}
