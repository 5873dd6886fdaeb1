//! BIP-39 recovery phrases (English): generate, validate with errors that
//! say what is wrong, and check a user's backup.
//!
//! Why our own validation in front of `bip39::Mnemonic::parse`: its errors
//! carry a word index but not the word, and a user fixing a typo needs both
//! ("word 7, “lonley”, is not a recovery word"). Words are compared in
//! lowercase with any whitespace between them; the key derivation uses the
//! phrase's entropy (substrate-bip39), not its text, so this normalization
//! gives the same keys as polkadot.js.

use crate::error::{Error, ErrorCode, Result};
use bip39::{Language, Mnemonic};
use rand::seq::SliceRandom;
use serde_json::json;
use zeroize::Zeroizing;

/// How many words a new phrase has. DBC's wallets create 12; 24 on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum WordCount {
    #[default]
    #[serde(rename = "12")]
    Twelve,
    #[serde(rename = "24")]
    TwentyFour,
}

impl WordCount {
    pub fn count(self) -> usize {
        match self {
            WordCount::Twelve => 12,
            WordCount::TwentyFour => 24,
        }
    }

    /// 12 or 24; anything else is `invalid-argument`.
    pub fn from_count(n: usize) -> Result<Self> {
        match n {
            12 => Ok(WordCount::Twelve),
            24 => Ok(WordCount::TwentyFour),
            _ => Err(Error::invalid_argument(format!("a new recovery phrase has 12 or 24 words, not {n}"))
                .with_data(json!({ "value": n.to_string() }))),
        }
    }
}

/// A fresh random phrase (OS randomness via `rand`), space-separated.
pub fn generate(words: WordCount) -> Zeroizing<String> {
    let m = Mnemonic::generate_in(Language::English, words.count()).expect("12 and 24 are valid BIP-39 lengths");
    Zeroizing::new(m.to_string())
}

/// The phrase with words lowercased and single-spaced (what we store).
pub fn normalize(phrase: &str) -> Zeroizing<String> {
    let words: Vec<String> = phrase.split_whitespace().map(|w| w.to_lowercase()).collect();
    let joined = Zeroizing::new(words.join(" "));
    for mut w in words {
        zeroize::Zeroize::zeroize(&mut w);
    }
    joined
}

/// Parse and validate a phrase. Errors, most specific first:
/// `invalid-mnemonic-word {word, position}` for the first word not in the
/// English list, `invalid-mnemonic-length {count}`, `invalid-mnemonic-checksum`.
pub fn parse(phrase: &str) -> Result<Mnemonic> {
    let normalized = normalize(phrase);
    let list = Language::English;
    let mut count = 0;
    for (i, word) in normalized.split(' ').filter(|w| !w.is_empty()).enumerate() {
        count += 1;
        if list.find_word(word).is_none() {
            // A typo is short letters; anything else may be a pasted secret
            // (a seed, a key): show only its start.
            let shown = if word.len() <= 12 && word.chars().all(|c| c.is_alphabetic()) {
                word.to_string()
            } else {
                format!("{}…", word.chars().take(4).collect::<String>())
            };
            return Err(Error::new(
                ErrorCode::InvalidMnemonicWord,
                format!("word {} (\"{shown}\") is not in the BIP-39 English word list", i + 1),
            )
            .with_data(json!({ "word": shown, "position": i + 1 })));
        }
    }
    if !matches!(count, 12 | 15 | 18 | 21 | 24) {
        return Err(Error::new(
            ErrorCode::InvalidMnemonicLength,
            format!("a recovery phrase has 12, 15, 18, 21 or 24 words, this one has {count}"),
        )
        .with_data(json!({ "count": count })));
    }
    Mnemonic::parse_in_normalized(list, &normalized).map_err(|e| match e {
        bip39::Error::InvalidChecksum => Error::new(
            ErrorCode::InvalidMnemonicChecksum,
            "every word is valid but the phrase's checksum does not match: a word or the order is wrong",
        ),
        other => Error::internal(format!("unexpected BIP-39 error after validation: {other}")),
    })
}

