//! Which nodes to dial for a network, and which chain they must be.
//!
//! A profile is plain data (a list of URLs and an optional genesis pin) so the
//! user can edit the mainnet list in Settings and the practice network can
//! hand over the URL it found at start-up.

use crate::error::{Error, Result};
use crate::network::{parse_node_url, NetworkChoice};
use serde::{Deserialize, Serialize};
use subxt::config::substrate::H256;

/// Genesis hash of DBC mainnet since the December 2024 re-genesis (protocol
/// `dbc_net4`), computed from `dbc-spec-v4.json` (chain.md §1.1). The older
/// `0xd523…1dff` belongs to the retired 30-second chain and must not be pinned.
pub const MAINNET_GENESIS: &str = "0x03aa6b475a03f8baf7f83e448513b00eaab03aefa4ed64bd1d31160dce028add";

/// What chopsticks reports as block 0 when it runs the mainnet spec
/// ("hash69"). Informational only: the practice profile pins nothing, because
/// signing against mainnet's genesis there gives `badProof` (subxt.md §5).
pub const PRACTICE_GENESIS: &str = "0x4545454545454545454545454545454545454545454545454545454545454545";

/// Public DBC mainnet nodes, most used first (chain.md §1.3: the wallet at
/// dbcwallet.io fails over across `rpc`, `info1`, `rpc1`, `rpc3`; `info` is
/// older and last).
pub const MAINNET_ENDPOINTS: &[&str] = &[
    "wss://rpc.dbcwallet.io",
    "wss://info1.dbcwallet.io",
    "wss://rpc1.dbcwallet.io",
    "wss://rpc3.dbcwallet.io",
    "wss://info.dbcwallet.io",
];

/// The endpoints of one network and the genesis they must report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    /// `mainnet`, `practice` or `custom` (what [`NetworkChoice::kind`] says).
    pub network: String,
    /// Tried in order; on failure the manager moves to the next one.
    pub endpoints: Vec<String>,
    /// A node whose block 0 differs is refused (`wrong-genesis`). `None`
    /// accepts any chain and only reports what it found.
    #[serde(default)]
    pub expected_genesis: Option<H256>,
}

impl NetworkProfile {
    /// Mainnet with the built-in endpoint list and the genesis pin.
    pub fn mainnet() -> Self {
        NetworkProfile {
            network: "mainnet".into(),
            endpoints: MAINNET_ENDPOINTS.iter().map(|s| s.to_string()).collect(),
            expected_genesis: Some(mainnet_genesis()),
        }
    }

    /// Mainnet with a user-edited endpoint list (Settings). Each URL must be
    /// ws/wss; duplicates are dropped; the genesis pin stays, so a typo that
    /// points at another chain is refused rather than used.
    pub fn mainnet_with_endpoints<S: AsRef<str>>(endpoints: &[S]) -> Result<Self> {
        let endpoints = clean_list(endpoints)?;
        Ok(NetworkProfile { endpoints, ..NetworkProfile::mainnet() })
    }

    /// The local practice network at `url` (found by whoever started it).
    /// No genesis pin: chopsticks reports `0x4545…45`.
    pub fn practice(url: &str) -> Result<Self> {
        Ok(NetworkProfile { network: "practice".into(), endpoints: vec![check_url(url)?], expected_genesis: None })
    }

    /// Any node the user names. No pin; the status reports its genesis.
    pub fn custom(url: &str) -> Result<Self> {
        Ok(NetworkProfile { network: "custom".into(), endpoints: vec![check_url(url)?], expected_genesis: None })
    }

    /// The profile for a [`NetworkChoice`]. `practice_url` is required for the
    /// practice network (the caller knows where it listens); `mainnet_endpoints`
    /// overrides the built-in list when the user edited it.
    pub fn for_choice(
        choice: &NetworkChoice,
        practice_url: Option<&str>,
        mainnet_endpoints: Option<&[String]>,
    ) -> Result<Self> {
        match choice {
            NetworkChoice::Mainnet => match mainnet_endpoints {
                Some(list) => NetworkProfile::mainnet_with_endpoints(list),
                None => Ok(NetworkProfile::mainnet()),
            },
            NetworkChoice::Practice => match practice_url {
                Some(url) => NetworkProfile::practice(url),
                None => Err(Error::invalid_argument("the practice network is not running: no URL to connect to")
                    .with_data(serde_json::json!({ "value": "practice" }))),
            },
            NetworkChoice::Custom(url) => NetworkProfile::custom(url),
        }
    }
}

/// [`MAINNET_GENESIS`] as a hash.
pub fn mainnet_genesis() -> H256 {
    parse_hash(MAINNET_GENESIS).expect("MAINNET_GENESIS is a valid 32-byte hex hash")
}

