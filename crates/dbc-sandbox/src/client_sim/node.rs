//! The compute-node half of the simulator: authority check against the chain,
//! VM (task) bookkeeping, the create/start/stop/restart/delete operations, the
//! status lifecycle and the rent-end sweep. Every answer is the node's JSON
//! `{"errcode": n, "message": …}`, which the client half forwards with HTTP 200.
//!
//! Texts and their order follow DBC-AIComputingNet 0.4.1.8 (`TaskManager.cpp`,
//! `node_request_service.cpp`), as summarised in compute-api.md §1.4, §1.5, §2.1, §4.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use super::auth::check_nonce;
use super::chain::{ChainView, MachineView, RentOrderView};
use super::rdp::{RdpEndpoint, RdpHost};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Domain {
    Running,
    ShutOff,
}

/// What the rest of the sim needs to know about a task's status string.
fn is_windows(os: &str) -> bool {
    os.contains("win")
}
fn is_linux(os: &str) -> bool {
    os.contains("linux") || os.contains("ubuntu")
}

struct Task {
    id: String,
    wallet: String,
    rent_order: String,
    os: String,
    desc: String,
    ssh_port: u16,
    rdp_port: u16,
    vnc_port: u16,
    cpu_cores: u32,
    mem_gb: u64,
    disk_gb: u64,
    gpus: Vec<u32>,
    login_password: String,
    vnc_password: String,
    user_name: String,
    created: SystemTime,
    status: &'static str,
    domain: Domain,
    /// Bumped on every operation: a pending timer of an older epoch does nothing.
    epoch: u64,
    logs: Vec<String>,
    rdp: Option<RdpEndpoint>,
    vda: String,
    vdb: String,
    mac: String,
}

impl Task {
    fn log(&mut self, level: &str, msg: impl AsRef<str>) {
        self.logs.push(format!(
            "{} | {} | {:<7} | {}",
            local_time(SystemTime::now(), true),
            self.id,
            level,
            msg.as_ref()
        ));
    }
    /// Counts for port conflicts, CPU and memory: the domain is up.
    fn domain_running(&self) -> bool {
        self.domain == Domain::Running
    }
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

impl Node {
    fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
    fn task_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }
    fn disk_free_gb(&self) -> u64 {
        let used: u64 = self.tasks.iter().map(|t| t.disk_gb).sum();
        self.res.data_disk_gb.saturating_sub(DISK_SYSTEM_GB).saturating_sub(used)
    }
    fn mem_used_gb(&self, exclude: &str) -> u64 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.mem_gb).sum()
    }
    /// Host free memory as `/proc/meminfo` would show it: 95 % of RAM minus running VMs.
    fn mem_free_gb(&self) -> u64 {
        (self.res.mem_gb * 95 / 100).saturating_sub(self.mem_used_gb(""))
    }
    fn cores_used(&self, exclude: &str) -> u32 {
        self.tasks.iter().filter(|t| t.id != exclude && t.domain_running()).map(|t| t.cpu_cores).sum()
    }
    fn gpus_in_use(&self, exclude: &str) -> HashSet<u32> {
        self.tasks
            .iter()
            .filter(|t| t.id != exclude && t.domain != Domain::ShutOff)
            .flat_map(|t| t.gpus.iter().copied())
            .collect()
    }
    /// `check_port_conflict`: ports of VMs whose domain is running.
    fn port_conflict(&self, port: u16, exclude: &str) -> Option<String> {
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

pub(crate) struct State {
    nodes: BTreeMap<String, Node>,
    /// Last order seen per rent id, like the node's RentOrderManager cache.
    orders: HashMap<u64, RentOrderView>,
    delays: HashMap<String, Duration>,
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
    pub me: Weak<Sim>,
}

fn reply(errcode: i64, message: impl Into<Value>) -> Value {
    json!({"errcode": errcode, "message": message.into()})
}
fn ok_str() -> Value {
    reply(ERR_SUCCESS, "ok")
}

/// `JSON_PARSE_STRING`: the value if it is a JSON string, else "" (numbers are ignored).
fn s(add: &Map<String, Value>, key: &str) -> String {
    add.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// C `atoi`: leading whitespace, optional sign, digits; 0 when none.
fn atoi(v: &str) -> i64 {
    let t = v.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).take(18).collect();
    let n: i64 = digits.parse().unwrap_or(0);
    if neg {
        -n
    } else {
        n
    }
}

fn is_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

const PWD_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+[]@#^";

/// `genpwd()`: a letter, then 15 characters of `[A-Za-z0-9_/+[]@#^]`.
pub(crate) fn genpwd() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let mut p = String::with_capacity(16);
    p.push(PWD_CHARS[rng.gen_range(0..52)] as char);
    for _ in 0..15 {
        p.push(PWD_CHARS[rng.gen_range(0..PWD_CHARS.len())] as char);
    }
    p
}

