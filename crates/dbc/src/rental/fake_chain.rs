//! An in-memory chain behind [`RentalChain`], for unit tests of the rental
//! steps: the reads it answers are set by the test, the resends it takes
//! are counted and answered from a script.

use super::chain_port::RentalChain;
use super::record::PendingTx;
use crate::chain::rent::{AccountSnapshot, Head, RentOrder};
use crate::chain::tx::TxOutcome;
use crate::error::Result;
use std::collections::VecDeque;
use std::sync::Mutex;
use subxt::utils::AccountId32;

pub struct FakeChain {
    pub best: Mutex<AccountSnapshot>,
    pub finalized: Mutex<AccountSnapshot>,
    pub transferable: u128,
    /// What each resend answers, in order (none left: a pool refusal).
    pub resends: Mutex<VecDeque<Result<TxOutcome>>>,
    /// The extrinsic hashes sent again, in order.
    pub resent: Mutex<Vec<String>>,
}

impl FakeChain {
    /// A chain at block `at` where the account's nonce is `nonce` and
    /// `orders` are live (the finalized block shows the same).
    pub fn at(at: u32, nonce: u64, orders: Vec<RentOrder>) -> Self {
        let best = AccountSnapshot { at, finalized: false, nonce, orders };
        FakeChain {
            finalized: Mutex::new(AccountSnapshot { finalized: true, ..best.clone() }),
            best: Mutex::new(best),
            transferable: 0,
            resends: Mutex::new(VecDeque::new()),
            resent: Mutex::new(Vec::new()),
        }
    }

    pub fn answer_resend(&self, answer: Result<TxOutcome>) {
        self.resends.lock().unwrap().push_back(answer);
    }

    pub fn resent(&self) -> Vec<String> {
        self.resent.lock().unwrap().clone()
    }
}

impl RentalChain for FakeChain {
    async fn snapshot(&self, _who: &AccountId32, head: Head) -> Result<AccountSnapshot> {
        Ok(match head {
            Head::Best => self.best.lock().unwrap().clone(),
            Head::Finalized => self.finalized.lock().unwrap().clone(),
        })
    }

    async fn order(&self, rent_id: u64) -> Result<Option<RentOrder>> {
        Ok(self.best.lock().unwrap().orders.iter().find(|o| o.rent_id == rent_id).cloned())
    }

    async fn transferable(&self, _who: &AccountId32) -> Result<u128> {
        Ok(self.transferable)
    }

    async fn resend(&self, _who: &AccountId32, p: &PendingTx) -> Result<TxOutcome> {
        self.resent.lock().unwrap().push(p.extrinsic_hash.clone());
        self.resends.lock().unwrap().pop_front().unwrap_or_else(|| {
            Err(crate::error::Error::new(crate::error::ErrorCode::TxInvalid, "Transaction Already Imported"))
        })
    }
}

/// A block's answer to a transaction, without decoded events.
pub fn included(block: u32, nonce: u64) -> TxOutcome {
    TxOutcome {
        extrinsic_hash: "0x01".into(),
        block_hash: "0x02".into(),
        block_number: Some(block),
        nonce,
        fee_estimate: 1,
        fee_paid: None,
        finalized: false,
        events: vec![],
        extrinsic_events: None,
    }
}
