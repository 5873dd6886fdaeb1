//! What the in-memory simulator tests build: chain rows (machines, rent
//! orders) and the signed request envelope of compute-api.md §8.
#![allow(dead_code)]

use dbc_sandbox::client_sim::{ClientSimConfig, MachineView, RdpMode, RentOrderView};
use serde_json::{json, Value};
use std::time::Duration;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// `who`'s SS58 address.
pub fn ss58(k: &Keypair) -> String {
    AccountId32::from(k.public_key().0).to_string()
}

/// An RTX 4090 machine `id` with `gpus` GPUs in chain status `status`.
pub fn machine(id: &str, gpus: u32, status: &str) -> MachineView {
    MachineView {
        machine_id: id.into(),
        machine_status: status.into(),
        gpu_type: "GeForceRTX4090".into(),
        gpu_num: gpus,
        gpu_mem: 24,
        cpu_type: "AMD EPYC 7542".into(),
        cpu_core_num: 64,
        cpu_rate: 2900,
        mem_num: 512,
        sys_disk: 500,
        data_disk: 4000,
    }
}

/// Rent order `id` of `who` on machine `mid` for the GPUs `gpu_index`,
/// from block 100 to `rent_end`.
pub fn order(id: u64, who: &Keypair, mid: &str, status: &str, gpu_index: Vec<u32>, rent_end: u32) -> RentOrderView {
    RentOrderView {
        rent_id: id,
        renter: ss58(who),
        machine_id: mid.into(),
        rent_status: status.into(),
        gpu_num: gpu_index.len() as u32,
        gpu_index,
        rent_start: 100,
        rent_end,
    }
}

/// A fresh 55-character nonce, as the real client's users send.
pub fn nonce() -> String {
    use rand::Rng;
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut r = rand::thread_rng();
    (0..55).map(|_| A[r.gen_range(0..A.len())] as char).collect()
}

/// The envelope of compute-api.md §8 signed by `who`.
pub fn signed(who: &Keypair, mid: &str, rent_order: &str, additional: Value) -> Value {
    let n = nonce();
    json!({
        "peer_nodes_list": [mid],
        "additional": additional,
        "wallet": ss58(who),
        "nonce": n,
        "sign": hex::encode(who.sign(n.as_bytes()).0),
        "rent_order": rent_order,
    })
}

/// A simulator that boots a VM in 0.8 s, finishes a power operation in 0.2 s,
/// sweeps every 0.3 s and serves plain TCP for RDP: the in-memory tests'
/// timings; each test sets the rest.
pub fn fast_config() -> ClientSimConfig {
    ClientSimConfig {
        boot_time: Duration::from_millis(800),
        op_time: Duration::from_millis(200),
        client_timeout: Duration::from_secs(5),
        sweep_interval: Duration::from_millis(300),
        rdp: RdpMode::PlainTcp,
        ..Default::default()
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
