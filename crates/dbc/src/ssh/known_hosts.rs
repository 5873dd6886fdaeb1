//! The app's own known-hosts file, `<data dir>/ssh/known_hosts`, in
//! OpenSSH's format (`[host]:port ssh-ed25519 AAAA…`) so that the system
//! `ssh` we start reads the same pins (`-o UserKnownHostsFile=…`) and the
//! user's `~/.ssh/known_hosts` is never touched.
//!
//! Trust on first use: a host with no line is pinned by the first
//! connection; from then on a different key is refused
//! (`ssh-host-key-changed`), as `ssh -o StrictHostKeyChecking=accept-new`
//! does. A VM's host key only changes when the VM is recreated, or when
//! someone sits in the middle.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Error, ErrorCode, Result};

/// `<data dir>/ssh/known_hosts`.
pub fn known_hosts_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ssh").join("known_hosts")
}

/// What the file says about one host name and the key it offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// A line with this very key.
    Match,
    /// No line for the host: pin it.
    Unknown,
    /// Lines for the host, none with this key: the pinned key(s), as `type base64`.
    Changed(Vec<String>),
}

/// Look `name` (from `SshTarget::known_hosts_name`) and `key` (`type base64`)
/// up in the file's text. Hashed (`|1|…`), marker (`@revoked`, `@cert-authority`),
/// comment and malformed lines are ignored: the file is ours, written by
/// [`pin`] or by `ssh` with `HashKnownHosts` off.
pub fn lookup(text: &str, name: &str, key: &str) -> Known {
    let mut pinned = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(hosts), Some(kind), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if hosts.starts_with('#') || hosts.starts_with('|') || hosts.starts_with('@') {
            continue;
        }
        if !hosts.split(',').any(|h| h == name) {
            continue;
        }
        let have = format!("{kind} {b64}");
        if have == key {
            return Known::Match;
        }
        pinned.push(have);
    }
    if pinned.is_empty() {
        Known::Unknown
    } else {
        Known::Changed(pinned)
    }
}

/// `ssh-host-key-changed {host, port, pinned, offered, file}`.
pub fn changed(name: &str, port: u16, pinned: &[String], offered: &str, file: &Path) -> Error {
    Error::new(
        ErrorCode::SshHostKeyChanged,
        format!(
            "the SSH host key of {name} is not the one pinned on first connection; refusing to connect \
             (if the VM was recreated, remove its line from {})",
            file.display()
        ),
    )
    .with_data(json!({
        "host": name, "port": port, "pinned": pinned.join(", "), "offered": offered,
        "file": file.display().to_string(),
    }))
}

/// Check `key` for `name` against the file, pinning it when the host is
/// new. The read-modify-write holds the file's lock (`known_hosts.lock`), so two connections to
/// a new host at once write one line.
pub fn check_or_pin(file: &Path, name: &str, port: u16, key: &str) -> Result<()> {
    if let Some(dir) = file.parent() {
        crate::paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
    }
    crate::paths::with_lock(file, || {
        let old = crate::paths::read_if_exists(file)?.unwrap_or_default();
        let text = String::from_utf8_lossy(&old);
        match lookup(&text, name, key) {
            Known::Match => Ok(()),
            Known::Changed(pinned) => Err(changed(name, port, &pinned, key, file)),
            Known::Unknown => {
                let mut new = old.clone();
                if !new.is_empty() && !new.ends_with(b"\n") {
                    new.push(b'\n');
                }
                new.extend_from_slice(format!("{name} {key}\n").as_bytes());
                crate::paths::write_atomic(file, &new).map_err(|e| Error::io(file, &e))?;
                tracing::info!(host = name, "SSH host key pinned on first use");
                Ok(())
            }
        }
    })
    .map_err(|e| Error::io(file, &e))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_use_pins_then_the_same_key_passes_and_another_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = known_hosts_path(dir.path());
        check_or_pin(&f, "[1.2.3.4]:10022", 10022, "ssh-ed25519 AAAAone").unwrap();
        check_or_pin(&f, "[1.2.3.4]:10022", 10022, "ssh-ed25519 AAAAone").unwrap();
        check_or_pin(&f, "[1.2.3.4]:10023", 10023, "ssh-ed25519 AAAAtwo").unwrap();
        assert_eq!(
            std::fs::read_to_string(&f).unwrap(),
            "[1.2.3.4]:10022 ssh-ed25519 AAAAone\n[1.2.3.4]:10023 ssh-ed25519 AAAAtwo\n"
        );
        let e = check_or_pin(&f, "[1.2.3.4]:10022", 10022, "ssh-ed25519 AAAAevil").unwrap_err();
        assert_eq!(e.code, ErrorCode::SshHostKeyChanged);
        assert_eq!(e.data.as_ref().unwrap()["pinned"], "ssh-ed25519 AAAAone");
        assert_eq!(std::fs::read_to_string(&f).unwrap().lines().count(), 2, "nothing pinned over a changed key");
    }

    #[test]
    fn lookup_reads_openssh_lines() {
        let text = "# c\n|1|hash= ssh-ed25519 AAAAx\nother,[h]:2222 ssh-ed25519 AAAAk comment\nbroken\n";
        assert_eq!(lookup(text, "[h]:2222", "ssh-ed25519 AAAAk"), Known::Match);
        assert_eq!(lookup(text, "other", "ssh-ed25519 AAAAk"), Known::Match);
        assert_eq!(
            lookup(text, "[h]:2222", "ecdsa-sha2-nistp256 AAAAe"),
            Known::Changed(vec!["ssh-ed25519 AAAAk".into()])
        );
        assert_eq!(lookup(text, "[h]:22", "ssh-ed25519 AAAAk"), Known::Unknown);
    }
}
