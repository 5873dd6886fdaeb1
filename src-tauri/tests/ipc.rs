//! The IPC boundary through Tauri's mock runtime: what the webview sends,
//! what comes back, and that errors keep the one `{code, message, data?}` shape.

mod common;

use common::{app_with, invoke};
use dbc_rent_app::AppState;
use serde_json::{json, Value};
use tauri::test::{mock_builder, mock_context, noop_assets};

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
    assert_eq!(
        status,
        json!({"network": "mainnet", "state": "not-connected", "endpoint": null, "bestBlock": null, "specVersion": null})
    );
}

/// A command that panics, wired the way every app command is.
#[tauri::command]
fn explode() -> dbc::Result<()> {
    dbc_rent_app::guard::guarded("explode", || panic!("kaboom"))
}

#[test]
fn a_panicking_command_returns_internal_error() {
    let data = tempfile::tempdir().unwrap();
    let app =
        mock_builder().invoke_handler(tauri::generate_handler![explode]).build(mock_context(noop_assets())).unwrap();
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
    let err =
        invoke(&f.window, "set_network", json!({"choice": {"kind": "custom", "url": "http://node:9944"}})).unwrap_err();
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
    let err = invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": ["wss://ok.example", "ftp://bad"]}))
        .unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
    let v =
        invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": [" wss://b.example ", "", "wss://a.example"]}))
            .unwrap();
    assert_eq!(v["mainnetEndpoints"], json!(["wss://b.example", "wss://a.example"]));
    let v = invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": []})).unwrap();
    assert_eq!(v["mainnetEndpoints"], v["defaultMainnetEndpoints"]);
}

#[test]
fn practice_commands_without_a_practice_network() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "practice_status", json!({})).unwrap();
    assert_eq!(v["running"], false);
    let err = invoke(
        &f.window,
        "practice_fund",
        json!({"address": "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV", "amount": "10"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "sandbox-not-running", "{err}");
    let err = invoke(&f.window, "practice_fund", json!({"address": "5Dfh", "amount": "1.5.0"})).unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
}

#[test]
fn open_external_refuses_links_off_the_allowlist_with_the_error_shape() {
    let f = app_with(mock_builder());
    for url in [
        "https://github.com@evil.example/NVIDIA",
        "http://docs.omniverse.nvidia.com/",
        "javascript:alert(1)",
        "https://evil.example/",
    ] {
        let err = invoke(&f.window, "open_external", json!({ "url": url })).unwrap_err();
        assert_eq!(err["code"], "link-not-allowed", "{url}: {err}");
        assert_eq!(err["data"]["url"], url);
        assert!(err["message"].as_str().unwrap().contains("refused"), "{err}");
    }
}

#[test]
fn the_omniverse_checklist_persists_per_rental() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "checklist_get", json!({"rentKey": "general"})).unwrap();
    assert_eq!(v["rentKey"], "general");
    assert_eq!((v["done"].clone(), v["total"].clone()), (json!(0), json!(5)));
    assert_eq!(v["items"][0], json!({"id": "driver-checked", "done": false}));

    let v = invoke(
        &f.window,
        "checklist_set",
        json!({"rentKey": "practice:42", "item": "first-launch-done", "done": true}),
    )
    .unwrap();
    assert_eq!(v["done"], 1);
    assert_eq!(v["items"][3], json!({"id": "first-launch-done", "done": true}));
    let v = invoke(&f.window, "checklist_get", json!({"rentKey": "practice:42"})).unwrap();
    assert_eq!(v["items"][3]["done"], true);
    assert_eq!(
        invoke(&f.window, "checklist_get", json!({"rentKey": "general"})).unwrap()["done"],
        0,
        "other rentals untouched"
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(f.data.path().join("omniverse-checklist.json")).unwrap()).unwrap();
    assert_eq!(saved["rentals"]["practice:42"]["first-launch-done"], true);

    let err = invoke(&f.window, "checklist_set", json!({"rentKey": "general", "item": "format-disk", "done": true}))
        .unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
    let err = invoke(&f.window, "checklist_get", json!({"rentKey": "../../etc"})).unwrap_err();
    assert_eq!(err["code"], "invalid-argument", "{err}");
}

