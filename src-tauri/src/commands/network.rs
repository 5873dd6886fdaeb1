use crate::guard::guarded;
use crate::AppState;
use dbc::network::NetworkStatus;

/// The connection state the status bar shows.
#[tauri::command]
pub fn network_status(state: tauri::State<'_, AppState>) -> dbc::Result<NetworkStatus> {
    guarded("network_status", || Ok(NetworkStatus::not_connected(&state.settings().network)))
}
