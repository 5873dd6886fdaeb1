//! The rental flow in the real window, on a practice network with a short
//! simulated VM boot: a new wallet (encrypted file, "back up later"), funded
//! from the faucet; an idle machine picked on the Machine screen ("Rent this");
//! rented on chain with the quote and the status shown; the Windows VM created
//! through the practice network's DBC client simulator; its login shown and
//! its RDP port checked; the rental confirmed through the non-refundable
//! dialog; My rentals shows it with the time left; then renewed. Quitting
//! after the rent and starting again resumes at the VM step. Every screen
//! visited is saved in English, and again in Chinese at the end.

use dbc_e2e::{has_cjk, start_on_practice, Launch, Session};
use dbc_sandbox::{Sandbox, SandboxConfig};
use std::time::Duration;

const PASSWORD: &str = "practice-pass-1";
const CHAIN: Duration = Duration::from_secs(90);
/// Creating the VM: the create request, then polls every 10 s until it runs.
const VM: Duration = Duration::from_secs(150);

/// "1 h 20 min left (until block 1,234)", "2 h left (…)", "59 min left (…)" -> minutes left.
fn minutes_left(text: &str) -> u32 {
    let head = text.split('(').next().unwrap_or_default();
    let mut nums = head.split(|c: char| !c.is_ascii_digit()).filter_map(|s| s.parse::<u32>().ok());
    let mut next = || nums.next().unwrap_or(0);
    let days = if head.contains(" d") { next() } else { 0 };
    let hours = if head.contains(" h") { next() } else { 0 };
    let minutes = if head.contains(" min") { next() } else { 0 };
    days * 1440 + hours * 60 + minutes
}