/// A small market: an idle 4-GPU machine, a rented one and an offline one.
fn sample_market() -> dbc::market::Market {
    use dbc::market::{Machine, MachineStatus, Market, PricingParams, StandardGpuPointPrice};
    let m = |id: char, status, raw: &str, free| Machine {
        id: id.to_string().repeat(64),
        status,
        status_raw: raw.into(),
        gpu_model: "GeForceRTX4090".into(),
        gpu_count: 4,
        rented_gpus: 4 - free,
        free_gpus: free,
        calc_point: 5_600,
        ..Machine::default()
    };
    Market {
        block_number: 77,
        block_hash: format!("0x{}", "00".repeat(32)),
        spec_version: 400,
        params: PricingParams {
            standard: Some(StandardGpuPointPrice { gpu_point: 100, gpu_price: 16_937 }),
            avg_price: Some(500),
            fixed_tx_fee: Some(10 * dbc::units::DBC),
            max_rental_days: 60,
        },
        machines: vec![
            m('a', MachineStatus::Idle, "Online", 4),
            m('b', MachineStatus::Rented, "Rented", 0),
            m('c', MachineStatus::Offline, "StakerReportOffline", 4),
        ],
    }
}

#[test]
fn market_snapshot_is_null_until_a_list_is_published_then_that_list() {
    use tauri::Manager;
    let f = app_with(mock_builder());
    assert_eq!(invoke(&f.window, "market_snapshot", json!({})).unwrap(), Value::Null);
    let state = f._app.state::<AppState>();
    state.market.publish(sample_market(), dbc_rent_app::market::Source::Cache, Some(1_700_000_000), "0xabcd");
    let v = invoke(&f.window, "market_snapshot", json!({})).unwrap();
    assert_eq!(v["source"], "cache");
    assert_eq!(v["savedAt"], 1_700_000_000u64);
    assert_eq!(v["blockNumber"], 77);
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"][0]["id"], "a".repeat(64));
    assert_eq!(v["rows"][0]["freeGpus"], 4);
    assert!(v["rows"][0]["price"]["planckPerGpuHour"].as_str().unwrap().parse::<u128>().unwrap() > 0);
    assert_eq!(v["counters"], json!({"machines": 3, "gpus": 12, "idleGpus": 4}));
}

#[test]
fn market_quote_refuses_bad_orders_specifically_before_touching_the_network() {
    use tauri::Manager;
    let f = app_with(mock_builder());
    let quote = |id: String, gpus: u32, hours: &str| {
        invoke(&f.window, "market_quote", json!({"machineId": id, "gpus": gpus, "hours": hours}))
    };
    let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));

    let e = quote(a.clone(), 1, "0.75").unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["reason"].as_str(), e["data"]["blocks"].as_u64()),
        (Some("invalid-duration"), Some("not-half-hour"), Some(450))
    );
    assert_eq!(quote(a.clone(), 1, "1441").unwrap_err()["data"]["reason"], "too-long");
    assert_eq!(quote(a.clone(), 1, "two").unwrap_err()["code"], "invalid-argument");

    f._app.state::<AppState>().market.publish(sample_market(), dbc_rent_app::market::Source::Chain, None, "0xabcd");
    assert_eq!(quote("ab".repeat(32), 1, "1").unwrap_err()["code"], "unknown-machine");
    let e = quote(a.clone(), 5, "1").unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["free"].as_u64()), (Some("not-enough-gpus"), Some(4)));
    assert_eq!(quote(a.clone(), 0, "1").unwrap_err()["code"], "not-enough-gpus");
    assert_eq!(quote(b, 1, "1").unwrap_err()["code"], "not-enough-gpus");
    assert_eq!(quote(c, 1, "1").unwrap_err()["code"], "not-rentable");
    // A good order needs the chain for the fee estimate: no network here, said so.
    assert_eq!(quote(a, 2, "1.5").unwrap_err()["code"], "network-unreachable");
}

/// A Channel argument as the webview sends it (the commands below fail
/// before anything is sent through it).
fn channel() -> Value {
    json!("__CHANNEL__:7")
}

