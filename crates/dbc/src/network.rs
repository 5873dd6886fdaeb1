//! Which DBC network the user talks to: mainnet, the local practice network,
//! or a custom node URL. Parsing is shared by `--network` and the settings.

use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "url", rename_all = "lowercase")]
#[derive(ts_rs::TS)]
pub enum NetworkChoice {
    #[default]
    Mainnet,
    /// The local practice network (the real DBC runtime under chopsticks).
    Practice,
    /// Any node the user names, `ws://` or `wss://`.
    Custom(String),
}

impl NetworkChoice {
    /// The short name the status bar and the CLI show.
    pub fn kind(&self) -> &'static str {
        match self {
            NetworkChoice::Mainnet => "mainnet",
            NetworkChoice::Practice => "practice",
            NetworkChoice::Custom(_) => "custom",
        }
    }
}

impl fmt::Display for NetworkChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkChoice::Custom(url) => f.write_str(url),
            other => f.write_str(other.kind()),
        }
    }
}

/// Check that `raw` is a usable node URL: ws or wss, with a host.
pub fn parse_node_url(raw: &str) -> Result<String, Error> {
    // `reason` is a stable id the UI words in the user's language.
    let bad = |reason: &str, why: &str| {
        Error::invalid_argument(format!("{raw:?} is not a node address: {why}"))
            .with_data(serde_json::json!({ "value": raw.trim(), "reason": reason }))
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| bad("node-url-invalid", &e.to_string()))?;
    if url.scheme() != "ws" && url.scheme() != "wss" {
        return Err(bad("node-url-scheme", "use ws:// or wss://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("node-url-no-host", "no host"));
    }
    Ok(url.to_string())
}

/// Refuse plain `ws://` to a node outside this computer and its private
/// network unless `allowed`: on the way, anyone can read every query (which
/// accounts and rentals are yours) and forge every answer (balances, prices,
/// orders). `wss://` and local nodes pass. `insecure-node-url {url, host}`.
pub fn check_node_transport(url: &str, allowed: bool) -> Result<(), Error> {
    let Ok(parsed) = url::Url::parse(url.trim()) else {
        return parse_node_url(url).map(drop);
    };
    let host = parsed.host_str().unwrap_or_default();
    if parsed.scheme() != "ws" || allowed || crate::compute::url::is_local_host(host) {
        return Ok(());
    }
    Err(Error::new(
        crate::ErrorCode::InsecureNodeUrl,
        format!(
            "{url} is an unencrypted (ws://) node outside this computer and its private network: \
             anyone on the way can read what the app asks and change what the node answers. \
             Use wss://, a node on your own network, or allow this node explicitly (--allow-insecure-node)"
        ),
    )
    .with_data(serde_json::json!({ "url": url.trim(), "host": host })))
}

impl FromStr for NetworkChoice {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim() {
            "mainnet" => Ok(NetworkChoice::Mainnet),
            "practice" => Ok(NetworkChoice::Practice),
            other if other.contains("://") => parse_node_url(other).map(NetworkChoice::Custom),
            other => Err(Error::invalid_argument(format!(
                "unknown network {other:?}: use mainnet, practice or a ws:// / wss:// URL"
            ))
            .with_data(serde_json::json!({ "value": other }))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn unencrypted_remote_nodes_need_an_explicit_yes() {
        for ok in [
            "wss://info.dbcwallet.io",
            "ws://127.0.0.1:9944",
            "ws://localhost:9944/",
            "ws://192.168.1.5:9944",
            "ws://[::1]:9944",
        ] {
            assert!(check_node_transport(ok, false).is_ok(), "{ok}");
        }
        let e = check_node_transport("ws://116.31.89.150:9944", false).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsecureNodeUrl);
        assert_eq!(e.data.unwrap()["host"], "116.31.89.150");
        assert!(check_node_transport("ws://116.31.89.150:9944", true).is_ok());
        assert_eq!(check_node_transport("ws://node.example.com", false).unwrap_err().code, ErrorCode::InsecureNodeUrl);
    }

    #[test]
    fn parses_names_and_urls() {
        assert_eq!("mainnet".parse::<NetworkChoice>().unwrap(), NetworkChoice::Mainnet);
        assert_eq!("practice".parse::<NetworkChoice>().unwrap(), NetworkChoice::Practice);
        assert_eq!(
            "wss://rpc.dbcwallet.io".parse::<NetworkChoice>().unwrap(),
            NetworkChoice::Custom("wss://rpc.dbcwallet.io/".into())
        );
        assert_eq!("ws://127.0.0.1:9944".parse::<NetworkChoice>().unwrap().kind(), "custom");
    }

    #[test]
    fn rejects_bad_input_specifically() {
        for bad in ["testnet", "http://x", "ws://", "wss://:9944", ""] {
            let e = bad.parse::<NetworkChoice>().unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
        }
        assert!("http://x".parse::<NetworkChoice>().unwrap_err().message.contains("ws://"));
        // The UI words the refusal from this id, not from the English message.
        assert_eq!(parse_node_url("http://x").unwrap_err().data.unwrap()["reason"], "node-url-scheme");
        assert_eq!(parse_node_url("not a url").unwrap_err().data.unwrap()["reason"], "node-url-invalid");
    }

    #[test]
    fn serde_shape() {
        let v = serde_json::to_value(NetworkChoice::Custom("ws://a/".into())).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "custom", "url": "ws://a/"}));
        let m: NetworkChoice = serde_json::from_value(serde_json::json!({"kind": "mainnet"})).unwrap();
        assert_eq!(m, NetworkChoice::Mainnet);
    }
}

/// Where the connection to the chosen network stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum ConnectionState {
    /// No connection has been attempted (the app has not started one).
    NotConnected,
    Connecting,
    Connected,
    Reconnecting,
    Offline,
}

/// What the status bar and `dbc-rent status` show.
///
/// The first five fields are always serialized (the UI reads them); the
/// others are omitted while unknown, so a never-started status keeps the
/// original five-field shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct NetworkStatus {
    /// `NetworkChoice::kind`.
    #[ts(type = "Network")]
    pub network: String,
    pub state: ConnectionState,
    pub endpoint: Option<String>,
    pub best_block: Option<u32>,
    pub spec_version: Option<u32>,
    /// The runtime's transaction version (part of every signed payload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_version: Option<u32>,
    /// The genesis hash the connected node reported (`0x…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genesis_hash: Option<String>,
    /// Why the last attempt failed: set while `offline` or `reconnecting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<crate::error::Error>,
}

impl NetworkStatus {
    pub fn not_connected(choice: &NetworkChoice) -> Self {
        NetworkStatus {
            network: choice.kind().to_string(),
            state: ConnectionState::NotConnected,
            endpoint: match choice {
                NetworkChoice::Custom(url) => Some(url.clone()),
                _ => None,
            },
            best_block: None,
            spec_version: None,
            tx_version: None,
            genesis_hash: None,
            last_error: None,
        }
    }
}
