//! The rental flow's commands: rent, create the VM, verify, confirm, renew,
//! power operations and My rentals (the DBC clients: `compute`; Settings:
//! `rental_settings`; notifications: `reminders`).
//! Each unlocks the key on a blocking thread (Argon2id), calls the core's
//! rental service (`dbc::rental::RentalService`) and publishes the journal
//! afterwards; the rules (prices, durations, which DBC client) live there. Passwords arrive from the webview
//! and are wrapped at once; the only secret that goes back is the VM's
//! login password, for the Verify step's reveal and copy.

use crate::commands::compute::client_for;
use crate::guard::guarded_async;
use crate::rental::RentalsSnapshot;
use crate::AppState;
use dbc::chain::{ChainClient, TxStatus};
use dbc::compute::{rdp_reachable, PollOptions};
use dbc::rental::{self, PowerOp, VmLogin, RenewQuote, Renewed, Rental, RentalBook, RentalService, VmEvent, VmOptions};
use dbc::wallet::{ExposeSecret, SecretString, SigningKey};
use dbc::{Error, Result};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;

/// How long the Verify step's RDP check waits for the port.
const RDP_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("key task failed: {e}")))?
}

/// The key of the account with `address` (the active one for `None`).
async fn key_for(
    state: &AppState,
    address: Option<String>,
    password: SecretString,
) -> Result<SigningKey> {
    let w = state.wallet.wallet()?;
    blocking(move || {
        let id = match address {
            Some(a) => a,
            None => w.active()?.id,
        };
        w.signing_key(&id, &password)
    })
    .await
}

/// The journal of the connected network; when the chain cannot be reached,
/// the one opened last (VM steps only need the DBC client).
async fn book_of(state: &AppState) -> Result<Arc<RentalBook>> {
    match state.network.client().await {
        Ok((client, _)) => state.rentals.book_for(&client).await,
        Err(e) => state.rentals.last_book().ok_or(e),
    }
}

/// Publish the journal after a command changed it (best effort: the
/// command's own result is what the caller waits for).
async fn publish(state: &AppState, client: &ChainClient, account: &str) {
    if let Err(e) = state
        .rentals
        .publish_journal(&state.network, client, account)
        .await
    {
        tracing::warn!(error = %e, "cannot publish the rentals");
    }
}

async fn publish_after(state: &AppState, account: &str) {
    if let Ok((client, _)) = state.network.client().await {
        publish(state, &client, account).await;
    }
}

fn status_sink(channel: Channel<TxStatus>) -> impl FnMut(TxStatus) + Send {
    move |s| {
        let _ = channel.send(s);
    }
}

/// Every rental of the active account, after settling what was in flight
/// and reconciling with the chain. Offline, the last list (with `syncError`).
#[tauri::command]
pub async fn rentals_list(
    state: tauri::State<'_, AppState>,
) -> Result<Option<Arc<RentalsSnapshot>>> {
    guarded_async("rentals_list", async {
        match state
            .rentals
            .sync(&state.network, &state.wallet, true)
            .await
        {
            Ok(s) => Ok(s),
            Err(e) => match state.rentals.latest() {
                Some(last) => Ok(Some(Arc::new(RentalsSnapshot {
                    sync_error: Some(e),
                    ..(*last).clone()
                }))),
                None => Err(e),
            },
        }
    })
    .await
}

/// Rent `gpus` GPUs of `machine_id` for `blocks` (a multiple of 300): checked
/// and priced again before the password is used, the balance checked
/// before signing, the status streamed. Resolves once the `Rent` event is seen.
#[tauri::command]
pub async fn rental_place(
    state: tauri::State<'_, AppState>,
    machine_id: String,
    gpus: u32,
    blocks: u32,
    password: String,
    on_status: Channel<TxStatus>,
) -> Result<Rental> {
    let password = SecretString::from(password);
    guarded_async("rental_place", async {
        rental::service::check_rent_request(&machine_id, blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let mk = state.market.for_pricing(svc.client()).await?;
        // Unknown machine, not rentable, too many GPUs: said before the key is unlocked.
        RentalService::quote_rent(&mk, &machine_id, gpus, blocks)?;
        let key = key_for(&state, None, password).await?;
        let account = dbc::wallet::format_address(&key.account_id());
        let result = svc.place(&key, &mk, &machine_id, gpus, blocks, status_sink(on_status)).await;
        publish(&state, svc.client(), &account).await;
        result
    })
    .await
}

/// A rental and the VM status after a create.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VmCreated {
    pub rental: Rental,
    pub status: String,
}

/// Create the Windows VM of rental `id` through a DBC client (or resume a
/// create under way) and wait until it runs; progress goes to `on_event`.
#[tauri::command]
pub async fn rental_create_vm(
    state: tauri::State<'_, AppState>,
    id: String,
    client_url: Option<String>,
    image: Option<String>,
    password: String,
    on_event: Channel<VmEvent>,
) -> Result<VmCreated> {
    let password = SecretString::from(password);
    guarded_async("rental_create_vm", async {
        let book = book_of(&state).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let compute = client_for(&state, client_url.as_deref(), &r)?;
        let image = image
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty());
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = rental::create_vm(
            &book,
            &r.id,
            &compute,
            key,
            image,
            &VmOptions::default(),
            move |e| {
                let _ = on_event.send(e);
            },
        )
        .await;
        publish_after(&state, &r.account).await;
        let (rental, detail) = result?;
        Ok(VmCreated {
            rental,
            status: detail.status.as_str().to_string(),
        })
    })
    .await
}

