//! Where sealed secrets live: the OS keyring, or an encrypted file the user
//! chose explicitly.
//!
//! Every store holds blobs already sealed under the app password
//! ([`super::crypto`]), so even the OS keyring never sees a raw secret.
//! The OS keyring goes through `keyring-core` and one store crate per OS
//! (Secret Service over D-Bus on Linux, Keychain on macOS, Credential
//! Manager on Windows). Opening it *probes* it (a write, read and delete of
//! a throwaway entry) because on Linux a missing session bus fails at
//! construction while a locked collection only fails at the first write
//! (stack.md §5): the user must learn which one it is before creating an
//! account. Nothing here ever falls back from the keyring to the file on
//! its own: the caller picks a [`StoreKind`].

use crate::error::{Error, ErrorCode, Result};
use crate::paths;
use base64::Engine;
use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Keyring entries are filed under this service name.
pub const KEYRING_SERVICE: &str = crate::paths::APP_ID;

/// Which store keeps an account's secret (recorded per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum StoreKind {
    /// Windows Credential Manager, macOS Keychain, Secret Service on Linux.
    OsKeyring,
    /// `<data dir>/wallet/secrets.json`, mode 0600; opted into explicitly.
    EncryptedFile,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::OsKeyring => "os-keyring",
            StoreKind::EncryptedFile => "encrypted-file",
        }
    }
}

/// A place for sealed secret blobs, keyed by account id.
pub trait SecretStore: Send + Sync {
    fn kind(&self) -> StoreKind;
    /// Store (or replace) the blob for `id`.
    fn put(&self, id: &str, sealed: &[u8]) -> Result<()>;
    /// The blob for `id`; `secret-missing` if there is none.
    fn get(&self, id: &str) -> Result<Zeroizing<Vec<u8>>>;
    /// Remove the blob for `id`; absent is fine.
    fn delete(&self, id: &str) -> Result<()>;
}

/// What the OS keyring looks like right now, for a settings screen or the
/// first-run choice. `state`: `available`, `locked` or `unavailable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyringStatus {
    pub state: &'static str,
    /// Why it cannot be used (None when available).
    pub reason: Option<String>,
}

fn unavailable(reason: String) -> Error {
    Error::new(
        ErrorCode::KeyringUnavailable,
        format!("the OS keyring cannot be used ({reason}); the encrypted-file store can be chosen instead"),
    )
    .with_data(json!({ "reason": reason }))
}

fn locked(reason: String) -> Error {
    Error::new(
        ErrorCode::KeyringLocked,
        format!("the OS keyring is locked or refused access ({reason}); unlock it, or choose the encrypted-file store"),
    )
    .with_data(json!({ "reason": reason }))
}

fn keyring_error(e: keyring_core::Error) -> Error {
    match e {
        keyring_core::Error::NoStorageAccess(inner) => locked(inner.to_string()),
        other => unavailable(other.to_string()),
    }
}

/// The platform's keyring store, constructed (not yet probed).
fn platform_store() -> Result<Arc<CredentialStore>> {
    #[cfg(target_os = "linux")]
    {
        zbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>).map_err(|e| {
            let text = e.to_string();
            let hint = if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                "no D-Bus session bus"
            } else {
                "the Secret Service did not answer"
            };
            unavailable(format!("{hint}: {text}"))
        })
    }
    #[cfg(target_os = "macos")]
    {
        apple_native_keyring_store::keychain::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| unavailable(e.to_string()))
    }
    #[cfg(target_os = "windows")]
    {
        windows_native_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| unavailable(e.to_string()))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    {
        Err(unavailable("no supported keyring on this operating system".into()))
    }
}

/// Secrets in the OS keyring (one entry per account: service
/// `app.dbcrent.desktop`, user `wallet-<id>`).
///
/// Blocking: on Linux it talks D-Bus through zbus's own runtime, so call it
/// from a plain thread or `spawn_blocking`, never directly on an async task.
pub struct OsKeyringStore {
    store: Arc<CredentialStore>,
}

impl OsKeyringStore {
    /// The platform keyring, probed: `keyring-unavailable {reason}` when
    /// there is none (e.g. headless Linux without a D-Bus session),
    /// `keyring-locked {reason}` when it refuses access.
    pub fn open() -> Result<Self> {
        Self::with_store(platform_store()?)
    }

