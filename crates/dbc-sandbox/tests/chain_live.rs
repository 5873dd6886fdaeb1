//! Live tests of the core chain layer (`dbc::chain`) against the real DBC
//! runtime: a practice network (chopsticks running the mainnet spec) started
//! for this file. They fund accounts with `dev_setStorage`, build blocks with
//! `dev_newBlock` and send real signed transfers.
//!
//! The two `manual_*` tests need a chain you control or the internet: set
//! `DBC_TEST_CHAIN_WS` and run them with `--ignored --nocapture`.

mod common;

use dbc::chain::{
    account, tx, ChainClient, ChainManager, ManagerConfig, NetworkProfile, NonceTracker, TxOptions, TxStatus, WaitFor,
};
use dbc::network::ConnectionState;
use dbc::units::DBC;
use dbc::ErrorCode;
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};
use subxt::dynamic::Value;
use subxt::rpcs::{rpc_params, RpcClient};
use subxt_signer::sr25519::dev;

fn chain_url(test: &str) -> Option<String> {
    match std::env::var("DBC_TEST_CHAIN_WS") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_string()),
        _ => {
            eprintln!("skipping {test}: set DBC_TEST_CHAIN_WS=ws://… (a chopsticks DBC chain) to run it");
            None
        }
    }
}

async fn dev_rpc(url: &str, method: &str, params: subxt::rpcs::client::RpcParams) -> Json {
    let rpc = RpcClient::from_insecure_url(url).await.expect("dev rpc connect");
    rpc.request::<Json>(method, params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Give `who` `free` planck (and a provider so the account exists).
async fn fund(url: &str, who: &subxt::utils::AccountId32, free: u128) {
    let storage =
        json!({"System": {"Account": [[[who.to_string()], {"providers": 1, "data": {"free": free.to_string()}}]]}});
    dev_rpc(url, "dev_setStorage", rpc_params![storage]).await;
}

async fn connect(url: &str) -> (ChainManager, ChainClient, Duration) {
    let t = Instant::now();
    let m = ChainManager::start(NetworkProfile::practice(url).unwrap(), ManagerConfig::default());
    let c = m.wait_connected(Duration::from_secs(30)).await.expect("connected to the test chain");
    (m, c, t.elapsed())
}

/// One practice network for the scenarios below, run in order (they share
/// the dev accounts, so they must not overlap).
#[tokio::test]
async fn chain_layer_against_the_practice_network() {
    let data = common::data_dir();
    // Blocks on transactions and on dev_newBlock only.
    let cfg = dbc_sandbox::SandboxConfig::chain_only(data.path().to_path_buf(), 8);
    common::with_sandbox(cfg, async |sandbox| {
        let url = sandbox.chain_url().to_string();
        connects_reports_runtime_and_follows_new_blocks(&url).await;
        balance_and_a_real_transfer_with_status_stream_and_fee(&url).await;
        refusals_are_specific(&url).await;
    })
    .await;
}

async fn connects_reports_runtime_and_follows_new_blocks(url: &str) {
    let url = url.to_string();
    let (m, client, took) = connect(&url).await;
    let s = m.status();
    eprintln!("connected in {took:?} (incl. metadata): {s:?}");
    assert_eq!(s.state, ConnectionState::Connected);
    assert_eq!(s.network, "practice");
    assert_eq!(s.spec_version, Some(400), "the spec in dbc-spec-v4.json");
    assert_eq!(s.tx_version, Some(1));
    assert_eq!(s.genesis_hash.as_deref(), Some(dbc::chain::PRACTICE_GENESIS), "chopsticks reports hash69");

    // Metadata V14 is what subxt uses (V15 is only the unstable u32::MAX here).
    let at = client.api().at_current_block().await.unwrap();
    let raw = at.runtime_apis().call_raw("Metadata_metadata_versions", None).await.unwrap();
    let versions = <Vec<u32> as codec::Decode>::decode(&mut &raw[..]).unwrap();
    assert_eq!(versions.iter().filter(|v| **v != u32::MAX).max(), Some(&14), "{versions:?}");
    let prefix = subxt::dynamic::constant::<u16>("System", "SS58Prefix");
    assert_eq!(at.constants().entry(prefix).unwrap(), 42);

    let before = s.best_block.expect("best block known on connect");
    let t = Instant::now();
    dev_rpc(&url, "dev_newBlock", rpc_params![json!({"count": 2})]).await;
    let mut rx = m.subscribe();
    tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|s| s.best_block >= Some(before + 2)))
        .await
        .expect("best block follows new heads")
        .unwrap();
    eprintln!("best block {before} -> {:?} in {:?}", m.status().best_block, t.elapsed());
}

