//! The Omniverse guide in the real window: ticks on the checklist are saved
//! by the back end (they survive a restart, which here also switches to
//! Chinese through the OS locale), and both routes of the guide are
//! screenshot in both languages. Links are not clicked: they would start the
//! machine's browser.

use dbc_e2e::{has_cjk, Launch, Session};

async fn open_guide(s: &Session) {
    s.click("nav-omniverse").await;
    s.wait("screen-omniverse").await;
    s.wait("omni-progress").await;
}

async fn screenshot_sections(s: &Session, lang: &str) {
    s.screenshot("checklist", lang).await;
    for (testid, step) in
        [("omni-driver", "driver"), ("omni-route-launcher", "launcher"), ("omni-route-current", "current")]
    {
        s.scroll_to(testid).await;
        s.screenshot(step, lang).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_checklist_persists_and_the_guide_reads_in_both_languages() {
    let data = tempfile::tempdir().unwrap();

    let s = Session::start("omniverse", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;
    open_guide(&s).await;
    s.wait_text("omni-progress", "0 of 5", |t| t == "0 of 5 done").await;
    s.click("omni-item-driver-checked").await;
    s.wait_text("omni-progress", "1 of 5", |t| t == "1 of 5 done").await;
    s.click("omni-item-first-launch-done").await;
    s.wait_text("omni-progress", "2 of 5", |t| t == "2 of 5 done").await;
    assert!(s.text("omni-route-launcher").await.contains("EXCHANGE"));
    assert!(s.text("omni-route-current").await.contains("September 2025"));
    screenshot_sections(&s, "en").await;
    s.close().await;

    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.path().join("omniverse-checklist.json")).unwrap()).unwrap();
    assert_eq!(saved["rentals"]["general"]["driver-checked"], true, "{saved}");
    assert_eq!(saved["rentals"]["general"]["first-launch-done"], true, "{saved}");

    // Restart with a Chinese OS locale: same ticks, Chinese text.
    let s = Session::start("omniverse-restart", Launch::locale("zh_CN.UTF-8").data_dir(data.path())).await;
    open_guide(&s).await;
    let progress = s.wait_text("omni-progress", "2 done, in Chinese", |t| t.contains('2') && has_cjk(t)).await;
    assert!(progress.contains("2 / 5"), "{progress}");
    assert!(has_cjk(&s.text("omni-route-current").await));
    screenshot_sections(&s, "zh").await;
    s.close().await;
}
