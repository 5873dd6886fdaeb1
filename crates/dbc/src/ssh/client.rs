//! A small SSH client over `russh`: connect (with a timeout) to a checked
//! [`SshTarget`], check the host key against the app's known-hosts file
//! (pinned on first use, a changed one refused), log in with the VM's
//! password or a private key file, and run one command with optional stdin,
//! collecting its output (capped and cleaned, as every remote string is) and
//! its exit status.
//!
//! Nothing secret is logged: the password is handed to russh and dropped,
//! commands are not logged (only that one ran, and how it ended).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, AuthResult, Handle};
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::ChannelMsg;
use secrecy::ExposeSecret;
use serde_json::json;

use super::known_hosts;
use super::target::SshTarget;
use crate::error::{Error, ErrorCode, Result};
use crate::wallet::SecretString;

/// How patient, and how much output is kept.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// TCP connect plus key exchange.
    pub connect_timeout: Duration,
    /// One command, from sending it to its exit; also the session's idle limit.
    pub exec_timeout: Duration,
    /// Bytes kept of stdout and of stderr each; the rest is counted, not kept.
    pub max_output: usize,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            connect_timeout: Duration::from_secs(15),
            exec_timeout: Duration::from_secs(120),
            max_output: 1 << 20,
        }
    }
}

/// What a command left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    /// Cleaned text: lines kept, other control and bidi characters dropped.
    pub stdout: String,
    pub stderr: String,
    /// `None` when the server closed the channel without one (killed by a signal).
    pub exit_status: Option<u32>,
    /// Output beyond [`SshOptions::max_output`] was dropped.
    pub truncated: bool,
}

/// The russh handler: only the host-key check, against our known-hosts file.
struct Pinning {
    file: PathBuf,
    name: String,
    port: u16,
    /// Why the key was refused, for the caller (russh only sees `false`).
    refused: Arc<Mutex<Option<Error>>>,
}

impl client::Handler for Pinning {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> std::result::Result<bool, Self::Error> {
        let verdict = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => match key.to_openssh() {
                // `type base64 [comment]`: the comment is not part of the key.
                Ok(line) => {
                    let key: String = line.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                    known_hosts::check_or_pin(&self.file, &self.name, self.port, &key)
                }
                Err(e) => Err(failed(&self.name, self.port, &format!("unreadable host key: {e}"))),
            },
            PublicKeyOrCertificate::Certificate(_) => {
                Err(failed(&self.name, self.port, "the server offered a host certificate, which is not pinned"))
            }
        };
        match verdict {
            Ok(()) => Ok(true),
            Err(e) => {
                *self.refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                Ok(false)
            }
        }
    }
}

fn failed(name: &str, port: u16, reason: &str) -> Error {
    Error::new(ErrorCode::SshFailed, format!("SSH to {name} failed: {reason}"))
        .with_data(json!({ "host": name, "port": port, "reason": reason }))
}

fn unreachable(t: &SshTarget, reason: &str) -> Error {
    Error::new(ErrorCode::SshUnreachable, format!("cannot reach SSH at {}: {reason}", t.known_hosts_name()))
        .with_data(json!({ "host": t.host(), "port": t.port(), "reason": reason }))
}

fn auth_failed(t: &SshTarget, method: &str) -> Error {
    Error::new(ErrorCode::SshAuthFailed, format!("the VM refused the SSH login of {} by {method}", t.user_at_host()))
        .with_data(json!({ "host": t.host(), "port": t.port(), "user": t.user(), "method": method }))
}

/// A connected, host-key-checked session (authenticated once one of the
/// `auth_*` calls succeeded).
pub struct SshSession {
    handle: Handle<Pinning>,
    target: SshTarget,
    opts: SshOptions,
}

/// Connect to `target`, checking its host key against `known_hosts` (see
/// [`known_hosts`]): `ssh-unreachable` (no answer, refused, timed out),
/// `ssh-host-key-changed`, `ssh-failed` (protocol).
pub async fn connect(target: &SshTarget, known_hosts_file: &Path, opts: &SshOptions) -> Result<SshSession> {
    let refused = Arc::new(Mutex::new(None));
    let handler = Pinning {
        file: known_hosts_file.to_path_buf(),
        name: target.known_hosts_name(),
        port: target.port(),
        refused: refused.clone(),
    };
    let config = Arc::new(client::Config { inactivity_timeout: Some(opts.exec_timeout), ..Default::default() });
    let addr = (target.host(), target.port());
    let connected = tokio::time::timeout(opts.connect_timeout, client::connect(config, addr, handler)).await;
    let handle = match connected {
        Err(_) => return Err(unreachable(target, &format!("no answer in {} s", opts.connect_timeout.as_secs()))),
        Ok(Ok(h)) => h,
        Ok(Err(e)) => {
            if let Some(why) = refused.lock().unwrap_or_else(|p| p.into_inner()).take() {
                return Err(why);
            }
            return Err(match e {
                russh::Error::IO(io) => unreachable(target, &io.to_string()),
                russh::Error::Disconnect | russh::Error::ConnectionTimeout => unreachable(target, &e.to_string()),
                other => failed(&target.known_hosts_name(), target.port(), &other.to_string()),
            });
        }
    };
    tracing::info!(host = %target.known_hosts_name(), "SSH connected, host key checked");
    Ok(SshSession { handle, target: target.clone(), opts: opts.clone() })
}