async fn balance_and_a_real_transfer_with_status_stream_and_fee(url: &str) {
    let url = url.to_string();
    let (_m, client, _) = connect(&url).await;
    let (alice, bob) = (dev::alice(), dev::bob());
    let (alice_id, bob_id) = (alice.public_key().to_account_id(), bob.public_key().to_account_id());
    fund(&url, &alice_id, 1_000_000 * DBC).await;

    let a0 = account::balance(&client, &alice_id).await.unwrap();
    assert_eq!(a0.free, 1_000_000 * DBC, "{a0:?}");
    assert_eq!(a0.transferable, a0.free - a0.frozen);
    let b0 = account::balance(&client, &bob_id).await.unwrap();

    let nonces = NonceTracker::new();
    let amount = 12 * DBC + 345;
    let estimate = tx::estimate_fee(&client, &alice, &tx::transfer_keep_alive_call(&bob_id, amount)).await.unwrap();
    let mut seen = Vec::new();
    let t = Instant::now();
    let out =
        tx::transfer_keep_alive(&client, &nonces, &alice, &bob_id, amount, &TxOptions::default(), |s| seen.push(s))
            .await
            .expect("transfer succeeds");
    let took = t.elapsed();
    eprintln!("transfer in {took:?}: estimate {estimate}, outcome {}", serde_json::to_string(&out).unwrap());
    eprintln!("statuses: {seen:?}");

    assert!(matches!(seen.first(), Some(TxStatus::Signing)));
    assert!(seen.contains(&TxStatus::Broadcast));
    assert!(seen.iter().any(|s| matches!(s, TxStatus::InBlock { .. })));
    assert!(matches!(seen.last(), Some(TxStatus::Finalized { .. })));
    assert!(out.finalized);
    assert!(out.has_event("Balances", "Transfer"), "{:?}", out.events);
    assert!(out.has_event("System", "ExtrinsicSuccess"));
    let paid = out.fee_paid.expect("TransactionFeePaid seen");
    // Equal when nothing else happens on the chain; the fee multiplier
    // (TargetedFeeAdjustment) moves it slightly when other blocks land between
    // the estimate and the inclusion.
    assert!(paid.abs_diff(out.fee_estimate) <= out.fee_estimate / 1000, "estimate {} vs paid {paid}", out.fee_estimate);
    assert!(paid > 0 && paid < DBC / 100, "a transfer costs well under 0.01 DBC: {paid}");

    let a1 = account::balance(&client, &alice_id).await.unwrap();
    let b1 = account::balance(&client, &bob_id).await.unwrap();
    assert_eq!(b1.free, b0.free + amount);
    assert_eq!(a1.free, a0.free - amount - paid);

    // Two more right away: the tracker hands out consecutive nonces even
    // though the finalized nonce has not caught up.
    let opts = TxOptions { wait: WaitFor::InBlock, ..TxOptions::default() };
    let o2 = tx::transfer_keep_alive(&client, &nonces, &alice, &bob_id, DBC, &opts, |_| {}).await.unwrap();
    let o3 = tx::transfer_keep_alive(&client, &nonces, &alice, &bob_id, DBC, &opts, |_| {}).await.unwrap();
    assert_eq!((o2.nonce, o3.nonce), (out.nonce + 1, out.nonce + 2));
}

