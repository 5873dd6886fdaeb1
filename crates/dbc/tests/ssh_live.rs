//! The russh client against a real OpenSSH server: Debian's `sshd` run by
//! the test itself on a free port of 127.0.0.1, with a host key, an
//! `authorized_keys` and a config of its own in a temporary folder. Covers
//! key login, exec (stdout, stderr, exit status, stdin), host-key pinning
//! on first use and the refusal of a changed key, a refused key, the
//! "already installed" path of key install, the GPU check's verdict when
//! the VM has no `nvidia-smi`, and the system `ssh` accepting our
//! argument vector and the known-hosts line russh pinned.
//!
//! Password login is not tested here (a test user with a password needs
//! root and PAM); it is tested against the practice network's SSH server.
//! Skipped, with the reason printed, when `/usr/sbin/sshd` is not installed
//! (`scripts/install-deps.sh test` installs openssh-server).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dbc::ssh::{self, known_hosts_path, GpuExpected, GpuVerdict, KeyInstall, SshLogin, SshOptions, SshTarget};
use dbc::ErrorCode;

const SSHD: &str = "/usr/sbin/sshd";

/// Our sshd; killed (it is our own child, by its handle) when dropped.
struct Sshd(Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_sshd(dir: &Path, authorized: &str) -> (Sshd, u16) {
    // The host key: an ed25519 key in OpenSSH format, made by our own generator.
    let host = ssh::generate_app_key(&dir.join("host")).unwrap();
    std::fs::write(dir.join("authorized_keys"), authorized).unwrap();
    let port = free_port();
    let cfg = dir.join("sshd_config");
    std::fs::write(
        &cfg,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nAuthorizedKeysFile {ak}\nPidFile {pid}\n\
             UsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nAllowUsers {user}\n",
            hk = host.private.display(),
            ak = dir.join("authorized_keys").display(),
            pid = dir.join("sshd.pid").display(),
            user = user(),
        ),
    )
    .unwrap();
    // As root, sshd wants its privilege-separation folder (the service makes it at boot).
    if user() == "root" {
        let _ = std::fs::create_dir_all("/run/sshd");
    }
    let child = Command::new(SSHD)
        .args(["-f", cfg.to_str().unwrap(), "-D", "-e"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
        .spawn()
        .expect("start sshd");
    let sshd = Sshd(child);
    let until = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < until,
            "sshd did not listen: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (sshd, port)
}

fn opts() -> SshOptions {
    SshOptions { connect_timeout: Duration::from_secs(10), exec_timeout: Duration::from_secs(30), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russh_client_against_a_real_sshd() {
    if !Path::new(SSHD).exists() {
        eprintln!("SKIPPED: {SSHD} is not installed (apt install openssh-server)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = ssh::generate_app_key(&dir.path().join("user")).unwrap();
    let (_sshd, port) = start_sshd(dir.path(), &format!("{}\n", key.public_line));
    let data = dir.path().join("data");
    let kh = known_hosts_path(&data);
    let target = SshTarget::new("127.0.0.1", u64::from(port), &user()).unwrap();

    // First connection: the host key is pinned; key login; exec.
    let mut s = ssh::connect(&target, &kh, &opts()).await.expect("connect");
    let pinned = std::fs::read_to_string(&kh).unwrap();
    assert!(pinned.starts_with(&format!("[127.0.0.1]:{port} ssh-ed25519 AAAA")), "{pinned}");
    assert_eq!(pinned.lines().count(), 1);
    s.auth_key(&key.private).await.expect("key login");
    let out = s.exec("echo out; echo err >&2; printf 'a\\033[2Jb\\n'; exit 3", None).await.unwrap();
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.exit_status), ("out\na[2Jb\n", "err\n", Some(3)));
    let echoed = s.exec("cat", Some(b"line from stdin\n")).await.unwrap();
    assert_eq!((echoed.stdout.as_str(), echoed.exit_status), ("line from stdin\n", Some(0)));
    s.close().await;

    // The output cap.
    let small = SshOptions { max_output: 10, ..opts() };
    let mut s = ssh::connect(&target, &kh, &small).await.unwrap();
    s.auth_key(&key.private).await.unwrap();
    let big = s.exec("head -c 100000 /dev/zero | tr '\\0' x", None).await.unwrap();
    assert_eq!((big.stdout.len(), big.truncated, big.exit_status), (10, true, Some(0)));
    s.close().await;

    // A key the server does not know is refused with its own code.
    let stranger = ssh::generate_app_key(&dir.path().join("stranger")).unwrap();
    let mut s = ssh::connect(&target, &kh, &opts()).await.unwrap();
    assert_eq!(s.auth_key(&stranger.private).await.unwrap_err().code, ErrorCode::SshAuthFailed);
    s.close().await;

    // Install: already there -> nothing sent; not there and no password -> explained.
    let login = SshLogin { target: target.clone(), password: None };
    assert_eq!(ssh::install_key(&login, &key, &kh, &opts()).await.unwrap(), KeyInstall::AlreadyInstalled);
    let e = ssh::install_key(&login, &stranger, &kh, &opts()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmNoGuestAgent);

    // The GPU check on a machine without nvidia-smi: an error verdict, not a failure.
    let mut s = ssh::session::open(&login, Some(&key.private), &kh, &opts()).await.unwrap();
    let expected = GpuExpected { model: "GeForceRTX3080".into(), count: 1, mem_gb: Some(10) };
    let check = ssh::gpu_check::run(&mut s, expected).await;
    s.close().await;
    if which("nvidia-smi").is_none() {
        assert!(matches!(&check.verdict, GpuVerdict::Error { code, .. } if code == "gpu-check-failed"), "{check:?}");
    }

    // The system ssh takes our argv and the line russh pinned (StrictHostKeyChecking would refuse otherwise).
    if let Some(ssh_bin) = which("ssh") {
        let mut args = ssh::ssh_args(dbc::host::Os::Linux, &target, &key.private, &kh).unwrap();
        args.splice(0..0, ["-o".into(), "BatchMode=yes".into(), "-F".into(), "/dev/null".into()]);
        args.push("echo system-ssh-ok".into());
        let out = Command::new(ssh_bin).args(&args).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "system-ssh-ok\n", "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(std::fs::read_to_string(&kh).unwrap(), pinned, "ssh found the pin and added nothing");
    }

    // A changed host key is refused, and the pin is kept.
    let other = ssh::generate_app_key(&dir.path().join("other")).unwrap();
    let forged: Vec<&str> = other.public_line.split_whitespace().take(2).collect();
    std::fs::write(&kh, format!("[127.0.0.1]:{port} {}\n", forged.join(" "))).unwrap();
    let e = ssh::connect(&target, &kh, &opts()).await.err().expect("refused");
    assert_eq!(e.code, ErrorCode::SshHostKeyChanged, "{e:?}");
    assert_eq!(e.data.unwrap()["pinned"], forged.join(" "));

    // Nothing listening: unreachable, quickly.
    let closed = SshTarget::new("127.0.0.1", u64::from(free_port()), "dbc").unwrap();
    let e = ssh::connect(&closed, &kh, &opts()).await.err().expect("refused");
    assert_eq!(e.code, ErrorCode::SshUnreachable);
}

fn which(program: &str) -> Option<PathBuf> {
    use dbc::host::Probe;
    dbc::host::SystemProbe.find_program(program)
}
