//! One connection to one node: open the WebSocket with timeouts, check which
//! chain it is, and wrap it in a subxt client on the legacy backend.
//!
//! Why the legacy backend: subxt's default (combined/chainHead) backend gives
//! empty block streams and masks the node's real rejection errors under
//! chopsticks, and DBC mainnet (polkadot-v0.9.43) predates chainHead anyway
//! (subxt.md §1). One code path serves both networks.

use super::profile::hash_hex;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use subxt::backend::LegacyBackend;
use subxt::config::substrate::H256;
use subxt::config::{RpcConfigFor, SubstrateConfig};
use subxt::ext::jsonrpsee::ws_client::{PingConfig, WsClient, WsClientBuilder};
use subxt::rpcs::methods::legacy::LegacyRpcMethods;
use subxt::rpcs::RpcClient;
use subxt::OnlineClient;

/// The raw legacy RPC methods, typed for [`SubstrateConfig`].
pub type Rpc = LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>;

/// How long to wait for a node. Short values make tests fast; the defaults
/// suit a public node over the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Open the socket, read the genesis hash and the runtime version.
    pub connect: Duration,
    /// Any single JSON-RPC request once connected (jsonrpsee enforces it).
    pub request: Duration,
    /// WebSocket ping period; a node that stops answering pings is dropped
    /// after about twice this, which the manager sees as a disconnect.
    pub ping: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), request: Duration::from_secs(30), ping: Duration::from_secs(15) }
    }
}

/// `state_getRuntimeVersion`, the two numbers a signer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    pub spec_version: u32,
    pub transaction_version: u32,
}

/// A connected, chain-checked node. Cheap to clone; every clone shares the
/// socket. Once the socket is gone this client stays broken ("restart
/// required"): the manager builds a new one (subxt.md §5).
#[derive(Clone)]
pub struct ChainClient {
    api: OnlineClient<SubstrateConfig>,
    rpc: Rpc,
    ws: Arc<WsClient>,
    endpoint: String,
    genesis: H256,
    runtime: RuntimeVersion,
    timeouts: Timeouts,
}

impl std::fmt::Debug for ChainClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainClient")
            .field("endpoint", &self.endpoint)
            .field("genesis", &hash_hex(&self.genesis))
            .field("runtime", &self.runtime)
            .finish()
    }
}

impl ChainClient {
    /// The subxt client: `api().at_current_block()` for storage, calls,
    /// constants. It reads the runtime version of each block it is pinned to
    /// and caches metadata per spec version, so runtime upgrades are followed
    /// without rebuilding the client.
    pub fn api(&self) -> &OnlineClient<SubstrateConfig> {
        &self.api
    }

    /// Raw legacy RPC (`chain_*`, `state_*`, `author_*`) on the same socket.
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn genesis_hash(&self) -> H256 {
        self.genesis
    }

    /// The runtime version seen when this client connected (the manager's
    /// status has the live one).
    pub fn runtime_at_connect(&self) -> RuntimeVersion {
        self.runtime
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// False once the socket has closed; the client is then useless.
    pub fn is_connected(&self) -> bool {
        self.ws.is_connected()
    }

    /// Resolves when the socket closes, with the reason.
    pub async fn disconnected(&self) -> String {
        self.ws.on_disconnect().await.to_string()
    }

    /// The runtime version now (at the best block).
    pub async fn runtime_version(&self) -> Result<RuntimeVersion> {
        let v =
            self.rpc.state_get_runtime_version(None).await.map_err(|e| self.rpc_error("state_getRuntimeVersion", e))?;
        Ok(RuntimeVersion { spec_version: v.spec_version, transaction_version: v.transaction_version })
    }

    /// Number and hash of the best (not yet final) block.
    pub async fn best_block(&self) -> Result<(u32, H256)> {
        let header = self
            .rpc
            .chain_get_header(None)
            .await
            .map_err(|e| self.rpc_error("chain_getHeader", e))?
            .ok_or_else(|| self.rpc_error("chain_getHeader", "the node has no best block"))?;
        use subxt::config::Header;
        let hash = self.rpc.chain_get_block_hash(None).await.map_err(|e| self.rpc_error("chain_getBlockHash", e))?;
        let hash = hash.ok_or_else(|| self.rpc_error("chain_getBlockHash", "the node has no best block"))?;
        Ok((header.number() as u32, hash))
    }

    /// Number and hash of the newest block the node has finalized: what it
    /// shows there can no longer be reorganized away.
    pub async fn finalized_block(&self) -> Result<(u32, H256)> {
        use subxt::config::Header;
        let hash =
            self.rpc.chain_get_finalized_head().await.map_err(|e| self.rpc_error("chain_getFinalizedHead", e))?;
        let header = self
            .rpc
            .chain_get_header(Some(hash))
            .await
            .map_err(|e| self.rpc_error("chain_getHeader", e))?
            .ok_or_else(|| self.rpc_error("chain_getHeader", "the node has no header for its finalized head"))?;
        Ok((header.number() as u32, hash))
    }

    /// A `chain-rpc` error naming this endpoint and what failed.
    pub fn rpc_error(&self, what: &str, err: impl std::fmt::Display) -> Error {
        chain_rpc_error(&self.endpoint, what, err)
    }
}

/// A `chain-rpc` error for `endpoint`.
pub fn chain_rpc_error(endpoint: &str, what: &str, err: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ChainRpc, format!("{endpoint}: {what} failed: {err}"))
        .with_data(serde_json::json!({ "endpoint": endpoint }))
}

