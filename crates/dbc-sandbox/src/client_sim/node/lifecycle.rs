//! The status lifecycle after an operation was accepted: the timers that land
//! `creating`, `starting`, `restarting`, `being poweroff` and `deleting` in
//! their end state (opening the RDP endpoint of a running Windows VM, the
//! SSH server of a running Linux VM), and
//! the rent-end sweep (`checkRunningTasksRentStatus`, tm:3460-3490).

use std::collections::HashMap;
use std::time::Duration;

use super::super::chain::RentOrderView;
use super::super::ssh::SshVm;
use super::super::ssh_shell::marketing_name;
use super::accounting::{is_linux, is_windows};
use super::{Domain, Node, Sim, Task, DELETE_AFTER_BLOCKS};

/// The endpoint a VM that just came up gets.
pub(super) enum Open {
    Rdp { port: u16, password: String },
    Ssh { port: u16, vm: SshVm },
}

/// The end state a pending timer moves a task to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Next {
    CreateDone { fails: bool },
    Started,
    PoweredOff,
    Restarted,
    Deleted,
}

/// What the sweep does with one task whose order it read.
enum Verdict {
    /// The rental runs: nothing.
    Keep,
    /// Past `rent_end` (or the order is gone): power the VM off.
    PowerOff,
    /// Three days past `rent_end`: delete the VM and its disks.
    Delete,
}

/// `current` is the order as the chain shows it now (`None`: gone), `rent_end`
/// the end the node knows (from `current`, else its cache).
fn verdict(current: Option<&RentOrderView>, rent_end: Option<u32>, block: u32) -> Verdict {
    let ended = match current {
        None => true,
        Some(o) => block > o.rent_end,
    };
    if !ended {
        return Verdict::Keep;
    }
    match rent_end {
        Some(end) if block > end.saturating_add(DELETE_AFTER_BLOCKS) => Verdict::Delete,
        _ => Verdict::PowerOff,
    }
}

/// Move `t` to the end state of `next` (not `Deleted`, which removes the
/// task); the endpoint to open when it now runs: RDP for Windows, SSH for
/// Linux (with the GPUs of `machine`'s chain record that the VM got).
fn land(t: &mut Task, next: Next, machine: &super::super::chain::MachineView) -> Option<Open> {
    match next {
        Next::CreateDone { fails: true } => {
            t.domain = Domain::ShutOff;
            t.status = "create error";
            t.log("error", "get domain local ip failed");
            t.log("error", "create task failed");
            None
        }
        Next::CreateDone { fails: false } | Next::Started | Next::Restarted => {
            t.domain = Domain::Running;
            t.status = "running";
            match next {
                Next::CreateDone { .. } => {
                    t.user_name = if is_windows(&t.os) { "Administrator".into() } else { "dbc".into() };
                    t.log("info", "create task successful");
                }
                Next::Started => t.log("info", "start task successful"),
                _ => t.log("info", "restart task successful"),
            }
            endpoint(t, machine)
        }
        Next::PoweredOff => {
            t.domain = Domain::ShutOff;
            t.status = "closed";
            t.close_endpoints();
            t.log("info", "poweroff task successful");
            None
        }
        Next::Deleted => None,
    }
}

/// The endpoint running VM `t` has: RDP for Windows, SSH for Linux (with
/// the GPUs of `machine`'s chain record that the VM got).
pub(super) fn endpoint(t: &Task, machine: &super::super::chain::MachineView) -> Option<Open> {
    if is_windows(&t.os) {
        Some(Open::Rdp { port: t.alloc.rdp_port, password: t.login_password.clone() })
    } else if is_linux(&t.os) {
        let vm = SshVm {
            task_id: t.id.clone(),
            password: t.login_password.clone(),
            gpu_name: marketing_name(&machine.gpu_type),
            gpu_memory_mib: machine.gpu_mem.saturating_mul(1024),
            gpu_count: t.alloc.gpus.len(),
        };
        Some(Open::Ssh { port: t.alloc.ssh_port, vm })
    } else {
        None
    }
}

