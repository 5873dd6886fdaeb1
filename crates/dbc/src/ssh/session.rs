//! Logging in to a Linux VM the way every core operation does: with the
//! user's key when it works (no password needed once it is installed), else
//! with the VM's generated password.

use std::path::Path;

use super::client::{connect, SshOptions, SshSession};
use super::target::SshLogin;
use crate::error::{Error, ErrorCode, Result};

/// Connect to `login` and authenticate: the private key `key` first (when
/// given), then the password. The key's refusal is kept as the error when
/// there is no password to fall back on.
pub async fn open(login: &SshLogin, key: Option<&Path>, known_hosts: &Path, opts: &SshOptions) -> Result<SshSession> {
    let mut s = connect(&login.target, known_hosts, opts).await?;
    let mut refused: Option<Error> = None;
    if let Some(k) = key {
        match s.auth_key(k).await {
            Ok(()) => return Ok(s),
            // Not installed yet, or a key we cannot read (passphrase): the password may still do.
            Err(e) if matches!(e.code, ErrorCode::SshAuthFailed | ErrorCode::SshKeyInvalid) => refused = Some(e),
            Err(e) => return Err(e),
        }
    }
    match &login.password {
        Some(pw) => {
            s.auth_password(pw).await?;
            Ok(s)
        }
        None => Err(refused.unwrap_or_else(|| no_password(login))),
    }
}

/// `vm-no-guest-agent {field: "password"}`: the node set no password.
pub fn no_password(login: &SshLogin) -> Error {
    Error::new(
        ErrorCode::VmNoGuestAgent,
        format!(
            "the VM at {} has no login password (\"N/A\": no guest agent), and no key of yours is installed",
            login.target.known_hosts_name()
        ),
    )
    .with_data(serde_json::json!({ "field": "password" }))
}
