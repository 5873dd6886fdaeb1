//! The Omniverse guide: its links (opened in the system browser after the
//! core's allowlist check) and its per-rental checklist.

use crate::guard::guarded;
use crate::AppState;
use dbc::guide::{Checklist, ChecklistItem, ChecklistStore};

/// Open an allowlisted https link in the system browser.
#[tauri::command]
pub fn open_external(url: String) -> dbc::Result<()> {
    guarded("open_external", || dbc::links::open_external(&url))
}

/// The checklist of one rental (`rentKey`: `<network>:<rent id>` or `general`).
#[tauri::command]
pub fn checklist_get(
    state: tauri::State<'_, AppState>,
    rent_key: String,
) -> dbc::Result<Checklist> {
    guarded("checklist_get", || {
        ChecklistStore::new(&state.data_dir).get(&rent_key)
    })
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
