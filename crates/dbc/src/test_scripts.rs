//! Stand-in programs for the tests of code that starts one (an RDP client,
//! a terminal, VS Code, a browser opener): small `#!/bin/sh` scripts that
//! record what they were given, and a [`Probe`] that finds them.

use crate::host::Probe;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A probe that finds each listed program as the script written for it.
pub struct ScriptProbe(Vec<(&'static str, PathBuf)>);

impl ScriptProbe {
    /// `find_program(name)` gives `path` (which need not exist).
    pub fn at(name: &'static str, path: PathBuf) -> Self {
        ScriptProbe(vec![(name, path)])
    }

    /// Every name in `names` as `dir/<name>`.
    pub fn in_dir(dir: &Path, names: &[&'static str]) -> Self {
        ScriptProbe(names.iter().map(|n| (*n, dir.join(n))).collect())
    }
}

impl Probe for ScriptProbe {
    fn find_program(&self, program: &str) -> Option<PathBuf> {
        self.0.iter().find(|(n, _)| *n == program).map(|(_, p)| p.clone())
    }
    fn has_mac_app(&self, _: &str) -> bool {
        false
    }
}

/// Writes an executable shell script at `path` running `body`.
pub fn write_script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The shell line that writes each argument to `out` as `ARG <arg>`.
pub fn record_args(out: &Path) -> String {
    format!("for a in \"$@\"; do echo \"ARG $a\"; done > {}", out.display())
}

/// What a script wrote to `path`, once it has written its last line, `END`.
/// The program is started and left running by the code under test, so the
/// file is the only sign that it ran.
pub fn wait_for_end(path: &Path) -> String {
    for _ in 0..200 {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with("END\n") {
                return s;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the stand-in program never finished writing {}", path.display());
}
