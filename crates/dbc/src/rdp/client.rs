//! Which Remote Desktop client to start, and its argument vector.
//!
//! Pure functions over an injected [`Os`] and [`Probe`], so every OS's
//! choice is tested on Linux. Clients are always started with an argument
//! vector, never through a shell, and the password never goes into argv or
//! the environment (both are visible to other local users through `ps` and
//! `/proc`):
//!
//! - **Windows**: `mstsc <file.rdp>`. mstsc takes no password on its command
//!   line or in a plain `.rdp` file; it prompts. `cmdkey /pass:` could store
//!   it beforehand, but only with the password on cmdkey's own command line,
//!   so we do not: the Connect screen offers a copy button instead.
//! - **macOS**: `open <file.rdp>`, which hands it to Windows App (formerly
//!   Microsoft Remote Desktop); it prompts and keeps the password itself.
//! - **Linux**: `xfreerdp3` or `xfreerdp` with the password on stdin
//!   (`/from-stdin:force`), else `remmina -c <file.rdp>`, else
//!   `xdg-open <file.rdp>` (both prompt).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use super::options::{DriveRedirect, RdpOptions};
use super::target::RdpTarget;
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe};

/// The clients we know how to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[derive(ts_rs::TS)]
pub enum RdpClient {
    /// Windows' Remote Desktop Connection.
    Mstsc,
    /// macOS `open`, handing the file to Windows App / Microsoft Remote Desktop.
    WindowsApp,
    /// FreeRDP 3's X11 client.
    Xfreerdp3,
    /// FreeRDP 2's X11 client (Debian 12: `freerdp2-x11`).
    Xfreerdp,
    Remmina,
    /// The desktop's handler for `.rdp` files.
    XdgOpen,
}

impl RdpClient {
    pub fn as_str(self) -> &'static str {
        match self {
            RdpClient::Mstsc => "mstsc",
            RdpClient::WindowsApp => "windows-app",
            RdpClient::Xfreerdp3 => "xfreerdp3",
            RdpClient::Xfreerdp => "xfreerdp",
            RdpClient::Remmina => "remmina",
            RdpClient::XdgOpen => "xdg-open",
        }
    }

    /// FreeRDP takes the password on stdin; every other client asks the user.
    pub fn takes_password_on_stdin(self) -> bool {
        matches!(self, RdpClient::Xfreerdp3 | RdpClient::Xfreerdp)
    }
}

/// A client that is installed, with the program to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundClient {
    pub client: RdpClient,
    pub program: PathBuf,
}

/// The macOS apps that open `.rdp` files: the current name, then the old one.
const MAC_APPS: [&str; 2] = ["Windows App", "Microsoft Remote Desktop"];

/// The Linux clients in order of preference and the program each runs.
const LINUX_CLIENTS: [(RdpClient, &str); 4] = [
    (RdpClient::Xfreerdp3, "xfreerdp3"),
    (RdpClient::Xfreerdp, "xfreerdp"),
    (RdpClient::Remmina, "remmina"),
    (RdpClient::XdgOpen, "xdg-open"),
];

/// What to install when no client is found, shown to the user as is.
pub fn install_hint(os: Os) -> &'static str {
    match os {
        Os::Windows => "Remote Desktop Connection (mstsc.exe), part of Windows: Settings > System > Optional features",
        Os::Macos => "Windows App (formerly Microsoft Remote Desktop) from the Mac App Store",
        Os::Linux => "FreeRDP: sudo apt install freerdp2-x11 (Debian 12 / Ubuntu 22.04) or sudo apt install freerdp3-x11 (newer releases)",
    }
}

/// Pick the client for `os` from what `probe` finds installed.
pub fn detect(os: Os, probe: &dyn Probe) -> Result<FoundClient> {
    let found = match os {
        Os::Windows => probe.find_program("mstsc").map(|program| FoundClient { client: RdpClient::Mstsc, program }),
        Os::Macos => {
            let app = MAC_APPS.iter().any(|a| probe.has_mac_app(a));
            probe
                .find_program("open")
                .filter(|_| app)
                .map(|program| FoundClient { client: RdpClient::WindowsApp, program })
        }
        Os::Linux => LINUX_CLIENTS.iter().find_map(|(client, program)| {
            probe.find_program(program).map(|p| FoundClient { client: *client, program: p })
        }),
    };
    found.ok_or_else(|| {
        Error::new(ErrorCode::RdpClientMissing, format!("no Remote Desktop client found; install {}", install_hint(os)))
            .with_data(json!({ "os": os.as_str(), "install": install_hint(os) }))
    })
}

/// Everything needed to start a client: the program, its argument vector,
/// and whether the password is to be written to its stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchPlan {
    pub client: RdpClient,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub password_on_stdin: bool,
}

