//! The Connect step's commands: unlock a rental's VM login with the wallet
//! password (kept in memory by `crate::connect`), check that its RDP port
//! answers, launch the Remote Desktop client or write the `.rdp` file, and
//! copy address, user or passwords to the clipboard from Rust. Passwords
//! never go back to the webview, except the one explicit reveal of the VNC
//! password for the VNC fallback.

use crate::blocking::blocking;
use crate::clipboard::{self, CLEAR_SECRET_AFTER};
use crate::connect::{Field, Login, LoginView, Scope};
use crate::guard::guarded_async;
use crate::AppState;
use dbc::compute::rdp_reachable;
use dbc::rdp::{Launched, RdpOptions};
use dbc::rental;
use dbc::wallet::SecretString;
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// How long the reachability check waits for the RDP port.
const CHECK_TIMEOUT: Duration = Duration::from_millis(2500);

/// The network and active account now: the scope a remembered login lives
/// under (also used by the Verify step, which unlocks the same login).
pub(crate) async fn current_scope(state: &AppState) -> Scope {
    let status = state.network.status();
    let account = crate::connect::active_account(&state.wallet).await;
    Scope { network: status.network, genesis: status.genesis_hash, account }
}

/// Why rental `id` has no login here: unknown, or known but not unlocked.
async fn locked_or_unknown(state: &AppState, id: &str) -> Error {
    let known = match state.rentals.book_or_last(&state.network).await {
        Ok((book, _)) => rental::chain_steps::find(&book, id),
        Err(_) => Err(not_found(id)),
    };
    match known {
        Ok(r) => {
            let name = r.rent_id().map(|n| n.to_string()).unwrap_or(r.id);
            Error::new(
                ErrorCode::ConnectLocked,
                format!("the login of rental {name} is locked: unlock it with the wallet password"),
            )
            .with_data(serde_json::json!({ "rentId": name }))
        }
        Err(e) => e,
    }
}

fn not_found(id: &str) -> Error {
    Error::new(ErrorCode::RentalNotFound, format!("no rental {id} in this network's journal"))
        .with_data(serde_json::json!({ "rentId": id }))
}

/// Run `f` on rental `id`'s unlocked login.
pub(crate) async fn with_login<T>(state: &AppState, id: &str, f: impl FnOnce(&Login) -> Result<T>) -> Result<T> {
    let scope = current_scope(state).await;
    match state.connect.with_login(id, &scope, f) {
        Some(result) => result,
        None => Err(locked_or_unknown(state, id).await),
    }
}

/// The window options as the webview sent them: unknown fields, wrong
/// types and sizes no client accepts are refused in the one error shape.
fn parse_options(options: serde_json::Value) -> Result<RdpOptions> {
    let parsed: RdpOptions = serde_json::from_value(options).map_err(|e| {
        Error::invalid_argument(format!("invalid Remote Desktop options: {e}"))
            .with_data(serde_json::json!({ "field": "options", "reason": e.to_string() }))
    })?;
    parsed.validate()?;
    Ok(parsed)
}

/// Read rental `id`'s VM login fresh from its DBC client (the wallet
/// password unlocks the key that signs the request) and keep it for 30
/// minutes. Returns it without the passwords.
#[tauri::command]
pub async fn connect_unlock(state: tauri::State<'_, AppState>, id: String, password: String) -> Result<LoginView> {
    let password = SecretString::from(password);
    guarded_async("connect_unlock", async {
        let (book, _) = state.rentals.book_or_last(&state.network).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        let w = state.wallet.wallet()?;
        let account = r.account.clone();
        let key = blocking(move || w.signing_key(&account, &password)).await?;
        let clients = crate::commands::compute::live_clients(&state, None, &r).await?;
        let build = |u: &str| crate::commands::compute::build_client(&state, u);
        let (book_ref, id) = (&book, &r.id);
        let detail = |c, _| {
            let key = key.clone();
            async move { rental::vm_detail(book_ref, id, &c, key).await }
        };
        let result = rental::through_clients(&clients.ranked, build, |_| {}, detail).await;
        // The journal now has the VM's latest status: show it in My rentals too.
        state.rentals.publish_after(&state.network, &r.account).await;
        let (r, detail) = result?;
        let login = Login::from_detail(&r, &detail)?;
        let scope = current_scope(&state).await;
        Ok(state.connect.remember(scope, login))
    })
    .await
}

/// The login of rental `id` if it is unlocked (`null` when it must be unlocked).
#[tauri::command]
pub async fn connect_login(state: tauri::State<'_, AppState>, id: String) -> Result<Option<LoginView>> {
    guarded_async("connect_login", async {
        let scope = current_scope(&state).await;
        Ok(state.connect.with_login(&id, &scope, Login::view))
    })
    .await
}

