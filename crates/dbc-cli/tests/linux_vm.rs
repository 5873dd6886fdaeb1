//! A Linux VM from the command line, on a real practice network with the
//! DBC client simulator: `vm create --os linux` sends a Linux plan (an SSH
//! port, no RDP port) and the VM runs with an SSH login as `dbc`; a
//! `gpu-check` whose SSH login fails (the simulator serves no SSH in this
//! build) is an error verdict, exit 4, journaled with the VM and shown by
//! `rentals`. (`ssh` on a Windows VM, `not-linux-vm`, is a unit test in
//! `rental::login`; key install and password login need the simulator's
//! SSH server.)

mod common;

use common::{practice_cmd, rental_row, DEV};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;

/// `dbc-rent --json ARGS` with a private HOME (no ~/.ssh of the machine's user is read).
fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> (Option<i32>, Value, String) {
    let mut c = practice_cmd(dir, args);
    c.env("HOME", dir.join("home")).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code(), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text} / {stderr}")), stderr)
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    let (code, v, stderr) = run(dir, args, None);
    assert_eq!(code, Some(0), "{args:?}: {v} / {stderr}");
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn a_linux_vm_is_created_and_a_failed_gpu_check_is_kept() {
    let (data, sandbox) = common::practice_with(|dir| dbc_sandbox::SandboxConfig {
        client_sim: true,
        vm_boot_secs: 2,
        ..dbc_sandbox::SandboxConfig::chain_only(dir, 60)
    })
    .await;
    let dir = data.path().to_path_buf();
    std::fs::create_dir_all(dir.join("home")).unwrap();
    let (code, acc, stderr) =
        run(&dir, &["wallet", "import", "--mnemonic-stdin", "--name", "renter"], Some(&format!("{DEV}//linux-vm")));
    assert_eq!(code, Some(0), "{acc} {stderr}");
    sandbox.fund(acc["address"].as_str().unwrap(), 200_000).await.unwrap();
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

    // The GPU check cannot log in here: an error verdict, exit 4, kept with the VM.
    let (code, check, stderr) = run(dir, &["gpu-check", &rent_id], None);
    assert_eq!(code, Some(4), "{check} / {stderr}");
    assert_eq!(check["passed"], false);
    assert_eq!(check["verdict"]["kind"], "error", "{check}");
    assert!(check["verdict"]["code"].as_str().unwrap().starts_with("ssh-"), "{check}");
    assert_eq!(check["expected"]["count"], 1);
    assert!(!check["expected"]["model"].as_str().unwrap().is_empty(), "the chain's gpu_type: {check}");
    let mine = rental_row(&ok(dir, &["rentals"]), r["rent_id"].as_u64());
    assert_eq!(mine["vm"]["gpu_check"]["verdict"]["kind"], "error", "journaled: {mine}");
    assert_eq!(mine["vm"]["gpu_check"]["expected"]["count"], 1);
}
