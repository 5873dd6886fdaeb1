//! Settings for the rental flow: the DBC client list and the reminder lead times.

use crate::commands::compute::practice_client;
use crate::guard::guarded;
use crate::AppState;
use dbc::Result;
use serde::Serialize;

/// The DBC clients and reminder lead times (Settings).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct RentalSettings {
    pub compute_clients: Vec<String>,
    /// The community DBC clients (compute-api.md §3.4), asked unless turned off.
    pub community_clients: Vec<String>,
    pub community_clients_off: bool,
    /// The practice network's own DBC client while on practice.
    pub practice_client: Option<String>,
    pub reminder_leads_minutes: Vec<u32>,
    pub default_reminder_leads_minutes: Vec<u32>,
}

fn rental_settings_of(state: &AppState, s: &dbc::settings::Settings) -> RentalSettings {
    RentalSettings {
        compute_clients: s.compute_clients.clone(),
        community_clients: dbc::compute::choice::COMMUNITY_CLIENTS.iter().map(|u| u.to_string()).collect(),
        community_clients_off: s.community_clients_off,
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
pub fn set_compute_clients(state: tauri::State<'_, AppState>, clients: Vec<String>) -> Result<RentalSettings> {
    guarded("set_compute_clients", || {
        let list = dbc::compute::url::normalize_list(&clients)?;
        let next = state.update_settings(|s| s.compute_clients = list)?;
        Ok(rental_settings_of(&state, &next))
    })
}

/// Turn the community DBC clients on or off.
#[tauri::command]
pub fn set_community_clients(state: tauri::State<'_, AppState>, enabled: bool) -> Result<RentalSettings> {
    guarded("set_community_clients", || {
        let next = state.update_settings(|s| s.community_clients_off = !enabled)?;
        Ok(rental_settings_of(&state, &next))
    })
}

/// Save the reminder lead times, minutes before a rental ends (empty: none).
#[tauri::command]
pub fn set_reminder_leads(state: tauri::State<'_, AppState>, minutes: Vec<u32>) -> Result<RentalSettings> {
    guarded("set_reminder_leads", || {
        let leads = dbc::settings::validate_reminder_leads(&minutes)?;
        let next = state.update_settings(|s| s.reminder_leads_minutes = Some(leads))?;
        Ok(rental_settings_of(&state, &next))
    })
}
