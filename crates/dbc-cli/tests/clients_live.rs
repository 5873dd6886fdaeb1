//! Choosing a DBC client and failing over between clients, as `dbc-rent`
//! does it, on a practice network with two simulated clients: client 1 sees
//! every machine, client 2 only those whose id starts with an even hex digit.
//!
//! - a client that does not see the machine is never chosen; the fastest
//!   healthy one is;
//! - client 1 stopped while a `vm create` through it polls: the create goes
//!   on through client 2, one VM on the node;
//! - no client reaches the machine: `no-client-reaches-machine`.

mod common;

use common::{ok, practice_cmd as cmd, run, DEV};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

const ACCOUNT: &str = "//clients-live";

fn rent(dir: &Path, machine: &str) -> String {
    let r = ok(dir, &["rent", machine, "--gpus", "1", "--hours", "1"]);
    r["rent_id"].as_u64().unwrap().to_string()
}

fn even(id: &str) -> bool {
    id.chars().next().and_then(|c| c.to_digit(16)).is_some_and(|d| d % 2 == 0)
}

/// Stop or start simulated client `k` the way another process does (`dbc-sandbox client stop|start K`).
fn set_stopped(rt: &tokio::runtime::Handle, dir: &Path, k: usize, stopped: bool) {
    let s = rt.block_on(dbc_sandbox::sim_clients::request(dir, k, stopped)).unwrap();
    assert_eq!(s.running, !stopped);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_is_chosen_on_what_it_sees_and_a_gone_one_is_replaced() {
    let (data, sandbox) = common::practice_with(|dir| dbc_sandbox::SandboxConfig {
        client_sim: true,
        clients: 2,
        vm_boot_secs: 12,
        ..dbc_sandbox::SandboxConfig::chain_only(dir, 60)
    })
    .await;
    let dir = data.path().to_path_buf();
    common::funded_renter(&sandbox, &dir, ACCOUNT).await;
    let sandbox = Arc::new(sandbox);
    let (s2, rt) = (sandbox.clone(), tokio::runtime::Handle::current());
    let result = tokio::task::spawn_blocking(move || check(&dir, &s2, &rt)).await;
    let sandbox = Arc::try_unwrap(sandbox).ok().expect("the check is over");
    sandbox.stop().await.unwrap();
    drop(data);
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

fn check(dir: &Path, sandbox: &dbc_sandbox::Sandbox, rt: &tokio::runtime::Handle) {
    let urls = sandbox.client_urls().to_vec();
    assert_eq!(urls.len(), 2, "{urls:?}");
    let (one, two) = (urls[0].clone(), urls[1].clone());
    let state: Value = serde_json::from_slice(&std::fs::read(dir.join("practice/state.json")).unwrap()).unwrap();
    assert_eq!((state["client"].as_str(), state["clients"].as_array().map(Vec::len)), (Some(one.as_str()), Some(2)));

    let list = ok(dir, &["machines", "list", "--idle", "--sort", "price"]);
    let idle: Vec<String> = list.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    let evens: Vec<&String> = idle.iter().filter(|m| even(m)).collect();
    let odds: Vec<&String> = idle.iter().filter(|m| !even(m)).collect();
    assert!(evens.len() >= 2 && odds.len() >= 2, "idle machines of both kinds: {idle:?}");

    // `clients check`: the practice clients, with the chain's machines counted.
    let c = ok(dir, &["clients", "check", odds[0]]);
    let rows = c["clients"].as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| r["source"] == "practice").count(), 2, "{c}");
    assert_eq!((rows[0]["url"].as_str(), rows[0]["sees_machine"].as_bool()), (Some(one.as_str()), Some(true)));
    assert_eq!((rows[1]["url"].as_str(), rows[1]["sees_machine"].as_bool()), (Some(two.as_str()), Some(false)));
    assert_eq!(rows[0]["chain_machines_seen"], rows[0]["nodes_seen"], "client 1 sees every machine of this chain");
    assert!(rows[1]["chain_machines_seen"].as_u64().unwrap() < rows[0]["chain_machines_seen"].as_u64().unwrap());

    // Choice: client 1 made slow. A machine both see goes through the fast
    // client 2; one client 2 does not see goes through client 1 all the same.
    sandbox.sim_client(1).unwrap().set_answer_delay(Duration::from_millis(400));
    let both = rent(dir, evens[0]);
    let v = ok(dir, &["vm", "create", &both, "--poll", "1"]);
    assert_eq!(v["stage"], "vm-ready", "{v}");
    assert_eq!(
        (v["dbc_client"]["chosen"].as_str(), v["vm"]["client_url"].as_str()),
        (Some(two.as_str()), Some(two.as_str()))
    );
    assert_eq!(v["dbc_client"]["ranked"], serde_json::json!([two, one]), "the fastest first, the other behind it");
    let only_one = rent(dir, odds[0]);
    let v = ok(dir, &["vm", "create", &only_one, "--poll", "1"]);
    assert_eq!(v["dbc_client"]["ranked"], serde_json::json!([one]), "never the client that does not see it: {v}");
    assert_eq!(v["vm"]["client_url"], one);
    sandbox.sim_client(1).unwrap().set_answer_delay(Duration::ZERO);
    // Stored clients go first while they qualify: status through the one the VM was made through.
    assert_eq!(ok(dir, &["vm", "status", &both])["dbc_client"]["chosen"], two);

    // Failover mid-poll: a create through client 1, which is stopped while it polls.
    let rent_id = rent(dir, evens[1]);
    let mut child = cmd(dir, &["vm", "create", &rent_id, "--client", &one, "--poll", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut polled = false;
    for line in lines.by_ref() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap_or_default();
        if v["step"] == "poll" && v["status"] == "creating" {
            polled = true;
            break;
        }
    }
    assert!(polled, "the create polls through client 1");
    set_stopped(rt, dir, 1, true);
    let rest: Vec<Value> = lines.map_while(|l| l.ok()).filter_map(|l| serde_json::from_str(&l).ok()).collect();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{rest:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stage"], "vm-ready", "{v}");
    let switched: Vec<&Value> = rest.iter().filter(|e| e["step"] == "client-switched").collect();
    assert_eq!(switched.len(), 1, "{rest:?}");
    assert_eq!((switched[0]["from"].as_str(), switched[0]["to"].as_str()), (Some(one.as_str()), Some(two.as_str())));
    assert_eq!(switched[0]["reason"], "compute-unreachable");
    assert_eq!(
        (v["dbc_client"]["used"].as_str(), v["vm"]["client_url"].as_str()),
        (Some(two.as_str()), Some(two.as_str()))
    );
    assert_eq!(v["login"]["status"], "running");
    // Exactly one task on the node: the journaled one, not a second VM.
    let key = dbc::wallet::SigningKey::from_phrase(
        &dbc::wallet::mnemonic::parse(DEV).unwrap(),
        &dbc::wallet::DerivationPath::parse(ACCOUNT).unwrap(),
    )
    .unwrap();
    let node = dbc::compute::ComputeClient::new(&two)
        .unwrap()
        .rented(evens[1], dbc::compute::Auth::new(key, rent_id.parse().unwrap()))
        .unwrap();
    let tasks = rt.block_on(node.tasks()).unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(Some(tasks[0].task_id.as_str()), v["vm"]["task_id"].as_str());

    // No client reaches the machine: client 1 is gone and client 2 does not see it.
    let lost = rent(dir, odds[1]);
    let (code, e, _) = run(dir, &["vm", "create", &lost, "--poll", "1"], None);
    assert_eq!((code, e["error"]["code"].as_str()), (Some(1), Some("no-client-reaches-machine")), "{e}");
    let asked = e["error"]["data"]["clients"].as_array().unwrap();
    assert_eq!(asked.len(), 2, "both were asked: {e}");
    assert_eq!(asked[0]["error"]["code"], "compute-unreachable");
    assert_eq!(asked[1]["seesMachine"], false);
    // Back again: the same address answers and sees it.
    set_stopped(rt, dir, 1, false);
    let v = ok(dir, &["vm", "create", &lost, "--poll", "1"]);
    assert_eq!((v["stage"].as_str(), v["vm"]["client_url"].as_str()), (Some("vm-ready"), Some(one.as_str())));
}
