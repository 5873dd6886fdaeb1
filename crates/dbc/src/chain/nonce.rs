//! Local nonce bookkeeping per account.
//!
//! Why: the chain's nonce only counts transactions already in a block, and
//! subxt reads it at the finalized block, which on mainnet lags the best
//! block. Two transactions sent close together would get the same nonce and
//! the second would be refused. `system_accountNextIndex` (which counts the
//! pool) is unreliable under chopsticks. So: `next = max(on_chain, last_used + 1)`
//! (subxt.md §4).

use std::collections::HashMap;
use std::sync::Mutex;
use subxt::utils::AccountId32;

/// Shared by every transaction the app sends; one per network connection
/// (nonces of different chains have nothing to do with each other).
#[derive(Debug, Default)]
pub struct NonceTracker {
    /// Keyed by the raw 32 bytes (`AccountId32` is not `Hash`).
    last_used: Mutex<HashMap<[u8; 32], u64>>,
}

impl NonceTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserve the nonce for the next transaction of `who`, given the nonce
    /// the chain reports now. Atomic: two callers never get the same one.
    pub fn reserve(&self, who: &AccountId32, on_chain: u64) -> u64 {
        let mut map = self.last_used.lock().unwrap_or_else(|p| p.into_inner());
        let next = match map.get(&who.0) {
            Some(last) => on_chain.max(last + 1),
            None => on_chain,
        };
        map.insert(who.0, next);
        next
    }

    /// The transaction with `nonce` never reached the pool (signing, fee or
    /// submission failed, or the node refused it): forget our memory of it so
    /// the next transaction trusts the chain again. Only rewinds if nothing
    /// newer was reserved since.
    pub fn release(&self, who: &AccountId32, nonce: u64) {
        let mut map = self.last_used.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&who.0) == Some(&nonce) {
            match nonce.checked_sub(1) {
                Some(prev) => map.insert(who.0, prev),
                None => map.remove(&who.0),
            };
        }
    }

    /// Forget everything about `who` (after an "invalid" whose cause is
    /// unclear: re-read the chain before trying again, subxt.md §3).
    pub fn forget(&self, who: &AccountId32) {
        self.last_used.lock().unwrap_or_else(|p| p.into_inner()).remove(&who.0);
    }

    /// The last nonce handed out for `who`, if any.
    pub fn last_used(&self, who: &AccountId32) -> Option<u64> {
        self.last_used.lock().unwrap_or_else(|p| p.into_inner()).get(&who.0).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(b: u8) -> AccountId32 {
        AccountId32([b; 32])
    }

    #[test]
    fn next_is_max_of_chain_and_last_plus_one() {
        let t = NonceTracker::new();
        let a = acc(1);
        assert_eq!(t.reserve(&a, 5), 5, "first use trusts the chain");
        assert_eq!(t.reserve(&a, 5), 6, "chain has not caught up: count on");
        assert_eq!(t.reserve(&a, 5), 7);
        assert_eq!(t.reserve(&a, 10), 10, "chain moved past us (another wallet): follow it");
        assert_eq!(t.reserve(&acc(2), 0), 0, "accounts are independent");
        assert_eq!(t.last_used(&a), Some(10));
    }

    #[test]
    fn release_rewinds_only_the_latest() {
        let t = NonceTracker::new();
        let a = acc(1);
        let n1 = t.reserve(&a, 3);
        let n2 = t.reserve(&a, 3);
        t.release(&a, n1); // n2 was reserved after: keep counting from n2
        assert_eq!(t.reserve(&a, 3), 5);
        t.release(&a, 5);
        assert_eq!(t.last_used(&a), Some(n2));
        let b = acc(2);
        t.reserve(&b, 0);
        t.release(&b, 0);
        assert_eq!(t.last_used(&b), None);
        t.forget(&a);
        assert_eq!(t.reserve(&a, 3), 3);
    }

    #[test]
    fn concurrent_reservations_are_unique() {
        let t = std::sync::Arc::new(NonceTracker::new());
        let a = acc(7);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || (0..50).map(|_| t.reserve(&a, 0)).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<u64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 400);
    }
}
