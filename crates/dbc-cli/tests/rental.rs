//! `dbc-rent rent | confirm | renew | rentals` as a script runs them, on a
//! real practice network: the happy path, refusals before signing, and a
//! `rent` process killed right after it sent the transaction: the next run
//! finds the order and nothing is rented twice.

mod common;

use common::{ok, planck, practice_cmd as cmd, rental_row, run, DEV, PASSWORD};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn err_code(dir: &Path, args: &[&str]) -> String {
    let (code, v, stderr) = run(dir, args, None);
    assert_eq!(code, Some(1), "{args:?}: {v} / {stderr}");
    v["error"]["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn rent_confirm_renew_and_survive_a_kill() {
    let (data, sandbox) = common::practice(60).await;
    let dir = data.path().to_path_buf();
    common::funded_renter(&sandbox, &dir, "//rental-test").await;
    common::check_then_stop(sandbox, dir, check).await;
}

fn idle_ids(dir: &Path) -> Vec<String> {
    let rows = ok(dir, &["machines", "list", "--idle", "--min-free", "2", "--sort", "price"]);
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "idle")
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

fn check(dir: &Path) {
    let idle = idle_ids(dir);
    assert!(idle.len() >= 2);

    // Refused before anything is signed.
    assert_eq!(err_code(dir, &["rent", &idle[0], "--gpus", "1", "--hours", "0.75"]), "invalid-duration");
    assert_eq!(err_code(dir, &["rent", &idle[0], "--gpus", "99", "--hours", "1"]), "not-enough-gpus");
    assert_eq!(err_code(dir, &["rent", &"ab".repeat(32), "--gpus", "1", "--hours", "1"]), "unknown-machine");
    assert_eq!(err_code(dir, &["confirm", "424242"]), "rental-not-found");

    // Rent: the reserve equals the quote; the confirm deadline is 150 blocks on.
    let q = ok(dir, &["quote", &idle[0], "--gpus", "1", "--hours", "1"]);
    let r = ok(dir, &["rent", &idle[0], "--gpus", "1", "--hours", "1"]);
    assert_eq!(r["stage"], "placed", "{r}");
    let rent_id = r["rent_id"].as_u64().unwrap().to_string();
    assert_eq!(planck(&r["reserved_planck"]), planck(&q["rent_planck"]));
    assert_eq!(r["confirm_deadline"].as_u64().unwrap(), r["rent_start"].as_u64().unwrap() + 150);
    assert_eq!(r["rent_end"].as_u64().unwrap(), r["rent_start"].as_u64().unwrap() + 600);
    assert_eq!(err_code(dir, &["renew", &rent_id, "--hours", "1"]), "wrong-rental-state");
    assert_eq!(
        err_code(dir, &["rent", &idle[0], "--gpus", "1", "--hours", "1"]),
        "rental-in-progress",
        "no second order while one waits"
    );

    let c = ok(dir, &["confirm", &rent_id]);
    assert_eq!(c["stage"], "renting", "{c}");
    assert_eq!(planck(&c["paid_planck"]), planck(&q["rent_planck"]));

    let n = ok(dir, &["renew", &rent_id, "--hours", "0.5"]);
    assert_eq!(n["renewed_blocks"], 300);
    assert_eq!(n["rent_end"].as_u64().unwrap(), r["rent_end"].as_u64().unwrap() + 300);
    assert!(planck(&n["renewal_paid_planck"]) > 0);

    let list = ok(dir, &["rentals"]);
    let mine = rental_row(&list, r["rent_id"].as_u64());
    assert_eq!(mine["stage"], "renting");
    assert!(mine["blocks_left"].as_u64().unwrap() > 600);

    // Killed right after sending: the order is found, not placed again.
    let mut child = cmd(dir, &["rent", &idle[1], "--gpus", "1", "--hours", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    while let Some(Ok(line)) = lines.next() {
        let sent = line.contains("\"broadcast\"") || line.contains("\"inBlock\"");
        seen.push(line);
        if sent {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.iter().any(|l| l.contains("\"broadcast\"") || l.contains("\"inBlock\"")),
        "the rent was sent before the kill: {seen:?}"
    );

    let mut stage = String::new();
    for _ in 0..20 {
        let list = ok(dir, &["rentals"]);
        let on_machine: Vec<Value> = list["rentals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["machine_id"] == idle[1].as_str())
            .cloned()
            .collect();
        assert_eq!(on_machine.len(), 1, "one rental of that machine in the journal: {on_machine:?}");
        stage = on_machine[0]["stage"].as_str().unwrap().to_string();
        if stage == "placed" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    assert_eq!(stage, "placed");
    let m = ok(dir, &["machines", "show", &idle[1]]);
    let rented = m["gpu_count"].as_u64().unwrap() - m["free_gpus"].as_u64().unwrap();
    assert_eq!(rented, 1, "exactly one GPU rented, not two: {m}");

    // The same journal through the node's URL as a custom endpoint.
    let state: Value = serde_json::from_slice(&std::fs::read(dir.join("practice/state.json")).unwrap()).unwrap();
    let url = state["chain"].as_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env("DBC_RENT_HOME", dir)
        .env("DBC_RENT_PASSWORD", PASSWORD)
        .args(["--network", url, "--json", "rentals"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let custom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |v: &Value| v["rentals"].as_array().unwrap().iter().map(|x| x["rent_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&custom), ids(&ok(dir, &["rentals"])), "--network ws://URL reads the same rentals");
}

/// The VM half through the DBC client simulator: create (killed once right
/// after the plan was journaled, then resumed: the same task, not a second
/// VM), status with the login, confirm, stop/start, and the end of the rental
/// powering the VM off.
#[tokio::test(flavor = "multi_thread")]
async fn vm_create_resume_confirm_power_and_end() {
    let (data, sandbox) = common::practice_with(|dir| dbc_sandbox::SandboxConfig {
        client_sim: true,
        vm_boot_secs: 4,
        ..dbc_sandbox::SandboxConfig::chain_only(dir, 60)
    })
    .await;
    let dir = data.path().to_path_buf();
    common::funded_renter(&sandbox, &dir, "//vm-test").await;
    let d2 = dir.clone();
    let first = tokio::task::spawn_blocking(move || vm_first_half(&d2)).await;
    let mut ok_so_far = first.is_ok();
    let vm_password = first.as_ref().ok().cloned();
    let mut failure = first.err();
    if let Some(rent_id) = ok_so_far.then(|| rent_id_of(&dir)).flatten() {
        // Past rent_end: the order ends on chain and the node powers the VM off.
        let mine = rental_row(&ok(&dir, &["rentals"]), Some(rent_id));
        let (end, task_id) =
            (mine["rent_end"].as_u64().unwrap() as u32, mine["vm"]["task_id"].as_str().unwrap().to_string());
        let sim = sandbox.client_sim().expect("the simulator runs");
        assert!(sim.task_rdp_kind(&task_id).is_some(), "the VM serves RDP while rented");
        let best = sandbox.chain().best().await.unwrap().0;
        sandbox.advance(end.saturating_sub(best) + 1).await.unwrap();
        sim.sweep_now().await;
        let d3 = dir.clone();
        let second = tokio::task::spawn_blocking(move || vm_after_end(&d3, rent_id)).await;
        ok_so_far = second.is_ok();
        failure = second.err();
        if ok_so_far {
            assert!(sim.task_rdp_kind(&task_id).is_none(), "the node powered the VM off at the end of the rental");
            // The log audit: no secret of this whole flow is in any file the app wrote.
            let signatures = sim.signatures_seen();
            assert!(!signatures.is_empty(), "the simulator saw the signed requests");
            let leaks = audit(&dir, vm_password.as_deref().unwrap_or_default(), &signatures);
            assert!(leaks.is_empty(), "secrets found in the data dir: {leaks:?}");
        }
    }
    sandbox.stop().await.unwrap();
    if !ok_so_far {
        std::panic::resume_unwind(failure.unwrap().into_panic());
    }
}

fn rent_id_of(dir: &Path) -> Option<u64> {
    ok(dir, &["rentals"])["rentals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["stage"] == "renting")
        .and_then(|x| x["rent_id"].as_u64())
}

fn vm_first_half(dir: &Path) -> String {
    let idle = idle_ids(dir);
    let r = ok(dir, &["rent", &idle[0], "--gpus", "1", "--hours", "1"]);
    let rent_id = r["rent_id"].as_u64().unwrap().to_string();
    assert_eq!(err_code(dir, &["vm", "status", &rent_id]), "wrong-rental-state", "no VM yet");

    // Killed right after the plan is journaled.
    let mut child = cmd(dir, &["vm", "create", &rent_id, "--poll", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut planned: Option<Value> = None;
    while let Some(Ok(line)) = lines.next() {
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["step"] == "planned" {
                planned = Some(v);
                break;
            }
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let planned = planned.expect("a planned event before the kill");
    let list = ok(dir, &["rentals"]);
    let mine = rental_row(&list, r["rent_id"].as_u64());
    assert_eq!(mine["stage"], "vm-creating");
    assert_eq!(mine["vm"]["task_id"], planned["taskId"]);

    // Resumed: the same task id, now running, with a login.
    let v = ok(dir, &["vm", "create", &rent_id, "--poll", "1"]);
    assert_eq!(v["stage"], "vm-ready", "{v}");
    assert_eq!(v["vm"]["task_id"], planned["taskId"], "the journaled task, not a new one");
    assert_eq!(v["login"]["status"], "running");
    assert_eq!(v["login"]["user"], "Administrator");
    assert!(v["login"]["password"].as_str().is_some_and(|p| p.len() >= 8), "{v}");
    assert!(v["login"]["rdp_port"].as_u64().unwrap() >= 1024);
    let journal =
        std::fs::read_to_string(std::fs::read_dir(dir.join("rentals")).unwrap().next().unwrap().unwrap().path())
            .unwrap();
    assert!(!journal.contains(v["login"]["password"].as_str().unwrap()), "the VM password is not journaled");

    let s = ok(dir, &["vm", "status", &rent_id]);
    assert_eq!(s["login"]["password"], v["login"]["password"]);

    // `rdp --print`: the .rdp file, private, without the password.
    let p = ok(dir, &["rdp", &rent_id, "--print"]);
    let file = std::path::PathBuf::from(p["rdp_file"].as_str().unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("full address:s:{}", p["address"].as_str().unwrap())), "{text}");
    assert!(text.contains("username:s:Administrator"), "{text}");
    assert!(!text.contains(v["login"]["password"].as_str().unwrap()));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    let c = ok(dir, &["confirm", &rent_id]);
    assert_eq!(c["stage"], "renting");
    let stopped = ok(dir, &["vm", "stop", &rent_id]);
    assert_eq!(stopped["vm"]["status"], "closed", "{stopped}");
    let started = ok(dir, &["vm", "start", &rent_id]);
    assert_eq!(started["vm"]["status"], "running", "{started}");
    v["login"]["password"].as_str().unwrap().to_string()
}

/// Every file the app wrote under `dir` (the practice network's own files,
/// which stand in for the remote machine, aside), scanned for the mnemonic,
/// the app password, the VM password and the request signatures.
fn audit(dir: &Path, vm_password: &str, signatures: &[String]) -> Vec<String> {
    let secrets = dbc_sandbox::audit::Secrets {
        mnemonic: DEV,
        plain: vec![("app password", PASSWORD.to_string()), ("VM password", vm_password.to_string())],
        signatures,
    };
    dbc_sandbox::audit::scan(dir, &[dir.join("practice")], &secrets)
}

fn vm_after_end(dir: &Path, rent_id: u64) {
    let list = ok(dir, &["rentals"]);
    let mine =
        list["rentals"].as_array().unwrap().iter().find(|x| x["rent_id"].as_u64() == Some(rent_id)).cloned().unwrap();
    assert_eq!(mine["stage"], "ended", "{mine}");
}
