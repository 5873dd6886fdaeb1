//! The rental flow's commands: rent, create the VM, verify, confirm, renew,
//! power operations, My rentals, the DBC client settings and reminders.
//! Each unlocks the key on a blocking thread (Argon2id), calls `dbc::rental`
//! and publishes the journal afterwards. Passwords arrive from the webview
//! and are wrapped at once; the only secret that goes back is the VM's
//! login password, for the Verify step's reveal and copy.

use crate::guard::{guarded, guarded_async};
use crate::rental::RentalsSnapshot;
use crate::AppState;
use dbc::chain::{rent as chain_rent, ChainClient, TxOptions, TxStatus};
use dbc::compute::{rdp_reachable, ComputeClient, ImageInfo, NodeSummary, PollOptions};
use dbc::market::{self, price, Market};
use dbc::rental::{self, ChainCtx, PowerOp, Rental, RentalBook, Stage, VmEvent, VmOptions};
use dbc::wallet::{SecretString, SigningKey};
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;

/// How long the Verify step's RDP check waits for the port.
const RDP_CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest title and body a reminder notification may have.
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 1_000;

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
        Ok((client, _)) => state.rentals.book_for(&client),
        Err(e) => state.rentals.last_book().ok_or(e),
    }
}

/// Publish the journal after a command changed it (best effort: the
/// command's own result is what the caller waits for).
fn publish(state: &AppState, client: &ChainClient, account: &str) {
    if let Err(e) = state
        .rentals
        .publish_journal(&state.network, client, account)
    {
        tracing::warn!(error = %e, "cannot publish the rentals");
    }
}

async fn publish_after(state: &AppState, account: &str) {
    if let Ok((client, _)) = state.network.client().await {
        publish(state, &client, account);
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
        market::rules::validate_duration(blocks)?;
        let machine_id = dbc::compute::normalize_machine_id(&machine_id)?;
        // Unknown machine, not rentable, too many GPUs: said before the key is unlocked.
        let (quote, _) = state
            .market
            .quote(&state.network, &machine_id, gpus, blocks)
            .await?;
        let (client, nonces) = state.network.client().await?;
        let book = state.rentals.book_for(&client)?;
        let key = key_for(&state, None, password).await?;
        let account = dbc::wallet::format_address(&key.account_id());
        let result = {
            let _step = state.rentals.chain_step().await;
            let ctx = ChainCtx {
                client: &client,
                nonces: &nonces,
                book: &book,
                opts: TxOptions::default(),
            };
            // Whatever an earlier run left in flight is settled first: never pay twice.
            rental::sync(&ctx, &key.account_id()).await?;
            rental::place(&ctx, &key, &machine_id, &quote, status_sink(on_status)).await
        };
        publish(&state, &client, &account);
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

/// The DBC client to use: the one asked for, else the one the VM was
/// created through, else the practice network's own, else the first of the
/// settings.
fn client_url_for(state: &AppState, asked: Option<String>, r: &Rental) -> Result<String> {
    if let Some(url) = asked
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
    {
        return Ok(url);
    }
    if let Some(v) = r.vm.as_ref() {
        return Ok(v.client_url.clone());
    }
    let settings = state.settings().clone();
    if let Some(p) = practice_client(state, &settings) {
        return Ok(p);
    }
    settings.compute_clients.first().cloned().ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidClientUrl,
            "no DBC client address is set: add one in Settings or type it in",
        )
        .with_data(serde_json::json!({ "value": "", "reason": "none set" }))
    })
}

