//! End-to-end harness: the real app window (WebKitGTK) driven over W3C
//! WebDriver.
//!
//! Chain of processes: this test -> `tauri-driver` (port P) -> `WebKitWebDriver`
//! (port P+n) -> the app binary built by `tauri build --debug --no-bundle`
//! (embedded assets; a plain `cargo build` would load the dev-server URL).
//! Run it under Xvfb (`make test` does). Each session gets a fresh data dir
//! through `DBC_RENT_HOME` and a fixed locale, so runs are independent of
//! the machine. Screenshots land in `target/e2e-screenshots/<spec>-<step>-<lang>.png`.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for an element before failing the test.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The app under test: `$DBC_RENT_APP`, else the `tauri build --debug` output.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("DBC_RENT_APP") {
        return PathBuf::from(p);
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    target.join("debug").join("dbc-rent-app")
}

pub fn screenshot_dir() -> PathBuf {
    workspace_root().join("target").join("e2e-screenshots")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match cargo_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// `tauri-driver` in its own process group, killed with everything it
/// started (WebKitWebDriver, the app) when dropped, so no orphan keeps a
/// port or a window.
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}

/// How to start the app.
#[derive(Clone, Debug)]
pub struct Launch {
    /// POSIX locale for the app (`LANG`/`LC_ALL`), e.g. `en_US.UTF-8`.
    pub locale: String,
    /// The data dir; `None` makes a fresh temporary one.
    pub data_dir: Option<PathBuf>,
    /// More environment for the app (e.g. a private `HOME` for the clients it starts).
    pub env: Vec<(String, String)>,
}

impl Launch {
    pub fn locale(locale: &str) -> Self {
        Launch { locale: locale.into(), data_dir: None, env: Vec::new() }
    }
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.data_dir = Some(dir.to_path_buf());
        self
    }
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }
}

/// One running app window and the WebDriver session on it.
pub struct Session {
    pub client: Client,
    pub spec: String,
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    _driver: DriverProcess,
}

