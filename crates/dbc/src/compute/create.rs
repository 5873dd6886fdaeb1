//! Creating the VM without ever creating it twice (compute-api.md §1.4.1, §7).
//!
//! The task id is ours, chosen before the first attempt, and the node
//! refuses a second task with the same id. So whatever happens to an answer,
//! sending the same plan again is safe, and an unknown outcome is resolved
//! by asking for that id:
//!
//! - `port conflict, exist …`: new random ports, try again (bounded);
//! - `create task failed, please try again in a minute` (the owner's VMs
//!   are still stopping): wait, try again (bounded);
//! - HTTP 500 `create task timeout`, our own timeout, or a connection lost
//!   mid-request: the node may be creating it. Poll the id for a while; if
//!   it shows up it was created, else send the same plan again (bounded);
//! - `task id already existed`: an earlier attempt got through; read it;
//! - an answer that began and then stalled (a client trickling its reply,
//!   `compute-timeout` with `stage: "reading"`): not the node's timeout and
//!   not retried; the caller hears at once (within the request timeout) and
//!   may resume later with the same plan.

use super::machine::{check_task_id, RentedMachine};
use super::plan::VmPlan;
use super::reply::bad_shape;
use super::reply::{self, node_message};
use super::types::{text, TaskDetail, TaskStatus};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// How hard [`RentedMachine::create_task`] tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOptions {
    /// Port pairs tried before giving up with `vm-ports-taken`.
    pub max_port_attempts: u32,
    /// Extra attempts after "try again in a minute".
    pub busy_retries: u32,
    /// The wait before each of those (the node's own advice: a minute).
    pub busy_backoff: Duration,
    /// After an unknown outcome: how often to look for the task id ...
    pub resolve_interval: Duration,
    /// ... and for how long before sending the plan again.
    pub resolve_window: Duration,
    /// Times the same plan is sent again after an unresolved unknown outcome.
    pub max_resends: u32,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            max_port_attempts: 5,
            busy_retries: 2,
            busy_backoff: Duration::from_secs(60),
            resolve_interval: Duration::from_secs(5),
            resolve_window: Duration::from_secs(60),
            max_resends: 2,
        }
    }
}

/// Progress of a create, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[derive(ts_rs::TS)]
pub enum CreateEvent {
    /// A create request goes out (1-based).
    Sending { attempt: u32 },
    /// The node reported `port` taken; the next attempt uses these ports.
    PortConflict { port: Option<u16>, rdp_port: u16, vnc_port: u16 },
    /// The machine's owner VMs are still stopping; next attempt after this wait.
    Busy { retry_in_secs: u64 },
    /// No answer; looking for the task id before anything else.
    Resolving { reason: String },
    /// The task did not show up: sending the same plan (same id) again.
    Resending,
}

/// How the create ended up succeeding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CreatedHow {
    /// The node answered the create.
    Answered,
    /// The answer was lost, but the task id was found on the node.
    FoundAfterTimeout,
    /// The node said the task id exists: an earlier attempt got through.
    AlreadyExisted,
}

/// A VM the node accepted (status usually `creating`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedVm {
    pub task_id: String,
    pub status: TaskStatus,
    pub create_time: Option<String>,
    /// The plan as finally sent (the ports may differ from the first one).
    pub plan: VmPlan,
    pub how: CreatedHow,
    /// Create requests sent.
    pub attempts: u32,
}

/// `port conflict, exist rdp_port = 5685` → `Some(5685)`.
fn conflict_port(msg: &str) -> Option<u16> {
    let digits: String =
        msg.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    digits.parse().ok()
}

fn is_port_conflict(e: &Error) -> bool {
    e.code == ErrorCode::ComputeRefused && node_message(e).is_some_and(|m| m.starts_with("port conflict"))
}

fn is_task_id_taken(e: &Error) -> bool {
    e.code == ErrorCode::ComputeRefused && node_message(e) == Some("task id already existed")
}

