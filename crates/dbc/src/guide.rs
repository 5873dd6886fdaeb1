//! The Omniverse / Audio2Face setup checklist: what the user has done inside
//! a rented VM, kept per rental so the guide shows what is left. Stored in
//! `<data_dir>/omniverse-checklist.json`, written atomically.
//!
//! Rentals are keyed by a string the caller builds, [`rental_key`]
//! (`"<network>:<rent id>"`); [`GENERAL_KEY`] is for use before a rental is
//! chosen. Items this version does not know (from a newer one) are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, ErrorCode, Result};

/// The file name in the data dir.
pub const CHECKLIST_FILE: &str = "omniverse-checklist.json";

/// The key used when no rental is selected.
pub const GENERAL_KEY: &str = "general";

/// The steps of the guide, in the order the user does them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum ChecklistItem {
    /// `nvidia-smi` (or Device Manager) shows the rented GPU and a driver.
    DriverChecked,
    /// Omniverse (the Launcher, or the current route's tools) is installed.
    OmniverseInstalled,
    /// Audio2Face is installed.
    Audio2faceInstalled,
    /// Audio2Face was started once and finished loading its engine.
    FirstLaunchDone,
    /// A test audio clip played and the face moved.
    TestAudioPlayed,
}

impl ChecklistItem {
    pub const ALL: [ChecklistItem; 5] = [
        ChecklistItem::DriverChecked,
        ChecklistItem::OmniverseInstalled,
        ChecklistItem::Audio2faceInstalled,
        ChecklistItem::FirstLaunchDone,
        ChecklistItem::TestAudioPlayed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistItem::DriverChecked => "driver-checked",
            ChecklistItem::OmniverseInstalled => "omniverse-installed",
            ChecklistItem::Audio2faceInstalled => "audio2face-installed",
            ChecklistItem::FirstLaunchDone => "first-launch-done",
            ChecklistItem::TestAudioPlayed => "test-audio-played",
        }
    }
}

impl std::str::FromStr for ChecklistItem {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ChecklistItem::ALL.into_iter().find(|i| i.as_str() == s).ok_or_else(|| {
            Error::invalid_argument(format!("unknown checklist item {s:?}")).with_data(json!({ "value": s }))
        })
    }
}

/// One rental's checklist as the UI shows it: every known item, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Checklist {
    pub rent_key: String,
    pub items: Vec<ChecklistEntry>,
    /// How many items are done.
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ChecklistEntry {
    pub id: ChecklistItem,
    pub done: bool,
}

impl Checklist {
    fn from_marks(rent_key: &str, marks: &BTreeMap<String, bool>) -> Self {
        let items: Vec<ChecklistEntry> = ChecklistItem::ALL
            .into_iter()
            .map(|id| ChecklistEntry { id, done: marks.get(id.as_str()).copied().unwrap_or(false) })
            .collect();
        let done = items.iter().filter(|e| e.done).count();
        Checklist { rent_key: rent_key.to_string(), total: items.len(), items, done }
    }

    pub fn is_done(&self, item: ChecklistItem) -> bool {
        self.items.iter().any(|e| e.id == item && e.done)
    }
}

/// The key for one rental: the network (`mainnet`, `practice`, `custom`)
/// and the chain's rent id, e.g. `practice:42`.
pub fn rental_key(network: &str, rent_id: u64) -> String {
    format!("{network}:{rent_id}")
}