fn practice_client(state: &AppState, settings: &dbc::settings::Settings) -> Option<String> {
    (settings.network == dbc::network::NetworkChoice::Practice)
        .then(|| {
            dbc::practice::running(&state.data_dir)
                .ok()
                .flatten()
                .and_then(|p| p.client)
        })
        .flatten()
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
        let compute = ComputeClient::new(&client_url_for(&state, client_url, &r)?)?;
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
pub struct VmLogin {
    pub rental: Rental,
    pub status: String,
    pub host: String,
    pub port: Option<u16>,
    pub user: String,
    /// The Windows password; `None` when the image has no guest agent ("N/A").
    pub password: Option<String>,
}

#[tauri::command]
pub async fn rental_vm_detail(
    state: tauri::State<'_, AppState>,
    id: String,
    password: String,
) -> Result<VmLogin> {
    let password = SecretString::from(password);
    guarded_async("rental_vm_detail", async {
        let book = book_of(&state).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let (rental, d) = rental::vm_detail(&book, &r.id, key).await?;
        publish_after(&state, &r.account).await;
        let status = d.status.as_str().to_string();
        Ok(match d.rdp_login() {
            Some(l) => VmLogin {
                rental,
                status,
                host: l.host,
                port: Some(l.port),
                user: l.user,
                password: l.password,
            },
            None => VmLogin {
                rental,
                status,
                host: d.ssh_ip.clone(),
                port: d.rdp_port,
                user: "Administrator".into(),
                password: None,
            },
        })
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
        let (client, nonces) = state.network.client().await?;
        let book = state.rentals.book_for(&client)?;
        let r = rental::chain_steps::find(&book, &id)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = {
            let _step = state.rentals.chain_step().await;
            let ctx = ChainCtx {
                client: &client,
                nonces: &nonces,
                book: &book,
                opts: TxOptions::default(),
            };
            rental::confirm(&ctx, &key, &r.id, status_sink(on_status)).await
        };
        publish(&state, &client, &r.account);
        result
    })
    .await
}

/// What renewing costs now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewQuote {
    pub asked_blocks: u32,
    /// What the 60-day horizon leaves of it (0: nothing can be added).
    pub blocks: u32,
    pub capped: bool,
    /// Planck, decimal strings.
    pub rent: String,
    pub tx_fee_estimate: String,
    pub total: String,
    pub rent_end: u32,
    pub new_end: u32,
    pub at_block: u32,
}

/// The market to price a renewal with: the followed list, else a fresh read.
async fn market_for(state: &AppState, client: &ChainClient) -> Result<Arc<Market>> {
    match state.market.latest() {
        Some(p) if p.source == crate::market::Source::Chain => Ok(p.market.clone()),
        _ => Ok(Arc::new(market::load_all(client).await?)),
    }
}

/// The price of renewing `machine_id`'s GPUs, as the CLI builds it.
fn renewal_price(mk: &Market, machine_id: &str) -> Result<impl Fn(u32, u32) -> Result<u128>> {
    let machine = mk
        .machine(machine_id)
        .cloned()
        .ok_or_else(|| market::rules::unknown_machine(machine_id))?;
    let params = mk.params;
    Ok(move |gpus: u32, adds: u32| {
        price::rent_fee(
            &params,
            machine.calc_point,
            machine.gpu_count,
            gpus,
            adds,
            machine.extra_price_per_gpu,
        )
        .ok_or_else(|| {
            Error::new(
                ErrorCode::ChainRpc,
                "the chain has no usable price parameters",
            )
        })
    })
}

fn check_renewal_blocks(blocks: u32) -> Result<()> {
    if blocks < chain_rent::MIN_RELET_BLOCKS || !blocks.is_multiple_of(dbc::units::RENT_STEP_BLOCKS)
    {
        return Err(Error::new(ErrorCode::InvalidDuration, format!("a renewal of {blocks} blocks is not possible: renew in steps of 300 blocks (half an hour)"))
            .with_data(serde_json::json!({ "blocks": blocks, "reason": if blocks == 0 { "zero" } else { "not-half-hour" } })));
    }
    Ok(())
}

