//! `make bench`: what the app itself costs the user's machine, measured on
//! the release build (`$DBC_RENT_APP`, `make package`'s binary) in the real
//! window (WebKitGTK under Xvfb) against a 2,000-machine practice network.
//! Each figure is the median of 5 runs, printed with its budget:
//!
//! - cold start: from the app process's start (its `/proc/<pid>/stat` start
//!   time) to the first frame in which the Wallet step shows its controls
//!   (`window.__dbcWalletReady`, on the window's clock `performance.timeOrigin`);
//! - the Machine step's first paint, from the click on "Machine" to the first
//!   rows on screen (`window.__dbcMarketPaint`), once with no disk cache (the
//!   list read from the chain) and once from the cache the first run saved;
//! - idle memory: the proportional set size (`Pss` of `/proc/<pid>/smaps_rollup`,
//!   so shared libraries are not counted twice) of the app and every process
//!   under it (WebKit's web and network processes) 60 s after the click on
//!   "Machine" with the 2,000 machines listed;
//! - the `.deb`: its size and its installed size (`Installed-Size`).
//!
//! The app is started through tauri-driver, as in the e2e specs; the
//! WebDriver session is set up while the app starts, so it is part of what
//! is measured (as a user's desktop session is part of theirs).

use dbc_e2e::{app_binary, choose_practice, workspace_root, Launch, Session};
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MACHINES: usize = 2000;
const RUNS: usize = 5;
const COLD_START_BUDGET_MS: f64 = 1500.0;
const CACHED_PAINT_BUDGET_MS: f64 = 300.0;
const PSS_BUDGET_MB: f64 = 200.0;
const PACKAGE_BUDGET_MB: f64 = 40.0;
const IDLE: Duration = Duration::from_secs(60);

/// One run's figures.
struct Run {
    cold_start_ms: f64,
    chain_paint_ms: f64,
    cached_paint_ms: f64,
    pss: Pss,
}

/// Proportional set sizes in KiB: the app's own process and what runs under it.
#[derive(Clone, Copy, Default)]
struct Pss {
    app_kib: u64,
    children_kib: u64,
    processes: usize,
}

