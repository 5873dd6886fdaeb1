//! Where the app keeps its files. The desktop app and `dbc-rent` share one
//! data directory, so a wallet made in one is seen by the other.

use std::path::{Path, PathBuf};

/// The app identifier; also the Tauri bundle identifier, so the desktop app's
/// own notion of its data dir points at the same folder.
pub const APP_ID: &str = "app.dbcrent.desktop";

/// Environment variable that overrides the data directory (scripts, tests).
pub const HOME_ENV: &str = "DBC_RENT_HOME";

/// Resolve the data directory: an explicit choice (`--data-dir`), else
/// `$DBC_RENT_HOME`, else the platform's app-data dir
/// (`~/.local/share/app.dbcrent.desktop` on Linux, `%APPDATA%\…` on Windows,
/// `~/Library/Application Support/…` on macOS).
/// The result is absolute (a relative choice is taken from the current
/// folder), because child processes such as the practice chain run elsewhere.
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    let chosen = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_ID));
    std::path::absolute(&chosen).unwrap_or(chosen)
}

/// Rotating log files live here.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Create `dir` (and parents) readable by the user only: it will hold
/// wallets and journals.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Run `f` holding an exclusive lock on `<path>.lock` (created next to
/// `path`, never removed), so a read-modify-write of `path` by the app, a
/// second window and the CLI never loses another's change. The lock is
/// advisory (`File::lock`: `flock` on Unix, `LockFileEx` on Windows) and
/// is released when `f` returns, or when the process dies.
pub fn with_lock<T>(path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let lock_path = dir.join(format!("{name}.lock"));
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let lock = opts.open(&lock_path)?;
    lock.lock()?;
    let out = f();
    drop(lock);
    Ok(out)
}

/// A temporary name no other writer uses at the same time: the process, a
/// per-process counter, and a random part (a stale file of a dead process
/// with a reused pid is not taken over either).
fn temp_name(name: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(".{name}.tmp-{}-{n}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// The bytes of the file at `path`, or `None` when there is none yet (any
/// other failure is an `io` error naming the path).
pub fn read_if_exists(path: &Path) -> crate::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::Error::io(path, &e)),
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder
/// (a name of its own, so two threads or processes writing the same file
/// never share one), flushed to disk, then renamed over the target. A crash
/// leaves either the old file or the new one, never half of one. Mode 0600
/// on Unix. Concurrent writers each land whole; the last rename wins (use
/// [`with_lock`] for a read-modify-write).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(temp_name(name));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_all()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_dir_wins_and_is_made_absolute() {
        let p = Path::new("/tmp/x");
        assert_eq!(data_dir(Some(p)), PathBuf::from("/tmp/x"));
        let rel = data_dir(Some(Path::new("rel/dir")));
        assert!(rel.is_absolute() && rel.ends_with("rel/dir"), "{}", rel.display());
    }

    #[test]
    fn atomic_write_replaces_and_is_private() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("sub/a.json");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(f.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    /// Two threads writing the same file never share a temporary file: each
    /// write lands whole (with a shared name one rename found the file gone).
    #[test]
    fn concurrent_atomic_writes_of_one_file_all_succeed() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("same.json");
        let writers: Vec<_> = (0..4u8)
            .map(|t| {
                let f = f.clone();
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        write_atomic(&f, &[t; 4096]).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let last = std::fs::read(&f).unwrap();
        assert!(last.len() == 4096 && last.iter().all(|b| *b == last[0]), "one whole write");
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["same.json"], "no temp file left behind");
    }

    /// The lock serializes read-modify-writes across threads (and processes).
    #[test]
    fn locked_read_modify_writes_lose_nothing() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("count");
        let bump = |f: &Path| {
            with_lock(f, || {
                let n: u32 = std::fs::read_to_string(f).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
                std::thread::yield_now();
                write_atomic(f, (n + 1).to_string().as_bytes()).unwrap();
            })
            .unwrap()
        };
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let f = f.clone();
                std::thread::spawn(move || (0..50).for_each(|_| bump(&f)))
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "200");
        assert!(d.path().join("count.lock").exists());
    }
}
