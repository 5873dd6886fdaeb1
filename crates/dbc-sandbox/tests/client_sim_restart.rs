//! Simulated VMs outlive a restart of the simulator (issue 16): a second
//! simulator on the same VM folder and chain lists the same VMs in the same
//! state with the same login and ports, opens the running ones' RDP
//! endpoint or SSH server again on their own port, keeps a VM whose port is
//! taken powered off (saying so in its log), lets the sweep power off a VM
//! whose order ended meanwhile, and lands an operation that was under way.
//! In-process, on a [`MemoryChain`]; the practice-network version is
//! `sim_vm_restart.rs`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dbc_sandbox::client_sim::{persist, ClientSim, ClientSimConfig, MemoryChain};
use serde_json::{json, Value};

#[path = "common/sim_requests.rs"]
mod sim_requests;
#[path = "common/ssh_util.rs"]
mod ssh_util;
use sim_requests::{fast_config, free_port, machine, order, signed};
use subxt_signer::sr25519::{dev, Keypair};

const M4: &str = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";

fn config(vms: &Path) -> ClientSimConfig {
    ClientSimConfig { vm_dir: Some(vms.to_path_buf()), ..fast_config() }
}

fn chain() -> MemoryChain {
    let chain = MemoryChain::new();
    chain.put_machine(machine(M4, 4, "Rented"));
    chain.set_block(200);
    // Charlie rents all 4 GPUs of M4.
    chain.put_order(order(8, &dev::charlie(), M4, "Renting", vec![0, 1, 2, 3], 1000));
    chain
}

async fn start(vms: &Path, chain: &MemoryChain) -> ClientSim {
    dbc_sandbox::install_crypto_provider();
    ClientSim::start(config(vms), Arc::new(chain.clone())).await.expect("start simulator")
}

async fn post(sim: &ClientSim, path: &str, body: &Value) -> Value {
    let url = format!("{}/api/v1{path}", sim.url());
    reqwest::Client::new().post(url).json(body).send().await.unwrap().json().await.unwrap()
}

async fn detail(sim: &ClientSim, who: &Keypair, task: &str) -> Value {
    post(sim, &format!("/tasks/{task}"), &signed(who, M4, "8", json!({}))).await["message"].clone()
}

