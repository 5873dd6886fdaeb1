//! The DBC client commands: which client a rental's VM step uses (the
//! core's rule, fed with the app's settings), the health of every client
//! the user has, and "Test connection".

use crate::guard::guarded_async;
use crate::AppState;
use dbc::compute::{ClientHealth, ComputeClient, ImageInfo, NodeSummary};
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
        practice: practice_clients(state, &settings),
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

/// The practice network's first DBC client (it sees every node), for the Settings view.
pub(crate) fn practice_client(state: &AppState, settings: &dbc::settings::Settings) -> Option<String> {
    practice_clients(state, settings).into_iter().next()
}

/// The practice network's simulated DBC clients (the first sees every
/// node), while on the practice network.
pub(crate) fn practice_clients(state: &AppState, settings: &dbc::settings::Settings) -> Vec<String> {
    if settings.network != dbc::network::NetworkChoice::Practice {
        return Vec::new();
    }
    dbc::practice::running(&state.data_dir).ok().flatten().map(|p| p.client_urls()).unwrap_or_default()
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
    /// The machine's Ubuntu/Linux images (names with `ubuntu` or `linux`).
    pub linux_images: Vec<ImageInfo>,
}

/// "Test connection": the client answers its version, and (given a
/// machine) sees that machine; then its Windows and Linux images for the picker.
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
                let (images, linux_images) = match client.node_info(&id).await {
                    Ok(info) => (info.windows_images().cloned().collect(), info.linux_images().cloned().collect()),
                    Err(e) => {
                        tracing::info!(error = %e, "no node info for the image picker");
                        (Vec::new(), Vec::new())
                    }
                };
                Ok(ConnectionView {
                    url: check.url,
                    client_version: check.client_version,
                    nodes,
                    machine: Some(check.node),
                    images,
                    linux_images,
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
                    linux_images: Vec::new(),
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

/// Every DBC client the user has, in the order they are tried: the practice
/// network's own (on practice), the Settings list, then the community list
/// unless turned off.
fn known_clients(state: &AppState, settings: &dbc::settings::Settings) -> Vec<String> {
    let mut urls: Vec<String> = practice_clients(state, settings);
    urls.extend(settings.compute_clients.iter().cloned());
    urls.extend(dbc::compute::choice::community_clients(settings.community_clients_off));
    let mut seen = std::collections::HashSet::new();
    urls.retain(|u| seen.insert(u.clone()));
    urls
}

/// Settings → DBC clients, and a machine's "can a client reach it": every
/// client asked at once for its version and (given a machine) whether it
/// sees that machine.
#[tauri::command]
pub async fn compute_check_clients(
    state: tauri::State<'_, AppState>,
    machine_id: Option<String>,
) -> Result<Vec<ClientHealth>> {
    guarded_async("compute_check_clients", async {
        let settings = state.settings().clone();
        let urls = known_clients(&state, &settings);
        let allowed = |url: &str| dbc::compute::url::allows_insecure(&settings.insecure_clients_allowed, url);
        // A bad machine id is the caller's mistake, not every client's failure.
        let machine = machine_id
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(dbc::compute::normalize_machine_id)
            .transpose()?;
        let machine = machine.as_deref();
        // The connected chain's machines, to tell a client of this network from one of another.
        let chain_machines: Option<std::collections::HashSet<String>> = state
            .market
            .latest()
            .map(|p| p.market.machines.iter().map(|m| m.id.trim_start_matches("0x").to_lowercase()).collect());
        let ask = dbc::compute::choice::Ask { machine_id: machine, chain_machines: chain_machines.as_ref() };
        Ok(dbc::compute::check_clients(&urls, ask, allowed, dbc::compute::choice::CHECK_TIMEOUT).await)
    })
    .await
}

/// The VM step's client, chosen for the user: the best of
/// [`live_clients`] (none when no client reaches the machine), with what
/// every client answered.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct ChosenClient {
    /// The client to use, `None` when none can reach the machine now.
    pub url: Option<String>,
    /// The usable clients, best first.
    pub ranked: Vec<String>,
    pub checked: Vec<ClientHealth>,
}

#[tauri::command]
pub async fn compute_choose_client(state: tauri::State<'_, AppState>, id: String) -> Result<ChosenClient> {
    guarded_async("compute_choose_client", async {
        let (book, _) = state.rentals.book_or_last(&state.network).await?;
        let r = rental::chain_steps::find(&book, &id)?;
        match live_clients(&state, None, &r).await {
            Ok(c) => Ok(ChosenClient { url: Some(c.best().to_string()), ranked: c.ranked, checked: c.checked }),
            Err(e) if e.code == dbc::ErrorCode::NoClientReaches => {
                let checked =
                    e.data.as_ref().and_then(|d| serde_json::from_value(d["clients"].clone()).ok()).unwrap_or_default();
                Ok(ChosenClient { url: None, ranked: Vec::new(), checked })
            }
            Err(e) => Err(e),
        }
    })
    .await
}
