//! The DBC client commands: which client a rental's VM step uses (the
//! core's rule, fed with the app's settings) and "Test connection".

use crate::guard::guarded_async;
use crate::AppState;
use dbc::compute::{ComputeClient, ImageInfo, NodeSummary};
use dbc::rental::{self, ClientSources, Rental};
use dbc::Result;
use serde::Serialize;

/// The DBC clients for rental `r`'s VM calls now, best first
/// ([`rental::choose_live_client`]: an address given for this call or the
/// practice network's own client as they are; otherwise every address the
/// user has is asked whether it sees the machine).
pub(crate) async fn live_clients(state: &AppState, asked: Option<&str>, r: &Rental) -> Result<rental::LiveChoice> {
    let settings = state.settings().clone();
    let from = ClientSources {
        asked,
        practice: practice_client(state, &settings),
        env: None,
        configured: &settings.compute_clients,
    };
    let community = dbc::compute::choice::community_clients(settings.community_clients_off);
    let allowed = |url: &str| dbc::compute::url::allows_insecure(&settings.insecure_clients_allowed, url);
    rental::choose_live_client(r, &from, &community, allowed).await
}

/// A client for `url`, plain `http://` to a public host only once the user
/// allowed that one.
pub(crate) fn build_client(state: &AppState, url: &str) -> Result<ComputeClient> {
    let allowed = dbc::compute::url::allows_insecure(&state.settings().insecure_clients_allowed, url);
    ComputeClient::new_checked(url, allowed)
}

pub(crate) fn practice_client(state: &AppState, settings: &dbc::settings::Settings) -> Option<String> {
    (settings.network == dbc::network::NetworkChoice::Practice)
        .then(|| dbc::practice::running(&state.data_dir).ok().flatten().and_then(|p| p.client))
        .flatten()
}

/// What "Test connection" found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
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
    state: tauri::State<'_, AppState>,
    url: String,
    machine_id: Option<String>,
) -> Result<ConnectionView> {
    let allowed = dbc::compute::url::allows_insecure(&state.settings().insecure_clients_allowed, &url);
    guarded_async("compute_test_connection", async {
        let client = ComputeClient::new_checked(&url, allowed)?;
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

/// The user read the warning and allows plain `http://` to the DBC client
/// at `url` (outside their network): remembered in the settings, asked once
/// per client. Gives the normalized URL.
#[tauri::command]
pub fn compute_allow_insecure_client(state: tauri::State<'_, AppState>, url: String) -> Result<String> {
    crate::guard::guarded("compute_allow_insecure_client", || {
        let normalized = dbc::compute::url::normalize_base_url(&url)?;
        state.update_settings(|s| {
            // Cannot fail: `normalized` is a checked address.
            let _ = dbc::compute::url::allow_insecure(&mut s.insecure_clients_allowed, &normalized);
        })?;
        tracing::info!(url = %normalized, "plain http allowed for this DBC client");
        Ok(normalized)
    })
}