#[test]
fn rental_commands_refuse_bad_input_with_the_error_shape_before_anything_is_signed() {
    let f = app_with(mock_builder());
    let id = "a".repeat(64);
    let place = |machine: &str, gpus: u32, blocks: u32| {
        invoke(
            &f.window,
            "rental_place",
            json!({"machineId": machine, "gpus": gpus, "blocks": blocks, "password": "pw", "onStatus": channel()}),
        )
    };
    let e = place(&id, 1, 450).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["reason"].as_str()),
        (Some("invalid-duration"), Some("not-half-hour")),
        "{e}"
    );
    assert_eq!(place(&id, 1, 0).unwrap_err()["data"]["reason"], "zero");
    assert_eq!(place(&id, 1, 864_300).unwrap_err()["data"]["reason"], "too-long");
    let e = place("0xnot-a-machine", 1, 600).unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["field"].as_str()), (Some("invalid-argument"), Some("machineId")), "{e}");
    // A good order needs the network: not connected here, and said so.
    assert_eq!(place(&id, 1, 600).unwrap_err()["code"], "network-unreachable");

    let e = invoke(&f.window, "rental_vm_power", json!({"id": "42", "op": "format", "password": "pw"})).unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
    assert!(e["message"].as_str().unwrap().contains("start, stop, restart or delete"));

    for blocks in [0, 150, 450] {
        let e = invoke(&f.window, "rental_renew_quote", json!({"id": "42", "blocks": blocks})).unwrap_err();
        assert_eq!(e["code"], "invalid-duration", "{blocks}: {e}");
        let e = invoke(
            &f.window,
            "rental_renew",
            json!({"id": "42", "blocks": blocks, "password": "pw", "onStatus": channel()}),
        )
        .unwrap_err();
        assert_eq!(e["code"], "invalid-duration", "{blocks}: {e}");
    }
    for (cmd, args) in [
        ("rentals_list", json!({})),
        ("rental_confirm", json!({"id": "42", "password": "pw", "onStatus": channel()})),
        ("rental_renew_quote", json!({"id": "42", "blocks": 600})),
        ("rental_check_rdp", json!({"id": "42"})),
    ] {
        assert_eq!(invoke(&f.window, cmd, args).unwrap_err()["code"], "network-unreachable", "{cmd}");
    }
}

