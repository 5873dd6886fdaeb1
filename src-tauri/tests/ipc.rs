//! The IPC boundary through Tauri's mock runtime: what the webview sends,
//! what comes back, and that errors keep the one `{code, message, data?}` shape.

use dbc_rent_app::{configure, AppState};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

struct Fixture {
    _app: tauri::App<tauri::test::MockRuntime>,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    data: tempfile::TempDir,
}

fn app_with(builder: tauri::Builder<tauri::test::MockRuntime>) -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let state = AppState::load(data.path().to_path_buf(), data.path().join("logs"));
    let app = configure(builder, state).build(mock_context(noop_assets())).unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Fixture { _app: app, window, data }
}

fn invoke(window: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, req).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn unsupported_language_round_trips_as_code_message_data() {
    let f = app_with(mock_builder());
    let err = invoke(&f.window, "set_language", json!({"language": "fr"})).unwrap_err();
    assert_eq!(err["code"], "unsupported-language");
    assert_eq!(err["data"]["language"], "fr");
    assert!(err["message"].as_str().unwrap().contains("fr"));
    assert!(!f.data.path().join("settings.json").exists(), "a refused change writes nothing");
}

#[test]
fn set_language_persists_and_get_settings_reflects_it() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "set_language", json!({"language": "zh"})).unwrap();
    assert_eq!(v, json!({"language": "zh", "network": "mainnet"}));
    assert_eq!(invoke(&f.window, "get_settings", json!({})).unwrap()["language"], "zh");
    let saved: Value = serde_json::from_slice(&std::fs::read(f.data.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(saved["language"], "zh");
}

#[test]
fn missing_argument_is_an_error_not_a_panic() {
    let f = app_with(mock_builder());
    let err = invoke(&f.window, "set_language", json!({})).unwrap_err();
    // Tauri's own argument errors are plain strings; the UI normalizes them.
    assert!(err.as_str().unwrap_or_default().contains("language"), "{err}");
}

#[test]
fn app_info_and_network_status() {
    let f = app_with(mock_builder());
    let info = invoke(&f.window, "app_info", json!({})).unwrap();
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["dataDir"], f.data.path().display().to_string());
    let status = invoke(&f.window, "network_status", json!({})).unwrap();
    assert_eq!(status, json!({"network": "mainnet", "state": "not-connected", "endpoint": null, "bestBlock": null, "specVersion": null}));
}

/// A command that panics, wired the way every app command is.
#[tauri::command]
fn explode() -> dbc::Result<()> {
    dbc_rent_app::guard::guarded("explode", || panic!("kaboom"))
}

#[test]
fn a_panicking_command_returns_internal_error() {
    let data = tempfile::tempdir().unwrap();
    let app = mock_builder()
        .invoke_handler(tauri::generate_handler![explode])
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let err = invoke(&window, "explode", json!({})).unwrap_err();
    assert_eq!(err["code"], "internal");
    assert_eq!(err["data"]["command"], "explode");
    drop(data);
}

#[test]
fn network_settings_default_to_the_built_in_mainnet_list() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "get_network_settings", json!({})).unwrap();
    assert_eq!(v["choice"], json!({"kind": "mainnet"}));
    assert_eq!(v["mainnetEndpoints"], v["defaultMainnetEndpoints"]);
    assert_eq!(v["mainnetEndpoints"][0], "wss://rpc.dbcwallet.io");
}

#[test]
fn a_bad_custom_url_is_refused_and_nothing_is_saved() {
    let f = app_with(mock_builder());
    let err = invoke(&f.window, "set_network", json!({"choice": {"kind": "custom", "url": "http://node:9944"}})).unwrap_err();
    assert_eq!(err["code"], "invalid-argument");
    assert_eq!(err["data"]["value"], "http://node:9944");
    assert!(!f.data.path().join("settings.json").exists());
}

#[test]
fn switching_to_an_unreachable_custom_node_saves_it_and_reports_offline() {
    let f = app_with(mock_builder());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("ws://127.0.0.1:{port}/");
    let v = invoke(&f.window, "set_network", json!({"choice": {"kind": "custom", "url": url}})).unwrap();
    assert_eq!(v["choice"], json!({"kind": "custom", "url": url}));
    let saved: Value = serde_json::from_slice(&std::fs::read(f.data.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(saved["network"]["url"], url.as_str());
    // Nobody listens there: the status settles on offline with the reason, it never hangs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let s = invoke(&f.window, "network_status", json!({})).unwrap();
        if s["state"] == "offline" {
            assert_eq!(s["network"], "custom");
            assert_eq!(s["lastError"]["code"], "network-unreachable", "{s}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {s}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn mainnet_endpoints_are_validated_saved_and_reset() {
    let f = app_with(mock_builder());
    let err = invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": ["wss://ok.example", "ftp://bad"]})).unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
    let v = invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": [" wss://b.example ", "", "wss://a.example"]})).unwrap();
    assert_eq!(v["mainnetEndpoints"], json!(["wss://b.example", "wss://a.example"]));
    let v = invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": []})).unwrap();
    assert_eq!(v["mainnetEndpoints"], v["defaultMainnetEndpoints"]);
}

#[test]
fn practice_commands_without_a_practice_network() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "practice_status", json!({})).unwrap();
    assert_eq!(v["running"], false);
    let err = invoke(&f.window, "practice_fund", json!({"address": "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", "amount": "10"})).unwrap_err();
    assert_eq!(err["code"], "sandbox-not-running", "{err}");
    let err = invoke(&f.window, "practice_fund", json!({"address": "5Dfh", "amount": "1.5.0"})).unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
}
