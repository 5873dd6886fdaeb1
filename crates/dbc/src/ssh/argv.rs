//! The system `ssh` command for a VM, and the terminal that runs it, as
//! argument vectors (never a shell string), per OS. Host, port and user come
//! from a checked [`SshTarget`]; the two paths (key, known-hosts file) are
//! the app's own or the user's, and are refused if they could be read as
//! more than one value where `ssh` or the terminal parse them.
//!
//! Terminals, in order: Linux `x-terminal-emulator` (Debian's choice of the
//! user's terminal), then gnome-terminal, konsole, xfce4-terminal, xterm;
//! Windows: Windows Terminal (`wt.exe`), else `cmd.exe /k` in a new console;
//! macOS: Terminal through `open -a Terminal <file>.command`. A `.command`
//! file is a plain `sh` script with every argument single-quoted: one
//! quoting layer, unit-tested here, where `osascript -e 'tell application
//! "Terminal" to do script "…"'` would need AppleScript string escaping
//! around shell quoting around our arguments.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::target::SshTarget;
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe};

/// The `ssh` arguments (after the program) to log in to `target` with the
/// private key `key`, pinning the host key in `known_hosts` on first use.
/// `IdentitiesOnly` keeps ssh from offering every key in the agent first
/// (sshd stops after a few failures).
pub fn ssh_args(os: Os, target: &SshTarget, key: &Path, known_hosts: &Path) -> Result<Vec<OsString>> {
    let kh = config_path(os, known_hosts)?;
    check_path(key)?;
    let mut v: Vec<OsString> = vec!["-p".into(), target.port().to_string().into(), "-i".into(), key.into()];
    for o in [
        "IdentitiesOnly=yes".to_string(),
        format!("UserKnownHostsFile={kh}"),
        "StrictHostKeyChecking=accept-new".into(),
    ] {
        v.push("-o".into());
        v.push(o.into());
    }
    v.push(target.user_at_host().into());
    Ok(v)
}

/// A path as the value of an `ssh -o` option or a `~/.ssh/config` line:
/// ssh splits those at whitespace (a list of files) unless quoted, and
/// reads `\` as an escape, so the path is double-quoted when it has a
/// space, and written with `/` on Windows (which Win32-OpenSSH accepts).
/// A `"` or a control character cannot be written at all: `invalid-argument`.
pub fn config_path(os: Os, path: &Path) -> Result<String> {
    check_path(path)?;
    let mut s = path.to_string_lossy().into_owned();
    if s.contains('"') {
        return Err(bad_path(path));
    }
    if os == Os::Windows {
        s = s.replace('\\', "/");
    }
    Ok(if s.contains(char::is_whitespace) { format!("\"{s}\"") } else { s })
}

fn bad_path(path: &Path) -> Error {
    Error::invalid_argument(format!("the path {} cannot be passed to ssh", path.display()))
        .with_data(json!({ "field": "path", "path": path.display().to_string() }))
}

/// Absolute, valid UTF-8, no control characters (a newline would end a
/// config line), not starting with `-`.
fn check_path(path: &Path) -> Result<()> {
    let Some(s) = path.to_str() else { return Err(bad_path(path)) };
    if !path.is_absolute() || s.chars().any(char::is_control) || s.starts_with('-') {
        return Err(bad_path(path));
    }
    Ok(())
}

