//! Opening web pages in the system browser, for the guides' links. The
//! webview has no URL-opening permission; it asks the back end, which opens
//! only `https` links to the hosts below, with an argument vector (no shell).
//!
//! The list is short on purpose: the pages the guides link to (NVIDIA's
//! Omniverse and Audio2Face documentation and downloads, NVIDIA's GitHub
//! organizations, the NGC catalog, DeepBrainChain's wiki and sites). A link
//! anywhere else is refused with `link-not-allowed`.

use std::ffi::OsString;
use std::path::PathBuf;

use serde_json::json;
use url::Url;

use crate::error::{Error, ErrorCode, Result};
use crate::host::{Os, Probe, SystemProbe};

/// Hosts whose every page may be opened.
pub const ALLOWED_HOSTS: &[&str] = &[
    "docs.omniverse.nvidia.com",
    "developer.nvidia.com",
    "docs.nvidia.com",
    "www.nvidia.com",
    "www.nvidia.cn",
    "catalog.ngc.nvidia.com",
    "deepbrainchain.github.io",
    "www.deepbrainchain.org",
    "deepbrainchain.org",
    "galaxyrace.deepbrainchain.org",
];

/// Hosts shared by everyone, where only some owners' pages may be opened:
/// the first path segment (the GitHub organization or Hugging Face owner)
/// must be one of these, compared without case.
pub const ALLOWED_OWNERS: &[(&str, &[&str])] =
    &[("github.com", &["nvidia", "nvidia-omniverse", "deepbrainchain"]), ("huggingface.co", &["nvidia"])];

/// Longer links are not ours.
const MAX_URL_LEN: usize = 2048;

fn refused(url: &str, why: &str) -> Error {
    Error::new(ErrorCode::LinkNotAllowed, format!("link refused ({why}): {url}")).with_data(json!({ "url": url }))
}

/// Check `raw` against the allowlist and return it parsed. Refused: other
/// schemes (`http:`, `javascript:`, `file:`), user info
/// (`https://github.com@evil.example`), another port, hosts off the list,
/// GitHub or Hugging Face pages of other owners, whitespace or control
/// characters anywhere.
pub fn check_external_url(raw: &str) -> Result<Url> {
    if raw.len() > MAX_URL_LEN {
        let head: String = raw.chars().take(64).collect();
        return Err(refused(&head, "too long"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refused(raw, "contains whitespace or control characters"));
    }
    let url = Url::parse(raw).map_err(|_| refused(raw, "not a URL"))?;
    if url.scheme() != "https" {
        return Err(refused(raw, "only https links are opened"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused(raw, "user info in a link"));
    }
    if url.port().is_some() {
        return Err(refused(raw, "a port other than 443"));
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return Err(refused(raw, "not a host name"));
    };
    if ALLOWED_HOSTS.contains(&host) {
        return Ok(url);
    }
    if let Some((_, owners)) = ALLOWED_OWNERS.iter().find(|(h, _)| *h == host) {
        let owner = url.path_segments().and_then(|mut s| s.next()).unwrap_or("").to_ascii_lowercase();
        if owners.contains(&owner.as_str()) {
            return Ok(url);
        }
        return Err(refused(raw, "a page of another owner on a shared host"));
    }
    Err(refused(raw, "host not on the list"))
}

/// How a link is handed to the default browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener {
    /// A program with the URL as one argument, never through a shell:
    /// `xdg-open` (else `gio open`) on Linux, `open` on macOS.
    Program(PathBuf, Vec<OsString>),
    /// Windows: `ShellExecuteW(open, url)`, the shell's own URL handler.
    /// `explorer <url>` would parse its command line (a URL with a comma or
    /// a leading `/` is an explorer switch) and no program is looked up on `PATH`.
    ShellExecute(String),
}

/// The way to open `url` on `os`; `None` when nothing can open it.
pub fn opener_for(os: Os, probe: &dyn Probe, url: &Url) -> Option<Opener> {
    let u = OsString::from(url.as_str());
    match os {
        Os::Linux => probe
            .find_program("xdg-open")
            .map(|p| Opener::Program(p, vec![u.clone()]))
            .or_else(|| probe.find_program("gio").map(|p| Opener::Program(p, vec![OsString::from("open"), u]))),
        Os::Macos => probe.find_program("open").map(|p| Opener::Program(p, vec![u])),
        Os::Windows => Some(Opener::ShellExecute(url.as_str().to_string())),
    }
}

/// `ShellExecuteW(NULL, "open", url, NULL, NULL, SW_SHOWNORMAL)`; a result
/// of 32 or less is a failure (no handler for https: no browser).
#[cfg(target_os = "windows")]
fn shell_execute(url: &str) -> std::result::Result<(), String> {
    use windows_sys::Win32::UI::Shell::ShellExecuteW;
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;
    let wide = |s: &str| s.encode_utf16().chain(std::iter::once(0)).collect::<Vec<u16>>();
    let (verb, file) = (wide("open"), wide(url));
    // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call;
    // the null window, parameters and directory are allowed by the API.
    let code = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            verb.as_ptr(),
            file.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    } as isize;
    if code > 32 {
        Ok(())
    } else {
        Err(format!("ShellExecuteW failed with {code}"))
    }
}

