//! The DBC client's HTTP API: creating a Windows VM on a rented machine and
//! running it (compute-api.md). Tauri-free; the rental flow, the CLI and the
//! app call it.
//!
//! A DBC client (`dbc --client`) relays signed JSON requests to the rented
//! machine's node. Shape of a session:
//!
//! ```no_run
//! # async fn demo(key: dbc::wallet::SigningKey, machine: &str, rent_id: u64) -> dbc::Result<()> {
//! use dbc::compute::*;
//! let client = ComputeClient::new("http://127.0.0.1:5002")?;
//! client.test_connection(machine).await?;            // "Test connection"
//! let vm = client.rented(machine, Auth::new(key, rent_id))?;
//! let plan = vm.plan(&PlanRequest { rented_gpus: 1, ..Default::default() }).await?;
//! // journal plan.task_id here: re-sending the same plan never makes a second VM
//! let created = vm.create_task(&plan, &CreateOptions::default(), |_event| {}).await?;
//! let detail = vm.wait_until_running(&created.task_id, &PollOptions::default(), |_p| {}).await?;
//! let login = detail.rdp_login().expect("a running Windows VM has a login");
//! rdp_reachable(&login.host, login.port, std::time::Duration::from_secs(5)).await?;
//! # Ok(()) }
//! ```
//!
//! Pieces, one job each: [`url`] (the base URL), [`choice`] (which client
//! sees the machine, fastest first), [`auth`] (nonce and
//! signature), [`reply`] (HTTP answer → value or specific error), [`types`]
//! (tolerant parsing of the node's JSON), [`plan`] (image, size, ports, task
//! id: pure), [`client`] (unauthenticated routes), [`machine`] (signed
//! routes), [`create`] (create without duplicates), [`poll`] (waiting with
//! progress), [`reach`] (the RDP server check).
//!
//! Secrets: request bodies (signatures) and answers (passwords) are never
//! logged; `Debug` of [`TaskDetail`], [`RdpLogin`] and [`Auth`] hides them.

pub mod auth;
pub mod choice;
pub mod client;
pub mod create;
pub mod machine;
pub mod plan;
pub mod poll;
pub mod reach;
pub mod reply;
pub mod types;
pub mod url;

pub use auth::{new_nonce, sign_nonce, Auth};
pub use choice::{check_client, check_clients, ranked, ClientHealth};
pub use client::{normalize_machine_id, ComputeClient, ConnectionCheck, Timeouts, CONNECT_TIMEOUT, REQUEST_TIMEOUT};
pub use create::{CreateEvent, CreateOptions, CreatedHow, CreatedVm};
pub use machine::RentedMachine;
pub use plan::{
    choose_image, choose_image_for, new_task_id, plan_vm, plan_vm_for, sanitize_desc, size_for_share, validate_task_id,
    PlanRequest, Sizing, VmOs, VmPlan,
};
pub use poll::{PollOptions, Progress, Target};
pub use reach::{rdp_reachable, CONNECTION_CONFIRM_HYBRID};
pub use reply::node_message;
pub use types::{ImageInfo, NodeInfo, NodeSummary, RdpLogin, StatusKind, TaskDetail, TaskStatus, TaskSummary};
