//! Create a task (tm:639-1157): the node-level refusals, the request checks
//! ([`super::create_checks`]), the new VM with its generated login, its
//! creation log, and the boot timer that lands `creating` in `running` (or
//! `create error` for a failing image).

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::{json, Value};

use super::create_checks::{self, Context, VmSpec};
use super::lifecycle::Next;
use super::values::{genpwd, local_time, time_tag};
use super::{reply, Allocation, Domain, NodeReq, Sim, Task, ERR_ERROR, ERR_SUCCESS, E_DEFAULT};

impl Sim {
    pub(super) fn create(&self, req: &NodeReq, wallet: &str) -> Value {
        let mut st = self.state.lock().unwrap();
        let order = req.rent_order.parse::<u64>().ok().and_then(|id| st.orders.get(&id).cloned());
        let all_ids: HashSet<String> = st.nodes.values().flat_map(|n| n.tasks.iter().map(|t| t.id.clone())).collect();
        let Some(node) = st.nodes.get_mut(&req.machine_id) else {
            return reply(E_DEFAULT, "node not found");
        };
        if node.miner_busy {
            return reply(E_DEFAULT, "create task failed, please try again in a minute");
        }
        let cx = Context { node, order: order.as_ref(), wallet, all_ids: &all_ids, images: &self.cfg.images };
        let spec = match create_checks::check(&req.additional, &cx) {
            Ok(spec) => spec,
            Err(m) => return reply(ERR_ERROR, m),
        };
        let fails = spec.image.fails;
        let task = new_task(spec, wallet, &req.rent_order);
        let task_id = task.id.clone();
        let answer = reply(
            ERR_SUCCESS,
            json!({"task_id": task.id, "create_time": local_time(task.created, false), "desc": task.desc, "status": "creating"}),
        );
        node.tasks.push(task);
        drop(st);
        self.persist(&req.machine_id, &task_id);
        self.schedule(&req.machine_id, &task_id, 0, self.cfg.boot_time, Next::CreateDone { fails });
        answer
    }
}

/// The VM a checked request gets: a generated login (the VNC password is its
/// first 8 characters), disk files and a MAC, and its creation log.
fn new_task(spec: VmSpec, wallet: &str, rent_order: &str) -> Task {
    let login_password = genpwd();
    let vnc_password: String = login_password.chars().take(8).collect();
    let now = SystemTime::now();
    let tag = time_tag(now);
    let mut task = Task {
        id: spec.task_id,
        wallet: wallet.to_string(),
        rent_order: rent_order.to_string(),
        os: spec.os,
        bios: spec.bios.clone(),
        image: spec.image.name.clone(),
        desc: spec.desc,
        alloc: spec.alloc,
        login_password,
        vnc_password,
        user_name: String::new(),
        created: now,
        status: "creating",
        // The domain is defined and started within seconds of the request,
        // so its ports and resources count from now on.
        domain: Domain::Running,
        epoch: 0,
        logs: Vec::new(),
        rdp: None,
        ssh: None,
        vda: format!("/data/vm_{}_{tag}.qcow2", rand::random::<u32>() % 100000),
        vdb: format!("/data/data_{}_{tag}.qcow2", rand::random::<u32>() % 100000),
        mac: format!("52:54:00:{:02x}:{:02x}:{:02x}", rand::random::<u8>(), rand::random::<u8>(), rand::random::<u8>()),
    };
    log_creation(&mut task, &spec.bios, &spec.image.name);
    task
}

/// The lines the node logs while it defines the domain.
fn log_creation(task: &mut Task, bios: &str, image_name: &str) {
    let Allocation { cpu_cores, mem_gb, disk_gb, vnc_port, .. } = task.alloc;
    let os = task.os.clone();
    task.log("info", format!("rent order: {}", task.rent_order));
    task.log("info", format!("vcpus: {cpu_cores}, sockets: 1, cores: {cpu_cores}, threads: 1"));
    task.log("info", format!("mem: {}KB", mem_gb * 1024 * 1024));
    task.log("info", format!("bios mode: {bios}, os: {os}"));
    task.log(
        "info",
        format!("create vm, cmd: qemu-img create -f qcow2 -F qcow2 -b /data/{image_name} {}, result: ", task.vda),
    );
    task.log("info", format!("create data: qemu-img create -f qcow2 {} {disk_gb}G, result: ", task.vdb));
    task.log("info", format!("vnc port: {vnc_port}, password: {}", task.vnc_password));
}