impl RentedMachine {
    /// Create the VM described by `plan` (see the module docs for the
    /// retries). Returns once the node has the task; then use
    /// [`RentedMachine::wait_until_running`]. Journal `plan.task_id` before
    /// calling: calling again with the same plan never makes a second VM.
    pub async fn create_task(
        &self,
        plan: &VmPlan,
        opts: &CreateOptions,
        mut on_event: impl FnMut(CreateEvent),
    ) -> Result<CreatedVm> {
        plan.validate()?;
        let mut plan = plan.clone();
        let (mut attempts, mut port_tries, mut busy_tries, mut resends) = (0u32, 1u32, 0u32, 0u32);
        let mut taken: Vec<u16> = Vec::new();
        loop {
            attempts += 1;
            on_event(CreateEvent::Sending { attempt: attempts });
            let ctx = self.ctx("/api/v1/tasks/start".into(), Some(&plan.task_id));
            let err = match self.signed(&ctx, plan.additional()).await {
                Ok(m) => {
                    // A node older than 0.4.0.5 ignores our id and makes its own;
                    // one that cannot go into a URL path is refused, not kept.
                    let task_id = text(&m, "task_id").unwrap_or_else(|| plan.task_id.clone());
                    if check_task_id(&task_id).is_err() {
                        return Err(bad_shape(
                            &ctx,
                            &format!("the created task's id {:?} is not a task id", reply::excerpt(&task_id)),
                        ));
                    }
                    plan.task_id = task_id.clone();
                    return Ok(CreatedVm {
                        task_id,
                        status: TaskStatus(text(&m, "status").unwrap_or_else(|| "creating".into())),
                        create_time: text(&m, "create_time"),
                        plan,
                        how: CreatedHow::Answered,
                        attempts,
                    });
                }
                Err(e) => e,
            };
            if is_port_conflict(&err) {
                let port = node_message(&err).and_then(conflict_port);
                taken.extend(port);
                if port_tries >= opts.max_port_attempts {
                    return Err(Error::new(ErrorCode::VmPortsTaken, format!("{port_tries} port pairs were tried and each was taken on the machine"))
                        .with_data(json!({ "attempts": port_tries, "nodeMessage": node_message(&err), "machineId": self.machine_id() })));
                }
                port_tries += 1;
                plan.repick_ports(&mut rand::rngs::OsRng, &taken);
                tracing::info!(task = %plan.task_id, ?port, "port conflict; new ports");
                on_event(CreateEvent::PortConflict { port, rdp_port: plan.rdp_port, vnc_port: plan.vnc_port });
                continue;
            }
            if is_task_id_taken(&err) {
                // Ours from an earlier attempt (the detail is owner-checked), or
                // someone else's: then this plan needs a new id.
                return match self.task(&plan.task_id).await {
                    Ok(d) => Ok(self.found(d, plan, CreatedHow::AlreadyExisted, attempts)),
                    Err(e) if e.code == ErrorCode::VmNotFound => Err(err),
                    Err(e) => Err(e),
                };
            }
            if err.code == ErrorCode::ComputeBusy {
                if busy_tries >= opts.busy_retries {
                    return Err(err);
                }
                busy_tries += 1;
                on_event(CreateEvent::Busy { retry_in_secs: opts.busy_backoff.as_secs() });
                tokio::time::sleep(opts.busy_backoff).await;
                continue;
            }
            if reply::is_stalled(&err) {
                tracing::info!(task = %plan.task_id, "the create answer stalled; not retried");
                return Err(err);
            }
            if reply::maybe_delivered(&err) {
                tracing::info!(task = %plan.task_id, code = %err.code, "create outcome unknown; looking for the task");
                on_event(CreateEvent::Resolving { reason: err.message.clone() });
                if let Some(d) = self.find_task(&plan.task_id, opts).await? {
                    return Ok(self.found(d, plan, CreatedHow::FoundAfterTimeout, attempts));
                }
                if resends >= opts.max_resends {
                    return Err(err);
                }
                resends += 1;
                on_event(CreateEvent::Resending);
                continue;
            }
            return Err(err);
        }
    }

    fn found(&self, d: TaskDetail, plan: VmPlan, how: CreatedHow, attempts: u32) -> CreatedVm {
        CreatedVm { task_id: d.task_id.clone(), status: d.status, create_time: d.create_time, plan, how, attempts }
    }

    /// Look for `task_id` for up to `resolve_window`. `None` if it never
    /// showed up; slow or missing answers meanwhile are not errors.
    async fn find_task(&self, task_id: &str, opts: &CreateOptions) -> Result<Option<TaskDetail>> {
        let deadline = tokio::time::Instant::now() + opts.resolve_window;
        loop {
            match self.task(task_id).await {
                Ok(d) => return Ok(Some(d)),
                Err(e) if e.code == ErrorCode::VmNotFound || reply::is_transient(&e) => {}
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() + opts.resolve_interval > deadline {
                return Ok(None);
            }
            tokio::time::sleep(opts.resolve_interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conflicting_port_is_read_from_the_message() {
        assert_eq!(conflict_port("port conflict, exist rdp_port = 5685"), Some(5685));
        assert_eq!(conflict_port("port conflict, exist vnc_port = 25901"), Some(25901));
        assert_eq!(conflict_port("port conflict"), None);
        assert_eq!(conflict_port("port conflict, exist rdp_port = 99999"), None);
    }

    #[test]
    fn events_serialize_for_the_ui() {
        let v = serde_json::to_value(CreateEvent::PortConflict { port: Some(1), rdp_port: 20001, vnc_port: 30001 })
            .unwrap();
        assert_eq!(v, json!({"event": "port-conflict", "port": 1, "rdpPort": 20001, "vncPort": 30001}));
        let v = serde_json::to_value(CreateEvent::Busy { retry_in_secs: 60 }).unwrap();
        assert_eq!(v, json!({"event": "busy", "retryInSecs": 60}));
    }
}
