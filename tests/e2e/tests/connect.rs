//! The Connect step in the real window, against a real RDP server: the
//! practice network's DBC client simulator puts FreeRDP's shadow server
//! (NLA, only `Administrator` with the VM's password) behind each running
//! Windows VM.
//!
//! The rental is prepared through the core library before the app starts
//! (same data dir): a wallet account in the encrypted file, funded, renting
//! one GPU, its VM created through the simulator and the order confirmed.
//! The app then joins the running practice network. From My rentals →
//! Connect: unlock with the wallet password, copy address and password (read
//! back from the X clipboard; the password is gone again after 30 s), and
//! Connect. The proof of the login is taken on the server side: the shadow
//! server for this VM holds an established connection from the xfreerdp the
//! app started, whose window (it opens only after the server accepted the
//! credentials) is on the screen. A wrong password would end the client and
//! the connection. Then the VNC fallback once the RDP server is gone, and
//! screenshots in both languages.

use dbc::chain::{NonceTracker, TxOptions};
use dbc::compute::ComputeClient;
use dbc::market::MachineStatus;
use dbc::rental::{self, ChainCtx, RentalBook, VmOptions};
use dbc::wallet::{SecretString, StoreKind, Wallet};
use dbc_e2e::{choose_practice, has_cjk, processes_mentioning, Launch, Session};
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

const PASSWORD: &str = "connect-pass-1";
const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const CHAIN: Duration = Duration::from_secs(90);
/// From Connect to the client's window on the screen (NLA, then the session).
const LOGIN: Duration = Duration::from_secs(60);

/// What the test set up and the page must show.
struct Prepared {
    rental_id: String,
    rent_id: u64,
    rdp_port: u16,
    vm_password: String,
    vnc_password: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_logs_in_to_the_vms_rdp_server_with_its_password() {
    dbc_sandbox::install_crypto_provider();
    assert!(
        dbc_sandbox::client_sim::real_rdp_available(),
        "freerdp-shadow-cli, Xvfb and winpr-hash are needed: apt-get install freerdp2-shadow-x11 xvfb winpr-utils"
    );
    let data = tempfile::tempdir().unwrap();
    let mut cfg = SandboxConfig::new(data.path().to_path_buf());
    cfg.vm_boot_secs = 2;
    let sandbox =
        std::sync::Arc::new(Sandbox::start(cfg).await.expect("the practice network starts (make sandbox-deps)"));
    let (dir, sb) = (data.path().to_path_buf(), sandbox.clone());
    // Run the spec as its own task so a failure still stops the practice network below.
    let result = tokio::spawn(async move { spec(&sb, &dir).await }).await;
    if let Ok(sandbox) = std::sync::Arc::try_unwrap(sandbox) {
        let _ = sandbox.stop().await;
    }
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn spec(sandbox: &Sandbox, data: &Path) {
    let prepared = prepare(sandbox, data).await;
    choose_practice(data);
    // The clients the app starts (xfreerdp's certificate store) write under $HOME.
    let home = tempfile::tempdir().unwrap();
    let launch = |locale: &str| Launch::locale(locale).data_dir(data).env("HOME", &home.path().display().to_string());
    let mut clipboard = arboard::Clipboard::new().expect("the X clipboard (run under xvfb-run)");

    // ---- English: from My rentals, unlock, copy, connect, checked on the server ----
    let s = Session::start("connect", launch("en_US.UTF-8")).await;
    s.wait_connected(CHAIN).await;
    s.click("nav-rentals").await;
    let connect_button = format!("rental-connect-{}", prepared.rent_id);
    s.wait_for(&connect_button, CHAIN).await;
    s.click(&connect_button).await;
    s.wait("screen-connect").await;
    assert_eq!(selected(&s, "connect-rental").await, prepared.rental_id, "the rental chosen in My rentals");
    s.wait("connect-password").await;
    s.screenshot("locked", "en").await;

    s.type_into("connect-password", PASSWORD).await;
    s.click("connect-unlock").await;
    let address = format!("127.0.0.1:{}", prepared.rdp_port);
    s.wait_text_for("connect-address", "the VM's address", Duration::from_secs(30), |t| t == address).await;
    assert_eq!(s.text("connect-user").await, "Administrator");
    wait_state(&s, "reachable").await;
    let page = s.client.source().await.unwrap();
    assert!(!page.contains(&prepared.vm_password), "the VM password is not in the page");
    s.screenshot("unlocked", "en").await;

    // Copy happens in Rust, to the X clipboard; the password goes away again after 30 s.
    s.click("connect-copy-address").await;
    wait_clipboard(&mut clipboard, "the address", Duration::from_secs(10), |t| t == Some(address.as_str())).await;
    s.click("connect-copy-password").await;
    wait_clipboard(&mut clipboard, "the VM password", Duration::from_secs(10), |t| {
        t == Some(prepared.vm_password.as_str())
    })
    .await;
    let copied_at = Instant::now();
    assert!(s.text("connect-copy-note").await.contains("30 s"));

    // Save .rdp file: in the data dir, private, without the password.
    s.click("connect-save-rdp").await;
    s.wait("connect-rdp-file").await;
    let rdp_file = data.join("rdp").join(format!("vm-127-0-0-1-{}.rdp", prepared.rdp_port));
    let text = std::fs::read_to_string(&rdp_file).expect("the .rdp file");
    assert!(text.contains(&format!("full address:s:{address}")) && text.contains("username:s:Administrator"), "{text}");
    assert!(!text.contains(&prepared.vm_password));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&rdp_file).unwrap().permissions().mode() & 0o777, 0o600);