/// Whether the VM's Remote Desktop port accepts a TCP connection now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Reachability {
    pub address: String,
    pub reachable: bool,
    /// `refused`, `timeout`, `not-rdp` (answers, but not as an RDP server) or the OS's reason, when not reachable.
    pub reason: Option<String>,
}

#[tauri::command]
pub async fn connect_check(state: tauri::State<'_, AppState>, id: String) -> Result<Reachability> {
    guarded_async("connect_check", async {
        let target = with_login(&state, &id, |l| l.running_endpoint().cloned()).await?;
        let address = target.address();
        match rdp_reachable(&target.host(), target.port(), CHECK_TIMEOUT).await {
            Ok(()) => Ok(Reachability { address, reachable: true, reason: None }),
            Err(e) if e.code == ErrorCode::RdpUnreachable => {
                let reason = e.data.as_ref().and_then(|d| d["reason"].as_str()).map(str::to_string);
                Ok(Reachability { address, reachable: false, reason })
            }
            Err(e) => Err(e),
        }
    })
    .await
}

/// Start this computer's Remote Desktop client on rental `id`'s VM with
/// `options`: the core validates everything, writes the `.rdp` file and
/// starts the client with an argument vector (FreeRDP gets the password on
/// stdin), never through a shell.
#[tauri::command]
pub async fn connect_launch(
    state: tauri::State<'_, AppState>,
    id: String,
    options: serde_json::Value,
) -> Result<Launched> {
    guarded_async("connect_launch", async {
        let options = parse_options(options)?;
        let (target, password) =
            with_login(&state, &id, |l| Ok((l.running_endpoint()?.clone(), l.rdp_password()?.clone()))).await?;
        let data_dir = state.data_dir.clone();
        blocking(move || dbc::rdp::launch(&target, &password, &options, &data_dir)).await
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct RdpFile {
    pub path: PathBuf,
}

/// "Save .rdp file": the connection settings (never the password) in
/// `<data dir>/rdp/`, mode 0600, to open with any Remote Desktop client.
#[tauri::command]
pub async fn connect_write_rdp(
    state: tauri::State<'_, AppState>,
    id: String,
    options: serde_json::Value,
) -> Result<RdpFile> {
    guarded_async("connect_write_rdp", async {
        let options = parse_options(options)?;
        let target = with_login(&state, &id, |l| {
            l.endpoint.clone().ok_or_else(|| {
                Error::new(
                    ErrorCode::WrongRentalState,
                    format!("the VM's address is not known yet (it is {})", l.vm_status),
                )
                .with_data(serde_json::json!({ "rentId": id, "state": l.vm_status }))
            })
        })
        .await?;
        let data_dir = state.data_dir.clone();
        let path = blocking(move || dbc::rdp::write_rdp_file(&data_dir, &target, &options)).await?;
        Ok(RdpFile { path })
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Copied {
    pub field: Field,
    /// Seconds until a copied password is taken off the clipboard again.
    pub clears_in_secs: Option<u64>,
}

/// Copy `field` (`address`, `user`, `password`, `vncAddress`,
/// `vncPassword`) of rental `id`'s login to the clipboard. A password is
/// cleared 30 s later if the clipboard still holds it.
#[tauri::command]
pub async fn connect_copy(state: tauri::State<'_, AppState>, id: String, field: String) -> Result<Copied> {
    guarded_async("connect_copy", async {
        let which: Field = field.parse()?;
        let text = with_login(&state, &id, |l| l.value(which)).await?;
        clipboard::copy(state.connect.clipboard(), text, which.is_secret(), CLEAR_SECRET_AFTER).await?;
        Ok(Copied { field: which, clears_in_secs: which.is_secret().then_some(CLEAR_SECRET_AFTER.as_secs()) })
    })
    .await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Revealed {
    pub field: String,
    pub value: String,
}

/// Show the VNC password, for the VNC fallback (a VNC viewer asks for it
/// and not every viewer takes a paste). Only that field: the Windows
/// password is copied, never shown.
#[tauri::command]
pub async fn connect_reveal(state: tauri::State<'_, AppState>, id: String, field: String) -> Result<Revealed> {
    guarded_async("connect_reveal", async {
        if field.parse::<Field>()? != Field::VncPassword {
            return Err(Error::invalid_argument(format!(
                "{field} cannot be revealed: only the VNC password is shown; copy the others"
            ))
            .with_data(serde_json::json!({ "field": field })));
        }
        let value = with_login(&state, &id, |l| l.value(Field::VncPassword)).await?;
        // The one place a secret goes to the webview, on an explicit click.
        Ok(Revealed { field, value: (*value).clone() })
    })
    .await
}