impl LaunchPlan {
    /// The arguments as text, for tests and logs (they hold no secret).
    pub fn args_lossy(&self) -> Vec<String> {
        self.args.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }
}

/// The argument vector for `found`, connecting to `target` with `options`;
/// `rdp_file` is the already written `.rdp` file the non-FreeRDP clients open
/// (at [`super::file::rdp_file_path`]: the shared folder is its sibling
/// `<data dir>/share`; a file elsewhere shares nothing).
pub fn plan(found: &FoundClient, target: &RdpTarget, options: &RdpOptions, rdp_file: &Path) -> LaunchPlan {
    let file = || vec![rdp_file.as_os_str().to_owned()];
    let args = match found.client {
        RdpClient::Mstsc | RdpClient::WindowsApp | RdpClient::XdgOpen => file(),
        RdpClient::Remmina => {
            let mut a = vec![OsString::from("-c")];
            a.extend(file());
            a
        }
        RdpClient::Xfreerdp3 | RdpClient::Xfreerdp => {
            let share = (options.drives == DriveRedirect::Home).then(|| super::file::share_dir_for(rdp_file)).flatten();
            let mut a: Vec<OsString> = freerdp_args(target, options).into_iter().map(OsString::from).collect();
            a.extend(share.as_deref().and_then(drive_arg));
            a
        }
    };
    LaunchPlan {
        client: found.client,
        program: found.program.clone(),
        args,
        password_on_stdin: found.client.takes_password_on_stdin(),
    }
}

/// FreeRDP's options (the same for 2.x and 3.x). Every value is one argv
/// element starting with `/` or `+`/`-` that we chose; the user's values
/// only ever follow a `:` inside one, so they cannot become options.
fn freerdp_args(target: &RdpTarget, options: &RdpOptions) -> Vec<String> {
    let mut a = vec![
        format!("/v:{}", target.address()),
        format!("/u:{}", target.user()),
        // An explicit empty domain: otherwise FreeRDP may ask for a domain
        // on stdin first and take the password line as the domain.
        "/d:".to_string(),
        // Read the password from stdin before connecting (FreeRDP 2.11 only
        // reads it with `:force`); it never appears in argv.
        "/from-stdin:force".to_string(),
        // Accept the VM's self-signed certificate the first time, then
        // insist on the same one (trust on first use).
        "/cert:tofu".to_string(),
        format!("/t:DBC Rent - {}", target.address()),
    ];
    if options.fullscreen {
        a.push("/f".into());
    } else {
        a.push(format!("/size:{}x{}", options.width, options.height));
    }
    if options.dynamic_resolution {
        a.push("/dynamic-resolution".into());
    }
    if options.multi_monitor {
        a.push("/multimon".into());
    }
    a.push(if options.clipboard { "+clipboard" } else { "-clipboard" }.into());
    a
}

/// The name the shared folder has inside the VM.
pub const SHARE_NAME: &str = "DBC-Rent";

