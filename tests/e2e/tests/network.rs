//! Networks in the real window: mainnet cannot be reached from this machine
//! (no internet), so the app says so and offers the practice network; one
//! click starts the practice network (the real DBC runtime under chopsticks)
//! with visible progress, the status bar goes live, the faucet sends practice
//! DBC, and leaving practice or quitting leaves no process behind.

use dbc_e2e::{has_cjk, processes_mentioning, start_on_practice, Launch, Session};
use std::time::Duration;

/// First start on a fresh data dir: metadata, seed and chain (about 15 s on 2 cores).
const PRACTICE_START: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread")]
async fn offline_mainnet_offers_practice_which_starts_and_funds() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    let s = Session::start("network", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;

    // Mainnet is unreachable here: a plain-words banner with the way out.
    s.wait_for("offline-banner", Duration::from_secs(60)).await;
    s.wait_text("status-connection", "offline", |t| t.to_lowercase().contains("offline")).await;
    s.screenshot("offline", "en").await;

    // One click: Settings, the practice network starts with its stages shown.
    s.click("offline-use-practice").await;
    s.wait("screen-settings").await;
    s.wait_for("practice-progress", Duration::from_secs(10)).await;
    s.screenshot("practice-starting", "en").await;
    s.wait_for("practice-panel", PRACTICE_START).await;
    assert!(!s.exists("offline-banner").await, "the banner goes once on practice");
    assert!(s.text("practice-chain-url").await.contains("ws://127.0.0.1:"));
    assert!(s.text("practice-client-url").await.contains("http://127.0.0.1:"));

    // The status bar is live: connected, runtime 400, and the best block moves.
    s.wait_text_for("status-connection", "connected", Duration::from_secs(30), |t| {
        t.to_lowercase().contains("connected") && !t.to_lowercase().contains("not")
    })
    .await;
    assert!(s.text("status-network").await.to_lowercase().contains("practice"));
    assert!(s.text("status-spec").await.contains("400"));
    let first = s.text("status-block").await;
    s.wait_text_for("status-block", "a newer block", Duration::from_secs(30), |t| {
        t != first && t.chars().any(|c| c.is_ascii_digit())
    })
    .await;

    // Get practice DBC: pick Bob from the account list, send 250 DBC.
    s.click("practice-account-bob").await;
    s.type_into("faucet-amount", "250").await;
    s.click("faucet-submit").await;
    let result =
        s.wait_text_for("faucet-result", "a faucet receipt", Duration::from_secs(60), |t| t.contains("250")).await;
    assert!(result.contains("0x"), "the block hash is shown: {result}");
    s.scroll_to("faucet-result").await;
    s.screenshot("practice-funded", "en").await;

    // The same screen in Chinese.
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    s.scroll_to("faucet-result").await;
    s.screenshot("practice-funded", "zh").await;
    s.select("settings-language", "en").await;

    // A bad amount gets a specific message, nothing is sent.
    s.type_into("faucet-amount", "1.2.3").await;
    s.click("faucet-submit").await;
    s.wait_for("faucet-error", Duration::from_secs(10)).await;

    // Leaving practice stops the network the app started.
    let state = data.path().join("practice/state.json");
    assert!(state.exists(), "practice/state.json while running");
    s.click("network-mainnet").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while state.exists() {
        assert!(std::time::Instant::now() < deadline, "practice network still running after switching to mainnet");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.close().await;

    // Quitting leaves no chain, simulator or RDP helper behind.
    assert_no_process_left(&dir).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn quitting_on_practice_stops_the_practice_network() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    // The saved choice is practice: the app starts it again by itself.
    let s = start_on_practice("network-resume", "zh_CN.UTF-8", data.path(), PRACTICE_START).await;
    s.click("nav-settings").await;
    s.wait_for("practice-panel", Duration::from_secs(30)).await;
    s.scroll_to("practice-panel").await;
    s.screenshot("practice-panel", "zh").await;
    s.close().await;
    assert_no_process_left(&dir).await;
}

/// Stopping a chain takes a few seconds (chopsticks flushes its database on
/// SIGTERM); wait for that, then insist that nothing mentions `dir`.
async fn assert_no_process_left(dir: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !processes_mentioning(dir).is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(processes_mentioning(dir), Vec::<u32>::new(), "processes left behind for {dir}");
}
