//! A hostile chain node (issue 12): the real DBC runtime under chopsticks
//! behind the fault proxy, which answers chosen RPC methods with lies of the
//! test's making. Each lie gets its own error code, in bounded time, and the
//! rental journal is left exactly as it was.
//!
//! The lies: runtime metadata that is not metadata, key pages that never end,
//! repeat themselves or leave the map, and an account whose `UserOrder` lists
//! 1,001, half a million or a million order ids.

mod common;

use common::connect;

use dbc::chain::NonceTracker;
use dbc::market;
use dbc::rental::RentalService;
use dbc::wallet::{DerivationPath, SigningKey};
use dbc::ErrorCode;
use dbc_sandbox::fault_proxy::FaultProxy;
use dbc_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_node_is_refused_with_a_specific_error_and_nothing_is_written() {
    let dir = common::data_dir();
    let cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 60);
    common::with_sandbox(cfg, async |sandbox| run(sandbox, dir.path()).await).await;
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim_start_matches("0x");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// SCALE `Vec<u64>` of `n` ids: compact length, then the ids little-endian.
fn order_ids(n: usize) -> String {
    let mut out = Vec::with_capacity(5 + n * 8);
    match n {
        0..=63 => out.push((n as u8) << 2),
        64..=16_383 => out.extend_from_slice(&(((n as u16) << 2) | 1).to_le_bytes()),
        _ => out.extend_from_slice(&(((n as u32) << 2) | 2).to_le_bytes()),
    }
    for id in 0..n as u64 {
        out.extend_from_slice(&(id + 1).to_le_bytes());
    }
    hex(&out)
}

/// An endless map: every page is full and follows the last key.
fn endless_pages(params: &Value, served: &AtomicUsize) -> Option<Value> {
    let prefix = unhex(params.get(0)?.as_str()?);
    let count = params.get(1)?.as_u64()? as usize;
    let after = match params.get(2).and_then(Value::as_str) {
        Some(k) => u64::from_be_bytes(unhex(k)[prefix.len()..].try_into().ok()?),
        None => 0,
    };
    served.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<String> = (1..=count as u64)
        .map(|i| {
            let mut k = prefix.clone();
            k.extend_from_slice(&(after + i).to_be_bytes());
            hex(&k)
        })
        .collect();
    Some(json!(keys))
}