/// Parse `0x` + 64 hex digits.
pub fn parse_hash(s: &str) -> Result<H256> {
    let hex_part = s.trim().strip_prefix("0x").unwrap_or(s.trim());
    let bytes = hex::decode(hex_part).map_err(|e| Error::invalid_argument(format!("{s:?} is not a hex hash: {e}")))?;
    let arr: [u8; 32] =
        bytes.try_into().map_err(|_| Error::invalid_argument(format!("{s:?} is not a 32-byte hash")))?;
    Ok(H256(arr))
}

/// `0x`-prefixed lowercase hex of a hash, the form the UI and logs show.
pub fn hash_hex(h: &H256) -> String {
    format!("0x{}", hex::encode(h.0))
}

/// Validate a URL (ws/wss, has a host) but keep the user's spelling, minus spaces.
fn check_url(raw: &str) -> Result<String> {
    parse_node_url(raw)?;
    Ok(raw.trim().to_string())
}

fn clean_list<S: AsRef<str>>(list: &[S]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        let url = check_url(raw.as_ref())?;
        if !out.iter().any(|u| u.trim_end_matches('/') == url.trim_end_matches('/')) {
            out.push(url);
        }
    }
    if out.is_empty() {
        return Err(Error::invalid_argument("the endpoint list is empty: add at least one wss:// node")
            .with_data(serde_json::json!({ "value": "", "reason": "endpoints-empty" })));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn mainnet_has_the_five_public_nodes_and_the_pin() {
        let p = NetworkProfile::mainnet();
        assert_eq!(p.network, "mainnet");
        assert_eq!(
            p.endpoints,
            [
                "wss://rpc.dbcwallet.io",
                "wss://info1.dbcwallet.io",
                "wss://rpc1.dbcwallet.io",
                "wss://rpc3.dbcwallet.io",
                "wss://info.dbcwallet.io"
            ]
        );
        let g = p.expected_genesis.unwrap();
        assert_eq!(hash_hex(&g), "0x03aa6b475a03f8baf7f83e448513b00eaab03aefa4ed64bd1d31160dce028add");
        assert_eq!(g.0[0], 0x03);
        assert_eq!(g.0[31], 0xdd);
    }

    #[test]
    fn practice_and_custom_pin_nothing() {
        assert_eq!(NetworkProfile::practice("ws://127.0.0.1:9944").unwrap().expected_genesis, None);
        let c = NetworkProfile::custom(" wss://example.org:443 ").unwrap();
        assert_eq!(c.endpoints, ["wss://example.org:443"]);
        assert_eq!(c.expected_genesis, None);
        assert_eq!(hash_hex(&parse_hash(PRACTICE_GENESIS).unwrap()), PRACTICE_GENESIS);
    }

    #[test]
    fn edited_mainnet_list_is_validated_deduplicated_and_keeps_the_pin() {
        let p = NetworkProfile::mainnet_with_endpoints(&["wss://a.example", "wss://a.example/", "ws://10.0.0.2:9944"])
            .unwrap();
        assert_eq!(p.endpoints, ["wss://a.example", "ws://10.0.0.2:9944"]);
        assert_eq!(p.expected_genesis, Some(mainnet_genesis()));
        let empty: [&str; 0] = [];
        assert_eq!(NetworkProfile::mainnet_with_endpoints(&empty).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(
            NetworkProfile::mainnet_with_endpoints(&["https://x"]).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn for_choice_needs_the_practice_url() {
        assert_eq!(NetworkProfile::for_choice(&NetworkChoice::Mainnet, None, None).unwrap(), NetworkProfile::mainnet());
        assert!(NetworkProfile::for_choice(&NetworkChoice::Practice, None, None).is_err());
        let p = NetworkProfile::for_choice(&NetworkChoice::Practice, Some("ws://127.0.0.1:8000"), None).unwrap();
        assert_eq!(p.endpoints, ["ws://127.0.0.1:8000"]);
        let c = NetworkProfile::for_choice(&NetworkChoice::Custom("ws://h:1/".into()), None, None).unwrap();
        assert_eq!(c.network, "custom");
    }

    #[test]
    fn serde_shape_is_camel_case_with_hex_genesis() {
        let v = serde_json::to_value(NetworkProfile::mainnet()).unwrap();
        assert_eq!(v["expectedGenesis"], serde_json::json!(MAINNET_GENESIS));
        let back: NetworkProfile = serde_json::from_value(v).unwrap();
        assert_eq!(back, NetworkProfile::mainnet());
    }

    #[test]
    fn bad_hashes_are_rejected() {
        assert!(parse_hash("0x1234").is_err());
        assert!(parse_hash("zz").is_err());
    }

    #[test]
    fn the_ui_knows_mainnets_genesis() {
        // The status bar names a custom node on mainnet's chain "mainnet via custom node".
        let labels =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/labels.ts")).unwrap();
        assert!(
            labels.contains(&format!("MAINNET_GENESIS = '{MAINNET_GENESIS}'")),
            "ui/src/lib/labels.ts has another MAINNET_GENESIS"
        );
    }
}
