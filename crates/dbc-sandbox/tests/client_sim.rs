//! The DBC client simulator over real HTTP (reqwest) with an in-memory chain.
//! Expected texts and codes: reference/compute-api.md §1.2, §1.4, §2.1, §8.

use std::sync::Arc;
use std::time::Duration;

use dbc_sandbox::client_sim::{ClientSim, ClientSimConfig, MemoryChain, RdpKind, RdpMode, SimImage};
use serde_json::{json, Value};

#[path = "common/sim_requests.rs"]
mod sim_requests;
#[path = "common/ssh_util.rs"]
mod ssh_util;
use sim_requests::{free_port, machine, order, signed, ss58};
use subxt_signer::sr25519::{dev, Keypair};

const M4: &str = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";
const M1: &str = "90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22";

struct Rig {
    sim: ClientSim,
    chain: MemoryChain,
    http: reqwest::Client,
}

fn fast_config() -> ClientSimConfig {
    let images = vec![
        SimImage::new("win10_ovmf_dbc.qcow2", 25),
        SimImage::new("windows11_dbc.qcow2", 32),
        SimImage::new("ubuntu2204.qcow2", 8),
        SimImage::failing("win_broken_dhcp.qcow2", 20),
    ];
    ClientSimConfig { images, ..sim_requests::fast_config() }
}

async fn rig_with(cfg: ClientSimConfig) -> Rig {
    dbc_sandbox::install_crypto_provider();
    let chain = MemoryChain::new();
    chain.put_machine(machine(M4, 4, "Rented"));
    chain.put_machine(machine(M1, 1, "Online"));
    chain.set_block(200);
    // Order 7: Alice rents 2 of the 4 GPUs of M4, not yet confirmed.
    chain.put_order(order(7, &dev::alice(), M4, "WaitingVerifying", vec![0, 1], 1000));
    // Order 8: Charlie rents all 4 GPUs of M4 (confirmed).
    chain.put_order(order(8, &dev::charlie(), M4, "Renting", vec![0, 1, 2, 3], 1000));
    // Order 9: Alice's order on the other machine.
    chain.put_order(order(9, &dev::alice(), M1, "Renting", vec![0], 1000));
    let sim = ClientSim::start(cfg, Arc::new(chain.clone())).await.expect("start simulator");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(45)).build().unwrap();
    Rig { sim, chain, http }
}

async fn rig() -> Rig {
    rig_with(fast_config()).await
}

/// A rig whose client gives up waiting for a node after 700 ms.
async fn impatient_rig() -> Rig {
    rig_with(ClientSimConfig { client_timeout: Duration::from_millis(700), ..fast_config() }).await
}

fn win_additional(rdp: u16, vnc: u16, gpus: &str) -> Value {
    json!({
        "image_name": "win10_ovmf_dbc.qcow2", "desc": "tauri vm 1", "operation_system": "windows",
        "bios_mode": "uefi", "rdp_port": rdp.to_string(), "vnc_port": vnc.to_string(),
        "gpu_count": gpus, "cpu_cores": "8", "mem_size": "32", "disk_size": "100"
    })
}

fn linux_additional(ssh: u16, vnc: u16, gpus: &str) -> Value {
    json!({
        "image_name": "ubuntu2204.qcow2", "desc": "linux vm", "operation_system": "linux",
        "ssh_port": ssh.to_string(), "vnc_port": vnc.to_string(),
        "gpu_count": gpus, "cpu_cores": "8", "mem_size": "32", "disk_size": "100"
    })
}

