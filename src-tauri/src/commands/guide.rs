//! The Omniverse guide: its links (opened in the system browser after the
//! core's allowlist check) and its per-rental checklist.

use crate::guard::{guarded, guarded_async};
use crate::AppState;
use dbc::guide::{Checklist, ChecklistItem, ChecklistStore};

/// Open an allowlisted https link in the system browser. Async: the core
/// waits up to a few seconds for the opener to say whether a browser was
/// found, which must not hold up the window.
#[tauri::command]
pub async fn open_external(url: String) -> dbc::Result<()> {
    guarded_async("open_external", async move {
        tokio::task::spawn_blocking(move || dbc::links::open_external(&url))
            .await
            .map_err(|e| dbc::Error::internal(format!("the link opener task failed: {e}")))?
    })
    .await
}

/// The checklist of one rental (`rentKey`: `<network>:<rent id>` or `general`).
#[tauri::command]
pub fn checklist_get(state: tauri::State<'_, AppState>, rent_key: String) -> dbc::Result<Checklist> {
    guarded("checklist_get", || ChecklistStore::new(&state.data_dir).get(&rent_key))
}

/// Tick or untick one item and return the saved checklist.
#[tauri::command]
pub fn checklist_set(
    state: tauri::State<'_, AppState>,
    rent_key: String,
    item: String,
    done: bool,
) -> dbc::Result<Checklist> {
    guarded("checklist_set", || {
        let item: ChecklistItem = item.parse()?;
        ChecklistStore::new(&state.data_dir).set(&rent_key, item, done)
    })
}
