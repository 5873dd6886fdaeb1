//! An Ubuntu VM in the real window, on a practice network with a short
//! simulated VM boot (issue 15): a new wallet funded from the faucet, an
//! idle machine rented; Ubuntu chosen on the VM step, created and running;
//! on the Verify step the login shows the SSH port, "Check SSH and GPUs"
//! reports a mismatch (Confirm stays off) while the simulator shows another
//! model, then a pass once it shows the rented one; Confirm; the Connect
//! step shows the SSH card (already unlocked), Install my key asks before
//! creating `~/.ssh/dbc_rent_ed25519` in a private HOME and the VM's SSH
//! server sees the password once, then the key; Open terminal starts xterm,
//! whose ssh logs in with the key (seen by the server); My rentals shows the
//! kept GPU check.
//! Screens in English, and the SSH card and Verify step in Chinese.

use dbc_e2e::{choose_practice, has_cjk, Launch, Session};
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::path::Path;
use std::time::Duration;

const PASSWORD: &str = "practice-pass-1";
const CHAIN: Duration = Duration::from_secs(90);
const VM: Duration = Duration::from_secs(150);

/// The one simulated VM's folder under the practice data dir.
fn vm_folder(data: &Path) -> dbc_sandbox::client_sim::ssh::VmFolder {
    let vms = data.join("practice/vms");
    let mut tasks: Vec<String> = std::fs::read_dir(&vms)
        .unwrap_or_else(|e| panic!("{}: {e}", vms.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(tasks.len(), 1, "one VM: {tasks:?}");
    dbc_sandbox::client_sim::ssh::VmFolder::of(&vms, &tasks.remove(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn ubuntu_vm_ssh_card_key_install_gpu_check_and_confirm() {
    dbc_sandbox::install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    // The key the app creates, the ~/.ssh/config it may edit: a private HOME.
    let home = tempfile::tempdir().unwrap();
    let mut cfg = SandboxConfig::new(data.path().to_path_buf());
    cfg.vm_boot_secs = 3;
    let sandbox = Sandbox::start(cfg).await.expect("the practice network starts");

    choose_practice(data.path());
    let launch = Launch::locale("en_US.UTF-8").data_dir(data.path()).env("HOME", &home.path().display().to_string());
    let s = Session::start("linux-vm", launch).await;
    s.wait_connected(CHAIN).await;

    // A new wallet (encrypted file), funded from the faucet.
    s.click("nav-wallet").await;
    s.wait_for("keyring-notice", Duration::from_secs(20)).await;
    s.click("keyring-use-file").await;
    s.wait_for("wallet-create", Duration::from_secs(10)).await;
    s.click("wallet-create").await;
    // Under load the first click may land before the screen is ready: click again.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !s.exists("create-understood").await {
        assert!(std::time::Instant::now() < deadline, "the create dialog did not open");
        tokio::time::sleep(Duration::from_millis(500)).await;
        if !s.exists("create-understood").await && s.exists("wallet-create").await {
            s.screenshot("wallet-retry", "en").await;
            s.click("wallet-create").await;
        }
    }
    s.new_funded_wallet("Renter", PASSWORD, "500").await;

    // An idle machine, 1 GPU for 1 hour.
    s.click("nav-machine").await;
    s.wait_for("market-live", CHAIN).await;
    let row = s.testids_with_prefix("machine-row-").await.first().expect("idle machines are listed").clone();
    s.click(&row).await;
    s.wait("machine-detail").await;
    s.click("machine-rent-this").await;
    s.wait("screen-rent").await;
    s.type_into("rent-gpus", "1").await;
    s.type_into("rent-hours", "1").await;
    s.wait_text_for("rent-quote-total", "a quote", Duration::from_secs(30), |t| t.contains("DBC")).await;
    s.type_into("rent-password", PASSWORD).await;
    s.click("rent-submit").await;
    s.wait_for("rent-result", Duration::from_secs(90)).await;
    let rent_id = s.text("rent-result-id").await;

    // The VM step: Ubuntu, its images from the node, created and running.
    s.click("rent-next-vm").await;
    s.wait("screen-vm").await;
    s.wait_for("vm-os-linux", Duration::from_secs(10)).await;
    s.click("vm-os-linux").await;
    // A practice DBC client prefilled (the network's own, or the fastest that sees the machine).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !s.exists("vm-client-practice").await && !s.exists("vm-client-chosen").await {
        assert!(std::time::Instant::now() < deadline, "no practice client prefilled");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.click("vm-test-connection").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while !s.exists("vm-test-result").await {
        if s.exists("vm-test-error").await {
            panic!("Test connection failed: {}", s.text("vm-test-error").await);
        }
        assert!(std::time::Instant::now() < deadline, "no Test connection result within 90 s");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    s.screenshot("vm-ubuntu", "en").await;
    s.type_into("vm-password", PASSWORD).await;
    s.click("vm-create").await;
    s.wait_for("vm-ready", VM).await;
    assert_eq!(s.attr("vm-status", "data-status").await.as_deref(), Some("running"));
    let folder = vm_folder(data.path());

    // Verify: the login with the SSH port, then SSH and the GPUs.
    s.click("vm-next-confirm").await;
    s.wait("screen-confirm").await;
    assert_eq!(s.attr("confirm-open", "disabled").await.as_deref(), Some("true"), "no confirm before the checks");
    assert!(!s.exists("rdp-check").await, "no RDP check for a Linux VM");
    s.type_into("vm-login-account-password", PASSWORD).await;
    s.click("vm-login-unlock").await;
    s.wait_for("vm-password-reveal", Duration::from_secs(30)).await;
    assert_eq!(s.text("vm-login-user").await, "dbc");
    let ssh_port: u16 = s.text("vm-login-port").await.parse().expect("the SSH port");

    // The simulator shows another model than the chain's: a mismatch, no Confirm.
    folder.set_gpu_model(Some("NVIDIA GeForce GTX 1060")).unwrap();
    s.click("gpu-check-run").await;
    s.wait_for("gpu-check", Duration::from_secs(60)).await;
    assert_eq!(s.attr("gpu-check", "data-verdict").await.as_deref(), Some("mismatch"));
    assert!(s.text("ssh-check-ok").await.contains(&ssh_port.to_string()));
    assert!(s.text("gpu-check-advice").await.contains("Do not confirm"));
    assert_eq!(s.attr("confirm-open", "disabled").await.as_deref(), Some("true"), "a mismatch blocks Confirm");
    s.scroll_to("gpu-check").await;
    s.screenshot("verify-gpu-mismatch", "en").await;

    // The rented model: a pass, and Confirm is offered.
    folder.set_gpu_model(None).unwrap();
    s.click("gpu-check-run").await;
    s.wait_text_for("gpu-check-verdict", "a pass", Duration::from_secs(60), |t| t.contains("has the GPUs")).await;
    assert_eq!(s.attr("gpu-check", "data-verdict").await.as_deref(), Some("pass"));
    let expected = s.text("gpu-check-expected-model").await;
    assert!(!expected.is_empty() && s.text("gpu-check-seen-count").await == "1");
    s.scroll_to("gpu-check").await;
    s.screenshot("verify-gpu-pass", "en").await;
    assert_eq!(s.attr("confirm-open", "disabled").await, None, "Confirm after SSH and the GPU check pass");
    s.click("confirm-open").await;
    s.wait("confirm-dialog").await;
    s.type_into("confirm-password", PASSWORD).await;
    s.click("confirm-accept").await;
    s.wait_for("confirm-done", Duration::from_secs(90)).await;

    // Connect: the SSH card, unlocked by the Verify step.
    s.click("confirm-next-connect").await;
    s.wait("screen-connect").await;
    s.wait_for("ssh-host", Duration::from_secs(30)).await;
    assert!(!s.exists("connect-launch").await, "no Remote Desktop for a Linux VM");
    assert_eq!(s.text("ssh-port").await, ssh_port.to_string());
    assert_eq!(s.text("ssh-user").await, "dbc");
    let command = s.text("ssh-command").await;
    assert!(command.starts_with(&format!("ssh -p {ssh_port} -i ")), "{command}");
    assert!(s.exists("ssh-password-hidden").await, "the password is hidden");
    s.screenshot("connect-ssh", "en").await;

    // Install my key: no key in this HOME, so the app asks first.
    let key = home.path().join(".ssh/dbc_rent_ed25519");
    s.click("ssh-install-key").await;
    s.wait("ssh-key-consent").await;
    assert!(s.text("ssh-key-consent").await.contains(&key.display().to_string()));
    assert!(!key.exists(), "nothing created before the yes");
    s.screenshot("ssh-key-consent", "en").await;
    s.click("ssh-key-consent-accept").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !s.exists("ssh-key-installed").await {
        if s.exists("ssh-error").await {
            let code = s.attr("ssh-error", "data-code").await;
            panic!("Install my key failed: {code:?}: {}", s.text("ssh-error").await);
        }
        assert!(std::time::Instant::now() < deadline, "the key was not installed within 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(s.attr("ssh-key-installed", "data-outcome").await.as_deref(), Some("installed"));
    assert!(key.exists() && home.path().join(".ssh/dbc_rent_ed25519.pub").exists());
    let methods: Vec<String> = folder.read_logins().into_iter().map(|l| l.method).collect();
    assert!(methods.contains(&"password".to_string()), "the password logged in once: {methods:?}");
    assert_eq!(methods.last().map(String::as_str), Some("publickey"), "then the key: {methods:?}");
    let authorized = std::fs::read_to_string(folder.authorized_keys()).unwrap();
    assert!(authorized.contains("dbc-rent"), "{authorized}");

    // Open terminal: the system terminal (xterm, from `make test`'s packages)
    // running the app's ssh command, whose login the VM's server sees: with
    // the key, no password asked, the host key pinned by the app.
    let logins_before = folder.read_logins().len();
    s.click("ssh-open-terminal").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !s.exists("ssh-terminal-started").await {
        if s.exists("ssh-install-hint").await {
            panic!("no terminal was started: {}", s.text("ssh-install-hint").await);
        }
        assert!(std::time::Instant::now() < deadline, "no terminal within 20 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !ssh_client_running(ssh_port) {
        assert!(std::time::Instant::now() < deadline, "no ssh -p {ssh_port} process under the terminal within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    loop {
        let logins = folder.read_logins();
        if logins.len() > logins_before {
            assert_eq!(
                logins[logins_before].method, "publickey",
                "the terminal's ssh logs in with the key: {logins:?}"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the terminal's ssh did not log in within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.scroll_to("ssh-card").await;
    s.screenshot("connect-ssh-key-installed", "en").await;

    // My rentals: the kept GPU check.
    s.click("nav-rentals").await;
    s.wait(&format!("rental-row-{rent_id}")).await;
    assert_eq!(s.attr(&format!("rental-gpu-check-{rent_id}"), "data-verdict").await.as_deref(), Some("pass"));
    assert!(s.exists(&format!("rental-os-{rent_id}")).await);
    s.screenshot("rentals-linux", "en").await;

    // In Chinese: the SSH card and the Verify step's result.
    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    s.click("nav-connect").await;
    s.wait_for("ssh-host", Duration::from_secs(30)).await;
    s.screenshot("connect-ssh", "zh").await;
    s.click("nav-rentals").await;
    s.wait(&format!("rental-row-{rent_id}")).await;
    s.screenshot("rentals-linux", "zh").await;

    s.close().await;
    sandbox.stop().await.unwrap();
}

/// Whether an `ssh` client process with port `port` in its argument vector
/// runs (the one the terminal started), from `/proc/<pid>/cmdline`.
fn ssh_client_running(port: u16) -> bool {
    let port = port.to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else { return false };
    dir.flatten().any(|e| {
        let Ok(raw) = std::fs::read(e.path().join("cmdline")) else { return false };
        let args: Vec<String> = raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        args.first().is_some_and(|a| a == "ssh" || a.ends_with("/ssh")) && args.contains(&port)
    })
}
