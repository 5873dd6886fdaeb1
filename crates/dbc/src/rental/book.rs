//! The journal: every rental of one network, in one JSON file, rewritten
//! atomically (mode 0600) on every change. The flow writes it *before* each
//! external action, so whatever happens next, a restart knows what may have
//! been sent.
//!
//! One file per network (by genesis hash): a practice network's orders never
//! mix with mainnet's. The file holds no secret: signed transactions are
//! public once sent, VM passwords are not stored.

use super::record::Rental;
use crate::chain::ChainIdentity;
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    genesis: String,
    /// The practice chain's instance id (see [`ChainIdentity`]); absent on a real network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    rentals: Vec<Rental>,
}

/// The rentals of one chain. Every read goes to the file and every write
/// is a read-modify-write under an exclusive lock on `<file>.lock`, so the
/// app, a second window and the CLI can share one journal without losing
/// each other's updates. Chain steps (sync, place, confirm, renew) take a
/// second, longer lock ([`RentalBook::chain_step`]) so that only one process
/// at a time decides about and sends this journal's transactions.
pub struct RentalBook {
    path: PathBuf,
    chain: ChainIdentity,
}

/// Held while one chain step runs; dropping it lets the next process in.
pub struct ChainStepGuard {
    _file: std::fs::File,
}

impl RentalBook {
    /// `<data_dir>/rentals/<chain's short name>.json` (16 hex of the genesis
    /// hash, plus the instance id of a practice chain).
    pub fn path_for(data_dir: &Path, chain: &ChainIdentity) -> PathBuf {
        data_dir.join("rentals").join(format!("{}.json", chain.short_name()))
    }

