//! The rental flow's chain steps against the practice chain (the real DBC
//! runtime): place -> confirm -> renew -> end, the lapse of an unconfirmed
//! order, and resuming after a crash at the two dangerous moments (signed and
//! journaled but never sent; sent but the result never seen) without renting
//! twice. Needs chopsticks (`make sandbox-deps`) and the chain spec.

mod common;

use dbc::chain::rent::{self, OrderStatus, CONFIRM_WINDOW_BLOCKS};
use dbc::chain::tx::{self, TxOptions};
use dbc::chain::{account, ChainClient, NonceTracker};
use dbc::market::{self, MachineStatus, Market};
use dbc::rental::{self, ChainCtx, PendingCall, PendingTx, Rental, RentalBook, Stage};
use dbc_sandbox::seed::accounts::keypair_from_uri;
use dbc_sandbox::{Role, Sandbox, SandboxConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rent_confirm_renew_lapse_end_and_resume() {
    let dir = common::data_dir();
    let cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 60);
    common::with_sandbox(cfg, async |sandbox| run(sandbox, dir.path()).await).await;
}

fn idle_machines(m: &Market) -> Vec<String> {
    let mut v: Vec<&market::Machine> =
        m.machines.iter().filter(|x| x.status == MachineStatus::Idle && x.gpu_count >= 2).collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.gpu_count));
    v.into_iter().map(|x| x.id.clone()).collect()
}

async fn best(client: &ChainClient) -> u32 {
    client.best_block().await.unwrap().0
}

async fn run(sandbox: &Sandbox, data_dir: &std::path::Path) {
    let client = common::connect(sandbox.chain_url()).await;
    let renter = sandbox.accounts().iter().find(|a| a.role == Role::Renter).expect("a renter account");
    let key = keypair_from_uri(&renter.uri);
    let who = subxt::utils::AccountId32(key.public_key().0);
    let nonces = NonceTracker::new();
    let book = RentalBook::open(data_dir, &dbc::chain::identity::identity(&client).await.unwrap()).unwrap();
    let ctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
    let m = market::load_all(&client).await.unwrap();
    let idle = idle_machines(&m);
    assert!(idle.len() >= 4, "four idle machines with 2+ GPUs are seeded");

    // ---- happy path: place, confirm, renew ----
    let before = account::balance(&client, &who).await.unwrap();
    let quote = m.quote(&idle[0], 1, 600).unwrap();
    let placed = rental::place(&ctx, &key, &idle[0], &quote, |_| {}).await.expect("place");
    assert_eq!(placed.stage, Stage::Placed);
    let facts = placed.order.clone().unwrap();
    assert_eq!(facts.reserved, quote.rent, "the Rent event reserves the quote");
    assert_eq!(facts.confirm_deadline, facts.rent_start + CONFIRM_WINDOW_BLOCKS);
    assert_eq!(facts.rent_end, facts.rent_start + 600);
    let after_place = account::balance(&client, &who).await.unwrap();
    assert_eq!(after_place.reserved, before.reserved + quote.rent);
    let order = rent::order(&client, facts.rent_id).await.unwrap().expect("order on chain");
    assert_eq!(
        (order.status, order.gpu_num, order.machine_id.as_str()),
        (OrderStatus::WaitingVerifying, 1, idle[0].as_str())
    );
    // A second order for the same machine while this one awaits confirmation
    // (a retry, a double click) is refused before signing.
    assert_eq!(
        rental::place(&ctx, &key, &idle[0], &quote, |_| {}).await.unwrap_err().code,
        dbc::ErrorCode::RentalInProgress
    );
    // A confirm twice or a renewal before confirming is refused before signing.
    assert_eq!(
        rental::renew(&ctx, &key, &placed.id, 300, |_, _| Ok(0), |_| {}).await.unwrap_err().code,
        dbc::ErrorCode::WrongRentalState
    );

    let confirmed = rental::confirm(&ctx, &key, &placed.id, |_| {}).await.expect("confirm");
    assert_eq!(confirmed.stage, Stage::Renting);
    assert_eq!(confirmed.order.as_ref().unwrap().paid, quote.rent);
    assert_eq!(rent::order(&client, facts.rent_id).await.unwrap().unwrap().status, OrderStatus::Renting);
    assert_eq!(
        rental::confirm(&ctx, &key, &placed.id, |_| {}).await.unwrap_err().code,
        dbc::ErrorCode::WrongRentalState
    );

    let relet_quote = m.quote(&idle[0], 1, 300).unwrap();
    let (renewed, paid) =
        rental::renew(&ctx, &key, &placed.id, 300, |_, _| Ok(relet_quote.rent), |_| {}).await.expect("renew");
    assert_eq!(paid.blocks, 300);
    assert_eq!(paid.paid, relet_quote.rent, "the Relet event pays the formula's price");
    assert_eq!(renewed.order.as_ref().unwrap().rent_end, facts.rent_end + 300);
    assert_eq!(rent::order(&client, facts.rent_id).await.unwrap().unwrap().rent_end, facts.rent_end + 300);
    assert_eq!(
        rental::renew(&ctx, &key, &placed.id, 99, |_, _| Ok(0), |_| {}).await.unwrap_err().code,
        dbc::ErrorCode::InvalidDuration
    );

    // ---- lapse: an order left unconfirmed for 150 blocks ----
    let quote2 = m.quote(&idle[1], 1, 300).unwrap();
    let before_lapse = account::balance(&client, &who).await.unwrap();
    let unconfirmed = rental::place(&ctx, &key, &idle[1], &quote2, |_| {}).await.expect("place 2");
    let rent2 = unconfirmed.rent_id().unwrap();
    sandbox.advance(CONFIRM_WINDOW_BLOCKS + 1).await.unwrap();
    assert!(rent::order(&client, rent2).await.unwrap().is_none(), "the chain dropped the unconfirmed order");
    let synced = rental::sync(&ctx, &who).await.unwrap();
    assert_eq!(synced.iter().find(|r| r.id == unconfirmed.id).unwrap().stage, Stage::Lapsed);
    let after_lapse = account::balance(&client, &who).await.unwrap();
    assert_eq!(after_lapse.reserved, before_lapse.reserved, "the reserve came back");
    let spent = before_lapse.free - after_lapse.free;
    assert!(
        spent >= quote2.order_fee && spent < quote2.order_fee + dbc::units::DBC,
        "only the order fee and a tx fee are gone: {spent}"
    );
    assert_eq!(
        rental::confirm(&ctx, &key, &unconfirmed.id, |_| {}).await.unwrap_err().code,
        dbc::ErrorCode::WrongRentalState
    );

    // ---- end of rental: past rent_end the order is gone ----
    let end = renewed.order.as_ref().unwrap().rent_end;
    let now = best(&client).await;
    if end >= now {
        sandbox.advance(end - now + 1).await.unwrap();
    }
    let synced = rental::sync(&ctx, &who).await.unwrap();
    assert_eq!(synced.iter().find(|r| r.id == placed.id).unwrap().stage, Stage::Ended);
    assert!(rent::order(&client, facts.rent_id).await.unwrap().is_none());

    // ---- crash after journaling, before sending: sync sends it, once ----
    let quote3 = m.quote(&idle[2], 1, 300).unwrap();
    let journaled = journal_only(&ctx, &key, &idle[2], &quote3).await;
    let synced = rental::sync(&ctx, &who).await.unwrap();
    let r3 = synced.iter().find(|r| r.id == journaled.id).unwrap();
    assert_eq!(r3.stage, Stage::Placed, "{:?}", r3.last_error);
    assert!(r3.pending.is_none());
    rental::sync(&ctx, &who).await.unwrap();
    assert_eq!(live_orders_on(&client, &who, &idle[2]).await, 1, "placed exactly once");

    // ---- crash after sending, result never seen: sync finds the order, sends nothing ----
    let quote4 = m.quote(&idle[3], 1, 300).unwrap();
    let journaled = journal_only(&ctx, &key, &idle[3], &quote4).await;
    let p = journaled.pending.clone().unwrap();
    let prepared =
        tx::from_encoded(&client, hex::decode(&p.bytes).unwrap(), who, p.nonce, p.fee_estimate).await.unwrap();
    tx::submit(&client, &nonces, prepared, &TxOptions::default(), |_| {})
        .await
        .expect("sent behind the journal's back");
    assert_eq!(book.get(&journaled.id).unwrap().stage, Stage::Placing);
    let synced = rental::sync(&ctx, &who).await.unwrap();
    let r4 = synced.iter().find(|r| r.id == journaled.id).unwrap();
    assert_eq!(r4.stage, Stage::Placed, "{:?}", r4.last_error);
    assert_eq!(live_orders_on(&client, &who, &idle[3]).await, 1, "not rented twice");

    // The journal survives a reopen, as after a restart.
    let again = RentalBook::open(data_dir, &dbc::chain::identity::identity(&client).await.unwrap()).unwrap();
    assert_eq!(again.all().len(), book.all().len());
}

