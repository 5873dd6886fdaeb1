//! [`ComputeClient`]: one DBC client's HTTP API, and the unauthenticated
//! routes (version, node list, node info).

use super::auth::Auth;
use super::reply::{self, bad_shape, Ctx};
use super::types::{NodeInfo, NodeSummary};
use super::url::{check_transport, normalize_base_url};
use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The DBC client waits 30 s for a node; we wait longer so its own
/// "<op> timeout" answer reaches us instead of our timeout. It bounds the
/// whole exchange, the answer's body included: a client that starts
/// answering and then trickles is cut at this deadline.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(45);
/// A client that does not accept a TCP connection quickly is down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest answer read; real ones are a few KiB (logs are capped at 8 KiB).
const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub request: Duration,
    pub connect: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { request: REQUEST_TIMEOUT, connect: CONNECT_TIMEOUT }
    }
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub url: String,
    pub client_version: String,
    /// The rented machine as the client lists it.
    pub node: NodeSummary,
}

/// A DBC client at one base URL. Cheap to clone (the connection pool is shared).
#[derive(Clone, Debug)]
pub struct ComputeClient {
    base: String,
    http: reqwest::Client,
    timeouts: Timeouts,
}

/// A machine id as the chain and the client use it: 64 lowercase hex digits.
/// `0x` and upper case are accepted and normalized.
pub fn normalize_machine_id(id: &str) -> Result<String> {
    let t = id.trim();
    let t = t.strip_prefix("0x").unwrap_or(t).to_ascii_lowercase();
    if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t)
    } else {
        Err(Error::invalid_argument(format!("a machine id is 64 hexadecimal digits, not {id:?}"))
            .with_data(json!({ "field": "machineId" })))
    }
}

impl ComputeClient {
    /// A client for `base_url` (`http://host:port`, or `https://…` behind a
    /// TLS proxy) with the default timeouts. Nothing is sent yet. Plain
    /// `http://` to a host that is not this computer or a private network
    /// is refused (`insecure-client-url`): see [`ComputeClient::new_checked`].
    pub fn new(base_url: &str) -> Result<Self> {
        Self::new_checked(base_url, false)
    }

    /// [`ComputeClient::new`], with `allow_insecure` saying the user accepted
    /// plain `http://` to this (public) host: once per client in the app
    /// (`Settings::allows_insecure_client`), `--allow-insecure-client` in
    /// the CLI. Whoever can read that traffic can replay the signed
    /// requests against any rental of the wallet.
    pub fn new_checked(base_url: &str, allow_insecure: bool) -> Result<Self> {
        Self::build(base_url, Timeouts::default(), allow_insecure)
    }

    /// With other timeouts (tests); plain `http://` only to local hosts.
    pub fn with_timeouts(base_url: &str, timeouts: Timeouts) -> Result<Self> {
        Self::build(base_url, timeouts, false)
    }

    /// With other timeouts and the user's answer on plain `http://` (the
    /// short health check of `compute::choice`).
    pub fn with_options(base_url: &str, timeouts: Timeouts, allow_insecure: bool) -> Result<Self> {
        Self::build(base_url, timeouts, allow_insecure)
    }

    fn build(base_url: &str, timeouts: Timeouts, allow_insecure: bool) -> Result<Self> {
        let base = normalize_base_url(base_url)?;
        check_transport(&base, allow_insecure)?;
        // reqwest is built without a bundled TLS provider (the workspace
        // picks ring); installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeouts.request)
            .connect_timeout(timeouts.connect)
            // Signed bodies go straight to the client the user chose, never
            // through a proxy from the environment.
            .no_proxy()
            // A redirect would carry the signed envelope to another host:
            // never followed, reported (`compute-redirect`).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dbc-rent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(ComputeClient { base, http, timeouts })
    }

