//! The facade end to end, with the keyring mock and the encrypted file.

use super::secret_store::tests::{mock_keyring, FailingStore};
use super::*;

const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const DEV_ROOT: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

fn pw(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn keyring_wallet(dir: &Path) -> Wallet {
    Wallet::open(dir).unwrap().with_store(Arc::new(mock_keyring()))
}

/// Records what is in it, so tests can see nothing is left behind.
#[derive(Default)]
struct MemoryStore(Mutex<HashMap<String, Vec<u8>>>);

impl SecretStore for MemoryStore {
    fn kind(&self) -> StoreKind {
        StoreKind::OsKeyring
    }
    fn put(&self, id: &str, sealed: &[u8]) -> Result<()> {
        self.0.lock().unwrap().insert(id.into(), sealed.to_vec());
        Ok(())
    }
    fn get(&self, id: &str) -> Result<Zeroizing<Vec<u8>>> {
        self.0
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .map(Zeroizing::new)
            .ok_or_else(|| Error::new(ErrorCode::SecretMissing, "x"))
    }
    fn delete(&self, id: &str) -> Result<()> {
        self.0.lock().unwrap().remove(id);
        Ok(())
    }
}

#[test]
fn create_shows_words_once_and_they_rebuild_the_key() {
    let d = tempfile::tempdir().unwrap();
    let w = keyring_wallet(d.path());
    let c = w.create(Some("Main"), WordCount::Twelve, &pw("app password"), StoreKind::OsKeyring).unwrap();
    assert_eq!(c.mnemonic.split(' ').count(), 12);
    assert!(format!("{c:?}").contains("[redacted]") && !format!("{c:?}").contains(&*c.mnemonic));
    assert!(!c.account.backed_up, "not backed up until confirmed");
    assert_eq!(c.account.source, AccountSource::Created);
    assert!(c.account.address.starts_with('5'));
    // The words give the listed address (as polkadot.js would: no derivation).
    let again = SigningKey::from_phrase(&mnemonic::parse(&c.mnemonic).unwrap(), &DerivationPath::root()).unwrap();
    assert_eq!(again.address(), c.account.address);
    assert_eq!(w.signing_key("Main", &pw("app password")).unwrap().address(), c.account.address);
    assert_eq!(w.active().unwrap().id, c.account.id);
    // Neither the registry nor anything in the data dir holds the words.
    let registry = std::fs::read_to_string(wallet_dir(d.path()).join("accounts.json")).unwrap();
    assert!(!registry.contains(&*c.mnemonic));
    // 24 words on request.
    let c24 = w.create(None, WordCount::TwentyFour, &pw("app password"), StoreKind::OsKeyring).unwrap();
    assert_eq!(c24.mnemonic.split(' ').count(), 24);
    assert_eq!(c24.account.name, "Account 2");
}

#[test]
fn backup_later_then_reveal_and_confirm_with_the_password() {
    let d = tempfile::tempdir().unwrap();
    let w = keyring_wallet(d.path());
    let c = w.create(None, WordCount::Twelve, &pw("app password"), StoreKind::OsKeyring).unwrap();
    assert_eq!(w.reveal_mnemonic(&c.account.id, &pw("wrong password")).unwrap_err().code, ErrorCode::WrongPassword);
    let words = w.reveal_mnemonic(&c.account.id, &pw("app password")).unwrap();
    assert_eq!(*words, *c.mnemonic);
    let list: Vec<String> = words.split(' ').map(str::to_string).collect();
    let e = w.confirm_backup(&c.account.id, &pw("app password"), &[(1, list[1].clone())]).unwrap_err();
    assert_eq!(e.code, ErrorCode::BackupMismatch);
    assert!(!w.find(&c.account.id).unwrap().backed_up);
    let answers: Vec<(usize, String)> = list.iter().enumerate().map(|(i, w)| (i + 1, w.clone())).collect();
    assert!(w.confirm_backup(&c.account.id, &pw("app password"), &answers).unwrap().backed_up);
    assert!(w.find(&c.account.id).unwrap().backed_up, "persisted");
}

#[test]
fn imports_mnemonic_paths_seed_and_json() {
    let d = tempfile::tempdir().unwrap();
    let w = keyring_wallet(d.path());
    let p = pw("app password");
    let a = w.import_mnemonic(Some("dev"), &pw(DEV), None, &p, StoreKind::OsKeyring).unwrap();
    assert_eq!(a.address, DEV_ROOT);
    assert!(a.backed_up);
    let e = w.import_mnemonic(Some("again"), &pw(&DEV.to_uppercase()), None, &p, StoreKind::OsKeyring).unwrap_err();
    assert_eq!((e.code, e.data.unwrap()), (ErrorCode::AccountExists, json!({"address": DEV_ROOT})));
    let alice = w.import_mnemonic(Some("alice"), &pw(DEV), Some("//Alice"), &p, StoreKind::OsKeyring).unwrap();
    assert_eq!(alice.address, ALICE);
    assert_eq!(w.signing_key("alice", &p).unwrap().address(), ALICE, "the derivation is stored with the words");
    assert_eq!(w.reveal_mnemonic("alice", &p).unwrap().as_str(), DEV);
    let e = w.import_mnemonic(None, &pw(&DEV.replace("lake", "lakes")), None, &p, StoreKind::OsKeyring).unwrap_err();
    assert_eq!((e.code, e.data.unwrap()), (ErrorCode::InvalidMnemonicWord, json!({"word": "lakes", "position": 4})));

    let seed = pw("0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a");
    let s = w.import_seed(Some("seed"), &seed, Some("//Alice"), &p, StoreKind::OsKeyring).unwrap();
    assert_eq!(s.source, AccountSource::Seed);
    assert_eq!(w.signing_key("seed", &p).unwrap().address(), s.address);
    assert_eq!(w.reveal_mnemonic("seed", &p).unwrap_err().code, ErrorCode::MnemonicUnavailable);
    assert_eq!(
        w.import_seed(None, &pw("0x1234"), None, &p, StoreKind::OsKeyring).unwrap_err().code,
        ErrorCode::InvalidSeed
    );

    // Export Alice and import the file into another wallet.
    let json_text = w.export_json("alice", &p, &pw("json password")).unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let w2 = Wallet::open(d2.path()).unwrap();
    let e = w2.import_json(None, &json_text, &pw("not it"), &p, StoreKind::EncryptedFile).unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongJsonPassword);
    let j = w2.import_json(None, &json_text, &pw("json password"), &p, StoreKind::EncryptedFile).unwrap();
    assert_eq!((j.address.as_str(), j.name.as_str(), j.store), (ALICE, "alice", StoreKind::EncryptedFile));
    assert_eq!(w2.signing_key(ALICE, &p).unwrap().address(), ALICE);
    // Re-exporting a JSON import works too (the 64-byte key is what is stored).
    let again = w2.export_json(ALICE, &p, &pw("another")).unwrap();
    assert_eq!(keystore_json::import(&again, "another").unwrap().key.address(), ALICE);
    assert_eq!(w2.reveal_mnemonic(ALICE, &p).unwrap_err().code, ErrorCode::MnemonicUnavailable);
}

