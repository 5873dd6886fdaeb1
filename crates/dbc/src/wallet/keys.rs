//! sr25519 keys the way polkadot.js and subkey make them, and SS58 addresses.
//!
//! Why schnorrkel directly next to subxt-signer: subxt-signer's keypair keeps
//! its secret key private, but exporting a polkadot.js JSON keystore needs
//! it, and an account imported from such a file can only be rebuilt from
//! its 64-byte secret key. The derivation below is subxt-signer's (itself
//! sp-core's): phrase entropy → PBKDF2-HMAC-SHA512 (2048 rounds, salt
//! "mnemonic" + password) → 32-byte mini secret → Ed25519-mode expansion →
//! `//hard` / `/soft` junctions. Tests compare with subxt-signer and with
//! @polkadot/keyring itself. Junction and `///password` parsing is
//! subxt-signer's `SecretUri`.

use crate::error::{Error, ErrorCode, Result};
use schnorrkel::derive::{ChainCode, Derivation};
use schnorrkel::{ExpansionMode, MiniSecretKey};
use serde_json::json;
use std::fmt;
use std::str::FromStr;
use subxt::utils::{AccountId32, MultiSignature};
use subxt::SubstrateConfig;
use subxt_signer::{DeriveJunction, ExposeSecret, SecretUri};
use zeroize::{Zeroize, Zeroizing};

/// DBC uses the generic Substrate SS58 prefix.
pub const SS58_PREFIX: u16 = 42;

/// The signing context Substrate uses for sr25519 (transactions and the DBC
/// client's signed requests alike).
const SIGNING_CTX: &[u8] = b"substrate";

/// A parsed derivation suffix, e.g. `//DBC/0///secret`: junctions plus the
/// optional mnemonic password.
/// The password is kept in a zeroizing string and never printed.
pub struct DerivationPath {
    junctions: Vec<DeriveJunction>,
    password: Option<Zeroizing<String>>,
}

impl fmt::Debug for DerivationPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DerivationPath({} junctions, password: {})", self.junctions.len(), self.password.is_some())
    }
}

impl DerivationPath {
    /// No junctions, no password: the root key.
    pub fn root() -> Self {
        DerivationPath { junctions: Vec::new(), password: None }
    }

    /// Parse `//hard/soft///password` (each part optional; empty = root).
    /// Anything before the first `/` is refused: the phrase never goes here.
    pub fn parse(path: &str) -> Result<Self> {
        let bad = |reason: &str| {
            Error::new(ErrorCode::InvalidDerivationPath, format!("invalid derivation path: {reason}"))
                .with_data(json!({ "reason": reason }))
        };
        let path = path.trim();
        if path.is_empty() {
            return Ok(Self::root());
        }
        if !path.starts_with('/') {
            return Err(bad("it must start with / or //"));
        }
        let uri =
            SecretUri::from_str(path).map_err(|_| bad("use //hard and /soft parts, then an optional ///password"))?;
        let password = uri.password.map(|p| Zeroizing::new(p.expose_secret().to_string())).filter(|p| !p.is_empty());
        Ok(DerivationPath { junctions: uri.junctions, password })
    }

    pub fn is_root(&self) -> bool {
        self.junctions.is_empty() && self.password.is_none()
    }
}

/// An sr25519 key that signs DBC transactions. Its `Debug` never shows the
/// secret; schnorrkel zeroizes the secret key when dropped.
#[derive(Clone)]
pub struct SigningKey(schnorrkel::Keypair);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({})", self.address())
    }
}

impl SigningKey {
    /// From a validated BIP-39 phrase, with an optional derivation (and its
    /// `///password`), exactly as polkadot.js `keyring.addFromUri(phrase + path)`.
    pub fn from_phrase(mnemonic: &bip39::Mnemonic, path: &DerivationPath) -> Result<Self> {
        let (entropy, len) = mnemonic.to_entropy_array();
        let mut entropy = Zeroizing::new(entropy);
        let mut salt = Zeroizing::new(String::from("mnemonic"));
        if let Some(p) = &path.password {
            salt.push_str(p);
        }
        let mut seed = Zeroizing::new([0u8; 64]);
        pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha512>>(&entropy[..len], salt.as_bytes(), 2048, seed.as_mut())
            .map_err(|e| Error::internal(format!("pbkdf2: {e}")))?;
        entropy.zeroize();
        let mut mini = Zeroizing::new([0u8; 32]);
        mini.copy_from_slice(&seed[..32]);
        Self::from_seed_inner(&mini, &path.junctions)
    }

