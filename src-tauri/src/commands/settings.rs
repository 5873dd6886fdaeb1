use crate::guard::guarded;
use crate::AppState;
use dbc::language::Language;
use dbc::settings::Settings;
use serde::Serialize;

/// The settings as the UI sees them: the language already resolved (saved
/// choice, else the OS locale).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct SettingsView {
    pub language: Language,
    /// `NetworkChoice::kind`.
    #[ts(type = "Network")]
    pub network: &'static str,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        SettingsView { language: s.effective_language(), network: s.network.kind() }
    }
}

#[tauri::command]
pub fn get_settings(state: tauri::State<'_, AppState>) -> dbc::Result<SettingsView> {
    guarded("get_settings", || Ok(SettingsView::from(&*state.settings())))
}

/// Switch the UI language and persist the choice. Nothing changes if saving fails.
#[tauri::command]
pub fn set_language(state: tauri::State<'_, AppState>, language: String) -> dbc::Result<SettingsView> {
    guarded("set_language", || {
        let language: Language = language.parse()?;
        let next = state.update_settings(|s| s.language = Some(language))?;
        tracing::info!(language = language.as_str(), "language changed");
        Ok(SettingsView::from(&next))
    })
}
