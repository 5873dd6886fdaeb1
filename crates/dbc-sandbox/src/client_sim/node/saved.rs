//! The node's tasks to and from their saved files ([`super::super::persist`]):
//! a save after every change (create, each power operation and the timer
//! that lands it, a failed endpoint, the rent-end sweep) and the restore when
//! the simulator starts.
//!
//! On start the real node reloads `task.db` and restarts every task of
//! `runningtasks.db` (`TaskManager::init_tasks_status`, TaskManager.cpp:194-219
//! at 0.4.1.8); the others take the state of their libvirt domain. Here a
//! saved VM comes back in the state it was saved in; an operation that was
//! under way (`creating`, `starting`, `restarting`, `being poweroff`,
//! `deleting`) is carried to its end as its timer would have; a running VM
//! gets its RDP endpoint or SSH server again on the same port, or, when that
//! port cannot be bound, stays powered off with the reason in its log. (A
//! real node starts the domain and re-adds its DNAT rule whatever else
//! listens on the host, and its `check_resource` only compares the ports of
//! its own VMs; the simulator's endpoint is a listener that cannot share the
//! port, so it says so rather than moving the VM to another port.) The
//! rent-end sweep runs before any endpoint opens, as it does for every VM.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::super::persist::{self, SavedVm, FORMAT_VERSION};
use super::accounting::is_windows;
use super::lifecycle::{endpoint, Next, Open};
use super::{Allocation, Domain, Sim, State, Task};

/// Every status text the node gives a task; a saved one must be one of them.
const STATUSES: [&str; 8] =
    ["creating", "running", "closed", "create error", "starting", "restarting", "being poweroff", "deleting"];

/// How long a restored VM waits for its port: the previous simulator in the
/// same process may still be letting go of it.
const PORT_WAIT: Duration = Duration::from_secs(3);

impl Task {
    fn to_saved(&self, machine_id: &str, rent_end: Option<u32>) -> SavedVm {
        let a = &self.alloc;
        SavedVm {
            version: FORMAT_VERSION,
            machine_id: machine_id.to_string(),
            task_id: self.id.clone(),
            wallet: self.wallet.clone(),
            rent_order: self.rent_order.clone(),
            rent_end,
            status: self.status.to_string(),
            domain: if self.domain == Domain::Running { "running" } else { "shut_off" }.into(),
            os: self.os.clone(),
            bios: self.bios.clone(),
            image: self.image.clone(),
            desc: self.desc.clone(),
            ssh_port: a.ssh_port,
            rdp_port: a.rdp_port,
            vnc_port: a.vnc_port,
            cpu_cores: a.cpu_cores,
            mem_gb: a.mem_gb,
            disk_gb: a.disk_gb,
            gpus: a.gpus.clone(),
            user_name: self.user_name.clone(),
            login_password: self.login_password.clone(),
            vnc_password: self.vnc_password.clone(),
            created_ms: self.created.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64,
            vda: self.vda.clone(),
            vdb: self.vdb.clone(),
            mac: self.mac.clone(),
            logs: self.logs.clone(),
        }
    }

    /// The task a saved file describes, without endpoints (they are opened
    /// again afterwards); `Err` says what in the file is not a task's.
    fn from_saved(v: SavedVm) -> Result<Task, String> {
        let status = STATUSES.iter().copied().find(|s| *s == v.status).ok_or("an unknown status")?;
        let domain = match v.domain.as_str() {
            "running" => Domain::Running,
            "shut_off" => Domain::ShutOff,
            _ => return Err("an unknown domain state".into()),
        };
        Ok(Task {
            id: v.task_id,
            wallet: v.wallet,
            rent_order: v.rent_order,
            os: v.os,
            bios: v.bios,
            image: v.image,
            desc: v.desc,
            alloc: Allocation {
                ssh_port: v.ssh_port,
                rdp_port: v.rdp_port,
                vnc_port: v.vnc_port,
                cpu_cores: v.cpu_cores,
                mem_gb: v.mem_gb,
                disk_gb: v.disk_gb,
                gpus: v.gpus,
            },
            login_password: v.login_password,
            vnc_password: v.vnc_password,
            user_name: v.user_name,
            created: UNIX_EPOCH + Duration::from_millis(v.created_ms),
            status,
            domain,
            epoch: 0,
            logs: v.logs,
            rdp: None,
            ssh: None,
            vda: v.vda,
            vdb: v.vdb,
            mac: v.mac,
        })
    }
}

impl State {
    /// The `rent_end` this node knows for `order`: from the chain this run, else saved.
    fn rent_end_of(&self, order: &str) -> Option<u32> {
        let id: u64 = order.parse().ok()?;
        self.orders.get(&id).map(|o| o.rent_end).or_else(|| self.saved_rent_ends.get(&id).copied())
    }
}

/// What a restored VM still has to do.
enum Then {
    /// Nothing: it is off, or failed.
    Rest,
    /// It runs: open its endpoint again.
    Reopen(Open),
    /// An operation was under way: land it after this long.
    Land(Next, Duration),
}

