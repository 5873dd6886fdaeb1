//! How the app behaves as a desktop program: one instance per data dir (a
//! second launch brings the running window forward and hands it its
//! arguments), and the window's size, position and maximized state kept
//! between runs. Both are Tauri plugins; this module only decides their keys.

use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tauri::{Manager, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What of the window is remembered: never visibility or decorations, which
/// the app controls.
const REMEMBERED: StateFlags = StateFlags::SIZE.union(StateFlags::POSITION).union(StateFlags::MAXIMIZED);
/// A burst of resize or move events is written once, this long after it starts.
const SAVE_AFTER: Duration = Duration::from_millis(500);

/// The window state file, in the data dir (beside the wallets and settings,
/// not in the platform config dir, so each data dir has its own window).
pub const WINDOW_STATE_FILE: &str = "window-state.json";

/// The D-Bus name (Linux) the first instance holds: the app's identifier and
/// a digest of the data dir. Two launches over one data dir meet (one window,
/// one writer of its journal and settings); separate data dirs, as the e2e
/// suites and a second profile use, do not. Windows and macOS key the plugin
/// on the app alone.
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    // A D-Bus name element must not start with a digit: hence the `d`.
    format!("{identifier}.d{}", hex::encode(&digest[..8]))
}

/// The single-instance plugin: the second launch's arguments are logged and
/// its window is brought to the front of the first one's.
pub fn single_instance<R: Runtime>(identifier: &str, data_dir: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(identifier, data_dir))
        .callback(|app, args, cwd| {
            // Never the values: a launch argument is not expected to hold a
            // secret, but the log is no place to find out.
            tracing::info!(args = args.len(), %cwd, "a second launch brought this window forward");
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        })
        .build()
}

/// The window-state plugin: size, position and maximized state, in the data dir.
pub fn window_state<R: Runtime>(data_dir: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new()
        .with_state_flags(REMEMBERED)
        // The plugin joins this to its config dir; an absolute path wins.
        .with_filename(data_dir.join(WINDOW_STATE_FILE).to_string_lossy())
        .build()
}

/// Save the window's state soon after it is resized or moved. The plugin
/// itself saves only when the window closes normally, so a crash, a kill or
/// a logout would lose it.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    static PENDING: AtomicBool = AtomicBool::new(false);
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) || PENDING.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SAVE_AFTER).await;
        PENDING.store(false, Ordering::SeqCst);
        if let Err(e) = app.save_window_state(REMEMBERED) {
            tracing::warn!(error = %e, "could not save the window state");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_instance_id_per_data_dir_and_a_valid_dbus_name() {
        let a = instance_id("app.dbcrent.desktop", Path::new("/home/u/.local/share/app.dbcrent.desktop"));
        let again = instance_id("app.dbcrent.desktop", Path::new("/home/u/.local/share/app.dbcrent.desktop"));
        let other = instance_id("app.dbcrent.desktop", Path::new("/tmp/e2e-1"));
        assert_eq!(a, again, "the same data dir meets itself");
        assert_ne!(a, other, "another data dir is another instance");
        // D-Bus: elements of [A-Za-z0-9_-], none starting with a digit, at most 255 bytes.
        assert!(a.len() <= 255);
        for element in a.split('.') {
            assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{a}");
            assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{a}");
        }
    }
}
