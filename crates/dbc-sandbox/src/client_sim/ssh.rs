//! The SSH server of a running simulated Linux VM, on `127.0.0.1:<ssh_port>`
//! (the real node DNATs the host's `ssh_port` to the guest's port 22,
//! compute-api.md §1.4.2).
//!
//! A real SSH-2 server ([`russh`], ed25519 host key): user `dbc` only, with
//! password authentication against the VM's `login_password` and public-key
//! authentication against the keys in the VM's `~/.ssh/authorized_keys`; at
//! most [`MAX_AUTH_TRIES`] failed attempts per connection (OpenSSH's
//! `MaxAuthTries`). Exec channels run the command line with
//! [`super::ssh_shell`] and answer with stdout, stderr and `exit-status`; a
//! command that reads stdin (`cat >> ~/.ssh/authorized_keys`) runs once the
//! client sends EOF. A `shell` request gives a banner and the prompt
//! `dbc@<host>:~$ ` (with a pty: echo, CR/LF, backspace, ^C, ^D; `exit` or
//! `logout` ends it with status 0 or the given one).
//!
//! Every VM has a folder ([`VmFolder`], `<practice>/vms/<task_id>/` on the
//! practice network):
//!
//! ```text
//! host_key        the VM's SSH host key (OpenSSH format, 0600), made once: stable across stop/start
//! home/           /home/dbc (home/.ssh/authorized_keys)
//! logins.jsonl    one JSON object per successful login (see LoginRecord)
//! gpu_model       optional: the GPU name nvidia-smi shows instead of the chain's (a test hook)
//! ```
//!
//! Dropping the [`SshEndpoint`] closes the listener and every open
//! connection (stop, restart, delete, rental end, simulator stop). The
//! folder stays after a delete (so a test can still read `logins.jsonl`).
//!
//! For the app's side: the key install it sends over an exec channel,
//! `mkdir -p ~/.ssh && chmod 700 ~/.ssh && echo '<key line>' >> ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys`,
//! or `mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys` with the key line on
//! stdin (then EOF); the GPU check, `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader`.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime};

use dbc::error::{Error, ErrorCode, Result};
use russh::keys::{HashAlg, PrivateKey, PublicKey};
use russh::server::{Auth, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::ssh_shell::{self, Gpu, Machine, Shell};

/// The only user (compute-api.md §1.4.2: `user_name` is `dbc` on Linux).
pub const USER: &str = "dbc";
/// Failed authentication attempts allowed per connection (OpenSSH's default `MaxAuthTries`).
pub const MAX_AUTH_TRIES: usize = 6;
/// The most stdin an exec command collects before it runs.
const MAX_STDIN: usize = 1 << 20;

/// What the server knows about its VM.
#[derive(Debug, Clone)]
pub struct SshVm {
    pub task_id: String,
    /// The VM's `login_password`.
    pub password: String,
    /// Marketing name from the machine's chain record ([`ssh_shell::marketing_name`]).
    pub gpu_name: String,
    /// Per GPU, from the chain's `gpu_mem` (GB) x 1024.
    pub gpu_memory_mib: u64,
    /// The GPUs allocated to this VM.
    pub gpu_count: usize,
}

impl SshVm {
    /// The host name (prompt, `uname -n`, `hostname`).
    pub fn hostname(&self) -> String {
        let id: String = self.task_id.chars().filter(|c| c.is_ascii_alphanumeric()).take(12).collect();
        format!("dbc-{}", id.to_ascii_lowercase())
    }
}

/// One successful login, a line of `logins.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRecord {
    /// RFC 3339, UTC, seconds.
    pub time: String,
    /// Unix seconds.
    pub unix: u64,
    pub user: String,
    /// `password` or `publickey`.
    pub method: String,
    /// `SHA256:…` of the key, for `publickey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The client's address.
    pub peer: String,
}

/// A VM's folder and the files in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmFolder {
    root: PathBuf,
}