impl Sim {
    /// Save VM `task_id` of node `machine_id` as it is now, or remove its
    /// file when it is gone. Only with a [`super::super::ClientSimConfig::vm_dir`];
    /// a failed write is logged (without the file's content) and changes nothing else.
    pub(super) fn persist(&self, machine_id: &str, task_id: &str) {
        let Some(path) = self.cfg.vm_dir.as_deref().and_then(|root| persist::task_file(root, task_id)) else {
            return;
        };
        // Snapshots are taken and written in one order, so the last change is the one on disk.
        let _order = self.save_lock.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = {
            let st = self.state.lock().unwrap();
            st.nodes
                .get(machine_id)
                .and_then(|n| n.task(task_id))
                .map(|t| t.to_saved(machine_id, st.rent_end_of(&t.rent_order)))
        };
        let r = match snapshot {
            Some(vm) => persist::save(&path, &vm),
            None => persist::remove(&path),
        };
        if let Err(e) = r {
            tracing::warn!(file = %path.display(), error = %e, "client_sim: saving a VM failed");
        }
    }

    /// Bring back every VM saved under `vm_dir` (see the module comment).
    pub(crate) async fn restore(&self) {
        let Some(root) = self.cfg.vm_dir.clone() else {
            return;
        };
        let (saved, _set_aside) = persist::load_all(&root);
        if saved.is_empty() {
            return;
        }
        let mut todo = Vec::new();
        {
            let mut guard = self.state.lock().unwrap();
            let st = &mut *guard;
            for vm in saved {
                let (mid, tid) = (vm.machine_id.clone(), vm.task_id.clone());
                if st.nodes.values().any(|n| n.task(&tid).is_some()) {
                    continue;
                }
                let Some(node) = st.nodes.get_mut(&mid) else {
                    tracing::warn!(task = %tid, machine = %mid, "client_sim: a saved VM's machine is not served here; left on disk");
                    continue;
                };
                if let (Some(end), Ok(id)) = (vm.rent_end, vm.rent_order.parse::<u64>()) {
                    st.saved_rent_ends.insert(id, end);
                }
                let Some(path) = persist::task_file(&root, &tid) else { continue };
                let task = match Task::from_saved(vm) {
                    Ok(t) => t,
                    Err(why) => {
                        persist::set_aside(&path, format!("{why} in a saved VM"));
                        continue;
                    }
                };
                let then = self.then(&task, &node.machine);
                node.tasks.push(task);
                todo.push((mid, tid, then));
            }
        }
        tracing::info!(vms = todo.len(), "client_sim: saved VMs restored");
        for (mid, tid, then) in &todo {
            if let Then::Land(next, after) = then {
                self.schedule(mid, tid, 0, *after, *next);
            }
        }
        // Ended rentals: power off or delete before anything is opened again.
        self.sweep().await;
        for (mid, tid, then) in todo {
            if let Then::Reopen(open) = then {
                self.reopen(&mid, &tid, open).await;
            }
        }
    }

    fn then(&self, t: &Task, machine: &super::super::chain::MachineView) -> Then {
        let left_of_boot = (t.created + self.cfg.boot_time).duration_since(SystemTime::now()).unwrap_or_default();
        let fails = self.cfg.images.iter().any(|i| i.name == t.image && i.fails);
        match t.status {
            "creating" => Then::Land(Next::CreateDone { fails }, left_of_boot),
            "starting" => Then::Land(Next::Started, self.cfg.op_time),
            "restarting" => Then::Land(Next::Restarted, self.cfg.op_time),
            "being poweroff" => Then::Land(Next::PoweredOff, self.cfg.op_time),
            "deleting" => Then::Land(Next::Deleted, self.cfg.op_time),
            "running" if t.domain == Domain::Running => endpoint(t, machine).map_or(Then::Rest, Then::Reopen),
            _ => Then::Rest,
        }
    }

    /// Open a restored running VM's endpoint on its own port, if the sweep
    /// left it running and the port can be bound; else power it off and say why in its log.
    async fn reopen(&self, machine_id: &str, task_id: &str, open: Open) {
        let (what, port, wanted) = match &open {
            Open::Rdp { port, .. } => ("rdp", *port, self.rdp.kind().is_some()),
            Open::Ssh { port, .. } => ("ssh", *port, self.cfg.ssh),
        };
        let epoch = {
            let st = self.state.lock().unwrap();
            match st.nodes.get(machine_id).and_then(|n| n.task(task_id)) {
                Some(t) if t.domain == Domain::Running && t.status == "running" => t.epoch,
                _ => return,
            }
        };
        if !wanted {
            return;
        }
        match bindable(port).await {
            Ok(()) => self.attach(machine_id, task_id, epoch, open).await,
            Err(e) => {
                {
                    let mut st = self.state.lock().unwrap();
                    let Some(t) = st.nodes.get_mut(machine_id).and_then(|n| n.task_mut(task_id)) else {
                        return;
                    };
                    if t.epoch != epoch {
                        return;
                    }
                    t.epoch += 1;
                    t.domain = Domain::ShutOff;
                    t.status = "closed";
                    let name = if is_windows(&t.os) { "rdp_port" } else { "ssh_port" };
                    t.log(
                        "error",
                        format!(
                            "restore task failed: {what} server cannot listen on {name} {port} ({e}); the task stays shut off"
                        ),
                    );
                }
                tracing::warn!(task = %task_id, port, "client_sim: a restored VM's port is taken; it stays powered off");
                self.persist(machine_id, task_id);
            }
        }
    }
}

/// Whether 127.0.0.1:`port` can be bound now or within [`PORT_WAIT`].
async fn bindable(port: u16) -> std::io::Result<()> {
    let deadline = Instant::now() + PORT_WAIT;
    loop {
        match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
