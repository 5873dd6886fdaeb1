//! Who is asking: the renter's signature over a fresh nonce, plus the rent
//! order it rents under (compute-api.md §2.1, §2.2).
//!
//! The node checks on chain that `wallet` is the renter of `rent_order` on
//! this machine; `sign` proves we hold the wallet's key. The node records no
//! nonces, so a captured body could be replayed: every request gets its own
//! random nonce anyway, and bodies are never logged.

use crate::wallet::SigningKey;
use rand::Rng;
use std::fmt;

/// Nonce length: DBC's own back end uses 55 random alphanumerics; anything
/// non-empty is accepted, so we vary the length a little within 32..=55.
pub const NONCE_MIN_LEN: usize = 32;
pub const NONCE_MAX_LEN: usize = 55;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh random nonce of 32–55 ASCII letters and digits.
pub fn new_nonce() -> String {
    let mut rng = rand::rngs::OsRng;
    let len = rng.gen_range(NONCE_MIN_LEN..=NONCE_MAX_LEN);
    (0..len).map(|_| ALNUM[rng.gen_range(0..ALNUM.len())] as char).collect()
}

/// `hex(sr25519_sign("substrate", nonce bytes))`, lowercase, no `0x` (the
/// format of DBC's `sign_tool`; the node accepts it with or without `0x`).
pub fn sign_nonce(key: &SigningKey, nonce: &str) -> String {
    hex::encode(key.sign(nonce.as_bytes()))
}

/// The credential fields of one request.
pub(crate) struct Credentials {
    pub wallet: String,
    pub nonce: String,
    pub sign: String,
}

/// The renter's key and the order it rents under. `Debug` shows only the
/// address and the order id.
#[derive(Clone)]
pub struct Auth {
    key: SigningKey,
    rent_id: u64,
    wallet: String,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Auth({}, rent order {})", self.wallet, self.rent_id)
    }
}

impl Auth {
    pub fn new(key: SigningKey, rent_id: u64) -> Self {
        let wallet = key.address();
        Auth { key, rent_id, wallet }
    }

    /// The renter's SS58 address (prefix 42), compared as a string with the
    /// chain's `renter` by the node.
    pub fn wallet(&self) -> &str {
        &self.wallet
    }

    pub fn rent_id(&self) -> u64 {
        self.rent_id
    }

    /// A fresh nonce and its signature.
    pub(crate) fn credentials(&self) -> Credentials {
        let nonce = new_nonce();
        let sign = sign_nonce(&self.key, &nonce);
        Credentials { wallet: self.wallet.clone(), nonce, sign }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::{parse_address, DerivationPath};

    const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    fn dev_key() -> SigningKey {
        SigningKey::from_phrase(&crate::wallet::mnemonic::parse(DEV).unwrap(), &DerivationPath::root()).unwrap()
    }

    #[test]
    fn nonces_are_fresh_alphanumerics_of_32_to_55() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..300 {
            let n = new_nonce();
            assert!((NONCE_MIN_LEN..=NONCE_MAX_LEN).contains(&n.len()), "{n}");
            assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()), "{n}");
            assert!(seen.insert(n), "a nonce repeated");
        }
    }

    /// The node's check (compute-api.md §2.2): schnorrkel `verify_simple`
    /// with context "substrate" over the nonce bytes, against the public key
    /// decoded from the SS58 wallet.
    #[test]
    fn signature_verifies_with_schnorrkel_against_the_address_key() {
        let auth = Auth::new(dev_key(), 1234);
        assert_eq!(auth.wallet(), "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV");
        let c = auth.credentials();
        assert_eq!(c.wallet, auth.wallet());
        assert_eq!(c.sign.len(), 128);
        assert!(!c.sign.starts_with("0x"));
        let account = parse_address(&c.wallet).unwrap();
        let public = schnorrkel::PublicKey::from_bytes(&account.0).unwrap();
        let sig = schnorrkel::Signature::from_bytes(&hex::decode(&c.sign).unwrap()).unwrap();
        assert!(public.verify_simple(b"substrate", c.nonce.as_bytes(), &sig).is_ok());
        // Not over another message, not under another context.
        assert!(public.verify_simple(b"substrate", b"another nonce", &sig).is_err());
        assert!(public.verify_simple(b"polkadot", c.nonce.as_bytes(), &sig).is_err());
        // Each request: a new nonce, a new signature.
        let d = auth.credentials();
        assert_ne!((c.nonce, c.sign), (d.nonce, d.sign));
    }

    #[test]
    fn debug_shows_no_secret() {
        let auth = Auth::new(dev_key(), 7);
        let s = format!("{auth:?}");
        assert_eq!(s, "Auth(5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV, rent order 7)");
    }
}
