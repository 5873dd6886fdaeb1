//! The checks of a create request (tm:639-1157), one named step per group,
//! in the node's order: the first failing one gives the reply text. Each
//! step reads the `additional` strings as the node does ([`s`], [`atoi`]).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::super::chain::RentOrderView;
use super::super::SimImage;
use super::accounting::{is_linux, is_windows};
use super::values::{atoi, create_task_id, is_digits, s};
use super::{Allocation, Node};

/// A create request that passed every check: what the VM gets.
pub(super) struct VmSpec {
    pub task_id: String,
    pub desc: String,
    pub os: String,
    pub bios: String,
    pub image: SimImage,
    pub alloc: Allocation,
}

/// The rest of the world a create request is checked against.
pub(super) struct Context<'a> {
    pub node: &'a Node,
    /// The cached rent order the request names, if the node knows it.
    pub order: Option<&'a RentOrderView>,
    pub wallet: &'a str,
    /// Every task id on every node (a given task id must be new).
    pub all_ids: &'a HashSet<String>,
    pub images: &'a [SimImage],
}

/// Every check, in the node's order; `Err` is the `ERR_ERROR` reply text.
pub(super) fn check(add: &Map<String, Value>, cx: &Context) -> Result<VmSpec, String> {
    let task_id = task_id(add, cx.all_ids)?;
    let (gpus, percent) = gpus(add, cx)?;
    let desc = s(add, "desc");
    let os = os(add)?;
    let bios = bios(add)?;
    let image = image(add, cx.images)?;
    if !s(add, "public_ip").is_empty() {
        return Err("invalid public ip".into());
    }
    let ssh_port = port(add, cx.node, "ssh_port", is_linux(&os), 0)?;
    let rdp_port = port(add, cx.node, "rdp_port", is_windows(&os), 0)?;
    let vnc_port = port(add, cx.node, "vnc_port", true, 5900)?;
    let cpu_cores = cpu_cores(add, cx.node, percent)?;
    let mem_gb = mem_gb(add, cx.node, percent)?;
    let disk_gb = disk_gb(add, cx.node, &bios)?;
    network(add)?;
    let alloc = Allocation { ssh_port, rdp_port, vnc_port, cpu_cores, mem_gb, disk_gb, gpus };
    Ok(VmSpec { task_id, desc, os, bios, image, alloc })
}

/// A given `task_id` (20-22 letters or digits, not in use), else a new one.
fn task_id(add: &Map<String, Value>, all_ids: &HashSet<String>) -> Result<String, String> {
    let task_id = s(add, "task_id");
    if task_id.is_empty() {
        return Ok(create_task_id());
    }
    if task_id.len() < 20 || task_id.len() > 22 {
        return Err("wrong task id length".into());
    }
    if !task_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("task id requires a combination of letters or numbers".into());
    }
    if all_ids.contains(&task_id) {
        return Err("task id already existed".into());
    }
    Ok(task_id)
}

/// The GPUs the VM gets and the share of the host's CPU and memory it may
/// take (the partial-rental rule: only exactly what the order rented).
fn gpus(add: &Map<String, Value>, cx: &Context) -> Result<(Vec<u32>, f64), String> {
    // GetRentedGpuIndex(rent_order, wallet)
    let order_gpu_index: Vec<u32> = match cx.order {
        Some(o) if o.renter == cx.wallet => o.gpu_index.clone(),
        _ => Vec::new(),
    };
    if order_gpu_index.is_empty() {
        return Err("order gpu index is empty".into());
    }
    let gpu_count = atoi(&s(add, "gpu_count"));
    if gpu_count < 0 {
        return Err("gpu_count is invalid (usage: gpu_count >= 0)".into());
    }
    if gpu_count as usize > order_gpu_index.len() {
        return Err("gpu_count exceeds number of leases".into());
    }
    let sys_gpus = cx.node.res.gpu_count as usize;
    if sys_gpus < 1 {
        return Err("get gpu info failed".into());
    }
    let mut percent = 1.0f64;
    if order_gpu_index.len() != sys_gpus {
        if gpu_count as usize != order_gpu_index.len() {
            return Err("only use the number what you exactly rented".into());
        }
        percent = gpu_count as f64 / sys_gpus as f64;
    }
    // allocate_gpu
    let gpus: Vec<u32> = if gpu_count == 0 {
        if order_gpu_index.len() != sys_gpus {
            return Err("allocate gpu failed".into());
        }
        Vec::new()
    } else {
        let used = cx.node.gpus_in_use("");
        let free: Vec<u32> =
            order_gpu_index.iter().copied().filter(|g| !used.contains(g)).take(gpu_count as usize).collect();
        if free.len() != gpu_count as usize {
            return Err("allocate gpu failed".into());
        }
        free
    };
    Ok((gpus, percent))
}

