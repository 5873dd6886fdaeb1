//! The app as a desktop program: a second launch over the same data dir
//! brings the running window forward and exits (tauri-plugin-single-instance,
//! which meets over the D-Bus session bus on Linux); a launch over another
//! data dir is an instance of its own; the window's size comes back after a
//! restart (tauri-plugin-window-state, kept in the data dir).
//!
//! The bus is a private `dbus-daemon` with no service files, so nothing
//! (no keyring daemon) can be activated behind the app's back.

use dbc_e2e::{app_binary, Launch, Session};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// A private session bus; killed when dropped.
struct Bus(Child, String);

impl Bus {
    fn start(dir: &Path) -> Bus {
        let cfg = dir.join("bus.conf");
        std::fs::write(&cfg, BUS_CONFIG).unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", cfg.display()))
            .args(["--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (apt package dbus) runs");
        let mut address = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut address).unwrap();
        Bus(child, address.trim().to_string())
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Launch the app binary directly (no WebDriver) over `data_dir` on `bus`.
fn launch(data_dir: &Path, bus: &str, extra: &[&str]) -> Child {
    Command::new(app_binary())
        .args(extra)
        .env("DBC_RENT_HOME", data_dir)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("LANG", "en_US.UTF-8")
        .env("LC_ALL", "en_US.UTF-8")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `child`'s exit status if it exits within `within`.
fn exit_within(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn logs_mention(data_dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(data_dir.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read_to_string(e.path()).unwrap_or_default().contains(needle))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_focuses_the_first_and_the_window_size_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let bus = Bus::start(tmp.path());
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let s = Session::start(
        "desktop",
        Launch::locale("en_US.UTF-8").data_dir(&data).env("DBUS_SESSION_BUS_ADDRESS", &bus.1),
    )
    .await;
    s.client.set_window_size(1100, 740).await.unwrap();

    // The same data dir: the second process hands over its arguments and exits at once.
    let mut second = launch(&data, &bus.1, &["--from-a-second-launch"]);
    let status = exit_within(&mut second, Duration::from_secs(30)).expect("the second launch exits");
    assert!(status.success(), "{status:?}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !logs_mention(&data, "a second launch brought this window forward") {
        assert!(Instant::now() < deadline, "the first instance was not told of the second launch");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    s.wait("statusbar").await;
    s.screenshot("second-launch", "en").await;

    // Another data dir is another instance: it keeps running.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let mut third = launch(&other, &bus.1, &[]);
    let early_exit = exit_within(&mut third, Duration::from_secs(8));
    let _ = third.kill();
    let _ = third.wait();
    assert_eq!(early_exit, None, "a launch over another data dir must not be taken for a second instance");

    // The size survives a restart (saved in the data dir when the window closes).
    s.close().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !data.join("window-state.json").is_file() {
        assert!(Instant::now() < deadline, "no window-state.json in the data dir");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let s = Session::start(
        "desktop-restart",
        Launch::locale("en_US.UTF-8").data_dir(&data).env("DBUS_SESSION_BUS_ADDRESS", &bus.1),
    )
    .await;
    let (_, _, w, h) = s.client.get_window_rect().await.unwrap();
    assert_eq!((w as u32, h as u32), (1100, 740), "the window comes back at its last size");
    s.close().await;
}