#[test]
fn names_use_rename_and_remove() {
    let d = tempfile::tempdir().unwrap();
    let w = keyring_wallet(d.path());
    let p = pw("app password");
    assert_eq!(w.active().unwrap_err().code, ErrorCode::NoActiveAccount);
    let a = w.import_mnemonic(Some("One"), &pw(DEV), None, &p, StoreKind::OsKeyring).unwrap();
    let b = w.import_mnemonic(None, &pw(DEV), Some("//b"), &p, StoreKind::OsKeyring).unwrap();
    assert_eq!(w.active().unwrap().id, b.id, "the newest account is active");
    assert_eq!(w.set_active("one").unwrap().id, a.id, "names are case-insensitive");
    assert_eq!(w.set_active(&b.address).unwrap().id, b.id);
    let e = w.rename(&b.id, "ONE").unwrap_err();
    assert_eq!((e.code, e.data.unwrap()), (ErrorCode::AccountNameTaken, json!({"name": "ONE"})));
    assert_eq!(w.rename(&b.id, "Two").unwrap().name, "Two");
    let e = w.find("nobody").unwrap_err();
    assert_eq!((e.code, e.data.unwrap()), (ErrorCode::AccountNotFound, json!({"value": "nobody"})));
    assert_eq!(w.remove("Two", &pw("wrong password")).unwrap_err().code, ErrorCode::WrongPassword);
    w.remove("Two", &p).unwrap();
    assert_eq!(w.active().unwrap().id, a.id, "the remaining account becomes active");
    assert_eq!(w.store(StoreKind::OsKeyring).unwrap().get(&b.id).unwrap_err().code, ErrorCode::SecretMissing);
    let accounts = w.accounts().unwrap();
    assert_eq!(accounts.iter().filter(|a| a.active).count(), 1);
}

