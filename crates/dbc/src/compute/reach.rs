//! The Verify step's check: does an RDP server answer on the VM's port?
//!
//! A bare TCP connect is not enough: after a practice-network restart an
//! orphaned listener, or any service that happens to hold the port, accepts
//! connections without being the VM's Remote Desktop. So the check sends the
//! first message every RDP client sends, an X.224 Connection Request (TPKT,
//! [MS-RDPBCGR] 2.2.1.1, with an RDP Negotiation Request for TLS and
//! CredSSP), and passes only when the reply is an X.224 Connection Confirm
//! (2.2.1.2). Nothing else is sent: no credentials, no TLS, and the socket is
//! closed right after, as a client that gives up would.

use crate::error::{Error, ErrorCode, Result};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// TPKT header (version 3, length 19), X.224 CR TPDU (LI 14, code 0xE0,
/// dst-ref 0, src-ref 0, class 0), RDP_NEG_REQ (type 1, flags 0, length 8,
/// requestedProtocols PROTOCOL_SSL | PROTOCOL_HYBRID).
const CONNECTION_REQUEST: [u8; 19] =
    [0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00];

/// X.224 TPDU code of a Connection Confirm (high nibble of the second byte).
const CONNECTION_CONFIRM: u8 = 0xd0;

/// A confirm is 11 bytes, 19 with a negotiation response; anything much
/// longer is not an RDP server's first answer.
const MAX_CONFIRM_LEN: usize = 64;

/// Whether an RDP server answers on `host:port` within `timeout` (connect and
/// answer together). `rdp-unreachable` with `data.reason` otherwise:
/// `refused`, `timeout`, `not-rdp` (the port answers, but not with an RDP
/// connection confirm, or closes without one), or the OS error.
/// The host (the DBC client's `ssh_ip`) is checked first with the rule the
/// RDP target uses: `invalid-rdp-host`, and nothing is dialled.
pub async fn rdp_reachable(host: &str, port: u16, timeout: Duration) -> Result<()> {
    let fail = |reason: &str| {
        Error::new(ErrorCode::RdpUnreachable, format!("Remote Desktop at {host}:{port} does not answer: {reason}"))
            .with_data(json!({ "host": host, "port": port, "reason": reason }))
    };
    if host.trim().is_empty() || port == 0 {
        return Err(fail("no address"));
    }
    let checked = crate::rdp::check_host(host.trim())?;
    let probe = async {
        let mut stream = match tokio::net::TcpStream::connect((checked.as_str(), port)).await {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(fail("refused")),
            Err(e) => return Err(fail(&e.to_string())),
        };
        if stream.write_all(&CONNECTION_REQUEST).await.is_err() {
            return Err(fail("not-rdp"));
        }
        let mut header = [0u8; 4];
        if stream.read_exact(&mut header).await.is_err() {
            return Err(fail("not-rdp"));
        }
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if header[0] != 0x03 || !(11..=MAX_CONFIRM_LEN).contains(&len) {
            return Err(fail("not-rdp"));
        }
        let mut tpdu = vec![0u8; len - 4];
        if stream.read_exact(&mut tpdu).await.is_err() || tpdu[1] & 0xf0 != CONNECTION_CONFIRM {
            return Err(fail("not-rdp"));
        }
        Ok(())
    };
    match tokio::time::timeout(timeout, probe).await {
        Ok(result) => result,
        Err(_) => Err(fail("timeout")),
    }
}

/// The reply an RDP server gives [`CONNECTION_REQUEST`] when it accepts
/// CredSSP: X.224 Connection Confirm with an RDP_NEG_RSP selecting
/// PROTOCOL_HYBRID ([MS-RDPBCGR] 2.2.1.2.1). For stand-ins of RDP servers
/// (the practice network's fallback, tests) so that they answer the probe the
/// way a real server does.
pub const CONNECTION_CONFIRM_HYBRID: [u8; 19] =
    [0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00];

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server that reads the request and answers `reply` (then holds the
    /// socket open until the client closes it).
    async fn answering(reply: &[u8]) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let reply = reply.to_vec();
        let task = tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut got = vec![0u8; CONNECTION_REQUEST.len()];
            sock.read_exact(&mut got).await.unwrap();
            sock.write_all(&reply).await.unwrap();
            let mut rest = Vec::new();
            let _ = sock.read_to_end(&mut rest).await;
            got
        });
        (port, task)
    }

    #[tokio::test]
    async fn a_connection_confirm_passes_and_the_request_is_the_rdp_one() {
        let (port, server) = answering(&CONNECTION_CONFIRM_HYBRID).await;
        rdp_reachable("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
        assert_eq!(server.await.unwrap(), CONNECTION_REQUEST);
        // A bare confirm without a negotiation response (older servers) passes too.
        let (port, _s) = answering(&[0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0, 0, 0x12, 0x34, 0]).await;
        rdp_reachable("127.0.0.1", port, Duration::from_secs(5)).await.unwrap();
    }

    /// The orphan listener of the issue: it accepts and says nothing.
    #[tokio::test]
    async fn a_plain_tcp_listener_is_not_an_rdp_server() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let _held = tokio::spawn(async move {
            let (sock, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(sock);
        });
        let e = rdp_reachable("127.0.0.1", port, Duration::from_millis(500)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::RdpUnreachable);
        assert_eq!(e.data.unwrap()["reason"], "timeout");
    }

    #[tokio::test]
    async fn other_answers_are_not_rdp() {
        for reply in [
            &b"SSH-2.0-OpenSSH_9.2p1\r\n"[..],
            &b"HTTP/1.1 400 Bad Request\r\n\r\n"[..],
            // TPKT, but a Disconnect Request (0x80) instead of a confirm.
            &[0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0, 0, 0, 0, 0][..],
            // A TPKT length no confirm has.
            &[0x03, 0x00, 0x10, 0x00][..],
        ] {
            let (port, _s) = answering(reply).await;
            let e = rdp_reachable("127.0.0.1", port, Duration::from_secs(2)).await.unwrap_err();
            assert_eq!(e.data.unwrap()["reason"], "not-rdp", "{reply:?}");
        }
        // A server that reads the request and hangs up without a word.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut got = vec![0u8; CONNECTION_REQUEST.len()];
            sock.read_exact(&mut got).await.unwrap();
        });
        let e = rdp_reachable("127.0.0.1", port, Duration::from_secs(2)).await.unwrap_err();
        assert_eq!(e.data.unwrap()["reason"], "not-rdp");
    }

    #[tokio::test]
    async fn closed_ports_and_no_address() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
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
        let (port, _s) = answering(&CONNECTION_CONFIRM_HYBRID).await;
        rdp_reachable("localhost", port, Duration::from_secs(5)).await.unwrap();
    }
}
