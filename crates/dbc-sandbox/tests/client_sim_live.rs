//! The simulator against the real practice chain: start the sandbox (chopsticks
//! with the DBC runtime, seeded), rent an idle seeded machine with a signed
//! `RentMachine.rent_machine`, then create a Windows VM through the simulator
//! with that `rent_order`; then a Linux VM on the same rental, whose SSH
//! server (password login, the app's key install, Debian's `ssh` with that
//! key, `nvidia-smi` from the machine's chain record) follows the VM through
//! stop, start and delete. Needs chopsticks (`make sandbox-deps`) and the
//! chain spec; without them it fails, it does not skip.

use std::sync::Arc;
use std::time::Duration;

use dbc_sandbox::client_sim::{ChainView, ClientSim, ClientSimConfig, PracticeChain, RdpMode};
use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig, SeedConfig};
use serde_json::{json, Value};
use subxt::dynamic::Value as DValue;

#[path = "common/sim_requests.rs"]
mod sim_requests;
#[path = "common/ssh_util.rs"]
mod ssh_util;
use sim_requests::signed;
use subxt_signer::sr25519::Keypair;

#[tokio::test]
async fn rent_on_the_practice_chain_then_create_a_vm() {
    dbc_sandbox::install_crypto_provider();
    let dir = std::env::temp_dir().join(format!("dbc-client-sim-live-{}", std::process::id()));
    let mut cfg = SandboxConfig::new(dir.clone());
    cfg.fresh = true;
    cfg.persist = false;
    cfg.block_time = None;
    cfg.client_sim = false; // this test starts its own
    cfg.seed = SeedConfig { machines: 12, ..SeedConfig::default() };
    let sandbox = Sandbox::start(cfg).await.unwrap_or_else(|e| {
        let _ = std::fs::remove_dir_all(&dir);
        panic!("practice network unavailable (run `make sandbox-deps`): {} ({})", e.message, e.code)
    });
    // Stop chopsticks and clean up even when an assertion fails.
    let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(run(&sandbox))).await;
    sandbox.stop().await.expect("stop sandbox");
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(r) => r.expect("live flow"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

async fn run(sandbox: &Sandbox) -> Result<(), String> {
    let chain = Arc::new(PracticeChain::connect(sandbox.chain_url()).await.map_err(|e| e.message)?);
    // An idle machine: status Online (no GPU rented).
    let machines = chain.machines().await.map_err(|e| e.message)?;
    let m = machines
        .iter()
        .find(|m| m.machine_status == "Online" && m.gpu_num > 0)
        .ok_or("no idle seeded machine")?
        .clone();
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).ok_or("no renter account")?;
    let key = keypair_from_uri(&renter.uri);

    // rent_machine(machine_id, rent_gpu_num, duration): the whole machine for 300 blocks.
    let call = subxt::dynamic::tx(
        "RentMachine",
        "rent_machine",
        (DValue::from_bytes(m.machine_id.as_bytes()), DValue::u128(m.gpu_num as u128), DValue::u128(300)),
    );
    let at = sandbox.chain().at_best().await.map_err(|e| e.message)?;
    let progress = at.tx().sign_and_submit_then_watch_default(&call, &key).await.map_err(|e| e.to_string())?;
    progress.wait_for_finalized_success().await.map_err(|e| e.to_string())?;
    // The new order id: the renter's live orders (RentMachine.UserOrder), the newest.
    let at = sandbox.chain().at_best().await.map_err(|e| e.message)?;
    let addr = subxt::dynamic::storage::<([u8; 32],), Vec<u64>>("RentMachine", "UserOrder");
    let ids = at
        .storage()
        .fetch(addr, (key.public_key().0,))
        .await
        .map_err(|e| e.to_string())?
        .decode()
        .map_err(|e| e.to_string())?;
    let rent_id = *ids.iter().max().ok_or("no order for the renter")?;

    // The simulator sees the order through storage.
    let mut order = None;
    for _ in 0..50 {
        order = chain.rent_order(rent_id).await.map_err(|e| e.message)?;
        if order.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let order = order.ok_or("RentInfo not visible")?;
    assert_eq!(order.renter, renter.address);
    assert_eq!(order.machine_id, m.machine_id);
    assert_eq!(order.rent_status, "WaitingVerifying");

    let sim_cfg = ClientSimConfig { boot_time: Duration::from_secs(1), rdp: RdpMode::PlainTcp, ..Default::default() };
    let sim = ClientSim::start(sim_cfg, chain.clone()).await.map_err(|e| e.message)?;
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let http = http.clone();
        let url = format!("{}/api/v1{path}", sim.url());
        async move { http.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let rdp = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let add = json!({
        "image_name": "win10_ovmf_dbc.qcow2", "desc": "live", "operation_system": "windows", "bios_mode": "uefi",
        "rdp_port": rdp.to_string(), "vnc_port": "5905", "gpu_count": m.gpu_num.to_string(),
        "cpu_cores": "4", "mem_size": "8", "disk_size": "50"
    });
    let rid = rent_id.to_string();
    let v = post("/tasks/start".into(), signed(&key, &m.machine_id, &rid, add)).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    // Another wallet is not the renter of this order.
    let other = Keypair::from_secret_key(rand::random::<[u8; 32]>()).unwrap();
    let v = post("/tasks".into(), signed(&other, &m.machine_id, &rid, json!({}))).await;
    assert_eq!(v["message"], "check authority failed: wallet not rented", "{v}");
    let mut last = Value::Null;
    for _ in 0..100 {
        last = post(format!("/tasks/{task}"), signed(&key, &m.machine_id, &rid, json!({}))).await;
        if last["message"]["status"] == "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last["message"]["status"], "running", "{last}");
    assert_eq!(last["message"]["user_name"], "Administrator");
    assert_eq!(last["message"]["login_password"].as_str().unwrap().len(), 16);
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", rdp)).await.is_ok());

    // Power the Windows VM off (its GPUs are free again), then a Linux VM.
    let wait = |task: String, status: &'static str| {
        let post = &post;
        let (key, mid, rid) = (&key, &m.machine_id, &rid);
        async move {
            let mut last = Value::Null;
            for _ in 0..100 {
                last = post(format!("/tasks/{task}"), signed(key, mid, rid, json!({}))).await;
                if last["message"]["status"] == status {
                    return last;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            panic!("{task} never reached {status}: {last}");
        }
    };
    let v = post(format!("/tasks/stop/{task}"), signed(&key, &m.machine_id, &rid, json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    wait(task.clone(), "closed").await;
    let ssh = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let add = json!({
        "image_name": "ubuntu2204.qcow2", "desc": "live linux", "operation_system": "linux",
        "ssh_port": ssh.to_string(), "vnc_port": "5906", "gpu_count": m.gpu_num.to_string(),
        "cpu_cores": "4", "mem_size": "8", "disk_size": "50"
    });
    let v = post("/tasks/start".into(), signed(&key, &m.machine_id, &rid, add)).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let linux = v["message"]["task_id"].as_str().unwrap().to_string();
    let d = wait(linux.clone(), "running").await;
    assert_eq!(d["message"]["ssh_port"], ssh.to_string(), "{d}");
    assert_eq!(d["message"]["user_name"], "dbc", "{d}");
    let pw = d["message"]["login_password"].as_str().unwrap().to_string();
    let mut open = false;
    for _ in 0..50 {
        if sim.task_ssh_port(&linux) == Some(ssh) {
            open = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(open, "no SSH server for the running Linux VM");

    // The app's flow: a password login installs the app's key, then the key logs in.
    let tmp = tempfile::tempdir().unwrap();
    let id = ssh_util::keygen(tmp.path(), "id_app");
    let pubkey = std::fs::read_to_string(id.with_extension("pub")).unwrap();
    let mut c = ssh_util::password_client(ssh, "dbc", &pw).await.ok_or("password refused")?;
    let install = format!(
        "mkdir -p ~/.ssh && chmod 700 ~/.ssh && echo '{}' >> ~/.ssh/authorized_keys && chmod 600 ~/.ssh/authorized_keys",
        pubkey.trim()
    );
    assert_eq!(c.exec(&install).await.status, 0);
    let kh = tmp.path().join("known_hosts");
    let r = ssh_util::openssh(ssh, &id, &kh, "nvidia-smi --query-gpu=name,memory.total --format=csv", None).await;
    assert_eq!(r.status, 0, "{r:?}");
    assert!(m.gpu_mem > 0, "gpu_mem read from the chain: {m:?}");
    let row = format!("{}, {} MiB", dbc_sandbox::client_sim::ssh_shell::marketing_name(&m.gpu_type), m.gpu_mem * 1024);
    let mut want = String::from("name, memory.total [MiB]\n");
    for _ in 0..m.gpu_num {
        want.push_str(&row);
        want.push('\n');
    }
    assert_eq!(r.stdout, want, "{r:?}");
    let logins = sim.vm_folder(&linux).unwrap().read_logins();
    let methods: Vec<&str> = logins.iter().map(|l| l.method.as_str()).collect();
    assert_eq!(methods, ["password", "publickey"], "{logins:?}");

    // stop: no more logins; start: the same host key (strict checking passes); delete: gone.
    let v = post(format!("/tasks/stop/{linux}"), signed(&key, &m.machine_id, &rid, json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    wait(linux.clone(), "closed").await;
    assert_eq!(ssh_util::openssh(ssh, &id, &kh, "true", None).await.status, 255);
    let v = post(format!("/tasks/start/{linux}"), signed(&key, &m.machine_id, &rid, json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    wait(linux.clone(), "running").await;
    let mut r = ssh_util::openssh_strict(ssh, &id, &kh, "true").await;
    for _ in 0..30 {
        if r.status == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        r = ssh_util::openssh_strict(ssh, &id, &kh, "true").await;
    }
    assert_eq!(r.status, 0, "after start: {r:?}");
    let v = post(format!("/tasks/delete/{linux}"), signed(&key, &m.machine_id, &rid, json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    let mut closed = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", ssh)).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed, "SSH still open after delete");
    sim.stop().await;
    Ok(())
}
