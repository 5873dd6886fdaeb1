//! The compute-node half of the simulator: authority check against the chain,
//! VM (task) bookkeeping, the create/start/stop/restart/delete operations, the
//! status lifecycle and the rent-end sweep. Every answer is the node's JSON
//! `{"errcode": n, "message": …}`, which the client half forwards with HTTP 200.
//!
//! Texts and their order follow DBC-AIComputingNet 0.4.1.8 (`TaskManager.cpp`,
//! `node_request_service.cpp`), as summarised in compute-api.md §1.4, §1.5, §2.1, §4.
//!
//! One file a job: [`accounting`] (what tasks take of the host),
//! [`authority`] (who may act), [`queries`] (the read-only routes),
//! [`create`] with [`create_checks`], [`power`] (start, stop, restart, delete),
//! [`lifecycle`] (timers and the rent-end sweep), [`values`] (C-like parsing,
//! passwords, times). This file holds the request, the data model (its
//! fields private to this module and the job modules below it) and the
//! dispatch of one operation.

mod accounting;
mod authority;
mod create;
mod create_checks;
mod lifecycle;
mod power;
mod queries;
mod saved;
mod values;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use super::chain::{ChainView, MachineView, RentOrderView};
use super::rdp::{RdpEndpoint, RdpHost};
use super::ssh::{SshEndpoint, SshHost};
use super::{ClientSimConfig, NodeResources};

pub(crate) const ERR_SUCCESS: i64 = 0;
/// `ERR_ERROR`: validation or state failure in TaskManager.
pub(crate) const ERR_ERROR: i64 = 1;
/// `E_DEFAULT`: authority failure and a few node-level errors.
pub(crate) const E_DEFAULT: i64 = -3;

/// Disk the node reserves for the system disk of every VM (`g_disk_system_size`).
const DISK_SYSTEM_GB: u64 = 350;
/// Blocks after `rent_end` before the node deletes a VM and its disks (`tm:3460-3490`).
const DELETE_AFTER_BLOCKS: u32 = 600 * 24 * 3;
/// How long create/start/restart wait for the owner's own VMs to stop before
/// destroying them: 10 rounds of "renting" broadcast + 2 s (`found_other_running_domains`, nrs:779-823).
const MINER_VMS_WAIT: Duration = Duration::from_secs(20);

/// A request as the node receives it (the envelope after the client's checks).
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeReq {
    pub machine_id: String,
    pub additional: Map<String, Value>,
    pub wallet: String,
    pub nonce: String,
    pub sign: String,
    pub session_id: String,
    pub session_id_sign: String,
    pub rent_order: String,
    pub task_id: String,
    pub force_reboot: bool,
    pub log_tail: bool,
    pub log_lines: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Detail,
    Create,
    Start,
    Stop,
    Restart,
    Delete,
    Logs,
    Images,
    NodeInfo,
}

impl Op {
    /// The client's timeout text for this operation (`rest_api_service.cpp` timers).
    pub fn timeout_message(self) -> &'static str {
        match self {
            Op::List | Op::Detail => "list task timeout",
            Op::Create => "create task timeout",
            Op::Start => "start task timeout",
            Op::Stop => "stop task timeout",
            Op::Restart => "restart task timeout",
            Op::Delete => "delete task timeout",
            Op::Logs => "task logs timeout",
            Op::Images => "list images timeout",
            Op::NodeInfo => "query node info timeout",
        }
    }
}

// ----- the data model -----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    Running,
    ShutOff,
}

/// What a VM takes of the host: its ports (only those of a running domain
/// count), cores, memory, data disk and GPUs.
struct Allocation {
    ssh_port: u16,
    rdp_port: u16,
    vnc_port: u16,
    cpu_cores: u32,
    mem_gb: u64,
    disk_gb: u64,
    gpus: Vec<u32>,
}