    /// A given keyring-core store (tests use `keyring_core::mock::Store`), probed.
    pub fn with_store(store: Arc<CredentialStore>) -> Result<Self> {
        let s = OsKeyringStore { store };
        s.probe()?;
        Ok(s)
    }

    /// Report the platform keyring's state without keeping it open.
    pub fn status() -> KeyringStatus {
        match Self::open() {
            Ok(_) => KeyringStatus { state: "available", reason: None },
            Err(e) => {
                let reason =
                    e.data.as_ref().and_then(|d| d["reason"].as_str()).map(str::to_string).or(Some(e.message.clone()));
                let state = if e.code == ErrorCode::KeyringLocked { "locked" } else { "unavailable" };
                KeyringStatus { state, reason }
            }
        }
    }

    fn entry(&self, id: &str) -> Result<Entry> {
        Entry::new_in_store(&self.store, KEYRING_SERVICE, &format!("wallet-{id}")).map_err(keyring_error)
    }

    /// Write, read back and delete a throwaway entry.
    fn probe(&self) -> Result<()> {
        let id = format!("probe-{}-{}", std::process::id(), rand::random::<u32>());
        let entry = self.entry(&id)?;
        entry.set_secret(b"probe").map_err(keyring_error)?;
        let back = entry.get_secret().map_err(keyring_error);
        let _ = entry.delete_credential();
        if back? != b"probe" {
            return Err(unavailable("the keyring returned something else than was written".into()));
        }
        Ok(())
    }
}

impl SecretStore for OsKeyringStore {
    fn kind(&self) -> StoreKind {
        StoreKind::OsKeyring
    }

    fn put(&self, id: &str, sealed: &[u8]) -> Result<()> {
        self.entry(id)?.set_secret(sealed).map_err(keyring_error)
    }

