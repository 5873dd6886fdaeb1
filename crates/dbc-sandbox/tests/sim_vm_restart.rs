//! A practice-network restart keeps every VM (issue 16): rent a seeded
//! machine on the practice chain, create a Windows and a Linux VM through
//! the DBC client simulator, stop the practice network (`dbc-sandbox down`
//! does the same), start it again on the same data dir: the simulator has a
//! new address, and through it the same tasks are listed running with the
//! same login and ports, the Windows VM's RDP endpoint answers an RDP
//! connection request and the Linux VM's SSH server takes the same password.
//! Needs chopsticks (`make sandbox-deps`) and the chain spec; without them it
//! fails, it does not skip.

mod common;
#[path = "common/sim_requests.rs"]
mod sim_requests;
#[path = "common/ssh_util.rs"]
mod ssh_util;
use sim_requests::signed;

use std::time::Duration;

use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig};
use serde_json::{json, Value};
use subxt::dynamic::Value as DValue;
use subxt_signer::sr25519::Keypair;

/// One rental and the simulator's address to reach it.
struct Rental {
    key: Keypair,
    machine: String,
    rent_id: String,
}

impl Rental {
    async fn post(&self, client: &str, path: &str, add: Value) -> Value {
        let url = format!("{client}/api/v1{path}");
        let body = signed(&self.key, &self.machine, &self.rent_id, add);
        let r = reqwest::Client::new().post(url).json(&body).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        r.json().await.unwrap()
    }
    async fn wait_running(&self, client: &str, task: &str) -> Value {
        let mut last = Value::Null;
        for _ in 0..150 {
            last = self.post(client, &format!("/tasks/{task}"), json!({})).await;
            if last["message"]["status"] == "running" {
                return last["message"].clone();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("{task} never ran: {last}");
    }
}

fn config(dir: &tempfile::TempDir) -> SandboxConfig {
    let mut cfg = common::with_client_sim(dir, 12, 1);
    cfg.persist = true; // the chain resumes, as the app's practice network does
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_every_vm_with_its_login_and_ports() {
    dbc_sandbox::install_crypto_provider();
    let dir = common::data_dir();
    let sandbox = common::start(config(&dir)).await;
    let mut saved = None;
    let first = common::catching(async {
        let rental = rent(&sandbox).await;
        let before = create_vms(&sandbox, &rental).await;
        saved = Some((rental, before, sandbox.client_url().unwrap().to_string()));
    })
    .await;
    common::stop_then_rethrow(sandbox, first).await;

    let (rental, before, old_url) = saved.expect("the first run saved its rental");
    let sandbox = common::start(config(&dir)).await;
    let second = common::catching(async {
        assert!(sandbox.timings().resumed, "the chain resumed");
        after_restart(&sandbox, &rental, &before, &old_url).await;
    })
    .await;
    common::stop_then_rethrow(sandbox, second).await;
}

/// Rent a whole idle machine for 300 blocks as the seeded renter.
async fn rent(sandbox: &Sandbox) -> Rental {
    use dbc_sandbox::client_sim::{ChainView, PracticeChain};
    let chain = PracticeChain::connect(sandbox.chain_url()).await.unwrap();
    let m = chain
        .machines()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.machine_status == "Online" && m.gpu_num > 0)
        .expect("an idle seeded machine");
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).expect("a renter account");
    let key = keypair_from_uri(&renter.uri);
    let call = subxt::dynamic::tx(
        "RentMachine",
        "rent_machine",
        (DValue::from_bytes(m.machine_id.as_bytes()), DValue::u128(m.gpu_num as u128), DValue::u128(300)),
    );
    let at = sandbox.chain().at_best().await.unwrap();
    let progress = at.tx().sign_and_submit_then_watch_default(&call, &key).await.unwrap();
    progress.wait_for_finalized_success().await.unwrap();
    let at = sandbox.chain().at_best().await.unwrap();
    let addr = subxt::dynamic::storage::<([u8; 32],), Vec<u64>>("RentMachine", "UserOrder");
    let ids = at.storage().fetch(addr, (key.public_key().0,)).await.unwrap().decode().unwrap();
    let rent_id = ids.iter().max().expect("the renter's order").to_string();
    Rental { key, machine: m.machine_id, rent_id }
}

/// A Windows VM with the rented GPUs and a Linux VM without any, both running.
async fn create_vms(sandbox: &Sandbox, r: &Rental) -> [Value; 2] {
    let url = sandbox.client_url().expect("the simulator runs");
    let port = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let win = json!({
        "image_name": "win10_ovmf_dbc.qcow2", "desc": "restart", "operation_system": "windows", "bios_mode": "uefi",
        "rdp_port": port().to_string(), "vnc_port": "5907", "gpu_count": "0",
        "cpu_cores": "4", "mem_size": "8", "disk_size": "50"
    });
    let lin = json!({
        "image_name": "ubuntu2204.qcow2", "desc": "restart linux", "operation_system": "linux",
        "ssh_port": port().to_string(), "vnc_port": "5908", "gpu_count": "0",
        "cpu_cores": "4", "mem_size": "8", "disk_size": "50"
    });
    let mut out = Vec::new();
    for add in [win, lin] {
        let v = r.post(url, "/tasks/start", add).await;
        assert_eq!(v["errcode"], 0, "{v}");
        let task = v["message"]["task_id"].as_str().unwrap().to_string();
        out.push(r.wait_running(url, &task).await);
    }
    let [w, l]: [Value; 2] = out.try_into().unwrap();
    let rdp: u16 = w["rdp_port"].as_str().unwrap().parse().unwrap();
    wait_rdp(rdp).await;
    [w, l]
}

async fn wait_rdp(port: u16) {
    let mut last = None;
    for _ in 0..50 {
        match dbc::compute::rdp_reachable("127.0.0.1", port, Duration::from_secs(3)).await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("RDP on {port} does not answer: {last:?}");
}

async fn after_restart(sandbox: &Sandbox, r: &Rental, before: &[Value; 2], old_url: &str) {
    let url = sandbox.client_url().expect("the simulator runs");
    assert_ne!(url, old_url, "the simulator moved to a new port");
    let list = r.post(url, "/tasks", json!({})).await;
    let tasks = list["message"].as_array().unwrap_or_else(|| panic!("{list}"));
    for b in before {
        let id = b["task_id"].as_str().unwrap();
        let listed = tasks.iter().find(|t| t["task_id"] == id).unwrap_or_else(|| panic!("{id} listed: {list}"));
        assert_eq!(listed["status"], "running", "{list}");
        let d = r.post(url, &format!("/tasks/{id}"), json!({})).await["message"].clone();
        for k in ["status", "user_name", "login_password", "rdp_port", "ssh_port", "vnc_port", "os", "create_time"] {
            assert_eq!(d[k], b[k], "{k} of {id} after the restart");
        }
    }
    let rdp: u16 = before[0]["rdp_port"].as_str().unwrap().parse().unwrap();
    wait_rdp(rdp).await;
    let ssh: u16 = before[1]["ssh_port"].as_str().unwrap().parse().unwrap();
    let pw = before[1]["login_password"].as_str().unwrap();
    let mut c = None;
    for _ in 0..30 {
        c = ssh_util::password_client(ssh, "dbc", pw).await;
        if c.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut c = c.expect("the Linux VM's SSH server takes the same password");
    assert_eq!(c.exec("true").await.status, 0);
}
