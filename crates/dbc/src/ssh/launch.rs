//! Starting the programs of Connect for a Linux VM: a terminal running the
//! system `ssh`, and VS Code on the VM. Programs are found by the safe
//! lookup of [`crate::host`] (never a relative `PATH` entry) and started by
//! argument vector; we do not wait for them (a thread reaps each one).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;
use serde_json::json;

use super::argv::{find_ssh, ssh_args, terminal_plan, TerminalPlan};
use super::known_hosts::known_hosts_path;
use super::target::SshTarget;
use super::vscode::vscode_plan;
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe};

/// A started program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Started {
    pub program: PathBuf,
    pub pid: u32,
}

/// The system `ssh` and its arguments for `target` with `key` (the app's
/// known-hosts file under `data_dir`).
pub fn ssh_command(
    os: Os,
    probe: &dyn Probe,
    target: &SshTarget,
    key: &Path,
    data_dir: &Path,
) -> Result<(PathBuf, Vec<OsString>)> {
    let ssh = find_ssh(os, probe)?;
    Ok((ssh, ssh_args(os, target, key, &known_hosts_path(data_dir))?))
}

/// The one-line `ssh …` command (no password: the key logs in) to show or copy.
pub fn ssh_command_line(os: Os, target: &SshTarget, key: &Path, data_dir: &Path) -> Result<String> {
    let args = ssh_args(os, target, key, &known_hosts_path(data_dir))?;
    Ok(super::argv::command_line("ssh", &args))
}

/// Open the system terminal running `ssh` to `target` (`ssh-client-missing`,
/// `terminal-missing` with install hints; `terminal-launch-failed`).
pub fn open_terminal(
    os: Os,
    probe: &dyn Probe,
    target: &SshTarget,
    key: &Path,
    data_dir: &Path,
    name: &str,
) -> Result<Started> {
    let (ssh, args) = ssh_command(os, probe, target, key, data_dir)?;
    let dir = data_dir.join("ssh");
    let plan = terminal_plan(os, probe, &ssh, &args, &dir, name)?;
    if let Some((file, script)) = &plan.script {
        crate::paths::ensure_private_dir(&dir).map_err(|e| Error::io(&dir, &e))?;
        crate::paths::write_atomic(file, script.as_bytes()).map_err(|e| Error::io(file, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(file, &e))?;
        }
    }
    spawn(&plan)
}

/// Open VS Code on the VM through the `Host <alias>` block (which the
/// caller added with the user's consent: [`super::vscode::config_add`]).
pub fn open_vscode(os: Os, probe: &dyn Probe, alias: &str, user: &str) -> Result<Started> {
    let (program, args) = vscode_plan(os, probe, alias, user)?;
    spawn(&TerminalPlan { program, args, script: None, new_console: false })
}

fn spawn(plan: &TerminalPlan) -> Result<Started> {
    let mut cmd = Command::new(&plan.program);
    cmd.args(&plan.args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: a Ctrl-C in the CLI's terminal does not end it.
        cmd.process_group(0);
    }
    #[cfg(windows)]
    if plan.new_console {
        use std::os::windows::process::CommandExt;
        const CREATE_NEW_CONSOLE: u32 = 0x0000_0010;
        cmd.creation_flags(CREATE_NEW_CONSOLE);
    }
    let program = plan.program.display().to_string();
    let mut child = cmd.spawn().map_err(|e| {
        Error::new(ErrorCode::TerminalLaunchFailed, format!("could not start {program}: {e}"))
            .with_data(json!({ "program": program, "reason": e.to_string() }))
    })?;
    let pid = child.id();
    tracing::info!(program = %program, pid, "started");
    let _ = std::thread::Builder::new().name("ssh-launch-reaper".into()).spawn(move || {
        let _ = child.wait();
    });
    Ok(Started { program: plan.program.clone(), pid })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::test_scripts::{record_args, wait_for_end, write_script, ScriptProbe};

    /// The terminal is started with `-e`, then the absolute `ssh` and our
    /// arguments, one each, exactly; VS Code with its three.
    #[test]
    fn the_terminal_and_vs_code_get_their_argument_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("seen.txt");
        for name in ["xterm", "code", "ssh"] {
            write_script(&dir.path().join(name), &format!("{}; echo END >> {}", record_args(&out), out.display()));
        }
        let probe = ScriptProbe::in_dir(dir.path(), &["ssh", "xterm", "code"]);
        let target = SshTarget::new("203.0.113.7", 10022, "dbc").unwrap();
        let data = dir.path().join("my data");
        let started =
            open_terminal(Os::Linux, &probe, &target, Path::new("/h/.ssh/id_ed25519"), &data, "dbc-42").unwrap();
        assert_eq!(started.program, dir.path().join("xterm"));
        let kh = data.join("ssh/known_hosts");
        let want = format!(
            "ARG -e\nARG {ssh}\nARG -p\nARG 10022\nARG -i\nARG /h/.ssh/id_ed25519\nARG -o\nARG IdentitiesOnly=yes\n\
             ARG -o\nARG UserKnownHostsFile=\"{kh}\"\nARG -o\nARG StrictHostKeyChecking=accept-new\nARG dbc@203.0.113.7\nEND\n",
            ssh = dir.path().join("ssh").display(),
            kh = kh.display()
        );
        assert_eq!(wait_for_end(&out), want);
        std::fs::remove_file(&out).unwrap();
        open_vscode(Os::Linux, &probe, "dbc-42", "dbc").unwrap();
        assert_eq!(wait_for_end(&out), "ARG --remote\nARG ssh-remote+dbc-42\nARG /home/dbc\nEND\n");
        let line = ssh_command_line(Os::Linux, &target, Path::new("/k"), &data).unwrap();
        assert!(line.starts_with("ssh -p 10022 -i /k ") && !line.contains('\n'), "{line}");
    }
}
