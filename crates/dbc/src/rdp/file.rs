//! `.rdp` files: the connection settings mstsc, Windows App (macOS) and
//! Remmina read. One `name:type:value` per line (`s` string, `i` integer).
//! The file never holds the password: mstsc only accepts it as a per-user
//! DPAPI blob, and the other clients prompt for it. Nor does it redirect
//! drives: the format can only name whole drives (`drivestoredirect`), and a
//! VM run by a stranger must not see them; FreeRDP shares one folder instead
//! ([`share_dir`]).

use std::path::{Path, PathBuf};

use super::options::RdpOptions;
use super::target::RdpTarget;
use crate::error::{Error, Result};

/// The folder under the data dir that holds the `.rdp` files.
pub fn rdp_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("rdp")
}

/// The one folder "Share a folder with the VM" shares: `<data dir>/share`,
/// the drive `DBC-Rent` inside the VM. Nothing else of this computer.
pub fn share_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("share")
}

/// The share folder for an `.rdp` file laid out by [`rdp_file_path`]
/// (`<data dir>/rdp/<name>.rdp`); `None` for a file elsewhere.
pub(crate) fn share_dir_for(rdp_file: &Path) -> Option<PathBuf> {
    let rdp = rdp_file.parent()?;
    if rdp.file_name()? != "rdp" {
        return None;
    }
    Some(share_dir(rdp.parent()?))
}

/// Create the share folder (0700) if it is not there; its path.
pub fn ensure_share_dir(data_dir: &Path) -> Result<PathBuf> {
    let dir = share_dir(data_dir);
    crate::paths::ensure_private_dir(&dir).map_err(|e| Error::io(&dir, &e))?;
    Ok(dir)
}

/// Where the file for `target` lives: one per endpoint, rewritten on every
/// launch so it always carries the latest options.
pub fn rdp_file_path(data_dir: &Path, target: &RdpTarget) -> PathBuf {
    rdp_dir(data_dir).join(format!("{}.rdp", target.file_stem()))
}

