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
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script failed");
}
