//! Planning a VM on a rented machine: pure, no network
//! (compute-api.md §1.4.1, §4, §7). Windows is the default; a Linux (Ubuntu)
//! plan differs only in its OS fields and its login port (SSH, not RDP).
//!
//! - the image: a name containing "win" (any case) ending in `.qcow2` for
//!   Windows, "ubuntu" or "linux" for Linux, or the one the renter picked;
//! - the size: the node caps CPU and memory at `floor(total × rented/total_gpus)`
//!   (as a C `float`), memory also at what is free now, and the data disk at
//!   `/data`'s free space; we take the rented share of each, one GiB of
//!   memory and disk below the caps so rounding in the node's printed sizes
//!   cannot push us over;
//! - the ports: random, distinct, away from well-known and ephemeral ports,
//!   re-drawn when the node reports a conflict;
//! - a task id we choose (20–22 alphanumerics), so a create whose answer is
//!   lost can be found again instead of being sent twice;
//! - every `additional` value a JSON string (the node ignores numbers).

use super::types::NodeInfo;
use crate::error::{Error, ErrorCode, Result};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Host ports for RDP: registered range, below Linux's ephemeral ports
/// (32768+) and clear of the DBC client's own 5000–5100.
pub const RDP_PORTS: std::ops::RangeInclusive<u16> = 20000..=29999;
/// Host ports for SSH (Linux VMs): disjoint from the RDP and VNC ranges, so
/// a Linux plan's two ports never collide either.
pub const SSH_PORTS: std::ops::RangeInclusive<u16> = 10000..=19999;
/// Host ports for VNC: the node requires 5900–65535; we stay below the
/// ephemeral range too, and apart from the RDP range so they never collide.
pub const VNC_PORTS: std::ops::RangeInclusive<u16> = 30000..=32767;
/// Memory and disk kept below the node's caps, GiB.
pub const HEADROOM_GB: u64 = 1;
/// Longest description we send.
pub const MAX_DESC_CHARS: usize = 64;

/// What the renter asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRequest {
    /// GPUs of the rent order (a partial rental must use exactly these).
    pub rented_gpus: u32,
    /// An image the renter picked; else the first Windows image.
    pub image: Option<String>,
    /// A task id chosen earlier (e.g. journaled before a crash); else a new one.
    pub task_id: Option<String>,
    /// Free text shown in the task list; made JSON-safe.
    pub desc: Option<String>,
}

/// The guest operating system of a VM. Windows is what the app was built
/// for (RDP, Omniverse) and the default everywhere an OS is not given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum VmOs {
    #[default]
    Windows,
    /// Ubuntu and other Linux images: login over SSH as `dbc`.
    Linux,
}

impl VmOs {
    /// The `operation_system` value the node is sent.
    pub fn as_str(self) -> &'static str {
        match self {
            VmOs::Windows => "windows",
            VmOs::Linux => "linux",
        }
    }

    /// `windows`/`win` or `linux`/`ubuntu`, any case (the CLI's `--os`).
    pub fn parse(raw: &str) -> Result<VmOs> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "windows" | "win" => Ok(VmOs::Windows),
            "linux" | "ubuntu" => Ok(VmOs::Linux),
            _ => Err(Error::invalid_argument(format!("unknown operating system {raw:?}: use windows or linux"))
                .with_data(json!({ "field": "os" }))),
        }
    }

    /// The OS of a VM as its detail names it (`os`, lower-cased by the node).
    pub fn of_detail(os: &str) -> VmOs {
        if os.contains("win") {
            VmOs::Windows
        } else {
            VmOs::Linux
        }
    }
}

/// Everything a create request sends. Fields are public so a caller can
/// journal the plan, and show or adjust it; [`VmPlan::validate`] checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct VmPlan {
    pub task_id: String,
    pub image_name: String,
    pub desc: String,
    pub gpu_count: u32,
    pub cpu_cores: u32,
    pub mem_gb: u64,
    /// The data disk (`vdb`); the system disk comes from the image.
    pub disk_gb: u64,
    /// Windows: the host port forwarded to the guest's 3389. `0` on a Linux
    /// plan, which sends no `rdp_port`.
    pub rdp_port: u16,
    pub vnc_port: u16,
    /// Windows unless told: plans journaled before Linux was offered have no `os`.
    #[serde(default)]
    pub os: VmOs,
    /// Linux: the host port forwarded to the guest's 22; `None` on Windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ssh_port: Option<u16>,
}

