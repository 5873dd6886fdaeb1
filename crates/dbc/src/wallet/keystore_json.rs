//! polkadot.js JSON keystores (what dbcwallet.io and the polkadot.js
//! extension export, and open): import and export.
//!
//! Format (version "3", @polkadot/keyring `pair.toJson(password)`):
//! `encoded` = base64 of `salt[32] | N u32 | p u32 | r u32 | nonce[24] | secretbox(pkcs8)`
//! (scrypt, then xsalsa20-poly1305 with the scrypt output as key), where
//! `pkcs8` = `HEADER[16] | secret key[64] | DIVIDER[5] | public key[32]`
//! (@polkadot/keyring `pair/defaults.ts`). Why our own reader rather than
//! subxt-signer's `decrypt_json`: its errors do not tell a wrong password
//! from a broken file, and it returns a keypair whose secret we cannot
//! store or re-export.

use super::keys::{format_address, SigningKey};
use crate::error::{Error, ErrorCode, Result};
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand::RngCore;
use serde_json::{json, Value};
use zeroize::Zeroizing;

const PKCS8_HEADER: [u8; 16] = [48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];
const PKCS8_DIVIDER: [u8; 5] = [161, 35, 3, 33, 0];
const PKCS8_LEN: usize = 16 + 64 + 5 + 32;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const PARAMS_END: usize = SALT_LEN + 12;

/// polkadot.js's default scrypt cost: N = 2^15, p = 1, r = 8.
const EXPORT_PARAMS: (u32, u32, u32) = (1 << 15, 1, 8);

/// The scrypt parameter sets polkadot.js writes (util-crypto `scrypt/defaults.ts`);
/// anything else is refused so a crafted file cannot make us spin.
const ALLOWED_PARAMS: &[(u32, u32, u32)] =
    &[(1 << 13, 10, 8), (1 << 14, 5, 8), (1 << 15, 3, 8), (1 << 15, 1, 8), (1 << 16, 2, 8), (1 << 17, 1, 8)];

fn invalid(reason: &str) -> Error {
    Error::new(ErrorCode::InvalidKeystore, format!("this is not a JSON keystore we can open: {reason}"))
        .with_data(json!({ "reason": reason }))
}

/// What an imported file holds: the key and the name polkadot.js gave it.
#[derive(Debug)]
pub struct Imported {
    pub key: SigningKey,
    pub name: Option<String>,
}