/// `operation_system`, lower-cased; `linux` when not given.
fn os(add: &Map<String, Value>) -> Result<String, String> {
    let mut os = s(add, "operation_system");
    if os.is_empty() {
        os = "linux".into();
    }
    let os = os.to_lowercase();
    if !(is_linux(&os) || is_windows(&os)) {
        return Err(format!("unsupported operation system: {os} (usage: 'linux' 'windows')"));
    }
    Ok(os)
}

/// `bios_mode`, lower-cased; `legacy` when not given.
fn bios(add: &Map<String, Value>) -> Result<String, String> {
    let mut bios = s(add, "bios_mode");
    if bios.is_empty() {
        bios = "legacy".into();
    }
    let bios = bios.to_lowercase();
    if !matches!(bios.as_str(), "legacy" | "uefi" | "pxe") {
        return Err(format!("unsupported bios mode: {bios} (usage: 'legacy(default)'、'uefi'、'pxe')"));
    }
    Ok(bios)
}

/// `image_name`: a `.qcow2` file in the node's `/data`.
fn image(add: &Map<String, Value>, images: &[SimImage]) -> Result<SimImage, String> {
    let image_name = s(add, "image_name");
    if image_name.is_empty() {
        return Err("image_name is empty".into());
    }
    if !image_name.ends_with(".qcow2") || image_name.len() <= ".qcow2".len() {
        return Err("'image_name' extension name is invalid".into());
    }
    images
        .iter()
        .find(|i| i.name == image_name)
        .cloned()
        .ok_or_else(|| format!("'image_name' is not exist (path:/data/{image_name})"))
}

/// One port. The node checks each port in this order: present, digits,
/// range, free; a port the OS does not use is taken as given.
fn port(add: &Map<String, Value>, node: &Node, name: &str, required: bool, min: u16) -> Result<u16, String> {
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
}

/// `cpu_cores`: within the rented share and what running VMs leave free.
fn cpu_cores(add: &Map<String, Value>, node: &Node, percent: f64) -> Result<u32, String> {
    let cpu_cores = atoi(&s(add, "cpu_cores"));
    if cpu_cores <= 0 {
        return Err("cpu_cores is invalid".into());
    }
    let total_cores = node.res.cpu_cores as i64;
    if cpu_cores as f64 > (total_cores as f64 * percent).floor() || cpu_cores + node.cores_used("") as i64 > total_cores
    {
        return Err("allocate cpu failed".into());
    }
    Ok(cpu_cores as u32)
}

/// `mem_size` in GB: within the rented share and the host's free memory.
fn mem_gb(add: &Map<String, Value>, node: &Node, percent: f64) -> Result<u64, String> {
    let mem_gb = atoi(&s(add, "mem_size"));
    if mem_gb <= 0 {
        return Err("mem_size is invalid".into());
    }
    let mem_gb = mem_gb as u64;
    if mem_gb > node.mem_free_gb()
        || mem_gb as f64 > (node.res.mem_gb as f64 * percent).floor()
        || mem_gb + node.mem_used_gb("") > node.res.mem_gb
    {
        return Err("allocate mem failed".into());
    }
    Ok(mem_gb)
}

/// `disk_size` of the data disk in GB (none for PXE boot); a named existing
/// data file is never there on the simulated node.
fn disk_gb(add: &Map<String, Value>, node: &Node, bios: &str) -> Result<u64, String> {
    if bios == "pxe" {
        return Ok(0);
    }
    let d = atoi(&s(add, "disk_size"));
    if d <= 0 {
        return Err("disk_size is invalid (usage: disk_size > 0)".into());
    }
    if d as u64 > node.disk_free_gb() {
        return Err("allocate disk failed".into());
    }
    let data_file = s(add, "data_file_name");
    if !data_file.is_empty() {
        return Err(format!("data_file_name is not exist, path: /data/{data_file}"));
    }
    Ok(d as u64)
}

/// `network_name` (no networks on the simulated node) and `interface_model_type`.
fn network(add: &Map<String, Value>) -> Result<(), String> {
    if !s(add, "network_name").is_empty() {
        return Err("network name not exist".into());
    }
    let imt = s(add, "interface_model_type");
    if !imt.is_empty() && imt != "e1000" && imt != "rtl8139" {
        return Err("invalid interface model type".into());
    }
    Ok(())
}
