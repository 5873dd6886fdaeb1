//! The `dbc-rent` binary as a user runs it.

use std::process::Command;

fn dbc_rent(data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dbc-rent"));
    c.env_remove("DBC_RENT_HOME").arg("--data-dir").arg(data_dir);
    c
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn version_prints_the_crate_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent")).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("dbc-rent {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_global_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent")).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in
        ["--network", "--json", "--data-dir", "DBC_RENT_HOME", "--allow-insecure-client", "--allow-insecure-node"]
    {
        assert!(text.contains(flag), "{flag} missing from help:\n{text}");
    }
}

#[test]
fn info_json_reports_data_dir_and_network() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path()).args(["info", "--json", "--network", "practice"]).output().unwrap();
    assert!(out.status.success());
    let v = json_of(&out);
    assert_eq!(v["data_dir"], d.path().display().to_string());
    assert_eq!(v["network"], "practice");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

/// `--allow-insecure-client` is global: accepted before or after the command.
#[test]
fn allow_insecure_client_is_a_global_flag() {
    let d = tempfile::tempdir().unwrap();
    for args in [["--allow-insecure-client", "info", "--json"], ["info", "--allow-insecure-client", "--json"]] {
        let out = dbc_rent(d.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn data_dir_comes_from_env_when_no_flag() {
    let d = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .env("DBC_RENT_HOME", d.path())
        .args(["--json", "info"])
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["data_dir"], d.path().display().to_string());
}

#[test]
fn status_of_an_unreachable_node_is_offline_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    // A port nobody listens on: the saved custom node cannot be reached.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        d.path().join("settings.json"),
        format!(r#"{{"network":{{"kind":"custom","url":"ws://127.0.0.1:{port}/"}}}}"#),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = dbc_rent(d.path()).args(["--json", "status", "--timeout", "10"]).output().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "never hangs");
    assert_eq!(out.status.code(), Some(3));
    let v = json_of(&out);
    assert_eq!(v["network"], "custom");
    assert_eq!(v["endpoint"], format!("ws://127.0.0.1:{port}/"));
    assert_eq!(v["state"], "offline");
    assert_eq!(v["lastError"]["code"], "network-unreachable", "{v}");
}

/// An unencrypted node outside this computer is refused before anything is
/// sent (`--network` or a saved mainnet list), unless `--allow-insecure-node`.
#[test]
fn an_unencrypted_remote_node_needs_allow_insecure_node() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path())
        .args(["--json", "--network", "ws://203.0.113.7:9944", "status", "--timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], "insecure-node-url", "{v}");
    assert_eq!(v["error"]["data"]["host"], "203.0.113.7");
    assert!(v["error"]["message"].as_str().unwrap().contains("--allow-insecure-node"));

    std::fs::write(
        d.path().join("settings.json"),
        r#"{"mainnetEndpoints":["wss://info.dbcwallet.io/","ws://203.0.113.8:9944/"]}"#,
    )
    .unwrap();
    let v = json_of(&dbc_rent(d.path()).args(["--json", "status", "--timeout", "1"]).output().unwrap());
    assert_eq!(v["error"]["code"], "insecure-node-url", "a saved list is checked too: {v}");
    assert_eq!(v["error"]["data"]["host"], "203.0.113.8");

    // Allowed for the run: the node is dialled (and unreachable here), the settings untouched.
    let before = std::fs::read(d.path().join("settings.json")).unwrap();
    let out = dbc_rent(d.path())
        .args(["--json", "--allow-insecure-node", "--network", "ws://203.0.113.7:9944", "status", "--timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json_of(&out)["state"], "offline");
    assert_eq!(std::fs::read(d.path().join("settings.json")).unwrap(), before);
}

#[test]
fn practice_without_a_running_network_says_how_to_start_one() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path()).args(["--json", "--network", "practice", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], "sandbox-not-running");
    assert!(v["error"]["message"].as_str().unwrap().contains("dbc-sandbox up"));
}

#[test]
fn human_output_is_readable() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path()).args(["info", "--network", "wss://rpc.dbcwallet.io"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("network: custom") && text.contains("endpoint: wss://rpc.dbcwallet.io/"), "{text}");
}

#[test]
fn bad_network_is_a_usage_error_that_names_the_fix() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path()).args(["info", "--network", "http://node"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ws://"));
}

#[test]
fn json_errors_have_the_one_error_shape() {
    let d = tempfile::tempdir().unwrap();
    // A settings path that is a directory cannot be read: an io error.
    std::fs::create_dir(d.path().join("settings.json")).unwrap();
    let out = dbc_rent(d.path()).args(["--json", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], "io");
    assert!(v["error"]["message"].as_str().unwrap().contains("settings.json"));
}

#[test]
fn ssh_and_gpu_check_are_commands_with_their_flags() {
    for (cmd, flags) in
        [("ssh", &["--print", "--key", "--generate-key", "COMMAND"][..]), ("gpu-check", &["--key", "RENT_ID"][..])]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent")).args([cmd, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for f in flags {
            assert!(text.contains(f), "{f} missing from `{cmd} --help`:\n{text}");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent")).args(["vm", "create", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--os <windows|linux>"));
}

#[test]
fn vm_create_takes_windows_or_linux_only() {
    let d = tempfile::tempdir().unwrap();
    let out = dbc_rent(d.path()).args(["vm", "create", "7", "--os", "macos"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("use windows or linux"));
}

/// No key of the user's and no consent: nothing is generated, the error says how.
#[test]
fn ssh_without_a_key_needs_consent_to_make_one() {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = dbc_rent(&d.path().join("data")).env("HOME", &home).args(["--json", "ssh", "7"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], "ssh-key-missing", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("--generate-key"));
    assert!(!home.join(".ssh").exists(), "nothing written without consent");
}
