//! The app under Tauri's mock runtime, and one IPC call as the webview
//! makes it: shared by the IPC suites.
#![allow(dead_code)]

use dbc_rent_app::{configure, AppState};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

pub struct Fixture {
    pub _app: tauri::App<tauri::test::MockRuntime>,
    pub window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    pub data: tempfile::TempDir,
}

/// The app on a fresh data dir, built from `builder`.
pub fn app_with(builder: tauri::Builder<tauri::test::MockRuntime>) -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let state = AppState::load(data.path().to_path_buf(), data.path().join("logs"));
    let app = configure(builder, state).build(mock_context(noop_assets())).unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Fixture { _app: app, window, data }
}

/// The app as it ships (the real command list).
pub fn app() -> Fixture {
    app_with(mock_builder())
}

/// Call `cmd` with `args`: the command's answer, or its error as the webview gets it.
pub fn invoke(window: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
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
