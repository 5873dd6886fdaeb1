//! The SSH server of a simulated Linux VM (`client_sim::ssh`), on a free
//! port, driven by Debian's real OpenSSH client (`/usr/bin/ssh`, package
//! `openssh-client`) with public-key auth, and by a russh client with
//! password auth and an interactive shell.

#[path = "common/ssh_util.rs"]
mod ssh_util;

use std::path::Path;
use std::time::Duration;

use dbc_sandbox::client_sim::ssh::{self, SshVm, VmFolder};
use ssh_util::{keygen, openssh, password_client, Exec};

fn vm(task: &str) -> SshVm {
    SshVm {
        task_id: task.into(),
        password: "Kq8_pL@x+2aZ93bT".into(),
        gpu_name: "NVIDIA GeForce RTX 3080".into(),
        gpu_memory_mib: 10240,
        gpu_count: 2,
    }
}

fn authorize(folder: &VmFolder, pubkey_file: &Path) {
    std::fs::create_dir_all(folder.authorized_keys().parent().unwrap()).unwrap();
    let line = std::fs::read_to_string(pubkey_file).unwrap();
    std::fs::write(folder.authorized_keys(), line).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_client_logs_in_with_a_key_and_runs_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = VmFolder::new(tmp.path().join("vm"));
    let key = keygen(tmp.path(), "id_one");
    let other = keygen(tmp.path(), "id_two");
    let stranger = keygen(tmp.path(), "id_stranger");
    folder.prepare().unwrap();
    authorize(&folder, &key.with_extension("pub"));
    let ep = ssh::serve(0, folder.clone(), vm("DbcLinTest0000000000001")).await.unwrap();
    let port = ep.port();
    let kh = tmp.path().join("known_hosts");

    let r = openssh(port, &key, &kh, "nvidia-smi -L", None).await;
    assert_eq!(r.status, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert!(lines[0].starts_with("GPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-"), "{r:?}");
    assert!(lines[1].starts_with("GPU 1: NVIDIA GeForce RTX 3080 (UUID: GPU-"), "{r:?}");

    let r = openssh(port, &key, &kh, "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader", None).await;
    assert_eq!(r.stdout, "NVIDIA GeForce RTX 3080, 10240 MiB\nNVIDIA GeForce RTX 3080, 10240 MiB\n", "{r:?}");

    let r = openssh(port, &key, &kh, "false", None).await;
    assert_eq!(r.status, 1, "{r:?}");
    let r = openssh(port, &key, &kh, "frobnicate --now", None).await;
    assert_eq!(r.status, 127, "{r:?}");
    assert!(r.stderr.contains("frobnicate: command not found"), "{r:?}");
    let r = openssh(port, &key, &kh, "uname -a && echo 'done here'", None).await;
    assert!(r.stdout.starts_with("Linux dbc-dbclintest00 5.15.0-91-generic"), "{r:?}");
    assert!(r.stdout.ends_with("done here\n"), "{r:?}");

    // An interactive shell on a pty (`ssh -tt`): banner, prompt, echo, output, exit status.
    let r = ssh_util::openssh_tty(port, &key, &kh, "nvidia-smi -L\nfalse\nexit 4\n").await;
    assert!(r.stdout.contains("Welcome to Ubuntu 22.04 LTS (DBC Rent practice VM DbcLinTest0000000000001"), "{r:?}");
    assert!(r.stdout.contains("dbc@dbc-dbclintest00:~$ nvidia-smi -L\r\nGPU 0: NVIDIA GeForce RTX 3080"), "{r:?}");
    assert_eq!(r.status, 4, "{r:?}");
    // A command on a pty (`ssh -t host cmd`): one stream, CR LF.
    let r = ssh_util::openssh_tty_cmd(port, &key, &kh, "echo a; nosuch").await;
    assert_eq!((r.status, r.stdout.as_str()), (127, "a\r\nnosuch: command not found\r\n"), "{r:?}");

    // The stdin form of the key install, then the new key logs in.
    let pub2 = std::fs::read(other.with_extension("pub")).unwrap();
    let r =
        openssh(port, &key, &kh, "mkdir -p ~/.ssh && chmod 700 ~/.ssh && cat >> ~/.ssh/authorized_keys", Some(pub2))
            .await;
    assert_eq!(r.status, 0, "{r:?}");
    let r = openssh(port, &other, &kh, "echo second", None).await;
    assert_eq!((r.status, r.stdout.as_str()), (0, "second\n"), "{r:?}");

    // A key that is not in authorized_keys is refused.
    let r = openssh(port, &stranger, &kh, "true", None).await;
    assert_eq!(r.status, 255, "{r:?}");
    assert!(r.stderr.contains("Permission denied"), "{r:?}");

    // Logins are recorded on the server side.
    let logins = folder.read_logins();
    assert!(logins.len() >= 9, "{logins:?}");
    assert!(logins.iter().all(|l| l.user == "dbc" && l.method == "publickey"), "{logins:?}");
    assert!(logins.iter().all(|l| l.key.as_deref().is_some_and(|k| k.starts_with("SHA256:"))));
    assert!(logins[0].time.ends_with('Z') && logins[0].unix > 1_700_000_000);
    assert_eq!(logins.iter().filter_map(|l| l.key.clone()).collect::<std::collections::BTreeSet<_>>().len(), 2);

    // Closing the endpoint frees the port; the same folder keeps the same
    // host key, so the known_hosts entry still matches (strict checking).
    drop(ep);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port still open after close");
    let ep = ssh::serve(port, folder.clone(), vm("DbcLinTest0000000000001")).await.unwrap();
    let r = ssh_util::openssh_strict(port, &key, &kh, "true").await;
    assert_eq!(r.status, 0, "host key changed across restart: {r:?}");
    drop(ep);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_endpoint_ends_open_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = VmFolder::new(tmp.path().join("vm"));
    let v = vm("DbcLinTest0000000000002");
    let ep = ssh::serve(0, folder, v.clone()).await.unwrap();
    let mut c = password_client(ep.port(), "dbc", &v.password).await.expect("password login");
    let mut shell = c.shell().await;
    let hello = shell.read_until("$ ").await;
    assert!(hello.contains("Welcome to Ubuntu 22.04 LTS (DBC Rent practice VM"), "{hello}");
    drop(ep);
    let rest = tokio::time::timeout(Duration::from_secs(10), shell.read_to_end()).await;
    assert!(rest.is_ok(), "the session survived the endpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russh_client_password_auth_exec_and_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = VmFolder::new(tmp.path().join("vm"));
    let v = vm("DbcLinTest0000000000003");
    let ep = ssh::serve(0, folder.clone(), v.clone()).await.unwrap();
    let port = ep.port();

    assert!(password_client(port, "dbc", "wrong-password").await.is_none());
    assert!(password_client(port, "root", &v.password).await.is_none());
    assert!(password_client(port, "dbc", "").await.is_none());
    assert!(folder.read_logins().is_empty());

    let mut c = password_client(port, "dbc", &v.password).await.expect("password login");
    let Exec { stdout, stderr, status } = c.exec("echo hi; nosuch").await;
    assert_eq!((stdout.as_str(), stderr.as_str(), status), ("hi\n", "nosuch: command not found\n", 127));
    let e = c.exec("true && exit 3").await;
    assert_eq!(e.status, 3);

    // The interactive shell: banner, prompt, a command, backspace, exit.
    let mut shell = c.shell().await;
    let hello = shell.read_until("dbc@dbc-dbclintest00:~$ ").await;
    assert!(hello.contains("Welcome to Ubuntu 22.04 LTS"), "{hello}");
    shell.send("nvidia-smi -Lx\x7f\r").await;
    let out = shell.read_until("$ ").await;
    assert!(out.contains("GPU 1: NVIDIA GeForce RTX 3080 (UUID: GPU-"), "{out}");
    shell.send("exit\r").await;
    let (_, status) = shell.finish().await;
    assert_eq!(status, Some(0));

    let logins = folder.read_logins();
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!((logins[0].user.as_str(), logins[0].method.as_str(), logins[0].key.as_ref()), ("dbc", "password", None));
    assert!(logins[0].peer.starts_with("127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_attempts_are_capped_per_connection() {
    let tmp = tempfile::tempdir().unwrap();
    let v = vm("DbcLinTest0000000000004");
    let ep = ssh::serve(0, VmFolder::new(tmp.path().join("vm")), v.clone()).await.unwrap();
    let tries = ssh_util::password_attempts(ep.port(), "dbc", "nope", 10).await;
    // The sixth refusal ends the connection (sshd's MaxAuthTries 6): no seventh answer.
    assert!(tries <= ssh::MAX_AUTH_TRIES, "{tries} refusals answered on one connection");
    // A new connection may try again, and the right password still works.
    assert!(ssh_util::password_client(ep.port(), "dbc", &v.password).await.is_some());
}

/// `dbc-sandbox vm-gpu`: the cross-process form of the GPU override hook.
#[test]
fn vm_gpu_command_sets_and_resets_the_override() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_dbc-sandbox");
    let run = |args: &[&str]| {
        std::process::Command::new(bin).arg("--data-dir").arg(tmp.path()).args(args).output().expect("dbc-sandbox")
    };
    let task = "DbcLinTest0000000000005";
    let out = run(&["vm-gpu", task, "NVIDIA GeForce RTX 4090"]);
    assert!(out.status.success(), "{out:?}");
    let folder = VmFolder::of(&tmp.path().join("practice").join("vms"), task).unwrap();
    assert_eq!(folder.gpu_model_override().as_deref(), Some("NVIDIA GeForce RTX 4090"));
    let out = run(&["--json", "vm-gpu", task, "--reset"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gpuModel"], serde_json::Value::Null);
    assert_eq!(folder.gpu_model_override(), None);
    assert!(!run(&["vm-gpu", "../escape", "X"]).status.success());
    assert!(!run(&["vm-gpu", task]).status.success(), "a model or --reset is required");
}
