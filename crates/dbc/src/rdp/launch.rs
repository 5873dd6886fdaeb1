//! Starting the client: write the `.rdp` file, pick the client, spawn it with
//! its argument vector and, for FreeRDP, write the password to its stdin.
//! We do not wait for the session: a thread reaps the client when it ends
//! (no zombie) and logs how it ended.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use super::client::{detect, plan, LaunchPlan, RdpClient};
use super::file::{rdp_dir, write_rdp_file};
use super::options::RdpOptions;
use super::target::{check_login_password, RdpTarget};
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe, SystemProbe};

/// A started client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Launched {
    pub client: RdpClient,
    pub pid: u32,
    /// The `.rdp` file written for this connection (also for FreeRDP, so
    /// the user can open it with another client).
    pub rdp_file: PathBuf,
}

/// Connect to `target` with the client this computer has.
pub fn launch(target: &RdpTarget, password: &SecretString, options: &RdpOptions, data_dir: &Path) -> Result<Launched> {
    launch_with(Os::current(), &SystemProbe, target, password, options, data_dir)
}

/// [`launch`] with the OS and the program lookup given (tests).
pub fn launch_with(
    os: Os,
    probe: &dyn Probe,
    target: &RdpTarget,
    password: &SecretString,
    options: &RdpOptions,
    data_dir: &Path,
) -> Result<Launched> {
    check_login_password(password)?;
    options.validate()?;
    let found = detect(os, probe)?;
    let rdp_file = write_rdp_file(data_dir, target, options)?;
    if options.drives == super::options::DriveRedirect::Home && found.client.takes_password_on_stdin() {
        // FreeRDP shares the folder only if it exists.
        super::file::ensure_share_dir(data_dir)?;
    }
    let plan = plan(&found, target, options, &rdp_file);
    let mut cmd = plan.command();
    // The client's own messages go to a log next to the file (never the
    // password: FreeRDP reads it from stdin and does not echo it).
    let log = rdp_dir(data_dir).join(format!("{}.log", target.file_stem()));
    if let Ok(out) = open_log(&log) {
        if let Ok(err) = out.try_clone() {
            cmd.stdout(out).stderr(err);
        }
    }
    let child = start(&plan, cmd, password)?;
    let pid = child.id();
    tracing::info!(client = plan.client.as_str(), pid, address = %target.address(), "RDP client started");
    reap_in_background(child, plan.client);
    Ok(Launched { client: plan.client, pid, rdp_file })
}

impl LaunchPlan {
    /// The command for this plan: the program and its arguments, stdin a pipe
    /// when the password goes there (else nothing), output discarded. On Unix
    /// the client gets its own process group, so a Ctrl-C in the terminal the
    /// CLI ran in does not end the session.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .stdin(if self.password_on_stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cmd
    }
}

/// Spawn `cmd` (from [`LaunchPlan::command`], possibly with more settings)
/// and, when the plan says so, write the password and a newline to its stdin,
/// then close it. The caller owns the returned child.
pub fn start(plan: &LaunchPlan, mut cmd: Command, password: &SecretString) -> Result<Child> {
    let failed = |reason: String| {
        Error::new(ErrorCode::RdpLaunchFailed, format!("could not start {}: {reason}", plan.client.as_str()))
            .with_data(json!({ "client": plan.client.as_str(), "reason": reason }))
    };
    let mut child = cmd.spawn().map_err(|e| failed(e.to_string()))?;
    if plan.password_on_stdin {
        let mut line = Zeroizing::new(Vec::with_capacity(password.expose_secret().len() + 1));
        line.extend_from_slice(password.expose_secret().as_bytes());
        line.push(b'\n');
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(&line).and_then(|_| stdin.flush()),
            None => Err(std::io::Error::other("stdin is not a pipe")),
        };
        // stdin was dropped (closed) above: the client sees end of input.
        if let Err(e) = written {
            // It exited before reading (bad arguments, no display): end it
            // and report, rather than leave a half-started client.
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(format!("could not hand over the password: {e}")));
        }
    }
    Ok(child)
}