    /// The normalized base URL, e.g. `http://127.0.0.1:5002`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(crate) fn ctx(&self, route: &str) -> Ctx {
        Ctx { url: self.base.clone(), route: route.to_string(), ..Ctx::default() }
    }

    /// One request: `GET` without a body, else `POST` with `body` as JSON.
    /// Only the route, the HTTP status and the errcode are logged.
    pub(crate) async fn exchange(&self, ctx: &Ctx, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{}", self.base, ctx.route);
        let req = match body {
            None => self.http.get(&url),
            Some(b) => {
                let bytes = serde_json::to_vec(b).map_err(|e| Error::internal(format!("request body: {e}")))?;
                self.http.post(&url).header(reqwest::header::CONTENT_TYPE, "application/json").body(bytes)
            }
        };
        // One deadline for the whole exchange, body included (reqwest's own
        // timeout is the same; this one also names the stage).
        let deadline = tokio::time::Instant::now() + self.timeouts.request;
        let mut resp = req.send().await.map_err(|e| reply::transport_error(ctx, &e))?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let e = reply::redirect(ctx, status, location.as_deref());
            tracing::info!(route = %ctx.route, status, code = %e.code, "DBC client redirected; not followed");
            return Err(e);
        }
        let mut bytes = Vec::new();
        loop {
            let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                Ok(Ok(None)) => break,
                Ok(Err(e)) => return Err(reply::reading_error(ctx, Some(&e))),
                Err(_) => return Err(reply::reading_error(ctx, None)),
            };
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(Error::new(
                    ErrorCode::ComputeBadReply,
                    format!("the DBC client at {} sent more than {MAX_BODY} bytes", self.base),
                )
                .with_data(json!({ "url": self.base, "route": ctx.route, "reason": "answer too large" })));
            }
            bytes.extend_from_slice(&chunk);
        }
        let out = reply::interpret(ctx, status, &bytes);
        match &out {
            Ok(_) => tracing::debug!(route = %ctx.route, status, "DBC client answered"),
            Err(e) => {
                tracing::info!(route = %ctx.route, status, code = %e.code, "DBC client refused or failed")
            }
        }
        out
    }

    /// The POST envelope of every route but the version check.
    pub(crate) fn envelope(peer: Option<&str>, additional: Map<String, Value>, auth: Option<&Auth>) -> Value {
        let mut body = json!({
            "peer_nodes_list": peer.map(|p| vec![p.to_string()]).unwrap_or_default(),
            "additional": Value::Object(additional),
        });
        if let Some(a) = auth {
            let c = a.credentials();
            body["wallet"] = json!(c.wallet);
            body["nonce"] = json!(c.nonce);
            body["sign"] = json!(c.sign);
            // Without it the node cannot find the order: "wallet not rented".
            body["rent_order"] = json!(a.rent_id().to_string());
        }
        body
    }

    /// `GET /api/v1/`: the client's version (a health check).
    pub async fn version(&self) -> Result<String> {
        let ctx = self.ctx("/api/v1/");
        let m = self.exchange(&ctx, None).await?;
        super::types::text(&m, "client_version").ok_or_else(|| bad_shape(&ctx, "no client_version"))
    }

    /// `POST /api/v1/mining_nodes` with `[]`: the nodes the client sees now.
    pub async fn node_list(&self) -> Result<Vec<NodeSummary>> {
        let ctx = self.ctx("/api/v1/mining_nodes");
        let m = self.exchange(&ctx, Some(&Self::envelope(None, Map::new(), None))).await?;
        let list =
            m.get("mining_nodes").and_then(Value::as_array).ok_or_else(|| bad_shape(&ctx, "no mining_nodes list"))?;
        Ok(list.iter().filter_map(NodeSummary::parse).collect())
    }

    /// `POST /api/v1/mining_nodes` with `[machine_id]`: hardware and images.
    /// The node answers without a signature.
    pub async fn node_info(&self, machine_id: &str) -> Result<NodeInfo> {
        let id = normalize_machine_id(machine_id)?;
        let mut ctx = self.ctx("/api/v1/mining_nodes");
        ctx.machine_id = Some(id.clone());
        let m = self.exchange(&ctx, Some(&Self::envelope(Some(&id), Map::new(), None))).await?;
        NodeInfo::parse(&m).ok_or_else(|| bad_shape(&ctx, "node info is not an object"))
    }

    /// "Test connection": the client answers its version and currently sees
    /// the machine (otherwise every call would fail with `compute-node-unknown`).
    pub async fn test_connection(&self, machine_id: &str) -> Result<ConnectionCheck> {
        let id = normalize_machine_id(machine_id)?;
        let client_version = self.version().await?;
        let nodes = self.node_list().await?;
        let node = nodes.into_iter().find(|n| n.node_id.eq_ignore_ascii_case(&id)).ok_or_else(|| {
            Error::new(
                ErrorCode::ComputeNodeUnknown,
                format!("the DBC client at {} does not see machine {id} (offline, or not announced yet)", self.base),
            )
            .with_data(json!({ "url": self.base, "machineId": id, "nodeMessage": "" }))
        })?;
        Ok(ConnectionCheck { url: self.base.clone(), client_version, node })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_ids() {
        let id = "58fb618aa482c41114eb3cfdaefd3ba183172da9e25251449d045043fbd37f45";
        assert_eq!(normalize_machine_id(id).unwrap(), id);
        assert_eq!(normalize_machine_id(&format!("0x{}", id.to_uppercase())).unwrap(), id);
        for bad in ["", "58fb", &format!("{id}00"), &id.replace('5', "g")] {
            assert_eq!(normalize_machine_id(bad).unwrap_err().code, ErrorCode::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn envelope_shape() {
        let body = ComputeClient::envelope(None, Map::new(), None);
        assert_eq!(body, json!({"peer_nodes_list": [], "additional": {}}));
        let key = crate::wallet::SigningKey::fee_estimator();
        let auth = Auth::new(key, 1234);
        let mut add = Map::new();
        add.insert("x".into(), json!("1"));
        let body = ComputeClient::envelope(Some("ab"), add, Some(&auth));
        assert_eq!(body["peer_nodes_list"], json!(["ab"]));
        assert_eq!(body["additional"], json!({"x": "1"}));
        assert_eq!(body["rent_order"], "1234", "a string of digits");
        assert_eq!(body["wallet"], auth.wallet());
        assert!(body["nonce"].as_str().unwrap().len() >= 32);
        assert_eq!(body["sign"].as_str().unwrap().len(), 128);
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_with_nothing_sent() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // The listener is dropped: the port is closed.
        let c = ComputeClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let e = c.version().await.unwrap_err();
        assert_eq!(e.code, ErrorCode::ComputeUnreachable, "{e:?}");
        assert_eq!(e.data.as_ref().unwrap()["stage"], "connect");
        assert!(!reply::maybe_delivered(&e));
        assert_eq!(ComputeClient::new("localhost:5002").unwrap_err().code, ErrorCode::InvalidClientUrl);
    }

    /// A tiny HTTP server: every connection gets `answer` (in pieces of
    /// `chunk` bytes with `pause` between them); it counts the requests.
    async fn serve(
        answer: Vec<u8>,
        chunk: usize,
        pause: Duration,
    ) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let answer = answer.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    let _ = s.read(&mut buf).await;
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    for piece in answer.chunks(chunk.max(1)) {
                        if s.write_all(piece).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(pause).await;
                    }
                });
            }
        });
        (port, seen, task)
    }

    /// A 307 to another port: reported with its status and target, and the
    /// other port never hears from us.
    #[tokio::test]
    async fn redirects_are_reported_and_never_followed() {
        let (other, other_seen, t2) =
            serve(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec(), 1 << 20, Duration::ZERO).await;
        for status in [301u16, 302, 303, 307, 308] {
            let answer = format!(
                "HTTP/1.1 {status} Moved\r\nlocation: http://127.0.0.1:{other}/api/v1/\r\ncontent-length: 0\r\n\r\n"
            );
            let (port, seen, t1) = serve(answer.into_bytes(), 1 << 20, Duration::ZERO).await;
            let c = ComputeClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
            let e = c.node_list().await.unwrap_err();
            assert_eq!(e.code, ErrorCode::ComputeRedirect, "{status}: {e:?}");
            let d = e.data.as_ref().unwrap();
            assert_eq!(d["status"], status);
            assert_eq!(d["location"], format!("http://127.0.0.1:{other}/api/v1/"));
            assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
            t1.abort();
        }
        assert_eq!(other_seen.load(std::sync::atomic::Ordering::SeqCst), 0, "the signed body went nowhere else");
        t2.abort();
    }

    /// Headers at once, then one byte at a time: cut at the request deadline
    /// and reported as a stalled answer (`stage: "reading"`).
    #[tokio::test]
    async fn a_trickling_answer_is_cut_at_the_deadline() {
        let body = br#"{"errcode":0,"message":{"client_version":"0.4.1.8"}}"#;
        let mut answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
        let head = answer.len();
        answer.extend_from_slice(body);
        // The head in one piece, then the body a byte every 100 ms.
        let (port, task) = {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let task = tokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                s.write_all(&answer[..head]).await.unwrap();
                for b in &answer[head..] {
                    if s.write_all(&[*b]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            (port, task)
        };
        let t = Timeouts { request: Duration::from_millis(800), connect: Duration::from_secs(2) };
        let c = ComputeClient::with_timeouts(&format!("http://127.0.0.1:{port}"), t).unwrap();
        let started = std::time::Instant::now();
        let e = c.version().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        assert_eq!(e.code, ErrorCode::ComputeTimeout, "{e:?}");
        assert_eq!(e.data.as_ref().unwrap()["stage"], "reading");
        assert!(reply::is_stalled(&e) && !reply::is_transient(&e));
        task.abort();
    }

    #[test]
    fn plain_http_to_a_public_client_needs_the_users_yes() {
        let e = ComputeClient::new("http://116.31.89.150:5052").unwrap_err();
        assert_eq!(e.code, ErrorCode::InsecureClientUrl);
        assert_eq!(e.data.unwrap()["url"], "http://116.31.89.150:5052");
        assert!(ComputeClient::new_checked("http://116.31.89.150:5052", true).is_ok());
        assert!(ComputeClient::new("https://dbc.example.com").is_ok());
        assert!(ComputeClient::new("http://192.168.1.9:5002").is_ok());
    }

    /// A server that accepts and then never answers: our own timeout fires,
    /// reported as `compute-timeout` (the request may have arrived).
    #[tokio::test]
    async fn a_silent_client_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hold = tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                let (s, _) = listener.accept().await.unwrap();
                held.push(s);
            }
        });
        let t = Timeouts { request: Duration::from_millis(300), connect: Duration::from_secs(2) };
        let c = ComputeClient::with_timeouts(&format!("http://127.0.0.1:{port}"), t).unwrap();
        let e = c.node_list().await.unwrap_err();
        assert_eq!(e.code, ErrorCode::ComputeTimeout, "{e:?}");
        assert_eq!(e.data.as_ref().unwrap()["source"], "client");
        assert!(reply::maybe_delivered(&e));
        hold.abort();
    }
}
