//! A Linux VM from the command line, on a real practice network with the
//! DBC client simulator and its SSH server: `vm create --os linux` sends a
//! Linux plan (an SSH port, no RDP port) and the VM runs with an SSH login as
//! `dbc`; `ssh --generate-key --print` installs a new key with the VM's
//! password and prints the command, with which Debian's own `ssh`
//! (`BatchMode=yes`: no password possible) runs `nvidia-smi -L` and sees the
//! rented GPU model; `ssh -- COMMAND` gives the remote exit status as its own;
//! an unknown key is refused; `gpu-check` passes for the real machine, is
//! journaled and shown by `rentals`, and reports a mismatch (exit 4) when
//! the simulator is told to show another model. (`ssh` on a Windows VM,
//! `not-linux-vm`, is a unit test in `rental::login`; a wrong password is
//! refused in `dbc-sandbox/tests/ssh_server.rs`.)

mod common;

use common::{ok, rental_row, run};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;

/// `dbc-rent --json ARGS` with a private HOME (no ~/.ssh of the machine's user is read).

#[tokio::test(flavor = "multi_thread")]
async fn a_linux_vm_gets_our_key_runs_commands_and_passes_the_gpu_check() {
    let (data, sandbox) = common::practice_with(|dir| dbc_sandbox::SandboxConfig {
        client_sim: true,
        vm_boot_secs: 2,
        ..dbc_sandbox::SandboxConfig::chain_only(dir, 60)
    })
    .await;
    let dir = data.path().to_path_buf();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    common::funded_renter(&sandbox, &dir, "//linux-vm").await;
    let d = dir.clone();
    let result = tokio::task::spawn_blocking(move || flow(&d)).await;
    sandbox.stop().await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

fn flow(dir: &Path) {
    let rows = ok(dir, &["machines", "list", "--idle", "--min-free", "1", "--sort", "price"]);
    let machine =
        rows.as_array().unwrap().iter().find(|m| m["status"] == "idle").unwrap()["id"].as_str().unwrap().to_string();
    let r = ok(dir, &["rent", &machine, "--gpus", "1", "--hours", "1"]);
    let rent_id = r["rent_id"].as_u64().unwrap().to_string();

    let v = ok(dir, &["vm", "create", &rent_id, "--os", "linux", "--poll", "1"]);
    assert_eq!(v["stage"], "vm-ready", "{v}");
    assert_eq!(v["vm"]["os"], "linux", "{v}");
    assert_eq!((v["login"]["os"].as_str(), v["login"]["user"].as_str()), (Some("linux"), Some("dbc")), "{v}");
    let ssh_port = v["login"]["ssh_port"].as_u64().unwrap();
    assert!((10000..=19999).contains(&ssh_port), "{v}");
    assert_eq!(v["vm"]["ssh_port"].as_u64(), Some(ssh_port));
    assert!(v["login"]["rdp_port"].is_null(), "no RDP port on a Linux VM: {v}");
    assert!(v["vm"]["image"].as_str().unwrap().to_lowercase().contains("ubuntu"), "{v}");

    let task_id = v["vm"]["task_id"].as_str().unwrap().to_string();

    // First use: the key is created (consent by flag) and installed with the VM's password.
    let p = ok(dir, &["ssh", &rent_id, "--generate-key", "--print"]);
    assert_eq!(p["key_install"], "installed", "{p}");
    let key = dir.join("home/.ssh/dbc_rent_ed25519");
    assert_eq!(std::path::PathBuf::from(p["key"].as_str().unwrap()), key);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    let line = p["command"].as_str().unwrap().to_string();
    assert!(!line.contains(v["login"]["password"].as_str().unwrap_or("no password shown")), "no password in: {line}");
    assert!(line.contains(&format!("-p {ssh_port}")) && line.ends_with("dbc@127.0.0.1"), "{line}");

    // Debian's ssh with the printed command, no password possible: sees the rented GPU.
    let (status, out) = system_ssh(&line, &[], "nvidia-smi -L");
    assert_eq!(status, Some(0), "{out}");
    let check = ok(dir, &["gpu-check", &rent_id]);
    assert_eq!((check["passed"].as_bool(), &check["verdict"]["kind"]), (Some(true), &Value::from("pass")), "{check}");
    let model = check["seen"][0]["name"].as_str().unwrap().to_string();
    assert!(out.contains(&format!("GPU 0: {model} (UUID: GPU-")), "{out}");
    // Installed once: the next run logs in with the key and installs nothing.
    let p = ok(dir, &["ssh", &rent_id, "--print"]);
    assert_eq!(p["key_install"], "already-installed", "{p}");

    // A command's exit status is ours.
    let (code, out, _) = run(dir, &["ssh", &rent_id, "--", "false"], None);
    assert_eq!((code, out["exit_status"].as_u64()), (Some(1), Some(1)), "{out}");
    let (code, out, _) = run(dir, &["ssh", &rent_id, "--", "no-such-tool"], None);
    assert_eq!(code, Some(127), "{out}");
    assert!(out["stderr"].as_str().unwrap().contains("command not found"), "{out}");

    // A key the VM does not know is refused.
    let stranger = dir.join("stranger");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&stranger)
        .status()
        .unwrap();
    assert!(made.success());
    let (status, out) = system_ssh(&line, &[("-i", stranger.to_str().unwrap())], "true");
    assert_eq!(status, Some(255), "{out}");
    assert!(out.contains("Permission denied"), "{out}");

    // The check result is kept with the rental.
    let mine = rental_row(&ok(dir, &["rentals"]), r["rent_id"].as_u64());
    assert_eq!(mine["vm"]["gpu_check"]["verdict"]["kind"], "pass", "journaled: {mine}");
    assert_eq!(mine["vm"]["gpu_check"]["expected"]["count"], 1);

    // The VM shows another model than the chain's: a mismatch, exit 4, journaled.
    let folder = dbc_sandbox::client_sim::ssh::VmFolder::of(&dir.join("practice/vms"), &task_id).unwrap();
    folder.set_gpu_model(Some("NVIDIA GeForce GTX 1060")).unwrap();
    let (code, check, stderr) = run(dir, &["gpu-check", &rent_id], None);
    assert_eq!(code, Some(4), "{check} / {stderr}");
    assert_eq!(check["verdict"]["kind"], "mismatch", "{check}");
    assert_eq!(check["seen"][0]["name"], "NVIDIA GeForce GTX 1060");
    let mine = rental_row(&ok(dir, &["rentals"]), r["rent_id"].as_u64());
    assert_eq!(mine["vm"]["gpu_check"]["verdict"]["kind"], "mismatch", "journaled: {mine}");

    // The logins the server saw: the password once (the install), then keys.
    let methods: Vec<String> = folder.read_logins().into_iter().map(|l| l.method).collect();
    assert_eq!(methods.first().map(String::as_str), Some("password"), "{methods:?}");
    assert!(methods.iter().skip(1).all(|m| m == "publickey") && methods.len() >= 4, "{methods:?}");
}

/// Run the printed `ssh` command line (no user config, `BatchMode=yes`: a
/// password prompt is impossible) with `extra` options replacing the same
/// ones, then `remote`. The paths in it hold no spaces (a temp dir).
fn system_ssh(line: &str, extra: &[(&str, &str)], remote: &str) -> (Option<i32>, String) {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    assert_eq!(words[0], "ssh", "{line}");
    for (flag, value) in extra {
        if let Some(i) = words.iter().position(|w| w == flag) {
            words[i + 1] = value.to_string();
        }
    }
    let out = std::process::Command::new("ssh")
        .args(["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10"])
        .args(&words[1..])
        .arg(remote)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}
