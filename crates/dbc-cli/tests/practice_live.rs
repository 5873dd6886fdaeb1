//! `dbc-rent --network practice` against a real practice network (the DBC
//! runtime under chopsticks, started here through the dbc-sandbox library).

mod common;

use std::process::Command;

#[tokio::test]
async fn status_connects_to_the_running_practice_network() {
    let (data, sandbox) = common::practice(4).await;

    let out = tokio::task::spawn_blocking({
        let dir = data.path().to_path_buf();
        move || {
            Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
                .env("DBC_RENT_HOME", &dir)
                .args(["--network", "practice", "--json", "status"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    sandbox.stop().await.unwrap();

    assert_eq!(out.status.code(), Some(0), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["network"], "practice");
    assert_eq!(v["state"], "connected");
    assert_eq!(v["specVersion"], 400, "the runtime in DBC's mainnet chain spec");
    assert!(v["bestBlock"].as_u64().unwrap() >= 1_000_000, "the seed's base height: {v}");
    assert!(v["endpoint"].as_str().unwrap().starts_with("ws://127.0.0.1:"));
}
