//! No RDP server of the practice network outlives the process that hosts it,
//! and the Verify step's check tells a real RDP server from a bare listener.
//!
//! The hosting process is this test binary run again as a child (the
//! `hosting_child` entry, only active with `DBC_RDP_ORPHAN_CHILD` set): it
//! opens a real endpoint (Xvfb + freerdp-shadow-cli) and waits. The parent
//! kills it with SIGKILL, so no destructor runs, as when the app is killed or
//! crashes, and then expects every process the child started to be gone.
//!
//! Needs Xvfb, freerdp-shadow-cli and winpr-hash (`make test` installs them);
//! a missing tool fails the test, it does not skip.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dbc::compute::rdp_reachable;
use dbc_sandbox::client_sim::rdp::RdpHost;
use dbc_sandbox::client_sim::{real_rdp_available, RdpKind, RdpMode};

const CHILD_ENV: &str = "DBC_RDP_ORPHAN_CHILD";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The pids whose parent is `pid`, read from `/proc/<pid>/task/*/children`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| s.split_whitespace().filter_map(|p| p.parse().ok()).collect::<Vec<u32>>())
        .collect()
}

fn alive(pid: u32) -> bool {
    // A zombie is dead for our purpose: it holds no port and runs nothing.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn hosting_child() {
    let Ok(port) = std::env::var(CHILD_ENV) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let host = RdpHost::new(RdpMode::RealOnly);
        let endpoint = host.open(port.parse().unwrap(), "Pw_0123456789abc").await.expect("shadow server started");
        assert_eq!(endpoint.kind(), Some(RdpKind::FreerdpShadow));
        println!("ready");
        tokio::time::sleep(Duration::from_secs(600)).await;
        drop(endpoint);
    });
}

#[tokio::test]
async fn a_killed_host_leaves_no_rdp_server_behind() {
    assert!(
        real_rdp_available(),
        "freerdp-shadow-cli, Xvfb and winpr-hash are needed: apt-get install freerdp2-shadow-x11 xvfb winpr-utils"
    );
    let port = free_port();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hosting_child", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.contains("ready"))
    });
    assert!(tokio::time::timeout(Duration::from_secs(60), ready).await.unwrap().unwrap(), "child never got ready");

    // The shadow server answers the RDP probe while its host lives.
    rdp_reachable("127.0.0.1", port, Duration::from_secs(10)).await.expect("real RDP server answers the probe");
    let helpers = children(child.id());
    assert!(helpers.len() >= 2, "expected Xvfb and freerdp-shadow-cli under the host, found {helpers:?}");

    child.kill().unwrap();
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while helpers.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let left: Vec<u32> = helpers.iter().copied().filter(|&p| alive(p)).collect();
    assert!(left.is_empty(), "processes outlived their killed host: {left:?}");
    let e = rdp_reachable("127.0.0.1", port, Duration::from_secs(2)).await.unwrap_err();
    assert_eq!(e.data.unwrap()["reason"], "refused", "nothing listens on the VM's old port");
}

/// The stand-in endpoint (no FreeRDP tools) answers the probe as a server
/// does, so the Verify step works in the simulator either way; a plain
/// listener that only accepts does not pass.
#[tokio::test]
async fn the_stand_in_answers_the_probe_and_a_bare_listener_does_not() {
    let host = RdpHost::new(RdpMode::PlainTcp);
    let port = free_port();
    let endpoint = host.open(port, "pw").await.unwrap();
    assert_eq!(endpoint.kind(), Some(RdpKind::PlainTcp));
    rdp_reachable("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
    drop(endpoint);

    let bare = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_port = bare.local_addr().unwrap().port();
    let _held = tokio::spawn(async move {
        let (sock, _) = bare.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(sock);
    });
    let e = rdp_reachable("127.0.0.1", bare_port, Duration::from_secs(1)).await.unwrap_err();
    assert_eq!(e.data.unwrap()["reason"], "timeout");
}