    // Connect: one click; xfreerdp gets the password on stdin and logs in.
    s.click("connect-launch").await;
    s.wait_for("connect-result", Duration::from_secs(30)).await;
    let client = s.attr("connect-result", "data-client").await.unwrap_or_default();
    assert!(client == "xfreerdp" || client == "xfreerdp3", "{client}");
    let pid: u32 = s.attr("connect-result", "data-pid").await.unwrap().parse().unwrap();
    assert!(!process_args(pid).iter().any(|a| a.contains(&prepared.vm_password)), "the password is not in argv");
    logged_in(data, prepared.rdp_port, pid).await;
    s.wait("connect-next").await;
    s.scroll_to("connect-result").await;
    s.screenshot("launched", "en").await;
    // Still connected after the screenshot: the server did not drop the session.
    assert!(server_session(prepared.rdp_port, pid), "the shadow server still holds the session");
    stop(pid).await;

    // Control: the same client and arguments with a wrong password get no session.
    wrong_password_is_refused(prepared.rdp_port, &prepared.vm_password, home.path()).await;

    let left = Duration::from_secs(60).saturating_sub(copied_at.elapsed());
    wait_clipboard(&mut clipboard, "the password cleared", left, |t| t != Some(prepared.vm_password.as_str())).await;
    s.close().await;

    // ---- Chinese: the rail's Connect step, then the VNC fallback without RDP ----
    let s = Session::start("connect", launch("zh_CN.UTF-8")).await;
    s.wait_connected(CHAIN).await;
    s.click("nav-connect").await;
    s.wait("screen-connect").await;
    s.wait_for("connect-password", CHAIN).await;
    assert!(has_cjk(&s.text("connect-unlock").await));
    s.screenshot("locked", "zh").await;
    s.type_into("connect-password", PASSWORD).await;
    s.click("connect-unlock").await;
    s.wait_text_for("connect-address", "the VM's address", Duration::from_secs(30), |t| t == address).await;
    wait_state(&s, "reachable").await;
    s.screenshot("unlocked", "zh").await;
    s.click("connect-launch").await;
    s.wait_for("connect-result", Duration::from_secs(30)).await;
    let pid: u32 = s.attr("connect-result", "data-pid").await.unwrap().parse().unwrap();
    logged_in(data, prepared.rdp_port, pid).await;
    s.scroll_to("connect-result").await;
    s.screenshot("launched", "zh").await;
    stop(pid).await;

    // The RDP server goes away (Windows still booting, a firewall…): VNC instead.
    let shadow = shadow_pid(prepared.rdp_port).expect("the VM's shadow server");
    stop(shadow).await;
    s.click("connect-recheck").await;
    wait_state(&s, "unreachable").await;
    s.wait("connect-vnc").await;
    assert!(s.text("connect-vnc-address").await.starts_with("127.0.0.1:"));
    assert_eq!(s.attr("connect-vnc-password", "data-hidden").await.as_deref(), Some("true"));
    reveal_vnc_password(&s, &prepared.vnc_password, "zh").await;

