//! [`RentedMachine`]: the signed routes for one rent order on one machine:
//! the renter's VMs, their details, power operations and logs. Creating a
//! VM is in `create`, waiting for a status in `poll`.

use super::auth::Auth;
use super::client::{normalize_machine_id, ComputeClient};
use super::plan::{plan_vm_for, PlanRequest, VmOs, VmPlan};
use super::reply::{bad_shape, Ctx};
use super::types::{NodeInfo, TaskDetail, TaskSummary};
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};

/// Most log lines the node returns at once (more become 99).
pub const MAX_LOG_LINES: u32 = 100;
/// Most of the log tail kept, in bytes (a real node caps it at 8 KiB), and
/// of one line.
pub const MAX_LOG_BYTES: usize = 8 * 1024;
const MAX_LOG_LINE_BYTES: usize = 1024;

/// A DBC client, a machine id and the renter's [`Auth`] (key + rent order).
/// Every request is signed with a fresh nonce.
#[derive(Clone, Debug)]
pub struct RentedMachine {
    client: ComputeClient,
    machine_id: String,
    auth: Auth,
}

/// Task ids go into URL paths: letters, digits and `_` only (the node's own
/// ids are Base58; committee checks use `vm_check_<ts>`). Ids in answers are
/// held to the same rule, so a refused one is never kept.
pub(crate) fn check_task_id(id: &str) -> Result<()> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("{id:?} is not a task id")).with_data(json!({ "field": "taskId" })))
    }
}

impl ComputeClient {
    /// The signed routes for one rent order on one machine. (Here, not in
    /// `client`: the signed routes build on the plain client, not the
    /// other way round.)
    pub fn rented(&self, machine_id: &str, auth: Auth) -> Result<RentedMachine> {
        Ok(RentedMachine { client: self.clone(), machine_id: normalize_machine_id(machine_id)?, auth })
    }
}

impl RentedMachine {
    pub fn client(&self) -> &ComputeClient {
        &self.client
    }

    pub fn machine_id(&self) -> &str {
        &self.machine_id
    }

    pub fn rent_id(&self) -> u64 {
        self.auth.rent_id()
    }

    pub fn wallet(&self) -> &str {
        self.auth.wallet()
    }

    pub(crate) fn ctx(&self, route: String, task_id: Option<&str>) -> Ctx {
        let mut c = self.client.ctx(&route);
        c.machine_id = Some(self.machine_id.clone());
        c.rent_id = Some(self.auth.rent_id());
        c.task_id = task_id.map(str::to_string);
        c
    }

    /// A signed POST to `route` with `additional`.
    pub(crate) async fn signed(&self, ctx: &Ctx, additional: Map<String, Value>) -> Result<Value> {
        let body = ComputeClient::envelope(Some(&self.machine_id), additional, Some(&self.auth));
        self.client.exchange(ctx, Some(&body)).await
    }

    /// The machine's hardware and images (no signature needed).
    pub async fn node_info(&self) -> Result<NodeInfo> {
        self.client.node_info(&self.machine_id).await
    }

    /// Read the node and plan a Windows VM for this order's share
    /// ([`plan_vm`]); the description defaults to `DBC Rent order <id>`.
    pub async fn plan(&self, req: &PlanRequest) -> Result<VmPlan> {
        self.plan_for(req, VmOs::Windows).await
    }

    /// [`RentedMachine::plan`] for `os` ([`plan_vm_for`]).
    pub async fn plan_for(&self, req: &PlanRequest, os: VmOs) -> Result<VmPlan> {
        let node = self.node_info().await?;
        let mut req = req.clone();
        if req.desc.is_none() {
            req.desc = Some(format!("DBC Rent order {}", self.auth.rent_id()));
        }
        plan_vm_for(&node, &req, os, &mut rand::rngs::OsRng)
    }

    /// `POST /api/v1/tasks`: this wallet's VMs on the machine.
    pub async fn tasks(&self) -> Result<Vec<TaskSummary>> {
        let ctx = self.ctx("/api/v1/tasks".into(), None);
        let m = self.signed(&ctx, Map::new()).await?;
        let list = m.as_array().ok_or_else(|| bad_shape(&ctx, "the task list is not an array"))?;
        Ok(list.iter().filter_map(TaskSummary::parse).collect())
    }