/// The quote for renewing rental `id` by `blocks`, with the horizon cap applied.
#[tauri::command]
pub async fn rental_renew_quote(
    state: tauri::State<'_, AppState>,
    id: String,
    blocks: u32,
) -> Result<RenewQuote> {
    guarded_async("rental_renew_quote", async {
        check_renewal_blocks(blocks)?;
        let (client, _) = state.network.client().await?;
        let book = state.rentals.book_for(&client)?;
        let r = rental::chain_steps::find(&book, &id)?;
        let rent_id = r
            .rent_id()
            .filter(|_| r.stage == Stage::Renting)
            .ok_or_else(|| wrong_state(&r))?;
        let (best, _) = client.best_block().await?;
        let order = chain_rent::order(&client, rent_id).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::OrderNotFound,
                format!("order {rent_id} is not on the chain"),
            )
            .with_data(serde_json::json!({ "rentId": rent_id.to_string() }))
        })?;
        let adds = rental::chain_steps::relet_blocks(best, order.rent_end, blocks);
        let mk = market_for(&state, &client).await?;
        let rent = if adds == 0 {
            0
        } else {
            renewal_price(&mk, &r.machine_id)?(order.gpu_num, adds)?
        };
        let fee = dbc::chain::tx::estimate_fee(
            &client,
            &SigningKey::fee_estimator(),
            &chain_rent::relet_call(rent_id, blocks),
        )
        .await?;
        Ok(RenewQuote {
            asked_blocks: blocks,
            blocks: adds,
            capped: adds < blocks,
            rent: rent.to_string(),
            tx_fee_estimate: fee.to_string(),
            total: rent.saturating_add(fee).to_string(),
            rent_end: order.rent_end,
            new_end: order.rent_end.saturating_add(adds),
            at_block: best,
        })
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Renewed {
    pub rental: Rental,
    pub added_blocks: u32,
    /// Planck, decimal string.
    pub paid: String,
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
        check_renewal_blocks(blocks)?;
        let (client, nonces) = state.network.client().await?;
        let book = state.rentals.book_for(&client)?;
        let r = rental::chain_steps::find(&book, &id)?;
        let mk = market_for(&state, &client).await?;
        let price = renewal_price(&mk, &r.machine_id)?;
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = {
            let _step = state.rentals.chain_step().await;
            let ctx = ChainCtx {
                client: &client,
                nonces: &nonces,
                book: &book,
                opts: TxOptions::default(),
            };
            rental::renew(&ctx, &key, &r.id, blocks, price, status_sink(on_status)).await
        };
        publish(&state, &client, &r.account);
        let (rental, paid) = result?;
        Ok(Renewed {
            rental,
            added_blocks: paid.blocks,
            paid: paid.paid.to_string(),
        })
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
        let key = key_for(&state, Some(r.account.clone()), password).await?;
        let result = rental::vm_power(&book, &r.id, key, op, &PollOptions::default(), |_| {}).await;
        publish_after(&state, &r.account).await;
        result
    })
    .await
}

fn wrong_state(r: &Rental) -> Error {
    let id = r
        .rent_id()
        .map(|n| n.to_string())
        .unwrap_or_else(|| r.id.clone());
    Error::new(
        ErrorCode::WrongRentalState,
        format!(
            "rental {id} cannot be renewed while it is {}",
            r.stage.as_str()
        ),
    )
    .with_data(serde_json::json!({ "rentId": id, "state": r.stage.as_str() }))
}

/// What "Test connection" found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub url: String,
    pub client_version: String,
    /// Nodes the client sees now.
    pub nodes: usize,
    /// The rented machine as the client lists it (when one was given).
    pub machine: Option<NodeSummary>,
    /// The machine's Windows images (the VM step's picker).
    pub images: Vec<ImageInfo>,
}

/// "Test connection": the client answers its version, and (given a
/// machine) sees that machine; then its Windows images for the picker.
#[tauri::command]
pub async fn compute_test_connection(
    url: String,
    machine_id: Option<String>,
) -> Result<ConnectionView> {
    guarded_async("compute_test_connection", async {
        let client = ComputeClient::new(&url)?;
        match machine_id.filter(|m| !m.trim().is_empty()) {
            Some(id) => {
                let check = client.test_connection(&id).await?;
                let nodes = client.node_list().await.map(|n| n.len()).unwrap_or(1);
                let images = match client.node_info(&id).await {
                    Ok(info) => info.windows_images().cloned().collect(),
                    Err(e) => {
                        tracing::info!(error = %e, "no node info for the image picker");
                        Vec::new()
                    }
                };
                Ok(ConnectionView {
                    url: check.url,
                    client_version: check.client_version,
                    nodes,
                    machine: Some(check.node),
                    images,
                })
            }
            None => {
                let client_version = client.version().await?;
                let nodes = client.node_list().await?.len();
                Ok(ConnectionView {
                    url: client.base_url().to_string(),
                    client_version,
                    nodes,
                    machine: None,
                    images: Vec::new(),
                })
            }
        }
    })
    .await
}