    // The same in English, after switching the language: the login is still unlocked.
    s.click("nav-settings").await;
    s.select("settings-language", "en").await;
    s.click("nav-connect").await;
    s.wait_text_for("connect-address", "the unlocked login", Duration::from_secs(20), |t| t == address).await;
    wait_state(&s, "unreachable").await;
    reveal_vnc_password(&s, &prepared.vnc_password, "en").await;
    s.close().await;
}

/// Reveal the VNC password, wait until it shows, and screenshot the fallback in `lang`.
async fn reveal_vnc_password(s: &Session, password: &str, lang: &str) {
    s.click("connect-vnc-reveal").await;
    s.wait_text_for("connect-vnc-password", "the VNC password", Duration::from_secs(10), |t| t == password).await;
    s.scroll_to("connect-vnc").await;
    s.screenshot("vnc", lang).await;
}

/// The wallet account, the rent, the VM and the confirmation, through the core.
async fn prepare(sandbox: &Sandbox, data: &Path) -> Prepared {
    let password = SecretString::from(PASSWORD.to_string());
    let wallet = Wallet::open(data).unwrap();
    let phrase = SecretString::from(DEV.to_string());
    let account = wallet
        .import_mnemonic(Some("Renter"), &phrase, Some("//connect-e2e"), &password, StoreKind::EncryptedFile)
        .unwrap();
    sandbox.fund(&account.address, 50_000).await.expect("faucet");

    let (client, _) = dbc::chain::client::connect("practice", sandbox.chain_url(), None, Default::default(), None)
        .await
        .expect("connect to the practice chain");
    let book = RentalBook::open(data, &dbc::chain::identity::identity(&client).await.unwrap()).unwrap();
    let nonces = NonceTracker::new();
    let ctx = ChainCtx { client: &client, nonces: &nonces, book: &book, opts: TxOptions::default() };
    let market = dbc::market::load_all(&client).await.unwrap();
    let machine = market
        .machines
        .iter()
        .find(|m| m.status == MachineStatus::Idle && m.gpu_count >= 1)
        .expect("an idle machine")
        .id
        .clone();
    let quote = market.quote(&machine, 1, 600).unwrap();
    let key = wallet.signing_key(&account.id, &password).unwrap();
    let placed = rental::place(&ctx, &key, &machine, &quote, |_| {}).await.expect("rent");
    let compute = ComputeClient::new(sandbox.client_url().expect("the DBC client simulator")).unwrap();
    let vm_key = wallet.signing_key(&account.id, &password).unwrap();
    let (_, detail) = rental::create_vm(&book, &placed.id, &compute, vm_key, None, &VmOptions::default(), |_| {})
        .await
        .expect("the VM");
    let confirmed = rental::confirm(&ctx, &key, &placed.id, |_| {}).await.expect("confirm");
    let login = detail.rdp_login().expect("a running Windows VM with a login");
    assert_eq!(login.host, "127.0.0.1");
    eprintln!(
        "rental {} (order {}) on {machine}: RDP {}:{}",
        confirmed.id,
        confirmed.rent_id().unwrap(),
        login.host,
        login.port
    );
    Prepared {
        rental_id: confirmed.id.clone(),
        rent_id: confirmed.rent_id().unwrap(),
        rdp_port: login.port,
        vm_password: login.password.expect("the VM has a password"),
        vnc_password: detail.vnc_password.clone(),
    }
}

/// The value of the `<select>` with `testid` (a property, not an attribute).
async fn selected(s: &Session, testid: &str) -> String {
    let el = s.wait(testid).await;
    let v = s.client.execute("return arguments[0].value;", vec![serde_json::to_value(&el).unwrap()]).await.unwrap();
    v.as_str().unwrap_or_default().to_string()
}

/// Process `pid` runs (a zombie waiting to be reaped does not count).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')))
}