#[test]
fn weak_password_is_refused_before_anything_is_stored() {
    let d = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let w = Wallet::open(d.path()).unwrap().with_store(store.clone());
    let e = w.create(None, WordCount::Twelve, &pw("short"), StoreKind::OsKeyring).unwrap_err();
    assert_eq!((e.code, e.data.unwrap()), (ErrorCode::WeakPassword, json!({"min": 8})));
    assert!(store.0.lock().unwrap().is_empty());
    assert!(w.accounts().unwrap().is_empty());
}

#[test]
fn create_is_all_or_nothing() {
    // The store fails: no account is listed.
    let d = tempfile::tempdir().unwrap();
    let w = Wallet::open(d.path()).unwrap().with_store(Arc::new(FailingStore));
    let e = w.create(None, WordCount::Twelve, &pw("app password"), StoreKind::OsKeyring).unwrap_err();
    assert_eq!(e.code, ErrorCode::KeyringLocked);
    assert!(w.accounts().unwrap().is_empty());
    assert!(!wallet_dir(d.path()).join("accounts.json").exists());

    // The list cannot be written: the stored secret is taken back out.
    let d = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let w = Wallet::open(d.path()).unwrap().with_store(store.clone());
    w.import_mnemonic(Some("first"), &pw(DEV), None, &pw("app password"), StoreKind::OsKeyring).unwrap();
    let before = std::fs::read(wallet_dir(d.path()).join("accounts.json")).unwrap();
    // The list's lock file, made a folder so the locked write fails.
    let blocker = wallet_dir(d.path()).join("accounts.json.lock");
    std::fs::remove_file(&blocker).unwrap();
    std::fs::create_dir(&blocker).unwrap();
    let e = w.create(None, WordCount::Twelve, &pw("app password"), StoreKind::OsKeyring).unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert_eq!(store.0.lock().unwrap().len(), 1, "only the first account's secret remains");
    assert_eq!(std::fs::read(wallet_dir(d.path()).join("accounts.json")).unwrap(), before);
    std::fs::remove_dir(&blocker).unwrap();
}

#[test]
fn corrupt_registry_is_refused_and_left_untouched() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(wallet_dir(d.path())).unwrap();
    let path = wallet_dir(d.path()).join("accounts.json");
    std::fs::write(&path, b"{\"version\":1,\"accounts\":[{\"id\":").unwrap();
    assert_eq!(Wallet::open(d.path()).err().unwrap().code, ErrorCode::StorageCorrupt);
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"version\":1,\"accounts\":[{\"id\":");
}

#[test]
fn file_store_accounts_work_without_registering_the_store() {
    let d = tempfile::tempdir().unwrap();
    let p = pw("app password");
    {
        let w = Wallet::open(d.path()).unwrap();
        w.import_mnemonic(None, &pw(DEV), None, &p, StoreKind::EncryptedFile).unwrap();
    }
    // A later process opens the store the account records, not a keyring.
    let w = Wallet::open(d.path()).unwrap();
    assert_eq!(w.signing_key(DEV_ROOT, &p).unwrap().address(), DEV_ROOT);
    assert_eq!(w.signing_key(DEV_ROOT, &pw("nope nope")).unwrap_err().code, ErrorCode::WrongPassword);
    let secrets = std::fs::read_to_string(wallet_dir(d.path()).join("secrets.json")).unwrap();
    assert!(!secrets.contains("bottom") && !secrets.contains("lonely"));
}

