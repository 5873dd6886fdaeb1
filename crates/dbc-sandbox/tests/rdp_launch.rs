//! Our Remote Desktop launcher against a real RDP server: the practice
//! network's endpoint for a simulated Windows VM (FreeRDP's shadow server
//! with NLA, accepting only `Administrator` with the VM's password). The
//! client is the `xfreerdp` that `dbc::rdp::detect` finds, started with the
//! argument vector `dbc::rdp::plan` builds and the password written to its
//! stdin by `dbc::rdp::start`; `+auth-only` makes it stop after NLA, so the
//! exit status is the server's verdict on the password.
//!
//! Needs Xvfb, freerdp-shadow-cli, winpr-hash and xfreerdp (`make test`
//! installs them); a missing tool fails the test, it does not skip.

use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use dbc::host::{Os, SystemProbe};
use dbc::rdp::{detect, login_password, plan, start, RdpClient, RdpOptions, RdpTarget};
use dbc_sandbox::client_sim::rdp::RdpHost;
use dbc_sandbox::client_sim::{real_rdp_available, RdpKind, RdpMode};

/// A password like the node's generator makes: 16 of `[A-Za-z0-9_/+[]@#^]`.
fn vm_password() -> String {
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+[]@#^";
    (0..16).map(|_| SET[rand::random::<u32>() as usize % SET.len()] as char).collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Outcome {
    code: Option<i32>,
    output: String,
}

/// Run our plan for `target` with `password` on stdin, stopping after NLA.
async fn authenticate(
    target: &RdpTarget,
    password: &str,
    display: u32,
    home: &std::path::Path,
) -> (RdpClient, Outcome) {
    let found = detect(Os::Linux, &SystemProbe).expect("an RDP client (xfreerdp) is installed");
    let options = RdpOptions::default();
    let plan = plan(&found, target, &options, std::path::Path::new("/unused.rdp"));
    assert!(plan.password_on_stdin, "{:?} must take the password on stdin", plan.client);
    let mut cmd = plan.command();
    cmd.arg("+auth-only")
        .env("DISPLAY", format!(":{display}"))
        // `/cert:tofu` remembers the server's certificate under $HOME.
        .env("HOME", home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let secret = login_password(password).unwrap();
    let child = start(&plan, cmd, &secret).expect("client started");
    let out =
        tokio::time::timeout(Duration::from_secs(60), tokio::task::spawn_blocking(move || child.wait_with_output()))
            .await
            .expect("the RDP client hung")
            .unwrap()
            .unwrap();
    let output = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (plan.client, Outcome { code: out.status.code(), output })
}

#[tokio::test]
async fn our_freerdp_argv_and_stdin_password_authenticate_against_the_vm_endpoint() {
    assert!(
        real_rdp_available(),
        "freerdp-shadow-cli, Xvfb and winpr-hash are needed: apt-get install freerdp2-shadow-x11 xvfb winpr-utils"
    );
    let host = RdpHost::new(RdpMode::RealOnly);
    let port = free_port();
    let password = vm_password();
    let endpoint = host.open(port, &password).await.expect("shadow server started");
    assert_eq!(endpoint.kind(), Some(RdpKind::FreerdpShadow));
    let display = host.display().await.expect("Xvfb display");
    let home = tempfile::tempdir().unwrap();
    let target = RdpTarget::from_vm_login("127.0.0.1", &port.to_string(), "Administrator").unwrap();

    let (client, ok) = authenticate(&target, &password, display, home.path()).await;
    assert!(matches!(client, RdpClient::Xfreerdp | RdpClient::Xfreerdp3), "{client:?}");
    assert_eq!(ok.code, Some(0), "the VM's password must authenticate: {}", ok.output);
    assert!(!ok.output.contains(&password), "the client never prints the password");

    let (_, wrong) = authenticate(&target, &format!("{password}x"), display, home.path()).await;
    assert_ne!(wrong.code, Some(0), "a wrong password must be refused by the server: {}", wrong.output);

    // The certificate accepted on first use is now pinned in the client's store.
    let known = std::fs::read_to_string(home.path().join(".config/freerdp/known_hosts2")).unwrap_or_default();
    assert!(known.contains("127.0.0.1") && known.contains(&port.to_string()), "tofu store: {known:?}");

    drop(endpoint);
    host.shutdown();
}
