//! The practice network goes away and comes back while the app runs, as a
//! user does it from a shell: `dbc-sandbox down` (the app names the cause in
//! plain words, with advice for a network on this computer, not "check your
//! internet connection"), `dbc-sandbox up` on a new port (the app finds it
//! and reconnects by itself within seconds, no click), and a chain killed
//! from outside (the practice network's own words again, then back). On the
//! way, a walk of the faucet's refusals in Chinese: every message from the
//! catalog, none with English inside. Screenshots of each in
//! `target/e2e-screenshots/recovery-*`.

use dbc_e2e::{has_cjk, processes_mentioning, Launch, Session};
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

/// First start on a fresh data dir: metadata, seed and chain (about 15 s on 2 cores).
const PRACTICE_START: Duration = Duration::from_secs(120);
/// "Within seconds": the practice manager retries at least every 2 s.
const RECONNECT: Duration = Duration::from_secs(20);

/// A run of 3+ ASCII words: an English sentence fragment.
fn english_run(text: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "，。：；（）“”、".contains(c)) {
        if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-') {
            run.push(word);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else if !word.is_empty() {
            run.clear();
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_follows_the_practice_network_through_down_and_up() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    std::fs::write(data.path().join("settings.json"), r#"{"language":"en","network":{"kind":"practice"}}"#).unwrap();
    // The saved choice is practice: the app starts the network itself.
    let s = Session::start("recovery", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;
    s.wait_connected(PRACTICE_START).await;
    let first = s.attr("status-endpoint", "data-endpoint").await.unwrap_or_default();
    assert!(first.starts_with("ws://127.0.0.1:"), "{first}");

    // ---- `dbc-sandbox down` from a shell ----
    dbc_sandbox::stop_running(data.path()).await.expect("dbc-sandbox down");
    s.wait_for("offline-banner", Duration::from_secs(20)).await;
    let code = s.attr("offline-banner", "data-code").await.unwrap_or_default();
    assert_eq!(code, "sandbox-not-running", "the cause the app knows");
    let reason = s.text("offline-reason").await;
    assert!(reason.contains("was stopped"), "{reason}");
    let banner = s.text("offline-banner").await;
    assert!(!banner.contains("internet connection"), "a local network is not the internet: {banner}");
    assert!(s.text("offline-title").await.contains("practice network"));
    s.screenshot("stopped", "en").await;

    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    // What the banner says (its folded "Details" keep the back end's English for support).
    for part in ["offline-title", "offline-reason", "offline-advice", "offline-retry", "offline-use-practice"] {
        let zh = s.text(part).await;
        assert!(has_cjk(&zh), "{part}: {zh}");
        assert_eq!(english_run(&zh), None, "English inside the Chinese banner ({part}): {zh}");
    }
    assert!(s.text("offline-reason").await.contains("练习网络已被停止"));
    s.screenshot("stopped", "zh").await;

    // ---- `dbc-sandbox up`: another process, a new port; the app is back by itself ----
    let t = Instant::now();
    let mut sandbox = Sandbox::start(SandboxConfig::new(data.path().to_path_buf())).await.expect("dbc-sandbox up");
    let up_took = t.elapsed();
    let t = Instant::now();
    s.wait_connected(RECONNECT).await;
    eprintln!("practice network up in {up_took:?}; the app reconnected {:?} after it was ready", t.elapsed());
    let second = s.attr("status-endpoint", "data-endpoint").await.unwrap_or_default();
    assert_eq!(second, sandbox.chain_url(), "the new port, found in practice/state.json");
    assert_ne!(second, first);
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.exists("offline-banner").await {
        assert!(Instant::now() < deadline, "the banner stays after reconnecting");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Following the new chain's heads, not only connected to it.
    let block = s.text("status-block").await;
    s.wait_text_for("status-block", "a newer block", Duration::from_secs(30), |t| {
        t != block && t.chars().any(|c| c.is_ascii_digit())
    })
    .await;
    s.screenshot("back", "zh").await;

    // ---- the faucet in Chinese: every refusal in Chinese words ----
    s.wait_for("practice-panel", Duration::from_secs(20)).await;
    let faucet = |step: &'static str, address: &'static str, amount: &'static str, expect: &'static str| {
        let s = &s;
        async move {
            if address.is_empty() {
                s.click("practice-account-bob").await;
            } else {
                s.type_into("faucet-address", address).await;
            }
            s.type_into("faucet-amount", amount).await;
            s.click("faucet-submit").await;
            let text = s.wait_text_for("faucet-error", expect, Duration::from_secs(30), |t| t.contains(expect)).await;
            assert!(has_cjk(&text), "{step}: {text}");
            assert_eq!(english_run(&text), None, "{step}: English inside: {text}");
            s.scroll_to("faucet-error").await;
            s.screenshot(step, "zh").await;
        }
    };
    faucet("faucet-address", "notanaddress", "10", "notanaddress").await;
    faucet("faucet-zero", "", "0", "大于 0 DBC").await;
    faucet("faucet-amount", "", "1.2.3", "不是有效的金额").await;
    faucet("faucet-limit", "", "99999999999", "最多").await;
    // The technical words are still there for a support request, folded away.
    assert!(s.exists("faucet-error-details").await);

    // ---- killed from outside, no stop asked: the practice network's own words ----
    dbc_sandbox::chopsticks::signal_group(sandbox.pid(), libc_sigkill());
    s.wait_for("offline-banner", Duration::from_secs(60)).await;
    // "Does not answer" while its stale state.json still names the port, "not running"
    // once that file is cleaned up: either way the practice network's words, never the internet's.
    let reason = s
        .wait_text_for("offline-reason", "the local network's words", Duration::from_secs(30), |t| {
            t.contains("本机上的练习网络没有响应") || t.contains("练习网络没有在运行")
        })
        .await;
    assert!(!reason.contains("互联网"), "{reason}");
    assert_eq!(english_run(&reason), None, "{reason}");
    s.scroll_to("offline-banner").await;
    s.screenshot("unreachable", "zh").await;
    sandbox.stop().await.ok();
    sandbox = Sandbox::start(SandboxConfig::new(data.path().to_path_buf())).await.expect("dbc-sandbox up again");
    s.wait_connected(RECONNECT).await;
    assert_eq!(s.attr("status-endpoint", "data-endpoint").await.unwrap_or_default(), sandbox.chain_url());

    s.select("settings-language", "en").await;
    s.close().await;
    sandbox.stop().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !processes_mentioning(&dir).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(processes_mentioning(&dir), Vec::<u32>::new(), "processes left behind for {dir}");
}

/// SIGKILL, without a libc dependency in this crate.
fn libc_sigkill() -> i32 {
    9
}
