//! Where to log in over SSH and as whom: a Linux VM's `ssh_ip`, `ssh_port`
//! and `user_name` from the DBC client's task detail (compute-api.md
//! §1.4.3), checked by the very validator the RDP target uses, so anything
//! a DBC client could hand us (`-oProxyCommand=…`, spaces, `;`, a newline, a
//! leading `-`) is refused with the same `invalid-rdp-host` /
//! `invalid-rdp-port` / `invalid-rdp-user` codes before it reaches an
//! argument vector, a config file or a socket.

use serde_json::json;

use crate::compute::types::{StatusKind, TaskDetail};
use crate::error::{Error, ErrorCode, Result};
use crate::rdp::{RdpTarget, NOT_AVAILABLE};
use crate::wallet::SecretString;

/// The Linux account DBC images log in as (compute-api.md §1.4.3).
pub const DEFAULT_USER: &str = "dbc";

/// A validated SSH endpoint. Fields cannot change after the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget(RdpTarget);

impl SshTarget {
    /// Validate host, port and user (the RDP target's rules).
    /// On top of the RDP rules (which allow the spaces, `\\`, `$` and `@` of
    /// Windows names), a Linux user name is ASCII letters, digits, `.`, `_`
    /// and `-` only: it goes into `user@host` and a `~/.ssh/config` line.
    pub fn new(host: &str, port: u64, user: &str) -> Result<Self> {
        let t = RdpTarget::new(host, port, user)?;
        if !user.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            return Err(Error::new(
                ErrorCode::InvalidRdpUser,
                format!("invalid SSH user {user:?}: only letters, digits, '.', '_' and '-' are allowed"),
            )
            .with_data(json!({ "user": user })));
        }
        Ok(SshTarget(t))
    }

    /// The host as written in addresses (an IPv6 literal without brackets).
    pub fn host(&self) -> String {
        self.0.host()
    }

    pub fn port(&self) -> u16 {
        self.0.port()
    }

    pub fn user(&self) -> &str {
        self.0.user()
    }

    /// `user@host` as `ssh` takes it (an IPv6 literal needs no brackets there).
    pub fn user_at_host(&self) -> String {
        format!("{}@{}", self.user(), self.host())
    }

    /// The name of this endpoint in an OpenSSH known-hosts file: `host` on
    /// port 22, `[host]:port` otherwise (what `ssh` itself writes and looks up).
    pub fn known_hosts_name(&self) -> String {
        if self.port() == 22 {
            self.host()
        } else {
            format!("[{}]:{}", self.host(), self.port())
        }
    }
}

/// A Linux VM's login: where, and the generated password (used once, to
/// install the user's key, or when no usable key exists). Never journaled.
#[derive(Debug)]
pub struct SshLogin {
    pub target: SshTarget,
    /// `None` when the node shows `"N/A"` (no guest agent set one).
    pub password: Option<SecretString>,
}

/// `not-linux-vm {os}`: an SSH operation on a VM that is not Linux.
pub fn not_linux(os: &str) -> Error {
    Error::new(ErrorCode::NotLinuxVm, format!("the VM runs {os:?}, not Linux: connect with Remote Desktop"))
        .with_data(json!({ "os": os }))
}

impl SshLogin {
    /// The SSH login in task detail `d`: the VM must be Linux, running, and
    /// have its host and SSH port; the user defaults to `dbc`.
    pub fn from_detail(d: &TaskDetail) -> Result<SshLogin> {
        if d.is_windows() {
            return Err(not_linux(&d.os));
        }
        let (host, port) = match (d.ssh_ip.trim(), d.ssh_port) {
            (h, Some(p)) if !h.is_empty() && d.status.kind() == StatusKind::Running => (h, p),
            _ => {
                return Err(Error::new(
                    ErrorCode::WrongRentalState,
                    format!("the VM is {}, not running with an SSH port yet", d.status.as_str()),
                )
                .with_data(json!({ "state": d.status.as_str() })))
            }
        };
        let user = match d.user_name.trim() {
            "" | NOT_AVAILABLE => DEFAULT_USER,
            u => u,
        };
        let password = match d.login_password.as_str() {
            "" | NOT_AVAILABLE => None,
            p => Some(crate::rdp::login_password(p)?),
        };
        Ok(SshLogin { target: SshTarget::new(host, u64::from(port), user)?, password })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_attempts_are_refused_as_for_rdp() {
        for host in ["-oProxyCommand=sh", "a b", "h;id", "h\nx", "-h", "$(id)", "h`id`", "u@h"] {
            assert_eq!(SshTarget::new(host, 22, "dbc").unwrap_err().code, ErrorCode::InvalidRdpHost, "{host:?}");
        }
        for user in ["-oProxyCommand=sh", "a b", "d;id", "d\nx", "-l", "d'b", "u@h", "a\\b", "x$"] {
            assert_eq!(SshTarget::new("1.2.3.4", 22, user).unwrap_err().code, ErrorCode::InvalidRdpUser, "{user:?}");
        }
        assert_eq!(SshTarget::new("1.2.3.4", 0, "dbc").unwrap_err().code, ErrorCode::InvalidRdpPort);
        assert_eq!(SshTarget::new("1.2.3.4", 70000, "dbc").unwrap_err().code, ErrorCode::InvalidRdpPort);
        let t = SshTarget::new("2001:db8::1", 10022, "dbc").unwrap();
        assert_eq!((t.known_hosts_name(), t.user_at_host()), ("[2001:db8::1]:10022".into(), "dbc@2001:db8::1".into()));
        assert_eq!(SshTarget::new("vm.example", 22, "dbc").unwrap().known_hosts_name(), "vm.example");
    }
}