impl VmFolder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        VmFolder { root: root.into() }
    }
    /// `<vms root>/<task_id>`; `None` for a task id that is not a plain name
    /// (the simulator's ids are 20-22 letters and digits).
    pub fn of(vms_root: &Path, task_id: &str) -> Option<Self> {
        let ok = !task_id.is_empty()
            && task_id.len() <= 64
            && task_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        ok.then(|| VmFolder::new(vms_root.join(task_id)))
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn host_key(&self) -> PathBuf {
        self.root.join("host_key")
    }
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }
    pub fn authorized_keys(&self) -> PathBuf {
        self.home().join(".ssh").join("authorized_keys")
    }
    pub fn logins(&self) -> PathBuf {
        self.root.join("logins.jsonl")
    }
    pub fn gpu_model(&self) -> PathBuf {
        self.root.join("gpu_model")
    }

    /// Create the folder and `home/`, and the host key unless it exists.
    pub fn prepare(&self) -> Result<PrivateKey> {
        std::fs::create_dir_all(self.home()).map_err(|e| Error::io(&self.home(), &e))?;
        self.load_or_create_host_key()
    }

    /// The VM's host key: read from `host_key`, else made and written (0600).
    pub fn load_or_create_host_key(&self) -> Result<PrivateKey> {
        let path = self.host_key();
        match std::fs::read_to_string(&path) {
            Ok(pem) => {
                return PrivateKey::from_openssh(pem.as_bytes())
                    .map_err(|e| Error::new(ErrorCode::Io, format!("{}: bad host key: {e}", path.display())));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, &e)),
        }
        let key = new_ed25519_key();
        let pem = key.to_openssh(russh::keys::ssh_key::LineEnding::LF).map_err(|e| Error::internal(e.to_string()))?;
        write_private(&path, pem.as_bytes())?;
        Ok(key)
    }

    /// The public keys in `authorized_keys` (lines that do not parse are skipped, as sshd does).
    pub fn authorized(&self) -> Vec<PublicKey> {
        let text = std::fs::read_to_string(self.authorized_keys()).unwrap_or_default();
        text.lines().filter_map(parse_authorized_line).collect()
    }

    /// Show `model` as the GPU name in `nvidia-smi` (`None`: the chain's again).
    pub fn set_gpu_model(&self, model: Option<&str>) -> Result<()> {
        let path = self.gpu_model();
        match model {
            Some(m) => {
                let m = m.trim();
                if m.is_empty() || m.len() > 96 || m.chars().any(|c| c.is_control()) {
                    return Err(Error::invalid_argument("a GPU model is 1-96 printable characters"));
                }
                std::fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, &e))?;
                std::fs::write(&path, format!("{m}\n")).map_err(|e| Error::io(&path, &e))
            }
            None => match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::io(&path, &e)),
            },
        }
    }

    /// The GPU model override, if one is set.
    pub fn gpu_model_override(&self) -> Option<String> {
        let s = std::fs::read_to_string(self.gpu_model()).ok()?;
        let s = s.lines().next()?.trim().to_string();
        (!s.is_empty()).then_some(s)
    }

    /// Every login recorded so far, oldest first.
    pub fn read_logins(&self) -> Vec<LoginRecord> {
        let text = std::fs::read_to_string(self.logins()).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    fn record_login(&self, rec: &LoginRecord) {
        use std::io::Write;
        let line = match serde_json::to_string(rec) {
            Ok(l) => l,
            Err(_) => return,
        };
        let f = std::fs::OpenOptions::new().create(true).append(true).open(self.logins());
        match f {
            Ok(mut f) => {
                let _ = writeln!(f, "{line}");
            }
            Err(e) => tracing::warn!(error = %e, "client_sim: cannot record an ssh login"),
        }
    }
}

/// A new random ed25519 key (for host keys, and for tests' client keys).
pub fn new_ed25519_key() -> PrivateKey {
    let seed: [u8; 32] = rand::random();
    PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed))
}

/// One `authorized_keys` line: optional options, then `type base64 [comment]`.
fn parse_authorized_line(line: &str) -> Option<PublicKey> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let start = words.iter().position(|w| w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-"))?;
    PublicKey::from_openssh(&words[start..].join(" ")).ok()
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io(path, &e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, &e))
}