/// Sign a rent and write it to the journal as `place` does, without sending:
/// the state a crash between the two leaves behind.
async fn journal_only(
    ctx: &ChainCtx<'_>,
    key: &subxt_signer::sr25519::Keypair,
    machine: &str,
    quote: &market::Quote,
) -> Rental {
    let best = ctx.client.best_block().await.unwrap().0;
    let prepared = tx::prepare(
        ctx.client,
        ctx.nonces,
        key,
        &rent::rent_call(machine, quote.gpus, quote.blocks),
        &TxOptions::default(),
    )
    .await
    .unwrap();
    let account = dbc::wallet::format_address(&subxt::utils::AccountId32(key.public_key().0));
    let pending = PendingTx {
        call: PendingCall::Rent,
        bytes: hex::encode(prepared.encoded()),
        extrinsic_hash: prepared.extrinsic_hash(),
        nonce: prepared.nonce,
        fee_estimate: prepared.fee_estimate,
        signed_at_block: best,
        valid_until: None,
    };
    let r = Rental {
        quote: Some(*quote),
        pending: Some(pending),
        ..Rental::new(
            format!("crash-{}", prepared.nonce),
            account,
            machine.to_string(),
            quote.gpus,
            quote.blocks,
            Stage::Placing,
            1,
        )
    };
    ctx.book.put(r).unwrap()
}

async fn live_orders_on(client: &ChainClient, who: &subxt::utils::AccountId32, machine: &str) -> usize {
    rent::orders_of(client, who).await.unwrap().1.iter().filter(|o| o.machine_id == machine).count()
}