struct Task {
    id: String,
    wallet: String,
    rent_order: String,
    os: String,
    /// The plan's `bios_mode` and image file name (kept for the saved VM).
    bios: String,
    image: String,
    desc: String,
    alloc: Allocation,
    /// The generated login; `user_name` stays empty until creation succeeds.
    login_password: String,
    vnc_password: String,
    user_name: String,
    created: SystemTime,
    /// The node's status text (`creating`, `running`, `closed`, …), spelled as the node does.
    status: &'static str,
    domain: Domain,
    /// Bumped on every operation: a pending timer of an older epoch does nothing.
    epoch: u64,
    /// What `/tasks/logs` returns, oldest first.
    logs: Vec<String>,
    /// Open while a Windows VM runs; dropping it closes the endpoint.
    rdp: Option<RdpEndpoint>,
    /// Open while a Linux VM runs (its `ssh_port`); dropping it closes the server.
    ssh: Option<SshEndpoint>,
    /// System and data disk files and the NIC's MAC, for the task detail.
    vda: String,
    vdb: String,
    mac: String,
}

struct Node {
    machine: MachineView,
    res: NodeResources,
    tasks: Vec<Task>,
    miner_busy: bool,
    /// The owner's own VMs run and take this long to stop once a renter's
    /// create/start/restart broadcasts "renting"; `None` once they are off.
    miner_vms_stop_after: Option<Duration>,
}

#[derive(Default)]
pub(crate) struct State {
    nodes: BTreeMap<String, Node>,
    /// Last order seen per rent id, like the node's RentOrderManager cache.
    orders: HashMap<u64, RentOrderView>,
    delays: HashMap<String, Duration>,
    /// `rent_end` of orders the saved VMs knew (the sweep's fallback when
    /// the chain no longer has an order and this run never saw it).
    saved_rent_ends: HashMap<u64, u32>,
    /// Every request signature received, for the log audit (a test checks
    /// none of them reaches a file under the app's data dir).
    signatures: Vec<String>,
}

/// The shared simulator: configuration, chain, node state, RDP host.
pub(crate) struct Sim {
    pub cfg: ClientSimConfig,
    pub chain: Arc<dyn ChainView>,
    pub state: Mutex<State>,
    pub rdp: RdpHost,
    /// The Linux VMs' SSH servers and their folders.
    pub ssh: SshHost,
    pub me: Weak<Sim>,
    /// Held while a VM is saved, so that saves land in the order of the changes.
    save_lock: Mutex<()>,
}

fn reply(errcode: i64, message: impl Into<Value>) -> Value {
    json!({"errcode": errcode, "message": message.into()})
}
fn ok_str() -> Value {
    reply(ERR_SUCCESS, "ok")
}

impl Sim {
    pub fn new(cfg: ClientSimConfig, chain: Arc<dyn ChainView>, me: Weak<Sim>) -> Self {
        let rdp = RdpHost::new(cfg.rdp);
        let ssh = SshHost::new(cfg.vm_dir.clone());
        Sim { cfg, chain, state: Mutex::new(State::default()), rdp, ssh, me, save_lock: Mutex::new(()) }
    }

    fn resources_for(&self, m: &MachineView) -> NodeResources {
        self.cfg.resources.get(&m.machine_id).cloned().unwrap_or_else(|| NodeResources::from_machine(m))
    }

    /// Re-read the machines on the chain and serve each as a node (never forgets one).
    pub async fn refresh_nodes(&self) -> dbc::error::Result<()> {
        let machines = self.chain.machines().await?;
        let mut st = self.state.lock().unwrap();
        for m in machines {
            if let Some(only) = &self.cfg.nodes {
                if !only.contains(&m.machine_id) {
                    continue;
                }
            }
            let res = self.resources_for(&m);
            match st.nodes.get_mut(&m.machine_id) {
                Some(n) => n.machine = m,
                None => {
                    st.nodes.insert(m.machine_id.clone(), Node::new(m, res));
                }
            }
        }
        Ok(())
    }