#[test]
fn wallet_can_live_in_app_state() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Wallet>();
    shareable::<SigningKey>();
}

/// Two handles on one data dir (the app and the CLI), two threads each,
/// adding accounts at once: every account is listed and its secret kept.
#[test]
fn concurrent_adds_from_two_handles_lose_nothing() {
    let d = tempfile::tempdir().unwrap();
    let handles = [Wallet::open(d.path()).unwrap(), Wallet::open(d.path()).unwrap()];
    const PER_THREAD: usize = 3;
    let added: Vec<Account> = std::thread::scope(|s| {
        let mut jobs = Vec::new();
        for w in &handles {
            for _ in 0..2 {
                jobs.push(s.spawn(move || {
                    (0..PER_THREAD)
                        .map(|_| {
                            let seed = pw(&format!("0x{}", hex::encode(rand::random::<[u8; 32]>())));
                            w.import_seed(None, &seed, None, &pw("app password"), StoreKind::EncryptedFile).unwrap()
                        })
                        .collect::<Vec<_>>()
                }));
            }
        }
        jobs.into_iter().flat_map(|j| j.join().unwrap()).collect()
    });
    assert_eq!(added.len(), 4 * PER_THREAD);
    let fresh = Wallet::open(d.path()).unwrap();
    let listed = fresh.accounts().unwrap();
    assert_eq!(listed.len(), added.len(), "no account dropped");
    let mut names: Vec<_> = listed.iter().map(|a| a.name.to_lowercase()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), listed.len(), "default names stay unique");
    for a in &added {
        let key = fresh.signing_key(&a.id, &pw("app password")).unwrap();
        assert_eq!(key.address(), a.address, "the secret of {} is kept", a.name);
    }
    let leftovers: Vec<_> = std::fs::read_dir(wallet_dir(d.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Renames and activations from two handles at once keep every account.
#[test]
fn concurrent_changes_keep_the_list_whole() {
    let d = tempfile::tempdir().unwrap();
    let a = keyring_wallet(d.path());
    let acc = a.import_mnemonic(Some("one"), &pw(DEV), None, &pw("app password"), StoreKind::OsKeyring).unwrap();
    let b = Wallet::open(d.path()).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..30 {
                a.rename(&acc.id, &format!("name {i}")).unwrap();
            }
        });
        s.spawn(|| {
            for _ in 0..30 {
                b.set_active(&acc.id).unwrap();
                b.mark_backed_up(&acc.id).unwrap();
            }
        });
    });
    let list = a.accounts().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "name 29");
    assert!(list[0].backed_up && list[0].active);
}

/// Bidirectional controls could make a name display as another's.
#[test]
fn account_names_lose_bidi_controls() {
    let d = tempfile::tempdir().unwrap();
    let w = keyring_wallet(d.path());
    let acc = w
        .import_mnemonic(Some("Sav\u{202E}ings\u{2066}"), &pw(DEV), None, &pw("app password"), StoreKind::OsKeyring)
        .unwrap();
    assert_eq!(acc.name, "Savings");
    let renamed = w.rename(&acc.id, "\u{200F}Main\u{200E} \u{202B}x\u{202C}").unwrap();
    assert_eq!(renamed.name, "Main x");
    for only_bidi in ["\u{202E}", "\u{2067}\u{2069}", " \u{200E} "] {
        assert_eq!(w.rename(&acc.id, only_bidi).unwrap_err().code, ErrorCode::InvalidArgument, "{only_bidi:?}");
    }
    // Stripped before the uniqueness check, too.
    let e = w
        .import_seed(
            Some("M\u{202E}ain x"),
            &pw(&format!("0x{}", "11".repeat(32))),
            None,
            &pw("app password"),
            StoreKind::OsKeyring,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::AccountNameTaken);
}
