//! What the DBC client answers, parsed tolerantly (compute-api.md §1.4, §8).
//!
//! The node writes its JSON by hand, so the same field is a string in one
//! place and a number in another (`cpu_cores` is a number in task details,
//! a string in node info), sizes come as `"503G"` or `"503.12G"`, and the
//! node's image listing spells a key `"image_name:"`. Every reader here
//! accepts both forms and treats a missing field as absent, not as an error.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Longest remote string kept, in bytes. A real node's fields are short and
/// its log tail is capped at 8 KiB; a hostile client's 4 MiB message must
/// not reach the journal, the logs or the UI.
pub const MAX_REMOTE_TEXT: usize = 4 * 1024;

/// Every string a DBC client sends passes through here before anything
/// keeps it: one line, no control or bidirectional characters, at most
/// [`MAX_REMOTE_TEXT`] bytes ([`crate::text::sanitize`]).
pub fn remote_text(raw: &str) -> String {
    crate::text::sanitize(raw, MAX_REMOTE_TEXT)
}

/// A string field that may also arrive as a number; `None` when absent or
/// null. Always [`remote_text`]-clean.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(remote_text(s)),
        Value::Number(n) => Some(remote_text(&n.to_string())),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An unsigned integer field that may arrive as `8`, `"8"` or `" 8 "`.
pub(crate) fn uint(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn port(v: &Value, key: &str) -> Option<u16> {
    uint(v, key).and_then(|p| u16::try_from(p).ok()).filter(|p| *p != 0)
}

/// A size as the node prints it (`scale_size`: KiB scaled to K, M or G with
/// up to two decimals, e.g. `"503G"`, `"503.12G"`, `"512M"`; `T` accepted
/// too), in whole GiB rounded down. Integer arithmetic only.
pub fn parse_size_gb(text: &str) -> Option<u64> {
    let t = text.trim();
    let unit = t.chars().last()?;
    let number = &t[..t.len() - unit.len_utf8()];
    // MiB per unit, so K and M can still be expressed (K is rounded down).
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: u64 = int_part.parse().ok()?;
    // Two decimals are all the node prints; more are ignored (rounded down).
    let frac2: u64 = format!("{:0<2}", &frac_part[..frac_part.len().min(2)]).parse().ok()?;
    let hundredths = int.checked_mul(100)?.checked_add(frac2)?;
    let gib_hundredths = match unit.to_ascii_uppercase() {
        'K' => return Some(0),
        'M' => hundredths / 1024,
        'G' => hundredths,
        'T' => hundredths.checked_mul(1024)?,
        _ => return None,
    };
    Some(gib_hundredths / 100)
}

/// One node the client currently sees (`POST /api/v1/mining_nodes` with `[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct NodeSummary {
    /// The machine id: 64 lowercase hex characters.
    pub node_id: String,
    pub name: String,
    pub version: String,
}

impl NodeSummary {
    pub(crate) fn parse(v: &Value) -> Option<Self> {
        Some(NodeSummary {
            node_id: text(v, "node_id")?,
            name: text(v, "name").unwrap_or_default(),
            version: text(v, "version").unwrap_or_default(),
        })
    }
}

/// A base image in the node's `/data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct ImageInfo {
    pub name: String,
    /// As the node prints it, e.g. `"25G"`.
    pub size: String,
}

impl ImageInfo {
    pub(crate) fn parse(v: &Value) -> Option<Self> {
        // `/api/v1/images` on a node spells the key "image_name:" (nrs:2798).
        let name = text(v, "image_name").or_else(|| text(v, "image_name:"))?;
        Some(ImageInfo { name, size: text(v, "image_size").unwrap_or_default() })
    }

    /// A Windows image: the name contains "win", any case (compute-api.md §4).
    pub fn is_windows(&self) -> bool {
        self.name.to_ascii_lowercase().contains("win")
    }

    /// A Linux image: the name contains "ubuntu" or "linux", any case (the
    /// node's own test for `operation_system`, compute-api.md §1.4.1).
    pub fn is_linux(&self) -> bool {
        let n = self.name.to_ascii_lowercase();
        n.contains("ubuntu") || n.contains("linux")
    }
}

