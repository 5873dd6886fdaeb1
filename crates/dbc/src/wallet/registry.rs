//! The account list, `<data dir>/wallet/accounts.json`: names, addresses,
//! where each secret lives, whether it is backed up, which one is active.
//! No secrets, ever.
//!
//! A file we cannot read is refused (`storage-corrupt`) and left as it is:
//! unlike settings, losing this list would hide accounts whose secrets
//! still sit in the keyring, so it is never moved aside or overwritten.
//!
//! Every change is a read-modify-write under an exclusive lock on
//! `accounts.json.lock` ([`Registry::update`]), so the app and the CLI (or
//! two IPC calls) adding accounts at once never drop one.

use super::secret_store::StoreKind;
use crate::error::{Error, Result};
use crate::paths;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How the account came in; decides what can be shown or exported later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum AccountSource {
    /// Created here (the recovery words were shown once and are stored).
    Created,
    /// Imported from recovery words.
    Mnemonic,
    /// Imported from a raw `0x` seed.
    Seed,
    /// Imported from a polkadot.js JSON keystore.
    Json,
}

impl AccountSource {
    /// Whether recovery words exist to show again.
    pub fn has_mnemonic(self) -> bool {
        matches!(self, AccountSource::Created | AccountSource::Mnemonic)
    }
}

/// One account as the UI and the CLI see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Stable random id (also the key of its secret in the store).
    pub id: String,
    pub name: String,
    /// SS58, prefix 42.
    pub address: String,
    pub source: AccountSource,
    /// False until the user confirms the recovery words are written down
    /// ("back up later" leaves the mark visible).
    pub backed_up: bool,
    /// Unix seconds.
    pub created_at: u64,
    /// Where its sealed secret lives.
    pub store: StoreKind,
    /// Derived on load from the registry's `active` id; not stored per account.
    #[serde(default, skip_deserializing)]
    pub active: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistryFile {
    pub version: u32,
    pub active: Option<String>,
    pub accounts: Vec<Account>,
}

const VERSION: u32 = 1;

pub(crate) struct Registry {
    path: PathBuf,
}

impl Registry {
    pub fn new(wallet_dir: &Path) -> Self {
        Registry { path: wallet_dir.join("accounts.json") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Result<RegistryFile> {
        let Some(bytes) = crate::paths::read_if_exists(&self.path)? else {
            return Ok(RegistryFile { version: VERSION, ..Default::default() });
        };
        let corrupt = |why: String| Error::storage_corrupt(&self.path, &why);
        let mut file: RegistryFile = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if file.version != VERSION {
            return Err(corrupt(format!("unknown version {}", file.version)));
        }
        let active = file.active.clone();
        for a in &mut file.accounts {
            a.active = active.as_deref() == Some(a.id.as_str());
        }
        Ok(file)
    }

    /// Read the list, let `f` change it, write it back, all under the
    /// cross-process lock. Nothing is written when `f` fails.
    pub fn update<T>(&self, f: impl FnOnce(&mut RegistryFile) -> Result<T>) -> Result<T> {
        let dir = self.path.parent().expect("file in a folder");
        paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
        paths::with_lock(&self.path, || {
            let mut file = self.load()?;
            let out = f(&mut file)?;
            self.save(&file)?;
            Ok(out)
        })
        .map_err(|e| Error::io(&self.path, &e))?
    }

    fn save(&self, file: &RegistryFile) -> Result<()> {
        let dir = self.path.parent().expect("file in a folder");
        paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
        // `active` per account is derived, written only for a human reading the file.
        let accounts: Vec<Account> = file
            .accounts
            .iter()
            .map(|a| Account { active: file.active.as_deref() == Some(a.id.as_str()), ..a.clone() })
            .collect();
        let out = RegistryFile { version: VERSION, active: file.active.clone(), accounts };
        let bytes = serde_json::to_vec_pretty(&out).map_err(|e| Error::internal(e.to_string()))?;
        paths::write_atomic(&self.path, &bytes).map_err(|e| Error::io(&self.path, &e))
    }
}