#[cfg(not(target_os = "windows"))]
fn shell_execute(_url: &str) -> std::result::Result<(), String> {
    Err("ShellExecuteW exists only on Windows".into())
}

/// Check `raw` and open it in the system browser.
pub fn open_external(raw: &str) -> Result<()> {
    open_external_with(Os::current(), &SystemProbe, raw)
}

/// How long an opener has to report failure. `xdg-open` without a browser
/// installed exits non-zero within a fraction of a second; one that found a
/// browser usually exits at once too, but some (a plain `$BROWSER`) stay
/// until the browser closes, so still running after this counts as opened.
const OPENER_VERDICT: std::time::Duration = std::time::Duration::from_secs(3);

/// [`open_external`] with the OS and program lookup given (tests).
pub fn open_external_with(os: Os, probe: &dyn Probe, raw: &str) -> Result<()> {
    open_external_within(os, probe, raw, OPENER_VERDICT)
}

fn open_external_within(os: Os, probe: &dyn Probe, raw: &str, verdict: std::time::Duration) -> Result<()> {
    let url = check_external_url(raw)?;
    let unavailable = |why: String| {
        Error::new(ErrorCode::BrowserUnavailable, format!("cannot open a browser ({why}): {url}"))
            .with_data(json!({ "url": url.as_str() }))
    };
    let (program, args) = match opener_for(os, probe, &url).ok_or_else(|| unavailable("no opener found".into()))? {
        Opener::Program(program, args) => (program, args),
        Opener::ShellExecute(u) => {
            tracing::info!(url = url.as_str(), "opening a link with ShellExecuteW");
            return shell_execute(&u).map_err(unavailable);
        }
    };
    let mut child = std::process::Command::new(&program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| unavailable(e.to_string()))?;
    tracing::info!(url = url.as_str(), opener = %program.display(), "opening a link in the browser");
    // The opener's exit status is the only sign that no browser was found
    // (`xdg-open` is installed on desktops without one): wait for it briefly,
    // so the user hears "no browser" instead of nothing.
    let deadline = std::time::Instant::now() + verdict;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(unavailable(format!("{} exited with {status}", program.display()))),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(25))
            }
            // Still running (it handed the link over and waits), or unknowable.
            Ok(None) | Err(_) => break,
        }
    }
    // Reap a long-running opener off the caller's thread.
    let _ = std::thread::Builder::new().name("link-opener-reaper".into()).spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeProbe;

    #[test]
    fn the_guide_links_are_allowed() {
        for url in [
            "https://docs.omniverse.nvidia.com/launcher/latest/index.html",
            "https://developer.nvidia.com/omniverse/legacy-tools",
            "https://www.nvidia.com/en-us/omniverse/",
            "https://www.nvidia.cn/omniverse/",
            "https://catalog.ngc.nvidia.com/",
            "https://github.com/NVIDIA/Audio2Face-3D",
            "https://github.com/nvidia/Audio2Face-3D-SDK?tab=readme-ov-file#build",
            "https://github.com/NVIDIA-Omniverse/kit-app-template",
            "https://huggingface.co/nvidia/Audio2Face-3D-v2.3-Mark",
            "https://deepbrainchain.github.io/DBC-Wiki/en/install-update-dbc-node/create-win-machine-omniverse/create-win-machine-omniverse.html",
            "https://DOCS.Omniverse.NVIDIA.com/x",
            "https://www.nvidia.com:443/en-us/",
        ] {
            assert!(check_external_url(url).is_ok(), "{url}");
        }
    }

    /// Every link the UI's guide offers must pass the allowlist, or its
    /// button would only ever show an error.
    #[test]
    fn every_link_in_the_ui_guide_is_allowed() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/guide-links.ts");
        let source = std::fs::read_to_string(&path).unwrap();
        let urls: Vec<&str> =
            source.split('\'').filter(|s| s.starts_with("https://") || s.starts_with("http:")).collect();
        assert!(urls.len() >= 10, "found only {urls:?} in {}", path.display());
        for url in urls {
            assert!(check_external_url(url).is_ok(), "{url} is in the guide but not on the allowlist");
        }
    }

    #[test]
    fn tricks_and_other_hosts_are_refused() {
        for url in [
            "https://github.com@evil.example/NVIDIA",
            "https://user:pass@docs.omniverse.nvidia.com/",
            "http://docs.omniverse.nvidia.com/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>1</script>",
            "https://evil.example/",
            "https://docs.omniverse.nvidia.com.evil.example/",
            "https://nvidia.com.evil.example/",
            "https://evilnvidia.com/",
            "https://github.com/evil/NVIDIA",
            "https://github.com/",
            "https://github.com/NVIDIAevil/repo",
            "https://huggingface.co/evil/model",
            "https://docs.omniverse.nvidia.com:8443/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://docs.omniverse.nvidia.com/ x",
            "https://docs.omniverse.nvidia.com/\nhttps://evil.example",
            " https://docs.omniverse.nvidia.com/",
            "-https://docs.omniverse.nvidia.com/",
            "//docs.omniverse.nvidia.com/",
            "docs.omniverse.nvidia.com",
            "",
        ] {
            let e = check_external_url(url).unwrap_err();
            assert_eq!(e.code, ErrorCode::LinkNotAllowed, "{url:?}");
            assert!(e.data.unwrap()["url"].is_string());
        }
        let long = format!("https://github.com/NVIDIA/{}", "a".repeat(3000));
        assert_eq!(check_external_url(&long).unwrap_err().code, ErrorCode::LinkNotAllowed);
    }

    #[test]
    fn openers_per_os_take_the_url_as_one_argument() {
        let url = check_external_url("https://github.com/NVIDIA/Audio2Face-3D").unwrap();
        let p = |progs: &[&'static str]| FakeProbe { programs: progs.to_vec(), mac_apps: vec![] };
        let program = |o: Option<Opener>| match o {
            Some(Opener::Program(prog, args)) => (prog.file_name().unwrap().to_str().unwrap().to_string(), args),
            other => panic!("not a program: {other:?}"),
        };
        assert_eq!(
            program(opener_for(Os::Linux, &p(&["xdg-open", "gio"]), &url)),
            ("xdg-open".into(), vec![OsString::from(url.as_str())])
        );
        assert_eq!(
            program(opener_for(Os::Linux, &p(&["gio"]), &url)),
            ("gio".into(), vec![OsString::from("open"), OsString::from(url.as_str())])
        );
        assert_eq!(program(opener_for(Os::Macos, &p(&["open"]), &url)).0, "open");
        // Windows: the shell's URL handler, never `explorer` and never a program from PATH.
        assert_eq!(
            opener_for(Os::Windows, &p(&["explorer"]), &url),
            Some(Opener::ShellExecute(url.as_str().to_string()))
        );
        assert_eq!(opener_for(Os::Windows, &p(&[]), &url), Some(Opener::ShellExecute(url.as_str().to_string())));
        assert!(opener_for(Os::Linux, &p(&[]), &url).is_none());
    }

    #[cfg(unix)]
    fn opener(dir: &std::path::Path, body: &str) -> crate::test_scripts::ScriptProbe {
        // One file per body: an earlier opener may still be running.
        let path = dir.join(format!(
            "opener-{:x}",
            body.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        ));
        crate::test_scripts::write_script(&path, body);
        crate::test_scripts::ScriptProbe::at("xdg-open", path)
    }

    #[cfg(unix)]
    #[test]
    fn an_opener_that_finds_no_browser_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://github.com/NVIDIA/Audio2Face-3D";
        // xdg-open's "no method available for opening" exit code.
        let e =
            open_external_within(Os::Linux, &opener(dir.path(), "exit 3"), url, Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.code, ErrorCode::BrowserUnavailable);
        assert_eq!(e.data.unwrap()["url"], url);
        assert!(open_external_within(Os::Linux, &opener(dir.path(), "exit 0"), url, Duration::from_secs(5)).is_ok());
        // Still running at the deadline: handed over to a browser that stays open.
        let t = std::time::Instant::now();
        assert!(open_external_within(
            Os::Linux,
            &opener(dir.path(), "sleep 5; exit 3"),
            url,
            Duration::from_millis(300)
        )
        .is_ok());
        assert!(t.elapsed() < Duration::from_secs(2));
    }

    use std::time::Duration;

    #[test]
    fn refused_before_any_opener_is_looked_for() {
        let none = FakeProbe::default();
        assert_eq!(
            open_external_with(Os::Linux, &none, "https://evil.example/").unwrap_err().code,
            ErrorCode::LinkNotAllowed
        );
        let e = open_external_with(Os::Linux, &none, "https://github.com/NVIDIA/Audio2Face-3D").unwrap_err();
        assert_eq!(e.code, ErrorCode::BrowserUnavailable);
        assert_eq!(e.data.unwrap()["url"], "https://github.com/NVIDIA/Audio2Face-3D");
    }
}
