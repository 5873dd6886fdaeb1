//! The user's SSH key: their own (`~/.ssh/id_ed25519` + `.pub`, or a key
//! they chose), else one the app generates with their consent
//! (`~/.ssh/dbc_rent_ed25519`, mode 0600, `.pub` 0644) in OpenSSH's private
//! key format, so the system `ssh -i` and VS Code use it as they are.
//!
//! The private key stays the user's file: the app reads it when it logs in
//! and keeps no copy anywhere. An existing file is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use russh::keys::ssh_key::{private::Ed25519Keypair, LineEnding, PrivateKey, PublicKey};
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The key ssh tries first, and the one we look for.
pub const USER_KEY: &str = "id_ed25519";
/// The key the app generates when the user has none.
pub const APP_KEY: &str = "dbc_rent_ed25519";

/// A key pair on disk, with its public line (what goes into `authorized_keys`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct SshKey {
    pub private: PathBuf,
    pub public: PathBuf,
    /// `ssh-ed25519 AAAA… comment`, checked by [`check_public_line`].
    pub public_line: String,
}

/// `~/.ssh` (`ssh-key-missing` when the home folder is unknown).
pub fn user_ssh_dir() -> Result<PathBuf> {
    dirs::home_dir().map(|h| h.join(".ssh")).ok_or_else(|| {
        Error::new(ErrorCode::SshKeyMissing, "the home folder is unknown, so there is no ~/.ssh")
            .with_data(json!({ "path": "~/.ssh" }))
    })
}

fn invalid(path: &Path, reason: &str) -> Error {
    Error::new(ErrorCode::SshKeyInvalid, format!("the SSH key {} cannot be used: {reason}", path.display()))
        .with_data(json!({ "path": path.display().to_string(), "reason": reason }))
}

/// The `.pub` next to a private key, and the private key of a `.pub`.
fn pair_of(path: &Path) -> (PathBuf, PathBuf) {
    let s = path.as_os_str().to_string_lossy();
    match s.strip_suffix(".pub") {
        Some(private) => (PathBuf::from(private), path.to_path_buf()),
        None => (path.to_path_buf(), PathBuf::from(format!("{s}.pub"))),
    }
}

/// A public key line that can go to the VM inside single quotes or on
/// stdin: one line, printable ASCII, no `'`, a key OpenSSH can parse.
pub fn check_public_line(line: &str, path: &Path) -> Result<String> {
    let line = line.trim();
    if line.is_empty() || line.len() > 16 * 1024 {
        return Err(invalid(path, "the public key file is empty or too long"));
    }
    if line.contains('\'') || !line.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(invalid(path, "the public key line holds a quote, a line break or a non-ASCII character"));
    }
    PublicKey::from_openssh(line).map_err(|e| invalid(path, &format!("not an OpenSSH public key ({e})")))?;
    Ok(line.to_string())
}

/// The key pair at `path` (the private key or its `.pub`): `Ok(None)` when
/// either file is missing.
pub fn read_key(path: &Path) -> Result<Option<SshKey>> {
    let (private, public) = pair_of(path);
    if !private.is_file() || !public.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&public).map_err(|e| Error::io(&public, &e))?;
    let public_line = check_public_line(text.lines().next().unwrap_or(""), &public)?;
    Ok(Some(SshKey { private, public, public_line }))
}

/// The key to use: the `chosen` one (which must exist: `ssh-key-missing`),
/// else `~/.ssh/id_ed25519`, else the app's own earlier key; `Ok(None)` when
/// there is none (then ask, and [`generate_app_key`]).
pub fn find_key(ssh_dir: &Path, chosen: Option<&Path>) -> Result<Option<SshKey>> {
    if let Some(c) = chosen {
        return read_key(c)?.map(Some).ok_or_else(|| no_pair_at(c));
    }
    for name in [USER_KEY, APP_KEY] {
        if let Some(k) = read_key(&ssh_dir.join(name))? {
            return Ok(Some(k));
        }
    }
    Ok(None)
}

/// `ssh-key-missing {path}`: no private key and `.pub` at `path`.
fn no_pair_at(path: &Path) -> Error {
    Error::new(ErrorCode::SshKeyMissing, format!("no SSH key pair at {} (and its .pub)", path.display()))
        .with_data(json!({ "path": path.display().to_string() }))
}

/// The key the user chose by `text` (Settings in the app): a full path, a
/// path under the home folder as `~/…`, or a bare name in `ssh_dir`
/// (`id_rsa`), of the private key or its `.pub`. It must be a pair the app
/// can log in with too: OpenSSH format, no passphrase (`ssh-key-missing`,
/// `ssh-key-invalid` otherwise). Returns the pair (its private key's path
/// is what is kept).
pub fn chosen_key(ssh_dir: &Path, home: &Path, text: &str) -> Result<SshKey> {
    let text = text.trim();
    let path = match text.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if Path::new(text).is_absolute() => PathBuf::from(text),
        None => ssh_dir.join(text),
    };
    let key = read_key(&path)?.ok_or_else(|| no_pair_at(&path))?;
    load_private(&key.private)?;
    Ok(key)
}

