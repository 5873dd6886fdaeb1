//! The node's signature check (compute-api.md §2.2): `sign` is an sr25519
//! signature, context "substrate", over the raw UTF-8 bytes of `nonce`, made
//! by the key behind the SS58 `wallet`. Hex, with or without `0x`.

use subxt::utils::AccountId32;
use subxt_signer::sr25519;

/// Why `check_nonce` failed; the real node only logs these and answers
/// "check authority failed: nonce check failed" (`nrs:524-553`, `nrs:652-658`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonceError {
    WalletEmpty,
    NonceEmpty,
    SignEmpty,
    VerifyFailed,
}

/// `check_nonce(wallet, nonce, sign)` of the real node.
pub fn check_nonce(wallet: &str, nonce: &str, sign: &str) -> Result<(), NonceError> {
    if wallet.is_empty() {
        return Err(NonceError::WalletEmpty);
    }
    if nonce.is_empty() {
        return Err(NonceError::NonceEmpty);
    }
    if sign.is_empty() {
        return Err(NonceError::SignEmpty);
    }
    if verify_sign(sign, nonce, wallet) {
        Ok(())
    } else {
        Err(NonceError::VerifyFailed)
    }
}

/// True when `sign` (hex, optional `0x`) is `wallet`'s sr25519 signature of `message`.
pub fn verify_sign(sign: &str, message: &str, wallet: &str) -> bool {
    let Ok(account) = wallet.parse::<AccountId32>() else {
        return false;
    };
    let hex_sig = sign.strip_prefix("0x").unwrap_or(sign);
    let Ok(bytes) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    sr25519::verify(&sr25519::Signature(sig), message.as_bytes(), &sr25519::PublicKey(account.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use subxt_signer::sr25519::dev;

    fn ss58(k: &sr25519::Keypair) -> String {
        AccountId32::from(k.public_key().0).to_string()
    }

    #[test]
    fn alice_signature_verifies_with_and_without_0x() {
        let alice = dev::alice();
        let nonce = "E1dVegezDhPMpQGkF75wMx19gGtCgHbzCsUDgRvvMzeUU7nvwOKaKC7";
        let sig = hex::encode(alice.sign(nonce.as_bytes()).0);
        assert_eq!(ss58(&alice), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert_eq!(check_nonce(&ss58(&alice), nonce, &sig), Ok(()));
        assert_eq!(check_nonce(&ss58(&alice), nonce, &format!("0x{sig}")), Ok(()));
    }

    #[test]
    fn tampered_nonce_other_wallet_and_garbage_fail() {
        let alice = dev::alice();
        let sig = hex::encode(alice.sign(b"nonce-1").0);
        assert_eq!(check_nonce(&ss58(&alice), "nonce-2", &sig), Err(NonceError::VerifyFailed));
        assert_eq!(check_nonce(&ss58(&dev::bob()), "nonce-1", &sig), Err(NonceError::VerifyFailed));
        assert_eq!(check_nonce("not-an-address", "nonce-1", &sig), Err(NonceError::VerifyFailed));
        assert_eq!(check_nonce(&ss58(&alice), "nonce-1", "zz"), Err(NonceError::VerifyFailed));
        assert_eq!(check_nonce(&ss58(&alice), "", &sig), Err(NonceError::NonceEmpty));
        assert_eq!(check_nonce("", "n", &sig), Err(NonceError::WalletEmpty));
        assert_eq!(check_nonce(&ss58(&alice), "n", ""), Err(NonceError::SignEmpty));
    }

    /// compute-api.md §2.6: the public dev phrase without derivation.
    #[test]
    fn dev_phrase_address_matches_compute_api_example() {
        use std::str::FromStr;
        let uri =
            subxt_signer::SecretUri::from_str("bottom drive obey lake curtain smoke basket hold race lonely fit walk")
                .unwrap();
        let k = sr25519::Keypair::from_uri(&uri).unwrap();
        assert_eq!(ss58(&k), "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV");
        let sig = hex::encode(k.sign(b"abc").0);
        assert!(verify_sign(&sig, "abc", "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"));
    }
}
