fn main() {
    // Listing the app's commands makes Tauri generate `allow-<command>`
    // permissions, so the capability file can grant exactly these and no more.
    let commands = &[
        "app_info",
        "get_settings",
        "set_language",
        "network_status",
        "get_network_settings",
        "set_network",
        "set_mainnet_endpoints",
        "retry_connection",
        "start_practice",
        "practice_status",
        "stop_practice",
        "practice_fund",
        "wallet_overview",
        "wallet_choose_file_store",
        "wallet_create_begin",
        "wallet_backup_challenge",
        "wallet_backup_pick",
        "wallet_create_finish",
        "wallet_backup_begin",
        "wallet_backup_finish",
        "wallet_discard_draft",
        "wallet_import_mnemonic",
        "wallet_import_seed",
        "wallet_import_json",
        "wallet_export_json",
        "wallet_use",
        "wallet_rename",
        "wallet_remove",
        "wallet_balance",
        "check_address",
        "wallet_send_quote",
        "wallet_send",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script failed");
}
