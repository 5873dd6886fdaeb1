//! VS Code's Remote-SSH: a `Host dbc-<rent>` block in `~/.ssh/config`
//! (added only when the user agrees, removed when the rental ends) and the
//! `code --remote ssh-remote+dbc-<rent> /home/dbc` argument vector.
//!
//! The block sits between two marker lines that name it, so it can be
//! found, replaced and removed without touching a byte of the rest of the
//! file. It goes at the top: ssh takes the first value it meets for each
//! option, so a `Host *` further down cannot override ours; it ends with
//! `Match all`, so whatever the file had at its top (options for every
//! host) still applies to every host after our block.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::argv::config_path;
use super::target::SshTarget;
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe};

/// The alias of rental `rent` (its rent id, or local id before one): `dbc-<rent>`,
/// letters, digits and `-` only (it goes into a config line and a URL-like argument).
pub fn host_alias(rent: &str) -> Result<String> {
    if rent.is_empty() || rent.len() > 64 || !rent.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid_argument(format!("{rent:?} cannot name an SSH host"))
            .with_data(json!({ "field": "rentId" })));
    }
    Ok(format!("dbc-{rent}"))
}

fn begin(alias: &str) -> String {
    format!("# >>> dbc-rent {alias} >>> (added by DBC Rent; removed when the rental ends)")
}

fn end(alias: &str) -> String {
    format!("# <<< dbc-rent {alias} <<<")
}

/// The block's lines for `alias`, each ending with `eol`.
pub fn block(os: Os, alias: &str, target: &SshTarget, key: &Path, known_hosts: &Path, eol: &str) -> Result<String> {
    let lines = [
        begin(alias),
        format!("Host {alias}"),
        format!("    HostName {}", target.host()),
        format!("    Port {}", target.port()),
        format!("    User {}", target.user()),
        format!("    IdentityFile {}", config_path(os, key)?),
        "    IdentitiesOnly yes".to_string(),
        format!("    UserKnownHostsFile {}", config_path(os, known_hosts)?),
        "    StrictHostKeyChecking accept-new".to_string(),
        "Match all".to_string(),
        end(alias),
    ];
    Ok(lines.iter().map(|l| format!("{l}{eol}")).collect())
}

/// The byte range of `alias`'s block in `text`: from the start of its
/// begin line to the end of its end line, line break included.
fn find_block(text: &str, alias: &str) -> Option<std::ops::Range<usize>> {
    let (b, e) = (begin(alias), end(alias));
    let mut start = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if start.is_none() && bare == b {
            start = Some(at);
        } else if let (Some(s), true) = (start, bare == e) {
            return Some(s..at + line.len());
        }
        at += line.len();
    }
    None
}

/// `text` with `alias`'s block set to `new_block`: replaced where it is,
/// or put first. Nothing else changes.
pub fn with_block(text: &str, alias: &str, new_block: &str) -> String {
    match find_block(text, alias) {
        Some(r) => format!("{}{new_block}{}", &text[..r.start], &text[r.end..]),
        None => format!("{new_block}{text}"),
    }
}

/// `text` without `alias`'s block (the same text when there is none).
pub fn without_block(text: &str, alias: &str) -> String {
    match find_block(text, alias) {
        Some(r) => format!("{}{}", &text[..r.start], &text[r.end..]),
        None => text.to_string(),
    }
}

/// The file's line ending: CRLF when its first line has one.
fn eol_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        Some(_) => "\n",
        None if cfg!(windows) => "\r\n",
        None => "\n",
    }
}

/// `~/.ssh/config`.
pub fn user_ssh_config() -> Result<PathBuf> {
    Ok(super::keys::user_ssh_dir()?.join("config"))
}

/// Add (or replace) the block for `alias` in the config file `config`.
pub fn config_add(
    os: Os,
    config: &Path,
    alias: &str,
    target: &SshTarget,
    key: &Path,
    known_hosts: &Path,
) -> Result<()> {
    edit(config, |text| Ok(with_block(text, alias, &block(os, alias, target, key, known_hosts, eol_of(text))?)))
}

/// Remove the block for `alias` from `config`; no file or no block is fine.
pub fn config_remove(config: &Path, alias: &str) -> Result<bool> {
    if !config.exists() {
        return Ok(false);
    }
    let mut found = false;
    edit(config, |text| {
        found = find_block(text, alias).is_some();
        Ok(without_block(text, alias))
    })?;
    Ok(found)
}

/// Read-modify-write `config` under its lock, atomically, keeping its mode
/// (a new file is 0600) and writing through a symlink to its target (a
/// dotfiles manager's link stays a link). Unchanged text is not rewritten.
fn edit(config: &Path, change: impl FnOnce(&str) -> Result<String>) -> Result<()> {
    let real = std::fs::canonicalize(config).unwrap_or_else(|_| config.to_path_buf());
    crate::paths::with_lock(&real, || {
        let old = crate::paths::read_if_exists(&real)?;
        let text = match &old {
            Some(b) => String::from_utf8(b.clone()).map_err(|_| Error::storage_corrupt(&real, "not UTF-8 text"))?,
            None => String::new(),
        };
        let new = change(&text)?;
        if old.is_some() && new == text {
            return Ok(());
        }
        #[cfg(unix)]
        let mode = std::fs::metadata(&real).ok().map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()));
        if let Some(dir) = real.parent().filter(|d| !d.exists()) {
            crate::paths::ensure_private_dir(dir).map_err(|e| Error::io(dir, &e))?;
        }
        crate::paths::write_atomic(&real, new.as_bytes()).map_err(|e| Error::io(&real, &e))?;
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&real, std::fs::Permissions::from_mode(m & 0o7777))
                .map_err(|e| Error::io(&real, &e))?;
        }
        Ok(())
    })
    .map_err(|e| Error::io(&real, &e))?
}

