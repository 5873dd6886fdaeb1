//! The wallet: accounts, their keys and where their secrets live. Pure: no
//! network (balances and transfers belong to `chain`).
//!
//! [`Wallet`] is the one facade the CLI and the desktop app call. Pieces,
//! one job each: [`mnemonic`] (BIP-39 words), [`keys`] (sr25519 keys and
//! SS58 addresses, as polkadot.js makes them), [`keystore_json`]
//! (polkadot.js JSON files), [`crypto`] (sealing under the app password),
//! [`secret_store`] (OS keyring or the explicit encrypted file),
//! [`registry`] (the account list, no secrets).
//!
//! Rules it keeps: secrets are sealed under the app password before any
//! store sees them; they travel in zeroizing types and never appear in
//! `Debug` output or errors; creating an account is all-or-nothing; the
//! caller names the store for every new account, so nothing silently
//! falls back from the keyring to the file.
//!
//! Everything here blocks (Argon2id, scrypt, D-Bus): from async code call
//! it inside `spawn_blocking`.

pub mod backup;
pub mod crypto;
pub mod keys;
pub mod keystore_json;
pub mod mnemonic;
pub mod registry;
pub mod secret_store;

pub use keys::{format_address, parse_address, DerivationPath, SigningKey};
pub use mnemonic::WordCount;
pub use registry::{Account, AccountSource};
pub use secrecy::{ExposeSecret, SecretString};
pub use secret_store::{EncryptedFileStore, KeyringStatus, OsKeyringStore, SecretStore, StoreKind};

use crate::error::{Error, ErrorCode, Result};
use registry::{Registry, RegistryFile};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The wallet's folder inside the data dir.
pub fn wallet_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("wallet")
}

/// Longest account name.
pub const MAX_NAME_CHARS: usize = 64;

/// What is sealed in the store for one account: enough to rebuild its key
/// and to export it again.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum SecretPayload {
    /// Recovery words plus the derivation suffix (`//hard/soft///password`, may be empty).
    Mnemonic { phrase: String, derivation: String },
    /// A raw 32-byte seed (hex, no 0x) plus the derivation suffix.
    Seed { seed: String, derivation: String },
    /// The 64-byte sr25519 secret key from a polkadot.js JSON file (hex).
    Pkcs8 { secret: String },
}

impl SecretPayload {
    fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>> {
        serde_json::to_vec(self).map(Zeroizing::new).map_err(|e| Error::internal(e.to_string()))
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|_| {
            Error::new(ErrorCode::StorageCorrupt, "the stored secret has an unknown layout")
                .with_data(json!({ "path": "secret" }))
        })
    }

    fn key(&self) -> Result<SigningKey> {
        match self {
            SecretPayload::Mnemonic { phrase, derivation } => {
                SigningKey::from_phrase(&mnemonic::parse(phrase)?, &DerivationPath::parse(derivation)?)
            }
            SecretPayload::Seed { seed, derivation } => {
                let bytes = keys::parse_seed(&Zeroizing::new(format!("0x{seed}")))?;
                SigningKey::from_seed(&bytes, &DerivationPath::parse(derivation)?)
            }
            SecretPayload::Pkcs8 { secret } => {
                let bytes = Zeroizing::new(
                    hex::decode(secret)
                        .map_err(|_| Error::new(ErrorCode::StorageCorrupt, "the stored key is not hex"))?,
                );
                SigningKey::from_ed25519_secret(&bytes)
            }
        }
    }
}

/// A freshly created account and its recovery words, shown once.
pub struct Created {
    pub account: Account,
    pub mnemonic: Zeroizing<String>,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Created").field("account", &self.account).field("mnemonic", &crate::redact::REDACTED).finish()
    }
}

/// The accounts of one data dir and their secrets.
pub struct Wallet {
    data_dir: PathBuf,
    registry: Registry,
    stores: Mutex<HashMap<StoreKind, Arc<dyn SecretStore>>>,
}