/// One machine's hardware and images as its node reports them
/// (`POST /api/v1/mining_nodes` with `[machine_id]`). Sizes in whole GiB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    /// The node's DBC version, e.g. `"0.4.1.8"`.
    pub version: String,
    /// The host's IP, masked by the node (`"*.31.*.150"`).
    pub ip_masked: String,
    pub os: String,
    pub cpu_model: String,
    /// Host CPU threads (the node's `cores`).
    pub cpu_cores: u32,
    pub gpu_count: u32,
    /// GPUs held by VMs now.
    pub gpu_used: u32,
    pub mem_total_gb: u64,
    pub mem_free_gb: u64,
    /// `/data`, where VM disks live.
    pub data_disk_total_gb: u64,
    /// What a new data disk may use: the node already subtracts the 350 GB
    /// reserved for a system disk (`min(total − 350G, available)`, nrs:5378).
    pub data_disk_free_gb: u64,
    pub images: Vec<ImageInfo>,
}

impl NodeInfo {
    /// Parse the `message` object; `None` when it is not an object.
    pub(crate) fn parse(m: &Value) -> Option<Self> {
        if !m.is_object() {
            return None;
        }
        let cpu = m.get("cpu").cloned().unwrap_or(Value::Null);
        let gpu = m.get("gpu").cloned().unwrap_or(Value::Null);
        let mem = m.get("mem").cloned().unwrap_or(Value::Null);
        let size = |v: &Value, k: &str| text(v, k).and_then(|s| parse_size_gb(&s)).unwrap_or(0);
        let disks: Vec<Value> = m.get("disk_data").and_then(Value::as_array).cloned().unwrap_or_default();
        let data = disks
            .iter()
            .find(|d| text(d, "path").as_deref() == Some("/data"))
            .or_else(|| disks.first())
            .cloned()
            .unwrap_or(Value::Null);
        let images = m
            .get("images")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(ImageInfo::parse).collect())
            .unwrap_or_default();
        let small = |v: &Value, k: &str| uint(v, k).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Some(NodeInfo {
            version: text(m, "version").unwrap_or_default(),
            ip_masked: text(m, "ip").unwrap_or_default(),
            os: text(m, "os").unwrap_or_default(),
            cpu_model: text(&cpu, "type").unwrap_or_default(),
            cpu_cores: small(&cpu, "cores"),
            gpu_count: small(&gpu, "gpu_count"),
            gpu_used: small(&gpu, "gpu_used"),
            mem_total_gb: size(&mem, "size"),
            mem_free_gb: size(&mem, "free"),
            data_disk_total_gb: size(&data, "size"),
            data_disk_free_gb: size(&data, "free"),
            images,
        })
    }

    pub fn windows_images(&self) -> impl Iterator<Item = &ImageInfo> {
        self.images.iter().filter(|i| i.is_windows())
    }

    pub fn linux_images(&self) -> impl Iterator<Item = &ImageInfo> {
        self.images.iter().filter(|i| i.is_linux())
    }
}

/// How far a task status is along (compute-api.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum StatusKind {
    /// `creating`: queued or being built.
    Creating,
    /// `running`: ready; the login is valid.
    Running,
    /// `closed` (shut off) or `pmsuspend` (guest asleep): `start` wakes it.
    Off,
    /// `starting`, `restarting`, `deleting`, `being poweroff`, …: wait.
    Transitional,
    /// `create error`, `start error`, … `error`: failed; read the log.
    Failed,
    /// `none` or a status this app does not know: poll again.
    Unknown,
}

/// A task status exactly as the node wrote it; [`TaskStatus::kind`] classifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[derive(ts_rs::TS)]
pub struct TaskStatus(pub String);

