//! The Verify step's check: does the VM's RDP port accept a TCP connection?
//! Only a connect, nothing is sent: a running VM whose Windows has not
//! finished booting, or whose port forward is missing, fails it.

use crate::error::{Error, ErrorCode, Result};
use serde_json::json;
use std::time::Duration;

/// Connect to `host:port` within `timeout`, then close. `rdp-unreachable`
/// with `data.reason` (`refused`, `timeout`, or the OS error) otherwise.
/// The host (the DBC client's `ssh_ip`) is checked first with the rule the
/// RDP target uses: `invalid-rdp-host`, and nothing is dialled.
pub async fn rdp_reachable(host: &str, port: u16, timeout: Duration) -> Result<()> {
    let fail = |reason: String| {
        Error::new(
            ErrorCode::RdpUnreachable,
            format!("Remote Desktop at {host}:{port} does not accept connections: {reason}"),
        )
        .with_data(json!({ "host": host, "port": port, "reason": reason }))
    };
    if host.trim().is_empty() || port == 0 {
        return Err(fail("no address".into()));
    }
    let checked = crate::rdp::check_host(host.trim())?;
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((checked.as_str(), port))).await {
        Ok(Ok(_stream)) => Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(fail("refused".into())),
        Ok(Err(e)) => Err(fail(e.to_string())),
        Err(_) => Err(fail("timeout".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_and_closed_ports() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        rdp_reachable("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
        drop(listener);
        let e = rdp_reachable("127.0.0.1", port, Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::RdpUnreachable);
        assert_eq!(e.data.unwrap()["reason"], "refused");
        assert_eq!(rdp_reachable("", 3389, Duration::from_secs(1)).await.unwrap_err().code, ErrorCode::RdpUnreachable);
    }

    /// Whatever a DBC client put in `ssh_ip` is checked before any connect.
    #[tokio::test]
    async fn hostile_hosts_are_refused_before_any_connect() {
        for host in ["127.0.0.1;id", "$(id)", "-oProxyCommand=x", "a b", "h\n1.2.3.4", "user@127.0.0.1", "1.2.3.999"] {
            let e = rdp_reachable(host, 3389, Duration::from_secs(1)).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRdpHost, "{host:?}");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        rdp_reachable("localhost", port, Duration::from_secs(5)).await.unwrap();
    }
}
