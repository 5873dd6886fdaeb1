use crate::guard::guarded;
use crate::AppState;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct AppInfo {
    pub version: &'static str,
    pub data_dir: String,
    pub log_dir: String,
}

#[tauri::command]
pub fn app_info(state: tauri::State<'_, AppState>) -> dbc::Result<AppInfo> {
    guarded("app_info", || {
        Ok(AppInfo {
            version: dbc::VERSION,
            data_dir: state.data_dir.display().to_string(),
            log_dir: state.log_dir.display().to_string(),
        })
    })
}