impl Rig {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.sim.url())
    }
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self.http.post(self.url(path)).json(body).send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!(text.ends_with("\r\n"), "responses end with CRLF: {text:?}");
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }
    async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let r = self.http.post(self.url(path)).body(body.to_string()).send().await.unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().await.unwrap()).unwrap())
    }
    async fn create(&self, who: &Keypair, mid: &str, rent: &str, add: Value) -> (u16, Value) {
        self.post("/tasks/start", &signed(who, mid, rent, add)).await
    }
    async fn detail(&self, who: &Keypair, mid: &str, rent: &str, task: &str) -> Value {
        let (st, v) = self.post(&format!("/tasks/{task}"), &signed(who, mid, rent, json!({}))).await;
        assert_eq!(st, 200);
        v
    }
    /// Poll the task detail until `status` or panic after `within`.
    async fn wait_status(
        &self,
        who: &Keypair,
        mid: &str,
        rent: &str,
        task: &str,
        status: &str,
        within: Duration,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let v = self.detail(who, mid, rent, task).await;
            if v["message"]["status"] == status {
                return v;
            }
            assert!(tokio::time::Instant::now() < deadline, "task {task} never reached {status}: {v}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn err(v: &Value) -> (i64, &str) {
    (v["errcode"].as_i64().unwrap(), v["message"].as_str().unwrap_or(""))
}

async fn port_open(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
}

async fn wait_port(port: u16, open: bool) {
    for _ in 0..100 {
        if port_open(port).await == open {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("port {port} never became {}", if open { "open" } else { "closed" });
}

#[tokio::test]
async fn version_nodes_images_and_client_side_errors() {
    let r = rig().await;
    let v: Value = r.http.get(r.url("/")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v, json!({"errcode": 0, "message": {"client_version": "0.4.1.8"}}));

    // Node list and one node's info.
    let (st, v) = r.post("/mining_nodes", &json!({"peer_nodes_list": [], "additional": {}})).await;
    assert_eq!(st, 200);
    let ids: Vec<&str> =
        v["message"]["mining_nodes"].as_array().unwrap().iter().map(|n| n["node_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&M4) && ids.contains(&M1), "{v}");
    let (st, v) = r.post("/mining_nodes", &json!({"peer_nodes_list": [M4], "additional": {}})).await;
    assert_eq!(st, 200);
    let m = &v["message"];
    assert_eq!(m["cpu"]["cores"], "64");
    assert_eq!(m["gpu"]["gpu_count"], "4");
    assert_eq!(m["mem"]["size"], "512G");
    assert_eq!(m["disk_data"][0]["path"], "/data");
    assert_eq!(m["disk_data"][0]["free"], "3650G");
    let images: Vec<&str> = m["images"].as_array().unwrap().iter().map(|i| i["image_name"].as_str().unwrap()).collect();
    assert!(images.iter().any(|n| n.contains("win")), "{images:?}");
    assert!(images.contains(&"ubuntu2204.qcow2"));
    // /api/v1/images spells the key "image_name:" (nrs:2798).
    let (st, v) = r.post("/images", &json!({"peer_nodes_list": [M4], "additional": {}})).await;
    assert_eq!(st, 200);
    assert_eq!(v["message"][0]["image_name:"], "win10_ovmf_dbc.qcow2");

    // 404 for an unknown prefix.
    let (st, v) = r.post("/nope", &json!({})).await;
    assert_eq!((st, err(&v)), (404, (-32601, "not support uri:/api/v1/nope")));
    // Not POST.
    let resp = r.http.get(r.url("/tasks")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let v: Value = resp.json().await.unwrap();
    assert_eq!(err(&v), (-32600, "only support POST request"));
    // Envelope errors.
    let (st, v) = r.post("/tasks/start", &json!({"peer_nodes_list": [M4]})).await;
    assert_eq!((st, err(&v)), (400, (-25, "has no additional")));
    let (st, v) = r.post("/tasks", &json!({"peer_nodes_list": "x", "additional": {}})).await;
    assert_eq!((st, err(&v)), (400, (-25, "peer_nodes_list is not array")));
    let (st, v) = r.post("/tasks", &json!({"peer_nodes_list": [], "additional": {}})).await;
    assert_eq!((st, err(&v)), (400, (-25, "peer_nodeid is empty")));
    let (st, v) = r.post_raw("/tasks", "").await;
    assert_eq!((st, err(&v)), (400, (-25, "http request body is empty")));
    let (st, v) = r.post_raw("/tasks", "[1]").await;
    assert_eq!((st, err(&v)), (400, (-25, "invalid json")));
    let (st, v) = r.post_raw("/tasks", "{nope").await;
    assert_eq!(st, 400);
    assert!(err(&v).1.starts_with("json parse error: "), "{v}");
    let mut body = signed(&dev::alice(), M4, "7", json!({}));
    body["rent_order"] = json!(7);
    let (st, v) = r.post("/tasks", &body).await;
    assert_eq!((st, err(&v)), (400, (-25, "rent_order is not string")));
    // No credentials.
    let (st, v) = r.post("/tasks/start", &json!({"peer_nodes_list": [M4], "additional": {}})).await;
    assert_eq!((st, err(&v)), (400, (-25, "session_id and wallet all invalid")));
    let (st, v) = r.post("/tasks", &json!({"peer_nodes_list": [M4], "additional": {}})).await;
    assert_eq!((st, err(&v)), (400, (-25, "wallet_sign and multisig_wallets all invalid")));
    // A node the client does not know.
    let (st, v) = r.post("/tasks", &signed(&dev::alice(), &"ab".repeat(32), "7", json!({}))).await;
    assert_eq!((st, err(&v)), (400, (-32701, "create node request failed")));
    // Too deep a path.
    let (st, v) = r.post("/tasks/a/b/c", &json!({})).await;
    assert_eq!((st, err(&v)), (400, (-32600, "invalid requests uri")));
    let (st, v) = r.post("/tasks/logs/x?flag=middle", &signed(&dev::alice(), M4, "7", json!({}))).await;
    assert_eq!((st, err(&v)), (400, (-25, "head_or_tail is invalid\"")));
    r.sim.stop().await;
}

#[tokio::test]
async fn authority_signature_wallet_and_order_checks() {
    let r = rig().await;
    let alice = dev::alice();
    // The renter is accepted (order still WaitingVerifying).
    let (st, v) = r.post("/tasks", &signed(&alice, M4, "7", json!({}))).await;
    assert_eq!((st, &v), (200, &json!({"errcode": 0, "message": []})));
    // Signature with a 0x prefix is accepted too.
    let mut b = signed(&alice, M4, "7", json!({}));
    b["sign"] = json!(format!("0x{}", b["sign"].as_str().unwrap()));
    assert_eq!(r.post("/tasks", &b).await.1["errcode"], 0);

    // Tampered nonce: node-side error, HTTP 200.
    let mut b = signed(&alice, M4, "7", json!({}));
    b["nonce"] = json!(format!("{}x", b["nonce"].as_str().unwrap()));
    let (st, v) = r.post("/tasks", &b).await;
    assert_eq!((st, err(&v)), (200, (-3, "check authority failed: nonce check failed")));
    // Someone else's signature under Alice's wallet.
    let mut b = signed(&dev::bob(), M4, "7", json!({}));
    b["wallet"] = json!(ss58(&alice));
    assert_eq!(err(&r.post("/tasks", &b).await.1), (-3, "check authority failed: nonce check failed"));
    // Another wallet, correctly signed, is not the renter.
    let (st, v) = r.post("/tasks", &signed(&dev::bob(), M4, "7", json!({}))).await;
    assert_eq!((st, err(&v)), (200, (-3, "check authority failed: wallet not rented")));
    // Missing, unknown or foreign-machine rent_order.
    let mut b = signed(&alice, M4, "7", json!({}));
    b.as_object_mut().unwrap().remove("rent_order");
    assert_eq!(err(&r.post("/tasks", &b).await.1), (-3, "check authority failed: wallet not rented"));
    assert_eq!(
        err(&r.post("/tasks", &signed(&alice, M4, "77", json!({}))).await.1),
        (-3, "check authority failed: wallet not rented")
    );
    assert_eq!(
        err(&r.post("/tasks", &signed(&alice, M4, "9", json!({}))).await.1),
        (-3, "check authority failed: wallet not rented")
    );
    // A machine that is not rented answers before any signature check.
    let (st, v) = r.post("/tasks", &signed(&alice, M1, "9", json!({}))).await;
    assert_eq!((st, err(&v)), (200, (-3, "check authority failed: machine is not be rented")));
    // Chain unreachable.
    r.chain.set_failing(true);
    assert_eq!(
        err(&r.post("/tasks", &signed(&alice, M4, "7", json!({}))).await.1),
        (-3, "check authority failed: query machine_status failed")
    );
    r.chain.set_failing(false);
    // Task detail of an unknown id.
    let v = r.detail(&alice, M4, "7", "NoSuchTask00000000000").await;
    assert_eq!(err(&v), (-3, "task_id not exist"));
}

#[tokio::test]
async fn additional_values_must_be_strings() {
    let r = rig().await;
    let charlie = dev::charlie(); // whole machine (4 of 4 GPUs)
    let alice = dev::alice(); // 2 of 4 GPUs
    let numeric = |rdp: Value| {
        json!({"image_name": "win10_ovmf_dbc.qcow2", "operation_system": "windows", "bios_mode": "uefi",
               "rdp_port": rdp, "vnc_port": "5901", "gpu_count": 2, "cpu_cores": 8, "mem_size": 32, "disk_size": 100})
    };
    // Partial rental: a numeric gpu_count reads as 0.
    let (st, v) = r.create(&alice, M4, "7", numeric(json!("23456"))).await;
    assert_eq!((st, err(&v)), (200, (1, "only use the number what you exactly rented")));
    // Whole machine: gpu_count 0 is fine, then the numeric rdp_port is "empty".
    let (_, v) = r.create(&charlie, M4, "8", numeric(json!(23456))).await;
    assert_eq!(err(&v), (1, "rdp_port is empty"));
    // ... and a numeric cpu_cores is "invalid".
    let (_, v) = r.create(&charlie, M4, "8", numeric(json!("23456"))).await;
    assert_eq!(err(&v), (1, "cpu_cores is invalid"));
    let mut add = numeric(json!("23456"));
    add["cpu_cores"] = json!("8");
    let (_, v) = r.create(&charlie, M4, "8", add.clone()).await;
    assert_eq!(err(&v), (1, "mem_size is invalid"));
    add["mem_size"] = json!("32");
    let (_, v) = r.create(&charlie, M4, "8", add.clone()).await;
    assert_eq!(err(&v), (1, "disk_size is invalid (usage: disk_size > 0)"));
    add["disk_size"] = json!("100");
    add["vnc_port"] = json!(5901);
    let (_, v) = r.create(&charlie, M4, "8", add.clone()).await;
    assert_eq!(err(&v), (1, "vnc_port is empty"));
    add["vnc_port"] = json!("5901");
    let (st, v) = r.create(&charlie, M4, "8", add).await;
    assert_eq!((st, v["errcode"].as_i64()), (200, Some(0)), "{v}");
    assert_eq!(v["message"]["status"], "creating");
}

#[tokio::test]
async fn gpu_count_rule_for_partial_rentals_and_other_validation() {
    let r = rig().await;
    let alice = dev::alice();
    let mk = |gpus: &str| win_additional(free_port(), 5901, gpus);
    assert_eq!(err(&r.create(&alice, M4, "7", mk("1")).await.1), (1, "only use the number what you exactly rented"));
    assert_eq!(err(&r.create(&alice, M4, "7", mk("3")).await.1), (1, "gpu_count exceeds number of leases"));
    assert_eq!(err(&r.create(&alice, M4, "7", mk("0")).await.1), (1, "only use the number what you exactly rented"));
    // One value wrong at a time, each with the node's text.
    for (key, value, want) in [
        // CPU share: floor(64 x 2/4) = 32.
        ("cpu_cores", "33", "allocate cpu failed"),
        ("vnc_port", "5000", "vnc_port is invalid (usage: [5900, 65535])"),
        ("image_name", "nope.qcow2", "'image_name' is not exist (path:/data/nope.qcow2)"),
        ("task_id", "short", "wrong task id length"),
        ("disk_size", "99999", "allocate disk failed"),
    ] {
        let mut a = mk("2");
        a[key] = json!(value);
        assert_eq!(err(&r.create(&alice, M4, "7", a).await.1), (1, want), "{key} = {value}");
    }
    // Exactly the rented count works; the GPUs are then taken.
    let (_, v) = r.create(&alice, M4, "7", mk("2")).await;
    assert_eq!(v["errcode"], 0, "{v}");
    assert_eq!(err(&r.create(&alice, M4, "7", mk("2")).await.1), (1, "allocate gpu failed"));
    // The miner's own VMs did not stop.
    r.sim.set_miner_busy(M4, true);
    assert_eq!(
        err(&r.create(&alice, M4, "7", mk("2")).await.1),
        (-3, "create task failed, please try again in a minute")
    );
}

#[tokio::test]
async fn lifecycle_login_info_port_conflict_rdp_port_and_power_ops() {
    let r = rig().await;
    let charlie = dev::charlie();
    let (rdp, vnc) = (free_port(), 5902);
    let mut add = win_additional(rdp, vnc, "1");
    add["task_id"] = json!("DbcWin7Kj9k7Bteh2E88cA");
    let (st, v) = r.create(&charlie, M4, "8", add).await;
    assert_eq!(st, 200);
    assert_eq!(v["errcode"], 0, "{v}");
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    assert_eq!(task, "DbcWin7Kj9k7Bteh2E88cA");
    assert_eq!(v["message"]["desc"], "tauri vm 1");
    // Same task id again.
    let mut again = win_additional(free_port(), 5990, "1");
    again["task_id"] = json!(task);
    assert_eq!(err(&r.create(&charlie, M4, "8", again).await.1), (1, "task id already existed"));
    // Port conflicts with the first VM (its domain is up while creating).
    let (st, v) = r.create(&charlie, M4, "8", win_additional(rdp, 5903, "1")).await;
    assert_eq!((st, err(&v)), (200, (1, format!("port conflict, exist rdp_port = {rdp}").as_str())));
    let (_, v) = r.create(&charlie, M4, "8", win_additional(free_port(), vnc, "1")).await;
    assert_eq!(err(&v), (1, format!("port conflict, exist vnc_port = {vnc}").as_str()));

    let creating = r.detail(&charlie, M4, "8", &task).await;
    assert_eq!(creating["message"]["status"], "creating");
    assert!(!port_open(rdp).await, "no RDP while creating");
    let t0 = std::time::Instant::now();
    let v = r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(10)).await;
    assert!(t0.elapsed() < Duration::from_secs(5));
    let m = &v["message"];
    assert_eq!(m["os"], "windows");
    assert_eq!(m["ssh_ip"], "127.0.0.1");
    assert_eq!(m["rdp_port"], rdp.to_string());
    assert_eq!(m["user_name"], "Administrator");
    let pw = m["login_password"].as_str().unwrap();
    assert_eq!(pw.chars().count(), 16, "{pw}");
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric() || "_/+[]@#^".contains(c)));
    assert_eq!(m["cpu_cores"], 8);
    assert_eq!(m["gpu_count"], 1);
    assert_eq!(m["mem_size"], "32G");
    assert_eq!(m["rent_order"], "8");
    assert_eq!(m["vnc_port"], vnc.to_string());
    assert!(m.get("ssh_port").is_none());
    assert_eq!(m["disks"].as_array().unwrap().len(), 2);
    wait_port(rdp, true).await;
    assert_eq!(r.sim.task_rdp_kind(&task), Some(RdpKind::PlainTcp));

    // List and logs.
    let (_, v) = r.post("/tasks", &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"][0]["task_id"], task);
    assert_eq!(v["message"][0]["status"], "running");
    let (_, v) =
        r.post(&format!("/tasks/logs/{task}?flag=tail&line_num=50"), &signed(&charlie, M4, "8", json!({}))).await;
    let lines: Vec<&str> =
        v["message"]["log_content"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lines.last().unwrap().ends_with("create task successful"), "{lines:?}");
    assert!(lines.iter().all(|l| l.contains(&format!(" | {task} | "))));
    let (_, v) =
        r.post(&format!("/tasks/logs/{task}?flag=head&line_num=1"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"]["log_content"].as_array().unwrap().len(), 1);

    // Another renter cannot see it.
    let alice = dev::alice();
    assert_eq!(err(&r.detail(&alice, M4, "7", &task).await), (-3, "task_id not exist"));

    // stop = hard power-off; RDP goes away.
    let (st, v) = r.post(&format!("/tasks/stop/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!((st, &v), (200, &json!({"errcode": 0, "message": "ok"})));
    r.wait_status(&charlie, M4, "8", &task, "closed", Duration::from_secs(5)).await;
    wait_port(rdp, false).await;
    let (_, v) = r.post(&format!("/tasks/stop/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(err(&v), (1, "task is shut_off"));
    // The port is free again for another VM while this one is off (a
    // whole-machine renter may create a VM without GPUs: gpu_count "0").
    let (_, v) = r.create(&charlie, M4, "8", win_additional(rdp, 5910, "0")).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let other = v["message"]["task_id"].as_str().unwrap().to_string();
    // ... so starting the first one now fails the resource check.
    let (_, v) = r.post(&format!("/tasks/start/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(err(&v), (1, "check rdp_port failed"));
    // A VM that took its GPU would fail first on "check gpu failed" (GPUs of
    // shut-off VMs are free for others; the lowest free index is taken).
    let (_, v) = r.post(&format!("/tasks/delete/{other}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while r.detail(&charlie, M4, "8", &other).await["errcode"] == 0 {
        assert!(tokio::time::Instant::now() < deadline, "delete never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // start again; restart; then delete.
    let (_, v) = r.post(&format!("/tasks/start/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(5)).await;
    wait_port(rdp, true).await;
    let (_, v) = r.post(&format!("/tasks/start/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(err(&v), (1, "task is running"));
    let (_, v) =
        r.post(&format!("/tasks/restart/{task}?force_reboot=true"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(5)).await;
    let (_, v) = r.post(&format!("/tasks/delete/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let v = r.detail(&charlie, M4, "8", &task).await;
        if err(&v) == (-3, "task_id not exist") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_port(rdp, false).await;
    let (_, v) = r.post(&format!("/tasks/delete/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(err(&v), (1, "task not exist"));
}

#[tokio::test]
async fn create_error_path_and_unescaped_desc() {
    let r = rig().await;
    let charlie = dev::charlie();
    let mut add = win_additional(free_port(), 5920, "1");
    add["image_name"] = json!("win_broken_dhcp.qcow2");
    let (_, v) = r.create(&charlie, M4, "8", add).await;
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    r.wait_status(&charlie, M4, "8", &task, "create error", Duration::from_secs(5)).await;
    let (_, v) = r.post(&format!("/tasks/logs/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    let logs = v["message"]["log_content"].to_string();
    assert!(logs.contains("get domain local ip failed") && logs.contains("create task failed"), "{logs}");

    // A quote in desc breaks the node's hand-written JSON: the client says 500.
    let mut add = win_additional(free_port(), 5921, "1");
    add["desc"] = json!("my \"vm\"");
    let (st, v) = r.create(&charlie, M4, "8", add).await;
    assert_eq!((st, err(&v)), (500, (-1, "response parse error")));
}

#[tokio::test]
async fn slow_node_gives_create_task_timeout_but_the_vm_is_created() {
    let r = impatient_rig().await;
    let charlie = dev::charlie();
    r.sim.set_node_delay(M4, Duration::from_millis(1500));
    let mut add = win_additional(free_port(), 5930, "1");
    add["task_id"] = json!("SlowNodeTask000000001");
    let (st, v) = r.create(&charlie, M4, "8", add).await;
    assert_eq!((st, err(&v)), (500, (-1, "create task timeout")));
    let (st, v) = r.post("/tasks", &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!((st, err(&v)), (500, (-1, "list task timeout")));
    // The node went on: once it answers quickly again, polling finds the VM.
    r.sim.set_node_delay(M4, Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let v = r.wait_status(&charlie, M4, "8", "SlowNodeTask000000001", "running", Duration::from_secs(10)).await;
    assert_eq!(v["message"]["user_name"], "Administrator");
}

/// The owner's own VMs stop slowly: the create times out at the client, the
/// node still creates the VM, and later requests are answered at once
/// (the owner's VMs are off by then).
#[tokio::test]
async fn slow_miner_vms_time_out_the_create_once_but_the_vm_is_created() {
    let r = impatient_rig().await;
    let charlie = dev::charlie();
    r.sim.set_miner_vms_running(M4, Duration::from_millis(1500));
    // Reads do not wait for the owner's VMs.
    let (st, v) = r.post("/tasks", &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!((st, v["errcode"].as_i64()), (200, Some(0)), "{v}");
    let mut add = win_additional(free_port(), 5931, "1");
    add["task_id"] = json!("SlowMinerTask00000001");
    let (st, v) = r.create(&charlie, M4, "8", add.clone()).await;
    assert_eq!((st, err(&v)), (500, (-1, "create task timeout")));
    let v = r.wait_status(&charlie, M4, "8", "SlowMinerTask00000001", "running", Duration::from_secs(10)).await;
    assert_eq!(v["message"]["user_name"], "Administrator");
    // Sending the same create again is answered at once and refused: one VM.
    let (st, v) = r.create(&charlie, M4, "8", add).await;
    assert_eq!((st, err(&v)), (200, (1, "task id already existed")));
}

#[tokio::test]
async fn vm_powered_off_when_the_order_disappears_or_ends() {
    let r = rig().await;
    let (alice, charlie) = (dev::alice(), dev::charlie());
    let rdp_a = free_port();
    let (_, v) = r.create(&alice, M4, "7", win_additional(rdp_a, 5940, "2")).await;
    let ta = v["message"]["task_id"].as_str().unwrap().to_string();
    let rdp_c = free_port();
    let (_, v) = r.create(&charlie, M4, "8", win_additional(rdp_c, 5941, "1")).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let tc = v["message"]["task_id"].as_str().unwrap().to_string();
    r.wait_status(&alice, M4, "7", &ta, "running", Duration::from_secs(10)).await;
    r.wait_status(&charlie, M4, "8", &tc, "running", Duration::from_secs(10)).await;
    wait_port(rdp_a, true).await;
    wait_port(rdp_c, true).await;

    // Order 7 expires unconfirmed: RentInfo is gone.
    r.chain.remove_order(7);
    wait_port(rdp_a, false).await;
    assert!(port_open(rdp_c).await, "the other renter's VM keeps running");
    // Alice can no longer authenticate with that order.
    assert_eq!(err(&r.detail(&alice, M4, "7", &ta).await), (-3, "check authority failed: wallet not rented"));

    // Order 8 reaches rent_end: the node powers the VM off; the detail says closed.
    r.chain.set_block(1001);
    wait_port(rdp_c, false).await;
    r.chain.set_block(1000); // keep authenticating with it (status would still be Renting on chain until removed)
    let v = r.detail(&charlie, M4, "8", &tc).await;
    assert_eq!(v["message"]["status"], "closed", "{v}");
    let (_, v) = r.post(&format!("/tasks/logs/{tc}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert!(v["message"]["log_content"].to_string().contains("task rent end:1000"), "{v}");
}

/// With Xvfb + freerdp-shadow-cli + winpr-hash installed, the RDP port of a
/// running VM is a real RDP server that accepts the VM's password only.
#[tokio::test]
async fn real_rdp_endpoint_accepts_only_the_vm_password() {
    // `make test` installs these (scripts/install-deps.sh test); a missing
    // tool fails the test rather than skipping what it proves.
    assert!(
        dbc_sandbox::client_sim::real_rdp_available() && which("xfreerdp").is_some(),
        "freerdp-shadow-cli, Xvfb, winpr-hash and xfreerdp are needed: apt-get install freerdp2-shadow-x11 freerdp2-x11 xvfb winpr-utils"
    );
    let r = rig_with(ClientSimConfig { rdp: RdpMode::Auto, ..fast_config() }).await;
    assert_eq!(r.sim.rdp_kind(), Some(RdpKind::FreerdpShadow));
    let charlie = dev::charlie();
    let rdp = free_port();
    let (_, v) = r.create(&charlie, M4, "8", win_additional(rdp, 5950, "1")).await;
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    let v = r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(10)).await;
    let password = v["message"]["login_password"].as_str().unwrap().to_string();
    let user = v["message"]["user_name"].as_str().unwrap().to_string();
    wait_port(rdp, true).await;
    let mut kind = None;
    for _ in 0..100 {
        kind = r.sim.task_rdp_kind(&task);
        if kind.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(kind, Some(RdpKind::FreerdpShadow));
    let display = r.sim.rdp_display().await.expect("Xvfb display");

    let auth = |pw: String| {
        let user = user.clone();
        async move {
            let out = tokio::process::Command::new("xfreerdp")
                .arg(format!("/v:127.0.0.1:{rdp}"))
                .arg(format!("/u:{user}"))
                .arg(format!("/p:{pw}"))
                .args(["/cert:ignore", "+auth-only"])
                .env("DISPLAY", format!(":{display}"))
                .stdin(std::process::Stdio::null())
                .kill_on_drop(true)
                .output();
            let out = tokio::time::timeout(Duration::from_secs(30), out).await.expect("xfreerdp hung").unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout),
            )
        }
    };
    let (code, log) = auth(password.clone()).await;
    assert_eq!(code, Some(0), "right password must authenticate: {log}");
    let (code, log) = auth(format!("{password}x")).await;
    assert_ne!(code, Some(0), "wrong password must fail: {log}");

    // Power-off closes the RDP server.
    let (_, v) = r.post(&format!("/tasks/stop/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    wait_port(rdp, false).await;
    r.sim.stop().await;
}

fn which(bin: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(bin)).find(|p| p.is_file())
}

/// A running Linux VM has a real SSH server on its `ssh_port`: user `dbc`
/// with the password of the task detail, `nvidia-smi` with the chain's GPU
/// model and memory and the VM's GPU count; it closes on stop and delete,
/// comes back with the same host key on start, and records its logins.
#[tokio::test]
async fn linux_vm_ssh_server_follows_the_vm() {
    let vms = tempfile::tempdir().unwrap();
    let r = rig_with(ClientSimConfig { vm_dir: Some(vms.path().to_path_buf()), ..fast_config() }).await;
    let charlie = dev::charlie();
    let ssh = free_port();
    let (_, v) = r.create(&charlie, M4, "8", linux_additional(ssh, 5950, "2")).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    assert!(!port_open(ssh).await, "no SSH while creating");
    let v = r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(10)).await;
    let m = &v["message"];
    assert_eq!(
        (m["os"].as_str(), m["ssh_port"].as_str(), m["user_name"].as_str()),
        (Some("linux"), Some(ssh.to_string().as_str()), Some("dbc"))
    );
    let pw = m["login_password"].as_str().unwrap().to_string();
    wait_port(ssh, true).await;
    assert_eq!(r.sim.task_ssh_port(&task), Some(ssh));
    assert_eq!(r.sim.task_rdp_kind(&task), None);

    assert!(ssh_util::password_client(ssh, "dbc", "not-the-password").await.is_none());
    let mut c = ssh_util::password_client(ssh, "dbc", &pw).await.expect("the detail's password logs in");
    let e = c.exec("nvidia-smi --query-gpu=name,memory.total --format=csv,noheader").await;
    assert_eq!(e.stdout, "NVIDIA GeForce RTX 4090, 24576 MiB\nNVIDIA GeForce RTX 4090, 24576 MiB\n", "{e:?}");
    // The test hook: show another model.
    r.sim.set_gpu_model(&task, Some("NVIDIA GeForce RTX 3060")).unwrap();
    let e = c.exec("nvidia-smi -L").await;
    assert!(e.stdout.starts_with("GPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-"), "{e:?}");
    r.sim.set_gpu_model(&task, None).unwrap();
    let key_before = ssh_util::host_key(ssh).await;

    let folder = r.sim.vm_folder(&task).unwrap();
    assert_eq!(folder.root(), vms.path().join(&task));
    let logins = folder.read_logins();
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!((logins[0].user.as_str(), logins[0].method.as_str()), ("dbc", "password"));

    // stop: the server closes, open sessions end.
    let (_, v) = r.post(&format!("/tasks/stop/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    r.wait_status(&charlie, M4, "8", &task, "closed", Duration::from_secs(5)).await;
    wait_port(ssh, false).await;
    assert_eq!(r.sim.task_ssh_port(&task), None);
    // start: back with the same host key.
    let (_, v) = r.post(&format!("/tasks/start/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    r.wait_status(&charlie, M4, "8", &task, "running", Duration::from_secs(5)).await;
    wait_port(ssh, true).await;
    assert_eq!(ssh_util::host_key(ssh).await, key_before, "host key changed across stop/start");
    assert!(ssh_util::password_client(ssh, "dbc", &pw).await.is_some());
    assert_eq!(folder.read_logins().len(), 2);

    // delete: gone.
    let (_, v) = r.post(&format!("/tasks/delete/{task}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok");
    wait_port(ssh, false).await;
}

/// The rental's end closes the SSH server like the RDP endpoint.
#[tokio::test]
async fn linux_vm_ssh_server_closes_when_the_rental_ends() {
    let r = rig().await;
    let alice = dev::alice();
    let ssh = free_port();
    let (_, v) = r.create(&alice, M4, "7", linux_additional(ssh, 5951, "2")).await;
    assert_eq!(v["errcode"], 0, "{v}");
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    r.wait_status(&alice, M4, "7", &task, "running", Duration::from_secs(10)).await;
    wait_port(ssh, true).await;
    // Order 7 expires unconfirmed: RentInfo is gone.
    r.chain.remove_order(7);
    wait_port(ssh, false).await;
}
