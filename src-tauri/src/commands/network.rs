use crate::guard::{guarded, guarded_async};
use crate::AppState;
use dbc::network::{NetworkChoice, NetworkStatus};
use dbc::settings::Settings;
use serde::Serialize;

/// The connection state the status bar shows (also pushed as `network-status` events).
#[tauri::command]
pub fn network_status(state: tauri::State<'_, AppState>) -> dbc::Result<NetworkStatus> {
    guarded("network_status", || Ok(state.network.status()))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct NetworkSettings {
    pub choice: NetworkChoice,
    /// The list the app tries, in order (the user's, else the built-in one).
    pub mainnet_endpoints: Vec<String>,
    pub default_mainnet_endpoints: Vec<String>,
}

impl From<&Settings> for NetworkSettings {
    fn from(s: &Settings) -> Self {
        let defaults: Vec<String> = dbc::chain::MAINNET_ENDPOINTS.iter().map(|e| e.to_string()).collect();
        NetworkSettings {
            choice: s.network.clone(),
            mainnet_endpoints: s.custom_mainnet_endpoints().map(<[String]>::to_vec).unwrap_or_else(|| defaults.clone()),
            default_mainnet_endpoints: defaults,
        }
    }
}

#[tauri::command]
pub fn get_network_settings(state: tauri::State<'_, AppState>) -> dbc::Result<NetworkSettings> {
    guarded("get_network_settings", || Ok(NetworkSettings::from(&*state.settings())))
}

/// Refuse the first unencrypted remote node of `urls` the user has not
/// allowed (`insecure-node-url`), unless they said yes to the warning now
/// (`allow_insecure`): then each is remembered, so it is asked once per node.
fn check_or_allow(state: &AppState, urls: &[String], allow_insecure: bool) -> dbc::Result<impl Fn(&mut Settings)> {
    let known = state.settings().clone();
    for url in urls {
        if !allow_insecure {
            dbc::network::check_node_transport(url, known.allows_insecure_node(url))?;
        }
    }
    let urls = if allow_insecure { urls.to_vec() } else { Vec::new() };
    Ok(move |s: &mut Settings| {
        for url in &urls {
            // Cannot fail: each was parsed before.
            let _ = s.allow_insecure_node(url);
        }
    })
}

/// Switch network (saved first, then connected). A custom URL is checked here
/// (an unencrypted remote one only with `allow_insecure`, asked once per
/// node); practice goes through `start_practice`, which also starts the network.
#[tauri::command]
pub async fn set_network(
    state: tauri::State<'_, AppState>,
    choice: NetworkChoice,
    allow_insecure: Option<bool>,
) -> dbc::Result<NetworkSettings> {
    guarded_async("set_network", async {
        let choice = match choice {
            NetworkChoice::Custom(url) => NetworkChoice::Custom(dbc::network::parse_node_url(&url)?),
            other => other,
        };
        let urls = match &choice {
            NetworkChoice::Custom(url) => vec![url.clone()],
            _ => Vec::new(),
        };
        let remember = check_or_allow(&state, &urls, allow_insecure == Some(true))?;
        let next = state.update_settings(|s| {
            remember(s);
            s.network = choice;
        })?;
        // A network that cannot be reached is a status, not a failed switch.
        let _ = state.network.connect(&next).await;
        Ok(NetworkSettings::from(&next))
    })
    .await
}

/// Save the mainnet endpoint list (each must be ws:// or wss://; empty = the
/// built-in list) and reconnect when on mainnet.
#[tauri::command]
pub async fn set_mainnet_endpoints(
    state: tauri::State<'_, AppState>,
    endpoints: Vec<String>,
    allow_insecure: Option<bool>,
) -> dbc::Result<NetworkSettings> {
    guarded_async("set_mainnet_endpoints", async {
        let cleaned: Vec<String> =
            endpoints.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).map(str::to_string).collect();
        let defaults = dbc::chain::NetworkProfile::mainnet().endpoints;
        let list = if cleaned.is_empty() {
            Vec::new()
        } else {
            // Validate the whole list the same way the connection will.
            let checked = dbc::chain::NetworkProfile::mainnet_with_endpoints(&cleaned)?;
            if checked.endpoints == defaults {
                Vec::new()
            } else {
                checked.endpoints
            }
        };
        let remember = check_or_allow(&state, &list, allow_insecure == Some(true))?;
        let next = state.update_settings(|s| {
            remember(s);
            s.mainnet_endpoints = list;
        })?;
        if next.network == NetworkChoice::Mainnet {
            let _ = state.network.connect(&next).await;
        }
        Ok(NetworkSettings::from(&next))
    })
    .await
}

/// Skip the backoff and try to connect now.
#[tauri::command]
pub async fn retry_connection(state: tauri::State<'_, AppState>) -> dbc::Result<NetworkStatus> {
    guarded_async("retry_connection", async {
        state.network.retry().await;
        Ok(state.network.status())
    })
    .await
}