/// The text of the `.rdp` file (CRLF line ends, as mstsc writes them).
/// Every value comes from a validated [`RdpTarget`] or from numbers and
/// booleans, so no value can carry a line break into another setting.
pub fn rdp_file_contents(target: &RdpTarget, options: &RdpOptions) -> String {
    let flag = |b: bool| if b { 1 } else { 0 };
    let lines = [
        format!("full address:s:{}", target.address()),
        format!("username:s:{}", target.user()),
        // Ask for the password at connect time: it is never in the file.
        "prompt for credentials:i:1".to_string(),
        // The VM's certificate is self-signed: warn, let the user decide.
        "authentication level:i:2".to_string(),
        format!("screen mode id:i:{}", if options.fullscreen { 2 } else { 1 }),
        format!("desktopwidth:i:{}", options.width),
        format!("desktopheight:i:{}", options.height),
        format!("use multimon:i:{}", flag(options.multi_monitor)),
        format!("dynamic resolution:i:{}", flag(options.dynamic_resolution)),
        "session bpp:i:32".to_string(),
        format!("redirectclipboard:i:{}", flag(options.clipboard)),
    ];
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

/// Write the `.rdp` file for `target` into `<data_dir>/rdp/` (the folder
/// 0700, the file 0600, written atomically) and return its path.
pub fn write_rdp_file(data_dir: &Path, target: &RdpTarget, options: &RdpOptions) -> Result<PathBuf> {
    options.validate()?;
    let dir = rdp_dir(data_dir);
    crate::paths::ensure_private_dir(&dir).map_err(|e| Error::io(&dir, &e))?;
    let path = rdp_file_path(data_dir, target);
    crate::paths::write_atomic(&path, rdp_file_contents(target, options).as_bytes())
        .map_err(|e| Error::io(&path, &e))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdp::DriveRedirect;

    fn target() -> RdpTarget {
        RdpTarget::new("203.0.113.7", 40001, "Administrator").unwrap()
    }

    fn settings(text: &str) -> Vec<(String, String)> {
        text.split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut parts = l.splitn(3, ':');
                let (name, ty, value) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
                assert!(ty == "s" || ty == "i", "{l}");
                (name.to_string(), value.to_string())
            })
            .collect()
    }

    fn get(text: &str, name: &str) -> String {
        settings(text).into_iter().find(|(n, _)| n == name).map(|(_, v)| v).unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn default_options_give_a_window_with_the_clipboard_and_no_drives() {
        let text = rdp_file_contents(&target(), &RdpOptions::default());
        assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
        assert_eq!(get(&text, "full address"), "203.0.113.7:40001");
        assert_eq!(get(&text, "username"), "Administrator");
        assert_eq!(get(&text, "prompt for credentials"), "1");
        assert_eq!(get(&text, "screen mode id"), "1");
        assert_eq!((get(&text, "desktopwidth"), get(&text, "desktopheight")), ("1600".into(), "900".into()));
        assert_eq!(get(&text, "use multimon"), "0");
        assert_eq!(get(&text, "redirectclipboard"), "1");
        assert!(!text.contains("drivestoredirect"), "{text}");
        assert_eq!(get(&text, "dynamic resolution"), "1");
        let names: Vec<_> = settings(&text).into_iter().map(|(n, _)| n).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names, unique, "every setting once");
    }

    #[test]
    fn options_map_to_settings() {
        let o = RdpOptions {
            fullscreen: true,
            width: 2560,
            height: 1440,
            multi_monitor: true,
            clipboard: false,
            drives: DriveRedirect::Home,
            dynamic_resolution: false,
        };
        let text = rdp_file_contents(&target(), &o);
        assert_eq!(get(&text, "screen mode id"), "2");
        assert_eq!(get(&text, "desktopwidth"), "2560");
        assert_eq!(get(&text, "use multimon"), "1");
        assert_eq!(get(&text, "redirectclipboard"), "0");
        assert!(
            !text.contains("drivestoredirect") && !text.contains("drive"),
            "an .rdp file cannot name one folder, so it shares none: {text}"
        );
        assert_eq!(get(&text, "dynamic resolution"), "0");
        let v6 = RdpTarget::new("2001:db8::7", 3389, "DOMAIN\\Administrator").unwrap();
        let text = rdp_file_contents(&v6, &o);
        assert_eq!(get(&text, "full address"), "[2001:db8::7]:3389");
        assert_eq!(get(&text, "username"), "DOMAIN\\Administrator");
    }

    #[test]
    fn written_private_without_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let password = "aZ9_/+[]@#^xyzQ1";
        let path = write_rdp_file(dir.path(), &target(), &RdpOptions::default()).unwrap();
        assert_eq!(path, dir.path().join("rdp/vm-203-0-113-7-40001.rdp"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(password) && !text.to_lowercase().contains("password"), "{text}");
        assert_eq!(get(&text, "full address"), "203.0.113.7:40001");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        // Rewritten, not appended, on the next launch.
        let o = RdpOptions { fullscreen: true, ..Default::default() };
        write_rdp_file(dir.path(), &target(), &o).unwrap();
        assert_eq!(get(&std::fs::read_to_string(&path).unwrap(), "screen mode id"), "2");
    }

    #[test]
    fn the_share_folder_is_one_private_folder_in_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let share = ensure_share_dir(dir.path()).unwrap();
        assert_eq!(share, dir.path().join("share"));
        assert!(share.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&share).unwrap().permissions().mode() & 0o777, 0o700);
        }
        assert_eq!(ensure_share_dir(dir.path()).unwrap(), share, "created on demand, kept");
        let file = rdp_file_path(dir.path(), &target());
        assert_eq!(share_dir_for(&file), Some(share));
        assert_eq!(share_dir_for(Path::new("/unused.rdp")), None);
        assert_eq!(share_dir_for(Path::new("/tmp/other/x.rdp")), None);
    }

    #[test]
    fn bad_options_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let o = RdpOptions { width: 10, ..Default::default() };
        assert!(write_rdp_file(dir.path(), &target(), &o).is_err());
        assert!(!dir.path().join("rdp").exists());
    }
}