    /// Open (or start) the journal of `chain`. A file that cannot be read is
    /// refused, never overwritten: it may hold the only record of an order
    /// in flight. So is one written for another chain (`journal-other-chain`).
    pub fn open(data_dir: &Path, chain: &ChainIdentity) -> Result<Self> {
        let book = RentalBook { path: Self::path_for(data_dir, chain), chain: chain.clone() };
        book.read()?;
        Ok(book)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The chain this journal belongs to.
    pub fn chain(&self) -> &ChainIdentity {
        &self.chain
    }

    fn read(&self) -> Result<Vec<Rental>> {
        let path = &self.path;
        let data = || serde_json::json!({ "path": path.display().to_string() });
        match std::fs::read(path) {
            Ok(bytes) => {
                let file: File = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::new(
                        ErrorCode::StorageCorrupt,
                        format!("the rentals journal {} cannot be read ({e}); it was left as it is", path.display()),
                    )
                    .with_data(data())
                })?;
                if file.format != FORMAT {
                    return Err(Error::new(
                        ErrorCode::StorageCorrupt,
                        format!(
                            "the rentals journal {} has format {} (this version reads {FORMAT})",
                            path.display(),
                            file.format
                        ),
                    )
                    .with_data(data()));
                }
                let theirs = ChainIdentity { genesis: file.genesis.to_ascii_lowercase(), instance: file.instance };
                let ours = ChainIdentity {
                    genesis: self.chain.genesis.to_ascii_lowercase(),
                    instance: self.chain.instance.clone(),
                };
                if theirs != ours {
                    return Err(Error::new(
                        ErrorCode::JournalOtherChain,
                        format!("the rentals journal {} belongs to another chain ({}); it was left as it is", path.display(), theirs.short_name()),
                    )
                    .with_data(serde_json::json!({ "path": path.display().to_string(), "chain": theirs.short_name(), "expected": ours.short_name() })));
                }
                Ok(file.rentals)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io(path, &e)),
        }
    }

    /// Every rental, newest first. A journal that became unreadable reads as
    /// empty here (logged); writes refuse it (see [`RentalBook::put`]).
    pub fn all(&self) -> Vec<Rental> {
        let mut v = self.read().unwrap_or_else(|e| {
            tracing::error!(code = ?e.code, "{}", e.message);
            Vec::new()
        });
        v.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
        v
    }

    pub fn get(&self, id: &str) -> Option<Rental> {
        self.all().into_iter().find(|r| r.id == id)
    }

    pub fn by_rent_id(&self, rent_id: u64) -> Option<Rental> {
        self.all().into_iter().find(|r| r.rent_id() == Some(rent_id))
    }

    /// Insert or replace `rental` (by id) and write the file before returning.
    /// For a record read before a long wait, use [`RentalBook::update`]: a
    /// whole stale copy would undo what happened meanwhile.
    pub fn put(&self, mut rental: Rental) -> Result<Rental> {
        rental.updated_at = now();
        self.locked(|all| {
            match all.iter_mut().find(|r| r.id == rental.id) {
                Some(slot) => *slot = rental.clone(),
                None => all.push(rental.clone()),
            }
            Ok(rental)
        })
    }

    /// Add `rental` unless `conflict`, looking at the journal as it is in
    /// the file under the lock, names a reason not to (nothing is written then).
    pub fn insert_unless(
        &self,
        mut rental: Rental,
        conflict: impl FnOnce(&[Rental]) -> Option<Error>,
    ) -> Result<Rental> {
        rental.updated_at = now();
        self.locked(|all| {
            if let Some(e) = conflict(all) {
                return Err(e);
            }
            all.push(rental.clone());
            Ok(rental)
        })
    }

    /// Change rental `id` as it is in the file now (read under the lock), so
    /// concurrent changes to its other fields are kept.
    pub fn update(&self, id: &str, change: impl FnOnce(&mut Rental)) -> Result<Rental> {
        self.try_update(id, |r| {
            change(r);
            Ok(())
        })
    }

    /// [`RentalBook::update`] with a change that may refuse: on `Err` nothing is written.
    pub fn try_update(&self, id: &str, change: impl FnOnce(&mut Rental) -> Result<()>) -> Result<Rental> {
        self.locked(|all| {
            let r = all.iter_mut().find(|r| r.id == id).ok_or_else(|| super::rental_not_found(id))?;
            let mut next = r.clone();
            change(&mut next)?;
            next.updated_at = now();
            *r = next.clone();
            Ok(next)
        })
    }

    /// Wait (up to `patience`) for the right to run a chain step on this
    /// journal: one process at a time, across the app and every CLI run.
    /// `None` when another process kept it for longer.
    pub async fn chain_step(&self, patience: Duration) -> Result<Option<ChainStepGuard>> {
        let (file, lock_path) = self.lock_file("json.steps")?;
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(ChainStepGuard { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, &e)),
            }
        }
    }

    /// The lock file beside the journal with extension `ext` (made, never
    /// truncated: its content is nothing, its lock everything), and its path.
    fn lock_file(&self, ext: &str) -> Result<(std::fs::File, PathBuf)> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
        let lock_path = self.path.with_extension(ext);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, &e))?;
        Ok((file, lock_path))
    }

    /// Read-modify-write the whole journal under the exclusive file lock.
    fn locked<T>(&self, f: impl FnOnce(&mut Vec<Rental>) -> Result<T>) -> Result<T> {
        let (lock, lock_path) = self.lock_file("json.lock")?;
        lock.lock().map_err(|e| Error::io(&lock_path, &e))?;
        let mut all = self.read()?;
        let out = f(&mut all)?;
        self.write(&all)?;
        drop(lock);
        Ok(out)
    }

    fn write(&self, rentals: &[Rental]) -> Result<()> {
        let file = File {
            format: FORMAT,
            genesis: self.chain.genesis.clone(),
            instance: self.chain.instance.clone(),
            rentals: rentals.to_vec(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::internal(format!("cannot encode the rentals journal: {e}")))?;
        crate::paths::write_atomic(&self.path, &bytes).map_err(|e| Error::io(&self.path, &e))
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rental::record::Stage;

    fn rental(id: &str) -> Rental {
        Rental {
            account: "5Grw".into(),
            machine_id: "ab".repeat(32),
            ..crate::rental::samples::rental(id, Stage::Placing)
        }
    }

    #[test]
    fn rentals_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let book = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0xabcdef0123456789ffff")).unwrap();
        book.put(rental("a")).unwrap();
        let mut b = rental("b");
        b.created_at = 2;
        book.put(b).unwrap();
        let mut a = book.get("a").unwrap();
        a.stage = Stage::Placed;
        book.put(a).unwrap();
        let again = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0xabcdef0123456789ffff")).unwrap();
        let ids: Vec<String> = again.all().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(again.get("a").unwrap().stage, Stage::Placed);
        assert!(again.path().ends_with("rentals/abcdef0123456789.json"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(again.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn two_handles_on_one_journal_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let app = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0x99")).unwrap();
        let cli = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0x99")).unwrap();
        app.put(rental("from-app")).unwrap();
        cli.put(rental("from-cli")).unwrap();
        let mut a = app.get("from-app").unwrap();
        a.stage = Stage::Renting;
        app.put(a).unwrap();
        let ids: Vec<String> = cli.all().into_iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert_eq!(cli.get("from-app").unwrap().stage, Stage::Renting);

        // A change made from a copy read earlier keeps what changed meanwhile.
        let stale = cli.get("from-cli").unwrap();
        let mut meanwhile = app.get("from-cli").unwrap();
        meanwhile.stage = Stage::Lapsed;
        app.put(meanwhile).unwrap();
        let after = cli.update(&stale.id, |r| r.gpus = 3).unwrap();
        assert_eq!((after.stage, after.gpus), (Stage::Lapsed, 3));
        assert_eq!(cli.update("nope", |_| {}).unwrap_err().code, ErrorCode::RentalNotFound);
    }

    #[test]
    fn a_damaged_journal_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = RentalBook::path_for(dir.path(), &ChainIdentity::of_genesis("0x1234"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{ not json").unwrap();
        let err = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0x1234")).err().unwrap();
        assert_eq!(err.code, ErrorCode::StorageCorrupt);
        assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
    }

    #[test]
    fn a_truncated_journal_or_an_unknown_format_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let chain = ChainIdentity::of_genesis("0x77");
        let book = RentalBook::open(dir.path(), &chain).unwrap();
        book.put(rental("a")).unwrap();
        let full = std::fs::read(book.path()).unwrap();
        std::fs::write(book.path(), &full[..full.len() / 2]).unwrap();
        let err = RentalBook::open(dir.path(), &chain).err().unwrap();
        assert_eq!(err.code, ErrorCode::StorageCorrupt);
        assert_eq!(std::fs::read(book.path()).unwrap(), &full[..full.len() / 2], "left as it was");
        let newer = String::from_utf8(full.clone()).unwrap().replacen("\"format\": 1", "\"format\": 99", 1);
        std::fs::write(book.path(), &newer).unwrap();
        let err = RentalBook::open(dir.path(), &chain).err().unwrap();
        assert_eq!(err.code, ErrorCode::StorageCorrupt);
        assert!(err.message.contains("format 99"), "{}", err.message);
        // Writes refuse it too: nothing is overwritten.
        assert!(book.put(rental("b")).is_err());
        assert_eq!(std::fs::read_to_string(book.path()).unwrap(), newer);
    }

    #[test]
    fn a_journal_of_another_chain_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let first = ChainIdentity { genesis: "0x6969".into(), instance: Some("aa".into()) };
        let book = RentalBook::open(dir.path(), &first).unwrap();
        book.put(rental("a")).unwrap();
        let before = std::fs::read(book.path()).unwrap();
        // Another practice chain started afresh: same genesis, another instance.
        let second = ChainIdentity { instance: Some("bb".into()), ..first.clone() };
        assert_ne!(
            RentalBook::path_for(dir.path(), &first),
            RentalBook::path_for(dir.path(), &second),
            "never the same file"
        );
        assert!(RentalBook::open(dir.path(), &second).unwrap().all().is_empty());
        // A file copied under the other chain's name is refused, not used.
        std::fs::copy(book.path(), RentalBook::path_for(dir.path(), &second)).unwrap();
        let err = RentalBook::open(dir.path(), &second).err().unwrap();
        assert_eq!(err.code, ErrorCode::JournalOtherChain);
        assert_eq!(std::fs::read(book.path()).unwrap(), before);
    }

    #[tokio::test]
    async fn one_chain_step_at_a_time_across_handles() {
        let dir = tempfile::tempdir().unwrap();
        let chain = ChainIdentity::of_genesis("0x42");
        let app = RentalBook::open(dir.path(), &chain).unwrap();
        let cli = RentalBook::open(dir.path(), &chain).unwrap();
        let held = app.chain_step(Duration::ZERO).await.unwrap().expect("free");
        assert!(cli.chain_step(Duration::from_millis(200)).await.unwrap().is_none(), "held by the other handle");
        drop(held);
        assert!(cli.chain_step(Duration::ZERO).await.unwrap().is_some(), "free again once dropped");
        // A conflicting insert under the journal lock writes nothing.
        let refused = cli.insert_unless(rental("x"), |_| Some(Error::internal("busy"))).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Internal);
        assert!(cli.get("x").is_none());
    }
}