/// Wait until the RDP indicator shows `state`.
async fn wait_state(s: &Session, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = s.attr("connect-rdp-status", "data-state").await;
        if now.as_deref() == Some(state) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the RDP status never became {state}; last {now:?}: {}",
            s.text("connect-rdp-status").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_clipboard(
    clip: &mut arboard::Clipboard,
    what: &str,
    timeout: Duration,
    pred: impl Fn(Option<&str>) -> bool,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let text = clip.get_text().ok();
        if pred(text.as_deref()) {
            return;
        }
        assert!(Instant::now() < deadline, "the clipboard never held {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The login went through: the VM's shadow server holds an established
/// connection from client `pid`, and the client's window is on the screen
/// (FreeRDP opens it only after the server accepted the credentials).
async fn logged_in(data: &Path, port: u16, pid: u32) {
    let title = format!("DBC Rent - 127.0.0.1:{port}");
    let deadline = Instant::now() + LOGIN;
    loop {
        let alive = alive(pid);
        if alive && server_session(port, pid) && window_titles().iter().any(|t| t == &title) {
            return;
        }
        if !alive || Instant::now() > deadline {
            let log =
                std::fs::read_to_string(data.join("rdp").join(format!("vm-127-0-0-1-{port}.log"))).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            panic!(
                "xfreerdp (pid {pid}, alive: {alive}) did not log in to the RDP server on {port}: server session {}, windows {:?}\nclient log (last lines, newest first):\n{}",
                server_session(port, pid),
                window_titles(),
                tail.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// What the check above tells apart: our argument vector with a wrong
/// password on stdin ends without a server session or a window.
async fn wrong_password_is_refused(port: u16, password: &str, home: &Path) {
    use dbc::rdp::{detect, plan, start, RdpOptions, RdpTarget};
    let target = RdpTarget::from_vm_login("127.0.0.1", &port.to_string(), "Administrator").unwrap();
    let found = detect(dbc::host::Os::Linux, &dbc::host::SystemProbe).expect("xfreerdp");
    let plan = plan(&found, &target, &RdpOptions::default(), Path::new("/unused.rdp"));
    let mut cmd = plan.command();
    cmd.env("HOME", home);
    let mut child = start(&plan, cmd, &SecretString::from(format!("{password}x"))).expect("xfreerdp starts");
    let deadline = Instant::now() + LOGIN;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "xfreerdp with a wrong password did not end");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(!status.success(), "a wrong password must fail: {status}");
    assert!(!server_session(port, child.id()), "no session left");
    assert!(!window_titles().iter().any(|t| t == &format!("DBC Rent - 127.0.0.1:{port}")), "no session window");
}

/// The shadow server serving `port`.
fn shadow_pid(port: u16) -> Option<u32> {
    processes_mentioning(&format!("/port:{port}"))
        .into_iter()
        .find(|pid| process_args(*pid).first().is_some_and(|a| a.ends_with("freerdp-shadow-cli")))
}

fn process_args(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            b.split(|c| *c == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect()
        })
        .unwrap_or_default()
}

/// The socket inodes process `pid` holds.
fn socket_inodes(pid: u32) -> HashSet<u64> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| l.to_string_lossy().strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok())
        .collect()
}

/// Established TCP connections: (local port, remote port, inode).
fn established() -> Vec<(u16, u16, u64)> {
    let mut out = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "01" {
                continue;
            }
            let port = |addr: &str| addr.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            if let (Some(local), Some(remote), Ok(inode)) = (port(f[1]), port(f[2]), f[9].parse()) {
                out.push((local, remote, inode));
            }
        }
    }
    out
}

/// The shadow server on `port` has an established connection whose other
/// end is a socket of client `pid`.
fn server_session(port: u16, pid: u32) -> bool {
    let Some(server) = shadow_pid(port) else { return false };
    let (server_fds, client_fds) = (socket_inodes(server), socket_inodes(pid));
    let conns = established();
    let client_ports: HashSet<u16> = conns
        .iter()
        .filter(|(_, remote, inode)| *remote == port && client_fds.contains(inode))
        .map(|(local, _, _)| *local)
        .collect();
    conns
        .iter()
        .any(|(local, remote, inode)| *local == port && server_fds.contains(inode) && client_ports.contains(remote))
}

/// The names of the top-level windows on this display.
fn window_titles() -> Vec<String> {
    let out = std::process::Command::new("xwininfo").args(["-root", "-tree"]).output().expect("xwininfo (x11-utils)");
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.split('"').nth(1).map(str::to_string)).collect()
}

/// End a process this test caused (the client the app started, the VM's RDP
/// server) and wait until it is gone.
async fn stop(pid: u32) {
    let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