/// A new task id: 22 random ASCII letters and digits.
pub fn new_task_id() -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..22).map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char).collect()
}

/// A task id the node accepts at creation: 20–22 ASCII letters or digits.
pub fn validate_task_id(id: &str) -> Result<()> {
    if (20..=22).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("a task id is 20 to 22 letters or digits, not {id:?}"))
            .with_data(json!({ "field": "taskId" })))
    }
}

/// Keep only characters the node can echo without breaking its hand-written
/// JSON (`[A-Za-z0-9 _-+/@#^[].]`, compute-api.md §1.2), at most 64.
pub fn sanitize_desc(desc: &str) -> String {
    desc.chars()
        .filter(|c| c.is_ascii_alphanumeric() || " _-+/@#^[].".contains(*c))
        .take(MAX_DESC_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The image to use: `wanted` if the node has it, else the first Windows
/// image the node lists. Only `.qcow2` files can be used.
pub fn choose_image(node: &NodeInfo, wanted: Option<&str>) -> Result<String> {
    let names: Vec<&str> = node.images.iter().map(|i| i.name.as_str()).collect();
    if let Some(w) = wanted.map(str::trim).filter(|w| !w.is_empty()) {
        return match node.images.iter().find(|i| i.name == w && i.name.ends_with(".qcow2")) {
            Some(i) => Ok(i.name.clone()),
            None => Err(Error::new(
                ErrorCode::ImageNotFound,
                format!("the machine has no image {w:?} (it has: {})", names.join(", ")),
            )
            .with_data(json!({ "image": w, "images": names.join(", ") }))),
        };
    }
    node.windows_images().find(|i| i.name.ends_with(".qcow2")).map(|i| i.name.clone()).ok_or_else(|| {
        let list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        Error::new(ErrorCode::NoWindowsImage, format!("the machine offers no Windows image (images: {list})"))
            .with_data(json!({ "images": list }))
    })
}

/// [`choose_image`] for `os`: for Linux the first image whose name contains
/// "ubuntu" or "linux" (`no-linux-image` when there is none). A picked image
/// is used as it is, whatever its name, as for Windows.
pub fn choose_image_for(node: &NodeInfo, wanted: Option<&str>, os: VmOs) -> Result<String> {
    if os == VmOs::Windows || wanted.map(str::trim).is_some_and(|w| !w.is_empty()) {
        return choose_image(node, wanted);
    }
    node.linux_images().find(|i| i.name.ends_with(".qcow2")).map(|i| i.name.clone()).ok_or_else(|| {
        let names: Vec<&str> = node.images.iter().map(|i| i.name.as_str()).collect();
        let list = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        Error::new(ErrorCode::NoLinuxImage, format!("the machine offers no Ubuntu/Linux image (images: {list})"))
            .with_data(json!({ "images": list }))
    })
}

/// CPU threads, memory and data disk for the rented share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sizing {
    pub cpu_cores: u32,
    pub mem_gb: u64,
    pub disk_gb: u64,
}

/// `floor(total × rented / all)`, and never above the node's own
/// `floor(total * (float)rented/all)` (a C float may round the share down).
fn share(total: u64, rented: u32, all: u32) -> u64 {
    let exact = (total as u128 * rented as u128 / all as u128) as u64;
    let node = (total as f32 * (rented as f32 / all as f32)).floor();
    exact.min(if node.is_finite() && node >= 0.0 { node as u64 } else { 0 })
}

fn no_room(resource: &str, available: u64, message: String) -> Error {
    Error::new(ErrorCode::VmNoRoom, message).with_data(json!({ "resource": resource, "available": available }))
}

/// Size a VM to `rented_gpus` of the node's GPUs (compute-api.md §7).
pub fn size_for_share(node: &NodeInfo, rented_gpus: u32) -> Result<Sizing> {
    let all = node.gpu_count;
    if all == 0 {
        return Err(no_room("gpu", 0, "the machine reports no GPUs, so its share cannot be sized".into()));
    }
    if rented_gpus == 0 || rented_gpus > all {
        return Err(Error::invalid_argument(format!("{rented_gpus} rented GPU(s) on a machine with {all}"))
            .with_data(json!({ "field": "rentedGpus" })));
    }
    let cpu_cores = share(node.cpu_cores as u64, rented_gpus, all) as u32;
    if cpu_cores == 0 {
        return Err(no_room(
            "cpu",
            node.cpu_cores as u64,
            format!("the rented share of {} CPU threads is less than one", node.cpu_cores),
        ));
    }
    let mem_cap = share(node.mem_total_gb, rented_gpus, all).min(node.mem_free_gb);
    let mem_gb = mem_cap.saturating_sub(HEADROOM_GB);
    if mem_gb == 0 {
        return Err(no_room(
            "memory",
            node.mem_free_gb,
            format!("only {} GB of memory is free on the machine", node.mem_free_gb),
        ));
    }
    // The node caps the data disk at what is free only; the rest of /data
    // belongs to the other renters' shares.
    let usable_total = node.data_disk_total_gb.saturating_sub(350);
    let disk_cap = if rented_gpus == all {
        node.data_disk_free_gb
    } else {
        share(usable_total, rented_gpus, all).min(node.data_disk_free_gb)
    };
    let disk_gb = disk_cap.saturating_sub(HEADROOM_GB);
    if disk_gb == 0 {
        return Err(no_room(
            "disk",
            node.data_disk_free_gb,
            format!("only {} GB of disk is free on the machine", node.data_disk_free_gb),
        ));
    }
    Ok(Sizing { cpu_cores, mem_gb, disk_gb })
}

/// A random RDP and VNC port pair, distinct, none of them in `avoid`.
pub fn pick_ports(rng: &mut impl Rng, avoid: &[u16]) -> (u16, u16) {
    let mut draw = |range: std::ops::RangeInclusive<u16>| loop {
        let p = rng.gen_range(range.clone());
        if !avoid.contains(&p) {
            return p;
        }
    };
    // Disjoint ranges: the two are always distinct.
    (draw(RDP_PORTS), draw(VNC_PORTS))
}

/// A random SSH port, not in `avoid`.
pub fn pick_ssh_port(rng: &mut impl Rng, avoid: &[u16]) -> u16 {
    loop {
        let p = rng.gen_range(SSH_PORTS);
        if !avoid.contains(&p) {
            return p;
        }
    }
}

/// The whole plan of a Windows VM: image, size, ports, task id and description.
pub fn plan_vm(node: &NodeInfo, req: &PlanRequest, rng: &mut impl Rng) -> Result<VmPlan> {
    plan_vm_for(node, req, VmOs::Windows, rng)
}

/// [`plan_vm`] for `os`. A Linux plan has an SSH port instead of an RDP one;
/// sizes, task id and description are chosen the same way.
pub fn plan_vm_for(node: &NodeInfo, req: &PlanRequest, os: VmOs, rng: &mut impl Rng) -> Result<VmPlan> {
    let image_name = choose_image_for(node, req.image.as_deref(), os)?;
    let size = size_for_share(node, req.rented_gpus)?;
    let task_id = match &req.task_id {
        Some(id) => {
            validate_task_id(id)?;
            id.clone()
        }
        None => new_task_id(),
    };
    let (rdp_port, vnc_port) = pick_ports(rng, &[]);
    let (rdp_port, ssh_port) = match os {
        VmOs::Windows => (rdp_port, None),
        VmOs::Linux => (0, Some(pick_ssh_port(rng, &[vnc_port]))),
    };
    let desc = sanitize_desc(req.desc.as_deref().unwrap_or("DBC Rent"));
    let plan = VmPlan {
        task_id,
        image_name,
        desc,
        gpu_count: req.rented_gpus,
        cpu_cores: size.cpu_cores,
        mem_gb: size.mem_gb,
        disk_gb: size.disk_gb,
        rdp_port,
        vnc_port,
        os,
        ssh_port,
    };
    plan.validate()?;
    Ok(plan)
}

impl VmPlan {
    /// What the node would refuse before it gets there (or could not echo).
    pub fn validate(&self) -> Result<()> {
        validate_task_id(&self.task_id)?;
        let bad = |field: &str, why: String| Err(Error::invalid_argument(why).with_data(json!({ "field": field })));
        if !self.image_name.ends_with(".qcow2") || self.image_name.len() <= ".qcow2".len() {
            return bad("imageName", format!("{:?} is not a .qcow2 image name", self.image_name));
        }
        if sanitize_desc(&self.desc) != self.desc {
            return bad(
                "desc",
                "the description may only hold letters, digits, spaces and _-+/@#^[]. (64 at most)".into(),
            );
        }
        if self.cpu_cores == 0 || self.mem_gb == 0 || self.disk_gb == 0 {
            return bad("size", "CPU, memory and disk must each be at least 1".into());
        }
        // The login port: RDP for Windows, SSH for Linux, never both.
        let (login, field, name) = match self.os {
            VmOs::Windows => {
                if self.ssh_port.is_some() {
                    return bad("sshPort", "a Windows plan has no SSH port".into());
                }
                (self.rdp_port, "rdpPort", "RDP")
            }
            VmOs::Linux => {
                if self.rdp_port != 0 {
                    return bad("rdpPort", "a Linux plan has no RDP port (0)".into());
                }
                (self.ssh_port.unwrap_or(0), "sshPort", "SSH")
            }
        };
        if login < 1024 {
            return bad(field, format!("{name} port {login} is below 1024"));
        }
        if self.vnc_port < 5900 {
            return bad("vncPort", format!("VNC port {} is below 5900", self.vnc_port));
        }
        if login == self.vnc_port {
            return bad("vncPort", format!("the {name} and VNC ports must differ"));
        }
        Ok(())
    }

    /// New random ports, avoiding the current ones and `avoid` (ports the
    /// node reported as taken).
    pub fn repick_ports(&mut self, rng: &mut impl Rng, avoid: &[u16]) {
        let mut all = avoid.to_vec();
        all.extend([self.rdp_port, self.vnc_port]);
        all.extend(self.ssh_port);
        (self.rdp_port, self.vnc_port) = pick_ports(rng, &all);
        if self.os == VmOs::Linux {
            self.rdp_port = 0;
            self.ssh_port = Some(pick_ssh_port(rng, &all));
        }
    }

    /// The port the user logs in on: RDP (Windows) or SSH (Linux).
    pub fn login_port(&self) -> u16 {
        match self.os {
            VmOs::Windows => self.rdp_port,
            VmOs::Linux => self.ssh_port.unwrap_or(0),
        }
    }

    /// The `additional` object of `POST /api/v1/tasks/start`: every value a
    /// JSON string; Windows with UEFI and `rdp_port`, no `ssh_port`; Linux
    /// with legacy BIOS and `ssh_port`, no `rdp_port` (compute-api.md §1.4.1).
    pub fn additional(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), Value::String(v));
        };
        put("task_id", self.task_id.clone());
        put("image_name", self.image_name.clone());
        put("desc", self.desc.clone());
        put("operation_system", self.os.as_str().into());
        match self.os {
            VmOs::Windows => {
                put("bios_mode", "uefi".into());
                put("rdp_port", self.rdp_port.to_string());
            }
            VmOs::Linux => {
                put("bios_mode", "legacy".into());
                put("ssh_port", self.ssh_port.unwrap_or(0).to_string());
            }
        }
        put("vnc_port", self.vnc_port.to_string());
        put("gpu_count", self.gpu_count.to_string());
        put("cpu_cores", self.cpu_cores.to_string());
        put("mem_size", self.mem_gb.to_string());
        put("disk_size", self.disk_gb.to_string());
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::types::ImageInfo;
    use rand::SeedableRng;

    fn node(gpus: u32, images: &[&str]) -> NodeInfo {
        NodeInfo {
            version: "0.4.1.8".into(),
            ip_masked: "*.0.*.1".into(),
            os: "Ubuntu".into(),
            cpu_model: "EPYC".into(),
            cpu_cores: 64,
            gpu_count: gpus,
            gpu_used: 0,
            mem_total_gb: 503,
            mem_free_gb: 470,
            data_disk_total_gb: 3576,
            data_disk_free_gb: 3000,
            images: images.iter().map(|n| ImageInfo { name: n.to_string(), size: "25G".into() }).collect(),
        }
    }

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn image_choice() {
        let n = node(8, &["ubuntu.qcow2", "Win10_ovmf.qcow2", "windows_1909.qcow2"]);
        assert_eq!(choose_image(&n, None).unwrap(), "Win10_ovmf.qcow2", "first Windows image, any case");
        assert_eq!(choose_image(&n, Some("windows_1909.qcow2")).unwrap(), "windows_1909.qcow2");
        let e = choose_image(&n, Some("win7.qcow2")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImageNotFound);
        assert!(e.data.unwrap()["images"].as_str().unwrap().contains("windows_1909.qcow2"));
        let e = choose_image(&node(8, &["ubuntu.qcow2"]), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::NoWindowsImage);
        assert_eq!(e.data.unwrap()["images"], "ubuntu.qcow2");
        assert_eq!(choose_image(&node(8, &[]), None).unwrap_err().code, ErrorCode::NoWindowsImage);
        // A "win" file that is not a qcow2 image cannot be used.
        assert_eq!(choose_image(&node(8, &["win.iso"]), None).unwrap_err().code, ErrorCode::NoWindowsImage);
    }

    #[test]
    fn sizing_follows_the_rented_share() {
        // 1 of 8 GPUs: 64/8 = 8 threads, 503/8 = 62 GB (-1), (3576-350)/8 = 403 GB (-1).
        let s = size_for_share(&node(8, &[]), 1).unwrap();
        assert_eq!(s, Sizing { cpu_cores: 8, mem_gb: 61, disk_gb: 402 });
        // 3 of 8: floor(64*3/8)=24, floor(503*3/8)=188, floor(3226*3/8)=1209.
        assert_eq!(size_for_share(&node(8, &[]), 3).unwrap(), Sizing { cpu_cores: 24, mem_gb: 187, disk_gb: 1208 });
        // The whole machine: all threads, memory capped by what is free, all free disk.
        assert_eq!(size_for_share(&node(8, &[]), 8).unwrap(), Sizing { cpu_cores: 64, mem_gb: 469, disk_gb: 2999 });
        // Free memory below the share caps it.
        let mut busy = node(2, &[]);
        busy.mem_free_gb = 100;
        assert_eq!(size_for_share(&busy, 1).unwrap().mem_gb, 99);
        // 5 of 6 GPUs on 12 threads: exactly 10, even though (float)5/6 < 5/6.
        let mut n = node(6, &[]);
        n.cpu_cores = 12;
        assert_eq!(size_for_share(&n, 5).unwrap().cpu_cores, 10);
        // Never above the node's own float cap, whatever the numbers.
        for cores in 1..200u64 {
            for all in 1..10u32 {
                for rented in 1..=all {
                    let ours = share(cores, rented, all);
                    assert!(
                        ours as f32 <= (cores as f32 * (rented as f32 / all as f32)).floor(),
                        "{cores} {rented}/{all}"
                    );
                    assert!(ours * all as u64 <= cores * rented as u64);
                }
            }
        }
    }

    #[test]
    fn sizing_errors() {
        assert_eq!(size_for_share(&node(8, &[]), 0).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(size_for_share(&node(8, &[]), 9).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(size_for_share(&node(0, &[]), 1).unwrap_err().data.unwrap()["resource"], "gpu");
        let mut full = node(8, &[]);
        full.mem_free_gb = 1;
        let e = size_for_share(&full, 1).unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["resource"].as_str()), (ErrorCode::VmNoRoom, Some("memory")));
        let mut small = node(8, &[]);
        small.cpu_cores = 4;
        assert_eq!(size_for_share(&small, 1).unwrap_err().data.unwrap()["resource"], "cpu");
        let mut nodisk = node(1, &[]);
        nodisk.data_disk_free_gb = 0;
        assert_eq!(size_for_share(&nodisk, 1).unwrap_err().data.unwrap()["resource"], "disk");
    }

    #[test]
    fn ports_are_distinct_in_range_and_avoid_taken_ones() {
        let mut r = rng();
        for _ in 0..2000 {
            let (rdp, vnc) = pick_ports(&mut r, &[]);
            assert!(RDP_PORTS.contains(&rdp) && rdp >= 1024);
            assert!(VNC_PORTS.contains(&vnc) && vnc >= 5900);
            assert_ne!(rdp, vnc);
        }
        let n = node(8, &["win.qcow2"]);
        let mut p = plan_vm(&n, &PlanRequest { rented_gpus: 1, ..Default::default() }, &mut r).unwrap();
        for _ in 0..500 {
            let before = (p.rdp_port, p.vnc_port);
            p.repick_ports(&mut r, &[20000, 30000]);
            assert!(p.rdp_port != before.0 && p.vnc_port != before.1, "both ports change");
            assert!(p.rdp_port != 20000 && p.vnc_port != 30000);
            p.validate().unwrap();
        }
    }

    #[test]
    fn task_ids() {
        for _ in 0..200 {
            let id = new_task_id();
            assert_eq!(id.len(), 22);
            validate_task_id(&id).unwrap();
        }
        assert_ne!(new_task_id(), new_task_id());
        for bad in ["", "short", "DbcWin7Kj9k7Bteh2E88cA1", "DbcWin7Kj9k7Bteh2E88c-", "DbcWin7Kj9k7Bteh2E88cé"] {
            assert_eq!(validate_task_id(bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
        validate_task_id("DbcWin7Kj9k7Bteh2E88").unwrap(); // 20
    }

    #[test]
    fn descriptions_are_json_safe() {
        assert_eq!(sanitize_desc("tauri vm 1"), "tauri vm 1");
        assert_eq!(sanitize_desc(r#"my "vm"\ 租用 <1>"#), "my vm  1");
        assert_eq!(sanitize_desc(&"x".repeat(100)).len(), MAX_DESC_CHARS);
    }

    #[test]
    fn the_plan_and_its_additional_object() {
        let n = node(8, &["ubuntu.qcow2", "windows_1909.qcow2"]);
        let req = PlanRequest {
            rented_gpus: 2,
            image: None,
            task_id: Some("DbcWin7Kj9k7Bteh2E88cA".into()),
            desc: Some("order \"7\"".into()),
        };
        let p = plan_vm(&n, &req, &mut rng()).unwrap();
        assert_eq!(
            (p.task_id.as_str(), p.image_name.as_str(), p.desc.as_str()),
            ("DbcWin7Kj9k7Bteh2E88cA", "windows_1909.qcow2", "order 7")
        );
        assert_eq!((p.gpu_count, p.cpu_cores, p.mem_gb), (2, 16, 124));
        let add = p.additional();
        assert!(add.values().all(Value::is_string), "every value a string: {add:?}");
        assert_eq!(add["operation_system"], "windows");
        assert_eq!(add["bios_mode"], "uefi");
        assert_eq!(add["gpu_count"], "2");
        assert_eq!(add["rdp_port"], p.rdp_port.to_string());
        assert!(!add.contains_key("ssh_port"), "no ssh_port for Windows");
        for k in ["task_id", "image_name", "desc", "vnc_port", "cpu_cores", "mem_size", "disk_size"] {
            assert!(add.contains_key(k), "{k}");
        }
        // A bad caller-chosen id is refused.
        let bad = PlanRequest { task_id: Some("x".into()), ..req };
        assert_eq!(plan_vm(&n, &bad, &mut rng()).unwrap_err().code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn a_linux_plan_sends_ssh_port_legacy_bios_and_no_rdp_port() {
        let n = node(8, &["Win10_ovmf.qcow2", "Ubuntu2204.qcow2", "linux_min.qcow2"]);
        let req = PlanRequest { rented_gpus: 2, task_id: Some("DbcLnx7Kj9k7Bteh2E88cA".into()), ..Default::default() };
        let p = plan_vm_for(&n, &req, VmOs::Linux, &mut rng()).unwrap();
        assert_eq!((p.os, p.image_name.as_str(), p.rdp_port), (VmOs::Linux, "Ubuntu2204.qcow2", 0));
        let ssh = p.ssh_port.unwrap();
        assert!(SSH_PORTS.contains(&ssh) && ssh != p.vnc_port && p.login_port() == ssh);
        // Sizes exactly as for Windows.
        let w = plan_vm_for(&n, &req, VmOs::Windows, &mut rng()).unwrap();
        assert_eq!((p.gpu_count, p.cpu_cores, p.mem_gb, p.disk_gb), (w.gpu_count, w.cpu_cores, w.mem_gb, w.disk_gb));
        assert_eq!(w, plan_vm(&n, &req, &mut rng()).unwrap(), "plan_vm is the Windows plan");
        let add = p.additional();
        assert!(add.values().all(Value::is_string), "every value a string: {add:?}");
        assert_eq!(add["operation_system"], "linux");
        assert_eq!(add["bios_mode"], "legacy");
        assert_eq!(add["ssh_port"], ssh.to_string());
        assert_eq!(add["task_id"], "DbcLnx7Kj9k7Bteh2E88cA");
        assert!(!add.contains_key("rdp_port"), "no rdp_port for Linux");
        for k in ["image_name", "desc", "vnc_port", "gpu_count", "cpu_cores", "mem_size", "disk_size"] {
            assert!(add.contains_key(k), "{k}");
        }
        // Port conflicts re-draw the SSH and VNC ports and keep it a Linux plan.
        let mut q = p.clone();
        for _ in 0..300 {
            let before = (q.ssh_port, q.vnc_port);
            q.repick_ports(&mut rng(), &[10000, 30000]);
            assert!(q.ssh_port != before.0 && q.vnc_port != before.1 && q.rdp_port == 0);
            q.validate().unwrap();
        }
        // The exact image picked is used; no Linux image at all is its own error.
        let picked = PlanRequest { image: Some("linux_min.qcow2".into()), ..req.clone() };
        assert_eq!(plan_vm_for(&n, &picked, VmOs::Linux, &mut rng()).unwrap().image_name, "linux_min.qcow2");
        let e = plan_vm_for(&node(8, &["win.qcow2"]), &req, VmOs::Linux, &mut rng()).unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["images"].as_str()), (ErrorCode::NoLinuxImage, Some("win.qcow2")));
        // Journaled plans from before Linux read back as Windows.
        let mut old = serde_json::to_value(&w).unwrap();
        assert!(old.get("sshPort").is_none());
        old.as_object_mut().unwrap().remove("os");
        assert_eq!(serde_json::from_value::<VmPlan>(old).unwrap().os, VmOs::Windows);
        let back: VmPlan = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        // Hand edits that mix the two are refused.
        let field = |p: &VmPlan| p.validate().unwrap_err().data.unwrap()["field"].as_str().unwrap().to_string();
        let mut bad = p.clone();
        bad.rdp_port = 20001;
        assert_eq!(field(&bad), "rdpPort");
        let mut bad = p.clone();
        bad.ssh_port = None;
        assert_eq!(field(&bad), "sshPort");
        let mut bad = w.clone();
        bad.ssh_port = Some(10022);
        assert_eq!(field(&bad), "sshPort");
        assert_eq!(VmOs::parse("Ubuntu").unwrap(), VmOs::Linux);
        assert_eq!(VmOs::parse(" win ").unwrap(), VmOs::Windows);
        assert_eq!(VmOs::parse("macos").unwrap_err().code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn validate_catches_hand_edited_plans() {
        let n = node(8, &["win.qcow2"]);
        let good = plan_vm(&n, &PlanRequest { rented_gpus: 1, ..Default::default() }, &mut rng()).unwrap();
        let field = |p: &VmPlan| p.validate().unwrap_err().data.unwrap()["field"].as_str().unwrap().to_string();
        let mut p = good.clone();
        p.rdp_port = 80;
        assert_eq!(field(&p), "rdpPort");
        let mut p = good.clone();
        p.vnc_port = 5000;
        assert_eq!(field(&p), "vncPort");
        let mut p = good.clone();
        p.vnc_port = 6000;
        p.rdp_port = 6000;
        assert_eq!(field(&p), "vncPort");
        let mut p = good.clone();
        p.desc = "a\"b".into();
        assert_eq!(field(&p), "desc");
        let mut p = good.clone();
        p.image_name = "win.img".into();
        assert_eq!(field(&p), "imageName");
        let mut p = good;
        p.mem_gb = 0;
        assert_eq!(field(&p), "size");
    }
}
