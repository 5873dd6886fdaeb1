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

/// Write `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A crash leaves either the
/// old file or the new one, never half of one. Mode 0600 on Unix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
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
}