impl TaskStatus {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> StatusKind {
        match self.0.as_str() {
            "creating" => StatusKind::Creating,
            "running" => StatusKind::Running,
            "closed" | "pmsuspend" | "pmsuspended" => StatusKind::Off,
            "starting" | "restarting" | "resetting" | "deleting" | "being shutdown" | "being poweroff"
            | "disk resizing" | "disk adding" | "disk deleting" | "snapshot creating" => StatusKind::Transitional,
            s if s == "error" || s.ends_with(" error") => StatusKind::Failed,
            _ => StatusKind::Unknown,
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One VM in `POST /api/v1/tasks` (only the authenticated renter's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSummary {
    pub task_id: String,
    pub status: TaskStatus,
    pub create_time: Option<String>,
    pub desc: String,
}

impl TaskSummary {
    /// `None` without a task id, or with one that could not be used in a
    /// URL path (such an entry is not ours to act on).
    pub(crate) fn parse(v: &Value) -> Option<Self> {
        Some(TaskSummary {
            task_id: text(v, "task_id").filter(|id| super::machine::check_task_id(id).is_ok())?,
            status: TaskStatus(text(v, "status").unwrap_or_default()),
            create_time: text(v, "create_time"),
            desc: text(v, "desc").unwrap_or_default(),
        })
    }
}

/// What "not set" looks like in a login field: the guest agent could not set
/// the password (compute-api.md §4).
pub const NOT_AVAILABLE: &str = "N/A";

/// One VM in detail (`POST /api/v1/tasks/<task_id>`), the poll target.
/// `Debug` hides both passwords; `Serialize` keeps them (the UI shows them
/// behind a reveal button).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDetail {
    pub task_id: String,
    pub status: TaskStatus,
    /// As given at creation, lower-cased (`"windows"`).
    pub os: String,
    /// The host's public IP (or the VM's own public IP): the RDP host.
    pub ssh_ip: String,
    /// Windows only: the host port forwarded to the guest's 3389.
    pub rdp_port: Option<u16>,
    /// Linux only.
    pub ssh_port: Option<u16>,
    pub vnc_port: Option<u16>,
    /// `"Administrator"` on Windows; may be `"N/A"`.
    pub user_name: String,
    /// 16 generated characters, or `"N/A"` when the guest agent could not set it.
    pub login_password: String,
    pub vnc_password: String,
    pub cpu_cores: Option<u32>,
    pub gpu_count: Option<u32>,
    /// As printed, e.g. `"32G"`.
    pub mem_size: Option<String>,
    pub create_time: Option<String>,
    pub desc: String,
    pub rent_order: Option<String>,
}

impl fmt::Debug for TaskDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskDetail")
            .field("task_id", &self.task_id)
            .field("status", &self.status.0)
            .field("os", &self.os)
            .field("ssh_ip", &self.ssh_ip)
            .field("rdp_port", &self.rdp_port)
            .field("vnc_port", &self.vnc_port)
            .field("user_name", &self.user_name)
            .field("login_password", &crate::redact::REDACTED)
            .field("vnc_password", &crate::redact::REDACTED)
            .field("cpu_cores", &self.cpu_cores)
            .field("gpu_count", &self.gpu_count)
            .field("mem_size", &self.mem_size)
            .field("rent_order", &self.rent_order)
            .finish_non_exhaustive()
    }
}

/// Where and as whom to log in over Remote Desktop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RdpLogin {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// `None` when the node shows `"N/A"` (no guest agent in the image).
    pub password: Option<String>,
}

impl fmt::Debug for RdpLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RdpLogin({}@{}:{}, password set: {})", self.user, self.host, self.port, self.password.is_some())
    }
}

impl TaskDetail {
    /// Parse the `message` object; `Ok(None)` when it is not an object with
    /// a task id. The RDP endpoint is checked here, before anything keeps
    /// or connects to it: a Windows VM's `rdp_port` that is not 1–65535
    /// (`"0"`, `"-1"`, `"3389.5"`) is `invalid-rdp-port {value}`, and an
    /// `ssh_ip` that is not an IP or a host name is `invalid-rdp-host {host}`.
    pub(crate) fn parse(m: &Value) -> Result<Option<Self>> {
        let small = |k: &str| uint(m, k).and_then(|n| u32::try_from(n).ok());
        let Some(task_id) = text(m, "task_id") else {
            return Ok(None);
        };
        let os = text(m, "os").unwrap_or_default();
        let rdp_port = match text(m, "rdp_port") {
            Some(raw) if os.contains("win") && !matches!(raw.trim(), "" | NOT_AVAILABLE) => {
                Some(crate::rdp::parse_port(raw.trim())?)
            }
            Some(_) => port(m, "rdp_port"),
            // A JSON array or object where digits belong.
            None if os.contains("win") && m.get("rdp_port").is_some_and(|v| !v.is_null()) => {
                let shown = crate::text::sanitize(&m["rdp_port"].to_string(), 64);
                Some(crate::rdp::parse_port(&shown)?)
            }
            None => None,
        };
        let ssh_ip = text(m, "ssh_ip").unwrap_or_default().trim().to_string();
        let ssh_ip = if ssh_ip.is_empty() { ssh_ip } else { crate::rdp::check_host(&ssh_ip)? };
        Ok(Some(TaskDetail {
            task_id,
            status: TaskStatus(text(m, "status").unwrap_or_default()),
            os,
            ssh_ip,
            rdp_port,
            ssh_port: port(m, "ssh_port"),
            vnc_port: port(m, "vnc_port"),
            user_name: text(m, "user_name").unwrap_or_default(),
            login_password: text(m, "login_password").unwrap_or_default(),
            vnc_password: text(m, "vnc_password").unwrap_or_default(),
            cpu_cores: small("cpu_cores"),
            gpu_count: small("gpu_count"),
            mem_size: text(m, "mem_size"),
            create_time: text(m, "create_time"),
            desc: text(m, "desc").unwrap_or_default(),
            rent_order: text(m, "rent_order"),
        }))
    }