impl Session {
    pub async fn start(spec: &str, launch: Launch) -> Session {
        let app = app_binary();
        assert!(
            app.exists(),
            "{} is missing: build it with `make e2e-build` (tauri build --debug --no-bundle)",
            app.display()
        );
        let (temp, data_dir) = match launch.data_dir {
            Some(d) => (None, d),
            None => {
                let t = tempfile::tempdir().unwrap();
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DBC_RENT_HOME", &data_dir)
            .env("LANG", &launch.locale)
            .env("LC_ALL", &launch.locale)
            .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot start tauri-driver ({e}): install it with `cargo install tauri-driver --locked`")
        });
        let driver = DriverProcess(child);
        wait_for_port(port).await;
        // tauri-driver answers before its native driver is ready; a request
        // in that gap is reset. Retry the session for a while instead.
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "tauri:options": { "application": app.display().to_string() }
        }))
        .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("webdriver not ready yet: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("cannot open a WebDriver session on the app: {e}"),
            }
        };
        let s = Session { client, spec: spec.into(), data_dir, _temp: temp, _driver: driver };
        s.wait("statusbar").await;
        s
    }

    /// End the session and the app (the driver goes when dropped).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    fn css(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// Wait until the element with `data-testid` is present.
    pub async fn wait(&self, testid: &str) -> Element {
        self.wait_for(testid, WAIT).await
    }

    /// Wait up to `timeout` for the element (slow things: starting a chain).
    pub async fn wait_for(&self, testid: &str, timeout: Duration) -> Element {
        self.client
            .wait()
            .at_most(timeout)
            .for_element(Locator::Css(&Self::css(testid)))
            .await
            .unwrap_or_else(|e| panic!("[{}] no element data-testid={testid} within {timeout:?}: {e}", self.spec))
    }

    /// Replace the text of an input.
    pub async fn type_into(&self, testid: &str, text: &str) {
        let el = self.wait(testid).await;
        el.clear().await.unwrap_or_else(|e| panic!("[{}] clear {testid}: {e}", self.spec));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("[{}] type into {testid}: {e}", self.spec));
    }

    /// Scroll the element to the middle of the window (before a screenshot
    /// of something below the fold).
    pub async fn scroll_to(&self, testid: &str) {
        let el = self.wait(testid).await;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![serde_json::to_value(&el).unwrap()])
            .await
            .unwrap_or_else(|e| panic!("[{}] scroll to {testid}: {e}", self.spec));
    }

    /// The `data-testid`s present now that start with `prefix`, in page order.
    pub async fn testids_with_prefix(&self, prefix: &str) -> Vec<String> {
        let v = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid^=\"' + arguments[0] + '\"]')).map(e => e.getAttribute('data-testid'));",
                vec![serde_json::Value::String(prefix.to_string())],
            )
            .await
            .unwrap_or_else(|e| panic!("[{}] list {prefix}*: {e}", self.spec));
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    /// An attribute of the element, if set.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.wait(testid)
            .await
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("[{}] attr {name} of {testid}: {e}", self.spec))
    }

    pub async fn exists(&self, testid: &str) -> bool {
        self.client.find(Locator::Css(&Self::css(testid))).await.is_ok()
    }

    pub async fn click(&self, testid: &str) {
        self.wait(testid).await.click().await.unwrap_or_else(|e| panic!("[{}] click {testid}: {e}", self.spec));
    }

    /// The element's text content, whitespace collapsed. (WebKitWebDriver's
    /// "element text" returns only the first block of a flex button, so read
    /// `textContent` through a script instead.)
    pub async fn text(&self, testid: &str) -> String {
        let el = self.wait(testid).await;
        let v = self
            .client
            .execute("return arguments[0].textContent;", vec![serde_json::to_value(&el).unwrap()])
            .await
            .unwrap_or_else(|e| panic!("[{}] text of {testid}: {e}", self.spec));
        v.as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub async fn select(&self, testid: &str, value: &str) {
        self.wait(testid)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("[{}] select {value} in {testid}: {e}", self.spec));
    }

    /// Poll `testid`'s text until `pred` holds; returns it.
    pub async fn wait_text(&self, testid: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_text_for(testid, what, WAIT, pred).await
    }

    /// [`Session::wait_text`] with an explicit timeout.
    pub async fn wait_text_for(
        &self,
        testid: &str,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let t = self.text(testid).await;
            if pred(&t) {
                return t;
            }
            assert!(Instant::now() < deadline, "[{}] {testid} never became {what}; last text {t:?}", self.spec);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait up to `timeout` until the status bar says the chain is connected
    /// (in English or Chinese); returns the text.
    pub async fn wait_connected(&self, timeout: Duration) -> String {
        self.wait_text_for("status-connection", "connected", timeout, |t| t == "Connected" || t == "已连接").await
    }

    /// The last steps of creating a wallet: name, password twice, finish;
    /// returns once the first account is listed.
    pub async fn finish_new_wallet(&self, name: &str, password: &str) {
        self.type_into("create-name", name).await;
        self.type_into("create-password", password).await;
        self.type_into("create-password-confirm", password).await;
        self.click("create-finish").await;
        self.wait_for("wallet-account-0", Duration::from_secs(30)).await;
    }

    /// From the create dialog's warning: a wallet `name` whose backup is left
    /// for later, funded with `amount` practice DBC; returns its address.
    pub async fn new_funded_wallet(&self, name: &str, password: &str, amount: &str) -> String {
        self.click("create-understood").await;
        self.click("create-later").await;
        self.finish_new_wallet(name, password).await;
        let address = self.text("receive-address").await;
        self.fund_from_faucet(&address, amount).await;
        address
    }

    /// Send `amount` practice DBC to `address` from the faucet in Settings;
    /// returns the receipt once it shows the amount.
    pub async fn fund_from_faucet(&self, address: &str, amount: &str) -> String {
        self.click("nav-settings").await;
        self.wait_for("practice-panel", Duration::from_secs(20)).await;
        self.type_into("faucet-address", address).await;
        self.type_into("faucet-amount", amount).await;
        self.click("faucet-submit").await;
        self.wait_text_for("faucet-result", "a faucet receipt", Duration::from_secs(60), |t| t.contains(amount)).await
    }

    /// Save a PNG of the window as `<spec>-<step>-<lang>.png`.
    pub async fn screenshot(&self, step: &str, lang: &str) -> PathBuf {
        // Xvfb screenshots lag one repaint behind.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("[{}] screenshot: {e}", self.spec));
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{step}-{lang}.png", self.spec));
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Save the practice network as the network of the data dir `dir`: the app
/// starts it by itself.
pub fn choose_practice(dir: &Path) {
    std::fs::write(dir.join("settings.json"), r#"{"network":{"kind":"practice"}}"#).unwrap();
}

/// The app on the data dir `dir` with the practice network chosen, once
/// the status bar says connected (within `timeout`).
pub async fn start_on_practice(spec: &str, locale: &str, dir: &Path, timeout: Duration) -> Session {
    choose_practice(dir);
    let s = Session::start(spec, Launch::locale(locale).data_dir(dir)).await;
    s.wait_connected(timeout).await;
    s
}

async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not listen on port {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// True when `s` has at least one CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Processes (pids) whose command line mentions `needle`, e.g. a data dir.
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            if String::from_utf8_lossy(&cmd).contains(needle) {
                out.push(pid);
            }
        }
    }
    out
}
