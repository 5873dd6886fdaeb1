//! The node's bookkeeping: what its tasks (VMs) take of the host (cores,
//! memory, GPUs, disk, ports), the task log, and what the sim needs to know
//! about an OS name.

use std::collections::HashSet;
use std::time::SystemTime;

use super::super::chain::MachineView;
use super::super::NodeResources;
use super::values::local_time;
use super::{Domain, Node, Task, DISK_SYSTEM_GB};

/// What the rest of the sim needs to know about a task's status string.
pub(super) fn is_windows(os: &str) -> bool {
    os.contains("win")
}
pub(super) fn is_linux(os: &str) -> bool {
    os.contains("linux") || os.contains("ubuntu")
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
    /// Close the RDP endpoint and the SSH server (the domain went down).
    pub fn close_endpoints(&mut self) {
        self.rdp = None;
        self.ssh = None;
    }
    /// Counts for port conflicts, CPU and memory: the domain is up.
    pub fn domain_running(&self) -> bool {
        self.domain == Domain::Running
    }
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
        let used: u64 = self.tasks.iter().map(|t| t.alloc.disk_gb).sum();
        self.res.data_disk_gb.saturating_sub(DISK_SYSTEM_GB).saturating_sub(used)
    }
    pub fn mem_used_gb(&self, exclude: &str) -> u64 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.alloc.mem_gb).sum()
    }
    /// Host free memory as `/proc/meminfo` would show it: 95 % of RAM minus running VMs.
    pub fn mem_free_gb(&self) -> u64 {
        (self.res.mem_gb * 95 / 100).saturating_sub(self.mem_used_gb(""))
    }
    pub fn cores_used(&self, exclude: &str) -> u32 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.alloc.cpu_cores).sum()
    }
    pub fn gpus_in_use(&self, exclude: &str) -> HashSet<u32> {
        self.tasks
            .iter()
            .filter(|t| t.id != exclude && t.domain != Domain::ShutOff)
            .flat_map(|t| t.alloc.gpus.iter().copied())
            .collect()
    }
    /// `check_port_conflict`: ports of VMs whose domain is running.
    pub fn port_conflict(&self, port: u16, exclude: &str) -> Option<String> {
        for t in self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()) {
            if t.alloc.vnc_port == port {
                return Some(format!("port conflict, exist vnc_port = {port}"));
            }
            if t.alloc.ssh_port == port {
                return Some(format!("port conflict, exist ssh_port = {port}"));
            }
            if t.alloc.rdp_port == port {
                return Some(format!("port conflict, exist rdp_port = {port}"));
            }
        }
        None
    }
}
