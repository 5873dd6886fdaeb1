//! A subxt client for the practice chain on the legacy backend (subxt.md §1:
//! the default backend yields no blocks and masks errors under chopsticks),
//! plus the raw RPCs the sandbox needs (`chain_*`, `dev_newBlock`).
//!
//! Kept minimal on purpose: the app's chain layer lives in `dbc::chain`; the
//! sandbox only needs heads, storage reads, one transfer and `dev_*` calls.

use dbc::{Error, ErrorCode, Result};
use std::sync::Arc;
use subxt::backend::LegacyBackend;
use subxt::config::substrate::H256;
use subxt::rpcs::{rpc_params, RpcClient};
use subxt::{OnlineClient, SubstrateConfig};

pub type Api = OnlineClient<SubstrateConfig>;
pub type AtBlock = subxt::client::OnlineClientAtBlock<SubstrateConfig>;

#[derive(Clone)]
pub struct Chain {
    pub api: Api,
    pub rpc: RpcClient,
    pub url: String,
}

pub(crate) fn rpc_err(url: &str, what: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ChainRpc, format!("{what} at {url}: {e}")).with_data(serde_json::json!({"endpoint": url}))
}

#[derive(serde::Deserialize)]
struct Header {
    number: String,
}

impl Chain {
    pub async fn connect(url: &str) -> Result<Chain> {
        let rpc = RpcClient::from_insecure_url(url).await.map_err(|e| rpc_err(url, "connecting", e))?;
        let backend = LegacyBackend::<SubstrateConfig>::builder().storage_page_size(1000).build(rpc.clone());
        let api = Api::from_backend(Arc::new(backend)).await.map_err(|e| rpc_err(url, "building the client", e))?;
        Ok(Chain { api, rpc, url: url.to_string() })
    }

    /// The best block: `(number, hash)`.
    pub async fn best(&self) -> Result<(u32, H256)> {
        let hash: H256 = self
            .rpc
            .request("chain_getBlockHash", rpc_params![])
            .await
            .map_err(|e| rpc_err(&self.url, "chain_getBlockHash", e))?;
        let h: Header = self
            .rpc
            .request("chain_getHeader", rpc_params![hash])
            .await
            .map_err(|e| rpc_err(&self.url, "chain_getHeader", e))?;
        let number = u32::from_str_radix(h.number.trim_start_matches("0x"), 16)
            .map_err(|e| rpc_err(&self.url, "header number", e))?;
        Ok((number, hash))
    }

    /// A client pinned at the best block (subxt's `at_current_block` is the finalized one).
    pub async fn at_best(&self) -> Result<AtBlock> {
        let (_, hash) = self.best().await?;
        self.api.at_block(hash).await.map_err(|e| rpc_err(&self.url, "pinning a block", e))
    }

    /// `dev_newBlock` with `params` (`{count}` or `{count, unsafeBlockHeight}`).
    pub async fn new_block(&self, params: serde_json::Value) -> Result<()> {
        let _: serde_json::Value = self
            .rpc
            .request("dev_newBlock", rpc_params![params])
            .await
            .map_err(|e| rpc_err(&self.url, "dev_newBlock", e))?;
        Ok(())
    }

    /// Write this chain's instance id (`dbc::chain::identity::INSTANCE_KEY`)
    /// into its head state; the next block carries it.
    pub async fn set_instance_id(&self, id: &[u8]) -> Result<()> {
        let key = format!("0x{}", hex::encode(dbc::chain::identity::INSTANCE_KEY));
        let value = format!("0x{}", hex::encode(id));
        let _: serde_json::Value = self
            .rpc
            .request("dev_setStorage", rpc_params![[[key, value]]])
            .await
            .map_err(|e| rpc_err(&self.url, "dev_setStorage", e))?;
        Ok(())
    }

    /// Free balance of an account (planck).
    pub async fn free_balance(&self, who: &subxt::utils::AccountId32) -> Result<u128> {
        #[derive(scale_decode::DecodeAsType)]
        struct Info {
            data: Data,
        }
        #[derive(scale_decode::DecodeAsType)]
        struct Data {
            free: u128,
        }
        let at = self.at_best().await?;
        let addr = subxt::dynamic::storage::<(subxt::utils::AccountId32,), Info>("System", "Account");
        let v = at.storage().fetch(addr, (*who,)).await.map_err(|e| rpc_err(&self.url, "System.Account", e))?;
        Ok(v.decode().map_err(|e| rpc_err(&self.url, "decoding System.Account", e))?.data.free)
    }
}
