//! `sync` against an in-memory chain ([`super::fake_chain`]): what settles a
//! transaction in flight, what is sent again, what is imported, in
//! milliseconds instead of a practice network's minutes.

use super::book::RentalBook;
use super::chain_steps::sync_locked;
use super::fake_chain::{included, FakeChain};
use super::record::{OrderFacts, PendingCall, PendingTx, Rental, Stage};
use super::samples;
use crate::chain::rent::{OrderStatus, RentOrder};
use crate::chain::ChainIdentity;
use crate::error::{Error, ErrorCode};
use subxt::utils::AccountId32;

const WHO: AccountId32 = AccountId32([7; 32]);

fn order(rent_id: u64, machine: &str, start: u32, end: u32, status: OrderStatus) -> RentOrder {
    RentOrder { renter: crate::wallet::format_address(&WHO), ..samples::order(rent_id, machine, start, end, status) }
}

fn rental(id: &str, stage: Stage, order: Option<&RentOrder>) -> Rental {
    Rental {
        account: crate::wallet::format_address(&WHO),
        order: order.map(|o| OrderFacts::from_order(o, 5, 10)),
        seen_at: Some(990),
        ..samples::rental(id, stage)
    }
}

/// A rent of m1 signed at block 990 with nonce 3, not settled yet.
fn placing() -> Rental {
    let p = PendingTx { extrinsic_hash: "0xabc".into(), ..samples::pending(PendingCall::Rent, 3, 990) };
    Rental { pending: Some(p), ..rental("r1", Stage::Placing, None) }
}

/// A journal in a fresh directory with `rentals` in it.
fn journal(rentals: impl IntoIterator<Item = Rental>) -> (tempfile::TempDir, RentalBook) {
    let dir = tempfile::tempdir().unwrap();
    let book = RentalBook::open(dir.path(), &ChainIdentity::of_genesis("0x5e")).unwrap();
    for r in rentals {
        book.put(r).unwrap();
    }
    (dir, book)
}

async fn sync(chain: &FakeChain, book: &RentalBook) -> Vec<Rental> {
    sync_locked(chain, book, &WHO).await.unwrap()
}

#[tokio::test]
async fn a_rent_whose_order_shows_up_is_placed_and_a_strangers_order_is_imported() {
    let (_dir, book) = journal([placing()]);
    let ours = order(7, "m1", 1000, 1600, OrderStatus::WaitingVerifying);
    let elsewhere = order(8, "m2", 900, 1500, OrderStatus::Renting);
    let chain = FakeChain::at(1001, 4, vec![ours, elsewhere]);
    let all = sync(&chain, &book).await;
    let r1 = book.get("r1").unwrap();
    assert_eq!((r1.stage, r1.rent_id(), r1.pending), (Stage::Placed, Some(7), None));
    let imported = book.get("chain-8").expect("the other wallet's order is imported");
    assert_eq!((imported.stage, imported.blocks), (Stage::Renting, 600));
    assert!(book.get("chain-7").is_none(), "our own order is not imported as a stranger");
    assert_eq!(all.len(), 2);
    assert!(chain.resent().is_empty(), "found on chain: nothing is sent again");
}

#[tokio::test]
async fn an_order_our_rent_may_have_placed_waits_for_that_rent() {
    let (_dir, book) = journal([placing()]);
    // The journal already knows rent id 7 from another rental, so the
    // settlement does not take it; the import must not either while a rent
    // of the same machine and size, signed before it started, is in flight.
    let known = order(7, "m1", 1000, 1600, OrderStatus::WaitingVerifying);
    book.put(rental("r0", Stage::Placed, Some(&known))).unwrap();
    let chain = FakeChain::at(1001, 3, vec![known, order(9, "m1", 1000, 1600, OrderStatus::WaitingVerifying)]);
    sync(&chain, &book).await;
    let r1 = book.get("r1").unwrap();
    assert_eq!((r1.stage, r1.rent_id()), (Stage::Placed, Some(9)), "order 9 is the one r1 placed");
    assert!(book.get("chain-9").is_none());
}

#[tokio::test]
async fn an_unseen_rent_is_sent_again_and_a_refusal_leaves_it_in_flight() {
    let (_dir, book) = journal([placing()]);
    let chain = FakeChain::at(1001, 3, vec![]);
    sync(&chain, &book).await;
    assert_eq!(chain.resent(), ["0xabc"], "the journaled bytes, once");
    let r1 = book.get("r1").unwrap();
    assert_eq!(r1.stage, Stage::Placing);
    assert!(r1.pending.is_some(), "a pool's refusal decides nothing");
    assert_eq!(r1.last_error.unwrap().code, ErrorCode::TxUnknown);
}

#[tokio::test]
async fn a_resend_that_fails_in_a_block_or_lands_without_an_order_fails_the_rent() {
    for answer in [Err(Error::new(ErrorCode::TxFailed, "Module error")), Ok(included(1002, 3))] {
        let (_dir, book) = journal([placing()]);
        let chain = FakeChain::at(1001, 3, vec![]);
        chain.answer_resend(answer);
        sync(&chain, &book).await;
        let r1 = book.get("r1").unwrap();
        assert_eq!((r1.stage, r1.pending), (Stage::Failed, None));
    }
}

#[tokio::test]
async fn a_used_nonce_without_an_order_fails_only_on_a_finalized_read() {
    let (_dir, book) = journal([placing()]);
    let chain = FakeChain::at(1001, 4, vec![]);
    // The finalized block is older than the signing: it cannot tell yet.
    chain.finalized.lock().unwrap().at = 980;
    chain.finalized.lock().unwrap().nonce = 3;
    sync(&chain, &book).await;
    assert_eq!(book.get("r1").unwrap().stage, Stage::Placing);
    *chain.finalized.lock().unwrap() =
        crate::chain::rent::AccountSnapshot { at: 1001, finalized: true, nonce: 4, orders: vec![] };
    sync(&chain, &book).await;
    let r1 = book.get("r1").unwrap();
    assert_eq!((r1.stage, r1.last_error.unwrap().code), (Stage::Failed, ErrorCode::RentNotPlaced));
    assert!(chain.resent().is_empty(), "a used nonce is never sent again");
}

#[tokio::test]
async fn rentals_without_a_transaction_in_flight_follow_the_chain() {
    let confirmed = order(7, "m1", 1000, 1600, OrderStatus::Renting);
    let waiting = order(8, "m1", 1100, 1700, OrderStatus::WaitingVerifying);
    let (_dir, book) =
        journal([rental("ends", Stage::Renting, Some(&confirmed)), rental("lapses", Stage::Placed, Some(&waiting))]);
    // Past both the end of 7 and the confirm deadline of 8 (1250), both gone.
    let chain = FakeChain::at(1600, 5, vec![]);
    sync(&chain, &book).await;
    assert_eq!(book.get("ends").unwrap().stage, Stage::Ended);
    let lapsed = book.get("lapses").unwrap();
    assert_eq!((lapsed.stage, lapsed.last_error.unwrap().code), (Stage::Lapsed, ErrorCode::RentLapsed));
    // The order of 8 shows up again on a later read: it comes back.
    *chain.best.lock().unwrap() =
        crate::chain::rent::AccountSnapshot { at: 1601, finalized: false, nonce: 5, orders: vec![waiting] };
    sync(&chain, &book).await;
    assert_eq!(book.get("lapses").unwrap().stage, Stage::Placed);
}