async fn wait_status(sim: &ClientSim, who: &Keypair, task: &str, status: &str) -> Value {
    for _ in 0..100 {
        let d = detail(sim, who, task).await;
        if d["status"] == status {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{task} never reached {status}: {}", detail(sim, who, task).await);
}

async fn logs(sim: &ClientSim, who: &Keypair, task: &str) -> String {
    let v = post(sim, &format!("/tasks/logs/{task}"), &signed(who, M4, "8", json!({"log_lines": "100"}))).await;
    v["message"]["log_content"].to_string()
}

fn windows(rdp: u16, vnc: u16) -> Value {
    json!({
        "image_name": "win10_ovmf_dbc.qcow2", "desc": "win", "operation_system": "windows", "bios_mode": "uefi",
        "rdp_port": rdp.to_string(), "vnc_port": vnc.to_string(), "gpu_count": "1",
        "cpu_cores": "8", "mem_size": "32", "disk_size": "100"
    })
}

fn linux(ssh: u16, vnc: u16) -> Value {
    json!({
        "image_name": "ubuntu2204.qcow2", "desc": "linux", "operation_system": "linux",
        "ssh_port": ssh.to_string(), "vnc_port": vnc.to_string(), "gpu_count": "1",
        "cpu_cores": "8", "mem_size": "32", "disk_size": "100"
    })
}

async fn create(sim: &ClientSim, who: &Keypair, add: Value) -> String {
    let v = post(sim, "/tasks/start", &signed(who, M4, "8", add)).await;
    assert_eq!(v["errcode"], 0, "{v}");
    v["message"]["task_id"].as_str().unwrap().to_string()
}

/// The fields a renter sees that must not change across a restart.
fn login(d: &Value) -> Value {
    json!([
        d["status"],
        d["user_name"],
        d["login_password"],
        d["rdp_port"],
        d["ssh_port"],
        d["vnc_port"],
        d["vnc_password"],
        d["create_time"],
        d["disks"],
        d["cpu_cores"],
        d["gpu_count"]
    ])
}

async fn wait_closed(port: u16) {
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("port {port} still open");
}

#[tokio::test]
async fn running_and_stopped_vms_come_back_with_the_same_login_and_ports() {
    let vms = tempfile::tempdir().unwrap();
    let chain = chain();
    let charlie = dev::charlie();
    let sim = start(vms.path(), &chain).await;
    let (rdp, ssh, rdp_off) = (free_port(), free_port(), free_port());
    let win = create(&sim, &charlie, windows(rdp, 5951)).await;
    let lin = create(&sim, &charlie, linux(ssh, 5952)).await;
    let off = create(&sim, &charlie, windows(rdp_off, 5953)).await;
    let before_win = wait_status(&sim, &charlie, &win, "running").await;
    let before_lin = wait_status(&sim, &charlie, &lin, "running").await;
    wait_status(&sim, &charlie, &off, "running").await;
    let v = post(&sim, &format!("/tasks/stop/{off}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    let before_off = wait_status(&sim, &charlie, &off, "closed").await;
    dbc::compute::rdp_reachable("127.0.0.1", rdp, Duration::from_secs(5)).await.expect("RDP before");
    let pw = before_lin["login_password"].as_str().unwrap().to_string();
    let key_before = ssh_util::host_key(ssh).await;
    let log_before = logs(&sim, &charlie, &win).await;

    // The file is private and holds what the detail shows.
    let file = persist::task_file(vms.path(), &win).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    sim.stop().await;
    wait_closed(rdp).await;
    wait_closed(ssh).await;

    let sim = start(vms.path(), &chain).await;
    let list = post(&sim, "/tasks", &signed(&charlie, M4, "8", json!({}))).await;
    let ids: Vec<&str> = list["message"].as_array().unwrap().iter().filter_map(|t| t["task_id"].as_str()).collect();
    assert_eq!(ids.len(), 3, "{list}");
    for t in [&win, &lin, &off] {
        assert!(ids.contains(&t.as_str()), "{t} listed: {list}");
    }
    assert_eq!(login(&detail(&sim, &charlie, &win).await), login(&before_win));
    assert_eq!(login(&detail(&sim, &charlie, &lin).await), login(&before_lin));
    assert_eq!(login(&detail(&sim, &charlie, &off).await), login(&before_off));
    assert!(logs(&sim, &charlie, &win).await.starts_with(log_before.trim_end_matches(']')), "the log is kept");
    dbc::compute::rdp_reachable("127.0.0.1", rdp, Duration::from_secs(5)).await.expect("RDP after the restart");
    assert_eq!(sim.task_ssh_port(&lin), Some(ssh));
    assert_eq!(ssh_util::host_key(ssh).await, key_before, "the same SSH host key");
    assert!(ssh_util::password_client(ssh, "dbc", &pw).await.is_some(), "the same password logs in");
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", rdp_off)).await.is_err(), "a stopped VM stays off");

    // It goes on as before: the stopped one starts, a delete removes the file.
    let v = post(&sim, &format!("/tasks/start/{off}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    wait_status(&sim, &charlie, &off, "running").await;
    dbc::compute::rdp_reachable("127.0.0.1", rdp_off, Duration::from_secs(5)).await.expect("started after restore");
    let v = post(&sim, &format!("/tasks/delete/{off}"), &signed(&charlie, M4, "8", json!({}))).await;
    assert_eq!(v["message"], "ok", "{v}");
    let gone = persist::task_file(vms.path(), &off).unwrap();
    for _ in 0..50 {
        if !gone.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!gone.exists(), "a deleted VM is not saved");
    sim.stop().await;
}

#[tokio::test]
async fn a_taken_port_keeps_the_vm_off_an_ended_order_powers_it_off_and_a_create_lands() {
    let vms = tempfile::tempdir().unwrap();
    let chain = chain();
    let charlie = dev::charlie();
    let sim = start(vms.path(), &chain).await;
    let (rdp, ssh) = (free_port(), free_port());
    let win = create(&sim, &charlie, windows(rdp, 5961)).await;
    let lin = create(&sim, &charlie, linux(ssh, 5962)).await;
    wait_status(&sim, &charlie, &win, "running").await;
    wait_status(&sim, &charlie, &lin, "running").await;
    sim.stop().await;
    wait_closed(rdp).await;

    // Someone else listens on the Windows VM's RDP port meanwhile.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", rdp)).unwrap();
    let sim = start(vms.path(), &chain).await;
    let d = detail(&sim, &charlie, &win).await;
    assert_eq!(d["status"], "closed", "{d}");
    assert_eq!(d["rdp_port"], rdp.to_string(), "the port is not moved");
    let log = logs(&sim, &charlie, &win).await;
    assert!(log.contains(&format!("cannot listen on rdp_port {rdp}")), "{log}");
    assert!(!log.contains(d["login_password"].as_str().unwrap()), "no password in the log");
    assert_eq!(detail(&sim, &charlie, &lin).await["status"], "running");
    drop(squatter);
    // A create under way when the simulator stops lands after the restart.
    let rdp2 = free_port();
    let new = create(&sim, &charlie, windows(rdp2, 5963)).await;
    sim.stop().await;
    let sim = start(vms.path(), &chain).await;
    assert_eq!(detail(&sim, &charlie, &new).await["status"], "creating");
    wait_status(&sim, &charlie, &new, "running").await;
    dbc::compute::rdp_reachable("127.0.0.1", rdp2, Duration::from_secs(5)).await.expect("RDP of the landed create");
    sim.stop().await;

    // The rental ends while the simulator is down: the restart powers its VMs off.
    chain.set_block(1001);
    let sim = start(vms.path(), &chain).await;
    chain.set_block(1000); // authenticate again (the order is still there)
    assert_eq!(detail(&sim, &charlie, &lin).await["status"], "closed");
    assert_eq!(detail(&sim, &charlie, &new).await["status"], "closed");
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", ssh)).await.is_err());
    sim.stop().await;
}

#[tokio::test]
async fn a_broken_saved_file_is_set_aside_and_the_others_come_back() {
    let vms = tempfile::tempdir().unwrap();
    let chain = chain();
    let charlie = dev::charlie();
    let sim = start(vms.path(), &chain).await;
    let rdp = free_port();
    let win = create(&sim, &charlie, windows(rdp, 5971)).await;
    wait_status(&sim, &charlie, &win, "running").await;
    sim.stop().await;
    std::fs::create_dir_all(vms.path().join("BrokenTask")).unwrap();
    std::fs::write(vms.path().join("BrokenTask").join("task.json"), "{ not json").unwrap();
    let sim = start(vms.path(), &chain).await;
    assert_eq!(detail(&sim, &charlie, &win).await["status"], "running");
    assert!(vms.path().join("BrokenTask").join("task.json.broken").is_file());
    assert!(!vms.path().join("BrokenTask").join("task.json").exists());
    sim.stop().await;
}