    /// `POST /api/v1/tasks/<task_id>`: status and login. `vm-not-found` when
    /// the node has no such VM for this wallet.
    pub async fn task(&self, task_id: &str) -> Result<TaskDetail> {
        check_task_id(task_id)?;
        let ctx = self.ctx(format!("/api/v1/tasks/{task_id}"), Some(task_id));
        let m = self.signed(&ctx, Map::new()).await?;
        let d =
            TaskDetail::parse(&m)?.ok_or_else(|| bad_shape(&ctx, "the task detail is not an object with a task_id"))?;
        if check_task_id(&d.task_id).is_err() {
            return Err(bad_shape(&ctx, "the task detail's task_id is not a task id"));
        }
        Ok(d)
    }

    async fn power(&self, op: &str, task_id: &str, query: &str) -> Result<()> {
        check_task_id(task_id)?;
        let ctx = self.ctx(format!("/api/v1/tasks/{op}/{task_id}{query}"), Some(task_id));
        self.signed(&ctx, Map::new()).await.map(|_| ())
    }

    /// Start (or wake) a VM that is off. Queued: poll for `running`.
    pub async fn start(&self, task_id: &str) -> Result<()> {
        self.power("start", task_id, "").await
    }

    /// A **hard power-off** (`virDomainDestroy`): unsaved work in Windows is
    /// lost. Queued: poll for `closed`.
    pub async fn stop(&self, task_id: &str) -> Result<()> {
        self.power("stop", task_id, "").await
    }

    /// Ask the guest to reboot; `force` destroys and starts it instead (for a
    /// guest that ignores the request). Queued: poll for `running`.
    pub async fn restart(&self, task_id: &str, force: bool) -> Result<()> {
        self.power("restart", task_id, if force { "?force_reboot=true" } else { "" }).await
    }

    /// Delete the VM **and its disks**; irreversible. Queued: poll until it is gone.
    pub async fn delete(&self, task_id: &str) -> Result<()> {
        self.power("delete", task_id, "").await
    }

    /// The last `lines` lines (1–100) of the VM's log on the node.
    pub async fn logs(&self, task_id: &str, lines: u32) -> Result<Vec<String>> {
        check_task_id(task_id)?;
        let n = lines.clamp(1, MAX_LOG_LINES);
        let ctx = self.ctx(format!("/api/v1/tasks/logs/{task_id}?flag=tail&line_num={n}"), Some(task_id));
        let m = self.signed(&ctx, Map::new()).await?;
        let lines = m.get("log_content").and_then(Value::as_array).ok_or_else(|| bad_shape(&ctx, "no log_content"))?;
        Ok(log_tail(lines, n as usize))
    }
}

/// The last `n` lines, each cleaned and capped, at most [`MAX_LOG_BYTES`]
/// in all: the tail goes into errors and the journal.
fn log_tail(lines: &[Value], n: usize) -> Vec<String> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    for l in lines.iter().rev().take(n) {
        let raw = match l {
            Value::String(s) => crate::text::sanitize(s, MAX_LOG_LINE_BYTES),
            other => crate::text::sanitize(&other.to_string(), MAX_LOG_LINE_BYTES),
        };
        total += raw.len();
        if total > MAX_LOG_BYTES {
            break;
        }
        kept.push(raw);
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tails_are_bounded() {
        let lines: Vec<Value> = (0..500).map(|i| json!(format!("line {i}\u{1b}[31m {}", "y".repeat(3000)))).collect();
        let tail = log_tail(&lines, 100);
        assert!(tail.iter().map(String::len).sum::<usize>() <= MAX_LOG_BYTES);
        assert!(!tail.is_empty() && tail.last().unwrap().starts_with("line 499"), "the newest line is kept");
        assert!(tail.iter().all(|l| l.len() <= MAX_LOG_LINE_BYTES && !l.contains('\u{1b}')));
        let short: Vec<Value> = vec![json!("a"), json!(1), json!({"x": "b"}), json!("c")];
        assert_eq!(log_tail(&short, 3), ["1", "{\"x\":\"b\"}", "c"]);
    }

    #[test]
    fn task_ids_in_paths_are_checked() {
        check_task_id("DbcWin7Kj9k7Bteh2E88cA").unwrap();
        check_task_id("vm_check_1700000000").unwrap();
        for bad in ["", "../x", "a/b", "a?b", "a b", &"x".repeat(65)] {
            assert!(check_task_id(bad).is_err(), "{bad}");
        }
    }
}
