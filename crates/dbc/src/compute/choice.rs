//! Which DBC client to use for a machine.
//!
//! A DBC client relays requests to a node only while it sees that node
//! (its `mining_nodes` view, entries expire 300 s after the node's last
//! broadcast: compute-api.md §1.4.10); any other client answers every VM
//! call with "create node request failed". So the choice is made on evidence
//! asked for at the time of use: every candidate is asked at once for its
//! version (`GET /api/v1/`, the round-trip time) and its node list, and only
//! a client that answered and lists the machine is a candidate. Among those
//! the one that worked last for this rental comes first while it still
//! qualifies (its VM calls already succeeded there), then the fastest.
//!
//! Nothing here is signed: both routes are unauthenticated, so checking a
//! client tells it nothing but that someone is looking at a machine id.

use super::client::{ComputeClient, Timeouts};
use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Public DBC clients seen in DBC's own code and documents (compute-api.md
/// §3.4: liveness unverified, none official). Shipped as "community"
/// entries the user can turn off: each sees the signed requests sent
/// through it. Left out: the aggregating proxies of DBC's rental back end
/// (`8.219.75.114:5002`, `119.6.235.169:5052`, whose answers are wrapped per
/// network, not the client's own), and the test and private-chain clients.
pub const COMMUNITY_CLIENTS: &[&str] = &[
    // DBC's rental back end, mainnet (NS `publicResource.js:897-901`).
    "http://115.231.234.34:5052",
    // DBC's Java cloud service (GCS `application-*.properties:8-11`).
    "http://183.232.237.170:5016",
    // "Officially provided node 1", 0.3.7.3 era (DOC `DBC_client_node_construction_steps_english.md:31`).
    "http://111.44.254.162:41107",
];

/// The community clients to ask: none when the user turned them off
/// (`Settings::community_clients_off`).
pub fn community_clients(turned_off: bool) -> Vec<String> {
    if turned_off {
        return Vec::new();
    }
    COMMUNITY_CLIENTS.iter().map(|s| s.to_string()).collect()
}

/// How long one client may take to answer both questions. Short on purpose:
/// a healthy client answers `GET /api/v1/` in well under a second; one that
/// needs longer is a worse choice than the next.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(8);

/// What one DBC client answered when it was last checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientHealth {
    /// The normalized base URL, or the text as given when it is not a URL.
    pub url: String,
    /// `client_version` from `GET /api/v1/`; `None` when it did not answer.
    pub version: Option<String>,
    /// The round trip of `GET /api/v1/` in milliseconds.
    #[ts(type = "number | null")]
    pub rtt_ms: Option<u64>,
    /// Whether its node list holds the machine: `None` when no machine was
    /// asked about or the client did not answer.
    pub sees_machine: Option<bool>,
    /// How many nodes it sees now.
    #[ts(type = "number | null")]
    pub nodes_seen: Option<u64>,
    /// How many of those are machines of the connected chain (given its
    /// machine list): a client of another DBC network, or one cut off from
    /// the network, sees none. `None` when not known.
    #[ts(type = "number | null")]
    pub chain_machines_seen: Option<u64>,
    /// Why it does not qualify: the error code and message of the failed call.
    pub error: Option<ClientFailure>,
    /// When it was checked, Unix milliseconds.
    #[ts(type = "number")]
    pub checked_at_ms: u64,
}

/// The error of a failed check, in the one error shape's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientFailure {
    pub code: String,
    pub message: String,
}

impl From<&Error> for ClientFailure {
    fn from(e: &Error) -> Self {
        ClientFailure { code: e.code.as_str().to_string(), message: e.message.clone() }
    }
}

impl ClientHealth {
    /// Answered, and (when a machine was asked about) sees it.
    pub fn usable(&self) -> bool {
        self.error.is_none() && self.version.is_some() && self.sees_machine != Some(false)
    }
}

/// What to ask a client about besides its version.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask<'a> {
    /// Does it see this machine (64 hex digits)?
    pub machine_id: Option<&'a str>,
    /// The connected chain's machine ids (lower-case hex): how many of them
    /// does it see?
    pub chain_machines: Option<&'a std::collections::HashSet<String>>,
}

