//! The DBC-client steps of a rental: create the Windows VM for a placed
//! order (journaled before the request: plan and task id), wait until it
//! runs, read its login, and the power operations.
//!
//! The login password is never journaled; [`vm_detail`] reads it from the
//! client each time it is needed.

use super::book::RentalBook;
use super::errors;
use super::record::{Rental, Stage, VmFacts};
use crate::compute::create::{CreateEvent, CreateOptions};
use crate::compute::machine::RentedMachine;
use crate::compute::plan::{PlanRequest, VmOs};
use crate::compute::poll::{PollOptions, Progress, Target};
use crate::compute::types::{StatusKind, TaskDetail};
use crate::compute::{Auth, ComputeClient};
use crate::error::{Error, ErrorCode, Result};
use crate::wallet::SigningKey;
use serde::Serialize;

/// Progress of [`create_vm`], for a UI or the CLI.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[derive(ts_rs::TS)]
pub enum VmEvent {
    /// The request is decided (image, size, ports, task id) and journaled.
    Planned { task_id: String, image: String, rdp_port: u16, vnc_port: u16, cpu_cores: u32, mem_gb: u64, disk_gb: u64 },
    /// A step of sending the create request.
    Create(CreateEvent),
    /// A poll of the VM's status.
    Poll(Progress),
    /// The DBC client in use went away; the step goes on through the next
    /// one that sees the machine (`rental::failover`).
    ClientSwitched(super::failover::ClientSwitch),
}

/// How patient the VM steps are.
#[derive(Debug, Clone, Default)]
pub struct VmOptions {
    pub create: CreateOptions,
    pub poll: PollOptions,
    /// The guest OS of a new VM (Windows unless asked). A VM being resumed
    /// keeps its journaled plan's OS.
    pub os: VmOs,
}

/// The signed routes of rental `r`'s order through the client it uses.
fn machine_of(r: &Rental, client: &ComputeClient, key: SigningKey) -> Result<RentedMachine> {
    let rent_id = r.rent_id().ok_or_else(|| errors::wrong_state(r, "do that"))?;
    client.rented(&r.machine_id, Auth::new(key, rent_id))
}

/// The rental's VM facts, or `wrong-rental-state` when it has no VM yet.
fn vm_of(r: &Rental) -> Result<&VmFacts> {
    r.vm.as_ref().ok_or_else(|| errors::no_vm_yet(r))
}

/// Remember `client` as the one that answered for the rental's VM (the
/// client is chosen at the time of use: see `client_choice::choose_live_client`).
fn remember_client(x: &mut Rental, client: &ComputeClient) {
    if let Some(v) = x.vm.as_mut() {
        v.client_url = client.base_url().to_string();
    }
}

