//! Several simulated DBC clients over one set of nodes (in-memory chain):
//! a client that does not see a node leaves it out of its list and answers
//! every call addressed to it as the real client does for an unknown node;
//! a VM created through one client is the same VM through another; a
//! client stopped refuses connections and comes back on the same port.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dbc_sandbox::client_sim::{ClientSim, ClientSimConfig, MemoryChain, NodeView, RdpMode};
use serde_json::{json, Value};
use subxt_signer::sr25519::dev;

#[path = "common/sim_requests.rs"]
mod sim_requests;
use sim_requests::{free_port, machine, order, signed};

/// First digit 8: client 2 sees it. First digit 9: only client 1 does.
const EVEN: &str = "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48";
const ODD: &str = "90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22";

async fn post(http: &reqwest::Client, base: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = http.post(format!("{base}/api/v1{path}")).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, serde_json::from_str(&r.text().await.unwrap()).unwrap())
}

async fn node_ids(http: &reqwest::Client, base: &str) -> Vec<String> {
    let (_, v) = post(http, base, "/mining_nodes", &json!({"peer_nodes_list": [], "additional": {}})).await;
    let mut ids: Vec<String> = v["message"]["mining_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node_id"].as_str().unwrap().into())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn each_client_sees_its_part_of_the_same_nodes_and_can_go_away() {
    dbc_sandbox::install_crypto_provider();
    let chain = MemoryChain::new();
    chain.put_machine(machine(EVEN, 1, "Rented"));
    chain.put_machine(machine(ODD, 1, "Rented"));
    chain.set_block(200);
    chain.put_order(order(7, &dev::alice(), EVEN, "Renting", vec![0], 1000));
    chain.put_order(order(9, &dev::alice(), ODD, "Renting", vec![0], 1000));
    let cfg = ClientSimConfig {
        boot_time: Duration::from_millis(300),
        op_time: Duration::from_millis(100),
        rdp: RdpMode::PlainTcp,
        ssh: false,
        ..Default::default()
    };
    let sim = ClientSim::start(cfg, Arc::new(chain)).await.unwrap();
    let two = sim.listen(0, NodeView::of_client(2)).await.unwrap();
    let (one_url, two_url) = (sim.url(), two.url());
    let http = reqwest::Client::new();

    assert_eq!(node_ids(&http, &one_url).await, [EVEN, ODD]);
    assert_eq!(node_ids(&http, &two_url).await, [EVEN], "client 2 sees the even first digits only");
    // Every call addressed to a node it does not see: the real client's answer for an unknown node.
    let (st, v) = post(&http, &two_url, "/mining_nodes", &json!({"peer_nodes_list": [ODD], "additional": {}})).await;
    assert_eq!(
        (st, v["errcode"].as_i64(), v["message"].as_str()),
        (400, Some(-32701), Some("create node request failed"))
    );
    let (st, v) = post(&http, &two_url, "/tasks/start", &signed(&dev::alice(), ODD, "9", json!({}))).await;
    assert_eq!((st, v["message"].as_str()), (400, Some("create node request failed")));

    // A VM created through client 1 is the same VM through client 2.
    let add = json!({
        "image_name": "win10_ovmf_dbc.qcow2", "desc": "vm", "operation_system": "windows", "bios_mode": "uefi",
        "rdp_port": free_port().to_string(), "vnc_port": free_port().to_string(), "gpu_count": "1",
        "cpu_cores": "8", "mem_size": "32", "disk_size": "100",
    });
    let (st, v) = post(&http, &one_url, "/tasks/start", &signed(&dev::alice(), EVEN, "7", add)).await;
    assert_eq!(st, 200, "{v}");
    let task = v["message"]["task_id"].as_str().unwrap().to_string();
    let (st, v) = post(&http, &two_url, &format!("/tasks/{task}"), &signed(&dev::alice(), EVEN, "7", json!({}))).await;
    assert_eq!((st, v["message"]["task_id"].as_str()), (200, Some(task.as_str())), "{v}");
    let (_, v) = post(&http, &two_url, "/tasks", &signed(&dev::alice(), EVEN, "7", json!({}))).await;
    assert_eq!(v["message"].as_array().map(Vec::len), Some(1), "one VM on the node: {v}");

    // Stopped: connections refused; started again: the same address answers.
    let one = sim.listener();
    one.stop(Duration::from_millis(200)).await;
    assert!(!one.is_running());
    assert!(tokio::net::TcpStream::connect(one.addr()).await.is_err(), "client 1 is gone");
    assert_eq!(node_ids(&http, &two_url).await, [EVEN], "the others go on");
    one.start().await.unwrap();
    assert_eq!(one.url(), one_url);
    assert_eq!(node_ids(&http, &one_url).await, [EVEN, ODD]);

    // A client farther away answers later.
    two.set_answer_delay(Duration::from_millis(300));
    let t = Instant::now();
    http.get(format!("{two_url}/api/v1/")).send().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
    sim.stop().await;
}