/// Connect to `endpoint` and check its chain.
///
/// Everything up to a usable client is bounded by `timeouts.connect`, so an
/// address that accepts TCP but never speaks WebSocket cannot hang us.
/// A node whose genesis differs from `expected_genesis` is refused with
/// `wrong-genesis` (and the socket closed). `reuse_config` carries subxt's
/// per-spec metadata cache over from a previous connection to the same chain,
/// which makes a reconnect cheap.
pub async fn connect(
    network: &str,
    endpoint: &str,
    expected_genesis: Option<H256>,
    timeouts: Timeouts,
    reuse_config: Option<&SubstrateConfig>,
) -> Result<(ChainClient, SubstrateConfig)> {
    let unreachable = |why: String| {
        Error::new(ErrorCode::NetworkUnreachable, format!("{endpoint}: {why}"))
            .with_data(serde_json::json!({ "network": network, "endpoint": endpoint }))
    };
    let attempt = async {
        let ws = WsClientBuilder::new()
            .connection_timeout(timeouts.connect)
            .request_timeout(timeouts.request)
            .enable_ws_ping(PingConfig::new().ping_interval(timeouts.ping).inactive_limit(timeouts.ping * 2))
            .max_buffer_capacity_per_subscription(4096)
            .build(endpoint)
            .await
            .map_err(|e| unreachable(format!("cannot open the connection: {e}")))?;
        let ws = Arc::new(ws);
        let rpc: Rpc = LegacyRpcMethods::new(RpcClient::new(ws.clone()));
        let genesis =
            rpc.genesis_hash().await.map_err(|e| unreachable(format!("chain_getBlockHash(0) failed: {e}")))?;
        if let Some(expected) = expected_genesis {
            if genesis != expected {
                return Err(wrong_genesis(endpoint, expected, genesis));
            }
        }
        let v = rpc
            .state_get_runtime_version(None)
            .await
            .map_err(|e| unreachable(format!("state_getRuntimeVersion failed: {e}")))?;
        Ok((
            ws,
            rpc,
            genesis,
            RuntimeVersion { spec_version: v.spec_version, transaction_version: v.transaction_version },
        ))
    };
    let (ws, rpc, genesis, runtime) = match tokio::time::timeout(timeouts.connect, attempt).await {
        Ok(r) => r?,
        Err(_) => return Err(unreachable(format!("no answer within {} ms", timeouts.connect.as_millis()))),
    };

    // Same chain as before: keep the metadata cache. The pinned genesis in the
    // config also saves subxt a round trip.
    let config = match reuse_config {
        Some(c) if subxt::config::Config::genesis_hash(c) == Some(genesis) => c.clone(),
        _ => SubstrateConfig::builder().set_genesis_hash(genesis).build(),
    };
    let backend = LegacyBackend::builder().storage_page_size(1000).build(RpcClient::new(ws.clone()));
    let api = OnlineClient::from_backend_with_config(config.clone(), Arc::new(backend))
        .await
        .map_err(|e| chain_rpc_error(endpoint, "creating the client", e))?;
    Ok((ChainClient { api, rpc, ws, endpoint: endpoint.to_string(), genesis, runtime, timeouts }, config))
}

/// The `wrong-genesis` refusal, with both hashes for the user.
pub fn wrong_genesis(endpoint: &str, expected: H256, actual: H256) -> Error {
    let (expected, actual) = (hash_hex(&expected), hash_hex(&actual));
    Error::new(
        ErrorCode::WrongGenesis,
        format!("{endpoint} is another chain: its genesis is {actual}, expected {expected}; refusing to use it"),
    )
    .with_data(serde_json::json!({ "endpoint": endpoint, "expected": expected, "actual": actual }))
}