/// `util::create_task_id()`-like: 22 base58 characters.
fn create_task_id() -> String {
    use rand::Rng;
    const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut rng = rand::thread_rng();
    (0..22).map(|_| B58[rng.gen_range(0..B58.len())] as char).collect()
}

/// Node-local time, `%Y-%m-%d %H:%M:%S` (and `.%f` for log lines).
pub(crate) fn local_time(t: SystemTime, micros: bool) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    let base = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    if micros {
        format!("{base}.{:06}", d.subsec_micros())
    } else {
        base
    }
}

fn time_tag(t: SystemTime) -> String {
    local_time(t, false).replace([' ', ':'], "-")
}

/// Machine status as the node's chain client maps `machineStatus` (`hcc:125-141`).
enum MachineClass {
    Verify,
    Online,
    Rented,
    Unknown,
}

fn classify(status: &str) -> MachineClass {
    match status {
        "DistributingOrder" | "CommitteeVerifying" | "CommitteeRefused" => MachineClass::Verify,
        "WaitingFulfill" | "Online" => MachineClass::Online,
        "Creating" | "Rented" => MachineClass::Rented,
        _ => MachineClass::Unknown,
    }
}

impl Sim {
    pub fn new(cfg: ClientSimConfig, chain: Arc<dyn ChainView>, me: Weak<Sim>) -> Self {
        let rdp = RdpHost::new(cfg.rdp);
        Sim {
            cfg,
            chain,
            state: Mutex::new(State {
                nodes: BTreeMap::new(),
                orders: HashMap::new(),
                delays: HashMap::new(),
                signatures: Vec::new(),
            }),
            rdp,
            me,
        }
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
                    st.nodes.insert(
                        m.machine_id.clone(),
                        Node { machine: m, res, tasks: Vec::new(), miner_busy: false, miner_vms_stop_after: None },
                    );
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

    // ----- authority (nrs:634-777) -----

    /// The renter wallet, or the node's error reply.
    async fn check_authority(&self, req: &NodeReq) -> Result<String, Value> {
        let fail = |why: &str| reply(E_DEFAULT, format!("check authority failed: {why}"));
        let machine = match self.chain.machine(&req.machine_id).await {
            Ok(Some(m)) => m,
            _ => return Err(fail("query machine_status failed")),
        };
        // UpdateRentOrder: refresh the cached order (kept when the chain drops it).
        let order_id: Option<u64> = if is_digits(&req.rent_order) { req.rent_order.parse().ok() } else { None };
        let order = match order_id {
            Some(id) => match self.chain.rent_order(id).await {
                Ok(Some(o)) => {
                    self.state.lock().unwrap().orders.insert(id, o.clone());
                    Some(o)
                }
                _ => None,
            },
            None => None,
        };
        let wallet_ok = check_nonce(&req.wallet, &req.nonce, &req.sign).is_ok();
        match classify(&machine.machine_status) {
            MachineClass::Unknown => Err(fail("unknown machine status")),
            MachineClass::Online => Err(fail("machine is not be rented")),
            MachineClass::Verify => {
                if !wallet_ok {
                    Err(fail("nonce check failed"))
                } else {
                    // Committee verification is not simulated.
                    Err(fail("not in verify time"))
                }
            }
            MachineClass::Rented => {
                if !wallet_ok {
                    if !req.session_id.is_empty() && !req.session_id_sign.is_empty() {
                        return Err(fail("session_id is invalid"));
                    }
                    return Err(fail("nonce check failed"));
                }
                // GetRentStatus: renter string-equal, status renting or waitingVerifying.
                // Stricter than 0.4.1.8, which does not compare the order's machine.
                let renting = order.as_ref().is_some_and(|o| {
                    o.renter == req.wallet
                        && o.machine_id == req.machine_id
                        && matches!(o.rent_status.as_str(), "WaitingVerifying" | "Renting")
                });
                if renting {
                    Ok(req.wallet.clone())
                } else {
                    Err(fail("wallet not rented"))
                }
            }
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

    // ----- read-only routes -----

    fn node_info(&self, machine_id: &str) -> Value {
        let st = self.state.lock().unwrap();
        let Some(n) = st.nodes.get(machine_id) else {
            return reply(E_DEFAULT, "node not found");
        };
        let r = &n.res;
        let gpu_used: usize =
            n.tasks.iter().filter(|t| t.status != "closed" && !t.status.ends_with("error")).map(|t| t.gpus.len()).sum();
        let mem_used = n.mem_used_gb("");
        let cores_used = n.cores_used("");
        let disk_used = r.data_disk_gb.saturating_sub(n.disk_free_gb() + DISK_SYSTEM_GB);
        let pct = |a: u64, b: u64| {
            if b == 0 {
                "0.00%".to_string()
            } else {
                format!("{:.2}%", a as f64 * 100.0 / b as f64)
            }
        };
        reply(
            ERR_SUCCESS,
            json!({
                "version": self.cfg.client_version,
                "node_type": "1",
                "ip": mask_ip(&self.cfg.public_ip),
                "os": r.os,
                "cpu": {"type": r.cpu_type, "hz": r.cpu_mhz.to_string(), "cores": r.cpu_cores.to_string(),
                        "used_usage": pct(cores_used as u64, r.cpu_cores as u64), "physical_cpus": r.physical_cpus.to_string()},
                "gpu": {"gpu_count": r.gpu_count.to_string(), "gpu_used": gpu_used.to_string()},
                "mem": {"size": format!("{}G", r.mem_gb), "free": format!("{}G", n.mem_free_gb()),
                        "used_usage": pct(mem_used + r.mem_gb / 20, r.mem_gb)},
                "disk_system": {"type": "SSD", "size": format!("{DISK_SYSTEM_GB}G")},
                "disk_data": [{"path": "/data", "type": "SSD", "size": format!("{}G", r.data_disk_gb),
                               "free": format!("{}G", n.disk_free_gb()), "used_usage": pct(disk_used, r.data_disk_gb)}],
                "images": self.cfg.images.iter().map(|i| json!({"image_name": i.name, "image_size": format!("{}G", i.size_gb)})).collect::<Vec<_>>(),
            }),
        )
    }

    fn images(&self, machine_id: &str) -> Value {
        let _ = machine_id;
        // The node listing's key really is "image_name:" (nrs:2798).
        reply(
            ERR_SUCCESS,
            self.cfg
                .images
                .iter()
                .map(|i| json!({"image_name:": i.name, "image_size": format!("{}G", i.size_gb)}))
                .collect::<Vec<_>>(),
        )
    }

    fn list(&self, machine_id: &str, wallet: &str) -> Value {
        let st = self.state.lock().unwrap();
        let Some(n) = st.nodes.get(machine_id) else {
            return reply(ERR_SUCCESS, json!([]));
        };
        let v: Vec<Value> = n
            .tasks
            .iter()
            .filter(|t| t.wallet == wallet)
            .map(|t| json!({"task_id": t.id, "create_time": local_time(t.created, false), "desc": t.desc, "status": t.status}))
            .collect();
        reply(ERR_SUCCESS, v)
    }

    fn detail(&self, machine_id: &str, wallet: &str, task_id: &str) -> Value {
        let st = self.state.lock().unwrap();
        let t = st.nodes.get(machine_id).and_then(|n| n.task(task_id)).filter(|t| t.wallet == wallet);
        let Some(t) = t else {
            return reply(E_DEFAULT, "task_id not exist");
        };
        let mut m = Map::new();
        m.insert("task_id".into(), json!(t.id));
        m.insert("os".into(), json!(t.os));
        m.insert("ssh_ip".into(), json!(self.cfg.public_ip));
        if is_windows(&t.os) {
            m.insert("rdp_port".into(), json!(t.rdp_port.to_string()));
        } else {
            m.insert("ssh_port".into(), json!(t.ssh_port.to_string()));
        }
        m.insert("user_name".into(), json!(t.user_name));
        m.insert("login_password".into(), json!(t.login_password));
        m.insert("cpu_cores".into(), json!(t.cpu_cores));
        m.insert("gpu_count".into(), json!(t.gpus.len()));
        m.insert("mem_size".into(), json!(format!("{}G", t.mem_gb)));
        m.insert("disk_system".into(), json!(format!("{DISK_SYSTEM_GB}G")));
        m.insert("vnc_port".into(), json!(t.vnc_port.to_string()));
        m.insert("vnc_password".into(), json!(t.vnc_password));
        m.insert("create_time".into(), json!(local_time(t.created, false)));
        m.insert("desc".into(), json!(t.desc));
        m.insert("status".into(), json!(t.status));
        if !t.rent_order.is_empty() {
            m.insert("rent_order".into(), json!(t.rent_order));
        }
        m.insert(
            "disks".into(),
            json!([{"name": "vda", "size": format!("{DISK_SYSTEM_GB}G"), "source_file": t.vda},
                   {"name": "vdb", "size": format!("{}G", t.disk_gb), "source_file": t.vdb}]),
        );
        let iface = if t.domain_running() {
            json!([{"name": "vnet0", "type": "network", "mac_address": t.mac}])
        } else {
            json!([])
        };
        m.insert("interface".into(), iface);
        reply(ERR_SUCCESS, Value::Object(m))
    }

    // ----- create (tm:639-1157) -----

    fn create(&self, req: &NodeReq, wallet: &str) -> Value {
        let mut st = self.state.lock().unwrap();
        let order = req.rent_order.parse::<u64>().ok().and_then(|id| st.orders.get(&id).cloned());
        let all_ids: HashSet<String> = st.nodes.values().flat_map(|n| n.tasks.iter().map(|t| t.id.clone())).collect();
        let Some(node) = st.nodes.get_mut(&req.machine_id) else {
            return reply(E_DEFAULT, "node not found");
        };
        if node.miner_busy {
            return reply(E_DEFAULT, "create task failed, please try again in a minute");
        }
        let add = &req.additional;
        let e = |m: &str| reply(ERR_ERROR, m.to_string());

        let mut task_id = s(add, "task_id");
        if !task_id.is_empty() {
            if task_id.len() < 20 || task_id.len() > 22 {
                return e("wrong task id length");
            }
            if !task_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return e("task id requires a combination of letters or numbers");
            }
            if all_ids.contains(&task_id) {
                return e("task id already existed");
            }
        } else {
            task_id = create_task_id();
        }

        // GetRentedGpuIndex(rent_order, wallet)
        let order_gpu_index: Vec<u32> = match &order {
            Some(o) if o.renter == wallet => o.gpu_index.clone(),
            _ => Vec::new(),
        };
        if order_gpu_index.is_empty() {
            return e("order gpu index is empty");
        }
        let gpu_count = atoi(&s(add, "gpu_count"));
        if gpu_count < 0 {
            return e("gpu_count is invalid (usage: gpu_count >= 0)");
        }
        if gpu_count as usize > order_gpu_index.len() {
            return e("gpu_count exceeds number of leases");
        }
        let sys_gpus = node.res.gpu_count as usize;
        if sys_gpus < 1 {
            return e("get gpu info failed");
        }
        let mut percent = 1.0f64;
        if order_gpu_index.len() != sys_gpus {
            if gpu_count as usize != order_gpu_index.len() {
                return e("only use the number what you exactly rented");
            }
            percent = gpu_count as f64 / sys_gpus as f64;
        }
        // allocate_gpu
        let gpus: Vec<u32> = if gpu_count == 0 {
            if order_gpu_index.len() != sys_gpus {
                return e("allocate gpu failed");
            }
            Vec::new()
        } else {
            let used = node.gpus_in_use("");
            let free: Vec<u32> =
                order_gpu_index.iter().copied().filter(|g| !used.contains(g)).take(gpu_count as usize).collect();
            if free.len() != gpu_count as usize {
                return e("allocate gpu failed");
            }
            free
        };

        let desc = s(add, "desc");
        let mut os = s(add, "operation_system");
        if os.is_empty() {
            os = "linux".into();
        }
        let os = os.to_lowercase();
        if !(is_linux(&os) || is_windows(&os)) {
            return e(&format!("unsupported operation system: {os} (usage: 'linux' 'windows')"));
        }
        let mut bios = s(add, "bios_mode");
        if bios.is_empty() {
            bios = "legacy".into();
        }
        let bios = bios.to_lowercase();
        if !matches!(bios.as_str(), "legacy" | "uefi" | "pxe") {
            return e(&format!("unsupported bios mode: {bios} (usage: 'legacy(default)'、'uefi'、'pxe')"));
        }
        let image_name = s(add, "image_name");
        if image_name.is_empty() {
            return e("image_name is empty");
        }
        if !image_name.ends_with(".qcow2") || image_name.len() <= ".qcow2".len() {
            return e("'image_name' extension name is invalid");
        }
        let Some(image) = self.cfg.images.iter().find(|i| i.name == image_name).cloned() else {
            return e(&format!("'image_name' is not exist (path:/data/{image_name})"));
        };
        let public_ip = s(add, "public_ip");
        if !public_ip.is_empty() {
            return e("invalid public ip");
        }

        // The node checks each port in this order: present, digits, range, free.
        let port = |name: &str, required: bool, min: u16| -> Result<u16, String> {
            let raw = s(add, name);
            let value = atoi(&raw) as u16;
            if !required {
                return Ok(value);
            }
            if raw.is_empty() {
                return Err(format!("{name} is empty"));
            }
            if !is_digits(&raw) {
                return Err(format!("{name} is not digit"));
            }
            if value < min {
                return Err(format!("{name} is invalid (usage: [{min}, 65535])"));
            }
            node.port_conflict(value, "").map_or(Ok(value), Err)
        };
        let ssh_port = match port("ssh_port", is_linux(&os), 0) {
            Ok(p) => p,
            Err(m) => return e(&m),
        };
        let rdp_port = match port("rdp_port", is_windows(&os), 0) {
            Ok(p) => p,
            Err(m) => return e(&m),
        };
        let vnc_port = match port("vnc_port", true, 5900) {
            Ok(p) => p,
            Err(m) => return e(&m),
        };

        let cpu_cores = atoi(&s(add, "cpu_cores"));
        if cpu_cores <= 0 {
            return e("cpu_cores is invalid");
        }
        let total_cores = node.res.cpu_cores as i64;
        if cpu_cores as f64 > (total_cores as f64 * percent).floor()
            || cpu_cores + node.cores_used("") as i64 > total_cores
        {
            return e("allocate cpu failed");
        }
        let mem_gb = atoi(&s(add, "mem_size"));
        if mem_gb <= 0 {
            return e("mem_size is invalid");
        }
        let mem_gb = mem_gb as u64;
        if mem_gb > node.mem_free_gb()
            || mem_gb as f64 > (node.res.mem_gb as f64 * percent).floor()
            || mem_gb + node.mem_used_gb("") > node.res.mem_gb
        {
            return e("allocate mem failed");
        }
        let mut disk_gb = 0u64;
        if bios != "pxe" {
            let d = atoi(&s(add, "disk_size"));
            if d <= 0 {
                return e("disk_size is invalid (usage: disk_size > 0)");
            }
            if d as u64 > node.disk_free_gb() {
                return e("allocate disk failed");
            }
            disk_gb = d as u64;
            let data_file = s(add, "data_file_name");
            if !data_file.is_empty() {
                return e(&format!("data_file_name is not exist, path: /data/{data_file}"));
            }
        }
        let network_name = s(add, "network_name");
        if !network_name.is_empty() {
            return e("network name not exist");
        }
        let imt = s(add, "interface_model_type");
        if !imt.is_empty() && imt != "e1000" && imt != "rtl8139" {
            return e("invalid interface model type");
        }

        let login_password = genpwd();
        let vnc_password: String = login_password.chars().take(8).collect();
        let now = SystemTime::now();
        let tag = time_tag(now);
        let mut task = Task {
            id: task_id.clone(),
            wallet: wallet.to_string(),
            rent_order: req.rent_order.clone(),
            os: os.clone(),
            desc,
            ssh_port,
            rdp_port,
            vnc_port,
            cpu_cores: cpu_cores as u32,
            mem_gb,
            disk_gb,
            gpus,
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
            vda: format!("/data/vm_{}_{tag}.qcow2", rand::random::<u32>() % 100000),
            vdb: format!("/data/data_{}_{tag}.qcow2", rand::random::<u32>() % 100000),
            mac: format!(
                "52:54:00:{:02x}:{:02x}:{:02x}",
                rand::random::<u8>(),
                rand::random::<u8>(),
                rand::random::<u8>()
            ),
        };
        task.log("info", format!("rent order: {}", req.rent_order));
        task.log("info", format!("vcpus: {cpu_cores}, sockets: 1, cores: {cpu_cores}, threads: 1"));
        task.log("info", format!("mem: {}KB", mem_gb * 1024 * 1024));
        task.log("info", format!("bios mode: {bios}, os: {os}"));
        task.log(
            "info",
            format!("create vm, cmd: qemu-img create -f qcow2 -F qcow2 -b /data/{image_name} {}, result: ", task.vda),
        );
        task.log("info", format!("create data: qemu-img create -f qcow2 {} {disk_gb}G, result: ", task.vdb));
        task.log("info", format!("vnc port: {vnc_port}, password: {}", task.vnc_password));
        let reply_v = reply(
            ERR_SUCCESS,
            json!({"task_id": task.id, "create_time": local_time(now, false), "desc": task.desc, "status": "creating"}),
        );
        node.tasks.push(task);
        drop(st);
        self.schedule(&req.machine_id, &task_id, 0, self.cfg.boot_time, Next::CreateDone { fails: image.fails });
        reply_v
    }

    // ----- power operations (tm:1491-1833) -----

    fn start(&self, req: &NodeReq) -> Value {
        let mut st = self.state.lock().unwrap();
        let Some(node) = st.nodes.get_mut(&req.machine_id) else {
            return reply(ERR_ERROR, "task not exist");
        };
        if node.task(&req.task_id).is_none() {
            return reply(ERR_ERROR, "task not exist");
        }
        if let Some(err) = check_resource(node, &req.task_id) {
            return reply(ERR_ERROR, err);
        }
        let t = node.task_mut(&req.task_id).unwrap();
        if t.domain == Domain::ShutOff {
            t.status = "starting";
            t.epoch += 1;
            let epoch = t.epoch;
            drop(st);
            self.schedule(&req.machine_id, &req.task_id, epoch, self.cfg.op_time, Next::Started);
            ok_str()
        } else {
            reply(ERR_ERROR, "task is running")
        }
    }

    fn stop(&self, req: &NodeReq) -> Value {
        let mut st = self.state.lock().unwrap();
        let Some(t) = st.nodes.get_mut(&req.machine_id).and_then(|n| n.task_mut(&req.task_id)) else {
            return reply(ERR_ERROR, "task not exist");
        };
        if t.domain == Domain::ShutOff {
            return reply(ERR_ERROR, "task is shut_off");
        }
        t.status = "being poweroff";
        t.epoch += 1;
        let epoch = t.epoch;
        drop(st);
        self.schedule(&req.machine_id, &req.task_id, epoch, self.cfg.op_time, Next::PoweredOff);
        ok_str()
    }

    fn restart(&self, req: &NodeReq) -> Value {
        let mut st = self.state.lock().unwrap();
        let Some(node) = st.nodes.get_mut(&req.machine_id) else {
            return reply(ERR_ERROR, "task not exist");
        };
        if node.task(&req.task_id).is_none() {
            return reply(ERR_ERROR, "task not exist");
        }
        if let Some(err) = check_resource(node, &req.task_id) {
            return reply(ERR_ERROR, err);
        }
        let t = node.task_mut(&req.task_id).unwrap();
        t.status = "restarting";
        t.epoch += 1;
        let epoch = t.epoch;
        // A reboot drops RDP sessions; a forced one destroys the domain first.
        t.rdp = None;
        if req.force_reboot {
            t.domain = Domain::ShutOff;
        }
        drop(st);
        self.schedule(&req.machine_id, &req.task_id, epoch, self.cfg.op_time, Next::Restarted);
        ok_str()
    }

    fn delete(&self, req: &NodeReq) -> Value {
        let mut st = self.state.lock().unwrap();
        let Some(t) = st.nodes.get_mut(&req.machine_id).and_then(|n| n.task_mut(&req.task_id)) else {
            return reply(ERR_ERROR, "task not exist");
        };
        t.status = "deleting";
        t.epoch += 1;
        let epoch = t.epoch;
        drop(st);
        self.schedule(&req.machine_id, &req.task_id, epoch, self.cfg.op_time, Next::Deleted);
        ok_str()
    }

    fn logs(&self, req: &NodeReq) -> Value {
        let st = self.state.lock().unwrap();
        let Some(t) = st.nodes.get(&req.machine_id).and_then(|n| n.task(&req.task_id)) else {
            return reply(ERR_ERROR, "task not exist");
        };
        let n = req.log_lines.min(t.logs.len());
        let lines: Vec<&String> =
            if req.log_tail { t.logs[t.logs.len() - n..].iter().collect() } else { t.logs[..n].iter().collect() };
        // Output is capped at 8 KiB (def:21), whole lines only.
        let mut total = 0;
        let mut out = Vec::new();
        for l in lines {
            total += l.len() + 3;
            if total > 8 * 1024 {
                break;
            }
            out.push(json!(l));
        }
        reply(ERR_SUCCESS, json!({"task_id": t.id, "log_content": out}))
    }

    // ----- timers and state transitions -----

    fn schedule(&self, machine_id: &str, task_id: &str, epoch: u64, after: Duration, next: Next) {
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
            let Some(t) = node.task_mut(task_id) else {
                return;
            };
            if t.epoch != epoch {
                return;
            }
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
                    is_windows(&t.os).then(|| (t.rdp_port, t.login_password.clone()))
                }
                Next::PoweredOff => {
                    t.domain = Domain::ShutOff;
                    t.status = "closed";
                    t.rdp = None;
                    t.log("info", "poweroff task successful");
                    None
                }
                Next::Deleted => {
                    node.tasks.retain(|t| t.id != task_id);
                    None
                }
            }
        };
        if let Some((port, password)) = open {
            let ep = self.rdp.open(port, &password).await;
            let mut st = self.state.lock().unwrap();
            let Some(t) = st.nodes.get_mut(machine_id).and_then(|n| n.task_mut(task_id)) else {
                return;
            };
            if t.epoch != epoch || t.domain != Domain::Running {
                return; // powered off meanwhile: dropping `ep` closes it
            }
            match ep {
                Ok(ep) => t.rdp = Some(ep),
                Err(e) => t.log("error", format!("rdp endpoint on port {port} failed: {}", e.message)),
            }
        }
    }

    /// `checkRunningTasksRentStatus`: power off VMs whose order is gone or past
    /// `rent_end`; delete them 3 days (43,200 blocks) after `rent_end`.
    pub async fn sweep(&self) {
        let tasks: Vec<(String, String, String)> = {
            let st = self.state.lock().unwrap();
            st.nodes
                .values()
                .flat_map(|n| {
                    n.tasks.iter().map(move |t| (n.machine.machine_id.clone(), t.id.clone(), t.rent_order.clone()))
                })
                .collect()
        };
        if tasks.is_empty() {
            return;
        }
        let Ok(block) = self.chain.best_block().await else {
            return;
        };
        let mut live: HashMap<String, Option<RentOrderView>> = HashMap::new();
        for (_, _, order) in &tasks {
            if live.contains_key(order) {
                continue;
            }
            let v = match order.parse::<u64>() {
                Ok(id) => match self.chain.rent_order(id).await {
                    Ok(v) => v,
                    Err(_) => return, // chain unreachable: change nothing
                },
                Err(_) => None,
            };
            live.insert(order.clone(), v);
        }
        let mut st = self.state.lock().unwrap();
        for (_, v) in live.iter() {
            if let Some(o) = v {
                st.orders.insert(o.rent_id, o.clone());
            }
        }
        let cached: HashMap<u64, u32> = st.orders.iter().map(|(k, v)| (*k, v.rent_end)).collect();
        for (mid, tid, order) in tasks {
            let Some(node) = st.nodes.get_mut(&mid) else {
                continue;
            };
            let machine_status = node.machine.machine_status.clone();
            let Some(t) = node.task_mut(&tid) else {
                continue;
            };
            let current = live.get(&order).cloned().flatten();
            let rent_end = current
                .as_ref()
                .map(|o| o.rent_end)
                .or_else(|| order.parse().ok().and_then(|id| cached.get(&id).copied()));
            let ended = match &current {
                None => true,
                Some(o) => block > o.rent_end,
            };
            if !ended {
                continue;
            }
            if let Some(end) = rent_end {
                if block > end.saturating_add(DELETE_AFTER_BLOCKS) {
                    node.tasks.retain(|x| x.id != tid);
                    continue;
                }
            }
            if t.domain == Domain::ShutOff && t.status == "closed" {
                continue;
            }
            t.epoch += 1;
            t.domain = Domain::ShutOff;
            if !t.status.ends_with("error") {
                t.status = "closed";
            }
            t.rdp = None;
            let end_s = rent_end.map(|e| e.to_string()).unwrap_or_else(|| "0".into());
            t.log(
                "info",
                format!("stop task and machine status:{machine_status}, order id:{order}, cur block:{block}, task rent end:{end_s}"),
            );
        }
    }

    /// Drop every RDP endpoint (stop()).
    pub fn close_all(&self) {
        let mut st = self.state.lock().unwrap();
        for n in st.nodes.values_mut() {
            for t in n.tasks.iter_mut() {
                t.epoch += 1;
                t.rdp = None;
            }
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

    /// For tests and diagnostics: the RDP kind of a task's open endpoint.
    pub fn rdp_kind_of(&self, task_id: &str) -> Option<super::rdp::RdpKind> {
        let st = self.state.lock().unwrap();
        st.nodes.values().flat_map(|n| n.tasks.iter()).find(|t| t.id == task_id).and_then(|t| t.rdp.as_ref()?.kind())
    }
}

#[derive(Debug, Clone, Copy)]
enum Next {
    CreateDone { fails: bool },
    Started,
    PoweredOff,
    Restarted,
    Deleted,
}

/// `check_resource` before start/restart: GPUs, CPU, memory, ports (tm:1628-1695).
fn check_resource(node: &Node, task_id: &str) -> Option<String> {
    let t = node.task(task_id)?;
    if t.cpu_cores + node.cores_used(task_id) > node.res.cpu_cores {
        return Some("cpu count exceeds the maximum".into());
    }
    let used = node.gpus_in_use(task_id);
    if t.gpus.iter().any(|g| used.contains(g)) {
        return Some("check gpu failed".into());
    }
    if !t.domain_running() && t.mem_gb > node.mem_free_gb() {
        return Some("check memory failed".into());
    }
    if is_linux(&t.os) && node.port_conflict(t.ssh_port, task_id).is_some() {
        return Some("check ssh_port failed".into());
    }
    if is_windows(&t.os) && node.port_conflict(t.rdp_port, task_id).is_some() {
        return Some("check rdp_port failed".into());
    }
    if node.port_conflict(t.vnc_port, task_id).is_some() {
        return Some("check vnc_port failed".into());
    }
    None
}

/// `hide_ip_addr`: `116.31.89.150` -> `*.31.*.150`.
fn mask_ip(ip: &str) -> String {
    let p: Vec<&str> = ip.split('.').collect();
    if p.len() == 4 {
        format!("*.{}.*.{}", p[1], p[3])
    } else {
        ip.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genpwd_shape() {
        for _ in 0..200 {
            let p = genpwd();
            assert_eq!(p.len(), 16);
            assert!(p.as_bytes()[0].is_ascii_alphabetic());
            assert!(p.bytes().all(|b| PWD_CHARS.contains(&b)));
        }
    }

    #[test]
    fn atoi_is_c_like() {
        assert_eq!(atoi("12"), 12);
        assert_eq!(atoi(" 7x"), 7);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("abc"), 0);
    }

    #[test]
    fn additional_values_must_be_strings() {
        let m: Map<String, Value> = serde_json::from_str(r#"{"a":"1","b":1}"#).unwrap();
        assert_eq!(s(&m, "a"), "1");
        assert_eq!(s(&m, "b"), "");
    }

    #[test]
    fn masks_ip_like_the_node() {
        assert_eq!(mask_ip("116.31.89.150"), "*.31.*.150");
    }
}
