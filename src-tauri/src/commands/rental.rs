//! The rental flow's commands: rent, create the VM, verify, confirm, renew,
//! power operations and My rentals (the DBC clients: `compute`; Settings:
//! `rental_settings`; notifications: `reminders`).
//! Each unlocks the key on a blocking thread (Argon2id), calls the core's
//! rental service (`dbc::rental::RentalService`) and publishes the journal
//! afterwards; the rules (prices, durations, which DBC client) live there.
//! Passwords arrive from the webview and are wrapped at once; the only
//! secret that goes back is the VM's login password, for the Verify step's
//! reveal and copy.

use crate::blocking::signing_key;
use crate::commands::compute::{build_client, live_clients};
use crate::guard::guarded_async;
use crate::rental::RentalsSnapshot;
use crate::rental_view::RentalView;
use crate::AppState;
use dbc::chain::TxStatus;
use dbc::compute::{rdp_reachable, PollOptions};
use dbc::rental::{
    self, ClientSwitch, LiveChoice, PowerOp, RenewQuote, Renewed, Rental, RentalBook, RentalService, VmEvent, VmLogin,
    VmOptions,
};
use dbc::wallet::{ExposeSecret, SecretString, SigningKey};
use dbc::Result;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;

/// How long the Verify step's RDP check waits for the port.
const RDP_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

fn status_sink(channel: Channel<TxStatus>) -> impl FnMut(TxStatus) + Send {
    move |s| {
        let _ = channel.send(s);
    }
}

