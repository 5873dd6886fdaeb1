//! The RDP endpoint of a running simulated Windows VM, on `127.0.0.1:<rdp_port>`.
//!
//! Where Xvfb, FreeRDP's shadow server (`freerdp-shadow-cli`, Debian
//! `freerdp2-shadow-x11`) and `winpr-hash` (`winpr-utils`) are installed, the
//! endpoint is a real RDP server: the shadow server shares a private Xvfb screen
//! and accepts only NLA (`/sec:nla`) against a SAM file holding the NT hash of
//! `Administrator` with the VM's `login_password`, so a client must know the
//! password the simulator showed. Otherwise it is a stand-in that answers an
//! RDP client's first message (X.224 Connection Request) with a Connection
//! Confirm and then holds the connection: enough for the Verify step's check,
//! not for a login.
//!
//! Child processes run in their own process group and are killed (group-wide)
//! when the endpoint or the host is dropped. Xvfb is started once per host with
//! `-displayfd` (it picks a free display) and `-nolisten tcp`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex as StdMutex;
use std::time::Duration;

use dbc::error::{Error, ErrorCode, Result};
use tokio::io::AsyncBufReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Which RDP endpoint the simulator opens for a running Windows VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdpMode {
    /// A real RDP server when the tools are installed, else a plain TCP listener.
    Auto,
    /// Always the real RDP server; a VM whose server cannot start logs the error
    /// and keeps a plain listener.
    RealOnly,
    /// Always a plain TCP listener.
    PlainTcp,
    /// No listener at all.
    Off,
}

/// What a VM's endpoint actually is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RdpKind {
    FreerdpShadow,
    PlainTcp,
}

/// True when `freerdp-shadow-cli`, `Xvfb` and `winpr-hash` are on PATH.
pub fn real_rdp_available() -> bool {
    ["freerdp-shadow-cli", "Xvfb", "winpr-hash"].iter().all(|b| which(b).is_some())
}

fn which(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(bin)).find(|p| p.is_file())
}

/// A child process in its own process group; the group is terminated on drop.
struct GroupChild {
    child: Child,
    pgid: i32,
}

impl GroupChild {
    fn spawn(cmd: &mut Command) -> std::io::Result<Self> {
        cmd.process_group(0);
        // Drop runs on a clean stop only. When the process that hosts the
        // simulator dies (killed, crashed, the app quit hard), the kernel
        // sends the child SIGTERM, so no RDP server outlives it and answers
        // on a port a later VM is checked on. Linux: the signal follows the
        // thread that forked, a tokio worker that lives as long as the runtime.
        #[cfg(target_os = "linux")]
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn()?;
        let pgid = child.id().map(|p| p as i32).unwrap_or(0);
        Ok(GroupChild { child, pgid })
    }
    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        if self.pgid > 0 {
            // SIGTERM the whole group (Xvfb then removes its lock file and
            // socket); SIGKILL whatever is left two seconds later. tokio reaps
            // the exited leader in the background.
            let pgid = self.pgid;
            unsafe {
                libc::killpg(pgid, libc::SIGTERM);
            }
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(2));
                unsafe {
                    libc::killpg(pgid, libc::SIGKILL);
                }
            });
        }
    }
}

struct Xvfb {
    _proc: GroupChild,
    display: u32,
}

/// Shared by all VMs of one simulator: the private X screen and a work dir.
pub struct RdpHost {
    mode: RdpMode,
    real: bool,
    xvfb: Mutex<Option<Xvfb>>,
    dir: PathBuf,
    seq: StdMutex<u64>,
    closed: std::sync::atomic::AtomicBool,
}

impl RdpHost {
    pub fn new(mode: RdpMode) -> Self {
        let real = matches!(mode, RdpMode::Auto | RdpMode::RealOnly) && real_rdp_available();
        let dir =
            std::env::temp_dir().join(format!("dbc-client-sim-{}-{:08x}", std::process::id(), rand::random::<u32>()));
        RdpHost { mode, real, xvfb: Mutex::new(None), dir, seq: StdMutex::new(0), closed: Default::default() }
    }

    /// The kind of endpoint new VMs get, `None` when endpoints are off.
    pub fn kind(&self) -> Option<RdpKind> {
        match self.mode {
            RdpMode::Off => None,
            _ if self.real => Some(RdpKind::FreerdpShadow),
            _ => Some(RdpKind::PlainTcp),
        }
    }

    /// The X display the shadow servers share (started on first use).
    pub async fn display(&self) -> Option<u32> {
        self.xvfb.lock().await.as_ref().map(|x| x.display)
    }

