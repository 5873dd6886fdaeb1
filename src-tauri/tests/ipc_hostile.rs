//! The IPC boundary as a compromised webview would use it (issue 12): every
//! command the capability grants, called with missing, wrongly typed and
//! out-of-range arguments. Nothing panics, every refusal has a shape the UI
//! can read, and no wallet, secret or rental file appears.

#![recursion_limit = "256"]

mod common;

use common::{app, invoke};
use serde_json::{json, Value};
use std::path::Path;

/// The commands of `build.rs` (the list the capability grants; command_lists.rs keeps them equal).
fn commands() -> Vec<String> {
    let build = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs")).unwrap();
    let start = build.find("let commands = &[").unwrap();
    let list = &build[start..start + build[start..].find("];").unwrap()];
    list.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// Commands that take no arguments: any body is ignored, so they simply run.
const NO_ARGS: &[&str] = &[
    "app_info",
    "get_settings",
    "network_status",
    "get_network_settings",
    "retry_connection",
    "practice_status",
    "stop_practice",
    "wallet_overview",
    "market_snapshot",
    "rentals_list",
    "rental_settings",
    "wallet_discard_draft",
    "wallet_backup_challenge",
    "wallet_choose_file_store",
    "update_info",
    "update_check",
    "update_restart",
];

/// Commands whose every argument is optional: called with none they run
/// (a wrongly typed or out-of-range one is still refused).
const OPTIONAL_ARGS: &[&str] = &["compute_check_clients"];

/// Queries whose answer to any input is an answer, not a refusal: whether an
/// address is valid (`{valid: false, reason}`), the saved login of a rental
/// (`null` for one that does not exist).
const ANSWERS: &[&str] = &["check_address", "connect_login"];

/// Every argument name the commands use, each with a value of the wrong type.
fn wrongly_typed() -> Value {
    json!({
        "language": 7, "choice": "mainnet", "endpoints": "wss://a", "allowInsecure": "yes", "onProgress": 5,
        "onStatus": "x", "onEvent": [], "address": {}, "amount": [1], "id": 1e300, "name": null, "password": 12,
        "exportPassword": [], "words": "one two", "wordCount": "twelve", "pick": "first", "picks": 3, "mnemonic": 1,
        "seed": false, "json": 5, "jsonPassword": {}, "to": 9, "url": ["http://x"], "machineId": {}, "gpus": -1,
        "blocks": "600", "key": 4, "done": "true", "clientUrl": 1, "image": {}, "op": 3, "clients": "http://x",
        "minutes": "60", "title": [], "body": {}, "options": "none", "field": 2, "what": 1, "secret": 2, "fileStore": "no",
        "count": "all", "rentalId": [], "keep": "x", "os": 5, "generate": "yes", "consent": 1, "path": 7,
    })
}

/// Values at the edges of their type: out of range for every rule.
fn out_of_range() -> Value {
    json!({
        "language": "xx-\u{202e}", "choice": {"kind": "custom", "url": "javascript:alert(1)"}, "endpoints": ["file:///etc/passwd"],
        "address": "5".repeat(5000), "amount": "-1", "id": "../../etc/passwd", "name": "\u{202e}".repeat(300),
        "password": "", "exportPassword": "", "words": "x ".repeat(10_000), "wordCount": 13, "pick": 4_294_967_295u64,
        "picks": [], "mnemonic": "abandon ".repeat(48), "seed": "0x", "json": "{", "jsonPassword": "", "to": "0x00",
        "url": "http://user:pw@evil.example/?q=1", "machineId": "g".repeat(64), "gpus": 4_294_967_295u64,
        "blocks": 4_294_967_295u64, "key": "\u{0}", "done": true, "clientUrl": "gopher://x", "image": "../x", "op": "format",
        "clients": ["ftp://x"], "minutes": [0, 4_294_967_295u64], "title": "\u{7}", "body": "", "onProgress": null,
        "os": "beos", "generate": true, "consent": true, "path": "../../etc/passwd",
    })
}

fn no_secret_files(dir: &Path, what: &str) {
    for f in ["accounts.json", "secrets.json", "rentals"] {
        assert!(!dir.join(f).exists(), "{what} created {f}");
    }
}

/// A refusal the UI can read: the one `{code, message}` shape, or Tauri's own
/// argument error (a plain string naming the argument, normalized by ipc.ts).
fn readable(cmd: &str, e: &Value) {
    match e {
        Value::String(s) => assert!(!s.is_empty(), "{cmd}: an empty error"),
        Value::Object(o) => {
            let code = o.get("code").and_then(Value::as_str).unwrap_or_else(|| panic!("{cmd}: no code in {e}"));
            assert_ne!(code, "internal", "{cmd}: an internal error (a panic?): {e}");
            assert!(
                o.get("message").and_then(Value::as_str).is_some_and(|m| !m.is_empty()),
                "{cmd}: no message in {e}"
            );
        }
        other => panic!("{cmd}: an error of no known shape: {other}"),
    }
}

#[test]
fn every_command_refuses_missing_and_wrongly_typed_arguments_without_a_panic() {
    let f = app();
    let all = commands();
    assert!(all.len() >= 59, "the command list was read: {all:?}");
    let mut accepted = Vec::new();
    for cmd in &all {
        for (label, body) in [("missing", json!({})), ("wrongly typed", wrongly_typed())] {
            match invoke(&f.window, cmd, body) {
                Ok(_) if label == "missing" && OPTIONAL_ARGS.contains(&cmd.as_str()) => {}
                Ok(v) if !NO_ARGS.contains(&cmd.as_str()) => accepted.push(format!("{cmd} ({label}): {v}")),
                Ok(_) => {}
                Err(e) => readable(cmd, &e),
            }
        }
        no_secret_files(f.data.path(), cmd);
    }
    assert!(accepted.is_empty(), "accepted bad arguments:\n{}", accepted.join("\n"));
}

#[test]
fn every_command_refuses_out_of_range_arguments_specifically() {
    let f = app();
    let mut accepted = Vec::new();
    for cmd in commands() {
        if NO_ARGS.contains(&cmd.as_str()) {
            continue;
        }
        match invoke(&f.window, &cmd, out_of_range()) {
            // A channel is null here, so a command that needs one cannot run;
            // the others must refuse the values themselves.
            Ok(v) if !ANSWERS.contains(&cmd.as_str()) => accepted.push(format!("{cmd}: {v}")),
            Ok(v) => assert!(v.is_null() || v["valid"] == json!(false), "{cmd} answered: {v}"),
            Err(e) => readable(&cmd, &e),
        }
        no_secret_files(f.data.path(), &cmd);
    }
    assert!(accepted.is_empty(), "accepted out-of-range arguments:\n{}", accepted.join("\n"));
    let settings = f.data.path().join("settings.json");
    if settings.exists() {
        let saved: Value = serde_json::from_slice(&std::fs::read(&settings).unwrap()).unwrap();
        assert!(
            saved.get("insecureClientsAllowed").is_none() && saved.get("insecureNodesAllowed").is_none(),
            "{saved}"
        );
        assert!(saved.get("computeClients").is_none() && saved.get("mainnetEndpoints").is_none(), "{saved}");
    }
}

#[test]
fn plain_http_clients_and_unencrypted_nodes_need_the_users_yes() {
    let f = app();
    let settings = f.data.path().join("settings.json");
    let saved =
        || -> Value { serde_json::from_slice(&std::fs::read(&settings).unwrap_or_else(|_| b"{}".to_vec())).unwrap() };

    // A public DBC client over plain http: refused before any connection.
    let started = std::time::Instant::now();
    let e = invoke(&f.window, "compute_test_connection", json!({"url": "http://203.0.113.5:5052", "machineId": null}))
        .unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["host"].as_str()),
        (Some("insecure-client-url"), Some("203.0.113.5")),
        "{e}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "nothing was dialled");
    for bad in ["javascript:alert(1)", "http://user:pw@203.0.113.5:5052", "http://203.0.113.5:5052/?x=1", ""] {
        let e = invoke(&f.window, "compute_allow_insecure_client", json!({"url": bad})).unwrap_err();
        assert_eq!(e["code"], "invalid-client-url", "{bad}: {e}");
    }
    assert!(saved().get("insecureClientsAllowed").is_none(), "nothing allowed from a refused address");
    let v = invoke(&f.window, "compute_allow_insecure_client", json!({"url": " http://203.0.113.5:5052/ "})).unwrap();
    assert_eq!(v, "http://203.0.113.5:5052");
    invoke(&f.window, "compute_allow_insecure_client", json!({"url": "http://203.0.113.5:5052"})).unwrap();
    assert_eq!(saved()["insecureClientsAllowed"], json!(["http://203.0.113.5:5052"]), "remembered once");
    // Allowed: now the client is dialled (unroutable here), no longer refused for its transport.
    let e = invoke(&f.window, "compute_test_connection", json!({"url": "http://127.0.0.1:1", "machineId": null}))
        .unwrap_err();
    assert_eq!(e["code"], "compute-unreachable", "a local client never needed a yes: {e}");

    // An unencrypted remote node: refused and nothing saved, until allowed.
    let custom = json!({"kind": "custom", "url": "ws://203.0.113.7:9944"});
    let e = invoke(&f.window, "set_network", json!({"choice": custom})).unwrap_err();
    assert_eq!(
        (e["code"].as_str(), e["data"]["host"].as_str()),
        (Some("insecure-node-url"), Some("203.0.113.7")),
        "{e}"
    );
    assert_ne!(saved()["network"]["kind"], "custom", "the choice was not saved: {}", saved());
    let e =
        invoke(&f.window, "set_mainnet_endpoints", json!({"endpoints": ["wss://a.example", "ws://203.0.113.9:9944"]}))
            .unwrap_err();
    assert_eq!(e["code"], "insecure-node-url", "{e}");
    assert!(saved().get("mainnetEndpoints").is_none());
    let e = invoke(&f.window, "set_network", json!({"choice": custom, "allowInsecure": "yes"})).unwrap_err();
    readable("set_network", &e);
    assert!(saved().get("insecureNodesAllowed").is_none(), "only a boolean true is a yes");

    let v = invoke(&f.window, "set_network", json!({"choice": custom, "allowInsecure": true})).unwrap();
    assert_eq!(v["choice"], json!({"kind": "custom", "url": "ws://203.0.113.7:9944/"}));
    assert_eq!(saved()["insecureNodesAllowed"], json!(["ws://203.0.113.7:9944/"]));
    // Asked once: the same node again needs no yes.
    invoke(&f.window, "set_network", json!({"choice": {"kind": "mainnet"}})).unwrap();
    invoke(&f.window, "set_network", json!({"choice": custom})).expect("an allowed node is not asked again");
    let v = invoke(
        &f.window,
        "set_mainnet_endpoints",
        json!({"endpoints": ["ws://203.0.113.9:9944"], "allowInsecure": true}),
    )
    .unwrap();
    assert_eq!(v["mainnetEndpoints"], json!(["ws://203.0.113.9:9944"]));
    assert_eq!(saved()["insecureNodesAllowed"].as_array().unwrap().len(), 2);
    no_secret_files(f.data.path(), "the transport checks");
}
