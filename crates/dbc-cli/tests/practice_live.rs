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

fn dbc_rent(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env("DBC_RENT_HOME", dir)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code(), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

/// `dbc-rent practice up` runs the network in the foreground (what an
/// installed package offers instead of `dbc-sandbox`); `status`, `fund`,
/// `--network practice` and `down` use it from other processes.
#[test]
fn practice_up_status_fund_and_down() {
    use std::io::BufRead;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let (code, none) = dbc_rent(dir, &["practice", "status"]);
    assert_eq!((code, &none["running"]), (Some(3), &serde_json::json!(false)), "{none}");

    let mut up = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env("DBC_RENT_HOME", dir)
        .args(["--json", "practice", "up", "--machines", "4", "--block-ms", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Progress lines, then the ready line, on stderr.
    let mut steps = Vec::new();
    let mut ready = serde_json::Value::Null;
    for line in std::io::BufReader::new(up.stderr.take().unwrap()).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if v["event"] == "ready" {
            ready = v;
            break;
        }
        steps.push(v["step"].as_str().unwrap_or_default().to_string());
    }
    assert!(steps.contains(&"starting-chain".to_string()), "{steps:?}");
    let chain = ready["chain"].as_str().unwrap_or_else(|| panic!("no ready line: {steps:?}")).to_string();

    let (code, status) = dbc_rent(dir, &["practice", "status"]);
    assert_eq!(code, Some(0), "{status}");
    assert_eq!(
        (status["running"].as_bool(), status["chain"].as_str(), status["machines"].as_u64()),
        (Some(true), Some(chain.as_str()), Some(4))
    );
    let (code, net) = dbc_rent(dir, &["--network", "practice", "status"]);
    assert_eq!((code, net["endpoint"].as_str()), (Some(0), Some(chain.as_str())), "{net}");
    let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
    let (code, funded) = dbc_rent(dir, &["practice", "fund", bob, "7"]);
    assert_eq!((code, funded["amountPlanck"].as_str()), (Some(0), Some("7000000000000000")), "{funded}");

    let (code, down) = dbc_rent(dir, &["practice", "down"]);
    assert_eq!((code, down["stopped"].as_bool()), (Some(0), Some(true)), "{down}");
    let out = up.wait_with_output().unwrap();
    assert!(out.status.success(), "up ends cleanly when stopped: {:?}", out.status);
    let last: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(last, serde_json::json!({"stopped": true, "chain": chain}), "one JSON value on stdout");
    let (code, _) = dbc_rent(dir, &["practice", "status"]);
    assert_eq!(code, Some(3), "nothing runs after down");
}
