//! Logging end to end in its own process (a global subscriber can be set
//! once): events land in the rotating file as JSON, secrets do not.

#[test]
fn logs_are_json_lines_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let guard = dbc::logging::init(dir.path(), "dbc-test", false).unwrap();
    let pw = dbc::redact::Sensitive("hunter2");
    // This test's own target is not one of ours: speak as the core does.
    tracing::info!(target: "dbc::wallet", password = "p@ss-in-field", wallet = ?pw, block = 42, "unlocking wallet");
    tracing::warn!(target: "dbc::wallet", "user pasted bottom drive obey lake curtain smoke basket hold race lonely fit walk");
    // A third-party crate's info and debug lines (they may hold request
    // bodies) are dropped without DBC_RENT_LOG naming it; its warnings stay.
    tracing::info!(target: "hyper::proto", "third-party body {{\"sign\":\"0xfeed\"}}");
    tracing::debug!(target: "subxt::rpc", "third-party debug line");
    tracing::warn!(target: "hyper::proto", "third-party warning");
    let r = std::panic::catch_unwind(|| panic!("boom with secret=abc123"));
    assert!(r.is_err());
    drop(guard); // flush the background writer

    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "one log file: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("dbc-test") && name.ends_with(".log"), "{name}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for secret in ["p@ss-in-field", "hunter2", "lonely fit walk", "abc123", "third-party body", "third-party debug"] {
        assert!(!text.contains(secret), "{secret} leaked into log:\n{text}");
    }
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"] == "unlocking wallet" && l["fields"]["block"] == 42));
    assert!(lines.iter().any(|l| l["fields"]["message"] == "panic" && l["level"] == "ERROR"));
    assert!(lines.iter().any(|l| l["fields"]["message"] == "third-party warning"));
    assert!(dbc::logging::init(dir.path(), "dbc-test", false).is_err(), "second init is refused");
}