/// The GPUs `nvidia-smi` shows for this VM: the chain's model (or the
/// override), its memory, one UUID per index derived from the task id.
fn gpus_of(vm: &SshVm, folder: &VmFolder) -> Vec<Gpu> {
    let name = folder.gpu_model_override().unwrap_or_else(|| vm.gpu_name.clone());
    (0..vm.gpu_count)
        .map(|i| {
            let h = Sha256::digest(format!("dbc-sim-gpu:{}:{i}", vm.task_id));
            let x = hex::encode(&h[..16]);
            Gpu {
                name: name.clone(),
                memory_mib: vm.gpu_memory_mib,
                uuid: format!("GPU-{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32]),
            }
        })
        .collect()
}

fn rfc3339(t: SystemTime) -> (String, u64) {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs();
    let (y, mo, d, h, mi, s) = ssh_shell::civil(secs);
    (format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"), secs)
}

// ----- the server -----

struct VmCtx {
    vm: SshVm,
    folder: VmFolder,
}

/// Live connections by id, as duplicates of their sockets: shutting one
/// down ends its session even though russh runs it on a task of its own.
/// `None` once the endpoint closed (a connection accepted meanwhile is dropped).
type Conns = Arc<StdMutex<Option<HashMap<u64, std::net::TcpStream>>>>;

/// An open SSH endpoint; dropping it closes the listener and every connection.
pub struct SshEndpoint {
    port: u16,
    accept: JoinHandle<()>,
    conns: Conns,
}

impl SshEndpoint {
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for SshEndpoint {
    fn drop(&mut self) {
        self.accept.abort();
        for (_, s) in self.conns.lock().unwrap().take().into_iter().flatten() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Serve `vm` on `127.0.0.1:port` (0: a free port, see [`SshEndpoint::port`])
/// with its files in `folder` (created if needed).
pub async fn serve(port: u16, folder: VmFolder, vm: SshVm) -> Result<SshEndpoint> {
    let key = folder.prepare()?;
    use russh::MethodKind;
    let config = Arc::new(russh::server::Config {
        keys: vec![key],
        // What the VM's sshd offers: keys, then a password (no keyboard-interactive, no host-based).
        methods: russh::MethodSet::from(&[MethodKind::PublicKey, MethodKind::Password][..]),
        max_auth_attempts: MAX_AUTH_TRIES,
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: Some(Duration::from_secs(3600)),
        nodelay: true,
        ..Default::default()
    });
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| Error::new(ErrorCode::Io, format!("listen on 127.0.0.1:{port}: {e}")))?;
    let port = listener.local_addr().map_err(|e| Error::new(ErrorCode::Io, e.to_string()))?.port();
    let cx = Arc::new(VmCtx { vm, folder });
    let conns: Conns = Arc::new(StdMutex::new(Some(HashMap::new())));
    let seq = Arc::new(AtomicU64::new(0));
    let accept = {
        let conns = conns.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, peer)) = listener.accept().await else {
                    break;
                };
                let id = seq.fetch_add(1, Ordering::Relaxed);
                let Some(sock) = keep_dup(sock, id, &conns) else {
                    continue;
                };
                let handler = Conn { cx: cx.clone(), peer, chans: HashMap::new(), failures: 0 };
                let (config, conns) = (config.clone(), conns.clone());
                tokio::spawn(async move {
                    if let Ok(session) = russh::server::run_stream(config, sock, handler).await {
                        let _ = session.await;
                    }
                    if let Some(m) = conns.lock().unwrap().as_mut() {
                        m.remove(&id);
                    }
                });
            }
        })
    };
    Ok(SshEndpoint { port, accept, conns })
}

fn keep_dup(sock: tokio::net::TcpStream, id: u64, conns: &Conns) -> Option<tokio::net::TcpStream> {
    let std = sock.into_std().ok()?;
    let dup = std.try_clone().ok()?;
    conns.lock().unwrap().as_mut()?.insert(id, dup);
    tokio::net::TcpStream::from_std(std).ok()
}

/// Opens the SSH endpoints of one simulator's VMs, their folders under one root.
pub struct SshHost {
    root: PathBuf,
    /// A temporary root (no data dir given): removed on drop.
    temporary: bool,
    closed: std::sync::atomic::AtomicBool,
}

impl SshHost {
    /// Folders under `root`, else under a temporary directory removed on drop.
    pub fn new(root: Option<PathBuf>) -> Self {
        match root {
            Some(root) => SshHost { root, temporary: false, closed: Default::default() },
            None => SshHost {
                root: std::env::temp_dir().join(format!(
                    "dbc-client-sim-vms-{}-{:08x}",
                    std::process::id(),
                    rand::random::<u32>()
                )),
                temporary: true,
                closed: Default::default(),
            },
        }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn folder(&self, task_id: &str) -> Option<VmFolder> {
        VmFolder::of(&self.root, task_id)
    }
    pub fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }
    pub async fn open(&self, port: u16, vm: SshVm) -> Result<SshEndpoint> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::new(ErrorCode::Io, "client simulator stopped"));
        }
        let folder = self.folder(&vm.task_id).ok_or_else(|| Error::invalid_argument("task id"))?;
        serve(port, folder, vm).await
    }
}