/// The DBC clients and reminder lead times (Settings).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RentalSettings {
    pub compute_clients: Vec<String>,
    /// The practice network's own DBC client while on practice.
    pub practice_client: Option<String>,
    pub reminder_leads_minutes: Vec<u32>,
    pub default_reminder_leads_minutes: Vec<u32>,
}

fn rental_settings_of(state: &AppState, s: &dbc::settings::Settings) -> RentalSettings {
    RentalSettings {
        compute_clients: s.compute_clients.clone(),
        practice_client: practice_client(state, s),
        reminder_leads_minutes: s.reminder_leads(),
        default_reminder_leads_minutes: dbc::settings::DEFAULT_REMINDER_LEADS_MINUTES.to_vec(),
    }
}

#[tauri::command]
pub fn rental_settings(state: tauri::State<'_, AppState>) -> Result<RentalSettings> {
    guarded("rental_settings", || {
        let s = state.settings().clone();
        Ok(rental_settings_of(&state, &s))
    })
}

/// Save the DBC client list (each URL checked and normalized; nothing is
/// saved when one is bad).
#[tauri::command]
pub fn set_compute_clients(
    state: tauri::State<'_, AppState>,
    clients: Vec<String>,
) -> Result<RentalSettings> {
    guarded("set_compute_clients", || {
        let list = dbc::settings::normalize_compute_clients(&clients)?;
        let next = state.update_settings(|s| s.compute_clients = list)?;
        Ok(rental_settings_of(&state, &next))
    })
}

/// Save the reminder lead times, minutes before a rental ends (empty: none).
#[tauri::command]
pub fn set_reminder_leads(
    state: tauri::State<'_, AppState>,
    minutes: Vec<u32>,
) -> Result<RentalSettings> {
    guarded("set_reminder_leads", || {
        let leads = dbc::settings::validate_reminder_leads(&minutes)?;
        let next = state.update_settings(|s| s.reminder_leads_minutes = Some(leads))?;
        Ok(rental_settings_of(&state, &next))
    })
}

/// Show a reminder as a desktop notification. The webview sends the text
/// in the user's language; plain text only, bounded.
#[tauri::command]
pub fn notify_reminder<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    title: String,
    body: String,
) -> Result<()> {
    guarded("notify_reminder", || {
        use tauri::Manager;
        let clean = |s: &str, max: usize| -> String {
            s.chars()
                .filter(|c| !c.is_control() || *c == '\n')
                .take(max)
                .collect()
        };
        let (title, body) = (clean(&title, MAX_TITLE), clean(&body, MAX_BODY));
        if title.trim().is_empty() {
            return Err(Error::invalid_argument("a notification needs a title")
                .with_data(serde_json::json!({ "value": "" })));
        }
        let Some(n) = app.try_state::<tauri_plugin_notification::Notification<R>>() else {
            return Err(Error::internal("desktop notifications are not available"));
        };
        // No notification server (a bare X session) is not worth an error banner.
        if let Err(e) = n.builder().title(title).body(body).show() {
            tracing::info!(error = %e, "desktop notification not shown");
        }
        Ok(())
    })
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

    #[test]
    fn renewals_are_half_hour_steps_of_at_least_the_chain_minimum() {
        assert!(check_renewal_blocks(300).is_ok());
        assert!(check_renewal_blocks(1_200).is_ok());
        for bad in [0, 100, 150, 450] {
            assert_eq!(
                check_renewal_blocks(bad).unwrap_err().code,
                ErrorCode::InvalidDuration,
                "{bad}"
            );
        }
    }
}