/// `/drive:DBC-Rent,<dir>`: FreeRDP shares exactly `dir` (never
/// `+home-drive`, the whole home folder read-write). `None` for a path
/// FreeRDP would split or misread (a comma separates its fields) or that is
/// not absolute: then nothing is shared rather than something else.
fn drive_arg(dir: &Path) -> Option<OsString> {
    let text = dir.to_str()?;
    if !dir.is_absolute() || text.contains(',') || text.chars().any(char::is_control) {
        tracing::warn!(path = %dir.display(), "the share folder's path cannot be given to FreeRDP; nothing is shared");
        return None;
    }
    Some(OsString::from(format!("/drive:{SHARE_NAME},{text}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeProbe;

    fn probe(programs: &[&'static str]) -> FakeProbe {
        FakeProbe { programs: programs.to_vec(), mac_apps: vec![] }
    }

    fn target() -> RdpTarget {
        RdpTarget::new("203.0.113.7", 40001, "Administrator").unwrap()
    }

    #[test]
    fn linux_prefers_freerdp3_then_freerdp_then_remmina_then_xdg_open() {
        let all = ["xdg-open", "remmina", "xfreerdp", "xfreerdp3"];
        let order = [RdpClient::Xfreerdp3, RdpClient::Xfreerdp, RdpClient::Remmina, RdpClient::XdgOpen];
        for (i, want) in order.iter().enumerate() {
            let installed: Vec<&'static str> = all[..all.len() - i].to_vec();
            let found = detect(Os::Linux, &probe(&installed)).unwrap();
            assert_eq!(found.client, *want, "with {installed:?}");
            assert_eq!(found.program, PathBuf::from("/fake/bin").join(want.as_str()));
        }
    }

    #[test]
    fn nothing_installed_says_what_to_install_for_each_os() {
        for os in [Os::Linux, Os::Windows, Os::Macos] {
            let e = detect(os, &probe(&[])).unwrap_err();
            assert_eq!(e.code, ErrorCode::RdpClientMissing);
            let data = e.data.unwrap();
            assert_eq!(data["os"], os.as_str());
            assert_eq!(data["install"], install_hint(os));
        }
        assert!(install_hint(Os::Linux).contains("sudo apt install freerdp2-x11"));
        assert!(install_hint(Os::Macos).contains("Windows App"));
        // Windows has no FreeRDP route and Linux no mstsc: each OS only its own.
        assert!(detect(Os::Windows, &probe(&["xfreerdp"])).is_err());
        assert!(detect(Os::Linux, &probe(&["mstsc", "open"])).is_err());
    }

    #[test]
    fn windows_opens_the_rdp_file_with_mstsc() {
        let found = detect(Os::Windows, &probe(&["mstsc"])).unwrap();
        let file = Path::new(r"C:\Users\me\AppData\Roaming\app.dbcrent.desktop\rdp\vm-203-0-113-7-40001.rdp");
        let p = plan(&found, &target(), &RdpOptions::default(), file);
        assert_eq!(p.client, RdpClient::Mstsc);
        assert_eq!(p.args, vec![file.as_os_str().to_owned()]);
        assert!(!p.password_on_stdin, "mstsc prompts; no cmdkey with the password in argv");
    }

    #[test]
    fn macos_needs_windows_app_and_opens_the_file() {
        let no_app = FakeProbe { programs: vec!["open"], mac_apps: vec![] };
        assert_eq!(detect(Os::Macos, &no_app).unwrap_err().code, ErrorCode::RdpClientMissing);
        for app in MAC_APPS {
            let p = FakeProbe { programs: vec!["open"], mac_apps: vec![app] };
            let found = detect(Os::Macos, &p).unwrap();
            assert_eq!(found.client, RdpClient::WindowsApp);
            let file = Path::new("/Users/me/Library/Application Support/app.dbcrent.desktop/rdp/x.rdp");
            let plan = plan(&found, &target(), &RdpOptions::default(), file);
            assert_eq!(plan.program, PathBuf::from("/fake/bin/open"));
            assert_eq!(plan.args_lossy(), vec![file.display().to_string()], "a path with spaces stays one argument");
            assert!(!plan.password_on_stdin);
        }
    }

    #[test]
    fn remmina_and_xdg_open_get_the_file() {
        let file = Path::new("/home/me/.local/share/app.dbcrent.desktop/rdp/x.rdp");
        let r = plan(&detect(Os::Linux, &probe(&["remmina"])).unwrap(), &target(), &RdpOptions::default(), file);
        assert_eq!(r.args_lossy(), vec!["-c".to_string(), file.display().to_string()]);
        let x = plan(&detect(Os::Linux, &probe(&["xdg-open"])).unwrap(), &target(), &RdpOptions::default(), file);
        assert_eq!(x.args_lossy(), vec![file.display().to_string()]);
        assert!(!r.password_on_stdin && !x.password_on_stdin);
    }

    #[test]
    fn freerdp_argv_with_default_options() {
        for (installed, client) in [("xfreerdp", RdpClient::Xfreerdp), ("xfreerdp3", RdpClient::Xfreerdp3)] {
            let found = detect(Os::Linux, &probe(&[installed])).unwrap();
            let p = plan(&found, &target(), &RdpOptions::default(), Path::new("/unused.rdp"));
            assert_eq!(p.client, client);
            assert!(p.password_on_stdin);
            assert_eq!(
                p.args_lossy(),
                vec![
                    "/v:203.0.113.7:40001",
                    "/u:Administrator",
                    "/d:",
                    "/from-stdin:force",
                    "/cert:tofu",
                    "/t:DBC Rent - 203.0.113.7:40001",
                    "/size:1600x900",
                    "/dynamic-resolution",
                    "+clipboard",
                ]
            );
        }
    }

    #[test]
    fn freerdp_argv_follows_the_options() {
        let found = detect(Os::Linux, &probe(&["xfreerdp"])).unwrap();
        let o = RdpOptions {
            fullscreen: true,
            multi_monitor: true,
            clipboard: false,
            drives: DriveRedirect::Home,
            dynamic_resolution: false,
            ..Default::default()
        };
        let v6 = RdpTarget::new("2001:db8::7", 3389, "Administrator").unwrap();
        let args = plan(&found, &v6, &o, Path::new("/unused.rdp")).args_lossy();
        assert_eq!(args[0], "/v:[2001:db8::7]:3389");
        assert!(args.contains(&"/f".to_string()) && !args.iter().any(|a| a.starts_with("/size:")));
        assert!(args.contains(&"/multimon".to_string()));
        assert!(args.contains(&"-clipboard".to_string()) && !args.contains(&"+clipboard".to_string()));
        assert!(
            !args.iter().any(|a| a.contains("home-drive") || a.starts_with("/drive")),
            "{args:?}: no data dir, no share"
        );
        assert!(!args.contains(&"/dynamic-resolution".to_string()));
    }

    /// "Share a folder" shares `<data dir>/share` as `DBC-Rent`, nothing else.
    #[test]
    fn freerdp_shares_only_the_dedicated_folder() {
        let found = detect(Os::Linux, &probe(&["xfreerdp3"])).unwrap();
        let data = Path::new("/home/me/.local/share/app.dbcrent.desktop");
        let file = crate::rdp::rdp_file_path(data, &target());
        let o = RdpOptions { drives: DriveRedirect::Home, ..Default::default() };
        let args = plan(&found, &target(), &o, &file).args_lossy();
        let drives: Vec<_> = args.iter().filter(|a| a.contains("drive")).collect();
        assert_eq!(drives, ["/drive:DBC-Rent,/home/me/.local/share/app.dbcrent.desktop/share"]);
        let none = plan(&found, &target(), &RdpOptions::default(), &file).args_lossy();
        assert!(!none.iter().any(|a| a.contains("drive")), "{none:?}");
        // A path FreeRDP would split at the comma shares nothing.
        let odd = Path::new("/home/a,b/data/rdp/x.rdp");
        let args = plan(&found, &target(), &o, odd).args_lossy();
        assert!(!args.iter().any(|a| a.contains("drive")), "{args:?}");
        // mstsc and the others get the file, which shares no drive.
        let m = plan(&detect(Os::Windows, &probe(&["mstsc"])).unwrap(), &target(), &o, &file);
        assert_eq!(m.args.len(), 1);
    }

    /// Hostile values never reach a client: the target refuses them, so a
    /// plan can only be built from clean ones. What does get through (a
    /// backslash domain, a UPN) stays inside its own argv element.
    #[test]
    fn injection_attempts_never_reach_argv() {
        let hostile_hosts = ["1.2.3.4;rm -rf /", "$(id)", "`id`", "-oProxyCommand=x", "a b", "h\n/p:x"];
        for h in hostile_hosts {
            assert_eq!(RdpTarget::new(h, 3389, "Administrator").unwrap_err().code, ErrorCode::InvalidRdpHost);
        }
        for u in ["admin\n/p:secret", "-admin", "\"admin\"", "a' /p:x '"] {
            assert_eq!(RdpTarget::new("1.2.3.4", 3389, u).unwrap_err().code, ErrorCode::InvalidRdpUser);
        }
        for port in [0u64, 65536] {
            assert_eq!(RdpTarget::new("1.2.3.4", port, "a").unwrap_err().code, ErrorCode::InvalidRdpPort);
        }
        let t = RdpTarget::new("1.2.3.4", 3389, "CORP\\first last@x").unwrap();
        let found = detect(Os::Linux, &probe(&["xfreerdp"])).unwrap();
        let args = plan(&found, &t, &RdpOptions::default(), Path::new("/unused.rdp")).args_lossy();
        assert_eq!(args[1], "/u:CORP\\first last@x");
        for a in &args {
            assert!(a.starts_with('/') || a.starts_with('+') || a.starts_with('-'), "{a}");
            assert!(!a.contains('\n') && !a.contains('"') && !a.contains('\''), "{a}");
        }
    }

    #[test]
    fn the_password_is_never_in_argv() {
        let password = "aZ9_/+[]@#^xyzQ1";
        let file = Path::new("/tmp/x.rdp");
        let cases: [(Os, FakeProbe); 6] = [
            (Os::Linux, probe(&["xfreerdp3"])),
            (Os::Linux, probe(&["xfreerdp"])),
            (Os::Linux, probe(&["remmina"])),
            (Os::Linux, probe(&["xdg-open"])),
            (Os::Windows, probe(&["mstsc"])),
            (Os::Macos, FakeProbe { programs: vec!["open"], mac_apps: vec!["Windows App"] }),
        ];
        for (os, pr) in cases {
            let p = plan(&detect(os, &pr).unwrap(), &target(), &RdpOptions::default(), file);
            for a in p.args_lossy() {
                assert!(!a.contains(password), "{a}");
                assert!(!a.starts_with("/p:") && !a.contains("/pass"), "{a}");
            }
        }
    }
}