    /// From a raw 32-byte seed (polkadot.js "raw seed", `0x` + 64 hex). A
    /// `///password` means nothing for a raw seed (polkadot.js ignores it too).
    pub fn from_seed(seed: &[u8; 32], path: &DerivationPath) -> Result<Self> {
        Self::from_seed_inner(seed, &path.junctions)
    }

    fn from_seed_inner(seed: &[u8; 32], junctions: &[DeriveJunction]) -> Result<Self> {
        let mini = MiniSecretKey::from_bytes(seed).map_err(|e| Error::internal(format!("mini secret: {e}")))?;
        let root = mini.expand(ExpansionMode::Ed25519);
        let derived = junctions.iter().fold(root, |acc, j| match j {
            DeriveJunction::Soft(cc) => acc.derived_key_simple(ChainCode(*cc), []).0,
            DeriveJunction::Hard(cc) => {
                acc.hard_derive_mini_secret_key(Some(ChainCode(*cc)), b"").0.expand(ExpansionMode::Ed25519)
            }
        });
        Ok(SigningKey(derived.to_keypair()))
    }

    /// A fixed, public throwaway key for fee estimates before the user has
    /// unlocked their own: a fee depends on the call and the extrinsic's
    /// length, which are the same for every sr25519 signer. Never holds funds.
    pub fn fee_estimator() -> Self {
        Self::from_seed_inner(&[0x42; 32], &[]).expect("a constant 32-byte seed is a valid mini secret key")
    }

    /// From the 64-byte secret key as polkadot.js keeps it in PKCS8 (the
    /// "ed25519 bytes" layout of schnorrkel's secret key).
    pub fn from_ed25519_secret(bytes: &[u8]) -> Result<Self> {
        let secret = schnorrkel::SecretKey::from_ed25519_bytes(bytes).map_err(|e| {
            Error::new(ErrorCode::InvalidKeystore, format!("the secret key is not valid: {e}"))
                .with_data(json!({ "reason": "bad secret key" }))
        })?;
        Ok(SigningKey(secret.to_keypair()))
    }

    /// The secret key in polkadot.js's PKCS8 layout (64 bytes).
    pub fn to_ed25519_secret(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.0.secret.to_ed25519_bytes())
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.public.to_bytes()
    }

    pub fn account_id(&self) -> AccountId32 {
        AccountId32(self.public_key())
    }

    /// SS58, prefix 42.
    pub fn address(&self) -> String {
        format_address(&self.account_id())
    }

    /// sr25519 signature with the "substrate" context.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign_simple(SIGNING_CTX, message).to_bytes()
    }
}

impl subxt::transactions::Signer<SubstrateConfig> for SigningKey {
    fn account_id(&self) -> AccountId32 {
        SigningKey::account_id(self)
    }

    fn sign(&self, signer_payload: &[u8]) -> MultiSignature {
        MultiSignature::Sr25519(SigningKey::sign(self, signer_payload))
    }
}

/// Parse a raw seed: `0x` + 64 hex digits, else `invalid-seed`.
pub fn parse_seed(text: &str) -> Result<Zeroizing<[u8; 32]>> {
    let bad = || Error::new(ErrorCode::InvalidSeed, "a raw seed is 0x followed by 64 hex digits");
    let hex_part = text.trim().strip_prefix("0x").ok_or_else(bad)?;
    if hex_part.len() != 64 {
        return Err(bad());
    }
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(hex_part, out.as_mut()).map_err(|_| bad())?;
    Ok(out)
}

/// Format an account as SS58 with DBC's prefix 42.
pub fn format_address(account: &AccountId32) -> String {
    // subxt's AccountId32 Display is SS58 with prefix 42 (stack.md §3).
    account.to_string()
}