impl SshSession {
    pub fn target(&self) -> &SshTarget {
        &self.target
    }

    fn protocol(&self, e: russh::Error) -> Error {
        failed(&self.target.known_hosts_name(), self.target.port(), &e.to_string())
    }

    /// Log in with the VM's generated password: `ssh-auth-failed {method: "password"}`.
    pub async fn auth_password(&mut self, password: &SecretString) -> Result<()> {
        let user = self.target.user().to_string();
        let r =
            self.handle.authenticate_password(user, password.expose_secret()).await.map_err(|e| self.protocol(e))?;
        match r {
            AuthResult::Success => Ok(()),
            AuthResult::Failure { .. } => Err(auth_failed(&self.target, "password")),
        }
    }

    /// Log in with the private key in `key_file` (OpenSSH format, not
    /// passphrase-protected): `ssh-key-invalid` when it cannot be read,
    /// `ssh-auth-failed {method: "publickey"}` when the VM does not accept it.
    pub async fn auth_key(&mut self, key_file: &Path) -> Result<()> {
        let key = super::keys::load_private(key_file)?;
        let hash = self.handle.best_supported_rsa_hash().await.map_err(|e| self.protocol(e))?.flatten();
        let user = self.target.user().to_string();
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
        let r = self.handle.authenticate_publickey(user, key).await.map_err(|e| self.protocol(e))?;
        match r {
            AuthResult::Success => Ok(()),
            AuthResult::Failure { .. } => Err(auth_failed(&self.target, "publickey")),
        }
    }

    /// Run `command` (a shell command line on the VM), feeding it `stdin`
    /// then end-of-file, and collect its output and exit status.
    pub async fn exec(&mut self, command: &str, stdin: Option<&[u8]>) -> Result<ExecOutput> {
        let run = async {
            let mut ch = self.handle.channel_open_session().await?;
            ch.exec(true, command).await?;
            if let Some(bytes) = stdin {
                ch.data(bytes).await?;
            }
            ch.eof().await?;
            let (mut out, mut err) = (Capped::new(self.opts.max_output), Capped::new(self.opts.max_output));
            let mut status = None;
            while let Some(msg) = ch.wait().await {
                match msg {
                    ChannelMsg::Data { data } => out.push(&data),
                    ChannelMsg::ExtendedData { data, ext: 1 } => err.push(&data),
                    ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                    _ => {}
                }
            }
            Ok::<_, russh::Error>((out, err, status))
        };
        let (out, err, exit_status) = match tokio::time::timeout(self.opts.exec_timeout, run).await {
            Err(_) => {
                let why = format!("the command did not finish in {} s", self.opts.exec_timeout.as_secs());
                return Err(failed(&self.target.known_hosts_name(), self.target.port(), &why));
            }
            Ok(r) => r.map_err(|e| self.protocol(e))?,
        };
        tracing::info!(host = %self.target.known_hosts_name(), ?exit_status, "SSH command ended");
        let truncated = out.dropped > 0 || err.dropped > 0;
        Ok(ExecOutput { stdout: clean_output(&out.bytes), stderr: clean_output(&err.bytes), exit_status, truncated })
    }

    /// Say goodbye (errors ignored: the session ends either way).
    pub async fn close(self) {
        let _ = self.handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    }
}

/// Bytes up to a cap; the rest counted.
struct Capped {
    bytes: Vec<u8>,
    cap: usize,
    dropped: usize,
}

impl Capped {
    fn new(cap: usize) -> Self {
        Capped { bytes: Vec::new(), cap, dropped: 0 }
    }

    fn push(&mut self, data: &[u8]) {
        let room = self.cap.saturating_sub(self.bytes.len());
        let take = room.min(data.len());
        self.bytes.extend_from_slice(&data[..take]);
        self.dropped += data.len() - take;
    }
}

/// A remote command's output as text that is safe to print: invalid UTF-8
/// replaced, `\r\n` as `\n`, line breaks and tabs kept, every other control
/// character (escape sequences that could repaint a terminal) and the
/// bidirectional controls dropped. Lines are the point of command output,
/// so this is [`crate::text::sanitize`] without the one-line rule.
pub fn clean_output(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| (*c == '\n' || *c == '\t' || !c.is_control()) && !crate::text::is_bidi_control(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_capped_and_cleaned() {
        assert_eq!(clean_output(b"a\r\nb\tc\x1b[2Jd\xff\n"), "a\nb\tc[2Jd\u{fffd}\n");
        assert_eq!(clean_output("x\u{202E}y".as_bytes()), "xy");
        let mut c = Capped::new(4);
        c.push(b"abc");
        c.push(b"def");
        assert_eq!((c.bytes.as_slice(), c.dropped), (&b"abcd"[..], 2));
    }
}