#[test]
fn test_connection_explains_a_bad_or_dead_client() {
    let f = app_with(mock_builder());
    let e =
        invoke(&f.window, "compute_test_connection", json!({"url": "localhost:5002", "machineId": null})).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["value"].as_str()),
        (Some("invalid-client-url"), Some("localhost:5002")),
        "{e}"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = invoke(
        &f.window,
        "compute_test_connection",
        json!({"url": format!("http://127.0.0.1:{port}"), "machineId": "a".repeat(64)}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "compute-unreachable", "{e}");
    let e = invoke(
        &f.window,
        "compute_test_connection",
        json!({"url": format!("http://127.0.0.1:{port}"), "machineId": "xyz"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
}

#[test]
fn dbc_clients_and_reminder_leads_are_validated_and_saved() {
    let f = app_with(mock_builder());
    let v = invoke(&f.window, "rental_settings", json!({})).unwrap();
    let community = json!(dbc::compute::choice::COMMUNITY_CLIENTS);
    assert_eq!(
        v,
        json!({"computeClients": [], "communityClients": community, "communityClientsOff": false, "practiceClient": null, "reminderLeadsMinutes": [1440, 60], "defaultReminderLeadsMinutes": [1440, 60]})
    );
    // The community clients can be turned off and on again, and that is saved.
    let v = invoke(&f.window, "set_community_clients", json!({"enabled": false})).unwrap();
    assert_eq!(v["communityClientsOff"], true);
    assert_eq!(invoke(&f.window, "rental_settings", json!({})).unwrap()["communityClientsOff"], true);
    let v = invoke(&f.window, "set_community_clients", json!({"enabled": true})).unwrap();
    assert_eq!(v["communityClientsOff"], false);
    // Checked, the community clients are refused before any request: plain http to a
    // public host that the user has not allowed.
    let checked = invoke(&f.window, "compute_check_clients", json!({"machineId": null})).unwrap();
    let codes: Vec<&str> = checked.as_array().unwrap().iter().map(|h| h["error"]["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["insecure-client-url"; dbc::compute::choice::COMMUNITY_CLIENTS.len()], "{checked}");
    std::fs::remove_file(f.data.path().join("settings.json")).unwrap();

    let e =
        invoke(&f.window, "set_compute_clients", json!({"clients": ["http://10.0.0.5:5052", "ftp://x"]})).unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["value"].as_str()), (Some("invalid-client-url"), Some("ftp://x")), "{e}");
    assert!(!f.data.path().join("settings.json").exists(), "nothing saved");
    let v = invoke(
        &f.window,
        "set_compute_clients",
        json!({"clients": [" http://10.0.0.5:5052/api/v1/ ", "", "http://10.0.0.5:5052"]}),
    )
    .unwrap();
    assert_eq!(v["computeClients"], json!(["http://10.0.0.5:5052"]));

    let e = invoke(&f.window, "set_reminder_leads", json!({"minutes": [60, 0]})).unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
    let v = invoke(&f.window, "set_reminder_leads", json!({"minutes": [30, 120, 30]})).unwrap();
    assert_eq!(v["reminderLeadsMinutes"], json!([120, 30]));
    let saved: Value = serde_json::from_slice(&std::fs::read(f.data.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(
        (saved["computeClients"].clone(), saved["reminderLeadsMinutes"].clone()),
        (json!(["http://10.0.0.5:5052"]), json!([120, 30]))
    );
    assert_eq!(invoke(&f.window, "rental_settings", json!({})).unwrap()["reminderLeadsMinutes"], json!([120, 30]));

    let e = invoke(&f.window, "notify_reminder", json!({"title": " \u{7}", "body": "x"})).unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
}

#[test]
fn connect_commands_refuse_an_unknown_rental_and_bad_options_with_the_error_shape() {
    let f = app_with(mock_builder());
    let options = json!({"fullscreen": false, "width": 1600, "height": 900, "multiMonitor": false, "clipboard": true, "drives": "none", "dynamicResolution": true});

    // Nothing unlocked, and no journal knows rental 424242.
    assert_eq!(invoke(&f.window, "connect_login", json!({"id": "424242"})).unwrap(), Value::Null);
    for (cmd, args) in [
        ("connect_check", json!({"id": "424242"})),
        ("connect_launch", json!({"id": "424242", "options": options.clone()})),
        ("connect_write_rdp", json!({"id": "424242", "options": options.clone()})),
        ("connect_copy", json!({"id": "424242", "field": "password"})),
        ("connect_reveal", json!({"id": "424242", "field": "vncPassword"})),
    ] {
        let e = invoke(&f.window, cmd, args).unwrap_err();
        assert_eq!(
            (e["code"].as_str(), e["data"]["rentId"].as_str()),
            (Some("rental-not-found"), Some("424242")),
            "{cmd}: {e}"
        );
        assert!(e["message"].as_str().unwrap().contains("424242"), "{cmd}: {e}");
    }
    // Unlocking needs the rental's journal: without a network, said so.
    let e = invoke(&f.window, "connect_unlock", json!({"id": "424242", "password": "pw"})).unwrap_err();
    assert_eq!(e["code"], "network-unreachable", "{e}");

    // Bad options are refused before any lookup, in the one shape.
    for bad in [
        json!({"width": 100}),
        json!({"height": 10_000}),
        json!({"password": "x"}),
        json!({"drives": "everything"}),
        json!({"fullscreen": "yes"}),
        json!("full"),
    ] {
        for cmd in ["connect_launch", "connect_write_rdp"] {
            let e = invoke(&f.window, cmd, json!({"id": "424242", "options": bad.clone()})).unwrap_err();
            assert_eq!(e["code"], "invalid-argument", "{cmd} {bad}: {e}");
        }
    }
    let e = invoke(&f.window, "connect_launch", json!({"id": "1", "options": {"password": "x"}})).unwrap_err();
    assert_eq!(e["data"]["field"], "options", "{e}");
    assert!(!e["message"].as_str().unwrap().contains("\"x\""), "{e}");
    let e = invoke(&f.window, "connect_launch", json!({"id": "1", "options": {"width": 100}})).unwrap_err();
    assert_eq!((e["data"]["width"].as_u64(), e["data"]["height"].as_u64()), (Some(100), Some(900)), "{e}");

    // Only the five fields can be copied, and only the VNC password revealed.
    let e = invoke(&f.window, "connect_copy", json!({"id": "1", "field": "mnemonic"})).unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["field"].as_str()), (Some("invalid-argument"), Some("mnemonic")), "{e}");
    for field in ["password", "address", "user"] {
        let e = invoke(&f.window, "connect_reveal", json!({"id": "1", "field": field})).unwrap_err();
        assert_eq!((e["code"].as_str(), e["data"]["field"].as_str()), (Some("invalid-argument"), Some(field)), "{e}");
    }
}

#[test]
fn another_ssh_key_is_kept_only_when_it_is_a_usable_pair_and_empty_goes_back_to_the_default() {
    let f = app_with(mock_builder());
    let missing = f.data.path().join("no-such-key");
    let e = invoke(&f.window, "ssh_choose_key", json!({"path": missing.display().to_string()})).unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["path"].as_str()), (Some("ssh-key-missing"), missing.to_str()), "{e}");
    let settings = f.data.path().join("settings.json");
    let saved = || std::fs::read_to_string(&settings).unwrap_or_default();
    assert!(!saved().contains("sshKey"), "nothing kept: {}", saved());
    let v = invoke(&f.window, "ssh_choose_key", json!({"path": "  "})).unwrap();
    assert_eq!(v, json!({"chosen": null}));
    assert!(!saved().contains("sshKey"), "{}", saved());
}

#[test]
fn ssh_commands_refuse_an_unknown_rental_and_need_the_users_yes() {
    let f = app_with(mock_builder());
    for (cmd, args) in [
        ("ssh_info", json!({"id": "424242"})),
        ("ssh_copy", json!({"id": "424242", "field": "command"})),
        ("ssh_reveal", json!({"id": "424242", "field": "password"})),
        ("ssh_install_key", json!({"id": "424242", "generate": true})),
        ("ssh_open_terminal", json!({"id": "424242"})),
        ("ssh_open_vscode", json!({"id": "424242", "consent": true})),
        ("ssh_check", json!({"id": "424242"})),
        ("ssh_gpu_check", json!({"id": "424242"})),
    ] {
        let e = invoke(&f.window, cmd, args).unwrap_err();
        assert_eq!(
            (e["code"].as_str(), e["data"]["rentId"].as_str()),
            (Some("rental-not-found"), Some("424242")),
            "{cmd}: {e}"
        );
    }
    // VS Code's ~/.ssh/config block needs the user's yes, asked before anything else.
    let e = invoke(&f.window, "ssh_open_vscode", json!({"id": "424242", "consent": false})).unwrap_err();
    assert_eq!((e["code"].as_str(), e["data"]["field"].as_str()), (Some("invalid-argument"), Some("consent")), "{e}");
    // Only the five fields can be copied, and only the password revealed.
    let e = invoke(&f.window, "ssh_copy", json!({"id": "1", "field": "vncPassword"})).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["field"].as_str()),
        (Some("invalid-argument"), Some("vncPassword")),
        "{e}"
    );
    for field in ["host", "command", "mnemonic"] {
        let e = invoke(&f.window, "ssh_reveal", json!({"id": "1", "field": field})).unwrap_err();
        assert_eq!((e["code"].as_str(), e["data"]["field"].as_str()), (Some("invalid-argument"), Some(field)), "{e}");
    }
}

/// The update commands through IPC in a build without a release address
/// (`cargo test` sets none): the card's facts, then refusals in our shape.
#[test]
fn update_commands_without_a_release_address() {
    let f = app_with(mock_builder());
    let info = invoke(&f.window, "update_info", json!({})).unwrap();
    assert_eq!(info, json!({"currentVersion": "0.1.0", "configured": false, "installed": null}));
    let e = invoke(&f.window, "update_check", json!({})).unwrap_err();
    assert_eq!(e["code"], "update-not-configured", "{e}");
    // Nothing was checked, so nothing can be installed or restarted into.
    let e = invoke(&f.window, "update_install", json!({"onProgress": "__CHANNEL__:7"})).unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
    let e = invoke(&f.window, "update_restart", json!({})).unwrap_err();
    assert_eq!(e["code"], "invalid-argument", "{e}");
}