/// Parse a DBC address: base58, the right length, a valid checksum, and
/// prefix 42 (an address written for another network is refused rather
/// than silently re-read). `invalid-address {value, reason}` otherwise.
pub fn parse_address(text: &str) -> Result<AccountId32> {
    let value = text.trim();
    let bad = |reason: &str| {
        Error::new(ErrorCode::InvalidAddress, format!("{value:?} is not a DBC address: {reason}"))
            .with_data(json!({ "value": value, "reason": reason }))
    };
    if value.is_empty() {
        return Err(bad("empty"));
    }
    // subxt does not re-export the error enum; its texts are pinned by the test below.
    let account = AccountId32::from_str(value).map_err(|e| {
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("base 58") {
            bad("not base58 (only letters and digits except 0, O, I, l)")
        } else if text.contains("checksum") {
            bad("the checksum does not match (a character is wrong)")
        } else if text.contains("length") {
            bad("wrong length")
        } else {
            bad("unknown network prefix")
        }
    })?;
    if format_address(&account) != value {
        return Err(bad("an address of another network (DBC addresses use prefix 42 and start with 5)"));
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use subxt_signer::sr25519::Keypair as SubxtKeypair;

    const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    fn from_uri(phrase: &str, path: &str) -> SigningKey {
        SigningKey::from_phrase(&crate::wallet::mnemonic::parse(phrase).unwrap(), &DerivationPath::parse(path).unwrap())
            .unwrap()
    }

    fn subxt_address(uri: &str) -> String {
        SubxtKeypair::from_uri(&SecretUri::from_str(uri).unwrap()).unwrap().public_key().to_account_id().to_string()
    }

    #[test]
    fn dev_phrase_root_and_alice() {
        assert_eq!(from_uri(DEV, "").address(), "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV");
        assert_eq!(from_uri(DEV, "//Alice").address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    }

    #[test]
    fn same_keys_as_subxt_signer_for_paths_passwords_and_seeds() {
        for path in ["//hard/soft", "/soft//hard/0", "//Alice///pw", "///only-password", "//DBC//0"] {
            assert_eq!(from_uri(DEV, path).address(), subxt_address(&format!("{DEV}{path}")), "{path}");
        }
        let seed_hex = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
        let seed = parse_seed(seed_hex).unwrap();
        let k = SigningKey::from_seed(&seed, &DerivationPath::parse("//Alice").unwrap()).unwrap();
        assert_eq!(k.address(), subxt_address(&format!("{seed_hex}//Alice")));
        // Signatures verify under subxt-signer's verifier.
        let sig = k.sign(b"hello");
        let pk = subxt_signer::sr25519::PublicKey(k.public_key());
        assert!(subxt_signer::sr25519::verify(&subxt_signer::sr25519::Signature(sig), b"hello", &pk));
    }

    #[test]
    fn ed25519_secret_round_trips() {
        let k = from_uri(DEV, "//x");
        let again = SigningKey::from_ed25519_secret(k.to_ed25519_secret().as_ref()).unwrap();
        assert_eq!(again.address(), k.address());
        assert!(format!("{k:?}").starts_with("SigningKey(5"), "Debug shows only the address");
    }

    #[test]
    fn derivation_paths_are_checked() {
        assert!(DerivationPath::parse("").unwrap().is_root());
        assert_eq!(DerivationPath::parse("hard").unwrap_err().code, ErrorCode::InvalidDerivationPath);
        let d = DerivationPath::parse("//a///secret").unwrap();
        assert!(!format!("{d:?}").contains("secret"));
    }

    #[test]
    fn seeds_are_checked() {
        for bad in [
            "",
            "0x12",
            "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a",
            &format!("0x{}", "zz".repeat(32)),
        ] {
            assert_eq!(parse_seed(bad).unwrap_err().code, ErrorCode::InvalidSeed, "{bad}");
        }
    }

    #[test]
    fn addresses_are_checked() {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        assert_eq!(format_address(&parse_address(alice).unwrap()), alice);
        let reason = |s: &str| parse_address(s).unwrap_err().data.unwrap()["reason"].as_str().unwrap().to_string();
        assert!(reason("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ").contains("checksum"));
        assert!(reason("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut").contains("length"));
        assert!(reason("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0I").contains("base58"));
        // Alice on Polkadot (prefix 0) is the same key but not a DBC address.
        assert!(reason("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5").contains("another network"));
        assert_eq!(parse_address("").unwrap_err().code, ErrorCode::InvalidAddress);
    }
}