async fn refusals_are_specific(url: &str) {
    let url = url.to_string();
    let (_m, client, _) = connect(&url).await;
    let nonces = NonceTracker::new();
    let (charlie, dave) = (dev::charlie(), dev::dave());
    let charlie_id = charlie.public_key().to_account_id();
    let dave_id = dave.public_key().to_account_id();
    fund(&url, &charlie_id, 5 * DBC).await;

    // Our pre-check: amount + fee above the balance costs nothing.
    let e = tx::transfer_keep_alive(&client, &nonces, &charlie, &dave_id, 5 * DBC, &TxOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e:?}");

    // Past the pre-check, the runtime refuses inside the block: a module error by name.
    let call = tx::transfer_keep_alive_call(&dave_id, 50 * DBC);
    let e = tx::sign_and_submit(&client, &nonces, &charlie, &call, &TxOptions::default(), |_| {}).await.unwrap_err();
    eprintln!("module error: {e:?}");
    assert_eq!(e.code, ErrorCode::TxFailed);
    let d = e.data.unwrap();
    assert!(d["error"].as_str().unwrap().contains('.'), "{d}");
    assert!(d["blockHash"].as_str().unwrap().starts_with("0x"));

    // An account with nothing cannot even pay the fee: the node refuses it (1010).
    let nobody = subxt_signer::sr25519::Keypair::from_uri(&"//NobodyHasFunds".parse().unwrap()).unwrap();
    let call = tx::transfer_keep_alive_call(&dave_id, 1);
    let e = tx::sign_and_submit(&client, &nonces, &nobody, &call, &TxOptions::default(), |_| {}).await.unwrap_err();
    eprintln!("no-funds refusal: {e:?}");
    assert_eq!(e.code, ErrorCode::InsufficientBalance, "{e:?}");

    // A pallet's own error, decoded by name: only the sudo key may call Sudo.sudo.
    // (No re-funding here: dev_setStorage would also reset Charlie's nonce to 0.)
    let remark = Value::named_variant("remark", [("remark", Value::from_bytes(b"hi"))]);
    let call = subxt::dynamic::tx("Sudo", "sudo", (Value::unnamed_variant("System", [remark]),));
    let e = tx::sign_and_submit(&client, &nonces, &charlie, &call, &TxOptions::default(), |_| {}).await.unwrap_err();
    eprintln!("pallet error: {e:?}");
    assert_eq!(e.code, ErrorCode::TxFailed);
    let d = e.data.unwrap();
    assert_eq!(
        (d["pallet"].as_str(), d["variant"].as_str(), d["error"].as_str()),
        (Some("Sudo"), Some("RequireSudo"), Some("Sudo.RequireSudo"))
    );
    assert!(d["feePaid"].as_str().is_some(), "a failed call still pays: {d}");

    // The chain's nonce goes back (here: dev_setStorage rewrites the account,
    // nonce 0). Our tracker's nonce is then in the future; chopsticks reports
    // `{"invalid":…}` on the watch stream, which must read as tx-invalid, and
    // the tracker must trust the chain again on the next try.
    fund(&url, &charlie_id, 5 * DBC).await;
    let remark = subxt::dynamic::tx("System", "remark", (Value::from_bytes(b"again"),));
    let e = tx::sign_and_submit(&client, &nonces, &charlie, &remark, &TxOptions::default(), |_| {}).await.unwrap_err();
    eprintln!("future nonce: {e:?}");
    assert_eq!(e.code, ErrorCode::TxInvalid);
    let ok = tx::sign_and_submit(&client, &nonces, &charlie, &remark, &TxOptions::default(), |_| {})
        .await
        .expect("recovers");
    assert_eq!(ok.nonce, 0);
}

/// Manual: run with `--ignored --nocapture`, then kill and restart the chain
/// within two minutes; prints each state change with timestamps.
#[tokio::test]
#[ignore]
async fn manual_reconnect_watch() {
    let Some(url) = chain_url("manual_reconnect_watch") else { return };
    let (m, _c, took) = connect(&url).await;
    eprintln!("connected in {took:?}; now restart the chain");
    let mut rx = m.subscribe();
    let t0 = Instant::now();
    let mut lost: Option<Instant> = None;
    while t0.elapsed() < Duration::from_secs(120) {
        if tokio::time::timeout(Duration::from_secs(1), rx.changed()).await.is_err() {
            continue;
        }
        let s = rx.borrow_and_update().clone();
        eprintln!(
            "{:>7.2}s {:?} block={:?} spec={:?} err={:?}",
            t0.elapsed().as_secs_f64(),
            s.state,
            s.best_block,
            s.spec_version,
            s.last_error.as_ref().map(|e| &e.message)
        );
        match s.state {
            ConnectionState::Reconnecting if lost.is_none() => lost = Some(Instant::now()),
            ConnectionState::Connected if lost.is_some() => {
                eprintln!("reconnected {:?} after the loss was noticed", lost.unwrap().elapsed());
                return;
            }
            _ => {}
        }
    }
    panic!("no reconnect seen");
}

/// Manual: probe the real mainnet endpoints (needs internet). Prints how long
/// each step took and the status: `connected` with spec/tx version, or
/// `offline` with the reason within the connect timeouts.
#[tokio::test]
#[ignore]
async fn manual_mainnet_probe() {
    let t = Instant::now();
    let m = ChainManager::start(NetworkProfile::mainnet(), ManagerConfig::default());
    let r = m.wait_connected(Duration::from_secs(90)).await;
    eprintln!("after {:?}: {:?}", t.elapsed(), m.status());
    if let Ok(client) = r {
        let b = account::balance(&client, &dev::alice().public_key().to_account_id()).await;
        eprintln!("alice on mainnet: {b:?}");
    }
}