/// Create the VM of rental `id` through `client` (or resume a create that
/// was under way), then wait until it runs. Returns the rental (stage
/// `VmReady`) and the VM's detail with its login.
pub async fn create_vm(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
    image: Option<String>,
    opts: &VmOptions,
    mut on_event: impl FnMut(VmEvent) + Send,
) -> Result<(Rental, TaskDetail)> {
    let mut r = super::chain_steps::find(book, id)?;
    // A new VM for a placed order, or for a confirmed one that has none (it
    // was confirmed first, imported from the chain, deleted, or its create
    // failed); otherwise the VM under way is resumed with its journaled plan.
    let vm_gone = r.vm.as_ref().is_none_or(|v| v.status == "create error" || v.status == "deleted");
    let fresh = r.stage == Stage::Placed || (r.stage == Stage::Renting && vm_gone);
    // (A confirmed rental's VM that exists is started, not created: `vm_power`.)
    let creating = r.vm.as_ref().is_some_and(|v| v.status == "creating");
    let resume = matches!(r.stage, Stage::VmCreating | Stage::VmReady) || (r.stage == Stage::Renting && creating);
    let machine = match r.stage {
        _ if fresh => {
            let from = r.stage;
            let machine = machine_of(&r, client, key)?;
            let req = PlanRequest {
                rented_gpus: r.gpus,
                image,
                task_id: None,
                desc: Some(format!("DBC Rent order {}", r.rent_id().unwrap_or_default())),
            };
            let plan = machine.plan_for(&req, opts.os).await?;
            let facts = VmFacts {
                client_url: client.base_url().to_string(),
                task_id: plan.task_id.clone(),
                image: plan.image_name.clone(),
                rdp_port: plan.rdp_port,
                vnc_port: plan.vnc_port,
                status: "creating".into(),
                host: None,
                user: None,
                plan: Some(plan),
                gpu_check: None,
            };
            // Only if nothing moved it on meanwhile (e.g. the order lapsed, or
            // another window started a VM for it).
            let mut unchanged = false;
            r = book.update(&r.id, |x| {
                let x_gone = x.vm.as_ref().is_none_or(|v| v.status == "create error" || v.status == "deleted");
                if x.stage == from && x_gone {
                    unchanged = true;
                    x.vm = Some(facts);
                    if x.stage == Stage::Placed {
                        x.stage = Stage::VmCreating;
                    }
                    x.last_error = None;
                }
            })?;
            if !unchanged {
                return Err(errors::wrong_state(&r, "do that"));
            }
            let p = r.vm.as_ref().and_then(|v| v.plan.as_ref()).expect("journaled above");
            on_event(VmEvent::Planned {
                task_id: p.task_id.clone(),
                image: p.image_name.clone(),
                rdp_port: p.rdp_port,
                vnc_port: p.vnc_port,
                cpu_cores: p.cpu_cores,
                mem_gb: p.mem_gb,
                disk_gb: p.disk_gb,
            });
            machine
        }
        // Resuming: the same plan (same task id) through the chosen client,
        // which is asked for that task before anything is created.
        _ if resume => {
            vm_of(&r)?;
            machine_of(&r, client, key)?
        }
        _ => return Err(errors::wrong_state(&r, "do that")),
    };
    let vm = r.vm.clone().ok_or_else(|| errors::wrong_state(&r, "do that"))?;
    let plan = vm.plan.clone().ok_or_else(|| Error::internal("a VM being created has its plan journaled"))?;

    // Ask before sending: after a crash the node may have it already.
    let known = machine.task(&vm.task_id).await.ok();
    if known.is_none() {
        let created = machine.create_task(&plan, &opts.create, |e| on_event(VmEvent::Create(e))).await;
        match created {
            Ok(c) => {
                r = book.update(&r.id, |x| {
                    if let Some(v) = x.vm.as_mut() {
                        v.task_id = c.task_id.clone();
                        v.rdp_port = c.plan.rdp_port;
                        v.vnc_port = c.plan.vnc_port;
                        v.plan = Some(c.plan);
                    }
                })?;
            }
            // A definite refusal: no VM; the renter may try again.
            Err(e) if refused(&e) => return Err(back_to_placed(book, r, e)),
            // Anything else may have reached the node: keep the plan and its
            // task id, so the next attempt finds or re-sends that same VM.
            Err(e) => {
                book.update(&r.id, |x| x.last_error = Some(e.clone()))?;
                return Err(e);
            }
        }
    }
    let task_id = r.vm.as_ref().map(|v| v.task_id.clone()).ok_or_else(|| errors::wrong_state(&r, "do that"))?;
    let detail = machine.wait_until_running(&task_id, &opts.poll, |p| on_event(VmEvent::Poll(p))).await;
    let detail = match detail {
        Ok(d) => d,
        Err(e) if e.code == ErrorCode::VmCreateFailed => return Err(back_to_placed(book, r, e)),
        Err(e) => {
            // Still creating, or the client is unreachable for now: stay, resume later.
            book.update(&r.id, |x| x.last_error = Some(e.clone()))?;
            return Err(e);
        }
    };
    let r = book.update(&r.id, |x| {
        remember_client(x, client);
        record_into(x, &detail);
    })?;
    Ok((r, detail))
}

/// Errors after which the node certainly made no VM.
fn refused(e: &Error) -> bool {
    matches!(
        e.code,
        ErrorCode::ComputeRefused
            | ErrorCode::ComputeNotAuthorized
            | ErrorCode::ComputeNodeUnknown
            | ErrorCode::ComputeBusy
            | ErrorCode::NoWindowsImage
            | ErrorCode::ImageNotFound
            | ErrorCode::VmNoRoom
            | ErrorCode::VmPortsTaken
            | ErrorCode::ComputeUnreachable
    )
}

/// A create that failed for good: the order is still there (the window
/// runs on); the renter may try again, with another image or client.
fn back_to_placed(book: &RentalBook, r: Rental, e: Error) -> Error {
    let written = book.update(&r.id, |x| {
        if let Some(v) = x.vm.as_mut() {
            v.status = "create error".into();
        }
        if x.stage == Stage::VmCreating {
            x.stage = Stage::Placed;
        }
        x.last_error = Some(e.clone());
    });
    if let Err(w) = written {
        tracing::error!(code = ?w.code, "cannot journal a failed VM create: {}", w.message);
    }
    e
}

/// Write what the client says of the VM into the rental as it is in the
/// journal now (a sync or a confirm may have moved it on meanwhile).
fn record_into(r: &mut Rental, d: &TaskDetail) {
    if let Some(v) = r.vm.as_mut() {
        v.status = d.status.as_str().to_string();
        if !d.ssh_ip.is_empty() {
            v.host = Some(d.ssh_ip.clone());
        }
        if let Some(p) = d.rdp_port {
            v.rdp_port = p;
        }
        if let Some(p) = d.vnc_port {
            v.vnc_port = p;
        }
        v.user = Some(d.rdp_login().map(|l| l.user).unwrap_or_else(|| "Administrator".into()));
    }
    if d.status.kind() == StatusKind::Running && matches!(r.stage, Stage::VmCreating | Stage::Placed) {
        r.stage = Stage::VmReady;
    }
    r.last_error = None;
}

