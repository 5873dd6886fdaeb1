//! `dbc-rent machines` and `dbc-rent quote` against a real practice network
//! (the DBC runtime under chopsticks with 60 seeded machines).

mod common;

use common::planck;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn dbc_rent(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env("DBC_RENT_HOME", dir)
        .args(["--network", "practice", "--json"])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    (out.status.code(), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

#[tokio::test(flavor = "multi_thread")]
async fn list_show_and_quote_from_the_chain() {
    let (data, sandbox) = common::practice(60).await;
    common::check_then_stop(sandbox, data.path().to_path_buf(), check).await;
}

fn check(dir: &Path) {
    // Everything: 60 machines, each with the required fields.
    let (code, all) = dbc_rent(dir, &["machines", "list"]);
    assert_eq!(code, Some(0));
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 60);
    for m in &all {
        for k in ["id", "status", "gpu_model", "gpu_count", "free_gpus"] {
            assert!(!m[k].is_null(), "{k} missing in {m}");
        }
    }

    // Located offline from the coordinates: every seeded city is on land.
    for m in &all {
        assert!(m["country"].as_str().is_some_and(|c| c.len() == 2), "{m}");
        assert!(m["region"].as_str().is_some(), "{m}");
    }
    let (code, europe) = dbc_rent(dir, &["machines", "list", "--region", "europe"]);
    assert_eq!(code, Some(0));
    let europe = europe.as_array().unwrap().clone();
    assert!(!europe.is_empty() && europe.len() < 60, "{}", europe.len());
    for m in &europe {
        assert_eq!(m["region"], "europe");
        assert!(["DE", "GB"].contains(&m["country"].as_str().unwrap()), "Frankfurt or London: {m}");
    }
    let (_, de) = dbc_rent(dir, &["machines", "list", "--country", "de"]);
    let de = de.as_array().unwrap().clone();
    assert!(!de.is_empty() && de.len() < europe.len() && de.iter().all(|m| m["country"] == "DE"));

    // Idle RTX 4090s with 2+ free GPUs, cheapest per GPU-hour first.
    let (_, rows) =
        dbc_rent(dir, &["machines", "list", "--idle", "--gpu", "4090", "--min-free", "2", "--sort", "price"]);
    let rows = rows.as_array().unwrap().clone();
    assert!(!rows.is_empty() && rows.len() < 60, "a filter narrows: {}", rows.len());
    for m in &rows {
        assert!(m["gpu_model"].as_str().unwrap().contains("4090"));
        assert!(m["free_gpus"].as_u64().unwrap() >= 2);
        assert!(["idle", "partly-rented"].contains(&m["status"].as_str().unwrap()), "{m}");
        let p = &m["price"]["per_gpu_hour"];
        assert!(planck(&p["planck"]) > 0 && p["usd"].as_str().unwrap().contains('.'), "{m}");
    }
    let prices: Vec<u128> = rows.iter().map(|m| planck(&m["price"]["per_gpu_hour"]["planck"])).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "sorted by price: {prices:?}");

    // One machine in full.
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let (code, one) = dbc_rent(dir, &["machines", "show", &id]);
    assert_eq!(code, Some(0));
    assert_eq!(one["id"], id.as_str());
    assert_eq!(one["gpu_model"], rows[0]["gpu_model"]);

    // A quote: 1 GPU for 1.5 h = 900 blocks; total = rent + 10 DBC order fee + tx fee.
    let (code, q) = dbc_rent(dir, &["quote", &id, "--gpus", "1", "--hours", "1.5"]);
    assert_eq!(code, Some(0), "{q}");
    assert_eq!(q["blocks"], 900);
    assert_eq!(planck(&q["order_fee_planck"]), 10 * dbc::units::DBC);
    let fee = planck(&q["tx_fee_estimate_planck"]);
    assert!(fee > 0 && fee < dbc::units::DBC / 100, "a tx fee well under 0.01 DBC: {fee}");
    assert_eq!(planck(&q["total_planck"]), planck(&q["rent_planck"]) + 10 * dbc::units::DBC + fee);

    // Each refusal is specific, before anything is signed.
    let (code, e) = dbc_rent(dir, &["quote", &id, "--gpus", "1", "--hours", "0.75"]);
    assert_eq!((code, e["error"]["code"].as_str()), (Some(1), Some("invalid-duration")));
    let (_, e) = dbc_rent(dir, &["quote", &id, "--gpus", "1", "--hours", "1441"]);
    assert_eq!(e["error"]["code"], "invalid-duration");
    let (_, e) = dbc_rent(dir, &["quote", &id, "--gpus", "99", "--hours", "1"]);
    assert_eq!(e["error"]["code"], "not-enough-gpus", "{e}");
    let (_, e) = dbc_rent(dir, &["quote", &"ab".repeat(32), "--gpus", "1", "--hours", "1"]);
    assert_eq!(e["error"]["code"], "unknown-machine", "{e}");
    let rented = all
        .iter()
        .find(|m| m["status"] == "rented" || m["status"] == "offline")
        .expect("a seeded machine that cannot be rented");
    let (_, e) = dbc_rent(dir, &["quote", rented["id"].as_str().unwrap(), "--gpus", "1", "--hours", "1"]);
    assert!(["not-rentable", "not-enough-gpus"].contains(&e["error"]["code"].as_str().unwrap()), "{e}");
}