    /// Whether the client "sees" this node (else `create node request failed`).
    pub async fn knows_node(&self, machine_id: &str) -> bool {
        if self.state.lock().unwrap().nodes.contains_key(machine_id) {
            return true;
        }
        let _ = self.refresh_nodes().await;
        self.state.lock().unwrap().nodes.contains_key(machine_id)
    }

    pub fn node_list(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().nodes.values().map(|n| (n.machine.machine_id.clone(), n.res.name.clone())).collect()
    }

    pub fn node_delay(&self, machine_id: &str) -> Duration {
        self.state.lock().unwrap().delays.get(machine_id).copied().unwrap_or(self.cfg.node_delay)
    }
    pub fn set_node_delay(&self, machine_id: &str, d: Duration) {
        self.state.lock().unwrap().delays.insert(machine_id.to_string(), d);
    }
    pub fn set_miner_vms_running(&self, machine_id: &str, stop_after: Duration) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(machine_id) {
            n.miner_vms_stop_after = Some(stop_after);
        }
    }
    pub fn set_miner_busy(&self, machine_id: &str, busy: bool) {
        if let Some(n) = self.state.lock().unwrap().nodes.get_mut(machine_id) {
            n.miner_busy = busy;
        }
    }

    /// Run one node operation (after the client's checks). Never fails: errors are replies.
    pub async fn handle(&self, op: Op, req: NodeReq) -> Value {
        match op {
            Op::NodeInfo => return self.node_info(&req.machine_id),
            Op::Images => return self.images(&req.machine_id),
            _ => {}
        }
        let wallet = match self.check_authority(&req).await {
            Ok(w) => w,
            Err(e) => return e,
        };
        if matches!(op, Op::Create | Op::Start | Op::Restart) {
            // found_other_running_domains: wait for the owner's VMs to stop (at
            // most 20 s, then they are destroyed); afterwards they stay off.
            let wait =
                self.state.lock().unwrap().nodes.get_mut(&req.machine_id).and_then(|n| n.miner_vms_stop_after.take());
            if let Some(d) = wait {
                tokio::time::sleep(d.min(MINER_VMS_WAIT)).await;
            }
        }
        match op {
            Op::List => self.list(&req.machine_id, &wallet),
            Op::Detail => self.detail(&req.machine_id, &wallet, &req.task_id),
            Op::Create => {
                self.sweep().await;
                self.create(&req, &wallet)
            }
            Op::Start => self.start(&req),
            Op::Stop => self.stop(&req),
            Op::Restart => self.restart(&req),
            Op::Delete => self.delete(&req),
            Op::Logs => self.logs(&req),
            Op::Images | Op::NodeInfo => unreachable!(),
        }
    }

    /// Remember the signature of a request (see [`State::signatures`]).
    pub fn record_signature(&self, sign: &str) {
        if !sign.is_empty() {
            let mut st = self.state.lock().unwrap();
            if !st.signatures.iter().any(|s| s == sign) {
                st.signatures.push(sign.to_string());
            }
        }
    }

    /// The request signatures received so far.
    pub fn signatures(&self) -> Vec<String> {
        self.state.lock().unwrap().signatures.clone()
    }

    /// The port of a task's open SSH server (None when off or not Linux).
    pub fn ssh_port_of(&self, task_id: &str) -> Option<u16> {
        let st = self.state.lock().unwrap();
        st.nodes
            .values()
            .flat_map(|n| n.tasks.iter())
            .find(|t| t.id == task_id)
            .and_then(|t| Some(t.ssh.as_ref()?.port()))
    }

    /// For tests and diagnostics: the RDP kind of a task's open endpoint.
    pub fn rdp_kind_of(&self, task_id: &str) -> Option<super::rdp::RdpKind> {
        let st = self.state.lock().unwrap();
        st.nodes.values().flat_map(|n| n.tasks.iter()).find(|t| t.id == task_id).and_then(|t| t.rdp.as_ref()?.kind())
    }
}
