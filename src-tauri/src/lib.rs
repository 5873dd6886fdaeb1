//! DBC Rent desktop shell. Commands here are thin: they call the `dbc` core
//! crate and map its result; domain logic never lives in this crate.

pub mod commands;
pub mod guard;
pub mod state;

pub use state::AppState;

/// Everything the app registers, taking the builder as a parameter so the
/// tests can start from `tauri::test::mock_builder()` (whose invoke key the
/// mock runtime expects) and the real app from `tauri::Builder::default()`.
pub fn configure<R: tauri::Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder.manage(state).invoke_handler(tauri::generate_handler![
        commands::app::app_info,
        commands::settings::get_settings,
        commands::settings::set_language,
        commands::network::network_status,
    ])
}

/// Start the desktop app.
pub fn run() {
    let data_dir = dbc::paths::data_dir(None);
    let log_dir = dbc::paths::log_dir(&data_dir);
    // Logging is best effort: an unwritable log dir must not stop the app.
    let _log_guard = match dbc::logging::init(&log_dir, "dbc-rent-app", cfg!(debug_assertions)) {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("logging disabled: {e}");
            dbc::logging::install_panic_hook();
            None
        }
    };
    tracing::info!(version = dbc::VERSION, data_dir = %data_dir.display(), "starting DBC Rent");
    let state = AppState::load(data_dir, log_dir);
    configure(tauri::Builder::default(), state)
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the app could not start");
            eprintln!("DBC Rent could not start: {e}");
            std::process::exit(1);
        });
}