impl Drop for SshHost {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

// ----- one connection -----

#[derive(Default)]
struct Chan {
    /// A pty was requested: output lines end in CR LF, stderr goes to the same stream.
    pty: bool,
    shell: bool,
    /// The line being typed (pty shell), or the script input not yet ended
    /// by a newline (shell without a pty).
    line: Vec<u8>,
    /// A shell without a pty: the status of its last command.
    status: u32,
    /// An exec command waiting for the client's EOF (it reads stdin).
    exec: Option<String>,
    stdin: Vec<u8>,
    done: bool,
}

struct Conn {
    cx: Arc<VmCtx>,
    peer: SocketAddr,
    chans: HashMap<ChannelId, Chan>,
    /// Refused password and public-key attempts so far.
    failures: usize,
}

impl Conn {
    fn login(&self, user: &str, method: &str, key: Option<String>) {
        let (time, unix) = rfc3339(SystemTime::now());
        let rec =
            LoginRecord { time, unix, user: user.into(), method: method.into(), key, peer: self.peer.to_string() };
        tracing::info!(task = %self.cx.vm.task_id, method, "client_sim: ssh login");
        self.cx.folder.record_login(&rec);
    }

    /// One more refused attempt: a rejection, or the end of the connection
    /// at the [`MAX_AUTH_TRIES`]th (as sshd's "Too many authentication failures").
    fn refuse(&mut self) -> Result<Auth, russh::Error> {
        self.failures += 1;
        if self.failures >= MAX_AUTH_TRIES {
            tracing::info!(task = %self.cx.vm.task_id, "client_sim: ssh: too many authentication failures");
            return Err(russh::Error::Disconnect);
        }
        Ok(Auth::reject())
    }

    fn key_allowed(&self, user: &str, key: &PublicKey) -> bool {
        user == USER && self.cx.folder.authorized().iter().any(|k| k.key_data() == key.key_data())
    }

    fn run(&self, line: &str, stdin: &[u8]) -> ssh_shell::Output {
        let machine = Machine { hostname: self.cx.vm.hostname(), gpus: gpus_of(&self.cx.vm, &self.cx.folder) };
        let home = self.cx.folder.home();
        let _ = std::fs::create_dir_all(&home);
        Shell { home: &home, machine: &machine }.run(line, stdin)
    }

    fn prompt(&self) -> String {
        format!("{USER}@{}:~$ ", self.cx.vm.hostname())
    }

    fn banner(&self) -> String {
        format!(
            "Welcome to Ubuntu 22.04 LTS (DBC Rent practice VM {}, GNU/Linux 5.15.0-91-generic x86_64)\r\n\r\n \
             * This is a simulated VM of the DBC Rent practice network.\r\n \
             * Commands: nvidia-smi, uname, echo, mkdir, chmod, cat, true, false, exit.\r\n\r\n",
            self.cx.vm.task_id
        )
    }

    /// Send what a command printed, then its status, EOF and close. On a
    /// pty (`ssh -t host cmd`) both streams are the terminal, as with a real one.
    fn finish(&mut self, ch: ChannelId, out: ssh_shell::Output, session: &mut Session) -> Result<(), russh::Error> {
        let pty = self.chans.get(&ch).is_some_and(|c| c.pty);
        if pty {
            let mut all = crlf(&out.stdout);
            all.extend_from_slice(&crlf(&out.stderr));
            if !all.is_empty() {
                session.data(ch, all)?;
            }
        } else {
            if !out.stdout.is_empty() {
                session.data(ch, out.stdout)?;
            }
            if !out.stderr.is_empty() {
                session.extended_data(ch, 1, out.stderr)?;
            }
        }
        self.end(ch, out.status, session)
    }

