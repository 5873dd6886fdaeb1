//! The app shell: every screen reachable from the step rail, in both
//! languages, with a screenshot of each; the language switch changes the
//! visible text, persists across a restart, and defaults to the OS locale.

use dbc_e2e::{has_cjk, Launch, Session};

const SCREENS: [&str; 9] =
    ["wallet", "machine", "rent", "vm", "confirm", "connect", "omniverse", "rentals", "settings"];

/// Visit every screen through the rail; return each screen's title.
async fn visit_all(s: &Session, lang: &str) -> Vec<String> {
    let mut titles = Vec::new();
    for id in SCREENS {
        s.click(&format!("nav-{id}")).await;
        s.wait(&format!("screen-{id}")).await;
        let title = s.text("screen-title").await;
        assert!(!title.trim().is_empty(), "{id} has no title");
        s.screenshot(id, lang).await;
        titles.push(title);
    }
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_in_both_languages_and_the_switch_persists() {
    let data = tempfile::tempdir().unwrap();
    let s = Session::start("shell", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;

    // English from the OS locale.
    let en = visit_all(&s, "en").await;
    assert!(en.iter().all(|t| !has_cjk(t)), "English titles: {en:?}");
    for id in ["status-network", "status-connection", "status-block"] {
        assert!(!s.text(id).await.trim().is_empty(), "{id} is empty");
    }
    let nav_en = s.text("nav-wallet").await;

    // Switch to Chinese in Settings: the visible text changes at once.
    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    let nav_zh = s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    assert_ne!(nav_en, nav_zh);
    let zh = visit_all(&s, "zh").await;
    for (e, z) in en.iter().zip(&zh) {
        assert!(has_cjk(z), "Chinese title {z:?} (English {e:?})");
    }
    s.close().await;

    // Restart on the same data dir: still Chinese although the OS says English.
    let s = Session::start("shell-restart", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;
    assert!(has_cjk(&s.text("nav-wallet").await), "language choice did not persist");
    s.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chinese_os_locale_starts_in_chinese() {
    let s = Session::start("shell-locale", Launch::locale("zh_CN.UTF-8")).await;
    let title = s.text("nav-wallet").await;
    assert!(has_cjk(&title), "expected Chinese from the OS locale, got {title:?}");
    s.click("nav-settings").await;
    s.wait("about-version").await;
    s.screenshot("settings", "zh-default").await;
    s.close().await;
}
