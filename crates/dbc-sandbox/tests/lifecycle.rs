//! The network as a process: `dbc-sandbox up` / `down` leave nothing behind
//! and the ticker moves the chain; a restart resumes the same state.

mod common;

use dbc_sandbox::client::Chain;
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dbc-sandbox");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_ticks_and_down_leaves_no_process() {
    let dir = common::data_dir();
    let mut up = Command::new(BIN)
        .args(["up", "--json", "--block-ms", "400", "--no-persist", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(up.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let url = ready["chain"].as_str().unwrap().to_string();
    assert!(url.starts_with("ws://127.0.0.1:"), "{ready}");
    // The DBC client simulator runs next to the chain and answers its version route.
    let client = ready["client"].as_str().expect("client URL").to_string();
    assert!(client.starts_with("http://127.0.0.1:"), "{ready}");
    let version: serde_json::Value = reqwest::get(format!("{client}/api/v1/")).await.unwrap().json().await.unwrap();
    assert_eq!(version["errcode"], 0, "{version}");
    assert!(ready["accounts"].as_array().unwrap().iter().any(|a| a["role"] == "faucet"));

    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("practice/state.json")).unwrap()).unwrap();
    let pid = state["pid"].as_u64().unwrap() as u32;
    assert_eq!(state["chain"], url.as_str());
    assert!(!common::processes_in_group(pid).is_empty());

    // The ticker builds blocks on its own.
    let chain = Chain::connect(&url).await.unwrap();
    let (b0, _) = chain.best().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (b, _) = chain.best().await.unwrap();
        if b >= b0 + 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no blocks from the ticker (still {b})");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = Command::new(BIN).args(["status", "--json", "--data-dir"]).arg(dir.path()).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["running"], true);

    let down = Command::new(BIN).args(["down", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
    let code = up.wait().unwrap();
    assert!(code.success(), "up exits cleanly after down: {code}");
    assert!(common::processes_in_group(pid).is_empty(), "no chopsticks/node process survives");
    assert!(
        common::processes_mentioning(&dir.path().display().to_string()).is_empty(),
        "nothing runs from the data dir"
    );
    assert!(!dir.path().join("practice/state.json").exists());
    let status = Command::new(BIN).args(["status", "--data-dir"]).arg(dir.path()).output().unwrap();
    assert_eq!(status.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_resumes_the_same_state() {
    let dir = common::data_dir();
    let cfg = || {
        let mut c = SandboxConfig::new(dir.path().to_path_buf());
        c.block_time = None;
        c
    };
    let sb = Sandbox::start(cfg()).await.unwrap();
    assert!(!sb.timings().resumed);
    let first = identity(&sb).await;
    assert!(first.instance.is_some(), "a fresh practice chain has its own instance id");
    let who = "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc";
    sb.fund(who, 777).await.unwrap();
    let (height, _) = sb.chain().best().await.unwrap();
    let pid = sb.pid();
    sb.stop().await.unwrap();
    assert!(common::processes_in_group(pid).is_empty());

    let sb = Sandbox::start(cfg()).await.unwrap();
    assert!(sb.timings().resumed, "the second start resumes from the db");
    assert_eq!(identity(&sb).await, first, "a resumed chain is the same chain: same journal");
    let (again, _) = sb.chain().best().await.unwrap();
    assert!(again >= height, "blocks kept: {again} >= {height}");
    let bal = sb.chain().free_balance(&who.parse().unwrap()).await.unwrap();
    assert_eq!(bal, 777 * dbc_sandbox::seed::accounts::DBC, "the transfer survived the restart");
    // The seed is still there too.
    let at = sb.chain().at_best().await.unwrap();
    let fee = at
        .storage()
        .fetch(subxt::dynamic::storage::<(), u128>("GenericFunc", "FixedTxFee"), ())
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(fee, 10 * dbc_sandbox::seed::accounts::DBC);
    drop(at);
    // A second network on the same data dir is refused.
    let e = Sandbox::start(cfg()).await.err().expect("refused");
    assert_eq!(e.code, dbc::ErrorCode::SandboxAlreadyRunning);
    // Dropping without `stop` still kills the whole process group.
    let pid = sb.pid();
    drop(sb);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !common::processes_in_group(pid).is_empty() {
        assert!(Instant::now() < deadline, "chopsticks survived the drop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!dir.path().join("practice/state.json").exists());

    // Started afresh: the same genesis hash (chopsticks), another chain whose
    // rent ids restart at 0, so another journal.
    let mut fresh = cfg();
    fresh.fresh = true;
    let sb = Sandbox::start(fresh).await.unwrap();
    let other = identity(&sb).await;
    sb.stop().await.unwrap();
    assert_eq!(other.genesis, first.genesis);
    assert_ne!(other.instance, first.instance);
    assert_ne!(
        dbc::rental::RentalBook::path_for(dir.path(), &other),
        dbc::rental::RentalBook::path_for(dir.path(), &first)
    );
}

/// The identity of the chain a sandbox serves, as the app and the CLI read it.
async fn identity(sb: &Sandbox) -> dbc::chain::ChainIdentity {
    let (client, _) =
        dbc::chain::client::connect("practice", sb.chain_url(), None, Default::default(), None).await.unwrap();
    dbc::chain::identity::identity(&client).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_chain_is_detected_and_reported() {
    let dir = common::data_dir();
    let cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 4);
    let sb = Sandbox::start(cfg).await.unwrap();
    assert!(sb.exit_reason().is_none(), "running");
    // Kill the chain behind the sandbox's back, as an OOM kill would.
    unsafe { libc::kill(sb.pid() as i32, libc::SIGKILL) };
    let reason = tokio::time::timeout(Duration::from_secs(10), sb.exited()).await.expect("the crash is noticed");
    match reason {
        dbc_sandbox::ExitReason::Crashed(e) => {
            assert_eq!(e.code, dbc::ErrorCode::SandboxCrashed, "{e:?}");
            assert!(e.data.as_ref().unwrap()["log"].as_str().unwrap().ends_with(".log"), "{e:?}");
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    assert!(matches!(sb.exit_reason(), Some(dbc_sandbox::ExitReason::Crashed(_))));
    sb.stop().await.ok();
}
