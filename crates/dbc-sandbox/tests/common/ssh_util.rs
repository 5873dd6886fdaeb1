//! SSH clients for the tests of the simulated VMs' SSH servers: Debian's
//! OpenSSH client (`/usr/bin/ssh`, `ssh-keygen`) and a russh client.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::ChannelMsg;
use tokio::io::AsyncWriteExt;

/// A throwaway ed25519 key made by `ssh-keygen` (`<dir>/<name>`, `.pub` beside it).
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let st = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", &format!("{name}@test"), "-f"])
        .arg(&path)
        .stdin(Stdio::null())
        .status()
        .expect("ssh-keygen (Debian package openssh-client) is installed");
    assert!(st.success());
    path
}

#[derive(Debug)]
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// How `ssh` is run: host key checking, a forced pty (`-tt`), the command (none: a shell).
struct How<'a> {
    strict: &'a str,
    tty: bool,
    cmd: Option<&'a str>,
}

async fn ssh_with(port: u16, key: &Path, known_hosts: &Path, how: How<'_>, stdin: Option<Vec<u8>>) -> Run {
    let mut c = tokio::process::Command::new("/usr/bin/ssh");
    c.args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no"])
        .args(["-o", "KbdInteractiveAuthentication=no", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"])
        .arg("-o")
        .arg(format!("UserKnownHostsFile={}", known_hosts.display()))
        .arg("-o")
        .arg(format!("StrictHostKeyChecking={}", how.strict))
        .arg("-i")
        .arg(key)
        .args(["-p", &port.to_string()]);
    if how.tty {
        c.arg("-tt");
    }
    c.arg("dbc@127.0.0.1");
    c.args(how.cmd);
    c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = c.spawn().expect("/usr/bin/ssh (Debian package openssh-client) is installed");
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().unwrap();
        w.write_all(&bytes).await.unwrap();
        drop(w);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("ssh finished within 60 s")
        .unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `ssh -i key -p port dbc@127.0.0.1 cmd` in batch mode, a new host key accepted.
pub async fn openssh(port: u16, key: &Path, known_hosts: &Path, cmd: &str, stdin: Option<Vec<u8>>) -> Run {
    ssh_with(port, key, known_hosts, How { strict: "accept-new", tty: false, cmd: Some(cmd) }, stdin).await
}

/// `ssh -tt` without a command (an interactive shell on a pty), `input` typed into it.
pub async fn openssh_tty(port: u16, key: &Path, known_hosts: &Path, input: &str) -> Run {
    let how = How { strict: "accept-new", tty: true, cmd: None };
    ssh_with(port, key, known_hosts, how, Some(input.as_bytes().to_vec())).await
}

/// `ssh -tt host cmd`: a command on a pty.
pub async fn openssh_tty_cmd(port: u16, key: &Path, known_hosts: &Path, cmd: &str) -> Run {
    ssh_with(port, key, known_hosts, How { strict: "accept-new", tty: true, cmd: Some(cmd) }, None).await
}

/// The same with `StrictHostKeyChecking=yes`: fails unless `known_hosts` already has this host key.
pub async fn openssh_strict(port: u16, key: &Path, known_hosts: &Path, cmd: &str) -> Run {
    ssh_with(port, key, known_hosts, How { strict: "yes", tty: false, cmd: Some(cmd) }, None).await
}

pub struct Trusting;

impl client::Handler for Trusting {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// Records the host key the server shows.
struct KeyCatcher(Arc<std::sync::Mutex<Option<String>>>);

impl client::Handler for KeyCatcher {
    type Error = russh::Error;
    async fn check_server_key(&mut self, key: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        let text = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.to_openssh().unwrap_or_default(),
            other => format!("{other:?}"),
        };
        *self.0.lock().unwrap() = Some(text);
        Ok(true)
    }
}

/// The host key (OpenSSH public key line) of the server on `port`.
pub async fn host_key(port: u16) -> String {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let h = client::connect(config(), ("127.0.0.1", port), KeyCatcher(seen.clone())).await.expect("connect");
    drop(h);
    let k = seen.lock().unwrap().clone();
    k.expect("host key seen")
}

fn config() -> Arc<client::Config> {
    Arc::new(client::Config { inactivity_timeout: Some(Duration::from_secs(30)), ..Default::default() })
}

pub struct Client {
    handle: client::Handle<Trusting>,
}

#[derive(Debug)]
pub struct Exec {
    pub stdout: String,
    pub stderr: String,
    pub status: u32,
}

/// Log in with a password; `None` when refused.
pub async fn password_client(port: u16, user: &str, password: &str) -> Option<Client> {
    let mut handle = client::connect(config(), ("127.0.0.1", port), Trusting).await.expect("connect");
    let ok = handle.authenticate_password(user, password).await.map(|r| r.success()).unwrap_or(false);
    ok.then_some(Client { handle })
}

/// Try `n` wrong passwords on one connection; how many were answered.
pub async fn password_attempts(port: u16, user: &str, password: &str, n: usize) -> usize {
    let mut handle = client::connect(config(), ("127.0.0.1", port), Trusting).await.expect("connect");
    let mut answered = 0;
    for _ in 0..n {
        let r = tokio::time::timeout(Duration::from_secs(10), handle.authenticate_password(user, password)).await;
        match r {
            Ok(Ok(r)) if !r.success() => answered += 1,
            _ => break,
        }
    }
    answered
}

impl Client {
    pub async fn exec(&mut self, cmd: &str) -> Exec {
        let mut ch = self.handle.channel_open_session().await.expect("session channel");
        ch.exec(true, cmd).await.expect("exec");
        let (mut stdout, mut stderr, mut status) = (Vec::new(), Vec::new(), None);
        while let Some(msg) = tokio::time::timeout(Duration::from_secs(20), ch.wait()).await.expect("exec answered") {
            match msg {
                ChannelMsg::Data { data } => stdout.extend_from_slice(&data),
                ChannelMsg::ExtendedData { data, ext: 1 } => stderr.extend_from_slice(&data),
                ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                _ => {}
            }
        }
        Exec {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            status: status.expect("exit-status sent"),
        }
    }

    /// An interactive shell with a pty.
    pub async fn shell(&mut self) -> Shell {
        let ch = self.handle.channel_open_session().await.expect("session channel");
        ch.request_pty(true, "xterm", 80, 24, 0, 0, &[]).await.expect("pty");
        ch.request_shell(true).await.expect("shell");
        Shell { ch, seen: String::new(), status: None }
    }
}

pub struct Shell {
    ch: russh::Channel<client::Msg>,
    seen: String,
    status: Option<u32>,
}

impl Shell {
    pub async fn send(&mut self, s: &str) {
        self.ch.data_bytes(s.as_bytes().to_vec()).await.expect("send");
    }

    /// Everything received up to and including `marker` (after what earlier calls returned).
    pub async fn read_until(&mut self, marker: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(i) = self.seen.find(marker) {
                let out: String = self.seen.drain(..i + marker.len()).collect();
                return out;
            }
            let msg = tokio::time::timeout_at(deadline, self.ch.wait())
                .await
                .unwrap_or_else(|_| panic!("no {marker:?} within 20 s; got {:?}", self.seen));
            match msg {
                Some(ChannelMsg::Data { data }) => self.seen.push_str(&String::from_utf8_lossy(&data)),
                Some(ChannelMsg::ExitStatus { exit_status }) => self.status = Some(exit_status),
                Some(_) => {}
                None => panic!("channel closed before {marker:?}; got {:?}", self.seen),
            }
        }
    }

    /// Read until the channel closes: (output, exit status).
    pub async fn finish(mut self) -> (String, Option<u32>) {
        while let Some(msg) = tokio::time::timeout(Duration::from_secs(20), self.ch.wait()).await.expect("closed") {
            match msg {
                ChannelMsg::Data { data } => self.seen.push_str(&String::from_utf8_lossy(&data)),
                ChannelMsg::ExitStatus { exit_status } => self.status = Some(exit_status),
                _ => {}
            }
        }
        (self.seen, self.status)
    }

    /// Wait for the channel to end, whatever it sends.
    pub async fn read_to_end(&mut self) {
        while self.ch.wait().await.is_some() {}
    }
}
