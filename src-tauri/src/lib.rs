//! DBC Rent desktop shell. Commands here are thin: they call the `dbc` core
//! crate and map its result; domain logic never lives in this crate.

pub mod blocking;
pub mod clipboard;
pub mod commands;
pub mod connect;
#[cfg(test)]
mod contract;
pub mod desktop;
pub mod guard;
pub mod market;
pub mod network;
pub mod rental;
pub mod rental_view;
pub mod state;
pub mod update;
pub mod wallet;

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
        commands::network::get_network_settings,
        commands::network::set_network,
        commands::network::set_mainnet_endpoints,
        commands::network::retry_connection,
        commands::practice::start_practice,
        commands::practice::practice_status,
        commands::practice::stop_practice,
        commands::practice::practice_fund,
        commands::wallet::wallet_overview,
        commands::wallet::wallet_choose_file_store,
        commands::wallet::wallet_create_begin,
        commands::wallet::wallet_backup_challenge,
        commands::wallet::wallet_backup_pick,
        commands::wallet::wallet_create_finish,
        commands::wallet::wallet_backup_begin,
        commands::wallet::wallet_backup_finish,
        commands::wallet::wallet_discard_draft,
        commands::wallet::wallet_import_mnemonic,
        commands::wallet::wallet_import_seed,
        commands::wallet::wallet_import_json,
        commands::wallet::wallet_export_json,
        commands::wallet::wallet_use,
        commands::wallet::wallet_rename,
        commands::wallet::wallet_remove,
        commands::wallet::wallet_balance,
        commands::wallet::check_address,
        commands::wallet::wallet_send_quote,
        commands::wallet::wallet_send,
        commands::market::market_snapshot,
        commands::market::market_quote,
        commands::guide::open_external,
        commands::guide::checklist_get,
        commands::guide::checklist_set,
        commands::rental::rentals_list,
        commands::rental::rental_place,
        commands::rental::rental_create_vm,
        commands::rental::rental_vm_detail,
        commands::rental::rental_check_rdp,
        commands::rental::rental_confirm,
        commands::rental::rental_renew_quote,
        commands::rental::rental_renew,
        commands::rental::rental_vm_power,
        commands::compute::compute_test_connection,
        commands::compute::compute_allow_insecure_client,
        commands::compute::compute_check_clients,
        commands::compute::compute_choose_client,
        commands::rental_settings::rental_settings,
        commands::rental_settings::set_compute_clients,
        commands::rental_settings::set_community_clients,
        commands::rental_settings::set_reminder_leads,
        commands::reminders::notify_reminder,
        commands::connect::connect_unlock,
        commands::connect::connect_login,
        commands::connect::connect_check,
        commands::connect::connect_launch,
        commands::connect::connect_write_rdp,
        commands::connect::connect_copy,
        commands::connect::connect_reveal,
        commands::ssh::ssh_info,
        commands::ssh::ssh_copy,
        commands::ssh::ssh_reveal,
        commands::ssh::ssh_install_key,
        commands::ssh::ssh_open_terminal,
        commands::ssh::ssh_open_vscode,
        commands::ssh::ssh_choose_key,
        commands::ssh::ssh_check,
        commands::ssh::ssh_gpu_check,
        commands::update::update_info,
        commands::update::update_check,
        commands::update::update_install,
        commands::update::update_restart,
    ])
}

/// The event that carries every connection-state change to the webview.
pub const NETWORK_STATUS_EVENT: &str = "network-status";

/// Once the app runs: push every network status change to the webview, and
/// connect to the saved network (starting the practice network again if
/// that was the choice: its chain resumes from disk).
fn start_background<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    exit_on_signals(app.clone());
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let mut rx = state.network.subscribe();
        loop {
            let status = rx.borrow_and_update().clone();
            if let Err(e) = handle.emit(NETWORK_STATUS_EVENT, status) {
                tracing::warn!(error = %e, "cannot emit the network status");
            }
            if rx.changed().await.is_err() {
                break;
            }
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let mut rx = state.network.subscribe();
        let mut last_block = None;
        while rx.changed().await.is_ok() {
            let block = rx.borrow_and_update().best_block;
            if block.is_some() && block != last_block {
                last_block = block;
                push_active_balance(&handle).await;
            }
        }
    });
    market::start_background(app);
    rental::start_background(app);
    connect::start_background(app);
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let settings = state.settings().clone();
        let result = if settings.network == dbc::network::NetworkChoice::Practice {
            state.network.start_practice(&settings, |_| {}).await.map(|_| ())
        } else {
            state.network.connect(&settings).await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not connect to the saved network at start");
        }
    });
}

/// The event that carries the active account's balance after each new block.
pub const WALLET_BALANCE_EVENT: &str = "wallet-balance";

/// Read the active account's balance and push it to the webview. Quiet when
/// there is no account or no connection (the UI shows those states itself).
async fn push_active_balance<R: tauri::Runtime>(handle: &tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    let state = handle.state::<AppState>();
    let Ok(wallet) = state.wallet.wallet() else { return };
    let Ok(Ok(active)) = tauri::async_runtime::spawn_blocking(move || wallet.active()).await else { return };
    match commands::wallet::balance_of(&state, &active.id).await {
        Ok((address, balance)) => {
            let payload = commands::wallet::BalanceEvent { id: active.id, address, balance };
            if let Err(e) = handle.emit(WALLET_BALANCE_EVENT, payload) {
                tracing::warn!(error = %e, "cannot emit the balance");
            }
        }
        Err(e) => tracing::debug!(error = %e, "no balance for the active account"),
    }
}

/// SIGTERM (logout, `kill`), SIGINT and SIGHUP end the app the normal way,
/// through `RunEvent::Exit`, so the practice network is stopped, not orphaned.
#[cfg(unix)]
fn exit_on_signals<R: tauri::Runtime>(handle: tauri::AppHandle<R>) {
    use tokio::signal::unix::{signal, SignalKind};
    tauri::async_runtime::spawn(async move {
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) =
            (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()))
        else {
            tracing::warn!("cannot listen for termination signals");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            _ = hup.recv() => {}
        }
        tracing::info!("termination signal: quitting");
        handle.exit(0);
    });
}

#[cfg(not(unix))]
fn exit_on_signals<R: tauri::Runtime>(_handle: tauri::AppHandle<R>) {}

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
    // One TLS crypto provider for every client (subxt's websockets, reqwest).
    dbc_sandbox::install_crypto_provider();
    let context = tauri::generate_context!();
    // First: a second launch must be found before anything else starts.
    let builder = tauri::Builder::default()
        .plugin(desktop::single_instance(&context.config().identifier, &data_dir))
        .plugin(desktop::window_state(&data_dir))
        .plugin(tauri_plugin_notification::init())
        // Driven from Rust only (src/update.rs); the webview gets no updater permission.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .on_window_event(desktop::on_window_event);
    let state = AppState::load(data_dir, log_dir);
    let app = configure(builder, state)
        .setup(|app| {
            start_background(app.handle());
            Ok(())
        })
        .build(context)
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "the app could not start");
            eprintln!("DBC Rent could not start: {e}");
            std::process::exit(1);
        });
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // Leave no practice network behind when the app quits.
            use tauri::Manager;
            let state = handle.state::<AppState>();
            tauri::async_runtime::block_on(state.network.shutdown());
        }
    });
}