/// The VM's detail now (status, login incl. password), read from the client
/// it was created through; the journal keeps the status, host and ports.
pub async fn vm_detail(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
) -> Result<(Rental, TaskDetail)> {
    let r = super::chain_steps::find(book, id)?;
    let task_id = vm_of(&r)?.task_id.clone();
    let d = machine_of(&r, client, key)?.task(&task_id).await?;
    let r = book.update(&r.id, |x| {
        remember_client(x, client);
        record_into(x, &d);
    })?;
    Ok((r, d))
}

/// A power operation on a rental's VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum PowerOp {
    Start,
    /// A hard power-off: unsaved work inside Windows is lost.
    Stop,
    Restart,
    /// Deletes the VM and its disks.
    Delete,
}

impl std::str::FromStr for PowerOp {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "start" => PowerOp::Start,
            "stop" => PowerOp::Stop,
            "restart" => PowerOp::Restart,
            "delete" => PowerOp::Delete,
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown VM operation {other:?}: use start, stop, restart or delete"
                )))
            }
        })
    }
}

/// Run `op` on the VM and wait until it has taken effect.
pub async fn vm_power(
    book: &RentalBook,
    id: &str,
    client: &ComputeClient,
    key: SigningKey,
    op: PowerOp,
    poll: &PollOptions,
    on_progress: impl FnMut(Progress),
) -> Result<Rental> {
    let r = super::chain_steps::find(book, id)?;
    if !r.stage.is_live() && op != PowerOp::Delete {
        return Err(errors::wrong_state(&r, "do that"));
    }
    let task_id = vm_of(&r)?.task_id.clone();
    let machine = machine_of(&r, client, key)?;
    let target = match op {
        PowerOp::Start => {
            machine.start(&task_id).await?;
            Target::Running
        }
        PowerOp::Stop => {
            machine.stop(&task_id).await?;
            Target::Off
        }
        PowerOp::Restart => {
            machine.restart(&task_id, false).await?;
            Target::Running
        }
        PowerOp::Delete => {
            machine.delete(&task_id).await?;
            Target::Gone
        }
    };
    let after = machine.wait_for(&task_id, target, poll, on_progress).await?;
    book.update(&r.id, |x| {
        remember_client(x, client);
        match &after {
            Some(d) => record_into(x, d),
            None => {
                if let Some(v) = x.vm.as_mut() {
                    v.status = "deleted".into();
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::CreateEvent;
    use serde_json::json;
    use std::time::Duration;

    /// The shapes ui/src/lib/rentals/types.ts reads.
    #[test]
    fn vm_events_reach_the_webview_flat_and_camel_case() {
        let planned = VmEvent::Planned {
            task_id: "t".into(),
            image: "win10".into(),
            rdp_port: 20001,
            vnc_port: 6001,
            cpu_cores: 8,
            mem_gb: 32,
            disk_gb: 200,
        };
        assert_eq!(
            serde_json::to_value(&planned).unwrap(),
            json!({"step": "planned", "taskId": "t", "image": "win10", "rdpPort": 20001, "vncPort": 6001, "cpuCores": 8, "memGb": 32, "diskGb": 200})
        );
        let sending = VmEvent::Create(CreateEvent::Sending { attempt: 2 });
        assert_eq!(
            serde_json::to_value(&sending).unwrap(),
            json!({"step": "create", "event": "sending", "attempt": 2})
        );
        let conflict =
            VmEvent::Create(CreateEvent::PortConflict { port: Some(20001), rdp_port: 20002, vnc_port: 6002 });
        assert_eq!(
            serde_json::to_value(&conflict).unwrap(),
            json!({"step": "create", "event": "port-conflict", "port": 20001, "rdpPort": 20002, "vncPort": 6002})
        );
        let poll = VmEvent::Poll(crate::compute::Progress {
            task_id: "t".into(),
            status: Some(crate::compute::TaskStatus("creating".into())),
            kind: Some(crate::compute::StatusKind::Creating),
            changed: true,
            elapsed_secs: 65,
            elapsed: Duration::from_secs(65),
            polls: 7,
            error: None,
        });
        assert_eq!(
            serde_json::to_value(&poll).unwrap(),
            json!({"step": "poll", "taskId": "t", "status": "creating", "kind": "creating", "changed": true, "elapsedSecs": 65, "polls": 7, "error": null})
        );
    }
}