    fn end(&mut self, ch: ChannelId, status: u32, session: &mut Session) -> Result<(), russh::Error> {
        if let Some(c) = self.chans.get_mut(&ch) {
            if c.done {
                return Ok(());
            }
            c.done = true;
        }
        session.exit_status_request(ch, status)?;
        session.eof(ch)?;
        session.close(ch)
    }

    /// Keystrokes on an interactive (pty) shell.
    fn keys(&mut self, ch: ChannelId, data: &[u8], session: &mut Session) -> Result<(), russh::Error> {
        let mut echo = Vec::new();
        for &b in data {
            match b {
                b'\r' | b'\n' => {
                    echo.extend_from_slice(b"\r\n");
                    let line = {
                        let Some(c) = self.chans.get_mut(&ch) else { return Ok(()) };
                        String::from_utf8_lossy(&std::mem::take(&mut c.line)).into_owned()
                    };
                    let out = self.run(&line, b"");
                    echo.extend_from_slice(&crlf(&out.stdout));
                    echo.extend_from_slice(&crlf(&out.stderr));
                    if out.exit {
                        echo.extend_from_slice(b"logout\r\n");
                        session.data(ch, echo)?;
                        return self.end(ch, out.status, session);
                    }
                    echo.extend_from_slice(self.prompt().as_bytes());
                }
                0x7f | 0x08 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        if c.line.pop().is_some() {
                            echo.extend_from_slice(b"\x08 \x08");
                        }
                    }
                }
                0x03 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        c.line.clear();
                    }
                    echo.extend_from_slice(b"^C\r\n");
                    echo.extend_from_slice(self.prompt().as_bytes());
                }
                0x04 => {
                    let empty = self.chans.get(&ch).is_some_and(|c| c.line.is_empty());
                    if empty {
                        echo.extend_from_slice(b"logout\r\n");
                        session.data(ch, echo)?;
                        return self.end(ch, 0, session);
                    }
                }
                0x1b => {} // escape sequences (arrows) are not edited
                b if b >= 0x20 => {
                    if let Some(c) = self.chans.get_mut(&ch) {
                        if c.line.len() < 4096 {
                            c.line.push(b);
                            echo.push(b);
                        }
                    }
                }
                _ => {}
            }
        }
        if !echo.is_empty() {
            session.data(ch, echo)?;
        }
        Ok(())
    }

    /// Lines on a shell without a pty (`ssh -T host < script`): no echo, no prompt.
    fn script(&mut self, ch: ChannelId, data: &[u8], session: &mut Session) -> Result<(), russh::Error> {
        let lines: Vec<String> = {
            let Some(c) = self.chans.get_mut(&ch) else { return Ok(()) };
            c.line.extend_from_slice(data);
            let mut lines = Vec::new();
            while let Some(i) = c.line.iter().position(|&b| b == b'\n') {
                let l: Vec<u8> = c.line.drain(..=i).collect();
                lines.push(String::from_utf8_lossy(&l).trim_end().to_string());
            }
            lines
        };
        for l in lines {
            let out = self.run(&l, b"");
            if !out.stdout.is_empty() {
                session.data(ch, out.stdout.clone())?;
            }
            if !out.stderr.is_empty() {
                session.extended_data(ch, 1, out.stderr.clone())?;
            }
            if let Some(c) = self.chans.get_mut(&ch) {
                c.status = out.status;
            }
            if out.exit {
                return self.end(ch, out.status, session);
            }
        }
        Ok(())
    }
}