/// Ask the client at `url` for its version and node list (whether it sees
/// `ask.machine_id`, how many of `ask.chain_machines`), within `timeout` in
/// all. `allow_insecure`: the user accepted plain `http://` to this public
/// host (otherwise such a URL fails the check with `insecure-client-url`,
/// and nothing is sent).
pub async fn check_client(url: &str, ask: Ask<'_>, allow_insecure: bool, timeout: Duration) -> ClientHealth {
    let mut health = ClientHealth {
        url: url.trim().to_string(),
        version: None,
        rtt_ms: None,
        sees_machine: None,
        nodes_seen: None,
        chain_machines_seen: None,
        error: None,
        checked_at_ms: now_ms(),
    };
    let fail = |mut h: ClientHealth, e: &Error| {
        h.error = Some(e.into());
        h
    };
    let timeouts = Timeouts { request: timeout, connect: timeout.min(super::CONNECT_TIMEOUT) };
    let client = match ComputeClient::with_options(url, timeouts, allow_insecure) {
        Ok(c) => c,
        Err(e) => return fail(health, &e),
    };
    health.url = client.base_url().to_string();
    let deadline = Instant::now() + timeout;
    let started = Instant::now();
    match client.version().await {
        Ok(v) => {
            health.rtt_ms = Some(started.elapsed().as_millis() as u64);
            health.version = Some(v);
        }
        Err(e) => return fail(health, &e),
    }
    let machine = match ask.machine_id.map(super::normalize_machine_id).transpose() {
        Ok(m) => m,
        Err(e) => return fail(health, &e),
    };
    match tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), client.node_list()).await {
        Ok(Ok(nodes)) => {
            health.nodes_seen = Some(nodes.len() as u64);
            health.sees_machine = machine.map(|m| nodes.iter().any(|n| n.node_id == m));
            health.chain_machines_seen =
                ask.chain_machines.map(|ids| nodes.iter().filter(|n| ids.contains(&n.node_id)).count() as u64);
        }
        Ok(Err(e)) => return fail(health, &e),
        Err(_) => {
            let e = Error::new(
                crate::error::ErrorCode::ComputeTimeout,
                format!("DBC client at {} did not list its nodes within {} s", health.url, timeout.as_secs()),
            );
            return fail(health, &e);
        }
    }
    health
}

/// [`check_client`] for every URL at once; the answers keep the order of
/// `urls`. `allows_insecure(url)` says whether plain `http://` to that
/// public host was accepted.
pub async fn check_clients(
    urls: &[String],
    ask: Ask<'_>,
    allows_insecure: impl Fn(&str) -> bool,
    timeout: Duration,
) -> Vec<ClientHealth> {
    let checks = urls.iter().map(|u| check_client(u, ask, allows_insecure(u), timeout));
    futures::future::join_all(checks).await
}