impl Pss {
    fn total_mb(&self) -> f64 {
        (self.app_kib + self.children_kib) as f64 / 1024.0
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let app = app_binary();
    assert!(app.exists(), "{} is missing: run `make package` (the release build) first", app.display());
    dbc_sandbox::install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    let mut cfg = SandboxConfig::chain_only(data.path().to_path_buf(), MACHINES);
    cfg.block_time = Some(Duration::from_secs(6));
    let sandbox = Sandbox::start(cfg).await.expect("the practice network starts (make sandbox-deps)");
    choose_practice(data.path());

    let mut runs = Vec::new();
    for i in 0..RUNS {
        let run = one_run(&app, data.path()).await;
        println!(
            "  run {}: cold start {:.0} ms, paint from the chain {:.0} ms, from the cache {:.0} ms, PSS {:.0} MB",
            i + 1,
            run.cold_start_ms,
            run.chain_paint_ms,
            run.cached_paint_ms,
            run.pss.total_mb()
        );
        runs.push(run);
    }
    sandbox.stop().await.unwrap();
    report(&app, &runs);
}

/// A first launch with no market cache (cold start, paint from the chain,
/// memory after a minute), then a second one that paints from the cache.
async fn one_run(app: &Path, data: &Path) -> Run {
    let cache = data.join("cache");
    let _ = std::fs::remove_dir_all(&cache);

    let s = Session::start("bench", Launch::locale("en_US.UTF-8").data_dir(data)).await;
    let pid = app_pid(app);
    let ready = wait_number(&s, "window.__dbcWalletReady", "the Wallet step never became ready").await;
    let origin = eval_number(&s, "return performance.timeOrigin;").await;
    let cold_start_ms = origin + ready - process_start_epoch_ms(pid);

    let (clicked, at) = click_machine(&s).await;
    let paint = wait_market_paint(&s).await;
    assert_eq!(paint["source"], "chain", "with no cache the first rows come from the chain");
    let chain_paint_ms = paint["ms"].as_f64().unwrap_or(f64::NAN) - clicked;
    wait_cache_saved(&cache).await;
    tokio::time::sleep(IDLE.saturating_sub(at.elapsed())).await;
    let pss = pss_of_tree(pid);
    s.close().await;
    wait_gone(pid).await;

    let s = Session::start("bench", Launch::locale("en_US.UTF-8").data_dir(data)).await;
    let pid = app_pid(app);
    let (clicked, _) = click_machine(&s).await;
    let paint = wait_market_paint(&s).await;
    assert_eq!(paint["source"], "cache", "the second run paints from the saved cache");
    let cached_paint_ms = paint["ms"].as_f64().unwrap_or(f64::NAN) - clicked;
    s.close().await;
    wait_gone(pid).await;

    Run { cold_start_ms, chain_paint_ms, cached_paint_ms, pss }
}

fn report(app: &Path, runs: &[Run]) {
    let med = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    let verdict = |v: f64, budget: f64| if v <= budget { "ok" } else { "OVER" };
    let cold = med(&|r| r.cold_start_ms);
    let cached = med(&|r| r.cached_paint_ms);
    let pss = med(&|r| r.pss.total_mb());
    let app_mb = med(&|r| r.pss.app_kib as f64 / 1024.0);
    let children_mb = med(&|r| r.pss.children_kib as f64 / 1024.0);
    let processes = runs.iter().map(|r| r.pss.processes).max().unwrap_or(0);
    println!("app costs (release build {}, Xvfb, {MACHINES} machines, median of {RUNS}):", app.display());
    println!(
        "  cold start to the Wallet step's controls: {cold:.0} ms (budget {COLD_START_BUDGET_MS:.0} ms: {})",
        verdict(cold, COLD_START_BUDGET_MS)
    );
    println!("  Machine step first paint from the chain : {:.0} ms from the click", med(&|r| r.chain_paint_ms));
    println!(
        "  Machine step first paint from the cache : {cached:.0} ms from the click (budget {CACHED_PAINT_BUDGET_MS:.0} ms: {})",
        verdict(cached, CACHED_PAINT_BUDGET_MS)
    );
    println!(
        "  memory (PSS) after {} s on the Machine step: {pss:.0} MB (budget {PSS_BUDGET_MB:.0} MB: {}): app {app_mb:.0} MB, the {} processes under it {children_mb:.0} MB",
        IDLE.as_secs(),
        verdict(pss, PSS_BUDGET_MB),
        processes.saturating_sub(1)
    );
    match deb_figures() {
        Some((deb, size_mb, installed_mb)) => println!(
            "  package {}: {size_mb:.1} MB (budget {PACKAGE_BUDGET_MB:.0} MB: {}), installed {installed_mb:.1} MB",
            deb.file_name().unwrap_or_default().to_string_lossy(),
            verdict(size_mb, PACKAGE_BUDGET_MB)
        ),
        None => println!("  package: no .deb in target/release/bundle/deb (run `make package`)"),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn eval_number(s: &Session, script: &str) -> f64 {
    s.client.execute(script, vec![]).await.expect(script).as_f64().unwrap_or(f64::NAN)
}

/// Waits until the page value `expr` is a number, then gives it.
async fn wait_number(s: &Session, expr: &str, what: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = s.client.execute(&format!("return {expr} ?? null;"), vec![]).await.unwrap();
        if let Some(n) = v.as_f64() {
            return n;
        }
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Clicks "Machine" from the page itself: the click's time on the window's
/// clock, and when it happened here.
async fn click_machine(s: &Session) -> (f64, Instant) {
    s.wait("nav-machine").await;
    let at = Instant::now();
    let clicked = eval_number(
        s,
        r#"const at = performance.now();
           document.querySelector('[data-testid="nav-machine"]').click();
           return at;"#,
    )
    .await;
    (clicked, at)
}

async fn wait_market_paint(s: &Session) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v = s.client.execute("return window.__dbcMarketPaint || null;", vec![]).await.unwrap();
        if !v.is_null() {
            return v;
        }
        assert!(Instant::now() < deadline, "the Machine step never painted rows");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_cache_saved(cache: &Path) {
    let deadline = Instant::now() + Duration::from_secs(180);
    let saved = || {
        cache.read_dir().into_iter().flatten().flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("market-") && name != "market-last.json"
        })
    };
    while !saved() {
        assert!(Instant::now() < deadline, "the app never saved the market cache");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The one running process of the app binary.
fn app_pid(app: &Path) -> u32 {
    let want = app.canonicalize().unwrap_or_else(|_| app.to_path_buf());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found: Vec<u32> = pids().filter(|p| exe_of(*p).as_deref() == Some(want.as_path())).collect();
        match found.as_slice() {
            [one] => return *one,
            [] if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            other => panic!("expected one running {}, found {other:?}", want.display()),
        }
    }
}

async fn wait_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pids() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc").into_iter().flatten().flatten().filter_map(|e| e.file_name().to_str()?.parse().ok())
}

fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// The fields of `/proc/<pid>/stat` after the command name (which may hold
/// spaces and parentheses): `[0]` is the state, `[1]` the parent, `[19]` the
/// start time in clock ticks since boot.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// When `pid` started, in ms since the Unix epoch (10 ms resolution: Linux
/// counts in USER_HZ = 100 ticks a second).
fn process_start_epoch_ms(pid: u32) -> f64 {
    const TICKS_PER_SEC: f64 = 100.0;
    let ticks: f64 = stat_fields(pid).and_then(|f| f.get(19)?.parse().ok()).expect("the app's start time");
    let boot_secs: f64 = std::fs::read_to_string("/proc/stat")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
        .expect("btime in /proc/stat");
    // btime is whole seconds; correct it with the uptime clock for a start
    // time on the same clock as the window's `performance.timeOrigin`.
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .unwrap()
        .split_whitespace()
        .next()
        .and_then(|u| u.parse().ok())
        .expect("/proc/uptime");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    let boot = if (now - uptime - boot_secs).abs() < 2.0 { now - uptime } else { boot_secs };
    (boot + ticks / TICKS_PER_SEC) * 1000.0
}

/// PSS of `root` and every process under it.
fn pss_of_tree(root: u32) -> Pss {
    let parents: Vec<(u32, u32)> = pids().filter_map(|p| Some((p, stat_fields(p)?.get(1)?.parse().ok()?))).collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    let kib = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|s| {
                s.lines().find_map(|l| l.strip_prefix("Pss:")?.trim().strip_suffix("kB")?.trim().parse().ok())
            })
            .unwrap_or(0u64)
    };
    Pss { app_kib: kib(root), children_kib: tree[1..].iter().map(|p| kib(*p)).sum(), processes: tree.len() }
}

/// The newest `.deb` the bundler made: its path, size and installed size in MB.
fn deb_figures() -> Option<(PathBuf, f64, f64)> {
    let dir = workspace_root().join("target/release/bundle/deb");
    let deb = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "deb"))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())?;
    let size_mb = deb.metadata().ok()?.len() as f64 / 1_048_576.0;
    let out = std::process::Command::new("dpkg-deb").args(["-f"]).arg(&deb).arg("Installed-Size").output().ok()?;
    let installed_kib: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some((deb, size_mb, installed_kib / 1024.0))
}
