//! The app's wallet: the core `Wallet`, which secret store new accounts go
//! to, and the backup drafts in progress (recovery words shown once, checked
//! word by word, wiped when done). Orchestration only: keys, sealing and
//! stores live in `dbc::wallet`.

use dbc::settings::Settings;
use dbc::wallet::backup::{BackupCheck, Pick};
use dbc::wallet::{Account, OsKeyringStore, StoreKind, Wallet, WordCount};
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// A draft nobody finished (the dialog was closed) is forgotten after this.
const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);

/// Where secrets can go, as the Wallet screen shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct StoreInfo {
    /// Where new accounts go, or `None` while the user must choose.
    pub kind: Option<StoreKind>,
    pub os_keyring: KeyringView,
    pub file_store_chosen: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct KeyringView {
    pub available: bool,
    pub locked: bool,
    pub reason: Option<String>,
}

enum DraftKind {
    /// New words not yet an account.
    Create { phrase: Zeroizing<String> },
    /// A later backup of an existing account.
    Backup { account_id: String },
}

struct Draft {
    kind: DraftKind,
    check: BackupCheck,
    started: Instant,
}

pub struct WalletService {
    data_dir: PathBuf,
    wallet: Mutex<Option<Arc<Wallet>>>,
    drafts: Mutex<HashMap<String, Draft>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl WalletService {
    pub fn new(data_dir: PathBuf) -> Self {
        WalletService { data_dir, wallet: Mutex::new(None), drafts: Mutex::new(HashMap::new()) }
    }

    /// The wallet of the data dir, opened on first use. A corrupt account
    /// list is refused (left untouched) every time, so the user sees why.
    pub fn wallet(&self) -> Result<Arc<Wallet>> {
        let mut w = lock(&self.wallet);
        if let Some(w) = w.as_ref() {
            return Ok(w.clone());
        }
        let opened = Arc::new(Wallet::open(&self.data_dir)?);
        *w = Some(opened.clone());
        Ok(opened)
    }

    /// The OS keyring's state and where new accounts would go. Probes the
    /// keyring (D-Bus on Linux): call from a blocking thread.
    pub fn store_info(&self, settings: &Settings) -> StoreInfo {
        let status = OsKeyringStore::status();
        let os_keyring = KeyringView {
            available: status.state == "available",
            locked: status.state == "locked",
            reason: status.reason.clone(),
        };
        let kind = if os_keyring.available {
            Some(StoreKind::OsKeyring)
        } else if settings.file_store_chosen {
            Some(StoreKind::EncryptedFile)
        } else {
            None
        };
        StoreInfo { kind, os_keyring, file_store_chosen: settings.file_store_chosen }
    }

    /// The store for a new account, or why there is none yet.
    pub fn store_for_new(&self, settings: &Settings) -> Result<StoreKind> {
        let info = self.store_info(settings);
        info.kind.ok_or_else(|| {
            let code = if info.os_keyring.locked { ErrorCode::KeyringLocked } else { ErrorCode::KeyringUnavailable };
            Error::new(
                code,
                "the OS keyring cannot store secrets; unlock it, or choose the encrypted file in the Wallet screen",
            )
            .with_data(serde_json::json!({ "reason": info.os_keyring.reason.unwrap_or_default() }))
        })
    }

    fn put_draft(&self, kind: DraftKind, phrase: &str) -> (String, Vec<String>) {
        let mut drafts = lock(&self.drafts);
        drafts.retain(|_, d| d.started.elapsed() < DRAFT_TTL);
        let id = draft_id();
        let check = BackupCheck::new(phrase);
        let words = check.words();
        drafts.insert(id.clone(), Draft { kind, check, started: Instant::now() });
        (id, words)
    }

    /// New recovery words for the backup display (the account is created at
    /// the end, with the name and password the user picks then).
    pub fn create_begin(&self, words: WordCount) -> (String, Vec<String>) {
        let phrase = dbc::wallet::mnemonic::generate(words);
        self.put_draft(DraftKind::Create { phrase: phrase.clone() }, &phrase)
    }

    /// The words of an existing account again, for a later backup.
    pub fn backup_begin(&self, account_id: &str, phrase: &str) -> (String, Vec<String>) {
        self.put_draft(DraftKind::Backup { account_id: account_id.to_string() }, phrase)
    }

    pub fn challenge(&self, draft_id: &str) -> Result<Vec<String>> {
        let drafts = lock(&self.drafts);
        let d = drafts.get(draft_id).ok_or_else(|| draft_missing(draft_id))?;
        Ok(d.check.pool(&mut rand::thread_rng()))
    }

    pub fn pick(&self, draft_id: &str, position: usize, word: &str) -> Result<Pick> {
        let mut drafts = lock(&self.drafts);
        let d = drafts.get_mut(draft_id).ok_or_else(|| draft_missing(draft_id))?;
        Ok(d.check.pick(position, word))
    }

    /// Finish a create draft: the account is added (all or nothing) and the
    /// words are wiped. `backed_up` needs the check to be complete.
    pub fn create_finish(
        &self,
        draft_id: &str,
        name: Option<&str>,
        backed_up: bool,
        password: &dbc::wallet::SecretString,
        store: StoreKind,
    ) -> Result<Account> {
        let phrase = {
            let drafts = lock(&self.drafts);
            let d = drafts.get(draft_id).ok_or_else(|| draft_missing(draft_id))?;
            if backed_up && !d.check.is_complete() {
                return Err(backup_incomplete());
            }
            match &d.kind {
                DraftKind::Create { phrase } => phrase.clone(),
                DraftKind::Backup { .. } => {
                    return Err(Error::invalid_argument("this draft is a backup, not a new account"))
                }
            }
        };
        let account = self.wallet()?.create_from_words(name, &phrase, backed_up, password, store)?;
        lock(&self.drafts).remove(draft_id);
        Ok(account)
    }

    /// Finish a later backup: the check must be complete.
    pub fn backup_finish(&self, draft_id: &str) -> Result<Account> {
        let account_id = {
            let drafts = lock(&self.drafts);
            let d = drafts.get(draft_id).ok_or_else(|| draft_missing(draft_id))?;
            if !d.check.is_complete() {
                return Err(backup_incomplete());
            }
            match &d.kind {
                DraftKind::Backup { account_id } => account_id.clone(),
                DraftKind::Create { .. } => {
                    return Err(Error::invalid_argument("this draft is a new account, not a backup"))
                }
            }
        };
        let account = self.wallet()?.mark_backed_up(&account_id)?;
        lock(&self.drafts).remove(draft_id);
        Ok(account)
    }

    /// Forget a draft (the dialog was closed): its words are wiped now.
    pub fn discard(&self, draft_id: &str) {
        lock(&self.drafts).remove(draft_id);
    }

    /// Where an export goes: the user's Downloads folder, else the data dir.
    pub fn export_dir(&self) -> PathBuf {
        dirs_download().unwrap_or_else(|| self.data_dir.join("exports"))
    }
}

fn dirs_download() -> Option<PathBuf> {
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Downloads")).filter(|p| p.is_dir()))
}

fn draft_id() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    hex::encode(bytes)
}

fn draft_missing(id: &str) -> Error {
    Error::invalid_argument("this backup was closed or timed out; start again")
        .with_data(serde_json::json!({ "value": id }))
}

fn backup_incomplete() -> Error {
    Error::new(ErrorCode::BackupIncomplete, "put every word back in order first, or choose \"back up later\"")
}
