//! The chain connection layer: which nodes to dial ([`profile`]), one checked
//! connection over subxt's legacy backend ([`client`]), the supervisor that
//! keeps it alive and publishes its state ([`manager`]), and the small
//! building blocks features use: balances ([`account`]), nonces ([`nonce`]),
//! signing and following transactions ([`tx`]).
//!
//! Chain access is metadata-driven (subxt dynamic API, `SubstrateConfig`, no
//! codegen), so it keeps working across DBC runtime upgrades. Only standard
//! Substrate RPCs are used, never DBC's node-only `rentMachine_*` /
//! `onlineProfile_*`, so the practice network (chopsticks) behaves the same.
//!
//! Typical use (the app or the CLI):
//! ```no_run
//! # async fn demo() -> dbc::Result<()> {
//! use dbc::chain::{ChainManager, ManagerConfig, NetworkProfile};
//! let manager = ChainManager::start(NetworkProfile::mainnet(), ManagerConfig::default());
//! let mut status = manager.subscribe(); // watch::Receiver<NetworkStatus>
//! let client = manager.wait_connected(std::time::Duration::from_secs(20)).await?;
//! let who = subxt_signer::sr25519::dev::alice().public_key().to_account_id();
//! let balance = dbc::chain::account::balance(&client, &who).await?;
//! # let _ = (status.borrow_and_update(), balance); Ok(()) }
//! ```

pub mod account;
pub mod client;
pub mod identity;
pub mod manager;
pub mod nonce;
pub mod profile;
pub mod rent;
pub mod tx;
pub(crate) mod value;

#[cfg(test)]
mod fake_node;

pub use account::Balance;
pub use client::{ChainClient, RuntimeVersion, Timeouts};
pub use identity::ChainIdentity;
pub use manager::{Backoff, ChainManager, ManagerConfig, ResolveProfile};
pub use nonce::NonceTracker;
pub use profile::{NetworkProfile, MAINNET_ENDPOINTS, MAINNET_GENESIS, PRACTICE_GENESIS};
pub use subxt::utils::AccountId32;
pub use tx::{TxOptions, TxOutcome, TxStatus, WaitFor};

/// The nodes to dial for `choice`: mainnet with the user's endpoint list
/// `mainnet_endpoints` (`None`: the built-in one), the practice network that
/// `dbc-sandbox` or the app started for `data_dir`, or a custom node. Shared
/// by the CLI and the app so both resolve a choice the same way; both take
/// the endpoints from [`crate::settings::Settings::checked_endpoints`], which
/// refuses an unencrypted remote node the user has not allowed.
pub fn profile_for(
    choice: &crate::network::NetworkChoice,
    mainnet_endpoints: Option<&[String]>,
    data_dir: &std::path::Path,
) -> crate::Result<NetworkProfile> {
    let practice_url = match choice {
        crate::network::NetworkChoice::Practice => Some(crate::practice::require_running(data_dir)?.chain),
        _ => None,
    };
    NetworkProfile::for_choice(choice, practice_url.as_deref(), mainnet_endpoints)
}

/// A supervisor for `choice`. Mainnet and a custom node dial the endpoints
/// [`profile_for`] gives, fixed at start (an error here is a setting the user
/// must fix). The practice network is looked up in `practice/state.json`
/// before every round instead: it may not run yet, stop, or come back on a
/// new port (`dbc-sandbox up` picks a free one), and the app must follow it
/// by itself; its rounds are also retried more often ([`Backoff::local`]).
pub fn manager_for(
    choice: &crate::network::NetworkChoice,
    mainnet_endpoints: Option<&[String]>,
    data_dir: &std::path::Path,
) -> crate::Result<ChainManager> {
    manager_with(choice, mainnet_endpoints, data_dir, ManagerConfig::default())
}

/// [`manager_for`] with other knobs (tests).
pub fn manager_with(
    choice: &crate::network::NetworkChoice,
    mainnet_endpoints: Option<&[String]>,
    data_dir: &std::path::Path,
    config: ManagerConfig,
) -> crate::Result<ChainManager> {
    if *choice != crate::network::NetworkChoice::Practice {
        return Ok(ChainManager::start(profile_for(choice, mainnet_endpoints, data_dir)?, config));
    }
    let data_dir = data_dir.to_path_buf();
    let resolve: manager::ResolveProfile =
        std::sync::Arc::new(move || NetworkProfile::practice(&crate::practice::require_running(&data_dir)?.chain));
    let backoff = Backoff {
        initial: config.backoff.initial.min(Backoff::local().initial),
        max: config.backoff.max.min(Backoff::local().max),
    };
    Ok(ChainManager::start_resolving("practice", resolve, ManagerConfig { backoff, ..config }))
}

/// `chain-reply-too-large`: the node listed more than `limit` items of `what`.
pub fn reply_too_large(endpoint: &str, what: &str, limit: usize) -> crate::Error {
    crate::Error::new(
        crate::ErrorCode::ChainReplyTooLarge,
        format!("the node at {endpoint} lists more than {limit} entries of {what}; refusing to read on"),
    )
    .with_data(serde_json::json!({ "endpoint": endpoint, "what": what, "limit": limit }))
}

/// Serde for planck amounts as decimal strings: JavaScript numbers cannot
/// hold u128 (precision ends at 2^53 planck, about 9 DBC). Reads strings or
/// plain JSON numbers.
pub(crate) mod planck_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            S(String),
            N(u64),
        }
        match Either::deserialize(d)? {
            Either::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
            Either::N(n) => Ok(u128::from(n)),
        }
    }
}

/// [`planck_string`] for `Option<u128>` (`null` when absent).
pub(crate) mod planck_string_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u128>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "super::planck_string")] u128);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}