impl Wallet {
    /// The wallet of `data_dir`. Refuses (`storage-corrupt`) an account
    /// list it cannot read, leaving it untouched. Opens no secret store yet.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let w = Wallet {
            data_dir: data_dir.to_path_buf(),
            registry: Registry::new(&wallet_dir(data_dir)),
            stores: Mutex::new(HashMap::new()),
        };
        w.registry.load()?;
        Ok(w)
    }

    /// Use `store` for its kind instead of opening one on demand (the app
    /// hands over the keyring it probed at start; tests a mock).
    pub fn with_store(self, store: Arc<dyn SecretStore>) -> Self {
        self.stores.lock().unwrap_or_else(|p| p.into_inner()).insert(store.kind(), store);
        self
    }

    /// The store of `kind`: the one given, else opened now (the OS keyring
    /// is probed: `keyring-unavailable` / `keyring-locked`).
    pub fn store(&self, kind: StoreKind) -> Result<Arc<dyn SecretStore>> {
        let mut stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = stores.get(&kind) {
            return Ok(s.clone());
        }
        let s: Arc<dyn SecretStore> = match kind {
            StoreKind::OsKeyring => Arc::new(OsKeyringStore::open()?),
            StoreKind::EncryptedFile => Arc::new(EncryptedFileStore::open(&self.data_dir)),
        };
        stores.insert(kind, s.clone());
        Ok(s)
    }

    /// Every account, in the order they were added.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        Ok(self.registry.load()?.accounts)
    }

    /// The active account; `no-active-account` when the wallet is empty.
    pub fn active(&self) -> Result<Account> {
        self.accounts()?.into_iter().find(|a| a.active).ok_or_else(no_active)
    }

    /// An account by id, address or name (names compare case-insensitively).
    pub fn find(&self, query: &str) -> Result<Account> {
        find_in(&self.registry.load()?, query).cloned()
    }

    /// Make an account the active one.
    pub fn set_active(&self, query: &str) -> Result<Account> {
        self.registry.update(|file| {
            let acc = find_in(file, query)?.clone();
            file.active = Some(acc.id.clone());
            Ok(Account { active: true, ..acc })
        })
    }

    /// Rename an account (names are unique, case-insensitively).
    pub fn rename(&self, query: &str, name: &str) -> Result<Account> {
        self.registry.update(|file| {
            let id = find_in(file, query)?.id.clone();
            let name = check_name(file, name, Some(&id))?;
            let acc = file.accounts.iter_mut().find(|a| a.id == id).expect("found above");
            acc.name = name;
            Ok(acc.clone())
        })
    }

    /// Create an account from new recovery words (12 or 24). The words come
    /// back once, here; the account starts as not backed up. `password`
    /// (the app password, 8+ characters) seals the secret in `store`.
    pub fn create(
        &self,
        name: Option<&str>,
        words: WordCount,
        password: &SecretString,
        store: StoreKind,
    ) -> Result<Created> {
        let phrase = mnemonic::generate(words);
        let account = self.create_from_words(name, &phrase, false, password, store)?;
        Ok(Created { account, mnemonic: phrase })
    }

    /// Create an account from words this app generated and already showed
    /// (the desktop flow shows the words first and asks for the name and
    /// password after the backup check). `backed_up` records whether the
    /// user passed that check or chose "back up later".
    pub fn create_from_words(
        &self,
        name: Option<&str>,
        phrase: &str,
        backed_up: bool,
        password: &SecretString,
        store: StoreKind,
    ) -> Result<Account> {
        let key = SigningKey::from_phrase(&mnemonic::parse(phrase)?, &DerivationPath::root())?;
        let payload = SecretPayload::Mnemonic { phrase: phrase.to_string(), derivation: String::new() };
        self.add(name, &key, &payload, AccountSource::Created, backed_up, password, store)
    }

    /// Import recovery words, with an optional derivation (`//hard/soft`,
    /// `///password`), exactly as polkadot.js derives them.
    pub fn import_mnemonic(
        &self,
        name: Option<&str>,
        phrase: &SecretString,
        derivation: Option<&str>,
        password: &SecretString,
        store: StoreKind,
    ) -> Result<Account> {
        let m = mnemonic::parse(phrase.expose_secret())?;
        let derivation = derivation.unwrap_or("").trim();
        let key = SigningKey::from_phrase(&m, &DerivationPath::parse(derivation)?)?;
        let payload = SecretPayload::Mnemonic {
            phrase: mnemonic::normalize(phrase.expose_secret()).to_string(),
            derivation: derivation.to_string(),
        };
        self.add(name, &key, &payload, AccountSource::Mnemonic, true, password, store)
    }

    /// Import a raw seed (`0x` + 64 hex), with an optional derivation.
    pub fn import_seed(
        &self,
        name: Option<&str>,
        seed: &SecretString,
        derivation: Option<&str>,
        password: &SecretString,
        store: StoreKind,
    ) -> Result<Account> {
        let bytes = keys::parse_seed(seed.expose_secret())?;
        let derivation = derivation.unwrap_or("").trim();
        let key = SigningKey::from_seed(&bytes, &DerivationPath::parse(derivation)?)?;
        let payload = SecretPayload::Seed { seed: hex::encode(bytes.as_ref()), derivation: derivation.to_string() };
        self.add(name, &key, &payload, AccountSource::Seed, true, password, store)
    }

    /// Import a polkadot.js JSON keystore opened with `json_password`; the
    /// name defaults to the one in the file.
    pub fn import_json(
        &self,
        name: Option<&str>,
        json_text: &str,
        json_password: &SecretString,
        password: &SecretString,
        store: StoreKind,
    ) -> Result<Account> {
        crypto::check_new_password(password.expose_secret())?;
        let imported = keystore_json::import(json_text, json_password.expose_secret())?;
        let payload = SecretPayload::Pkcs8 { secret: hex::encode(imported.key.to_ed25519_secret().as_ref()) };
        let name = name.map(str::to_string).or(imported.name);
        self.add(name.as_deref(), &imported.key, &payload, AccountSource::Json, true, password, store)
    }

    /// A polkadot.js JSON keystore of the account, encrypted with
    /// `json_password` (what dbcwallet.io will ask for).
    pub fn export_json(&self, query: &str, password: &SecretString, json_password: &SecretString) -> Result<String> {
        let acc = self.find(query)?;
        let key = self.signing_key(&acc.id, password)?;
        keystore_json::export(&key, json_password.expose_secret(), &acc.name, acc.created_at.saturating_mul(1000))
    }

    /// The key that signs for the account; needs the app password.
    pub fn signing_key(&self, query: &str, password: &SecretString) -> Result<SigningKey> {
        let acc = self.find(query)?;
        let payload = self.unseal(&acc, password)?;
        let key = payload.key()?;
        if key.address() != acc.address {
            return Err(Error::new(
                ErrorCode::StorageCorrupt,
                format!("the stored secret of {} gives another address", acc.name),
            )
            .with_data(json!({ "path": self.registry.path().display().to_string() })));
        }
        Ok(key)
    }

    /// The recovery words again (for a later backup); needs the app password.
    /// `mnemonic-unavailable` for seed and JSON imports.
    pub fn reveal_mnemonic(&self, query: &str, password: &SecretString) -> Result<Zeroizing<String>> {
        let acc = self.find(query)?;
        if !acc.source.has_mnemonic() {
            return Err(no_mnemonic());
        }
        match self.unseal(&acc, password)? {
            SecretPayload::Mnemonic { ref phrase, .. } => Ok(Zeroizing::new(phrase.clone())),
            _ => Err(no_mnemonic()),
        }
    }

    /// Check the user's backup quiz answers (`(1-based position, word)`)
    /// against the stored words and, if all match, mark the account backed up.
    pub fn confirm_backup(&self, query: &str, password: &SecretString, answers: &[(usize, String)]) -> Result<Account> {
        let phrase = self.reveal_mnemonic(query, password)?;
        mnemonic::check_words(&phrase, answers)?;
        self.mark_backed_up(query)
    }

    /// Mark the account backed up without a quiz (the caller verified the
    /// words it got from [`Wallet::create`] itself).
    pub fn mark_backed_up(&self, query: &str) -> Result<Account> {
        self.registry.update(|file| {
            let id = find_in(file, query)?.id.clone();
            let acc = file.accounts.iter_mut().find(|a| a.id == id).expect("found above");
            acc.backed_up = true;
            Ok(acc.clone())
        })
    }

    /// Remove an account and its secret. Needs the app password, so a
    /// mistaken click cannot destroy a key that is not backed up. If the
    /// active account goes, the first remaining one becomes active.
    pub fn remove(&self, query: &str, password: &SecretString) -> Result<Account> {
        let acc = self.find(query)?;
        self.unseal(&acc, password)?;
        // The list first: a leftover sealed blob is harmless, a listed
        // account without its secret is not.
        self.registry.update(|file| {
            file.accounts.retain(|a| a.id != acc.id);
            if file.active.as_deref() == Some(acc.id.as_str()) {
                file.active = file.accounts.first().map(|a| a.id.clone());
            }
            Ok(())
        })?;
        if let Err(e) = self.store(acc.store).and_then(|s| s.delete(&acc.id)) {
            tracing::warn!(account = %acc.id, error = %e.message, "the removed account's sealed secret could not be deleted");
        }
        Ok(acc)
    }

    fn unseal(&self, acc: &Account, password: &SecretString) -> Result<SecretPayload> {
        let blob = self.store(acc.store)?.get(&acc.id)?;
        let plain = crypto::open(&blob, password.expose_secret())?;
        SecretPayload::from_bytes(&plain)
    }

    /// Store the sealed secret, then list the account; undo the first if the
    /// second fails, so there is never half an account.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &self,
        name: Option<&str>,
        key: &SigningKey,
        payload: &SecretPayload,
        source: AccountSource,
        backed_up: bool,
        password: &SecretString,
        kind: StoreKind,
    ) -> Result<Account> {
        crypto::check_new_password(password.expose_secret())?;
        let address = key.address();
        // Checked now to fail fast, and again under the lock when listing
        // (another process may have added the same key or name meanwhile).
        let unlisted = |file: &RegistryFile| -> Result<String> {
            if file.accounts.iter().any(|a| a.address == address) {
                return Err(Error::new(ErrorCode::AccountExists, format!("{address} is already in the wallet"))
                    .with_data(json!({ "address": address })));
            }
            match name {
                Some(n) => check_name(file, n, None),
                None => Ok(default_name(file)),
            }
        };
        unlisted(&self.registry.load()?)?;
        let store = self.store(kind)?;
        let id = hex::encode(rand::random::<[u8; 8]>());
        let sealed = crypto::seal(&payload.to_bytes()?, password.expose_secret())?;
        store.put(&id, &sealed)?;
        let listed = self.registry.update(|file| {
            let name = unlisted(file)?;
            let account = Account {
                id: id.clone(),
                name,
                address: address.clone(),
                source,
                backed_up,
                created_at: now_secs(),
                store: kind,
                active: true,
            };
            file.accounts.push(account.clone());
            file.active = Some(id.clone());
            Ok(account)
        });
        match listed {
            Ok(account) => Ok(account),
            Err(e) => {
                if let Err(undo) = store.delete(&id) {
                    tracing::warn!(account = %id, error = %undo.message, "could not remove the secret of an account that failed to be listed");
                }
                Err(e)
            }
        }
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn no_active() -> Error {
    Error::new(ErrorCode::NoActiveAccount, "the wallet has no account yet: create or import one")
}

fn no_mnemonic() -> Error {
    Error::new(
        ErrorCode::MnemonicUnavailable,
        "this account was imported from a seed or a JSON file: it has no recovery words to show",
    )
}

fn find_in<'a>(file: &'a RegistryFile, query: &str) -> Result<&'a Account> {
    let q = query.trim();
    file.accounts
        .iter()
        .find(|a| a.id == q || a.address == q)
        .or_else(|| file.accounts.iter().find(|a| a.name.to_lowercase() == q.to_lowercase()))
        .ok_or_else(|| {
            if file.accounts.is_empty() {
                return no_active();
            }
            Error::new(ErrorCode::AccountNotFound, format!("no account named or with the address {q:?}"))
                .with_data(json!({ "value": q }))
        })
}

/// A name as kept: trimmed, without bidirectional controls (an override
/// could make "Savings" display as another account's name), 1 to
/// [`MAX_NAME_CHARS`] characters, no control characters, unique.
fn check_name(file: &RegistryFile, name: &str, except_id: Option<&str>) -> Result<String> {
    let stripped = crate::text::strip_bidi(name);
    let name = stripped.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!("an account name has 1 to {MAX_NAME_CHARS} characters"))
            .with_data(json!({ "value": name })));
    }
    let taken =
        file.accounts.iter().any(|a| Some(a.id.as_str()) != except_id && a.name.to_lowercase() == name.to_lowercase());
    if taken {
        return Err(Error::new(ErrorCode::AccountNameTaken, format!("another account is already named {name:?}"))
            .with_data(json!({ "name": name })));
    }
    Ok(name.to_string())
}

fn default_name(file: &RegistryFile) -> String {
    (file.accounts.len() + 1..)
        .map(|n| format!("Account {n}"))
        .find(|n| !file.accounts.iter().any(|a| a.name.eq_ignore_ascii_case(n)))
        .expect("an unused number exists")
}

#[cfg(test)]
mod tests;
