//! The computer the app runs on, as far as starting other programs goes:
//! which OS it is and which programs are installed. Behind a trait so that
//! the choices made for Windows and macOS are unit-tested on Linux too.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// The desktop OS families the app knows how to hand work to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    Windows,
    Macos,
    /// Linux and the other Unix desktops (FreeRDP, xdg-open).
    Linux,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Macos => "macos",
            Os::Linux => "linux",
        }
    }
}

/// Looks programs up. [`SystemProbe`] asks the real system; tests pass a fake.
pub trait Probe {
    /// The full path of `program` when it is installed (on `PATH`; on
    /// Windows also with `.exe` and in `System32`).
    fn find_program(&self, program: &str) -> Option<PathBuf>;
    /// Whether a macOS application bundle `<name>.app` is installed.
    fn has_mac_app(&self, name: &str) -> bool;
}

/// The real system.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemProbe;

impl Probe for SystemProbe {
    fn find_program(&self, program: &str) -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = search_dirs(&path, std::env::var_os("SystemRoot").as_deref(), cfg!(windows));
        let names: Vec<String> =
            if cfg!(windows) { vec![format!("{program}.exe"), program.to_string()] } else { vec![program.to_string()] };
        dirs.iter().flat_map(|d| names.iter().map(move |n| d.join(n))).find(|p| is_executable(p))
    }

    fn has_mac_app(&self, name: &str) -> bool {
        let bundle = format!("{name}.app");
        let mut roots = vec![PathBuf::from("/Applications"), PathBuf::from("/System/Applications")];
        if let Some(home) = dirs::home_dir() {
            roots.push(home.join("Applications"));
        }
        roots.iter().any(|r| r.join(&bundle).is_dir())
    }
}

/// Where programs are looked for, in order: on Windows `System32` first (so
/// a `mstsc.exe` planted earlier on `PATH` is never the one started), then
/// `PATH`'s absolute entries only — a relative entry (`.`, empty, `bin`)
/// would run whatever sits in the working directory.
pub fn search_dirs(path: &std::ffi::OsStr, system_root: Option<&std::ffi::OsStr>, windows: bool) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if windows {
        if let Some(root) = system_root {
            dirs.push(Path::new(root).join("System32"));
        }
    }
    dirs.extend(std::env::split_paths(path).filter(|d| d.is_absolute()));
    dirs
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// A probe over a fixed list of installed programs and apps, for tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct FakeProbe {
    pub programs: Vec<&'static str>,
    pub mac_apps: Vec<&'static str>,
}

#[cfg(test)]
impl Probe for FakeProbe {
    fn find_program(&self, program: &str) -> Option<PathBuf> {
        self.programs.contains(&program).then(|| PathBuf::from("/fake/bin").join(program))
    }
    fn has_mac_app(&self, name: &str) -> bool {
        self.mac_apps.contains(&name)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn programs_come_from_system32_first_and_never_from_a_relative_path_entry() {
        let path = std::env::join_paths(["/usr/bin", ".", "bin", "/opt/x"]).unwrap();
        assert_eq!(search_dirs(&path, None, false), [PathBuf::from("/usr/bin"), PathBuf::from("/opt/x")]);
        let dirs = search_dirs(&path, Some(std::ffi::OsStr::new("/win")), true);
        assert_eq!(dirs[0], PathBuf::from("/win/System32"), "System32 before PATH");
        assert!(!dirs.iter().any(|d| d.is_relative()));
    }
    use super::*;

    #[test]
    fn finds_real_programs_on_path_only_when_executable() {
        let probe = SystemProbe;
        if cfg!(unix) {
            assert!(probe.find_program("sh").is_some(), "sh is on every Unix PATH");
        }
        assert!(probe.find_program("surely-not-a-program-dbc-rent").is_none());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-exec");
        std::fs::write(&file, "x").unwrap();
        assert!(!is_executable(&file) || cfg!(not(unix)));
        assert!(!is_executable(dir.path()), "a folder is not a program");
    }
}