fn scrypt_key(password: &str, salt: &[u8], (n, p, r): (u32, u32, u32)) -> Result<Zeroizing<[u8; 32]>> {
    let params = scrypt::Params::new(n.trailing_zeros() as u8, r, p, 32)
        .map_err(|e| invalid(&format!("scrypt parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password.as_bytes(), salt, &params, key.as_mut())
        .map_err(|e| Error::internal(format!("scrypt: {e}")))?;
    Ok(key)
}

/// Open a polkadot.js JSON keystore with its password.
/// `invalid-keystore {reason}` for a file we cannot read, `wrong-json-password`
/// when the password does not open it.
pub fn import(json_text: &str, password: &str) -> Result<Imported> {
    let v: Value = serde_json::from_str(json_text).map_err(|_| invalid("not JSON"))?;
    let encoding = v.get("encoding").ok_or_else(|| invalid("no \"encoding\" field"))?;
    let list = |k: &str| -> Vec<String> {
        match encoding.get(k) {
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => vec![],
        }
    };
    let (content, kind) = (list("content"), list("type"));
    if content.iter().any(|c| c == "batch-pkcs8") {
        return Err(invalid("a batch export of several accounts; export the account on its own"));
    }
    if !content.iter().any(|c| c == "pkcs8") {
        return Err(invalid("not a pkcs8 key file"));
    }
    if !content.iter().any(|c| c == "sr25519") {
        return Err(invalid("not an sr25519 account (DBC accounts are sr25519)"));
    }
    if encoding.get("version").and_then(Value::as_str) != Some("3")
        || !kind.iter().any(|t| t == "scrypt")
        || !kind.iter().any(|t| t == "xsalsa20-poly1305")
    {
        return Err(invalid("unsupported encryption (expected version 3, scrypt + xsalsa20-poly1305)"));
    }
    let encoded = v.get("encoded").and_then(Value::as_str).ok_or_else(|| invalid("no \"encoded\" field"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid("\"encoded\" is not base64"))?;
    if bytes.len() < PARAMS_END + NONCE_LEN + 16 {
        return Err(invalid("\"encoded\" is too short"));
    }
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
    let params = (u32_at(SALT_LEN), u32_at(SALT_LEN + 4), u32_at(SALT_LEN + 8));
    if !ALLOWED_PARAMS.contains(&params) {
        return Err(invalid("unsupported scrypt parameters"));
    }
    let key = scrypt_key(password, &bytes[..SALT_LEN], params)?;
    let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_ref()));
    let nonce = Nonce::from_slice(&bytes[PARAMS_END..PARAMS_END + NONCE_LEN]);
    let plain =
        Zeroizing::new(cipher.decrypt(nonce, &bytes[PARAMS_END + NONCE_LEN..]).map_err(|_| {
            Error::new(ErrorCode::WrongJsonPassword, "the password does not open this JSON keystore file")
        })?);
    if plain.len() != PKCS8_LEN || plain[..16] != PKCS8_HEADER || plain[80..85] != PKCS8_DIVIDER {
        return Err(invalid("the decrypted key is not in the pkcs8 layout"));
    }
    let signing = SigningKey::from_ed25519_secret(&plain[16..80])?;
    if signing.public_key()[..] != plain[85..] {
        return Err(invalid("the public key does not match the secret key"));
    }
    if let Some(addr) = v.get("address").and_then(Value::as_str) {
        // The file may show the address in any network's format: compare keys.
        let same = std::str::FromStr::from_str(addr)
            .map(|a: subxt::utils::AccountId32| a == signing.account_id())
            .unwrap_or(false);
        if !same {
            return Err(invalid("the address does not match the key"));
        }
    }
    let name =
        v.pointer("/meta/name").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    Ok(Imported { key: signing, name })
}

/// Write `key` as a polkadot.js JSON keystore that opens with `password`
/// in dbcwallet.io, the polkadot.js extension and `keyring.addFromJson`.
pub fn export(key: &SigningKey, password: &str, name: &str, when_created_ms: u64) -> Result<String> {
    let mut pkcs8 = Zeroizing::new(Vec::with_capacity(PKCS8_LEN));
    pkcs8.extend_from_slice(&PKCS8_HEADER);
    pkcs8.extend_from_slice(key.to_ed25519_secret().as_ref());
    pkcs8.extend_from_slice(&PKCS8_DIVIDER);
    pkcs8.extend_from_slice(&key.public_key());
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let k = scrypt_key(password, &salt, EXPORT_PARAMS)?;
    let ct = XSalsa20Poly1305::new(Key::from_slice(k.as_ref()))
        .encrypt(Nonce::from_slice(&nonce), pkcs8.as_slice())
        .map_err(|e| Error::internal(format!("secretbox: {e}")))?;
    let (n, p, r) = EXPORT_PARAMS;
    let mut encoded = Vec::with_capacity(PARAMS_END + NONCE_LEN + ct.len());
    encoded.extend_from_slice(&salt);
    for x in [n, p, r] {
        encoded.extend_from_slice(&x.to_le_bytes());
    }
    encoded.extend_from_slice(&nonce);
    encoded.extend_from_slice(&ct);
    let doc = json!({
        "encoded": base64::engine::general_purpose::STANDARD.encode(&encoded),
        "encoding": { "content": ["pkcs8", "sr25519"], "type": ["scrypt", "xsalsa20-poly1305"], "version": "3" },
        "address": format_address(&key.account_id()),
        "meta": { "genesisHash": "", "name": name, "whenCreated": when_created_ms },
    });
    serde_json::to_string_pretty(&doc).map_err(|e| Error::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alice exported by polkadot.js (password "whoisalice"), from subxt-signer's tests.
    const ALICE_JSON: &str = r#"{"encoded":"DumgApKCTqoCty1OZW/8WS+sgo6RdpHhCwAkA2IoDBMAgAAAAQAAAAgAAAB6IG/q24EeVf0JqWqcBd5m2tKq5BlyY84IQ8oamLn9DZe9Ouhgunr7i36J1XxUnTI801axqL/ym1gil0U8440Qvj0lFVKwGuxq38zuifgoj0B3Yru0CI6QKEvQPU5xxj4MpyxdSxP+2PnTzYao0HDH0fulaGvlAYXfqtU89xrx2/z9z7IjSwS3oDFPXRQ9kAdDebtyCVreZ9Otw9v3","encoding":{"content":["pkcs8","sr25519"],"type":["scrypt","xsalsa20-poly1305"],"version":"3"},"address":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY","meta":{"genesisHash":"","name":"Alice","whenCreated":1718265838755}}"#;

    #[test]
    fn opens_a_polkadot_js_file() {
        let i = import(ALICE_JSON, "whoisalice").unwrap();
        assert_eq!(i.key.address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert_eq!(i.name.as_deref(), Some("Alice"));
    }

    #[test]
    fn wrong_password_and_bad_files_are_told_apart() {
        assert_eq!(import(ALICE_JSON, "whoisbob").unwrap_err().code, ErrorCode::WrongJsonPassword);
        let cases: Vec<(String, &str)> = vec![
            ("nope".into(), "not JSON"),
            (r#"{"encoding":{"content":["batch-pkcs8"]}}"#.into(), "batch"),
            (ALICE_JSON.replace("sr25519", "ed25519"), "sr25519"),
            (ALICE_JSON.replace("\"3\"", "\"2\""), "unsupported encryption"),
            (ALICE_JSON.replace("DumgApKCTqoCty1OZW", "DumgApKCTqoCty1OZX"), "scrypt"),
        ];
        for (text, reason) in &cases {
            let reason = *reason;
            let e = import(text, "whoisalice").map(|_| ()).unwrap_err();
            let got = e.data.as_ref().and_then(|d| d["reason"].as_str()).unwrap_or("").to_string();
            // A changed salt byte decrypts to garbage: that is a wrong password, not a reason.
            if reason == "scrypt" {
                assert_eq!(e.code, ErrorCode::WrongJsonPassword);
                continue;
            }
            assert_eq!(e.code, ErrorCode::InvalidKeystore, "{text}");
            assert!(got.contains(reason), "{got} vs {reason}");
        }
        let other = ALICE_JSON.replace(
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
        );
        assert!(import(&other, "whoisalice").unwrap_err().data.unwrap()["reason"]
            .as_str()
            .unwrap()
            .contains("address"));
    }

    #[test]
    fn export_reimports() {
        let i = import(ALICE_JSON, "whoisalice").unwrap();
        let out = export(&i.key, "new password", "Mine", 1).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["encoding"]["content"], json!(["pkcs8", "sr25519"]));
        assert_eq!(v["meta"]["name"], "Mine");
        let again = import(&out, "new password").unwrap();
        assert_eq!(again.key.address(), i.key.address());
        assert_eq!(import(&out, "whoisalice").unwrap_err().code, ErrorCode::WrongJsonPassword);
    }
}
