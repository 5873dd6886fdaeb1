//! The simulator against the real practice chain: start the sandbox (chopsticks
//! with the DBC runtime, seeded), rent an idle seeded machine with a signed
//! `RentMachine.rent_machine`, then create a Windows VM through the simulator
//! with that `rent_order`. Needs chopsticks (`make sandbox-deps`) and the
//! chain spec; without them it fails, it does not skip.

use std::sync::Arc;
use std::time::Duration;

use dbc_sandbox::client_sim::{ChainView, ClientSim, ClientSimConfig, PracticeChain, RdpMode};
use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig, SeedConfig};
use serde_json::{json, Value};
use subxt::dynamic::Value as DValue;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

fn signed(who: &Keypair, mid: &str, rent_order: &str, additional: Value) -> Value {
    let nonce: String = (0..40).map(|_| (b'a' + rand::random::<u8>() % 26) as char).collect();
    json!({
        "peer_nodes_list": [mid], "additional": additional,
        "wallet": AccountId32::from(who.public_key().0).to_string(),
        "nonce": nonce, "sign": hex::encode(who.sign(nonce.as_bytes()).0), "rent_order": rent_order,
    })
}

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
    sim.stop().await;
    Ok(())
}
