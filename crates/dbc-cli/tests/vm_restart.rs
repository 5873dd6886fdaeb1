//! A practice-network restart keeps the VM and the CLI reaches it with no
//! user action (issue 16): rent, `vm create` (Windows), stop the practice
//! network, start it again on the same data dir (its DBC client simulator
//! now on other ports), then `dbc-rent vm status RENT_ID` finds the same VM
//! running with the same login through the new simulator address (the
//! rental's last client is the old address, which no longer answers), and
//! `rdp --print` gives the same port.

mod common;

use common::ok;
use std::path::PathBuf;

fn config(dir: PathBuf) -> dbc_sandbox::SandboxConfig {
    dbc_sandbox::SandboxConfig {
        client_sim: true,
        vm_boot_secs: 2,
        persist: true, // the chain resumes, as the app's practice network does
        ..dbc_sandbox::SandboxConfig::chain_only(dir, 60)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_vm_status_finds_the_vm_through_the_new_simulator() {
    let (data, sandbox) = common::practice_with(config).await;
    let dir = data.path().to_path_buf();
    common::funded_renter(&sandbox, &dir, "//vm-restart").await;
    let old_urls = sandbox.client_urls().to_vec();
    let d = dir.clone();
    let first = tokio::task::spawn_blocking(move || before(&d)).await;
    sandbox.stop().await.unwrap();
    let (rent_id, created) = first.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));

    let sandbox = dbc_sandbox::Sandbox::start(config(dir.clone())).await.expect("the practice network starts again");
    let new_urls = sandbox.client_urls().to_vec();
    assert!(new_urls.iter().all(|u| !old_urls.contains(u)), "new simulator ports: {old_urls:?} -> {new_urls:?}");
    common::check_then_stop(sandbox, dir, move |dir| {
        let s = ok(dir, &["vm", "status", &rent_id]);
        assert_eq!(s["vm"]["task_id"], created["vm"]["task_id"], "{s}");
        assert_eq!(s["login"]["status"], "running", "{s}");
        for k in ["user", "password", "rdp_port", "host"] {
            assert_eq!(s["login"][k], created["login"][k], "{k}: {s}");
        }
        let used = s["dbc_client"]["used"].as_str().unwrap_or_else(|| panic!("the client used: {s}"));
        assert!(new_urls.iter().any(|u| u.trim_end_matches('/') == used.trim_end_matches('/')), "{used}: {s}");
        let p = ok(dir, &["rdp", &rent_id, "--print"]);
        assert!(p["address"].as_str().unwrap().ends_with(&format!(":{}", created["login"]["rdp_port"])), "{p}");
    })
    .await;
}

/// Rent one GPU of an idle machine and make its Windows VM: the rent id and
/// `vm create`'s answer.
fn before(dir: &std::path::Path) -> (String, serde_json::Value) {
    let rows = ok(dir, &["machines", "list", "--idle", "--min-free", "1", "--sort", "price"]);
    let machine =
        rows.as_array().unwrap().iter().find(|m| m["status"] == "idle").unwrap()["id"].as_str().unwrap().to_string();
    let r = ok(dir, &["rent", &machine, "--gpus", "1", "--hours", "1"]);
    let rent_id = r["rent_id"].as_u64().unwrap().to_string();
    let v = ok(dir, &["vm", "create", &rent_id, "--poll", "1"]);
    assert_eq!(v["stage"], "vm-ready", "{v}");
    assert_eq!(v["login"]["status"], "running", "{v}");
    (rent_id, v)
}