/// The usable clients, best first: `last_worked` (the client this rental's
/// VM calls last succeeded on) while it is usable, then by round-trip time,
/// ties in the order given. A client that does not see the machine, or did
/// not answer, is never in the list.
pub fn ranked(health: &[ClientHealth], last_worked: Option<&str>) -> Vec<String> {
    let last = last_worked.map(|u| super::url::normalize_base_url(u).unwrap_or_else(|_| u.trim().to_string()));
    let mut usable: Vec<(usize, &ClientHealth)> = health.iter().enumerate().filter(|(_, h)| h.usable()).collect();
    usable.sort_by_key(|(i, h)| (last.as_deref() != Some(h.url.as_str()), h.rtt_ms.unwrap_or(u64::MAX), *i));
    let mut out: Vec<String> = Vec::with_capacity(usable.len());
    for (_, h) in usable {
        if !out.contains(&h.url) {
            out.push(h.url.clone());
        }
    }
    out
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A DBC client stand-in for the core's tests.
#[cfg(test)]
pub(crate) mod fake {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A DBC client stand-in answering the two routes as the real one does
    /// (compute-api.md §8.1, §8.2), after `delay`, seeing `nodes`.
    pub(crate) async fn fake_client(nodes: &'static [&'static str], delay: Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                    tokio::time::sleep(delay).await;
                    let message = if head.starts_with("GET /api/v1/ ") {
                        serde_json::json!({ "client_version": "0.4.1.8" })
                    } else {
                        let list: Vec<_> = nodes
                            .iter()
                            .map(|id| serde_json::json!({ "node_id": id, "name": "gpu", "version": "0.4.1.8" }))
                            .collect();
                        serde_json::json!({ "mining_nodes": list })
                    };
                    let body = serde_json::json!({ "errcode": 0, "message": message }).to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(answer.as_bytes()).await;
                });
            }
        });
        format!("http://127.0.0.1:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::fake::fake_client;
    use super::*;
    use crate::error::ErrorCode;

    const MACHINE: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const OTHER: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    /// `check_client` asking whether `url` sees `machine`, over https only.
    async fn check_for(url: &str, machine: &str, timeout: Duration) -> ClientHealth {
        check_client(url, Ask { machine_id: Some(machine), ..Default::default() }, false, timeout).await
    }

    fn closed_port_url() -> String {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        format!("http://127.0.0.1:{port}")
    }

    #[tokio::test]
    async fn a_client_that_does_not_see_the_machine_is_never_chosen_and_the_fastest_wins() {
        let slow = fake_client(&[MACHINE, OTHER], Duration::from_millis(400)).await;
        let fast = fake_client(&[MACHINE], Duration::ZERO).await;
        let blind = fake_client(&[OTHER], Duration::ZERO).await;
        let dead = closed_port_url();
        let urls = vec![slow.clone(), blind.clone(), dead.clone(), fast.clone()];
        let chain: std::collections::HashSet<String> = [MACHINE.to_string()].into();
        let ask = Ask { machine_id: Some(MACHINE), chain_machines: Some(&chain) };
        let health = check_clients(&urls, ask, |_| false, Duration::from_secs(5)).await;

        assert_eq!(health.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), urls, "answers keep the given order");
        assert_eq!(health[0].sees_machine, Some(true));
        assert_eq!((health[0].nodes_seen, health[0].chain_machines_seen), (Some(2), Some(1)));
        assert_eq!(health[2].chain_machines_seen, None, "no answer, nothing known");
        assert_eq!(health[0].version.as_deref(), Some("0.4.1.8"));
        assert!(health[0].rtt_ms.unwrap() >= 400);
        assert_eq!(health[1].sees_machine, Some(false));
        assert!(!health[1].usable());
        assert_eq!(health[2].error.as_ref().unwrap().code, "compute-unreachable");
        assert!(health[2].version.is_none() && health[2].rtt_ms.is_none());

        assert_eq!(ranked(&health, None), vec![fast.clone(), slow.clone()]);
        // The one that worked last stays first while it still qualifies...
        assert_eq!(ranked(&health, Some(&slow)), vec![slow.clone(), fast.clone()]);
        // ...but not when it no longer sees the machine or is gone.
        assert_eq!(ranked(&health, Some(&blind)), vec![fast.clone(), slow.clone()]);
        assert_eq!(ranked(&health, Some(&dead)), vec![fast, slow]);
    }

    #[tokio::test]
    async fn without_a_machine_the_version_and_the_node_count_are_asked() {
        let url = fake_client(&[], Duration::ZERO).await;
        let h = check_client(&url, Ask::default(), false, Duration::from_secs(5)).await;
        assert!(h.usable() && h.sees_machine.is_none() && h.chain_machines_seen.is_none(), "{h:?}");
        assert_eq!(h.nodes_seen, Some(0));
        assert!(h.checked_at_ms > 0);
    }

    #[tokio::test]
    async fn bad_and_insecure_urls_fail_the_check_without_a_request() {
        let h = check_for("localhost:5002", MACHINE, Duration::from_secs(1)).await;
        assert_eq!(h.error.unwrap().code, ErrorCode::InvalidClientUrl.as_str());
        let h = check_for("http://115.231.234.34:5052", MACHINE, Duration::from_secs(1)).await;
        assert_eq!(h.error.unwrap().code, ErrorCode::InsecureClientUrl.as_str());
        assert_eq!(h.url, "http://115.231.234.34:5052");
        let url = fake_client(&[MACHINE], Duration::ZERO).await;
        let h = check_for(&url, "not-a-machine", Duration::from_secs(1)).await;
        assert_eq!(h.error.unwrap().code, ErrorCode::InvalidArgument.as_str());
    }

    #[tokio::test]
    async fn a_client_slower_than_the_timeout_does_not_qualify() {
        let url = fake_client(&[MACHINE], Duration::from_secs(3)).await;
        let h = check_for(&url, MACHINE, Duration::from_millis(500)).await;
        assert!(!h.usable());
        assert!(ranked(&[h], None).is_empty());
    }
}