    fn get(&self, id: &str) -> Result<Zeroizing<Vec<u8>>> {
        match self.entry(id)?.get_secret() {
            Ok(v) => Ok(Zeroizing::new(v)),
            Err(keyring_core::Error::NoEntry) => Err(missing(StoreKind::OsKeyring)),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn delete(&self, id: &str) -> Result<()> {
        match self.entry(id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

fn missing(kind: StoreKind) -> Error {
    Error::new(ErrorCode::SecretMissing, format!("the account's secret is not in the {} store", kind.as_str()))
        .with_data(json!({ "store": kind.as_str() }))
}

/// The on-disk shape of the encrypted file. Each value is a blob sealed
/// under the app password (Argon2id + AES-256-GCM), base64.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SecretsFile {
    version: u32,
    secrets: BTreeMap<String, String>,
}

const FILE_VERSION: u32 = 1;

/// Secrets in `<data dir>/wallet/secrets.json` (mode 0600, folder 0700),
/// for systems without a usable keyring. Only ever used when the caller
/// chose it. A file we cannot read is refused (`storage-corrupt`) and never
/// rewritten, so nothing in it is lost. Every write is a read-modify-write
/// under an exclusive lock on `secrets.json.lock`, shared by every thread,
/// handle and process ([`paths::with_lock`]); reads need none, since the
/// file is only ever replaced whole.
pub struct EncryptedFileStore {
    path: PathBuf,
}

impl EncryptedFileStore {
    /// The store of `data_dir` (the file is created at the first `put`).
    pub fn open(data_dir: &Path) -> Self {
        EncryptedFileStore { path: super::wallet_dir(data_dir).join("secrets.json") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<SecretsFile> {
        let Some(bytes) = crate::paths::read_if_exists(&self.path)? else {
            return Ok(SecretsFile { version: FILE_VERSION, ..Default::default() });
        };
        let corrupt = |why: String| Error::storage_corrupt(&self.path, &why);
        let file: SecretsFile = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if file.version != FILE_VERSION {
            return Err(corrupt(format!("unknown version {}", file.version)));
        }
        Ok(file)
    }

    fn write(&self, file: &SecretsFile) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| Error::internal(e.to_string()))?;
        paths::write_atomic(&self.path, &bytes).map_err(|e| Error::io(&self.path, &e))
    }

    /// Read, change and write the file under the cross-process lock.
    fn update(&self, f: impl FnOnce(&mut SecretsFile) -> bool) -> Result<()> {
        let dir = self.path.parent().expect("file in a folder");
        paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
        paths::with_lock(&self.path, || {
            let mut file = self.read()?;
            if f(&mut file) {
                self.write(&file)?;
            }
            Ok(())
        })
        .map_err(|e| Error::io(&self.path, &e))?
    }
}

impl SecretStore for EncryptedFileStore {
    fn kind(&self) -> StoreKind {
        StoreKind::EncryptedFile
    }

    fn put(&self, id: &str, sealed: &[u8]) -> Result<()> {
        let text = base64::engine::general_purpose::STANDARD.encode(sealed);
        self.update(|file| {
            file.secrets.insert(id.to_string(), text);
            true
        })
    }

    fn get(&self, id: &str) -> Result<Zeroizing<Vec<u8>>> {
        let file = self.read()?;
        let text = file.secrets.get(id).ok_or_else(|| missing(StoreKind::EncryptedFile))?;
        base64::engine::general_purpose::STANDARD.decode(text).map(Zeroizing::new).map_err(|_| {
            Error::new(
                ErrorCode::StorageCorrupt,
                format!("{}: the entry of account {id} is not base64", self.path.display()),
            )
            .with_data(json!({ "path": self.path.display().to_string() }))
        })
    }

    fn delete(&self, id: &str) -> Result<()> {
        self.update(|file| file.secrets.remove(id).is_some())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wallet::crypto;

    /// A store whose writes fail, for all-or-nothing tests.
    pub struct FailingStore;

    impl SecretStore for FailingStore {
        fn kind(&self) -> StoreKind {
            StoreKind::OsKeyring
        }
        fn put(&self, _: &str, _: &[u8]) -> Result<()> {
            Err(locked("injected failure".into()))
        }
        fn get(&self, _: &str) -> Result<Zeroizing<Vec<u8>>> {
            Err(missing(StoreKind::OsKeyring))
        }
        fn delete(&self, _: &str) -> Result<()> {
            Ok(())
        }
    }

    pub fn mock_keyring() -> OsKeyringStore {
        OsKeyringStore::with_store(keyring_core::mock::Store::new().unwrap()).unwrap()
    }

    fn round_trip(store: &dyn SecretStore) {
        store.put("a", b"blob-a").unwrap();
        store.put("b", b"blob-b").unwrap();
        assert_eq!(&store.get("a").unwrap()[..], b"blob-a");
        store.put("a", b"blob-a2").unwrap();
        assert_eq!(&store.get("a").unwrap()[..], b"blob-a2");
        store.delete("a").unwrap();
        store.delete("a").unwrap();
        assert_eq!(store.get("a").unwrap_err().code, ErrorCode::SecretMissing);
        assert_eq!(&store.get("b").unwrap()[..], b"blob-b");
    }

    #[test]
    fn keyring_mock_round_trip() {
        round_trip(&mock_keyring());
    }

    #[test]
    fn keyring_errors_are_explained() {
        let store = keyring_core::mock::Store::new().unwrap();
        // The mock fails the next call on an entry when told to: use it on the probe path.
        let e = keyring_error(keyring_core::Error::NoStorageAccess("collection is locked".into()));
        assert_eq!(e.code, ErrorCode::KeyringLocked);
        assert_eq!(e.data.unwrap()["reason"], "collection is locked");
        let e = keyring_error(keyring_core::Error::PlatformFailure("no bus".into()));
        assert_eq!(e.code, ErrorCode::KeyringUnavailable);
        assert!(OsKeyringStore::with_store(store).is_ok());
    }

    #[test]
    fn encrypted_file_round_trip_mode_and_sealing() {
        let d = tempfile::tempdir().unwrap();
        let store = EncryptedFileStore::open(d.path());
        round_trip(&store);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(store.path().parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        // Through the sealing helper: the file never holds the plaintext.
        let sealed = crypto::seal_with(b"top secret words", "app password", crypto::TEST_KDF).unwrap();
        store.put("c", &sealed).unwrap();
        let on_disk = std::fs::read_to_string(store.path()).unwrap();
        assert!(!on_disk.contains("top secret"));
        let back = store.get("c").unwrap();
        assert_eq!(&crypto::open(&back, "app password").unwrap()[..], b"top secret words");
        assert_eq!(crypto::open(&back, "wrong password").unwrap_err().code, ErrorCode::WrongPassword);
    }

    #[test]
    fn tampered_file_entry_fails_to_open() {
        let d = tempfile::tempdir().unwrap();
        let store = EncryptedFileStore::open(d.path());
        store.put("c", &crypto::seal_with(b"secret", "app password", crypto::TEST_KDF).unwrap()).unwrap();
        let mut file: serde_json::Value = serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        let text = file["secrets"]["c"].as_str().unwrap().to_string();
        let mut raw = base64::engine::general_purpose::STANDARD.decode(&text).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 0x55;
        file["secrets"]["c"] = base64::engine::general_purpose::STANDARD.encode(&raw).into();
        std::fs::write(store.path(), serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(crypto::open(&store.get("c").unwrap(), "app password").unwrap_err().code, ErrorCode::WrongPassword);
    }

    #[test]
    fn corrupt_file_is_refused_and_left_untouched() {
        let d = tempfile::tempdir().unwrap();
        let store = EncryptedFileStore::open(d.path());
        std::fs::create_dir_all(store.path().parent().unwrap()).unwrap();
        let garbage = b"{\"version\":1,\"secrets\":{\"a\":\"AAAA\"} trailing junk";
        std::fs::write(store.path(), garbage).unwrap();
        for result in [store.put("b", b"x").map(|_| ()), store.get("a").map(|_| ()), store.delete("a")] {
            assert_eq!(result.unwrap_err().code, ErrorCode::StorageCorrupt);
        }
        assert_eq!(std::fs::read(store.path()).unwrap(), garbage, "byte for byte untouched");
        std::fs::write(store.path(), br#"{"version":9,"secrets":{}}"#).unwrap();
        assert_eq!(store.put("b", b"x").unwrap_err().code, ErrorCode::StorageCorrupt);
        assert_eq!(std::fs::read(store.path()).unwrap(), br#"{"version":9,"secrets":{}}"#);
    }

    /// Without a session bus the Secret Service store must say "unavailable"
    /// with a reason, not hang or fall back. Runs itself in a child process
    /// with the bus variables pointed at nothing (env changes are
    /// process-wide, so not in this process).
    #[cfg(target_os = "linux")]
    #[test]
    fn keyring_without_dbus_is_unavailable_with_a_reason() {
        if std::env::var_os("DBC_KEYRING_CHILD").is_some() {
            let e = OsKeyringStore::open().err().expect("no keyring without a bus");
            assert_eq!(e.code, ErrorCode::KeyringUnavailable, "{e:?}");
            let reason = e.data.unwrap()["reason"].as_str().unwrap().to_string();
            assert!(reason.contains("no D-Bus session bus"), "{reason}");
            let status = OsKeyringStore::status();
            assert_eq!(status.state, "unavailable");
            println!("CHILD-OK {reason}");
            return;
        }
        let empty = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "wallet::secret_store::tests::keyring_without_dbus_is_unavailable_with_a_reason",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("DBC_KEYRING_CHILD", "1")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env("XDG_RUNTIME_DIR", empty.path())
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success() && text.contains("CHILD-OK"), "{text}");
    }

    /// The real Secret Service (run by `make test-keyring`: a private D-Bus
    /// session with an unlocked gnome-keyring).
    #[test]
    #[ignore = "needs a D-Bus session with an unlocked Secret Service: make test-keyring"]
    fn keyring_real_secret_service() {
        let store = OsKeyringStore::open().expect("the Secret Service is reachable and unlocked");
        assert_eq!(OsKeyringStore::status().state, "available");
        let id = format!("test-{}", rand::random::<u64>());
        let sealed = crypto::seal_with(b"real keyring secret", "app password", crypto::TEST_KDF).unwrap();
        store.put(&id, &sealed).unwrap();
        let back = store.get(&id).unwrap();
        assert_eq!(&crypto::open(&back, "app password").unwrap()[..], b"real keyring secret");
        store.delete(&id).unwrap();
        assert_eq!(store.get(&id).unwrap_err().code, ErrorCode::SecretMissing);

        // The whole wallet on the real keyring: create, sign, remove.
        let d = tempfile::tempdir().unwrap();
        let w = crate::wallet::Wallet::open(d.path()).unwrap();
        let pw = crate::wallet::SecretString::from("app password".to_string());
        let c = w.create(None, crate::wallet::WordCount::Twelve, &pw, StoreKind::OsKeyring).unwrap();
        assert_eq!(c.account.store, StoreKind::OsKeyring);
        assert_eq!(w.signing_key(&c.account.id, &pw).unwrap().address(), c.account.address);
        w.remove(&c.account.id, &pw).unwrap();
        assert_eq!(
            store.get(&c.account.id).unwrap_err().code,
            ErrorCode::SecretMissing,
            "removed from the keyring too"
        );
    }
}
