//! "Install my key": log in once with the VM's generated password and
//! append the user's public key to `~/.ssh/authorized_keys`, so that from
//! then on no password is needed (the system `ssh`, VS Code, and our own
//! sessions all use the key).
//!
//! Idempotent without reading the VM's file: the key is tried first, and
//! the password is used only when the VM refuses it (so the line is never
//! appended twice by us). The result is checked by a fresh key login that
//! runs `true`.

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use super::client::{connect, SshOptions};
use super::keys::{check_public_line, SshKey};
use super::session::no_password;
use super::target::SshLogin;
use crate::error::{Error, ErrorCode, Result};

/// The command run with the public key line on stdin. `cat >>` appends
/// exactly what it is given: the line travels as data, never as shell text.
pub const INSTALL_COMMAND: &str =
    "mkdir -p ~/.ssh && chmod 700 ~/.ssh && cat >> ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys";

/// What [`install_key`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum KeyInstall {
    /// The VM already accepted the key; nothing was sent.
    AlreadyInstalled,
    /// Appended with the password, and a key login then worked.
    Installed,
}

/// Install `key` on the VM of `login` (see the module docs).
/// `ssh-auth-failed` when the password is refused, `vm-no-guest-agent` when
/// the VM has none, `ssh-failed` when the command fails or the key still
/// does not log in afterwards.
pub async fn install_key(login: &SshLogin, key: &SshKey, known_hosts: &Path, opts: &SshOptions) -> Result<KeyInstall> {
    let line = check_public_line(&key.public_line, &key.public)?;
    let mut s = connect(&login.target, known_hosts, opts).await?;
    match s.auth_key(&key.private).await {
        Ok(()) => {
            s.close().await;
            return Ok(KeyInstall::AlreadyInstalled);
        }
        Err(e) if e.code == ErrorCode::SshAuthFailed => {}
        Err(e) => return Err(e),
    }
    let password = login.password.as_ref().ok_or_else(|| no_password(login))?;
    s.auth_password(password).await?;
    let out = s.exec(INSTALL_COMMAND, Some(format!("{line}\n").as_bytes())).await?;
    s.close().await;
    if out.exit_status != Some(0) {
        return Err(command_failed(login, "installing the key", out.exit_status, &out.stderr));
    }
    // A new connection: proves the VM now takes the key on its own.
    let mut check = connect(&login.target, known_hosts, opts).await?;
    check.auth_key(&key.private).await.map_err(|e| {
        Error::new(ErrorCode::SshFailed, format!("the key was appended but the VM still refuses it: {}", e.message))
            .with_data(json!({ "host": login.target.host(), "port": login.target.port(), "reason": e.message }))
    })?;
    let ok = check.exec("true", None).await?;
    check.close().await;
    if ok.exit_status != Some(0) {
        return Err(command_failed(login, "checking the key login", ok.exit_status, &ok.stderr));
    }
    tracing::info!(host = %login.target.known_hosts_name(), "SSH key installed on the VM");
    Ok(KeyInstall::Installed)
}

/// `ssh-failed {host, port, reason, exitStatus}` for a command that failed on the VM.
fn command_failed(login: &SshLogin, what: &str, status: Option<u32>, stderr: &str) -> Error {
    let reason = crate::text::sanitize(stderr, 512);
    Error::new(ErrorCode::SshFailed, format!("{what} failed on the VM (exit status {status:?}): {reason}")).with_data(
        json!({ "host": login.target.host(), "port": login.target.port(), "reason": reason, "exitStatus": status }),
    )
}