/// Check a user's answers to a backup quiz: `(position, word)` pairs with
/// 1-based positions (all 12 words, or a few random ones). The first wrong
/// answer gives `backup-mismatch {position}`.
pub fn check_words(phrase: &str, answers: &[(usize, String)]) -> Result<()> {
    if answers.is_empty() {
        return Err(Error::invalid_argument("no words given to confirm the backup"));
    }
    let normalized = normalize(phrase);
    let words: Vec<&str> = normalized.split(' ').collect();
    for (position, word) in answers {
        let expected = position.checked_sub(1).and_then(|i| words.get(i));
        if expected.is_none_or(|w| *w != word.trim().to_lowercase()) {
            return Err(Error::new(
                ErrorCode::BackupMismatch,
                format!("word {position} does not match the recovery phrase"),
            )
            .with_data(json!({ "position": position })));
        }
    }
    Ok(())
}

/// `n` random BIP-39 words, for a backup quiz that mixes decoys with the
/// real words (Talisman's pattern). Not secret.
pub fn decoy_words(n: usize) -> Vec<&'static str> {
    let list = Language::English.word_list();
    let mut rng = rand::thread_rng();
    (0..n).map(|_| *list.choose(&mut rng).expect("non-empty list")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    #[test]
    fn generates_valid_12_and_24_word_phrases() {
        for (wc, n) in [(WordCount::Twelve, 12), (WordCount::TwentyFour, 24)] {
            let p = generate(wc);
            assert_eq!(p.split(' ').count(), n);
            parse(&p).unwrap();
        }
        assert_ne!(*generate(WordCount::Twelve), *generate(WordCount::Twelve));
        assert!(WordCount::from_count(13).is_err());
    }

    #[test]
    fn invalid_word_is_named_with_its_position() {
        let e = parse(&DEV.replace("lonely", "lonley")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidMnemonicWord);
        assert_eq!(e.data.unwrap(), json!({"word": "lonley", "position": 10}));
        assert!(e.message.contains("lonley") && e.message.contains("10"), "{}", e.message);
        // A pasted seed is not echoed back.
        let seed = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
        let e = parse(seed).unwrap_err();
        assert_eq!(e.data.unwrap(), json!({"word": "0xe5…", "position": 1}));
        assert!(!e.message.contains("9a5092"));
    }

    #[test]
    fn bad_checksum_and_length_are_distinct() {
        // Swapping two words keeps every word valid but breaks the checksum.
        let swapped = DEV.replace("bottom drive", "drive bottom");
        assert_eq!(parse(&swapped).unwrap_err().code, ErrorCode::InvalidMnemonicChecksum);
        let eleven: Vec<&str> = DEV.split(' ').take(11).collect();
        let e = parse(&eleven.join(" ")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidMnemonicLength);
        assert_eq!(e.data.unwrap(), json!({"count": 11}));
        assert_eq!(parse("").unwrap_err().code, ErrorCode::InvalidMnemonicLength);
    }

    #[test]
    fn case_and_spacing_are_normalized() {
        let messy = format!("  {}\n", DEV.to_uppercase().replace(' ', "   "));
        assert_eq!(parse(&messy).unwrap().to_string(), DEV);
        assert_eq!(*normalize(&messy), DEV);
    }

    #[test]
    fn backup_quiz() {
        check_words(DEV, &[(1, "bottom".into()), (12, " Walk ".into())]).unwrap();
        let e = check_words(DEV, &[(1, "bottom".into()), (2, "obey".into())]).unwrap_err();
        assert_eq!((e.code, e.data.unwrap()), (ErrorCode::BackupMismatch, json!({"position": 2})));
        assert_eq!(check_words(DEV, &[(13, "walk".into())]).unwrap_err().code, ErrorCode::BackupMismatch);
        assert_eq!(check_words(DEV, &[(0, "walk".into())]).unwrap_err().code, ErrorCode::BackupMismatch);
        assert_eq!(decoy_words(12).len(), 12);
    }
}