/// Every rental of the active account, after settling what was in flight
/// and reconciling with the chain. Offline, the last list (with `syncError`).
#[tauri::command]
pub async fn rentals_list(state: tauri::State<'_, AppState>) -> Result<Option<Arc<RentalsSnapshot>>> {
    guarded_async("rentals_list", async {
        match state.rentals.sync(&state.network, &state.wallet, true).await {
            Ok(s) => Ok(s),
            Err(e) => match state.rentals.latest() {
                Some(last) => Ok(Some(Arc::new(RentalsSnapshot { sync_error: Some(e), ..(*last).clone() }))),
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
) -> Result<RentalView> {
    let password = SecretString::from(password);
    guarded_async("rental_place", async {
        rental::service::check_rent_request(&machine_id, blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let mk = state.market.for_pricing(svc.client()).await?;
        // Unknown machine, not rentable, too many GPUs: said before the key is unlocked.
        RentalService::quote_rent(&mk, &machine_id, gpus, blocks)?;
        let key = signing_key(&state, None, password).await?;
        let account = dbc::wallet::format_address(&key.account_id());
        let result = svc.place(&key, &mk, &machine_id, gpus, blocks, status_sink(on_status)).await;
        state.rentals.publish_after(&state.network, &account).await;
        result.map(RentalView::from)
    })
    .await
}

/// What a VM operation on rental `id` needs: the journal in use, the rental,
/// the DBC client its VM is reached through (`asked`, else by the usual rule)
/// and the renter's key, unlocked with `password`.
async fn vm_access(
    state: &AppState,
    id: &str,
    asked: Option<&str>,
    password: SecretString,
) -> Result<(Arc<RentalBook>, Rental, LiveChoice, SigningKey)> {
    let (book, _) = state.rentals.book_or_last(&state.network).await?;
    let r = rental::chain_steps::find(&book, id)?;
    let key = signing_key(state, Some(r.account.clone()), password).await?;
    let clients = live_clients(state, asked, &r).await?;
    Ok((book, r, clients, key))
}

/// A rental and the VM status after a create.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct VmCreated {
    #[serde(serialize_with = "crate::rental_view::serialize")]
    #[ts(as = "RentalView")]
    pub rental: Rental,
    pub status: String,
}

/// Create the VM of rental `id` through a DBC client (or resume a create
/// under way) and wait until it runs; progress goes to `on_event`. `os` is
/// `windows` (the default) or `linux` (Ubuntu, reached over SSH); `image`
/// one of the node's images for it (default: the node's first for the OS).
#[tauri::command]
pub async fn rental_create_vm(
    state: tauri::State<'_, AppState>,
    id: String,
    client_url: Option<String>,
    image: Option<String>,
    os: Option<String>,
    password: String,
    on_event: Channel<VmEvent>,
) -> Result<VmCreated> {
    let password = SecretString::from(password);
    guarded_async("rental_create_vm", async {
        let os = os.as_deref().map(dbc::compute::VmOs::parse).transpose()?.unwrap_or_default();
        let image = image.map(|i| i.trim().to_string()).filter(|i| !i.is_empty());
        let (book, r, clients, key) = vm_access(&state, &id, client_url.as_deref(), password).await?;
        let switched = on_event.clone();
        let on_switch = move |s: &ClientSwitch| {
            let _ = switched.send(VmEvent::ClientSwitched(s.clone()));
        };
        let (book, id, on_event) = (&book, &r.id, &on_event);
        // While another client follows, a create that stops hearing from
        // its client goes on through the next one instead of waiting it out.
        let create = |c, more| {
            let opts = VmOptions { os, poll: rental::poll_for(PollOptions::default(), more), ..Default::default() };
            let (key, image) = (key.clone(), image.clone());
            async move {
                rental::create_vm(book, id, &c, key, image, &opts, |e| {
                    let _ = on_event.send(e);
                })
                .await
            }
        };
        let result = rental::through_clients(&clients.ranked, |u| build_client(&state, u), on_switch, create).await;
        state.rentals.publish_after(&state.network, &r.account).await;
        let (rental, detail) = result?;
        Ok(VmCreated { rental, status: detail.status.as_str().to_string() })
    })
    .await
}

/// The Verify step's login: read fresh from the DBC client (never stored).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct VerifyLogin {
    #[serde(serialize_with = "crate::rental_view::serialize")]
    #[ts(as = "RentalView")]
    pub rental: Rental,
    pub status: String,
    pub host: String,
    /// The RDP port (Windows).
    pub port: Option<u16>,
    /// A Linux VM's SSH port.
    pub ssh_port: Option<u16>,
    /// A Linux VM (reached over SSH; the Confirm step runs the GPU check).
    pub linux: bool,
    pub user: String,
    /// The VM's password once it runs (Windows' or the Linux user's); `None` without a guest agent ("N/A").
    pub password: Option<String>,
}

#[tauri::command]
pub async fn rental_vm_detail(state: tauri::State<'_, AppState>, id: String, password: String) -> Result<VerifyLogin> {
    let password = SecretString::from(password);
    guarded_async("rental_vm_detail", async {
        let (book, r, clients, key) = vm_access(&state, &id, None, password).await?;
        let build = |u: &str| build_client(&state, u);
        let (book_ref, id) = (&book, &r.id);
        let detail = |c, _| {
            let key = key.clone();
            async move { rental::vm_detail(book_ref, id, &c, key).await }
        };
        let (rental, d) = rental::through_clients(&clients.ranked, build, |_| {}, detail).await?;
        state.rentals.publish_after(&state.network, &r.account).await;
        let login = VmLogin::from_detail(&rental, &d)?;
        // The password was given once for this login: the Connect step shows
        // it unlocked, as if it had been unlocked there.
        let scope = crate::commands::connect::current_scope(&state).await;
        let remembered = crate::connect::Login::from_detail(&rental, &d)?;
        let linux = remembered.is_linux();
        state.connect.remember(scope, remembered);
        let password = login.password.as_ref().ok().filter(|_| login.running).map(|p| p.expose_secret().to_string());
        Ok(VerifyLogin {
            status: login.vm_status.clone(),
            host: login.host.clone(),
            port: login.rdp_port,
            ssh_port: login.ssh_port,
            linux,
            user: login.user.clone(),
            password,
            rental,
        })
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct RdpCheck {
    pub host: String,
    pub port: u16,
}

/// Does the VM's RDP port accept a TCP connection? (Before Confirm.)
#[tauri::command]
pub async fn rental_check_rdp(state: tauri::State<'_, AppState>, id: String) -> Result<RdpCheck> {
    guarded_async("rental_check_rdp", async {
        let (book, _) = state.rentals.book_or_last(&state.network).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let (host, port) = r.vm.as_ref().map(|v| (v.host.clone().unwrap_or_default(), v.rdp_port)).unwrap_or_default();
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
) -> Result<RentalView> {
    let password = SecretString::from(password);
    guarded_async("rental_confirm", async {
        let svc = state.rentals.service(&state.network).await?;
        let r = rental::chain_steps::find(svc.book(), &id)?;
        let key = signing_key(&state, Some(r.account.clone()), password).await?;
        let result = svc.confirm(&key, &r.id, status_sink(on_status)).await;
        state.rentals.publish_after(&state.network, &r.account).await;
        result.map(RentalView::from)
    })
    .await
}

/// The quote for renewing rental `id` by `blocks`, with the horizon cap applied.
#[tauri::command]
pub async fn rental_renew_quote(state: tauri::State<'_, AppState>, id: String, blocks: u32) -> Result<RenewQuote> {
    guarded_async("rental_renew_quote", async {
        rental::service::check_renewal_blocks(blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let mk = state.market.for_pricing(svc.client()).await?;
        svc.renewal_quote(&mk, &id, blocks).await
    })
    .await
}

/// `dbc::rental::Renewed` as the webview gets it: the same fields, the
/// rental with its stage's meaning.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RenewedView {
    pub rental: RentalView,
    pub added_blocks: u32,
    /// Planck, decimal string.
    pub paid: String,
}

impl From<Renewed> for RenewedView {
    fn from(r: Renewed) -> Self {
        RenewedView { rental: r.rental.into(), added_blocks: r.added_blocks, paid: r.paid.to_string() }
    }
}

/// Renew rental `id` by `blocks`, paid at once.
#[tauri::command]
pub async fn rental_renew(
    state: tauri::State<'_, AppState>,
    id: String,
    blocks: u32,
    password: String,
    on_status: Channel<TxStatus>,
) -> Result<RenewedView> {
    let password = SecretString::from(password);
    guarded_async("rental_renew", async {
        rental::service::check_renewal_blocks(blocks)?;
        let svc = state.rentals.service(&state.network).await?;
        let r = rental::chain_steps::find(svc.book(), &id)?;
        let mk = state.market.for_pricing(svc.client()).await?;
        let key = signing_key(&state, Some(r.account.clone()), password).await?;
        let result = svc.renew(&key, &mk, &r.id, blocks, status_sink(on_status)).await;
        state.rentals.publish_after(&state.network, &r.account).await;
        result.map(RenewedView::from)
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
) -> Result<RentalView> {
    let password = SecretString::from(password);
    guarded_async("rental_vm_power", async {
        let op: PowerOp = op.parse()?;
        let (book, r, clients, key) = vm_access(&state, &id, None, password).await?;
        let build = |u: &str| build_client(&state, u);
        let (book_ref, id) = (&book, &r.id);
        let power = |c, more| {
            let (key, poll) = (key.clone(), rental::poll_for(PollOptions::default(), more));
            async move { rental::vm_power(book_ref, id, &c, key, op, &poll, |_| {}).await }
        };
        let result = rental::through_clients(&clients.ranked, build, |_| {}, power).await;
        state.rentals.publish_after(&state.network, &r.account).await;
        result.map(RentalView::from)
    })
    .await
}