/// Make `<ssh_dir>/dbc_rent_ed25519` (+ `.pub`), an ed25519 key in
/// OpenSSH format. Returns the existing pair if there is one; refuses
/// (`ssh-key-invalid`) when only half of it exists, rather than overwrite.
pub fn generate_app_key(ssh_dir: &Path) -> Result<SshKey> {
    let private = ssh_dir.join(APP_KEY);
    if let Some(k) = read_key(&private)? {
        return Ok(k);
    }
    let public = ssh_dir.join(format!("{APP_KEY}.pub"));
    if private.exists() || public.exists() {
        return Err(invalid(&private, "only one half of the key pair exists; it is left untouched"));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(seed.as_mut());
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    key.set_comment("dbc-rent");
    let pem = key.to_openssh(LineEnding::LF).map_err(|e| Error::internal(format!("ssh key encoding: {e}")))?;
    let line = key.public_key().to_openssh().map_err(|e| Error::internal(format!("ssh key encoding: {e}")))?;
    crate::paths::ensure_private_dir(ssh_dir).map_err(|e| Error::io(ssh_dir, &e))?;
    // The private half first: a crash in between leaves a private key
    // without its `.pub`, which the next run reports instead of replacing.
    write_new(&private, pem.as_bytes(), 0o600)?;
    write_new(&public, format!("{line}\n").as_bytes(), 0o644)?;
    tracing::info!(path = %private.display(), "generated an SSH key for DBC Rent");
    Ok(SshKey { private, public, public_line: line })
}

/// Write a new file atomically, never replacing one: a temporary file with
/// the final mode, then a hard link to the name (which fails if the name
/// exists), then the temporary name removed.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("key"),
        rand::random::<u32>()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let written = opts.open(&tmp).and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()));
    let linked = written.and_then(|_| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(|e| Error::io(path, &e))
}

/// The private key in `path`, for logging in: OpenSSH format, not
/// passphrase-protected (the system `ssh` handles those; we cannot ask).
pub fn load_private(path: &Path) -> Result<PrivateKey> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?);
    let key = PrivateKey::from_openssh(text.as_bytes())
        .map_err(|e| invalid(path, &format!("not an OpenSSH private key ({e})")))?;
    if key.is_encrypted() {
        return Err(invalid(path, "it is protected by a passphrase"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_key_is_found_by_full_path_home_path_or_name_and_must_be_usable() {
        let home = tempfile::tempdir().unwrap();
        let ssh = home.path().join(".ssh");
        let made = generate_app_key(&ssh).unwrap();
        for text in [
            made.private.display().to_string(),
            format!("{}.pub", made.private.display()),
            "~/.ssh/dbc_rent_ed25519".into(),
            " dbc_rent_ed25519 ".into(),
        ] {
            assert_eq!(chosen_key(&ssh, home.path(), &text).unwrap(), made, "{text}");
        }
        let e = chosen_key(&ssh, home.path(), "id_other").unwrap_err();
        assert_eq!(e.code, ErrorCode::SshKeyMissing);
        assert_eq!(e.data.as_ref().unwrap()["path"], ssh.join("id_other").display().to_string());
        // A pair whose private half is not an OpenSSH key cannot log in.
        std::fs::write(ssh.join("broken"), "not a key").unwrap();
        std::fs::copy(&made.public, ssh.join("broken.pub")).unwrap();
        assert_eq!(chosen_key(&ssh, home.path(), "broken").unwrap_err().code, ErrorCode::SshKeyInvalid);
    }

    #[test]
    fn generates_once_with_private_modes_and_finds_keys_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        assert_eq!(find_key(&ssh, None).unwrap(), None);
        let k = generate_app_key(&ssh).unwrap();
        assert!(k.public_line.starts_with("ssh-ed25519 AAAA") && k.public_line.ends_with(" dbc-rent"));
        let pem = std::fs::read_to_string(&k.private).unwrap();
        assert!(pem.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"), "{pem}");
        load_private(&k.private).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode(&k.private), mode(&k.public)), (0o600, 0o644));
            assert_eq!(mode(&ssh), 0o700);
        }
        // Again: the same key, nothing rewritten.
        assert_eq!(generate_app_key(&ssh).unwrap(), k);
        assert_eq!(std::fs::read_to_string(&k.private).unwrap(), pem);
        assert_eq!(find_key(&ssh, None).unwrap().unwrap(), k);
        // The user's own key wins over ours; a chosen one over both.
        let own = generate_app_key(&dir.path().join("other")).unwrap();
        std::fs::copy(&own.private, ssh.join(USER_KEY)).unwrap();
        std::fs::copy(&own.public, ssh.join("id_ed25519.pub")).unwrap();
        assert_eq!(find_key(&ssh, None).unwrap().unwrap().private, ssh.join(USER_KEY));
        assert_eq!(find_key(&ssh, Some(&k.public)).unwrap().unwrap(), k);
        let e = find_key(&ssh, Some(&ssh.join("nope"))).unwrap_err();
        assert_eq!(e.code, ErrorCode::SshKeyMissing);
        // Half a pair is never replaced.
        let half = dir.path().join("half");
        std::fs::create_dir_all(&half).unwrap();
        std::fs::write(half.join(APP_KEY), "mine").unwrap();
        assert_eq!(generate_app_key(&half).unwrap_err().code, ErrorCode::SshKeyInvalid);
        assert_eq!(std::fs::read_to_string(half.join(APP_KEY)).unwrap(), "mine");
    }

    #[test]
    fn public_lines_with_quotes_or_breaks_are_refused() {
        let p = Path::new("k.pub");
        let dir = tempfile::tempdir().unwrap();
        let good = generate_app_key(dir.path()).unwrap().public_line;
        assert_eq!(check_public_line(&format!("  {good}\n"), p).unwrap(), good);
        for bad in [
            format!("{good}' ; rm -rf ~ ; echo '"),
            format!("{good} a\rb"),
            format!("{good}\nssh-ed25519 second"),
            "not a key".to_string(),
            String::new(),
        ] {
            assert_eq!(check_public_line(&bad, p).unwrap_err().code, ErrorCode::SshKeyInvalid, "{bad:?}");
        }
        std::fs::write(dir.path().join("x"), "garbage").unwrap();
        assert_eq!(load_private(&dir.path().join("x")).unwrap_err().code, ErrorCode::SshKeyInvalid);
    }
}
