//! `dbc-rent wallet …` and `send` as a script runs them: the password from
//! DBC_RENT_PASSWORD, the encrypted-file store chosen explicitly, words on stdin.

mod common;

use common::{DEV, PASSWORD};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const DEV_ROOT: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

struct Run {
    code: Option<i32>,
    json: Value,
    stdout: String,
    stderr: String,
}

fn dbc_rent(data_dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dbc-rent"));
    c.env_remove("DBC_RENT_HOME")
        .env_remove("DBC_RENT_JSON_PASSWORD")
        .env("DBC_RENT_PASSWORD", PASSWORD)
        .env("DBC_RENT_SECRET_STORE", "file")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--json")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        pipe.write_all(s.as_bytes()).unwrap();
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    Run { code: out.status.code(), json, stdout, stderr: String::from_utf8_lossy(&out.stderr).to_string() }
}

fn ok(r: Run) -> Value {
    assert_eq!(r.code, Some(0), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r.json
}

fn err(r: &Run) -> &Value {
    assert_eq!(r.code, Some(1), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    &r.json["error"]
}

fn all_files_text(dir: &Path) -> String {
    let mut out = String::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.push_str(&all_files_text(&p));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    out
}

#[test]
fn create_prints_the_words_once_and_list_never_does() {
    let d = tempfile::tempdir().unwrap();
    let v = ok(dbc_rent(d.path(), &["wallet", "create", "--name", "Main"], None, &[]));
    let address = v["address"].as_str().unwrap().to_string();
    assert!(address.starts_with('5') && address.len() == 48, "{v}");
    let words = v["mnemonic"].as_str().unwrap().to_string();
    assert_eq!(words.split(' ').count(), 12);
    assert_eq!(v["account"]["backedUp"], false);
    assert_eq!(v["account"]["store"], "encrypted-file");

    let list = dbc_rent(d.path(), &["wallet", "list"], None, &[]);
    assert!(!list.stdout.contains(&words));
    let list = ok(list);
    assert_eq!(list["active"], address.as_str());
    assert_eq!(list["accounts"][0]["address"], address.as_str());
    assert!(list["accounts"][0].get("mnemonic").is_none());
    // Nothing on disk holds the words in the clear.
    assert!(!all_files_text(d.path()).contains(&words));

    let v = ok(dbc_rent(d.path(), &["wallet", "create", "--words", "24"], None, &[]));
    assert_eq!(v["mnemonic"].as_str().unwrap().split(' ').count(), 24);
    let bad = dbc_rent(d.path(), &["wallet", "create", "--words", "13"], None, &[]);
    assert_eq!(bad.code, Some(2), "clap refuses 13: {}", bad.stderr);
}

#[test]
fn import_from_stdin_use_address_and_errors() {
    let d = tempfile::tempdir().unwrap();
    let v = ok(dbc_rent(
        d.path(),
        &["wallet", "import", "--mnemonic-stdin", "--name", "dev"],
        Some(&format!("{DEV}\n")),
        &[],
    ));
    assert_eq!(v["address"], DEV_ROOT);
    let v = ok(dbc_rent(
        d.path(),
        &["wallet", "import", "--mnemonic-stdin", "--derivation", "//Alice", "--name", "alice"],
        Some(DEV),
        &[],
    ));
    assert_eq!(v["address"], ALICE);
    // A derivation with a password comes on stdin, never argv.
    let r =
        dbc_rent(d.path(), &["wallet", "import", "--mnemonic-stdin", "--derivation", "//x///secret"], Some(DEV), &[]);
    assert_eq!(err(&r)["code"], "invalid-derivation-path");
    let v = ok(dbc_rent(
        d.path(),
        &["wallet", "import", "--mnemonic-stdin", "--name", "pw"],
        Some(&format!("{DEV}///password")),
        &[],
    ));
    assert_ne!(v["address"], DEV_ROOT, "a mnemonic password gives another key");

    let r = dbc_rent(d.path(), &["wallet", "import", "--mnemonic-stdin"], Some(&DEV.replace("lonely", "lonley")), &[]);
    let e = err(&r);
    assert_eq!(e["code"], "invalid-mnemonic-word");
    assert_eq!(e["data"], json!({"word": "lonley", "position": 10}));
    let r = dbc_rent(
        d.path(),
        &["wallet", "import", "--mnemonic-stdin"],
        Some(&DEV.replace("bottom drive", "drive bottom")),
        &[],
    );
    assert_eq!(err(&r)["code"], "invalid-mnemonic-checksum");
    let r = dbc_rent(d.path(), &["wallet", "import", "--mnemonic-stdin"], Some(DEV), &[]);
    assert_eq!(err(&r)["code"], "account-exists");
    let r = dbc_rent(
        d.path(),
        &["wallet", "import", "--mnemonic-stdin", "--name", "x"],
        Some(&format!("{DEV}//y")),
        &[("DBC_RENT_PASSWORD", "short")],
    );
    assert_eq!(err(&r)["data"], json!({"min": 8}));

    // use / address / list
    assert_eq!(ok(dbc_rent(d.path(), &["wallet", "address"], None, &[]))["address"], v["address"]);
    assert_eq!(ok(dbc_rent(d.path(), &["wallet", "use", "dev"], None, &[]))["address"], DEV_ROOT);
    assert_eq!(ok(dbc_rent(d.path(), &["wallet", "address"], None, &[]))["address"], DEV_ROOT);
    assert_eq!(ok(dbc_rent(d.path(), &["wallet", "use", ALICE], None, &[]))["account"]["name"], "alice");
    let list = ok(dbc_rent(d.path(), &["wallet", "list"], None, &[]));
    assert_eq!(list["accounts"].as_array().unwrap().len(), 3);
    assert_eq!(list["active"], ALICE);
    let r = dbc_rent(d.path(), &["wallet", "use", "nobody"], None, &[]);
    assert_eq!(err(&r)["code"], "account-not-found");
    // Human output marks the active account.
    let out = Command::new(env!("CARGO_BIN_EXE_dbc-rent"))
        .arg("--data-dir")
        .arg(d.path())
        .args(["wallet", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("* alice  {ALICE}")));

    // A wrong app password is named as such.
    let r = dbc_rent(d.path(), &["wallet", "export-json"], None, &[("DBC_RENT_PASSWORD", "not the password")]);
    assert_eq!(err(&r)["code"], "wrong-password");
}

#[test]
fn no_keyring_is_refused_with_the_file_store_named() {
    let d = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_dbc-rent"));
    let out = c
        .env_remove("DBC_RENT_SECRET_STORE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", empty.path())
        .env("DBC_RENT_PASSWORD", PASSWORD)
        .arg("--data-dir")
        .arg(d.path())
        .args(["--json", "wallet", "create"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    if cfg!(target_os = "linux") {
        assert_eq!(v["error"]["code"], "keyring-unavailable", "{v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("--file-store") && msg.contains("DBC_RENT_SECRET_STORE=file"), "{msg}");
        assert!(!d.path().join("wallet/accounts.json").exists(), "nothing was created");
    }
}

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dbc/tests/js")
}

/// A keystore JSON written by @polkadot/keyring itself.
fn polkadot_js_keystore(uri: &str, password: &str) -> (String, String) {
    assert!(js_dir().join("node_modules/@polkadot/keyring").is_dir(), "run `make wallet-js-deps` first");
    let mut child = Command::new("node")
        .arg("vectors.mjs")
        .current_dir(js_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node is installed (make wallet-js-deps)");
    let req = json!({"op": "toJson", "uri": uri, "password": password, "name": "From polkadot.js"});
    child.stdin.take().unwrap().write_all(req.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["json"].to_string(), v["address"].as_str().unwrap().to_string())
}

#[test]
fn import_json_and_export_json_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let (text, address) = polkadot_js_keystore(&format!("{DEV}//json"), "their password");
    let file = d.path().join("from-js.json");
    std::fs::write(&file, &text).unwrap();
    let f = file.to_str().unwrap();
    let r = dbc_rent(d.path(), &["wallet", "import-json", f], None, &[("DBC_RENT_JSON_PASSWORD", "wrong")]);
    assert_eq!(err(&r)["code"], "wrong-json-password");
    let v =
        ok(dbc_rent(d.path(), &["wallet", "import-json", f], None, &[("DBC_RENT_JSON_PASSWORD", "their password")]));
    assert_eq!(v["address"], address.as_str());
    assert_eq!(v["account"]["name"], "From polkadot.js");
    assert_eq!(v["account"]["source"], "json");

    // Export (to stdout, and to a file), then import into another data dir.
    let exported = ok(dbc_rent(d.path(), &["wallet", "export-json"], None, &[]));
    assert_eq!(exported["address"], address.as_str());
    assert_eq!(exported["encoding"]["type"], json!(["scrypt", "xsalsa20-poly1305"]));
    let out = d.path().join("export.json");
    let v = ok(dbc_rent(
        d.path(),
        &["wallet", "export-json", "--out", out.to_str().unwrap()],
        None,
        &[("DBC_RENT_JSON_PASSWORD", "export pw")],
    ));
    assert_eq!(v["address"], address.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let d2 = tempfile::tempdir().unwrap();
    let v = ok(dbc_rent(
        d2.path(),
        &["wallet", "import-json", out.to_str().unwrap()],
        None,
        &[("DBC_RENT_JSON_PASSWORD", "export pw")],
    ));
    assert_eq!(v["address"], address.as_str());

    // `--out` as a symlink planted to another file: that file is never written
    // (the keystore replaces the link, atomically, with a private file).
    #[cfg(unix)]
    {
        let victim = d.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        ok(dbc_rent(
            d.path(),
            &["wallet", "export-json", "--out", link.to_str().unwrap()],
            None,
            &[("DBC_RENT_JSON_PASSWORD", "export pw")],
        ));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
}

/// Balance and send against a real practice network.
#[tokio::test]
async fn balance_and_send_on_the_practice_network() {
    let (data, sandbox) = common::practice(2).await;
    let dir = data.path().to_path_buf();
    let cli = move |args: Vec<String>, stdin: Option<String>| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut all = vec!["--network".to_string(), "practice".to_string()];
            all.extend(args);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            dbc_rent(&dir, &refs, stdin.as_deref(), &[])
        })
    };
    let s = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    let created = ok(cli(s(&["wallet", "create", "--name", "sender"]), None).await.unwrap());
    let sender = created["address"].as_str().unwrap().to_string();
    let receiver =
        ok(cli(s(&["wallet", "import", "--mnemonic-stdin", "--name", "receiver"]), Some(format!("{DEV}//receiver")))
            .await
            .unwrap())["address"]
            .as_str()
            .unwrap()
            .to_string();
    ok(cli(s(&["wallet", "use", "sender"]), None).await.unwrap());
    sandbox.fund(&sender, 100).await.unwrap();

    let b = ok(cli(s(&["wallet", "balance"]), None).await.unwrap());
    assert_eq!(
        (b["address"].as_str().unwrap(), b["free"].as_str().unwrap(), b["transferable"].as_str().unwrap()),
        (sender.as_str(), "100", "100"),
        "{b}"
    );
    assert_eq!(b["planck"]["free"], "100000000000000000");

    // A malformed address is refused before anything is signed or sent.
    let bad = cli(s(&["send", &format!("{}x", &receiver[..47]), "1"]), None).await.unwrap();
    let e = err(&bad);
    assert_eq!(e["code"], "invalid-address");
    assert!(e["data"]["reason"].as_str().unwrap().contains("checksum"), "{e}");

    let sent = ok(cli(s(&["send", &receiver, "12.5"]), None).await.unwrap());
    assert_eq!(sent["amount"], "12.5");
    assert_eq!(sent["to"], receiver.as_str());
    let fee: u128 = sent["outcome"]["feePaid"].as_str().unwrap().parse().unwrap();
    assert!(fee > 0);
    let statuses: Vec<&str> =
        sent["statuses"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.first(), Some(&"signing"));
    assert!(statuses.contains(&"inBlock") && statuses.last() == Some(&"finalized"), "{statuses:?}");
    assert!(sent["outcome"]["events"].as_array().unwrap().iter().any(|e| e == "Balances.Transfer"), "{sent}");

    let dbc = 1_000_000_000_000_000u128;
    let after = ok(cli(s(&["wallet", "balance"]), None).await.unwrap());
    let free: u128 = after["planck"]["free"].as_str().unwrap().parse().unwrap();
    assert_eq!(free, 100 * dbc - 12 * dbc - dbc / 2 - fee, "amount + fee left the sender");
    let theirs = ok(cli(s(&["wallet", "balance", "--account", "receiver"]), None).await.unwrap());
    assert_eq!(theirs["free"], "12.5");

    // More than the account holds: refused with the numbers, nothing sent.
    let r = cli(s(&["send", &receiver, "1000"]), None).await.unwrap();
    let e = err(&r);
    assert_eq!(e["code"], "insufficient-balance", "{e}");
    assert!(e["data"]["needed"].as_str().unwrap().starts_with("1000.0"), "{e}");
    assert_eq!(e["data"]["available"].as_str().unwrap(), dbc::units::format_dbc(free));
    let still = ok(cli(s(&["wallet", "balance"]), None).await.unwrap());
    assert_eq!(still["planck"]["free"], after["planck"]["free"]);

    sandbox.stop().await.unwrap();
}