async fn run(sandbox: &Sandbox, data_dir: &std::path::Path) {
    let real_url = sandbox.chain_url().to_string();
    let proxy = FaultProxy::start(&real_url).await.unwrap();

    // ---- metadata that is not metadata (first: the reader caches good metadata per process) ----
    proxy.forge("state_getMetadata", |_| Some(json!("0x6d657461deadbeef")));
    let lied_to = connect(&proxy.url()).await;
    let e = market::load_all(&lied_to).await.expect_err("garbage metadata is refused");
    assert_eq!(e.code, ErrorCode::ChainRpc, "{e:?}");
    assert!(e.message.contains("metadata"), "the error says what could not be read: {}", e.message);
    assert!(proxy.seen("state_getMetadata") >= 1, "the lie was told");
    drop(lied_to);
    proxy.unforge("state_getMetadata");

    // A real rental in the journal, so that "nothing written" means something.
    let real = RentalService::open(data_dir, connect(&real_url).await, Arc::new(NonceTracker::new())).await.unwrap();
    let key = SigningKey::from_seed(&rand::random::<[u8; 32]>(), &DerivationPath::root()).unwrap();
    let who: AccountId32 = key.account_id();
    sandbox.fund(&dbc::wallet::format_address(&who), 100_000).await.expect("faucet");
    let m = market::load_all(real.client()).await.unwrap();
    let machine =
        m.machines.iter().find(|x| x.status == market::MachineStatus::Idle).expect("an idle machine").id.clone();
    real.place(&key, &m, &machine, 1, 600, |_| {}).await.expect("place");
    let journal = std::fs::read(real.book().path()).unwrap();
    let unchanged =
        |what: &str| assert_eq!(std::fs::read(real.book().path()).unwrap(), journal, "journal changed after {what}");

    // ---- key pages that never end: stopped at the ceiling ----
    let served = Arc::new(AtomicUsize::new(0));
    let s = served.clone();
    proxy.forge("state_getKeysPaged", move |p| endless_pages(p, &s));
    let lied_to = connect(&proxy.url()).await;
    let t = Instant::now();
    let e = market::load_all(&lied_to).await.expect_err("an endless map is refused");
    assert_eq!(e.code, ErrorCode::ChainReplyTooLarge, "{e:?}");
    assert_eq!(e.data.as_ref().unwrap()["limit"], json!(200_000));
    let pages = served.load(Ordering::SeqCst);
    assert!((200..=202).contains(&pages), "read up to the ceiling and no further: {pages} pages");
    eprintln!("endless key pages refused after {pages} pages in {:?}", t.elapsed());

    // ---- a page that repeats itself (a naive reader loops forever) ----
    proxy.forge("state_getKeysPaged", |p| {
        let prefix = unhex(p.get(0)?.as_str()?);
        let count = p.get(1)?.as_u64()?;
        Some(json!((0..count).map(|i| hex(&[prefix.clone(), i.to_be_bytes().to_vec()].concat())).collect::<Vec<_>>()))
    });
    let e = market::load_all(&lied_to).await.expect_err("a repeated page is refused");
    assert_eq!(e.code, ErrorCode::ChainRpc, "{e:?}");
    assert!(e.message.contains("do not advance"), "{}", e.message);

    // ---- keys from outside the map ----
    proxy.forge("state_getKeysPaged", |_| Some(json!(["0x00112233"])));
    let e = market::load_all(&lied_to).await.expect_err("a key outside the map is refused");
    assert_eq!(e.code, ErrorCode::ChainRpc, "{e:?}");
    proxy.unforge("state_getKeysPaged");
    drop(lied_to);
    unchanged("the market lies");

    // ---- an account with too many orders: nothing decided, nothing written ----
    let at = real.client().api().at_current_block().await.unwrap();
    let user_order = subxt::dynamic::storage::<(AccountId32,), subxt::dynamic::Value>("RentMachine", "UserOrder");
    let order_key = hex(&at.storage().entry(user_order).unwrap().fetch_key((who,)).unwrap());
    for (n, want) in [
        (1_001, ErrorCode::ChainReplyTooLarge),
        (500_000, ErrorCode::ChainReplyTooLarge),
        (1_000_000, ErrorCode::ChainRpc),
    ] {
        let ids = order_ids(n);
        let k = order_key.clone();
        proxy.forge("state_getStorage", move |p| (p.get(0)?.as_str()? == k).then(|| json!(ids.clone())));
        let lied_to =
            RentalService::open(data_dir, connect(&proxy.url()).await, Arc::new(NonceTracker::new())).await.unwrap();
        let t = Instant::now();
        let e = lied_to.sync(&who).await.expect_err("too many order ids are refused");
        // A million ids (16 MB of hex) is past the WebSocket client's 10 MB
        // message cap: the transport refuses it before our bound can.
        assert_eq!(e.code, want, "{n} ids: {e:?}");
        assert!(t.elapsed() < Duration::from_secs(60), "{n} ids refused in bounded time: {:?}", t.elapsed());
        unchanged(&format!("{n} order ids"));
        eprintln!("{n} order ids refused ({}) in {:?}", e.code, t.elapsed());
    }
    proxy.unforge("state_getStorage");

    // The honest node still works afterwards, and the journal is the one we had.
    let rentals = real.sync(&who).await.expect("sync on the real node");
    assert_eq!(rentals.iter().filter(|r| r.machine_id == machine).count(), 1);
}
