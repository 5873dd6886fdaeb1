//! `dbc-sandbox up` failed now and then on a busy machine with "metadata is
//! not a SCALE Vec<u8>": `metadata.cjs` printed its ~700 KB of hex to a pipe
//! and called `process.exit()`, which drops whatever the pipe had not taken
//! yet when the reader is slow (Node writes pipes asynchronously on POSIX).
//! The first test makes the reader slow on purpose, so the race is certain;
//! the second starts the network repeatedly from scratch with the CPU busy.

mod common;

use codec::Decode;
use dbc_sandbox::{js::JsEnv, spec, Sandbox, SandboxConfig};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn spec_path() -> PathBuf {
    spec::resolve(&spec::SpecSources::new(None, PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("spec-cache.json")))
        .await
        .expect("chain spec")
        .path
}

#[tokio::test]
async fn the_metadata_reaches_a_reader_that_is_slow_to_read() {
    let js = JsEnv::locate(None).expect("node + chopsticks (make sandbox-deps)");
    let spec = spec_path().await;
    let mut child = Command::new(&js.node)
        .arg(js.script("metadata.cjs"))
        .arg(&spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Read nothing until the script has exited (or would have, had it not
    // waited for the pipe): the 64 KiB pipe buffer fills, the rest queues up.
    let deadline = Instant::now() + Duration::from_secs(12);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(out.len() > 65_536, "cut at the pipe buffer: {} bytes", out.len());
    assert_eq!(out.last(), Some(&b'\n'), "the line ends");
    let text = String::from_utf8(out).unwrap();
    let opaque = hex::decode(text.trim().trim_start_matches("0x")).unwrap();
    let bytes = Vec::<u8>::decode(&mut &opaque[..]).expect("a whole SCALE Vec<u8>");
    assert_eq!(&bytes[..4], b"meta");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_from_scratch_again_and_again_with_the_cpu_busy() {
    let spec = spec_path().await;
    // A spinning thread: the reader of the script's pipe and the readiness
    // checks run late, as on a machine busy with other work (one, not one per
    // core, so five cold starts stay around a minute on two cores).
    let stop = Arc::new(AtomicBool::new(false));
    let spinners: Vec<_> = (0..1)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                }
                x
            })
        })
        .collect();
    let started = Instant::now();
    let mut result = Ok(());
    for round in 1..=5 {
        // Its own cache each time: the metadata is extracted on every start.
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = SandboxConfig::chain_only(dir.path().to_path_buf(), 4);
        cfg.spec = Some(spec.clone());
        match Sandbox::start(cfg).await {
            Ok(sandbox) => {
                assert!(sandbox.chain().best().await.is_ok(), "round {round}: the chain answers");
                sandbox.stop().await.unwrap();
            }
            Err(e) => {
                result = Err(format!("round {round}: {} ({})", e.message, e.code));
                break;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for s in spinners {
        let _ = s.join();
    }
    eprintln!("5 cold starts under load in {:?}", started.elapsed());
    result.unwrap();
}
