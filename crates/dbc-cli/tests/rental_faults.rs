//! The rental flow when more than one actor moves at once, on a real
//! practice network: two `dbc-rent rent` processes of one machine started
//! together from one data dir, and the app's rent (the core rental service
//! the app's command calls, in this process) racing a CLI rent. Each case
//! checks the chain afterwards: one order, never two.

use dbc::chain::NonceTracker;
use dbc::rental::{RentalService, Stage};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

mod common;

use common::{DEV, PASSWORD};

/// `dbc-rent` (see [`common::practice_cmd`]) with no input and its output captured.
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = common::practice_cmd(dir, args);
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Exit code and the JSON document the command printed.
fn finish(child: std::process::Child) -> (Option<i32>, Value) {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let v = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} / {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    let (code, v) = finish(cmd(dir, args).spawn().unwrap());
    assert_eq!(code, Some(0), "{args:?}: {v}");
    v
}

/// The account's next nonce on chain: one more per signed transaction.
async fn nonce(client: &dbc::chain::ChainClient, who: &dbc::chain::AccountId32) -> u32 {
    dbc::chain::account::account_info_at_best(client, who).await.unwrap().1
}

/// Orders of `machine` on chain, read from the node.
async fn orders_on(client: &dbc::chain::ChainClient, who: &dbc::chain::AccountId32, machine: &str) -> usize {
    dbc::chain::rent::orders_of(client, who).await.unwrap().1.iter().filter(|o| o.machine_id == machine).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_rents_of_one_machine_place_one_order() {
    dbc_sandbox::install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    let sandbox = dbc_sandbox::Sandbox::start(dbc_sandbox::SandboxConfig::chain_only(data.path().to_path_buf(), 60))
        .await
        .expect("practice network starts (run `make sandbox-deps` first)");
    let dir = data.path().to_path_buf();
    let mut import = cmd(&dir, &["wallet", "import", "--mnemonic-stdin", "--name", "renter"]);
    import.stdin(Stdio::piped());
    let mut child = import.spawn().unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(format!("{DEV}//race-test").as_bytes()).unwrap();
    }
    let (code, acc) = finish(child);
    assert_eq!(code, Some(0), "{acc}");
    let address = acc["address"].as_str().unwrap().to_string();
    sandbox.fund(&address, 200_000).await.unwrap();
    let result = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(race(&sandbox, &dir, &address))).await;
    sandbox.stop().await.unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn race(sandbox: &dbc_sandbox::Sandbox, dir: &Path, address: &str) {
    let (client, _) = dbc::chain::client::connect("practice", sandbox.chain_url(), None, Default::default(), None)
        .await
        .expect("connect");
    let who = dbc::wallet::parse_address(address).unwrap();
    let d = dir.to_path_buf();
    let rows = tokio::task::spawn_blocking(move || {
        ok(&d, &["machines", "list", "--idle", "--min-free", "2", "--sort", "price"])
    })
    .await
    .unwrap();
    let idle: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "idle")
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert!(idle.len() >= 2);

    // ---- two CLI processes, one machine, started together ----
    // Two outcomes are right, by timing: the second is refused while the
    // first holds the rental in flight (`rental-in-progress`), or it comes
    // after the first journaled its rent, takes itself for a retry of the
    // same command, settles on that order and reports it. Either way one
    // transaction is signed and one order is on chain.
    let nonce_before = nonce(&client, &who).await;
    let args = ["rent", idle[0].as_str(), "--gpus", "1", "--hours", "1"];
    let (a, b) = (cmd(dir, &args).spawn().unwrap(), cmd(dir, &args).spawn().unwrap());
    let (ra, rb) = tokio::task::spawn_blocking(move || (finish(a), finish(b))).await.unwrap();
    let outcomes = [ra, rb];
    let placed: Vec<&Value> = outcomes.iter().filter(|(c, _)| *c == Some(0)).map(|(_, v)| v).collect();
    let refused: Vec<&Value> = outcomes.iter().filter(|(c, _)| *c == Some(1)).map(|(_, v)| v).collect();
    assert!(!placed.is_empty() && placed.iter().all(|v| v["stage"] == "placed"), "{outcomes:?}");
    match (placed.len(), refused.len()) {
        (1, 1) => assert_eq!(refused[0]["error"]["code"], "rental-in-progress", "{outcomes:?}"),
        (2, 0) => assert_eq!(placed[0]["id"], placed[1]["id"], "both report the one rental: {outcomes:?}"),
        _ => panic!("one rent, the other refused or settled on it: {outcomes:?}"),
    }
    assert_eq!(orders_on(&client, &who, &idle[0]).await, 1, "one order on chain");
    assert_eq!(nonce(&client, &who).await, nonce_before + 1, "one transaction signed");

    // ---- the app's rent (the core service, in this process) racing a CLI rent ----
    let wallet = dbc::wallet::Wallet::open(dir).unwrap();
    let key = wallet.signing_key(address, &dbc::wallet::SecretString::from(PASSWORD.to_string())).unwrap();
    let svc = RentalService::open(dir, client.clone(), Arc::new(NonceTracker::new())).await.unwrap();
    let market = dbc::market::load_all(&client).await.unwrap();
    let nonce_before = nonce(&client, &who).await;
    let cli = cmd(dir, &["rent", idle[1].as_str(), "--gpus", "1", "--hours", "1"]).spawn().unwrap();
    let app = svc.place(&key, &market, &idle[1], 1, 600, |_| {}).await;
    let (cli_code, cli_out) = tokio::task::spawn_blocking(move || finish(cli)).await.unwrap();
    let app_ok = app.as_ref().is_ok_and(|r| r.stage == Stage::Placed);
    let cli_ok = cli_code == Some(0);
    match (app_ok, cli_ok) {
        (true, false) => assert_eq!(cli_out["error"]["code"], "rental-in-progress", "{cli_out}"),
        (false, true) => assert_eq!(app.unwrap_err().code, dbc::ErrorCode::RentalInProgress),
        (true, true) => assert_eq!(
            cli_out["id"].as_str(),
            app.as_ref().ok().map(|r| r.id.as_str()),
            "both report the one rental: app {app:?}, cli {cli_out}"
        ),
        (false, false) => panic!("neither placed the order: app {app:?}, cli {cli_out}"),
    }
    assert_eq!(orders_on(&client, &who, &idle[1]).await, 1, "one order on chain");
    assert_eq!(nonce(&client, &who).await, nonce_before + 1, "one transaction signed");
}
