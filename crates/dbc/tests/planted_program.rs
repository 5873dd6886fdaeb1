//! A program planted where a relative PATH entry points (issue 12): the
//! working directory holds an `xfreerdp`, `xfreerdp3`, `remmina` and
//! `xdg-open` of an attacker's, and PATH starts with `.` and `bin`. The real
//! lookup (the same `SystemProbe` the app and the CLI use) never picks them:
//! the RDP client found, if any, is one from an absolute PATH entry (links
//! and launches run only what this lookup found).
//!
//! Its own test binary: it changes the process's working directory and PATH.

#[cfg(unix)]
#[test]
fn a_planted_client_in_the_working_directory_is_never_found() {
    use dbc::host::{Os, Probe, SystemProbe};
    use std::os::unix::fs::PermissionsExt;

    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("bin")).unwrap();
    for dir in [work.path().to_path_buf(), work.path().join("bin")] {
        for name in ["xfreerdp3", "xfreerdp", "remmina", "xdg-open"] {
            let p = dir.join(name);
            std::fs::write(&p, "#!/bin/sh\necho planted\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    std::env::set_current_dir(work.path()).unwrap();
    let old = std::env::var_os("PATH").unwrap_or_default();
    let mut path = std::ffi::OsString::from(".:bin::");
    path.push(&old);
    std::env::set_var("PATH", &path);

    for name in ["xfreerdp3", "xfreerdp", "remmina", "xdg-open"] {
        if let Some(found) = SystemProbe.find_program(name) {
            assert!(
                found.is_absolute() && !found.starts_with(work.path()),
                "{name}: the planted one was found: {}",
                found.display()
            );
        }
    }
    match dbc::rdp::client::detect(Os::Linux, &SystemProbe) {
        Ok(client) => assert!(!client.program.starts_with(work.path()) && client.program.is_absolute(), "{client:?}"),
        Err(e) => assert_eq!(e.code, dbc::ErrorCode::RdpClientMissing, "{e:?}"),
    }
    std::env::set_var("PATH", old);
}