fn crlf(b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(b.len());
    for &c in b {
        if c == b'\n' {
            v.push(b'\r');
        }
        v.push(c);
    }
    v
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl russh::server::Handler for Conn {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let pw = &self.cx.vm.password;
        if user == USER && !pw.is_empty() && pw != "N/A" && constant_time_eq(password.as_bytes(), pw.as_bytes()) {
            self.login(user, "password", None);
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        if self.key_allowed(user, offer.public_key) {
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        if self.key_allowed(user, key.public_key) {
            self.login(user, "publickey", Some(key.public_key.fingerprint(HashAlg::Sha256).to_string()));
            Ok(Auth::Accept)
        } else {
            self.refuse()
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.chans.insert(channel.id(), Chan::default());
        reply.accept().await;
        Ok(())
    }

    async fn channel_close(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.chans.remove(&channel);
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(c) = self.chans.get_mut(&channel) {
            c.pty = true;
        }
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        _value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let pty = match self.chans.get_mut(&channel) {
            Some(c) => {
                c.shell = true;
                c.pty
            }
            None => return session.channel_failure(channel),
        };
        session.channel_success(channel)?;
        if pty {
            let hello = format!("{}{}", self.banner(), self.prompt());
            session.data(channel, hello.into_bytes())?;
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if !self.chans.contains_key(&channel) {
            return session.channel_failure(channel);
        }
        session.channel_success(channel)?;
        let line = String::from_utf8_lossy(data).into_owned();
        if ssh_shell::reads_stdin(&line) {
            if let Some(c) = self.chans.get_mut(&channel) {
                c.exec = Some(line);
            }
            return Ok(());
        }
        let out = self.run(&line, b"");
        self.finish(channel, out, session)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn data(&mut self, channel: ChannelId, data: &[u8], session: &mut Session) -> Result<(), Self::Error> {
        let Some(c) = self.chans.get_mut(&channel) else { return Ok(()) };
        if c.done {
            return Ok(());
        }
        if c.exec.is_some() {
            if c.stdin.len() + data.len() <= MAX_STDIN {
                c.stdin.extend_from_slice(data);
            }
            return Ok(());
        }
        match (c.shell, c.pty) {
            (true, true) => self.keys(channel, data, session),
            (true, false) => self.script(channel, data, session),
            _ => Ok(()),
        }
    }

    async fn channel_eof(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let Some(c) = self.chans.get_mut(&channel) else { return Ok(()) };
        if c.done {
            return Ok(());
        }
        if let Some(line) = c.exec.take() {
            let stdin = std::mem::take(&mut c.stdin);
            let out = self.run(&line, &stdin);
            return self.finish(channel, out, session);
        }
        if c.shell && !c.pty {
            // The script's last line may lack its newline.
            let rest = String::from_utf8_lossy(&std::mem::take(&mut c.line)).trim().to_string();
            let mut status = c.status;
            if !rest.is_empty() {
                let out = self.run(&rest, b"");
                status = out.status;
                if !out.stdout.is_empty() {
                    session.data(channel, out.stdout.clone())?;
                }
                if !out.stderr.is_empty() {
                    session.extended_data(channel, 1, out.stderr.clone())?;
                }
            }
            return self.end(channel, status, session);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_key_is_made_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let f = VmFolder::new(d.path().join("vm"));
        let a = f.prepare().unwrap();
        let b = f.prepare().unwrap();
        assert_eq!(a.public_key().key_data(), b.public_key().key_data());
        let mode = std::fs::metadata(f.host_key()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(f.home().is_dir());
    }

    #[test]
    fn authorized_keys_lines() {
        let k = new_ed25519_key().public_key().to_openssh().unwrap();
        assert!(parse_authorized_line(&k).is_some());
        assert!(parse_authorized_line(&format!("no-pty,from=\"1.2.3.4\" {k} me@x")).is_some());
        assert!(parse_authorized_line("# comment").is_none());
        assert!(parse_authorized_line("ssh-ed25519 notbase64").is_none());
        assert!(VmFolder::of(Path::new("/x"), "../etc").is_none());
        assert!(VmFolder::of(Path::new("/x"), "DbcAbc123").is_some());
    }

    #[test]
    fn gpu_override_and_uuids() {
        let d = tempfile::tempdir().unwrap();
        let f = VmFolder::new(d.path());
        let vm = SshVm {
            task_id: "T1".into(),
            password: "p".into(),
            gpu_name: "NVIDIA GeForce RTX 3080".into(),
            gpu_memory_mib: 10240,
            gpu_count: 2,
        };
        let g = gpus_of(&vm, &f);
        assert_eq!(g.len(), 2);
        assert_ne!(g[0].uuid, g[1].uuid);
        assert_eq!(g, gpus_of(&vm, &f), "stable");
        assert_eq!(g[0].uuid.len(), 40);
        f.set_gpu_model(Some("NVIDIA GeForce RTX 4090")).unwrap();
        assert_eq!(gpus_of(&vm, &f)[1].name, "NVIDIA GeForce RTX 4090");
        assert!(f.set_gpu_model(Some("bad\nname")).is_err());
        f.set_gpu_model(None).unwrap();
        f.set_gpu_model(None).unwrap();
        assert_eq!(gpus_of(&vm, &f)[0].name, "NVIDIA GeForce RTX 3080");
    }
}