    /// Stop the shared Xvfb; later `open`s fail.
    pub fn shutdown(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut g) = self.xvfb.try_lock() {
            g.take();
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Open the endpoint for a VM on `127.0.0.1:port`.
    pub async fn open(&self, port: u16, password: &str) -> Result<RdpEndpoint> {
        if self.is_closed() {
            return Err(Error::new(ErrorCode::Io, "client simulator stopped"));
        }
        match self.kind() {
            None => Ok(RdpEndpoint { kind: None, inner: Inner::None }),
            Some(RdpKind::PlainTcp) => plain(port).await,
            Some(RdpKind::FreerdpShadow) => match self.shadow(port, password).await {
                Ok(ep) => Ok(ep),
                Err(e) => {
                    tracing::warn!(port, error = %e.message, "client_sim: RDP shadow server failed, using a plain TCP listener");
                    plain(port).await
                }
            },
        }
    }

    async fn ensure_xvfb(&self) -> Result<u32> {
        let mut guard = self.xvfb.lock().await;
        if let Some(x) = guard.as_mut() {
            if !x._proc_exited() {
                return Ok(x.display);
            }
        }
        let mut cmd = Command::new("Xvfb");
        cmd.args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut proc = GroupChild::spawn(&mut cmd).map_err(|e| io_err("start Xvfb", &e))?;
        let stdout = proc.child.stdout.take().ok_or_else(|| Error::internal("Xvfb stdout"))?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(15), lines.next_line())
            .await
            .map_err(|_| Error::new(ErrorCode::Io, "Xvfb did not report a display within 15 s"))?
            .map_err(|e| io_err("read Xvfb display", &e))?
            .ok_or_else(|| Error::new(ErrorCode::Io, "Xvfb exited before reporting a display"))?;
        let display: u32 =
            line.trim().parse().map_err(|_| Error::new(ErrorCode::Io, format!("Xvfb printed {line:?}")))?;
        if self.is_closed() {
            return Err(Error::new(ErrorCode::Io, "client simulator stopped"));
        }
        *guard = Some(Xvfb { _proc: proc, display });
        Ok(display)
    }

    async fn shadow(&self, port: u16, password: &str) -> Result<RdpEndpoint> {
        let display = self.ensure_xvfb().await?;
        std::fs::create_dir_all(&self.dir).map_err(|e| dbc::error::Error::io(&self.dir, &e))?;
        let n = {
            let mut s = self.seq.lock().unwrap();
            *s += 1;
            *s
        };
        let sam = self.dir.join(format!("sam-{port}-{n}"));
        let line = sam_line("Administrator", password).await?;
        super::write_private(&sam, line.as_bytes())?;

        let mut cmd = Command::new("freerdp-shadow-cli");
        cmd.arg(format!("/port:{port}"))
            .arg("/bind-address:127.0.0.1")
            .arg("/sec:nla")
            .arg(format!("/sam-file:{}", sam.display()))
            .env("DISPLAY", format!(":{display}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut proc = GroupChild::spawn(&mut cmd).map_err(|e| io_err("start freerdp-shadow-cli", &e))?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if proc.exited() {
                let _ = std::fs::remove_file(&sam);
                return Err(Error::new(
                    ErrorCode::Io,
                    format!("freerdp-shadow-cli exited (port {port} busy or no display)"),
                ));
            }
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await.is_ok() {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                let _ = std::fs::remove_file(&sam);
                return Err(Error::new(
                    ErrorCode::Io,
                    format!("freerdp-shadow-cli did not listen on {port} within 15 s"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(RdpEndpoint { kind: Some(RdpKind::FreerdpShadow), inner: Inner::Shadow { _proc: Box::new(proc), sam } })
    }
}

impl Xvfb {
    fn _proc_exited(&mut self) -> bool {
        self._proc.exited()
    }
}

impl Drop for RdpHost {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `Administrator:::<nt hash>:::` from `winpr-hash -f sam`.
async fn sam_line(user: &str, password: &str) -> Result<String> {
    let out = Command::new("winpr-hash")
        .args(["-u", user, "-p", password, "-f", "sam"])
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| io_err("run winpr-hash", &e))?;
    let line = String::from_utf8_lossy(&out.stdout).lines().find(|l| l.starts_with(user)).map(str::to_string);
    match line {
        Some(l) if out.status.success() => Ok(format!("{l}\n")),
        _ => Err(Error::new(
            ErrorCode::Io,
            format!("winpr-hash failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        )),
    }
}

fn io_err(what: &str, e: &std::io::Error) -> Error {
    Error::new(ErrorCode::Io, format!("{what}: {e}"))
}

async fn plain(port: u16) -> Result<RdpEndpoint> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| io_err(&format!("listen on 127.0.0.1:{port}"), &e))?;
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                break;
            };
            conns.spawn(async move {
                // Answer the RDP connection request the way a real server
                // does (the Verify step's check waits for that confirm), then
                // hold the connection, reading and dropping what comes.
                let mut buf = [0u8; 4096];
                if let Ok(n) = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await {
                    let is_request = n >= 6 && buf[0] == 0x03 && buf[5] & 0xf0 == 0xe0;
                    if is_request {
                        let reply = dbc::compute::CONNECTION_CONFIRM_HYBRID;
                        let _ = tokio::io::AsyncWriteExt::write_all(&mut sock, &reply).await;
                    }
                }
                loop {
                    match tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            });
            while conns.try_join_next().is_some() {}
        }
    });
    Ok(RdpEndpoint { kind: Some(RdpKind::PlainTcp), inner: Inner::Plain(task) })
}

enum Inner {
    None,
    Plain(JoinHandle<()>),
    Shadow { _proc: Box<GroupChild>, sam: PathBuf },
}

/// An open endpoint; closing it (drop) stops the listener or the shadow server.
pub struct RdpEndpoint {
    kind: Option<RdpKind>,
    inner: Inner,
}

impl RdpEndpoint {
    pub fn kind(&self) -> Option<RdpKind> {
        self.kind
    }
}

impl Drop for RdpEndpoint {
    fn drop(&mut self) {
        match &mut self.inner {
            Inner::None => {}
            Inner::Plain(task) => task.abort(),
            Inner::Shadow { sam, .. } => {
                let _ = std::fs::remove_file(sam);
            }
        }
    }
}
