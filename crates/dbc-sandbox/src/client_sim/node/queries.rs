//! The node's read-only routes: `mining_nodes` (node info), images, the task
//! list, one task's detail and its logs. They change nothing.

use serde_json::{json, Map, Value};

use super::accounting::is_windows;
use super::values::{local_time, mask_ip};
use super::{reply, NodeReq, Sim, DISK_SYSTEM_GB, ERR_ERROR, ERR_SUCCESS, E_DEFAULT};

impl Sim {
    pub(super) fn node_info(&self, machine_id: &str) -> Value {
        let st = self.state.lock().unwrap();
        let Some(n) = st.nodes.get(machine_id) else {
            return reply(E_DEFAULT, "node not found");
        };
        let r = &n.res;
        let gpu_used: usize = n
            .tasks
            .iter()
            .filter(|t| t.status != "closed" && !t.status.ends_with("error"))
            .map(|t| t.alloc.gpus.len())
            .sum();
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

    pub(super) fn images(&self, machine_id: &str) -> Value {
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

    pub(super) fn list(&self, machine_id: &str, wallet: &str) -> Value {
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

    pub(super) fn detail(&self, machine_id: &str, wallet: &str, task_id: &str) -> Value {
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
            m.insert("rdp_port".into(), json!(t.alloc.rdp_port.to_string()));
        } else {
            m.insert("ssh_port".into(), json!(t.alloc.ssh_port.to_string()));
        }
        m.insert("user_name".into(), json!(t.user_name));
        m.insert("login_password".into(), json!(t.login_password));
        m.insert("cpu_cores".into(), json!(t.alloc.cpu_cores));
        m.insert("gpu_count".into(), json!(t.alloc.gpus.len()));
        m.insert("mem_size".into(), json!(format!("{}G", t.alloc.mem_gb)));
        m.insert("disk_system".into(), json!(format!("{DISK_SYSTEM_GB}G")));
        m.insert("vnc_port".into(), json!(t.alloc.vnc_port.to_string()));
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
                   {"name": "vdb", "size": format!("{}G", t.alloc.disk_gb), "source_file": t.vdb}]),
        );
        let iface = if t.domain_running() {
            json!([{"name": "vnet0", "type": "network", "mac_address": t.mac}])
        } else {
            json!([])
        };
        m.insert("interface".into(), iface);
        reply(ERR_SUCCESS, Value::Object(m))
    }

    pub(super) fn logs(&self, req: &NodeReq) -> Value {
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
}