/// The one-line command to show and copy (`--print`, the Connect step):
/// the program and the arguments, each single-quoted for a POSIX shell
/// when it needs it. For people; we never run it through a shell.
pub fn command_line(program: &str, args: &[OsString]) -> String {
    std::iter::once(program.to_string())
        .chain(args.iter().map(|a| sh_quote(&a.to_string_lossy())))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` as one POSIX shell word: as is when it is plain, else in single
/// quotes with each `'` written `'\''`.
pub fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A program to start and its arguments, plus (macOS) a script file to write first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalPlan {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// macOS: the `.command` file and its contents.
    pub script: Option<(PathBuf, String)>,
    /// Windows `cmd.exe`: needs a console of its own.
    pub new_console: bool,
}

/// Linux terminals, in the order tried, with the flag after which the
/// command and its arguments follow.
pub const LINUX_TERMINALS: &[(&str, &str)] = &[
    ("x-terminal-emulator", "-e"),
    ("gnome-terminal", "--"),
    ("konsole", "-e"),
    ("xfce4-terminal", "-x"),
    ("xterm", "-e"),
];

/// What to install, per OS, when no `ssh` is found.
pub fn ssh_install_hint(os: Os) -> &'static str {
    match os {
        Os::Linux => "sudo apt install openssh-client",
        Os::Windows => "Settings > System > Optional features > OpenSSH Client",
        Os::Macos => "ssh is part of macOS",
    }
}

/// What to install, per OS, when no terminal is found.
pub fn terminal_install_hint(os: Os) -> &'static str {
    match os {
        Os::Linux => "sudo apt install xterm",
        Os::Windows => "Windows Terminal from the Microsoft Store",
        Os::Macos => "Terminal is part of macOS",
    }
}

/// The system `ssh` (absolute path, never from a relative `PATH` entry):
/// `ssh-client-missing {os, install}`.
pub fn find_ssh(os: Os, probe: &dyn Probe) -> Result<PathBuf> {
    probe.find_program("ssh").ok_or_else(|| {
        Error::new(
            ErrorCode::SshClientMissing,
            format!("no ssh program was found; install it ({})", ssh_install_hint(os)),
        )
        .with_data(json!({ "os": os.as_str(), "install": ssh_install_hint(os) }))
    })
}

/// How to open a terminal running `ssh` with `ssh_args`: see the module
/// docs for the choice per OS. `script_dir` is where macOS's `.command`
/// file goes (`<data dir>/ssh`), named after `name` (`dbc-<rent>`).
pub fn terminal_plan(
    os: Os,
    probe: &dyn Probe,
    ssh: &Path,
    ssh_args: &[OsString],
    script_dir: &Path,
    name: &str,
) -> Result<TerminalPlan> {
    let missing = || {
        Error::new(
            ErrorCode::TerminalMissing,
            format!("no terminal program was found; install one ({})", terminal_install_hint(os)),
        )
        .with_data(json!({ "os": os.as_str(), "install": terminal_install_hint(os) }))
    };
    let with_ssh = |mut v: Vec<OsString>| {
        v.push(ssh.into());
        v.extend(ssh_args.iter().cloned());
        v
    };
    match os {
        Os::Linux => {
            let (program, flag) = LINUX_TERMINALS
                .iter()
                .find_map(|(name, flag)| probe.find_program(name).map(|p| (p, *flag)))
                .ok_or_else(missing)?;
            Ok(TerminalPlan { program, args: with_ssh(vec![flag.into()]), script: None, new_console: false })
        }
        Os::Windows => {
            // wt.exe splits its command line at `;` (new tabs), cmd.exe
            // interprets & | < > ^ % !: no argument of ours may hold one.
            let hostile = ['"', ';', '&', '|', '<', '>', '^', '%', '!'];
            if let Some(a) =
                ssh_args.iter().chain([&ssh.as_os_str().to_owned()]).find(|a| a.to_string_lossy().contains(hostile))
            {
                return Err(Error::invalid_argument(format!(
                    "{} cannot be passed safely to a Windows terminal",
                    a.to_string_lossy()
                ))
                .with_data(json!({ "field": "path", "path": a.to_string_lossy() })));
            }
            if let Some(wt) = probe.find_program("wt") {
                return Ok(TerminalPlan {
                    program: wt,
                    args: with_ssh(vec!["new-tab".into(), "--title".into(), name.into(), "--".into()]),
                    script: None,
                    new_console: false,
                });
            }
            let cmd = probe.find_program("cmd").ok_or_else(missing)?;
            Ok(TerminalPlan { program: cmd, args: with_ssh(vec!["/k".into()]), script: None, new_console: true })
        }
        Os::Macos => {
            if !probe.has_mac_app("Terminal") {
                return Err(missing());
            }
            let file = script_dir.join(format!("{name}.command"));
            let mut script = String::from("#!/bin/sh\nexec");
            for a in std::iter::once(ssh.as_os_str()).chain(ssh_args.iter().map(|a| a.as_os_str())) {
                script.push(' ');
                script.push_str(&sh_quote(&a.to_string_lossy()));
            }
            script.push('\n');
            Ok(TerminalPlan {
                program: PathBuf::from("/usr/bin/open"),
                args: vec!["-a".into(), "Terminal".into(), file.clone().into()],
                script: Some((file, script)),
                new_console: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeProbe;

    fn target() -> SshTarget {
        SshTarget::new("203.0.113.7", 10022, "dbc").unwrap()
    }

    fn strs(v: &[OsString]) -> Vec<String> {
        v.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn the_ssh_argv_pins_the_host_key_in_our_file() {
        let args =
            ssh_args(Os::Linux, &target(), Path::new("/home/u/.ssh/id_ed25519"), Path::new("/d/ssh/known_hosts"))
                .unwrap();
        assert_eq!(
            strs(&args),
            [
                "-p",
                "10022",
                "-i",
                "/home/u/.ssh/id_ed25519",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "UserKnownHostsFile=/d/ssh/known_hosts",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "dbc@203.0.113.7"
            ]
        );
        assert_eq!(
            command_line("ssh", &args),
            "ssh -p 10022 -i /home/u/.ssh/id_ed25519 -o IdentitiesOnly=yes -o UserKnownHostsFile=/d/ssh/known_hosts \
             -o StrictHostKeyChecking=accept-new dbc@203.0.113.7"
        );
        // A data dir with a space is quoted inside the option; the display quotes the whole word.
        let spaced = ssh_args(Os::Linux, &target(), Path::new("/k"), Path::new("/my data/known_hosts")).unwrap();
        assert_eq!(strs(&spaced)[7], "UserKnownHostsFile=\"/my data/known_hosts\"");
        assert!(command_line("ssh", &spaced).contains("'UserKnownHostsFile=\"/my data/known_hosts\"'"));
        let win = ssh_args(Os::Windows, &target(), Path::new("/k"), Path::new("/C:\\Users\\A B\\kh")).unwrap();
        assert_eq!(strs(&win)[7], "UserKnownHostsFile=\"/C:/Users/A B/kh\"", "forward slashes for Win32-OpenSSH");
        for bad in ["relative/kh", "/a\nb", "/a\"b"] {
            let e = ssh_args(Os::Linux, &target(), Path::new("/k"), Path::new(bad)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad:?}");
        }
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn terminals_per_os() {
        let args = ssh_args(Os::Linux, &target(), Path::new("/k"), Path::new("/kh")).unwrap();
        let ssh = Path::new("/usr/bin/ssh");
        let dir = Path::new("/d/ssh");
        let plan = |os, probe: &FakeProbe| terminal_plan(os, probe, ssh, &args, dir, "dbc-42");
        // Linux: the first terminal found in the list, its own "run this" flag.
        let p = plan(Os::Linux, &FakeProbe { programs: vec!["xterm", "konsole"], mac_apps: vec![] }).unwrap();
        assert_eq!(p.program, PathBuf::from("/fake/bin/konsole"));
        assert_eq!(strs(&p.args)[..3], ["-e", "/usr/bin/ssh", "-p"]);
        assert_eq!(strs(&p.args).last().unwrap(), "dbc@203.0.113.7");
        let p =
            plan(Os::Linux, &FakeProbe { programs: vec!["gnome-terminal", "x-terminal-emulator"], mac_apps: vec![] })
                .unwrap();
        assert_eq!((p.program, strs(&p.args)[0].as_str()), (PathBuf::from("/fake/bin/x-terminal-emulator"), "-e"));
        let p = plan(Os::Linux, &FakeProbe { programs: vec!["gnome-terminal"], mac_apps: vec![] }).unwrap();
        assert_eq!(strs(&p.args)[0], "--");
        let p = plan(Os::Linux, &FakeProbe { programs: vec!["xfce4-terminal"], mac_apps: vec![] }).unwrap();
        assert_eq!(strs(&p.args)[0], "-x");
        let e = plan(Os::Linux, &FakeProbe::default()).unwrap_err();
        assert_eq!(
            (e.code, e.data.unwrap()["install"].as_str()),
            (ErrorCode::TerminalMissing, Some("sudo apt install xterm"))
        );
        // Windows: Windows Terminal, else cmd /k in a console of its own.
        let p = plan(Os::Windows, &FakeProbe { programs: vec!["wt", "cmd"], mac_apps: vec![] }).unwrap();
        assert_eq!(p.program, PathBuf::from("/fake/bin/wt"));
        assert_eq!(strs(&p.args)[..5], ["new-tab", "--title", "dbc-42", "--", "/usr/bin/ssh"]);
        let p = plan(Os::Windows, &FakeProbe { programs: vec!["cmd"], mac_apps: vec![] }).unwrap();
        assert_eq!(
            (strs(&p.args)[..2].to_vec(), p.new_console),
            (vec!["/k".to_string(), "/usr/bin/ssh".to_string()], true)
        );
        let amp = ssh_args(Os::Windows, &target(), Path::new("/Users/A&B/k"), Path::new("/kh")).unwrap();
        let e = terminal_plan(Os::Windows, &FakeProbe { programs: vec!["cmd"], mac_apps: vec![] }, ssh, &amp, dir, "x");
        assert_eq!(e.unwrap_err().code, ErrorCode::InvalidArgument, "cmd.exe would read & as a second command");
        // macOS: open -a Terminal on a .command script with every argument quoted.
        let p = plan(Os::Macos, &FakeProbe { programs: vec![], mac_apps: vec!["Terminal"] }).unwrap();
        assert_eq!(p.program, PathBuf::from("/usr/bin/open"));
        assert_eq!(strs(&p.args), ["-a", "Terminal", "/d/ssh/dbc-42.command"]);
        let (file, script) = p.script.unwrap();
        assert_eq!(file, PathBuf::from("/d/ssh/dbc-42.command"));
        assert!(script.starts_with("#!/bin/sh\nexec /usr/bin/ssh -p 10022 -i /k "), "{script}");
        assert!(script.ends_with(" dbc@203.0.113.7\n"), "{script}");
        assert_eq!(plan(Os::Macos, &FakeProbe::default()).unwrap_err().code, ErrorCode::TerminalMissing);
    }

    #[test]
    fn ssh_is_looked_up_safely_and_missing_is_explained() {
        let e = find_ssh(Os::Windows, &FakeProbe::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::SshClientMissing);
        assert_eq!(e.data.unwrap()["os"], "windows");
        assert_eq!(
            find_ssh(Os::Linux, &FakeProbe { programs: vec!["ssh"], mac_apps: vec![] }).unwrap(),
            PathBuf::from("/fake/bin/ssh")
        );
    }
}
