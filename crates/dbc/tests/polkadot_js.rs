//! Our keys and JSON keystores against @polkadot/keyring itself (the code
//! dbcwallet.io and the polkadot.js extension run), through
//! `tests/js/vectors.mjs`. Needs Node.js and `make wallet-js-deps`; fails
//! (never skips) without them.

use dbc::wallet::{keystore_json, mnemonic, DerivationPath, SigningKey};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// Ask @polkadot/keyring.
fn polkadot_js(request: Value) -> Value {
    assert!(
        js_dir().join("node_modules/@polkadot/keyring").is_dir(),
        "@polkadot/keyring is not installed in {}: run `make wallet-js-deps`",
        js_dir().display()
    );
    let mut child = Command::new("node")
        .arg("vectors.mjs")
        .current_dir(js_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20+ and run `make wallet-js-deps`"));
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "vectors.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Split `phrase//path///password` the way a user gives it to us.
fn ours(uri: &str) -> String {
    let cut = uri.find('/').unwrap_or(uri.len());
    let (phrase, path) = uri.split_at(cut);
    let phrase = if phrase.trim().is_empty() { DEV } else { phrase.trim() };
    SigningKey::from_phrase(&mnemonic::parse(phrase).unwrap(), &DerivationPath::parse(path).unwrap()).unwrap().address()
}

#[test]
fn addresses_match_polkadot_js() {
    let uris = [
        DEV.to_string(),
        "//Alice".to_string(),
        format!("{DEV}//hard/soft"),
        format!("{DEV}/soft//hard/7"),
        format!("{DEV}///password"),
        format!("{DEV}//DBC//0///p@ss w0rd"),
    ];
    let answer = polkadot_js(json!({ "op": "addresses", "uris": uris }));
    let theirs: Vec<String> =
        answer["addresses"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(theirs[0], "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV");
    assert_eq!(theirs[1], "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    for (uri, expected) in uris.iter().zip(&theirs) {
        assert_eq!(&ours(uri), expected, "{uri}");
    }
    // A 24-word phrase of our own making, too.
    let fresh = mnemonic::generate(mnemonic::WordCount::TwentyFour);
    let uri = format!("{}//x", fresh.as_str());
    let theirs = polkadot_js(json!({ "op": "addresses", "uris": [uri] }));
    assert_eq!(theirs["addresses"][0].as_str().unwrap(), ours(&uri));
}

#[test]
fn we_open_a_polkadot_js_keystore() {
    let answer = polkadot_js(
        json!({ "op": "toJson", "uri": format!("{DEV}//json-test"), "password": "their password", "name": "From JS" }),
    );
    let text = answer["json"].to_string();
    let imported = keystore_json::import(&text, "their password").unwrap();
    assert_eq!(imported.key.address(), answer["address"].as_str().unwrap());
    assert_eq!(imported.name.as_deref(), Some("From JS"));
    let e = keystore_json::import(&text, "wrong password").unwrap_err();
    assert_eq!(e.code, dbc::ErrorCode::WrongJsonPassword);
}

#[test]
fn polkadot_js_opens_our_keystore() {
    let key =
        SigningKey::from_phrase(&mnemonic::parse(DEV).unwrap(), &DerivationPath::parse("//export/1").unwrap()).unwrap();
    let text = keystore_json::export(&key, "our password", "Exported", 1_700_000_000_000).unwrap();
    let answer = polkadot_js(
        json!({ "op": "decode", "json": serde_json::from_str::<Value>(&text).unwrap(), "password": "our password" }),
    );
    assert_eq!(answer["address"].as_str().unwrap(), key.address());
    assert_eq!(answer["publicKey"].as_str().unwrap(), format!("0x{}", hex::encode(key.public_key())));
    assert_eq!(answer["locked"], false, "decodePkcs8 unlocked the secret key");
    assert_eq!(answer["verifies"], true, "the decoded secret key signs for the same public key");
}
