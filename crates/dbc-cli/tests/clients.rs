//! `dbc-rent clients …` against a temp data dir: the list the VM steps
//! choose from (yours, the community ones), edited in the app's settings
//! file, and `check` against DBC client stand-ins.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const MACHINE: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn dbc_rent(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env_remove("DBC_RENT_HOME")
        .env_remove("DBC_RENT_CLIENT")
        .arg("--data-dir")
        .arg(dir)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text} / {stderr}"));
    (out.status.code(), v, stderr)
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    let (code, v, stderr) = dbc_rent(dir, args);
    assert_eq!(code, Some(0), "{args:?}: {v} / {stderr}");
    v
}

fn settings(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("settings.json")).unwrap()).unwrap()
}

fn urls(list: &Value, source: &str) -> Vec<String> {
    list["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source"] == source)
        .map(|c| c["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn add_remove_and_turn_off_the_community_clients() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let fresh = ok(dir, &["clients"]);
    assert!(urls(&fresh, "yours").is_empty());
    assert_eq!(urls(&fresh, "community").len(), 3, "{fresh}");
    assert!(fresh["clients"].as_array().unwrap().iter().all(|c| c["on"] == true));

    let a = ok(dir, &["clients", "add", " HTTP://127.0.0.1:5002/ "]);
    assert_eq!((a["url"].as_str(), a["added"].as_bool()), (Some("http://127.0.0.1:5002"), Some(true)));
    assert_eq!(ok(dir, &["clients", "add", "http://127.0.0.1:5002"])["added"], false, "once");
    let (code, v, _) = dbc_rent(dir, &["clients", "add", "localhost:5002"]);
    assert_eq!((code, v["error"]["code"].as_str()), (Some(1), Some("invalid-client-url")));
    // Plain http to a public host: added, allowed only with the flag.
    let p = ok(dir, &["clients", "add", "http://203.0.113.9:5052"]);
    assert_eq!((p["insecure"].as_bool(), p["insecure_allowed"].as_bool()), (Some(true), Some(false)));
    let p = ok(dir, &["--allow-insecure-client", "clients", "add", "http://203.0.113.9:5052"]);
    assert_eq!((p["added"].as_bool(), p["insecure_allowed"].as_bool()), (Some(false), Some(true)));
    let list = ok(dir, &["clients", "list"]);
    assert_eq!(urls(&list, "yours"), ["http://127.0.0.1:5002", "http://203.0.113.9:5052"], "in the order added");
    let s = settings(dir);
    assert_eq!(s["computeClients"], json!(["http://127.0.0.1:5002", "http://203.0.113.9:5052"]), "{s}");
    assert_eq!(s["insecureClientsAllowed"], json!(["http://203.0.113.9:5052"]));

    assert_eq!(ok(dir, &["clients", "remove", "http://203.0.113.9:5052/"])["removed"], true);
    assert!(settings(dir).get("insecureClientsAllowed").is_none(), "its consent goes with it");
    let (code, v, _) = dbc_rent(dir, &["clients", "remove", "http://115.231.234.34:5052"]);
    assert_eq!((code, v["error"]["code"].as_str()), (Some(1), Some("invalid-argument")));
    assert!(v["error"]["message"].as_str().unwrap().contains("community"), "{v}");

    let off = ok(dir, &["clients", "community", "off"]);
    assert_eq!(off["community_off"], true);
    assert!(off["clients"].as_array().unwrap().iter().filter(|c| c["source"] == "community").all(|c| c["on"] == false));
    assert_eq!(settings(dir)["communityClientsOff"], true);
    assert_eq!(ok(dir, &["clients", "community", "on"])["community_off"], false);
    // The app's other settings are kept.
    assert_eq!(settings(dir)["computeClients"], json!(["http://127.0.0.1:5002"]));
}

/// A DBC client stand-in that sees `nodes` (compute-api.md §8.1, §8.2).
fn fake_client(nodes: &'static [&'static str], delay: Duration) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65536];
                let n = s.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                std::thread::sleep(delay);
                let message = if head.starts_with("GET /api/v1/ ") {
                    json!({ "client_version": "0.4.1.8" })
                } else {
                    let list: Vec<Value> = nodes.iter().map(|id| json!({ "node_id": id, "name": "gpu" })).collect();
                    json!({ "mining_nodes": list })
                };
                let body = json!({ "errcode": 0, "message": message }).to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(answer.as_bytes());
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn check_asks_every_client_at_once() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let sees = fake_client(&[MACHINE], Duration::ZERO);
    let blind = fake_client(&["2222222222222222222222222222222222222222222222222222222222222222"], Duration::ZERO);
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    );
    // No network to read machines from (a closed port), no community clients.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        dir.join("settings.json"),
        json!({
            "network": { "kind": "custom", "url": format!("ws://127.0.0.1:{port}/") },
            "computeClients": [sees, blind, dead],
            "communityClientsOff": true,
        })
        .to_string(),
    )
    .unwrap();
    let v = ok(dir, &["clients", "check", MACHINE]);
    let c = v["clients"].as_array().unwrap();
    assert_eq!(c.iter().map(|c| c["url"].as_str().unwrap()).collect::<Vec<_>>(), [&sees, &blind, &dead]);
    assert_eq!((c[0]["sees_machine"].as_bool(), c[0]["usable"].as_bool()), (Some(true), Some(true)));
    assert_eq!(c[0]["version"], "0.4.1.8");
    assert!(c[0]["rtt_ms"].is_u64() && c[0]["nodes_seen"] == 1);
    assert_eq!((c[1]["sees_machine"].as_bool(), c[1]["usable"].as_bool()), (Some(false), Some(false)));
    assert_eq!(c[2]["error"]["code"], "compute-unreachable");
    assert_eq!((v["usable"].as_u64(), v["chain_machines"].as_u64()), (Some(1), None), "no chain: not counted");
    let (code, v, _) = dbc_rent(dir, &["clients", "check", "not-a-machine"]);
    assert_eq!((code, v["error"]["code"].as_str()), (Some(1), Some("invalid-argument")));
}