impl Sim {
    /// Land the operation of `epoch` on the task after `after`.
    pub(super) fn schedule(&self, machine_id: &str, task_id: &str, epoch: u64, after: Duration, next: Next) {
        let Some(me) = self.me.upgrade() else { return };
        let (m, t) = (machine_id.to_string(), task_id.to_string());
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            me.apply(&m, &t, epoch, next).await;
        });
    }

    async fn apply(&self, machine_id: &str, task_id: &str, epoch: u64, next: Next) {
        // Decide under the lock, open RDP outside it, then store it if still current.
        let open = {
            let mut st = self.state.lock().unwrap();
            let Some(node) = st.nodes.get_mut(machine_id) else {
                return;
            };
            let machine = node.machine.clone();
            let Some(t) = node.task_mut(task_id) else {
                return;
            };
            if t.epoch != epoch {
                return;
            }
            if let Next::Deleted = next {
                node.tasks.retain(|t| t.id != task_id);
                None
            } else {
                land(t, next, &machine)
            }
        };
        self.persist(machine_id, task_id);
        if let Some(open) = open {
            self.attach(machine_id, task_id, epoch, open).await;
        }
    }

    /// Open the endpoint of a VM that runs (now or again after a restart).
    pub(super) async fn attach(&self, machine_id: &str, task_id: &str, epoch: u64, open: Open) {
        match open {
            Open::Rdp { port, password } => self.attach_rdp(machine_id, task_id, epoch, port, &password).await,
            Open::Ssh { port, vm } => self.attach_ssh(machine_id, task_id, epoch, port, vm).await,
        }
    }

    /// Start the SSH server of a Linux VM that came up and keep it, unless
    /// the VM moved on meanwhile.
    async fn attach_ssh(&self, machine_id: &str, task_id: &str, epoch: u64, port: u16, vm: SshVm) {
        if !self.cfg.ssh {
            return;
        }
        let ep = self.ssh.open(port, vm).await;
        self.keep_endpoint(machine_id, task_id, epoch, "ssh server", port, ep, |t, ep| t.ssh = Some(ep));
    }

    /// Open the RDP endpoint of a VM that came up and keep it, unless the VM
    /// moved on meanwhile.
    async fn attach_rdp(&self, machine_id: &str, task_id: &str, epoch: u64, port: u16, password: &str) {
        let ep = self.rdp.open(port, password).await;
        self.keep_endpoint(machine_id, task_id, epoch, "rdp endpoint", port, ep, |t, ep| t.rdp = Some(ep));
    }

    /// Hand an endpoint just opened for task `task_id` to it with `keep`, if
    /// it is still the run (`epoch`) that asked and still running; else drop
    /// it, which closes it. A failed open goes in the task's log.
    #[allow(clippy::too_many_arguments)]
    fn keep_endpoint<E>(
        &self,
        machine_id: &str,
        task_id: &str,
        epoch: u64,
        what: &str,
        port: u16,
        ep: dbc::Result<E>,
        keep: impl FnOnce(&mut Task, E),
    ) {
        let mut st = self.state.lock().unwrap();
        let Some(t) = st.nodes.get_mut(machine_id).and_then(|n| n.task_mut(task_id)) else {
            return;
        };
        if t.epoch != epoch || t.domain != Domain::Running {
            return; // powered off meanwhile: dropping `ep` closes it
        }
        match ep {
            Ok(ep) => keep(t, ep),
            Err(e) => {
                t.log("error", format!("{what} on port {port} failed: {}", e.message));
                drop(st);
                self.persist(machine_id, task_id);
            }
        }
    }

    /// `checkRunningTasksRentStatus`: power off VMs whose order is gone or past
    /// `rent_end`; delete them 3 days (43,200 blocks) after `rent_end`.
    pub async fn sweep(&self) {
        let tasks = self.task_orders();
        if tasks.is_empty() {
            return;
        }
        let Ok(block) = self.chain.best_block().await else {
            return;
        };
        let Some(live) = self.read_orders(&tasks).await else {
            return; // chain unreachable: change nothing
        };
        let mut st = self.state.lock().unwrap();
        for o in live.values().flatten() {
            st.orders.insert(o.rent_id, o.clone());
        }
        let mut cached: HashMap<u64, u32> = st.saved_rent_ends.clone();
        cached.extend(st.orders.iter().map(|(k, v)| (*k, v.rent_end)));
        let mut changed = Vec::new();
        for (mid, tid, order) in tasks {
            let Some(node) = st.nodes.get_mut(&mid) else {
                continue;
            };
            let current = live.get(&order).cloned().flatten();
            let rent_end = current
                .as_ref()
                .map(|o| o.rent_end)
                .or_else(|| order.parse().ok().and_then(|id| cached.get(&id).copied()));
            match verdict(current.as_ref(), rent_end, block) {
                Verdict::Keep => {}
                Verdict::Delete => {
                    node.tasks.retain(|x| x.id != tid);
                    changed.push((mid, tid));
                }
                Verdict::PowerOff => {
                    if power_off_if_running(node, &tid, &order, block, rent_end) {
                        changed.push((mid, tid));
                    }
                }
            }
        }
        drop(st);
        for (mid, tid) in changed {
            self.persist(&mid, &tid);
        }
    }

    /// Every task as (machine id, task id, rent order).
    fn task_orders(&self) -> Vec<(String, String, String)> {
        let st = self.state.lock().unwrap();
        st.nodes
            .values()
            .flat_map(|n| {
                n.tasks.iter().map(move |t| (n.machine.machine_id.clone(), t.id.clone(), t.rent_order.clone()))
            })
            .collect()
    }

    /// Each distinct rent order of `tasks` as the chain shows it now (`None`
    /// for a gone or unparsable one); `None` when the chain cannot be read.
    async fn read_orders(&self, tasks: &[(String, String, String)]) -> Option<HashMap<String, Option<RentOrderView>>> {
        let mut live: HashMap<String, Option<RentOrderView>> = HashMap::new();
        for (_, _, order) in tasks {
            if live.contains_key(order) {
                continue;
            }
            let v = match order.parse::<u64>() {
                Ok(id) => self.chain.rent_order(id).await.ok()?,
                Err(_) => None,
            };
            live.insert(order.clone(), v);
        }
        Some(live)
    }

    /// Drop every RDP endpoint and SSH server (stop()).
    pub fn close_all(&self) {
        let mut st = self.state.lock().unwrap();
        for n in st.nodes.values_mut() {
            for t in n.tasks.iter_mut() {
                t.epoch += 1;
                t.close_endpoints();
            }
        }
    }
}

/// The sweep's power-off of a VM whose rental ended, when it is still there
/// and not already closed; whether it changed anything.
fn power_off_if_running(node: &mut Node, task_id: &str, order: &str, block: u32, rent_end: Option<u32>) -> bool {
    let machine_status = node.machine.machine_status.clone();
    let Some(t) = node.task_mut(task_id) else {
        return false;
    };
    if t.domain == Domain::ShutOff && t.status == "closed" {
        return false;
    }
    // Unlike a renter's power-off, an error status stays.
    t.epoch += 1;
    t.domain = Domain::ShutOff;
    if !t.status.ends_with("error") {
        t.status = "closed";
    }
    t.close_endpoints();
    let end_s = rent_end.map(|e| e.to_string()).unwrap_or_else(|| "0".into());
    t.log(
        "info",
        format!(
            "stop task and machine status:{machine_status}, order id:{order}, cur block:{block}, task rent end:{end_s}"
        ),
    );
    true
}
