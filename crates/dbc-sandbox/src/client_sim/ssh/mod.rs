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

mod conn;
use conn::Conn;

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
        super::write_private(&path, pem.as_bytes())?;
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
                let handler = Conn::new(cx.clone(), peer);
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
