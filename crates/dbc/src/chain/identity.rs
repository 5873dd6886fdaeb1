//! Which chain a node serves, precisely enough to keep one journal per chain.
//!
//! The genesis hash names a chain on a real network. A practice chain
//! (chopsticks started from a chain spec) always reports the same genesis
//! hash, so two practice chains started afresh would look like one — while
//! their rent ids restart at 0. The practice network therefore writes a
//! random instance id into a well-known storage key of every new chain
//! ([`INSTANCE_KEY`]); a real chain has no such key.

use super::client::ChainClient;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Raw storage key of the practice chain's instance id (a well-known
/// `:`-prefixed key, like `:code`; no runtime reads it).
pub const INSTANCE_KEY: &[u8] = b":dbc-rent:instance";

/// Genesis hash, plus the instance id of a practice chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainIdentity {
    /// `0x…`, lowercase.
    pub genesis: String,
    /// Hex of the instance id, `None` on a real network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl ChainIdentity {
    /// The identity of a chain known only by its genesis hash.
    pub fn of_genesis(genesis: &str) -> Self {
        ChainIdentity { genesis: genesis.to_ascii_lowercase(), instance: None }
    }

    /// A short, file-name-safe name: 16 hex of the genesis, and 16 of the
    /// instance when there is one.
    pub fn short_name(&self) -> String {
        let g: String = self.genesis.trim_start_matches("0x").chars().take(16).collect();
        match &self.instance {
            Some(i) => format!("{g}-{}", i.chars().filter(|c| c.is_ascii_hexdigit()).take(16).collect::<String>()),
            None => g,
        }
    }
}

/// Read the identity of the chain `client` is connected to.
pub async fn identity(client: &ChainClient) -> Result<ChainIdentity> {
    let genesis = format!("{:?}", client.genesis_hash());
    let raw = client
        .rpc()
        .state_get_storage(INSTANCE_KEY, None)
        .await
        .map_err(|e| client.rpc_error("reading the chain's instance id", e))?;
    Ok(ChainIdentity { genesis, instance: raw.filter(|v| !v.is_empty()).map(hex::encode) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practice_instances_get_their_own_name() {
        let mainnet = ChainIdentity::of_genesis("0x03AA0123456789abcdef");
        assert_eq!(mainnet.short_name(), "03aa0123456789ab");
        let practice = ChainIdentity { genesis: format!("0x{}", "6969".repeat(16)), instance: Some("00ff".repeat(8)) };
        assert_eq!(practice.short_name(), format!("{}-{}", "6969".repeat(4), "00ff".repeat(4)));
        let other = ChainIdentity { instance: Some("11ee".repeat(8)), ..practice.clone() };
        assert_ne!(practice.short_name(), other.short_name());
    }
}
