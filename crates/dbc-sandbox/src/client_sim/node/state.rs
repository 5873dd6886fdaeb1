//! The node's bookkeeping: its tasks (VMs) and what they take of the host
//! (cores, memory, GPUs, disk, ports), and the simulator-wide state behind
//! one lock.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

use super::super::chain::{MachineView, RentOrderView};
use super::super::rdp::RdpEndpoint;
use super::super::NodeResources;
use super::values::local_time;
use super::DISK_SYSTEM_GB;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Domain {
    Running,
    ShutOff,
}

/// What the rest of the sim needs to know about a task's status string.
pub(super) fn is_windows(os: &str) -> bool {
    os.contains("win")
}
pub(super) fn is_linux(os: &str) -> bool {
    os.contains("linux") || os.contains("ubuntu")
}

pub(super) struct Task {
    pub id: String,
    pub wallet: String,
    pub rent_order: String,
    pub os: String,
    pub desc: String,
    pub ssh_port: u16,
    pub rdp_port: u16,
    pub vnc_port: u16,
    pub cpu_cores: u32,
    pub mem_gb: u64,
    pub disk_gb: u64,
    pub gpus: Vec<u32>,
    pub login_password: String,
    pub vnc_password: String,
    pub user_name: String,
    pub created: SystemTime,
    pub status: &'static str,
    pub domain: Domain,
    /// Bumped on every operation: a pending timer of an older epoch does nothing.
    pub epoch: u64,
    pub logs: Vec<String>,
    pub rdp: Option<RdpEndpoint>,
    pub vda: String,
    pub vdb: String,
    pub mac: String,
}

impl Task {
    pub fn log(&mut self, level: &str, msg: impl AsRef<str>) {
        self.logs.push(format!(
            "{} | {} | {:<7} | {}",
            local_time(SystemTime::now(), true),
            self.id,
            level,
            msg.as_ref()
        ));
    }
    /// Counts for port conflicts, CPU and memory: the domain is up.
    pub fn domain_running(&self) -> bool {
        self.domain == Domain::Running
    }
}

pub(super) struct Node {
    pub machine: MachineView,
    pub res: NodeResources,
    pub tasks: Vec<Task>,
    pub miner_busy: bool,
    /// The owner's own VMs run and take this long to stop once a renter's
    /// create/start/restart broadcasts "renting"; `None` once they are off.
    pub miner_vms_stop_after: Option<Duration>,
}

impl Node {
    pub fn new(machine: MachineView, res: NodeResources) -> Self {
        Node { machine, res, tasks: Vec::new(), miner_busy: false, miner_vms_stop_after: None }
    }
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
    pub fn task_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }
    pub fn disk_free_gb(&self) -> u64 {
        let used: u64 = self.tasks.iter().map(|t| t.disk_gb).sum();
        self.res.data_disk_gb.saturating_sub(DISK_SYSTEM_GB).saturating_sub(used)
    }
    pub fn mem_used_gb(&self, exclude: &str) -> u64 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.mem_gb).sum()
    }
    /// Host free memory as `/proc/meminfo` would show it: 95 % of RAM minus running VMs.
    pub fn mem_free_gb(&self) -> u64 {
        (self.res.mem_gb * 95 / 100).saturating_sub(self.mem_used_gb(""))
    }
    pub fn cores_used(&self, exclude: &str) -> u32 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.cpu_cores).sum()
    }
    pub fn gpus_in_use(&self, exclude: &str) -> HashSet<u32> {
        self.tasks
            .iter()
            .filter(|t| t.id != exclude && t.domain != Domain::ShutOff)
            .flat_map(|t| t.gpus.iter().copied())
            .collect()
    }
    /// `check_port_conflict`: ports of VMs whose domain is running.
    pub fn port_conflict(&self, port: u16, exclude: &str) -> Option<String> {
        for t in self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()) {
            if t.vnc_port == port {
                return Some(format!("port conflict, exist vnc_port = {port}"));
            }
            if t.ssh_port == port {
                return Some(format!("port conflict, exist ssh_port = {port}"));
            }
            if t.rdp_port == port {
                return Some(format!("port conflict, exist rdp_port = {port}"));
            }
        }
        None
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub(super) nodes: BTreeMap<String, Node>,
    /// Last order seen per rent id, like the node's RentOrderManager cache.
    pub(super) orders: HashMap<u64, RentOrderView>,
    pub(super) delays: HashMap<String, Duration>,
    /// Every request signature received, for the log audit (a test checks
    /// none of them reaches a file under the app's data dir).
    pub(super) signatures: Vec<String>,
}
