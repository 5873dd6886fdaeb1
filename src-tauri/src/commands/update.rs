use crate::guard::{guarded, guarded_async};
use crate::update::{UpdateCheck, UpdateProgress};
use crate::AppState;
use dbc::{Error, Result};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::Manager;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct UpdateInfo {
    pub current_version: String,
    /// This build has a release address and key (else "Check for updates" is off).
    pub configured: bool,
    /// The version installed and waiting for a restart, if any.
    pub installed: Option<String>,
}

/// What the Updates card shows before any check.
#[tauri::command]
pub fn update_info<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<UpdateInfo> {
    guarded("update_info", || {
        let state = app.state::<AppState>();
        Ok(UpdateInfo {
            current_version: app.package_info().version.to_string(),
            configured: state.update.config.is_configured(),
            installed: state.update.installed(),
        })
    })
}

/// Ask the built-in release address for a newer version. An older one is
/// refused (`update-not-newer`), the same one is "up to date".
#[tauri::command]
pub async fn update_check<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<UpdateCheck> {
    guarded_async("update_check", async {
        let state = app.state::<AppState>();
        state.update.check(&app).await
    })
    .await
}

/// Download the release the last check found, verify its signature against
/// the built-in key and install it; progress on `on_progress`. Returns the
/// version installed (a restart runs it).
#[tauri::command]
pub async fn update_install<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    on_progress: Channel<UpdateProgress>,
) -> Result<String> {
    guarded_async("update_install", async {
        let state = app.state::<AppState>();
        state
            .update
            .install(|p| {
                let _ = on_progress.send(p);
            })
            .await
    })
    .await
}

/// Restart into the installed version (only after an install).
#[tauri::command]
pub fn update_restart<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<()> {
    guarded("update_restart", || {
        if app.state::<AppState>().update.installed().is_none() {
            return Err(Error::invalid_argument("no update was installed: nothing to restart into"));
        }
        app.restart()
    })
}
