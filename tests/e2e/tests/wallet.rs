//! The wallet in the real window, on the practice network: with no OS
//! keyring (a bare Xvfb session has no Secret Service) the app explains it
//! and the user explicitly picks the encrypted file; a new wallet goes
//! through the backup dialog (words hidden until revealed, one wrong pick
//! marked, then the right order); the address shows; the faucet funds it and
//! the balance follows; DBC goes to a second account with the fee quoted
//! first and the status streamed.

use dbc_e2e::{has_cjk, start_on_practice, Session};
use std::time::Duration;

const PRACTICE_START: Duration = Duration::from_secs(150);
const PASSWORD: &str = "practice-pass-1";
/// //Bob on the practice network.
const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

fn last_word(cell: &str) -> String {
    cell.split_whitespace().last().unwrap_or_default().to_string()
}

/// The pool button for `word` that is still free to tap.
async fn pool_button(s: &Session, word: &str) -> String {
    let exact = format!("verify-word-{word}");
    let ids = s.testids_with_prefix(&exact).await;
    for id in ids.iter().filter(|id| **id == exact || id.starts_with(&format!("{exact}-"))) {
        if s.attr(id, "disabled").await.is_none() {
            return id.clone();
        }
    }
    panic!("no free pool button for {word:?} in {ids:?}");
}

/// Planck shown as "1,234.5 DBC"-like text → the number before "DBC".
fn dbc_number(text: &str) -> f64 {
    let digits: String = text
        .chars()
        .take_while(|c| !c.is_alphabetic() || *c == '.')
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread")]
async fn create_back_up_fund_and_send() {
    let data = tempfile::tempdir().unwrap();
    let s = start_on_practice("wallet", "en_US.UTF-8", data.path(), PRACTICE_START).await;

    // No OS keyring here: explained, and the file store is an explicit choice.
    s.click("nav-wallet").await;
    s.wait_for("keyring-notice", Duration::from_secs(20)).await;
    s.screenshot("keyring-notice", "en").await;
    s.click("keyring-use-file").await;

    // Create: warning, words hidden until revealed.
    s.wait_for("wallet-create", Duration::from_secs(10)).await;
    s.click("wallet-create").await;
    s.wait("create-dialog").await;
    s.wait("create-warning").await;
    s.screenshot("create-warning", "en").await;
    s.click("create-understood").await;
    s.wait("create-words").await;
    assert_eq!(s.attr("create-words", "data-hidden").await.as_deref(), Some("true"));
    assert!(s.text("create-word-1").await.contains("•"), "hidden before reveal");
    s.screenshot("create-words-hidden", "en").await;
    s.click("create-reveal").await;
    let mut words = Vec::new();
    for n in 1..=12 {
        words.push(last_word(&s.text(&format!("create-word-{n}")).await));
    }
    assert!(words.iter().all(|w| w.chars().all(|c| c.is_ascii_lowercase())), "{words:?}");
    s.click("create-written").await;

    // Verify: a decoy is marked wrong and not placed; then the right order.
    s.wait("verify-pool").await;
    let pool = s.testids_with_prefix("verify-word-").await;
    let decoy = pool
        .iter()
        .find(|id| {
            let w = id.trim_start_matches("verify-word-");
            let w = w.rsplit_once('-').filter(|(_, k)| k.parse::<u32>().is_ok()).map_or(w, |(w, _)| w);
            !words.iter().any(|x| x == w)
        })
        .expect("the pool has decoys")
        .clone();
    s.click(&decoy).await;
    s.wait("verify-wrong").await;
    assert_eq!(s.attr(&decoy, "data-wrong").await.as_deref(), Some("true"));
    assert_eq!(s.attr("verify-slot-1", "data-filled").await.as_deref(), Some("false"));
    s.screenshot("verify-wrong-pick", "en").await;
    for w in &words {
        let id = pool_button(&s, w).await;
        s.click(&id).await;
    }
    s.wait("verify-complete").await;
    s.click("verify-done").await;

    // Name and password, then the account exists and is backed up.
    s.finish_new_wallet("Practice wallet", PASSWORD).await;
    assert!(!s.exists("backup-reminder").await, "backed up: no reminder");
    let address = s.text("receive-address").await;
    assert!(address.starts_with('5') && address.len() >= 47, "{address}");
    s.wait("receive-qr").await;
    s.screenshot("account", "en").await;

    // Fund it from the practice faucet; the balance follows.
    s.fund_from_faucet(&address, "500").await;
    s.click("nav-wallet").await;
    let funded =
        s.wait_text_for("balance-transferable", "500 DBC", Duration::from_secs(60), |t| dbc_number(t) == 500.0).await;
    s.scroll_to("wallet-balance").await;
    s.screenshot("funded", "en").await;

    // Send 12.5 DBC to Bob: address checked, fee quoted, statuses streamed.
    s.scroll_to("wallet-send").await;
    s.type_into("send-to", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694tX").await;
    s.wait_for("send-to-error", Duration::from_secs(10)).await;
    s.type_into("send-to", BOB).await;
    s.type_into("send-amount", "12.5").await;
    s.wait_for("send-fee", Duration::from_secs(30)).await;
    s.type_into("send-password", PASSWORD).await;
    s.click("send-submit").await;
    s.wait_for("send-result", Duration::from_secs(90)).await;
    assert!(s.exists("send-status-finalized").await || s.exists("send-status-inBlock").await, "statuses shown");
    s.scroll_to("send-result").await;
    s.screenshot("sent", "en").await;
    let after = s
        .wait_text_for("balance-transferable", "the balance after sending", Duration::from_secs(60), |t| {
            (dbc_number(t) - 487.5).abs() < 0.01
        })
        .await;
    assert_ne!(funded, after);

    // The wallet screen in Chinese.
    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    s.click("nav-wallet").await;
    s.wait("wallet-balance").await;
    s.screenshot("account", "zh").await;
    s.close().await;
}