    pub fn is_windows(&self) -> bool {
        self.os.contains("win")
    }

    /// The Remote Desktop login once the VM runs: `ssh_ip:rdp_port` as
    /// `user_name` (`Administrator` when the node shows none). `None` before
    /// `running`, for a non-Windows VM, or without an RDP port or host.
    pub fn rdp_login(&self) -> Option<RdpLogin> {
        if self.status.kind() != StatusKind::Running || !self.is_windows() || self.ssh_ip.is_empty() {
            return None;
        }
        let user = match self.user_name.as_str() {
            "" | NOT_AVAILABLE => "Administrator".to_string(),
            u => u.to_string(),
        };
        let password = match self.login_password.as_str() {
            "" | NOT_AVAILABLE => None,
            p => Some(p.to_string()),
        };
        Some(RdpLogin { host: self.ssh_ip.clone(), port: self.rdp_port?, user, password })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_in_whole_gib_with_integer_math() {
        assert_eq!(parse_size_gb("503G"), Some(503));
        assert_eq!(parse_size_gb("503.12G"), Some(503));
        assert_eq!(parse_size_gb("0.99G"), Some(0));
        assert_eq!(parse_size_gb("3576G"), Some(3576));
        assert_eq!(parse_size_gb("2048M"), Some(2));
        assert_eq!(parse_size_gb("1536.5M"), Some(1));
        assert_eq!(parse_size_gb("2T"), Some(2048));
        assert_eq!(parse_size_gb("1.5T"), Some(1536));
        assert_eq!(parse_size_gb("900K"), Some(0));
        assert_eq!(parse_size_gb(" 32g "), Some(32));
        for bad in ["", "G", "12", "abcG", "1.2.3G", "-5G", "5X", "1e3G"] {
            assert_eq!(parse_size_gb(bad), None, "{bad}");
        }
    }

    /// compute-api.md §8.3, verbatim.
    #[test]
    fn node_info_from_the_reference_example() {
        let m = json!({"version":"0.4.1.8","node_type":"1","ip":"*.31.*.150","os":"Ubuntu 20.04.6 LTS",
         "cpu":{"type":"AMD EPYC 7542","hz":"2900","cores":"64","used_usage":"3.10%","physical_cpus":"2"},
         "gpu":{"gpu_count":"8","gpu_used":"1"},
         "mem":{"size":"503G","free":"470.5G","used_usage":"6.50%"},
         "disk_system":{"type":"SSD","size":"350G"},
         "disk_data":[{"path":"/other","type":"HDD","size":"10G","free":"9G"},{"path":"/data","type":"SSD","size":"3576G","free":"3000G","used_usage":"10.00%"}],
         "images":[{"image_name":"windows_1909.qcow2","image_size":"25G"},{"image_name:":"ubuntu.qcow2","image_size":"8G"}]});
        let n = NodeInfo::parse(&m).unwrap();
        assert_eq!((n.cpu_cores, n.gpu_count, n.gpu_used), (64, 8, 1));
        assert_eq!((n.mem_total_gb, n.mem_free_gb), (503, 470));
        assert_eq!((n.data_disk_total_gb, n.data_disk_free_gb), (3576, 3000), "the /data entry");
        assert_eq!(n.images.len(), 2, "both spellings of image_name");
        assert_eq!(n.windows_images().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["windows_1909.qcow2"]);
        assert_eq!(n.ip_masked, "*.31.*.150");
        // Numbers instead of strings are read the same.
        let m2 = json!({"cpu":{"cores":64},"gpu":{"gpu_count":8},"mem":{"size":"1T","free":"1T"},"disk_data":[],"images":[]});
        let n2 = NodeInfo::parse(&m2).unwrap();
        assert_eq!((n2.cpu_cores, n2.gpu_count, n2.mem_total_gb, n2.data_disk_free_gb), (64, 8, 1024, 0));
        assert!(NodeInfo::parse(&json!("ok")).is_none());
    }

    /// compute-api.md §8.5, verbatim: numbers for cpu_cores/gpu_count, strings for ports.
    #[test]
    fn task_detail_from_the_reference_example() {
        let m = json!({
          "task_id":"DbcWin7Kj9k7Bteh2E88cA","os":"windows","ssh_ip":"116.31.89.150","rdp_port":"23456",
          "user_name":"Administrator","login_password":"Kq8_/x+2[pL@#^aZ",
          "cpu_cores":8,"gpu_count":1,"mem_size":"32G","disk_system":"350G",
          "vnc_port":"25901","vnc_password":"Kq8_/x+2",
          "create_time":"2025-01-09 18:00:00","desc":"tauri vm 1","status":"running","rent_order":"RID",
          "disks":[],"interface":[]});
        let d = TaskDetail::parse(&m).unwrap().unwrap();
        assert_eq!((d.rdp_port, d.vnc_port, d.ssh_port), (Some(23456), Some(25901), None));
        assert_eq!((d.cpu_cores, d.gpu_count), (Some(8), Some(1)));
        assert_eq!(d.status.kind(), StatusKind::Running);
        let login = d.rdp_login().unwrap();
        assert_eq!((login.host.as_str(), login.port, login.user.as_str()), ("116.31.89.150", 23456, "Administrator"));
        assert_eq!(login.password.as_deref(), Some("Kq8_/x+2[pL@#^aZ"));
        let dbg = format!("{d:?} {login:?}");
        assert!(!dbg.contains("Kq8_"), "Debug hides passwords: {dbg}");
        // Strings instead of numbers, and the other way round.
        let m2 = json!({"task_id":"t","os":"windows","ssh_ip":"1.2.3.4","rdp_port":23456,"cpu_cores":"8","gpu_count":"1",
                        "status":"running","user_name":"N/A","login_password":"N/A"});
        let d2 = TaskDetail::parse(&m2).unwrap().unwrap();
        assert_eq!((d2.rdp_port, d2.cpu_cores), (Some(23456), Some(8)));
        let l2 = d2.rdp_login().unwrap();
        assert_eq!((l2.user.as_str(), l2.password), ("Administrator", None), "N/A means no password");
        // Not running yet: no login.
        let m3 = json!({"task_id":"t","os":"windows","ssh_ip":"1.2.3.4","rdp_port":"1","status":"creating"});
        assert!(TaskDetail::parse(&m3).unwrap().unwrap().rdp_login().is_none());
        assert!(TaskDetail::parse(&json!({"status":"running"})).unwrap().is_none(), "no task id");
    }

    #[test]
    fn status_kinds() {
        let k = |s: &str| TaskStatus(s.into()).kind();
        assert_eq!(k("creating"), StatusKind::Creating);
        assert_eq!(k("running"), StatusKind::Running);
        assert_eq!(k("closed"), StatusKind::Off);
        assert_eq!(k("pmsuspend"), StatusKind::Off);
        for s in ["starting", "restarting", "being poweroff", "being shutdown", "deleting", "disk resizing"] {
            assert_eq!(k(s), StatusKind::Transitional, "{s}");
        }
        for s in ["create error", "start error", "delete error", "error", "create snapshot error"] {
            assert_eq!(k(s), StatusKind::Failed, "{s}");
        }
        assert_eq!(k("none"), StatusKind::Unknown);
        assert_eq!(k("terror"), StatusKind::Unknown);
    }

    #[test]
    fn task_summaries() {
        let t = TaskSummary::parse(
            &json!({"task_id":"abc","create_time":"2025-01-09 18:00:00","desc":"d","status":"running"}),
        )
        .unwrap();
        assert_eq!(t.status.kind(), StatusKind::Running);
        assert!(TaskSummary::parse(&json!({"status":"running"})).is_none());
        assert!(
            TaskSummary::parse(&json!({"task_id":"../x","status":"running"})).is_none(),
            "an id that cannot go into a path is not listed"
        );
    }

    fn win(extra: Value) -> Value {
        let mut m = json!({"task_id":"DbcWin7Kj9k7Bteh2E88cA","os":"windows","ssh_ip":"203.0.113.7",
                           "rdp_port":"23456","status":"running","user_name":"Administrator","login_password":"pw"});
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        m
    }

    /// A port the node could not mean is named, not turned into "no port"
    /// (which the CLI and the app report as "the VM is not running").
    #[test]
    fn an_invalid_rdp_port_is_reported_with_its_value() {
        for (bad, shown) in [
            (json!("0"), "0"),
            (json!("65536"), "65536"),
            (json!("-1"), "-1"),
            (json!("3389.5"), "3389.5"),
            (json!(3389.5), "3389.5"),
            (json!(-1), "-1"),
            (json!("33 89"), "33 89"),
            (json!([3389]), "[3389]"),
        ] {
            let e = TaskDetail::parse(&win(json!({ "rdp_port": bad }))).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidRdpPort, "{bad}");
            assert_eq!(e.data.as_ref().unwrap()["value"], shown, "{bad}");
        }
        // Absent, empty or "N/A" while the VM is being made: no port yet.
        for none in [json!(""), json!("N/A"), Value::Null] {
            let d = TaskDetail::parse(&win(json!({ "rdp_port": none, "status": "creating" }))).unwrap().unwrap();
            assert_eq!(d.rdp_port, None);
        }
        // A Linux VM's ports are not ours to judge.
        let d = TaskDetail::parse(&win(json!({ "os": "ubuntu", "rdp_port": "0" }))).unwrap().unwrap();
        assert_eq!(d.rdp_port, None);
        assert_eq!(TaskDetail::parse(&win(json!({ "rdp_port": " 3389 " }))).unwrap().unwrap().rdp_port, Some(3389));
    }