/// The Verify step's login: read fresh from the DBC client (never stored).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyLogin {
    pub rental: Rental,
    pub status: String,
    pub host: String,
    pub port: Option<u16>,
    pub user: String,
    /// The Windows password once the VM runs; `None` without a guest agent ("N/A").
    pub password: Option<String>,
}

#[tauri::command]
pub async fn rental_vm_detail(
    state: tauri::State<'_, AppState>,
    id: String,
    password: String,
) -> Result<VerifyLogin> {
    let password = SecretString::from(password);
    guarded_async("rental_vm_detail", async {
        let book = book_of(&state).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let compute = client_for(&state, None, &r)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let (rental, d) = rental::vm_detail(&book, &r.id, &compute, key).await?;
        publish_after(&state, &r.account).await;
        let login = VmLogin::from_detail(&rental, &d)?;
        let password = login.password.as_ref().ok().filter(|_| login.running).map(|p| p.expose_secret().to_string());
        Ok(VerifyLogin { status: login.vm_status.clone(), host: login.host.clone(), port: login.rdp_port, user: login.user.clone(), password, rental })
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RdpCheck {
    pub host: String,
    pub port: u16,
}

/// Does the VM's RDP port accept a TCP connection? (Before Confirm.)
#[tauri::command]
pub async fn rental_check_rdp(state: tauri::State<'_, AppState>, id: String) -> Result<RdpCheck> {
    guarded_async("rental_check_rdp", async {
        let book = book_of(&state).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let (host, port) =
            r.vm.as_ref()
                .map(|v| (v.host.clone().unwrap_or_default(), v.rdp_port))
                .unwrap_or_default();
        rdp_reachable(&host, port, RDP_CHECK_TIMEOUT).await?;
        Ok(RdpCheck { host, port })
    })
    .await
}

/// Confirm rental `id` on chain: from then on the rent is not refundable.
#[tauri::command]
pub async fn rental_confirm(
    state: tauri::State<'_, AppState>,
    id: String,
    password: String,
    on_status: Channel<TxStatus>,
) -> Result<Rental> {
    let password = SecretString::from(password);
    guarded_async("rental_confirm", async {
        let svc = state.rentals.service(&state.network).await?;
        let r = rental::chain_steps::find(svc.book(), &id)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = svc.confirm(&key, &r.id, status_sink(on_status)).await;
        publish(&state, svc.client(), &r.account).await;
        result
    })
    .await
}

/// The quote for renewing rental `id` by `blocks`, with the horizon cap applied.
#[tauri::command]
pub async fn rental_renew_quote(
    state: tauri::State<'_, AppState>,
    id: String,
    blocks: u32,
) -> Result<RenewQuote> {
    guarded_async("rental_renew_quote", async {
        rental::service::check_renewal_blocks(blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let mk = state.market.for_pricing(svc.client()).await?;
        svc.renewal_quote(&mk, &id, blocks).await
    })
    .await
}

/// Renew rental `id` by `blocks`, paid at once.
#[tauri::command]
pub async fn rental_renew(
    state: tauri::State<'_, AppState>,
    id: String,
    blocks: u32,
    password: String,
    on_status: Channel<TxStatus>,
) -> Result<Renewed> {
    let password = SecretString::from(password);
    guarded_async("rental_renew", async {
        rental::service::check_renewal_blocks(blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let r = rental::chain_steps::find(svc.book(), &id)?;
        let mk = state.market.for_pricing(svc.client()).await?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = svc.renew(&key, &mk, &r.id, blocks, status_sink(on_status)).await;
        publish(&state, svc.client(), &r.account).await;
        result
    })
    .await
}

/// Start, stop (a hard power-off), restart or delete (with its disks) the
/// VM of rental `id`, and wait until it has taken effect.
#[tauri::command]
pub async fn rental_vm_power(
    state: tauri::State<'_, AppState>,
    id: String,
    op: String,
    password: String,
) -> Result<Rental> {
    let password = SecretString::from(password);
    guarded_async("rental_vm_power", async {
        let op: PowerOp = op.parse()?;
        let book = book_of(&state).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let compute = client_for(&state, None, &r)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = rental::vm_power(&book, &r.id, &compute, key, op, &PollOptions::default(), |_| {}).await;
        publish_after(&state, &r.account).await;
        result
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbc::compute::CreateEvent;
    use serde_json::json;

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
        let conflict = VmEvent::Create(CreateEvent::PortConflict {
            port: Some(20001),
            rdp_port: 20002,
            vnc_port: 6002,
        });
        assert_eq!(
            serde_json::to_value(&conflict).unwrap(),
            json!({"step": "create", "event": "port-conflict", "port": 20001, "rdpPort": 20002, "vncPort": 6002})
        );
        let poll = VmEvent::Poll(dbc::compute::Progress {
            task_id: "t".into(),
            status: Some(dbc::compute::TaskStatus("creating".into())),
            kind: Some(dbc::compute::StatusKind::Creating),
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
