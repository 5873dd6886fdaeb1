//! What the CLI's practice-network tests share: the test account, a
//! `dbc-rent` command for a data dir, and a practice network that is
//! stopped even when the checks fail.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The dev phrase; tests derive their own account from it (`{DEV}//name`).
pub const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
pub const PASSWORD: &str = "app password 1";

/// `dbc-rent --network practice --json ARGS` on data dir `dir`, with the app
/// password from the environment and secrets in the encrypted file. A test
/// that made `dir/home` gets it as `HOME` (its `~/.ssh` and nothing of the
/// user's).
pub fn practice_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dbc-rent"));
    c.env("DBC_RENT_HOME", dir)
        .env("DBC_RENT_PASSWORD", PASSWORD)
        .env("DBC_RENT_SECRET_STORE", "file")
        .args(["--network", "practice", "--json"])
        .args(args);
    if dir.join("home").is_dir() {
        c.env("HOME", dir.join("home"));
    }
    c
}

/// [`practice_cmd`] run with `stdin`: exit code, stdout as JSON, stderr.
pub fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> (Option<i32>, Value, String) {
    run_json(practice_cmd(dir, args), stdin)
}

/// [`run`] that must succeed: its JSON.
pub fn ok(dir: &Path, args: &[&str]) -> Value {
    let (code, v, stderr) = run(dir, args, None);
    assert_eq!(code, Some(0), "{args:?}: {v} / {stderr}");
    v
}

/// Imports the test account `{DEV}{derivation}` into `dir`'s wallet as
/// "renter" and gives it 200,000 DBC on `sandbox`. Its address.
pub async fn funded_renter(sandbox: &dbc_sandbox::Sandbox, dir: &Path, derivation: &str) -> String {
    let import = ["wallet", "import", "--mnemonic-stdin", "--name", "renter"];
    let (code, acc, stderr) = run(dir, &import, Some(&format!("{DEV}{derivation}")));
    assert_eq!(code, Some(0), "{acc} {stderr}");
    let address = acc["address"].as_str().unwrap().to_string();
    sandbox.fund(&address, 200_000).await.unwrap();
    address
}

/// A planck amount as the CLI prints it (a decimal string).
pub fn planck(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

/// The row of rent id `rent_id` in `dbc-rent rentals` output.
pub fn rental_row(rentals: &Value, rent_id: Option<u64>) -> Value {
    rentals["rentals"].as_array().unwrap().iter().find(|x| x["rent_id"].as_u64() == rent_id).cloned().unwrap()
}

/// A practice network with `machines` seeded machines (chain only) in a
/// fresh data dir.
pub async fn practice(machines: usize) -> (tempfile::TempDir, dbc_sandbox::Sandbox) {
    practice_with(|dir| dbc_sandbox::SandboxConfig::chain_only(dir, machines)).await
}

/// A practice network configured by `config` for a fresh data dir.
pub async fn practice_with(
    config: impl FnOnce(PathBuf) -> dbc_sandbox::SandboxConfig,
) -> (tempfile::TempDir, dbc_sandbox::Sandbox) {
    dbc_sandbox::install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    let cfg = config(data.path().to_path_buf());
    let sandbox =
        dbc_sandbox::Sandbox::start(cfg).await.expect("practice network starts (run `make sandbox-deps` first)");
    (data, sandbox)
}

/// Run the blocking `check` on `dir`, stop `sandbox`, then fail with
/// `check`'s panic if it had one (so a failed check never leaves a chain running).
pub async fn check_then_stop(sandbox: dbc_sandbox::Sandbox, dir: PathBuf, check: impl FnOnce(&Path) + Send + 'static) {
    let result = tokio::task::spawn_blocking(move || check(&dir)).await;
    sandbox.stop().await.unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Run `c` (a `--json` command) with `stdin` written and closed: its exit
/// code, its stdout as JSON (a panic naming both streams when it is not),
/// and its stderr.
pub fn run_json(mut c: Command, stdin: Option<&str>) -> (Option<i32>, Value, String) {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code(), serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text} / {stderr}")), stderr)
}
