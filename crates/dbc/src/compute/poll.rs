//! Waiting for a VM to reach a status, with progress (compute-api.md §1.5, §7).
//!
//! Creation takes 5–15 minutes on a real machine, and every poll costs the
//! node two chain queries, so the default pace is one poll every 10 s. A
//! poll that times out or finds the client briefly gone is reported and
//! retried; a failed status (`create error`, `start error`, …) ends the
//! wait with the tail of the VM's log.

use super::machine::RentedMachine;
use super::reply;
use super::types::{StatusKind, TaskDetail, TaskStatus};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::json;
use std::time::Duration;

/// Pace and patience of a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOptions {
    /// Between polls. 5–15 s against a real client; tests may go faster.
    pub interval: Duration,
    /// Give up with `vm-wait-timeout` after this long.
    pub give_up_after: Duration,
    /// Log lines attached to a failure.
    pub log_lines: u32,
    /// End the wait with the client's error once this many polls in a row
    /// found the client gone (unreachable, or no longer seeing the node),
    /// so that the caller can go on through another client
    /// (`rental::failover`); `None`: keep trying until `give_up_after`.
    pub client_gone_after: Option<u32>,
}

impl Default for PollOptions {
    fn default() -> Self {
        PollOptions {
            interval: Duration::from_secs(10),
            give_up_after: Duration::from_secs(30 * 60),
            log_lines: 50,
            client_gone_after: None,
        }
    }
}

/// What a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// `running` (after create, start or restart).
    Running,
    /// `closed` or `pmsuspend` (after stop).
    Off,
    /// The node no longer knows the task (after delete).
    Gone,
}

/// One poll, reported to the caller.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Progress {
    pub task_id: String,
    /// `None` when this poll got no answer (see `error`).
    pub status: Option<TaskStatus>,
    pub kind: Option<StatusKind>,
    /// The status differs from the previous poll's (always true on the first).
    pub changed: bool,
    pub elapsed_secs: u64,
    #[serde(skip)]
    pub elapsed: Duration,
    /// 1-based.
    pub polls: u32,
    /// Why this poll got no answer; the wait goes on.
    pub error: Option<Error>,
}

impl RentedMachine {
    /// Poll `task_id` until it runs; returns its detail with the login.
    /// `create error` ends in `vm-create-failed` (other failed statuses in
    /// `vm-operation-failed`), with the VM's log tail in `data.log`.
    pub async fn wait_until_running(
        &self,
        task_id: &str,
        opts: &PollOptions,
        on_progress: impl FnMut(Progress),
    ) -> Result<TaskDetail> {
        let d = self.wait_for(task_id, Target::Running, opts, on_progress).await?;
        d.ok_or_else(|| Error::internal("a running task has a detail"))
    }

    /// Poll until `target`: `Some(detail)` for `Running`/`Off`, `None` for `Gone`.
    pub async fn wait_for(
        &self,
        task_id: &str,
        target: Target,
        opts: &PollOptions,
        mut on_progress: impl FnMut(Progress),
    ) -> Result<Option<TaskDetail>> {
        let start = tokio::time::Instant::now();
        let mut last: Option<TaskStatus> = None;
        let mut polls = 0u32;
        let mut gone_in_a_row = 0u32;
        loop {
            polls += 1;
            let answer = self.task(task_id).await;
            let elapsed = start.elapsed();
            let progress = |status: Option<TaskStatus>, changed: bool, error: Option<Error>| Progress {
                task_id: task_id.to_string(),
                kind: status.as_ref().map(TaskStatus::kind),
                status,
                changed,
                elapsed_secs: elapsed.as_secs(),
                elapsed,
                polls,
                error,
            };
            match answer {
                Ok(d) => {
                    gone_in_a_row = 0;
                    let changed = last.as_ref() != Some(&d.status);
                    if changed {
                        tracing::info!(task = %task_id, status = %d.status, secs = elapsed.as_secs(), "VM status");
                    }
                    last = Some(d.status.clone());
                    on_progress(progress(Some(d.status.clone()), changed, None));
                    match (d.status.kind(), target) {
                        (StatusKind::Running, Target::Running) | (StatusKind::Off, Target::Off) => return Ok(Some(d)),
                        (StatusKind::Failed, _) => return Err(self.failed(&d, opts.log_lines).await),
                        _ => {}
                    }
                }
                Err(e) if e.code == ErrorCode::VmNotFound && target == Target::Gone => {
                    on_progress(progress(None, last.is_some(), None));
                    return Ok(None);
                }
                Err(e) if reply::is_transient(&e) => {
                    let gone = matches!(e.code, ErrorCode::ComputeUnreachable | ErrorCode::ComputeNodeUnknown);
                    gone_in_a_row = if gone { gone_in_a_row + 1 } else { 0 };
                    if opts.client_gone_after.is_some_and(|n| gone_in_a_row >= n.max(1)) {
                        tracing::info!(task = %task_id, code = %e.code, polls = gone_in_a_row, "the DBC client is gone");
                        on_progress(progress(last.clone(), false, Some(e.clone())));
                        return Err(e);
                    }
                    tracing::info!(task = %task_id, code = %e.code, "poll got no answer; trying again");
                    on_progress(progress(last.clone(), false, Some(e)));
                }
                Err(e) => return Err(e),
            }
            if elapsed >= opts.give_up_after {
                let status = last.as_ref().map(|s| s.0.clone()).unwrap_or_default();
                return Err(Error::new(
                    ErrorCode::VmWaitTimeout,
                    format!("virtual machine {task_id} is still {status:?} after {} min", elapsed.as_secs() / 60),
                )
                .with_data(
                    json!({ "taskId": task_id, "status": status, "minutes": elapsed.as_secs() / 60, "target": target }),
                ));
            }
            let left = opts.give_up_after.saturating_sub(elapsed);
            tokio::time::sleep(opts.interval.min(left.max(Duration::from_millis(1)))).await;
        }
    }

    /// The error for a failed status, with the log tail (best effort).
    async fn failed(&self, d: &TaskDetail, lines: u32) -> Error {
        let log = self.logs(&d.task_id, lines).await.unwrap_or_default();
        let (code, what) = if d.status.0 == "create error" {
            (ErrorCode::VmCreateFailed, "could not be created")
        } else {
            (ErrorCode::VmOperationFailed, "reports a failure")
        };
        // The log is already cleaned and capped (`logs`); the message quotes less.
        let last = super::reply::excerpt(log.last().map(String::as_str).unwrap_or_default());
        Error::new(code, format!("virtual machine {} {what} ({}): {last}", d.task_id, d.status))
            .with_data(json!({ "taskId": d.task_id, "status": d.status.0, "log": log, "machineId": self.machine_id() }))
    }
}