/// `code --remote ssh-remote+<alias> /home/<user>`: `vscode-missing {os, install}`
/// when VS Code's `code` command is not found.
pub fn vscode_plan(os: Os, probe: &dyn Probe, alias: &str, user: &str) -> Result<(PathBuf, Vec<OsString>)> {
    let code = probe.find_program("code").ok_or_else(|| {
        let install = match os {
            Os::Linux => "https://code.visualstudio.com/ (then the Remote - SSH extension)",
            Os::Windows => "https://code.visualstudio.com/ (then the Remote - SSH extension)",
            Os::Macos => {
                "https://code.visualstudio.com/ and, in VS Code, \"Shell Command: Install 'code' command in PATH\""
            }
        };
        Error::new(
            ErrorCode::VscodeMissing,
            format!("VS Code's `code` command was not found; install VS Code ({install})"),
        )
        .with_data(json!({ "os": os.as_str(), "install": install }))
    })?;
    let args = vec!["--remote".into(), format!("ssh-remote+{alias}").into(), format!("/home/{user}").into()];
    Ok((code, args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeProbe;

    fn add(text: &str, alias: &str, port: u64) -> String {
        let t = SshTarget::new("203.0.113.7", port, "dbc").unwrap();
        let b =
            block(Os::Linux, alias, &t, Path::new("/h/.ssh/id_ed25519"), Path::new("/d/ssh/known_hosts"), eol_of(text))
                .unwrap();
        with_block(text, alias, &b)
    }

    #[test]
    fn add_then_remove_leaves_the_rest_byte_identical() {
        let originals = [
            "",
            "ServerAliveInterval 60\nHost work\n    User me\n",
            "Host a\r\n    Port 2\r\nHost *\r\n    User root\r\n",
            "Host nolf\n    User x",
            "# >>> dbc-rent dbc-7 >>> (added by DBC Rent; removed when the rental ends)\nHost dbc-7\n# <<< dbc-rent dbc-7 <<<\nHost z\n",
        ];
        for original in originals {
            let one = add(original, "dbc-42", 10022);
            assert!(one.starts_with("# >>> dbc-rent dbc-42 >>>"), "first: {one:?}");
            assert!(one.ends_with(original));
            let again = add(&one, "dbc-42", 10099);
            assert_eq!(again.matches("Host dbc-42").count(), 1, "replaced, not added twice: {again}");
            assert!(again.contains("    Port 10099") && !again.contains("10022"));
            let two = add(&again, "dbc-43", 10023);
            let back = without_block(&without_block(&two, "dbc-42"), "dbc-43");
            assert_eq!(back, original, "byte-identical");
            assert_eq!(without_block(original, "dbc-42"), original, "no block: no change");
        }
        let crlf = add("Host a\r\n", "dbc-1", 10022);
        assert!(
            crlf.lines().all(|l| !l.is_empty()) && crlf.matches("\r\n").count() == crlf.matches('\n').count(),
            "{crlf:?}"
        );
        let b = add("", "dbc-1", 10022);
        for want in [
            "Host dbc-1\n",
            "    HostName 203.0.113.7\n",
            "    Port 10022\n",
            "    User dbc\n",
            "    IdentityFile /h/.ssh/id_ed25519\n",
            "    UserKnownHostsFile /d/ssh/known_hosts\n",
            "Match all\n",
        ] {
            assert!(b.contains(want), "{want:?} in {b}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_file_keeps_its_mode_and_unrelated_lines() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join(".ssh/config");
        let t = SshTarget::new("203.0.113.7", 10022, "dbc").unwrap();
        let (k, kh) = (Path::new("/k"), Path::new("/kh"));
        config_add(Os::Linux, &f, "dbc-5", &t, k, kh).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::write(&f, "Host mine\n    User me").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        config_add(Os::Linux, &f, "dbc-5", &t, k, kh).unwrap();
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o644);
        assert!(config_remove(&f, "dbc-5").unwrap());
        assert!(!config_remove(&f, "dbc-5").unwrap());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "Host mine\n    User me");
        assert!(!config_remove(&dir.path().join("none"), "dbc-5").unwrap());
    }

    #[test]
    fn aliases_and_the_code_argv() {
        assert_eq!(host_alias("42").unwrap(), "dbc-42");
        for bad in ["", "4 2", "x\ny", "a;b", "../x"] {
            assert_eq!(host_alias(bad).unwrap_err().code, ErrorCode::InvalidArgument);
        }
        let (p, a) =
            vscode_plan(Os::Linux, &FakeProbe { programs: vec!["code"], mac_apps: vec![] }, "dbc-42", "dbc").unwrap();
        assert_eq!(p, PathBuf::from("/fake/bin/code"));
        assert_eq!(a, ["--remote", "ssh-remote+dbc-42", "/home/dbc"].map(OsString::from));
        let e = vscode_plan(Os::Macos, &FakeProbe::default(), "dbc-42", "dbc").unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["os"].as_str()), (ErrorCode::VscodeMissing, Some("macos")));
    }
}
