//! The power operations on an existing task (tm:1491-1833): start, stop,
//! restart and delete. Each is one [`Transition`]: the same lookup, an
//! optional resource check and refusal, a busy status, a new epoch and a
//! timer that lands the end state (see [`super::lifecycle`]).

use serde_json::Value;

use super::accounting::{is_linux, is_windows};
use super::lifecycle::Next;
use super::{ok_str, reply, Domain, Node, NodeReq, Sim, Task, ERR_ERROR};

/// What one power operation checks, shows and arms.
struct Transition {
    /// Run `check_resource` first (start and restart take the host's resources again).
    check_resources: bool,
    /// Refuse with this text while the domain is in this state.
    refuse: Option<(Domain, &'static str)>,
    /// The status the task shows until the timer lands.
    busy: &'static str,
    next: Next,
}

impl Transition {
    /// Show `busy` until the timer lands `next`; no checks.
    fn to(busy: &'static str, next: Next) -> Self {
        Transition { check_resources: false, refuse: None, busy, next }
    }
    fn checking_resources(self) -> Self {
        Transition { check_resources: true, ..self }
    }
    fn refused_while(self, domain: Domain, why: &'static str) -> Self {
        Transition { refuse: Some((domain, why)), ..self }
    }
}

impl Sim {
    pub(super) fn start(&self, req: &NodeReq) -> Value {
        let op = Transition::to("starting", Next::Started).checking_resources();
        self.transition(req, op.refused_while(Domain::Running, "task is running"), |_| {})
    }

    pub(super) fn stop(&self, req: &NodeReq) -> Value {
        let op = Transition::to("being poweroff", Next::PoweredOff).refused_while(Domain::ShutOff, "task is shut_off");
        self.transition(req, op, |_| {})
    }

    pub(super) fn restart(&self, req: &NodeReq) -> Value {
        let force = req.force_reboot;
        self.transition(req, Transition::to("restarting", Next::Restarted).checking_resources(), |t| {
            // A reboot drops RDP and SSH sessions; a forced one destroys the domain first.
            t.close_endpoints();
            if force {
                t.domain = Domain::ShutOff;
            }
        })
    }

    pub(super) fn delete(&self, req: &NodeReq) -> Value {
        self.transition(req, Transition::to("deleting", Next::Deleted), |_| {})
    }

    /// The one shape of every power operation: find the task, check, show the
    /// busy status under a new epoch (`begin` does the operation's immediate
    /// effects), then let the timer land it after `op_time`.
    fn transition(&self, req: &NodeReq, op: Transition, begin: impl FnOnce(&mut Task)) -> Value {
        let mut st = self.state.lock().unwrap();
        let Some(node) = st.nodes.get_mut(&req.machine_id) else {
            return reply(ERR_ERROR, "task not exist");
        };
        let Some(t) = node.task(&req.task_id) else {
            return reply(ERR_ERROR, "task not exist");
        };
        // The resource check comes first where both apply (start).
        if op.check_resources {
            if let Some(err) = check_resource(node, &req.task_id) {
                return reply(ERR_ERROR, err);
            }
        }
        if let Some((domain, why)) = op.refuse {
            if t.domain == domain {
                return reply(ERR_ERROR, why);
            }
        }
        let t = node.task_mut(&req.task_id).expect("looked up above");
        t.status = op.busy;
        t.epoch += 1;
        let epoch = t.epoch;
        begin(t);
        drop(st);
        self.persist(&req.machine_id, &req.task_id);
        self.schedule(&req.machine_id, &req.task_id, epoch, self.cfg.op_time, op.next);
        ok_str()
    }
}

/// `check_resource` before start/restart: GPUs, CPU, memory, ports (tm:1628-1695).
fn check_resource(node: &Node, task_id: &str) -> Option<String> {
    let t = node.task(task_id)?;
    if t.alloc.cpu_cores + node.cores_used(task_id) > node.res.cpu_cores {
        return Some("cpu count exceeds the maximum".into());
    }
    let used = node.gpus_in_use(task_id);
    if t.alloc.gpus.iter().any(|g| used.contains(g)) {
        return Some("check gpu failed".into());
    }
    if !t.domain_running() && t.alloc.mem_gb > node.mem_free_gb() {
        return Some("check memory failed".into());
    }
    if is_linux(&t.os) && node.port_conflict(t.alloc.ssh_port, task_id).is_some() {
        return Some("check ssh_port failed".into());
    }
    if is_windows(&t.os) && node.port_conflict(t.alloc.rdp_port, task_id).is_some() {
        return Some("check rdp_port failed".into());
    }
    if node.port_conflict(t.alloc.vnc_port, task_id).is_some() {
        return Some("check vnc_port failed".into());
    }
    None
}
