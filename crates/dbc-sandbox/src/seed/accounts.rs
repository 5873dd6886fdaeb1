//! The practice accounts: who holds keys and money on the practice chain.
//!
//! Dev accounts (//Alice … //Ferdie) and named ones (//Faucet, //Renter1, …)
//! use Substrate's public dev phrase, so any wallet can import them by URI.
//! Background accounts (machine stashes and controllers, the tenants who hold
//! the seeded rentals) are many, so they use hex seeds derived with sha256
//! (no PBKDF2 per key): their `uri` is that `0x…` seed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

/// 1 DBC in planck (15 decimals).
pub const DBC: u128 = 1_000_000_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `Sudo.Key`: root calls on the practice chain.
    Sudo,
    /// Pays `fund` requests.
    Faucet,
    /// Free to use for practising (no seeded rentals).
    Renter,
    /// `RentMachine.RentFeePot`: receives the destroyed share of rent.
    FeePot,
    /// Holds the seeded rentals on rented machines.
    Tenant,
    /// Machine owner (stash).
    Stash,
    /// Machine operator (controller).
    Controller,
}

/// One account as `state.json` and `dbc-sandbox up --json` list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeAccount {
    pub name: String,
    pub role: Role,
    /// Secret URI (`//Alice`, or a `0x…` seed): practice-only keys, public by design.
    pub uri: String,
    /// SS58, prefix 42.
    pub address: String,
    /// Free balance at genesis, whole DBC.
    pub genesis_dbc: u128,
}

/// An account with its key.
#[derive(Clone)]
pub struct Account {
    pub info: PracticeAccount,
    pub keypair: Keypair,
}

impl Account {
    pub fn id(&self) -> AccountId32 {
        self.keypair.public_key().to_account_id()
    }
    pub fn bytes(&self) -> [u8; 32] {
        self.keypair.public_key().0
    }
}

pub fn keypair_from_uri(uri: &str) -> Keypair {
    let u: SecretUri = uri.parse().expect("a valid secret URI");
    Keypair::from_uri(&u).expect("a derivable secret URI")
}

fn dev(name: &str, role: Role, uri: &str, dbc: u128) -> Account {
    mk(name, role, uri.to_string(), keypair_from_uri(uri), dbc)
}

/// A background account: seed = sha256("dbc-rent practice/<label>").
pub fn derived(name: &str, role: Role, label: &str, dbc: u128) -> Account {
    let seed: [u8; 32] = Sha256::digest(format!("dbc-rent practice/{label}").as_bytes()).into();
    let kp = Keypair::from_secret_key(seed).expect("32-byte seed");
    mk(name, role, format!("0x{}", hex::encode(seed)), kp, dbc)
}

fn mk(name: &str, role: Role, uri: String, keypair: Keypair, dbc: u128) -> Account {
    let address = keypair.public_key().to_account_id().to_string();
    Account { info: PracticeAccount { name: name.into(), role, uri, address, genesis_dbc: dbc }, keypair }
}

/// Sudo, faucet, renters and the fee pot: the accounts a user meets.
pub fn main_accounts() -> Vec<Account> {
    vec![
        dev("Alice", Role::Sudo, "//Alice", 10_000_000),
        dev("Faucet", Role::Faucet, "//Faucet", 1_000_000_000),
        dev("Bob", Role::Renter, "//Bob", 1_000_000),
        dev("Charlie", Role::Renter, "//Charlie", 1_000_000),
        dev("Dave", Role::Renter, "//Dave", 1_000_000),
        dev("Eve", Role::Renter, "//Eve", 1_000_000),
        dev("Renter1", Role::Renter, "//Renter1", 100_000),
        dev("Renter2", Role::Renter, "//Renter2", 100_000),
        dev("Ferdie", Role::FeePot, "//Ferdie", 1_000),
    ]
}

pub fn tenants(count: usize) -> Vec<Account> {
    (1..=count).map(|i| derived(&format!("Tenant{i}"), Role::Tenant, &format!("tenant/{i}"), 5_000_000)).collect()
}

/// `(stash, controller)` pairs.
pub fn operators(count: usize) -> Vec<(Account, Account)> {
    (1..=count)
        .map(|i| {
            (
                derived(&format!("Stash{i}"), Role::Stash, &format!("stash/{i}"), 50_000),
                derived(&format!("Controller{i}"), Role::Controller, &format!("controller/{i}"), 1_000),
            )
        })
        .collect()
}
