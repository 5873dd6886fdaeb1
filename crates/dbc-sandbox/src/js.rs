//! Find Node.js and chopsticks.
//!
//! Node: `$DBC_SANDBOX_NODE`, else `node` on `PATH`; version 20 or newer
//! (chopsticks 1.5.1 declares >=22 but runs on 20, sandbox.md §3).
//! The js folder: the caller's choice, else `$DBC_SANDBOX_JS`, else the
//! installed package's `practice/` folder (`<exe>/../lib/DBC Rent/practice`,
//! Tauri's resource folder on Linux), else the source tree's
//! `crates/dbc-sandbox/js` (dev, CI), else `js/` beside the executable.
//! A folder holds either the pinned npm install (`node_modules/…`) or the
//! bundle `js/bundle.cjs` makes for packages (`chopsticks.cjs` at its top).

use dbc::{Error, ErrorCode, Result};
use std::path::{Path, PathBuf};

pub const NODE_ENV: &str = "DBC_SANDBOX_NODE";
pub const JS_ENV: &str = "DBC_SANDBOX_JS";
/// chopsticks' CLI entry in the npm install, relative to the js folder.
pub const CHOPSTICKS_CJS: &str = "node_modules/@acala-network/chopsticks/chopsticks.cjs";
/// chopsticks' CLI entry in the package bundle, relative to its folder.
pub const BUNDLED_CHOPSTICKS: &str = "chopsticks.cjs";
/// The installed package's practice-network folder, relative to the folder of
/// the executables (`/usr/bin` -> `/usr/lib/DBC Rent/practice`: Tauri names
/// the resource folder after the product name).
pub const INSTALLED_PRACTICE_DIR: &str = "../lib/DBC Rent/practice";
const MIN_NODE_MAJOR: u32 = 20;

/// A usable Node.js and chopsticks.
#[derive(Debug, Clone)]
pub struct JsEnv {
    pub node: PathBuf,
    pub node_version: String,
    pub js_dir: PathBuf,
}

impl JsEnv {
    pub fn chopsticks(&self) -> PathBuf {
        chopsticks_in(&self.js_dir).unwrap_or_else(|| self.js_dir.join(CHOPSTICKS_CJS))
    }
    /// A helper script shipped in the js folder (`metadata.cjs`, `parent-watch.cjs`).
    pub fn script(&self, name: &str) -> PathBuf {
        self.js_dir.join(name)
    }

    pub fn locate(js_dir: Option<&Path>) -> Result<JsEnv> {
        let node = find_node()?;
        let node_version = node_version(&node)?;
        let js_dir = find_js_dir(js_dir)?;
        Ok(JsEnv { node, node_version, js_dir })
    }
}

fn node_missing(msg: String, found: Option<&str>) -> Error {
    let e = Error::new(ErrorCode::NodeMissing, msg);
    match found {
        Some(v) => e.with_data(serde_json::json!({"found": v})),
        None => e,
    }
}

fn find_node() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(NODE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join("node")).find(|p| p.is_file()).ok_or_else(|| {
        node_missing(
            "Node.js is not installed (no `node` on PATH): install Node.js 20+ (apt install nodejs npm)".into(),
            None,
        )
    })
}

fn node_version(node: &Path) -> Result<String> {
    let out = std::process::Command::new(node).arg("--version").output().map_err(|e| {
        node_missing(format!("cannot run {}: {e}; install Node.js 20+ (apt install nodejs npm)", node.display()), None)
    })?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major: u32 = v.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < MIN_NODE_MAJOR {
        return Err(node_missing(
            format!(
                "Node.js {v} is too old: the practice network needs Node.js {MIN_NODE_MAJOR}+ (apt install nodejs npm)"
            ),
            Some(&v),
        ));
    }
    Ok(v)
}

/// chopsticks' entry in `dir`: the bundle's, else the npm install's.
fn chopsticks_in(dir: &Path) -> Option<PathBuf> {
    [BUNDLED_CHOPSTICKS, CHOPSTICKS_CJS].iter().map(|f| dir.join(f)).find(|p| p.is_file())
}

fn find_js_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = explicit {
        candidates.push(p.to_path_buf());
    } else {
        if let Some(p) = std::env::var_os(JS_ENV).filter(|v| !v.is_empty()) {
            candidates.push(PathBuf::from(p));
        }
        let exe_dir = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf));
        // An installed package's own bundle first: a package built on a
        // machine that still has the source tree must not run that tree's.
        if let Some(dir) = &exe_dir {
            candidates.push(dir.join(INSTALLED_PRACTICE_DIR));
        }
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("js"));
        if let Some(dir) = &exe_dir {
            candidates.push(dir.join("js"));
        }
    }
    candidates.iter().find(|d| chopsticks_in(d).is_some()).cloned().ok_or_else(|| {
        let first = candidates[0].join(CHOPSTICKS_CJS);
        let looked: Vec<String> = candidates.iter().map(|d| d.display().to_string()).collect();
        Error::new(
            ErrorCode::ChopsticksMissing,
            format!(
                "chopsticks is not installed (looked in {}): run `make sandbox-deps` in the source tree, or reinstall the DBC Rent package",
                looked.join(", ")
            ),
        )
        .with_data(serde_json::json!({"path": first.display().to_string(), "lookedIn": looked}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"").unwrap();
    }

    #[test]
    fn a_folder_holds_the_npm_install_or_the_bundle() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(chopsticks_in(d.path()), None, "an empty folder has no chopsticks");
        touch(d.path(), CHOPSTICKS_CJS);
        assert_eq!(chopsticks_in(d.path()), Some(d.path().join(CHOPSTICKS_CJS)));
        // The package's bundle wins over a stray npm install beside it.
        touch(d.path(), BUNDLED_CHOPSTICKS);
        assert_eq!(chopsticks_in(d.path()), Some(d.path().join(BUNDLED_CHOPSTICKS)));
        assert_eq!(find_js_dir(Some(d.path())).unwrap(), d.path());
    }

    #[test]
    fn a_missing_chopsticks_names_the_folder_looked_in() {
        let d = tempfile::tempdir().unwrap();
        let e = find_js_dir(Some(d.path())).unwrap_err();
        assert_eq!(e.code, ErrorCode::ChopsticksMissing);
        assert!(e.message.contains(&d.path().display().to_string()), "{}", e.message);
    }
}