    #[test]
    fn ssh_ip_must_be_a_host() {
        for bad in ["1.2.3.4;id", "$(id)", "host name", "-oProxy", "1.2.3.999", "a\nfull address:s:x", "user@host"] {
            let e = TaskDetail::parse(&win(json!({ "ssh_ip": bad }))).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidRdpHost, "{bad}");
        }
        let d = TaskDetail::parse(&win(json!({ "ssh_ip": " [2001:DB8::7] " }))).unwrap().unwrap();
        assert_eq!(d.ssh_ip, "2001:db8::7", "normalized as an address is written");
        let d = TaskDetail::parse(&win(json!({ "ssh_ip": "Node.Example.COM" }))).unwrap().unwrap();
        assert_eq!(d.ssh_ip, "node.example.com");
        assert_eq!(TaskDetail::parse(&win(json!({ "ssh_ip": "" }))).unwrap().unwrap().rdp_login(), None);
    }

    /// Every string is capped and made one clean line at the boundary.
    #[test]
    fn remote_strings_are_capped_and_cleaned() {
        let huge = "x".repeat(4 << 20);
        let d = TaskDetail::parse(&win(json!({
            "status": huge, "user_name": "Admin\u{202E}istrator\n/p:x", "desc": "a\tb\u{0}c", "mem_size": huge,
        })))
        .unwrap()
        .unwrap();
        assert!(d.status.0.len() <= MAX_REMOTE_TEXT && d.status.0.ends_with('…'));
        assert_eq!(d.status.kind(), StatusKind::Unknown);
        assert_eq!(d.user_name, "Administrator /p:x");
        assert_eq!(d.desc, "a bc");
        assert!(d.mem_size.unwrap().len() <= MAX_REMOTE_TEXT);
        let n = NodeSummary::parse(&json!({"node_id": "ab\ncd", "name": huge})).unwrap();
        assert_eq!(n.node_id, "ab cd");
        assert!(n.name.len() <= MAX_REMOTE_TEXT);
    }
}
