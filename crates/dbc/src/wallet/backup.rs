//! Checking that the user really wrote the recovery phrase down: they put
//! the words back in order from a shuffled pool that also holds decoy words
//! (the Talisman / Nova pattern, stack.md §14). The check runs here, in Rust,
//! so the UI learns only "right" or "wrong" for each pick.

use rand::seq::SliceRandom;
use zeroize::Zeroizing;

/// Decoys added to the pool: enough that the pool alone does not give the
/// phrase away, few enough to stay quick on a small screen.
pub fn decoy_count(words: usize) -> usize {
    if words > 12 {
        8
    } else {
        6
    }
}

/// The answer to one pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Pick {
    pub correct: bool,
    pub complete: bool,
}

/// One verification in progress. The words are wiped on drop.
pub struct BackupCheck {
    words: Zeroizing<Vec<String>>,
    /// Words placed correctly so far (the next slot to fill).
    placed: usize,
}

impl BackupCheck {
    pub fn new(phrase: &str) -> Self {
        BackupCheck { words: Zeroizing::new(phrase.split_whitespace().map(str::to_string).collect()), placed: 0 }
    }

    /// The words, for the one backup display.
    pub fn words(&self) -> Vec<String> {
        self.words.to_vec()
    }

    /// The phrase's words plus decoys (BIP-39 words not in the phrase), shuffled.
    pub fn pool(&self, rng: &mut impl rand::Rng) -> Vec<String> {
        let list = bip39::Language::English.word_list();
        let mut decoys: Vec<&str> = list.iter().copied().filter(|w| !self.words.iter().any(|p| p == w)).collect();
        decoys.shuffle(rng);
        let mut pool: Vec<String> = self
            .words
            .iter()
            .cloned()
            .chain(decoys.into_iter().take(decoy_count(self.words.len())).map(str::to_string))
            .collect();
        pool.shuffle(rng);
        pool
    }

    /// Place `word` at `position` (0-based). Only the next empty slot can be
    /// filled; a wrong word is not placed.
    pub fn pick(&mut self, position: usize, word: &str) -> Pick {
        let correct = position == self.placed && self.words.get(position).is_some_and(|w| w == word);
        if correct {
            self.placed += 1;
        }
        Pick { correct, complete: self.is_complete() }
    }

    pub fn is_complete(&self) -> bool {
        self.placed == self.words.len() && !self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    #[test]
    fn pool_holds_the_words_and_decoys_only() {
        let c = BackupCheck::new(DEV);
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let pool = c.pool(&mut rng);
        assert_eq!(pool.len(), 12 + 6);
        for w in DEV.split(' ') {
            assert!(pool.iter().any(|p| p == w), "{w} missing");
        }
        let list = bip39::Language::English.word_list();
        assert!(pool.iter().all(|p| list.contains(&p.as_str())));
        assert_ne!(pool[..12].join(" "), DEV, "shuffled");
    }

    #[test]
    fn wrong_picks_are_refused_and_order_matters() {
        let mut c = BackupCheck::new(DEV);
        assert_eq!(c.pick(0, "drive"), Pick { correct: false, complete: false }, "right word, wrong slot");
        assert_eq!(c.pick(1, "drive"), Pick { correct: false, complete: false }, "slot 0 must come first");
        for (i, w) in DEV.split(' ').enumerate() {
            let p = c.pick(i, w);
            assert!(p.correct);
            assert_eq!(p.complete, i == 11);
        }
        assert!(c.is_complete());
        assert!(!c.pick(12, "walk").correct, "nothing past the end");
    }

    #[test]
    fn twenty_four_words_get_more_decoys() {
        assert_eq!(decoy_count(24), 8);
    }
}