/// Keys are short and plain: letters, digits and `: . _ -`, 1 to 100.
fn check_key(key: &str) -> Result<()> {
    let ok =
        !key.is_empty() && key.len() <= 100 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b":._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("invalid rental key {key:?}")).with_data(json!({ "value": key })))
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct FileV1 {
    version: u32,
    /// rent key -> item id -> done.
    rentals: BTreeMap<String, BTreeMap<String, bool>>,
}

const VERSION: u32 = 1;

/// One read-modify-write at a time in this process (the app's commands may
/// run on several threads).
static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// The checklist file of one data dir.
#[derive(Debug, Clone)]
pub struct ChecklistStore {
    path: PathBuf,
}

impl ChecklistStore {
    pub fn new(data_dir: &Path) -> Self {
        ChecklistStore { path: data_dir.join(CHECKLIST_FILE) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The checklist for `rent_key` (all open when nothing was saved yet).
    pub fn get(&self, rent_key: &str) -> Result<Checklist> {
        check_key(rent_key)?;
        let file = self.read()?;
        Ok(Checklist::from_marks(rent_key, file.rentals.get(rent_key).unwrap_or(&BTreeMap::new())))
    }

    /// Mark `item` done or not done for `rent_key`, save, and return the list.
    pub fn set(&self, rent_key: &str, item: ChecklistItem, done: bool) -> Result<Checklist> {
        check_key(rent_key)?;
        let _guard = WRITE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = self.read()?;
        file.version = VERSION;
        let marks = file.rentals.entry(rent_key.to_string()).or_default();
        marks.insert(item.as_str().to_string(), done);
        let list = Checklist::from_marks(rent_key, marks);
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| Error::internal(e.to_string()))?;
        crate::paths::write_atomic(&self.path, &bytes).map_err(|e| Error::io(&self.path, &e))?;
        Ok(list)
    }

    fn read(&self) -> Result<FileV1> {
        let Some(bytes) = crate::paths::read_if_exists(&self.path)? else {
            return Ok(FileV1 { version: VERSION, ..Default::default() });
        };
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(ErrorCode::StorageCorrupt, format!("{}: {e}", self.path.display()))
                .with_data(json!({ "path": self.path.display().to_string() }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_open_and_persists_per_rental() {
        let dir = tempfile::tempdir().unwrap();
        let store = ChecklistStore::new(dir.path());
        let fresh = store.get(GENERAL_KEY).unwrap();
        assert_eq!((fresh.done, fresh.total), (0, 5));
        assert_eq!(fresh.items.iter().map(|e| e.id).collect::<Vec<_>>(), ChecklistItem::ALL.to_vec());
        assert!(!store.path().exists(), "reading writes nothing");

        let key = rental_key("practice", 42);
        assert_eq!(key, "practice:42");
        let l = store.set(&key, ChecklistItem::DriverChecked, true).unwrap();
        assert!(l.is_done(ChecklistItem::DriverChecked));
        store.set(&key, ChecklistItem::FirstLaunchDone, true).unwrap();
        let l = store.set(&key, ChecklistItem::DriverChecked, false).unwrap();
        assert_eq!(l.done, 1);

        // A new store (a restart) reads the same; other rentals are untouched.
        let again = ChecklistStore::new(dir.path());
        let l = again.get(&key).unwrap();
        assert!(l.is_done(ChecklistItem::FirstLaunchDone) && !l.is_done(ChecklistItem::DriverChecked));
        assert_eq!(again.get(&rental_key("mainnet", 42)).unwrap().done, 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn serialized_for_the_ui() {
        let dir = tempfile::tempdir().unwrap();
        let l = ChecklistStore::new(dir.path()).set("mainnet:7", ChecklistItem::Audio2faceInstalled, true).unwrap();
        let v = serde_json::to_value(&l).unwrap();
        assert_eq!(v["rentKey"], "mainnet:7");
        assert_eq!(v["items"][2], json!({"id": "audio2face-installed", "done": true}));
        assert_eq!((v["done"].clone(), v["total"].clone()), (json!(1), json!(5)));
    }

    #[test]
    fn items_parse_from_their_ids_only() {
        for item in ChecklistItem::ALL {
            assert_eq!(item.as_str().parse::<ChecklistItem>().unwrap(), item);
            assert_eq!(serde_json::to_value(item).unwrap(), json!(item.as_str()));
        }
        let e = "format-disk".parse::<ChecklistItem>().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn bad_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = ChecklistStore::new(dir.path());
        for key in ["", "../etc", "a b", "x\n", &"k".repeat(101)] {
            assert_eq!(store.get(key).unwrap_err().code, ErrorCode::InvalidArgument, "{key:?}");
            assert_eq!(
                store.set(key, ChecklistItem::DriverChecked, true).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
        assert!(!store.path().exists());
    }

    #[test]
    fn unknown_items_from_a_newer_version_survive_and_a_corrupt_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = ChecklistStore::new(dir.path());
        std::fs::write(store.path(), r#"{"version":1,"rentals":{"general":{"future-step":true}}}"#).unwrap();
        store.set(GENERAL_KEY, ChecklistItem::TestAudioPlayed, true).unwrap();
        let raw: serde_json::Value = serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(raw["rentals"]["general"]["future-step"], true);
        assert_eq!(raw["rentals"]["general"]["test-audio-played"], true);

        std::fs::write(store.path(), "{not json").unwrap();
        assert_eq!(store.get(GENERAL_KEY).unwrap_err().code, ErrorCode::StorageCorrupt);
        assert_eq!(
            store.set(GENERAL_KEY, ChecklistItem::DriverChecked, true).unwrap_err().code,
            ErrorCode::StorageCorrupt
        );
        assert_eq!(std::fs::read_to_string(store.path()).unwrap(), "{not json");
    }
}