#[tokio::test(flavor = "multi_thread")]
async fn rent_create_vm_confirm_and_renew() {
    dbc_sandbox::install_crypto_provider();
    let data = tempfile::tempdir().unwrap();
    // The practice network with a 3-second VM boot, started here; the app joins it.
    let mut cfg = SandboxConfig::new(data.path().to_path_buf());
    cfg.vm_boot_secs = 3;
    let sandbox = Sandbox::start(cfg).await.expect("the practice network starts");

    let s = start_on_practice("rental", "en_US.UTF-8", data.path(), CHAIN).await;

    // A new wallet: the encrypted file (no OS keyring under Xvfb), backed up later.
    s.click("nav-wallet").await;
    s.wait_for("keyring-notice", Duration::from_secs(20)).await;
    s.click("keyring-use-file").await;
    s.wait_for("wallet-create", Duration::from_secs(10)).await;
    s.click("wallet-create").await;
    // Backed up later; funded with practice DBC from the faucet.
    s.new_funded_wallet("Renter", PASSWORD, "500").await;

    // An idle machine from the chain's list: Rent this.
    s.click("nav-machine").await;
    s.wait_for("market-live", CHAIN).await;
    let rows = s.testids_with_prefix("machine-row-").await;
    let row = rows.first().expect("idle machines are listed").clone();
    let machine_id = row.trim_start_matches("machine-row-").to_string();
    s.click(&row).await;
    s.wait("machine-detail").await;
    s.click("machine-rent-this").await;
    s.wait("screen-rent").await;
    assert_eq!(s.text("rent-machine-id").await, machine_id);

    // Rent 1 GPU for 1 hour: the quote, the balance, then the order on chain.
    s.type_into("rent-gpus", "1").await;
    s.type_into("rent-hours", "1").await;
    let total = s.wait_text_for("rent-quote-total", "a quote", Duration::from_secs(30), |t| t.contains("DBC")).await;
    assert!(s.text("rent-quote-order-fee").await.starts_with("10 DBC"), "the 10 DBC order fee is shown");
    s.wait("rent-balance").await;
    s.type_into("rent-password", PASSWORD).await;
    s.screenshot("rent-quote", "en").await;
    s.click("rent-submit").await;
    s.wait_for("rent-result", Duration::from_secs(90)).await;
    let rent_id = s.text("rent-result-id").await;
    assert!(rent_id.parse::<u64>().is_ok(), "rent id {rent_id:?}");
    assert!(s.exists("rent-status-inBlock").await || s.exists("rent-status-finalized").await, "statuses streamed");
    let left: u32 = s.attr("confirm-countdown", "data-blocks-left").await.unwrap().parse().unwrap();
    assert!((100..=150).contains(&left), "a fresh confirm window: {left} blocks left");
    s.scroll_to("rent-result").await;
    s.screenshot("rent-placed", "en").await;
    eprintln!("rented {machine_id} as order {rent_id}; quote {total}");

    // Quit and start again: the app resumes the rental at the Virtual machine step.
    s.close().await;
    let s = Session::start("rental", Launch::locale("en_US.UTF-8").data_dir(data.path())).await;
    s.wait_for("screen-vm", CHAIN).await;
    assert!(s.text("rental-rent-id").await.contains(&rent_id), "the same rental");
    s.screenshot("resumed", "en").await;

    // The VM, through one of the practice network's DBC clients: its first
    // ("the practice network's own") or, when another practice client that
    // also sees the machine answered faster, that one ("chosen for you").
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !s.exists("vm-client-practice").await && !s.exists("vm-client-chosen").await {
        assert!(std::time::Instant::now() < deadline, "no practice client prefilled");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.click("vm-test-connection").await;
    s.wait_for("vm-test-result", Duration::from_secs(30)).await;
    s.type_into("vm-password", PASSWORD).await;
    s.click("vm-create").await;
    s.wait_for("vm-event-planned", Duration::from_secs(60)).await;
    s.wait_text_for("vm-status", "creating", Duration::from_secs(60), |t| !t.is_empty() && t != "not created yet")
        .await;
    s.screenshot("vm-creating", "en").await;
    s.wait_for("vm-ready", VM).await;
    assert_eq!(s.attr("vm-status", "data-status").await.as_deref(), Some("running"));
    s.screenshot("vm-ready", "en").await;

    // Verify: the login (password hidden until revealed), the RDP port answers.
    s.click("vm-next-confirm").await;
    s.wait("screen-confirm").await;
    assert_eq!(s.attr("confirm-open", "disabled").await.as_deref(), Some("true"), "no confirm before the check");
    s.type_into("vm-login-account-password", PASSWORD).await;
    s.click("vm-login-unlock").await;
    s.wait_for("vm-password-reveal", Duration::from_secs(30)).await;
    assert_eq!(s.attr("vm-login-password", "data-hidden").await.as_deref(), Some("true"));
    // The VM password, for the log audit at the end (shown, read, hidden again).
    s.click("vm-password-reveal").await;
    let vm_password = s.text("vm-login-password").await;
    assert!(vm_password.len() >= 8, "{vm_password:?}");
    s.click("vm-password-reveal").await;
    assert_eq!(s.attr("vm-login-password", "data-hidden").await.as_deref(), Some("true"));
    assert_eq!(s.text("vm-login-user").await, "Administrator");
    assert!(s.text("vm-login-port").await.parse::<u16>().is_ok());
    s.click("rdp-check").await;
    s.wait_for("rdp-check-ok", Duration::from_secs(30)).await;
    s.screenshot("verify", "en").await;

    // Confirm: the dialog says the rent becomes non-refundable.
    s.click("confirm-open").await;
    s.wait("confirm-dialog").await;
    assert!(s.text("confirm-dialog-warning").await.contains("not refundable"));
    s.type_into("confirm-password", PASSWORD).await;
    s.screenshot("confirm-dialog", "en").await;
    s.click("confirm-accept").await;
    s.wait_for("confirm-done", Duration::from_secs(90)).await;
    s.screenshot("confirmed", "en").await;

    // My rentals: the order, active, with about an hour left.
    s.click("confirm-next-rentals").await;
    s.wait("screen-rentals").await;
    let stage_id = format!("rental-stage-{rent_id}");
    s.wait_text_for(&stage_id, "active", Duration::from_secs(30), |t| t == "Active").await;
    let time_id = format!("rental-time-left-{rent_id}");
    let before = minutes_left(&s.text(&time_id).await);
    assert!((50..=60).contains(&before), "about an hour left: {before} min");
    assert!(s.text(&format!("rental-vm-{rent_id}")).await.contains("running"));
    s.screenshot("rentals", "en").await;

    // Renew by an hour: quoted, paid, and the time left grows.
    s.click(&format!("rental-renew-{rent_id}")).await;
    s.wait("renew-dialog").await;
    s.type_into("renew-hours", "1").await;
    s.wait_for("renew-quote-total", Duration::from_secs(30)).await;
    s.type_into("renew-password", PASSWORD).await;
    s.screenshot("renew", "en").await;
    s.click("renew-submit").await;
    s.wait_for("renew-result", Duration::from_secs(90)).await;
    s.screenshot("renewed", "en").await;
    s.click("renew-close").await;
    let after = minutes_left(
        &s.wait_text_for(&time_id, "an hour more", Duration::from_secs(30), |t| minutes_left(t) >= before + 55).await,
    );
    assert!(after <= before + 61, "{before} -> {after}");

    // Connect hands the rental to the Connect step, already unlocked: the
    // password given on the Verify step is not asked for again.
    s.click(&format!("rental-connect-{rent_id}")).await;
    s.wait("screen-connect").await;
    s.wait_for("connect-address", Duration::from_secs(30)).await;
    assert!(!s.exists("connect-password").await, "Connect asks for the password again after Verify");
    assert_eq!(s.text("connect-user").await, "Administrator");
    s.screenshot("connect-unlocked-by-verify", "en").await;

    // The screens again in Chinese.
    s.click("nav-settings").await;
    s.select("settings-language", "zh").await;
    s.wait_text("nav-wallet", "Chinese", has_cjk).await;
    s.scroll_to("settings-rental").await;
    s.screenshot("settings-rental", "zh").await;
    s.click("nav-rentals").await;
    s.wait(&format!("rental-row-{rent_id}")).await;
    s.screenshot("rentals", "zh").await;
    s.click(&format!("rental-renew-{rent_id}")).await;
    s.wait_for("renew-quote-total", Duration::from_secs(30)).await;
    s.screenshot("renew", "zh").await;
    s.click("renew-cancel").await;
    s.click("nav-confirm").await;
    s.wait("screen-confirm").await;
    s.screenshot("confirmed", "zh").await;
    s.click("nav-vm").await;
    s.wait("vm-ready").await;
    s.screenshot("vm-ready", "zh").await;
    // Another idle machine (the first one's free GPU is ours now): the Rent step's quote.
    s.click("nav-machine").await;
    s.wait_for("market-live", CHAIN).await;
    let other =
        s.testids_with_prefix("machine-row-").await.into_iter().find(|r| *r != row).expect("another idle machine");
    s.click(&other).await;
    s.wait("machine-detail").await;
    s.screenshot("machine", "zh").await;
    s.click("machine-rent-this").await;
    s.wait_for("rent-quote-total", Duration::from_secs(30)).await;
    s.screenshot("rent-quote", "zh").await;
    s.select("rent-unit", "days").await;
    s.type_into("rent-hours", "61").await;
    s.wait("rent-duration-error").await;
    s.screenshot("rent-too-long", "zh").await;

    s.close().await;

    // The log audit: after the whole flow, no secret of it is in any file the
    // app wrote (the practice network's own files aside).
    let wallet = dbc::wallet::Wallet::open(data.path()).unwrap();
    let password = dbc::wallet::SecretString::from(PASSWORD.to_string());
    let mnemonic = wallet.reveal_mnemonic(&wallet.active().unwrap().id, &password).expect("the new wallet's phrase");
    let signatures = sandbox.client_sim().expect("the simulator runs").signatures_seen();
    assert!(!signatures.is_empty(), "the simulator saw the signed requests");
    let secrets = dbc_sandbox::audit::Secrets {
        mnemonic: &mnemonic,
        plain: vec![("app password", PASSWORD.to_string()), ("VM password", vm_password.clone())],
        signatures: &signatures,
    };
    let leaks = dbc_sandbox::audit::scan(data.path(), &[data.path().join("practice")], &secrets);
    assert!(leaks.is_empty(), "secrets found in the data dir: {leaks:?}");
    sandbox.stop().await.unwrap();
}
