//! Reminders as desktop notifications (the schedule lives in the rental watch).

use crate::guard::guarded;
use dbc::{Error, Result};

/// Longest title and body a reminder notification may have.
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 1_000;

/// Show a reminder as a desktop notification. The webview sends the text
/// in the user's language; plain text only, bounded.
#[tauri::command]
pub fn notify_reminder<R: tauri::Runtime>(app: tauri::AppHandle<R>, title: String, body: String) -> Result<()> {
    guarded("notify_reminder", || {
        use tauri::Manager;
        let clean =
            |s: &str, max: usize| -> String { s.chars().filter(|c| !c.is_control() || *c == '\n').take(max).collect() };
        let (title, body) = (clean(&title, MAX_TITLE), clean(&body, MAX_BODY));
        if title.trim().is_empty() {
            return Err(
                Error::invalid_argument("a notification needs a title").with_data(serde_json::json!({ "value": "" }))
            );
        }
        let Some(n) = app.try_state::<tauri_plugin_notification::Notification<R>>() else {
            return Err(Error::internal("desktop notifications are not available"));
        };
        // No notification server (a bare X session) is not worth an error banner.
        if let Err(e) = n.builder().title(title).body(body).show() {
            tracing::info!(error = %e, "desktop notification not shown");
        }
        Ok(())
    })
}