/// Wait for the client in a thread so it never lingers as a zombie.
fn reap_in_background(mut child: Child, client: RdpClient) {
    let spawned = std::thread::Builder::new().name("rdp-client-reaper".into()).spawn(move || match child.wait() {
        Ok(status) => tracing::info!(client = client.as_str(), %status, "RDP client ended"),
        Err(e) => tracing::warn!(client = client.as_str(), error = %e, "could not wait for the RDP client"),
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no reaper thread for the RDP client");
    }
}

fn open_log(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::test_scripts::{record_args, wait_for_end, write_script, ScriptProbe};
    use std::os::unix::fs::PermissionsExt;

    /// The target and the password every fake client below is launched with.
    fn login() -> (RdpTarget, SecretString) {
        (
            RdpTarget::new("127.0.0.1", 40001, "Administrator").unwrap(),
            SecretString::from("aZ9_/+[]@#^xyzQ1".to_string()),
        )
    }

    /// A stand-in client `name` in `dir` running `body`, which gets the path of the
    /// file it writes what it saw to (read back with [`wait_for_end`]).
    fn fake_client(dir: &Path, name: &'static str, body: impl FnOnce(&Path) -> String) -> (ScriptProbe, PathBuf) {
        let out = dir.join("seen.txt");
        let path = dir.join("fake-client");
        write_script(&path, &body(&out));
        (ScriptProbe::at(name, path), out)
    }

    /// A stand-in `xfreerdp` records its argv and stdin: the password comes
    /// on stdin as one line, never in argv, and the `.rdp` file is written.
    #[test]
    fn freerdp_gets_the_password_on_stdin_only() {
        let dir = tempfile::tempdir().unwrap();
        let (probe, out) = fake_client(dir.path(), "xfreerdp", |out| {
            format!(
                "{}; read -r pw; echo \"STDIN $pw\" >> {o}; echo \"ENV $(env | grep -c aZ9_)\" >> {o}; echo END >> {o}",
                record_args(out),
                o = out.display()
            )
        });
        let (target, password) = login();
        let data = dir.path().join("data");
        let launched = launch_with(Os::Linux, &probe, &target, &password, &RdpOptions::default(), &data).unwrap();
        assert_eq!(launched.client, RdpClient::Xfreerdp);
        assert!(launched.pid > 0);
        assert_eq!(launched.rdp_file, data.join("rdp/vm-127-0-0-1-40001.rdp"));
        let seen = wait_for_end(&out);
        assert!(seen.contains("ARG /v:127.0.0.1:40001\n") && seen.contains("ARG /from-stdin:force\n"), "{seen}");
        assert!(seen.contains("STDIN aZ9_/+[]@#^xyzQ1\n"), "{seen}");
        assert!(seen.contains("ENV 0\n"), "the password is not in the environment: {seen}");
        let args: Vec<_> = seen.lines().filter(|l| l.starts_with("ARG ")).collect();
        assert!(args.iter().all(|a| !a.contains("aZ9_")), "{args:?}");
        assert!(!std::fs::read_to_string(&launched.rdp_file).unwrap().contains("aZ9_"));
    }

    /// "Share a folder": FreeRDP gets `/drive:DBC-Rent,<data dir>/share`,
    /// the folder is made (0700), and nothing else is shared.
    #[test]
    fn freerdp_shares_the_dedicated_folder_created_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let (probe, out) = fake_client(dir.path(), "xfreerdp3", |out| {
            format!("{}; read -r pw; echo END >> {o}", record_args(out), o = out.display())
        });
        let (target, password) = login();
        let data = dir.path().join("data");
        let o = RdpOptions { drives: crate::rdp::DriveRedirect::Home, ..Default::default() };
        launch_with(Os::Linux, &probe, &target, &password, &o, &data).unwrap();
        let seen = wait_for_end(&out);
        let share = data.join("share");
        assert!(seen.contains(&format!("ARG /drive:DBC-Rent,{}\n", share.display())), "{seen}");
        assert!(!seen.contains("home-drive"), "{seen}");
        assert_eq!(std::fs::metadata(&share).unwrap().permissions().mode() & 0o777, 0o700);
    }

    /// Clients that prompt get the `.rdp` file and nothing on stdin.
    #[test]
    fn other_clients_get_the_file_and_no_password() {
        let dir = tempfile::tempdir().unwrap();
        let (probe, out) = fake_client(dir.path(), "remmina", |out| {
            format!(
                "{}; if read -r x; then echo \"STDIN $x\" >> {o}; fi; echo END >> {o}",
                record_args(out),
                o = out.display()
            )
        });
        let (target, password) = login();
        let launched = launch_with(Os::Linux, &probe, &target, &password, &RdpOptions::default(), dir.path()).unwrap();
        assert_eq!(launched.client, RdpClient::Remmina);
        let seen = wait_for_end(&out);
        assert_eq!(seen, format!("ARG -c\nARG {}\nEND\n", launched.rdp_file.display()));
    }

    #[test]
    fn refusals_happen_before_anything_is_written_or_started() {
        let dir = tempfile::tempdir().unwrap();
        let target = RdpTarget::new("127.0.0.1", 40001, "Administrator").unwrap();
        let na = SecretString::from("N/A".to_string());
        let probe = crate::host::FakeProbe { programs: vec!["xfreerdp"], mac_apps: vec![] };
        let e = launch_with(Os::Linux, &probe, &target, &na, &RdpOptions::default(), dir.path()).unwrap_err();
        assert_eq!(e.code, ErrorCode::VmNoGuestAgent);
        let pw = SecretString::from("secret".to_string());
        let none = crate::host::FakeProbe::default();
        let e = launch_with(Os::Linux, &none, &target, &pw, &RdpOptions::default(), dir.path()).unwrap_err();
        assert_eq!(e.code, ErrorCode::RdpClientMissing);
        assert!(!dir.path().join("rdp").exists(), "nothing written when nothing can be started");
    }

    #[test]
    fn a_client_that_cannot_start_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let probe = ScriptProbe::at("xfreerdp", dir.path().join("missing-binary"));
        let target = RdpTarget::new("127.0.0.1", 40001, "Administrator").unwrap();
        let pw = SecretString::from("secret".to_string());
        let e = launch_with(Os::Linux, &probe, &target, &pw, &RdpOptions::default(), dir.path()).unwrap_err();
        assert_eq!(e.code, ErrorCode::RdpLaunchFailed);
        assert_eq!(e.data.unwrap()["client"], "xfreerdp");
        assert!(!e.message.contains("secret"));
    }
}
