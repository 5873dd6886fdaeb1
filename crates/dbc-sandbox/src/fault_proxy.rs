//! A fault-injecting WebSocket proxy for JSON-RPC, for the connection-fault
//! tests (issue 11): put it between the app's chain client and a node, then
//! drop the connection right after a given request went upstream, hang the
//! node, cut every connection, or point new connections at another node.
//!
//! ```text
//! client ──ws──> FaultProxy (127.0.0.1:PORT) ──ws──> upstream node
//! ```
//!
//! Each client connection gets its own upstream connection, opened before the
//! client's WebSocket handshake is answered (an unreachable upstream looks like
//! an unreachable node). Data frames are relayed one message at a time in both
//! directions, text as text and binary as binary, so subscriptions
//! (`chain_subscribeNewHeads`, `author_submitAndWatchExtrinsic`) pass through
//! unchanged. Ping/pong is answered by the proxy on each side, not relayed.
//!
//! Faults:
//! - [`FaultProxy::drop_after`]: the next request with that method is sent
//!   upstream, then the client's socket is dropped at once (no close frame:
//!   a network cut), so the client never sees the reply. The upstream socket
//!   lingers until the upstream has answered that request (at most 5 s) and
//!   is then dropped too, so the node surely processed the request (a plain
//!   close right after the write could reach the node as a reset first).
//! - [`FaultProxy::stall`]: a hung node. While on, nothing is read from or
//!   forwarded to either side (so WebSocket pings go unanswered as well, and
//!   a client's ping timeout can fire); new connections are accepted at TCP
//!   level but their handshake waits. Held traffic flows on when turned off.
//! - [`FaultProxy::kill_connections`]: drop every open connection now.
//! - [`FaultProxy::forge`]: a hostile node. Requests with that method are
//!   answered by the proxy with a result of the test's making (endless key
//!   pages, a million order ids, garbage metadata) instead of going upstream.
//!
//! The proxy stops (listener and every connection) when dropped.

use dbc::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::compat::{Compat, TokioAsyncReadCompatExt};

type WsSender = soketto::Sender<Compat<TcpStream>>;
type WsReceiver = soketto::Receiver<Compat<TcpStream>>;

/// Largest message relayed (runtime metadata as hex is a few MB).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// How long the upstream socket lingers after a `drop_after` request.
const LINGER: Duration = Duration::from_secs(5);
/// Bound on opening the upstream connection (TCP + handshake), and on the
/// client's handshake.
const UPSTREAM_CONNECT: Duration = Duration::from_secs(10);

/// Makes a forged `result` from a request's `params`; `None` forwards it.
pub type Forger = Arc<dyn Fn(&Value) -> Option<Value> + Send + Sync>;

struct Inner {
    upstream: Mutex<String>,
    forged: Mutex<HashMap<String, Forger>>,
    /// Pending one-shot drops, by method (a method listed twice drops twice).
    drops: Mutex<Vec<String>>,
    seen: Mutex<HashMap<String, usize>>,
    stalled: watch::Sender<bool>,
    conns: Mutex<JoinSet<()>>,
    accepted: Mutex<usize>,
}

impl Inner {
    async fn wait_unstalled(&self) {
        let mut rx = self.stalled.subscribe();
        let _ = rx.wait_for(|on| !*on).await;
    }

    /// Count the request(s) in `msg` and say whether one of them is a pending drop.
    fn note_request(&self, msg: &[u8]) -> Option<Vec<Value>> {
        let parsed: Value = serde_json::from_slice(msg).ok()?;
        let calls: Vec<&Value> = match &parsed {
            Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        let mut drop_ids = None;
        let mut drops = self.drops.lock().unwrap();
        let mut seen = self.seen.lock().unwrap();
        for c in calls {
            let Some(method) = c.get("method").and_then(Value::as_str) else {
                continue;
            };
            *seen.entry(method.to_string()).or_insert(0) += 1;
            if let Some(i) = drops.iter().position(|m| m == method) {
                drops.remove(i);
                drop_ids.get_or_insert_with(Vec::new).push(c.get("id").cloned().unwrap_or(Value::Null));
            }
        }
        drop_ids
    }
}

/// A running proxy; see the module docs.
pub struct FaultProxy {
    addr: SocketAddr,
    inner: Arc<Inner>,
    accept: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listen on 127.0.0.1 (a free port) and relay to `upstream` (`ws://host:port[/path]`).
    pub async fn start(upstream: &str) -> Result<FaultProxy> {
        parse_ws_url(upstream)?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::internal(format!("fault proxy: cannot listen: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?;
        let inner = Arc::new(Inner {
            upstream: Mutex::new(upstream.to_string()),
            forged: Mutex::new(HashMap::new()),
            drops: Mutex::new(Vec::new()),
            seen: Mutex::new(HashMap::new()),
            stalled: watch::channel(false).0,
            conns: Mutex::new(JoinSet::new()),
            accepted: Mutex::new(0),
        });
        let accept = {
            let inner = inner.clone();
            tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    let _ = sock.set_nodelay(true);
                    *inner.accepted.lock().unwrap() += 1;
                    let mut conns = inner.conns.lock().unwrap();
                    while conns.try_join_next().is_some() {} // reap finished ones
                    conns.spawn(serve(sock, inner.clone()));
                }
            })
        };
        tracing::debug!(%addr, upstream, "fault proxy started");
        Ok(FaultProxy { addr, inner, accept })
    }

    /// `ws://127.0.0.1:PORT`, to hand to the client under test.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Where new connections (and a client's reconnects) go from now on;
    /// open connections keep their upstream.
    pub fn set_upstream(&self, upstream: &str) {
        *self.inner.upstream.lock().unwrap() = upstream.to_string();
    }

    /// The current upstream.
    pub fn upstream(&self) -> String {
        self.inner.upstream.lock().unwrap().clone()
    }

    /// Once: forward the next request with JSON-RPC method `method` upstream,
    /// then drop that connection (the client never sees the reply).
    pub fn drop_after(&self, method: &str) {
        self.inner.drops.lock().unwrap().push(method.to_string());
    }

    /// From now on answer requests with JSON-RPC method `method` with
    /// `forger(params)` (when it gives `Some`) instead of forwarding them:
    /// a node that lies. Single requests only (subxt's legacy backend does
    /// not batch).
    pub fn forge(&self, method: &str, forger: impl Fn(&Value) -> Option<Value> + Send + Sync + 'static) {
        self.inner.forged.lock().unwrap().insert(method.to_string(), Arc::new(forger));
    }

    /// Stop forging `method`: its requests go upstream again.
    pub fn unforge(&self, method: &str) {
        self.inner.forged.lock().unwrap().remove(method);
    }

    /// While `on`, hold all traffic (a hung node); `false` lets it flow again.
    pub fn stall(&self, on: bool) {
        self.inner.stalled.send_replace(on);
    }

    /// Drop every open connection now (new ones are accepted as usual).
    pub fn kill_connections(&self) {
        self.inner.conns.lock().unwrap().abort_all();
    }

    /// How many requests with `method` were forwarded upstream so far.
    pub fn seen(&self, method: &str) -> usize {
        self.inner.seen.lock().unwrap().get(method).copied().unwrap_or(0)
    }

    /// How many client connections were accepted so far (reconnects count).
    pub fn connections(&self) -> usize {
        *self.inner.accepted.lock().unwrap()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.inner.conns.lock().unwrap().abort_all();
    }
}

/// `ws://host:port/path` → (`host:port`, `/path`). Only plain `ws://`.
fn parse_ws_url(url: &str) -> Result<(String, String)> {
    let rest = url
        .trim()
        .strip_prefix("ws://")
        .ok_or_else(|| Error::invalid_argument(format!("fault proxy: {url:?} is not a ws:// URL")))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() {
        return Err(Error::invalid_argument(format!("fault proxy: {url:?} has no host")));
    }
    let host = if host.contains(':') && !host.ends_with(']') { host.to_string() } else { format!("{host}:80") };
    Ok((host, path.to_string()))
}

async fn open_upstream(url: &str) -> std::result::Result<(WsSender, WsReceiver), String> {
    let (host, path) = parse_ws_url(url).map_err(|e| e.message)?;
    let attempt = async {
        let tcp = TcpStream::connect(&host).await.map_err(|e| format!("connect {host}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let mut client = soketto::handshake::Client::new(tcp.compat(), &host, &path);
        match client.handshake().await {
            Ok(soketto::handshake::ServerResponse::Accepted { .. }) => {}
            Ok(other) => return Err(format!("handshake refused: {other:?}")),
            Err(e) => return Err(format!("handshake: {e}")),
        }
        let mut b = client.into_builder();
        b.set_max_message_size(MAX_MESSAGE);
        b.set_max_frame_size(MAX_MESSAGE);
        Ok(b.finish())
    };
    tokio::time::timeout(UPSTREAM_CONNECT, attempt)
        .await
        .map_err(|_| format!("no answer from {host} within {UPSTREAM_CONNECT:?}"))?
}

async fn accept_client(sock: TcpStream) -> std::result::Result<(WsSender, WsReceiver), String> {
    let mut server = soketto::handshake::Server::new(sock.compat());
    let key = server.receive_request().await.map_err(|e| e.to_string())?.key();
    let accept = soketto::handshake::server::Response::Accept { key, protocol: None };
    server.send_response(&accept).await.map_err(|e| e.to_string())?;
    let mut b = server.into_builder();
    b.set_max_message_size(MAX_MESSAGE);
    b.set_max_frame_size(MAX_MESSAGE);
    Ok(b.finish())
}

/// Why a relay direction ended.
enum End {
    /// A side closed or failed.
    Closed,
    /// A `drop_after` request (with these ids) went upstream.
    Drop(Vec<Value>),
}

async fn send(tx: &mut WsSender, data: &soketto::Data, buf: &[u8]) -> bool {
    let r = if data.is_text() {
        match std::str::from_utf8(buf) {
            Ok(s) => tx.send_text(s).await,
            Err(_) => tx.send_binary(buf).await,
        }
    } else {
        tx.send_binary(buf).await
    };
    r.is_ok() && tx.flush().await.is_ok()
}

impl Inner {
    /// The forged reply to `msg`, when it is a single request whose method
    /// is forged and the forger answers it.
    fn forged_reply(&self, msg: &[u8]) -> Option<String> {
        let call: Value = serde_json::from_slice(msg).ok()?;
        let method = call.get("method")?.as_str()?;
        let forger = self.forged.lock().unwrap().get(method).cloned()?;
        let result = forger(call.get("params").unwrap_or(&Value::Null))?;
        *self.seen.lock().unwrap().entry(method.to_string()).or_insert(0) += 1;
        let id = call.get("id").cloned().unwrap_or(Value::Null);
        Some(serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": result }).to_string())
    }
}

async fn client_to_upstream(
    inner: &Inner,
    rx: &mut WsReceiver,
    tx: &mut WsSender,
    to_client: &tokio::sync::Mutex<WsSender>,
) -> End {
    let mut buf = Vec::new();
    loop {
        inner.wait_unstalled().await;
        buf.clear();
        let Ok(data) = rx.receive_data(&mut buf).await else {
            let _ = tx.close().await;
            return End::Closed;
        };
        inner.wait_unstalled().await;
        if data.is_text() {
            if let Some(reply) = inner.forged_reply(&buf) {
                let mut c = to_client.lock().await;
                if c.send_text(&reply).await.is_err() || c.flush().await.is_err() {
                    return End::Closed;
                }
                continue;
            }
        }
        let drop_ids = if data.is_text() { inner.note_request(&buf) } else { None };
        if !send(tx, &data, &buf).await {
            return End::Closed;
        }
        if let Some(ids) = drop_ids {
            return End::Drop(ids);
        }
    }
}

async fn upstream_to_client(inner: &Inner, rx: &mut WsReceiver, tx: &tokio::sync::Mutex<WsSender>) -> End {
    let mut buf = Vec::new();
    loop {
        inner.wait_unstalled().await;
        buf.clear();
        let Ok(data) = rx.receive_data(&mut buf).await else {
            let _ = tx.lock().await.close().await;
            return End::Closed;
        };
        inner.wait_unstalled().await;
        if !send(&mut *tx.lock().await, &data, &buf).await {
            return End::Closed;
        }
    }
}

/// Is `msg` the reply to one of `ids`?
fn answers(msg: &[u8], ids: &[Value]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(msg) else {
        return false;
    };
    let replies: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    replies.iter().any(|r| r.get("method").is_none() && r.get("id").is_some_and(|id| ids.contains(id)))
}

async fn serve(sock: TcpStream, inner: Arc<Inner>) {
    inner.wait_unstalled().await;
    let upstream = inner.upstream.lock().unwrap().clone();
    let (mut up_tx, mut up_rx) = match open_upstream(&upstream).await {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!(upstream, "fault proxy: upstream unreachable ({e}); dropping the client");
            return;
        }
    };
    let handshake = tokio::time::timeout(UPSTREAM_CONNECT, accept_client(sock));
    let (c_tx, mut c_rx) = match handshake.await.unwrap_or_else(|_| Err("no handshake".into())) {
        Ok(s) => s,
        Err(e) => {
            tracing::debug!("fault proxy: client handshake failed: {e}");
            return;
        }
    };
    let c_tx = tokio::sync::Mutex::new(c_tx);
    let end = tokio::select! {
        e = client_to_upstream(&inner, &mut c_rx, &mut up_tx, &c_tx) => e,
        e = upstream_to_client(&inner, &mut up_rx, &c_tx) => e,
    };
    // Both halves of the client socket go now: a cut, no close frame.
    drop(c_tx);
    drop(c_rx);
    if let End::Drop(ids) = end {
        tracing::debug!(?ids, "fault proxy: dropped the client after forwarding");
        let _ = tokio::time::timeout(LINGER, async {
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match up_rx.receive_data(&mut buf).await {
                    Ok(_) if answers(&buf, &ids) => return,
                    Ok(_) => continue,
                    Err(_) => return,
                }
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Instant;
    use subxt::rpcs::{rpc_params, RpcClient};

    /// A tiny JSON-RPC WebSocket server: `echo` replies with its params,
    /// `count` with how many requests this server received, `subscribe` with
    /// a subscription id then three notifications; every method is recorded.
    struct Upstream {
        url: String,
        methods: Arc<Mutex<Vec<String>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Upstream {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn upstream(name: &'static str) -> Upstream {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let methods = Arc::new(Mutex::new(Vec::new()));
        let m = methods.clone();
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((sock, _)) = listener.accept().await {
                conns.spawn(serve_upstream(sock, name, m.clone()));
            }
        });
        Upstream { url, methods, task }
    }

    async fn serve_upstream(sock: TcpStream, name: &'static str, methods: Arc<Mutex<Vec<String>>>) {
        let Ok((mut tx, mut rx)) = accept_client(sock).await else {
            return;
        };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if rx.receive_data(&mut buf).await.is_err() {
                return;
            }
            let req: Value = serde_json::from_slice(&buf).unwrap();
            let method = req["method"].as_str().unwrap_or("").to_string();
            methods.lock().unwrap().push(method.clone());
            let id = req["id"].clone();
            let result = match method.as_str() {
                "echo" => json!({"from": name, "params": req["params"]}),
                "count" => json!(methods.lock().unwrap().len()),
                "subscribe" => json!("sub-1"),
                _ => json!(null),
            };
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
            if tx.send_text(reply.to_string()).await.is_err() || tx.flush().await.is_err() {
                return;
            }
            if method == "subscribe" {
                for i in 0..3 {
                    let note =
                        json!({"jsonrpc": "2.0", "method": "note", "params": {"subscription": "sub-1", "result": i}});
                    if tx.send_text(note.to_string()).await.is_err() || tx.flush().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    async fn rpc(url: &str) -> RpcClient {
        RpcClient::from_insecure_url(url).await.expect("connect through the proxy")
    }

    /// Upstream `a`, a proxy in front of it and a client through the proxy.
    async fn proxied() -> (Upstream, FaultProxy, RpcClient) {
        let up = upstream("a").await;
        let proxy = FaultProxy::start(&up.url).await.unwrap();
        let c = rpc(&proxy.url()).await;
        (up, proxy, c)
    }

    async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
        let t = Instant::now();
        while !f() {
            assert!(t.elapsed() < Duration::from_secs(5), "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn forwards_requests_replies_and_subscriptions() {
        let (_up, proxy, c) = proxied().await;
        let r: Value = c.request("echo", rpc_params![1, "two"]).await.unwrap();
        assert_eq!(r, json!({"from": "a", "params": [1, "two"]}));
        let r: Value = c.request("echo", rpc_params![3]).await.unwrap();
        assert_eq!(r["params"], json!([3]));
        assert_eq!(proxy.seen("echo"), 2);
        assert_eq!(proxy.seen("count"), 0);

        let mut sub = c.subscribe::<Value>("subscribe", rpc_params![], "unsubscribe").await.unwrap();
        for i in 0..3 {
            let n = tokio::time::timeout(Duration::from_secs(5), sub.next())
                .await
                .expect("notification in time")
                .expect("stream open")
                .expect("notification decodes");
            assert_eq!(n, json!(i));
        }
        assert_eq!(proxy.seen("subscribe"), 1);
        assert_eq!(proxy.connections(), 1);
    }

    #[tokio::test]
    async fn drop_after_forwards_then_cuts_without_a_reply() {
        let (up, proxy, c) = proxied().await;
        let _: Value = c.request("echo", rpc_params![]).await.unwrap();
        proxy.drop_after("count");
        // Other methods pass untouched.
        let _: Value = c.request("echo", rpc_params![]).await.unwrap();
        let r = tokio::time::timeout(Duration::from_secs(5), c.request::<Value>("count", rpc_params![]))
            .await
            .expect("the client learns of the cut at once");
        assert!(r.is_err(), "the client saw no reply: {r:?}");
        assert_eq!(proxy.seen("count"), 1);
        wait_until("the upstream got the request", || up.methods.lock().unwrap().iter().any(|m| m == "count")).await;
        // The connection is gone for good.
        let again = c.request::<Value>("echo", rpc_params![]).await;
        assert!(again.is_err(), "{again:?}");

        // Once only: a new connection passes the same method through.
        let c2 = rpc(&proxy.url()).await;
        let n: Value = c2.request("count", rpc_params![]).await.unwrap();
        assert!(n.as_u64().unwrap() >= 4, "{n}");
        assert_eq!(proxy.seen("count"), 2);
        assert_eq!(proxy.connections(), 2);
    }

    #[tokio::test]
    async fn set_upstream_moves_new_connections() {
        let (a, b) = (upstream("a").await, upstream("b").await);
        let proxy = FaultProxy::start(&a.url).await.unwrap();
        let ca = rpc(&proxy.url()).await;
        let r: Value = ca.request("echo", rpc_params![]).await.unwrap();
        assert_eq!(r["from"], "a");
        proxy.set_upstream(&b.url);
        assert_eq!(proxy.upstream(), b.url);
        let cb = rpc(&proxy.url()).await;
        let r: Value = cb.request("echo", rpc_params![]).await.unwrap();
        assert_eq!(r["from"], "b");
        // The open connection stays where it was.
        let r: Value = ca.request("echo", rpc_params![]).await.unwrap();
        assert_eq!(r["from"], "a");

        // kill_connections cuts both; a reconnect lands on b.
        proxy.kill_connections();
        assert!(ca.request::<Value>("echo", rpc_params![]).await.is_err());
        assert!(cb.request::<Value>("echo", rpc_params![]).await.is_err());
        let c = rpc(&proxy.url()).await;
        let r: Value = c.request("echo", rpc_params![]).await.unwrap();
        assert_eq!(r["from"], "b");
    }

    #[tokio::test]
    async fn stall_holds_traffic_until_released() {
        let (up, proxy, c) = proxied().await;
        let _: Value = c.request("echo", rpc_params![]).await.unwrap();
        proxy.stall(true);
        let held = tokio::spawn({
            let c = c.clone();
            async move { c.request::<Value>("echo", rpc_params!["held"]).await }
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!held.is_finished(), "a stalled proxy answers nothing");
        assert_eq!(proxy.seen("echo"), 1, "nothing forwarded while stalled");
        assert_eq!(up.methods.lock().unwrap().len(), 1);
        // A new connection hangs in its handshake.
        let fresh = tokio::time::timeout(Duration::from_millis(500), RpcClient::from_insecure_url(&proxy.url())).await;
        assert!(fresh.is_err(), "the handshake waits while stalled");

        proxy.stall(false);
        let r = tokio::time::timeout(Duration::from_secs(5), held).await.expect("released").unwrap().unwrap();
        assert_eq!(r["params"], json!(["held"]));
        assert_eq!(proxy.seen("echo"), 2);
    }

    #[tokio::test]
    async fn unreachable_upstream_refuses_the_client_and_drop_stops_everything() {
        let dead = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let dead_url = format!("ws://{}", dead.local_addr().unwrap());
        drop(dead);
        let proxy = FaultProxy::start(&dead_url).await.unwrap();
        assert!(RpcClient::from_insecure_url(&proxy.url()).await.is_err());
        assert!(FaultProxy::start("http://127.0.0.1:1").await.is_err());

        let up = upstream("a").await;
        proxy.set_upstream(&up.url);
        let c = rpc(&proxy.url()).await;
        let _: Value = c.request("echo", rpc_params![]).await.unwrap();
        let url = proxy.url();
        drop(proxy);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(c.request::<Value>("echo", rpc_params![]).await.is_err(), "connections die with the proxy");
        assert!(TcpStream::connect(url.trim_start_matches("ws://")).await.is_err(), "the listener is closed");
    }

    #[test]
    fn parses_ws_urls() {
        assert_eq!(parse_ws_url("ws://127.0.0.1:9944").unwrap(), ("127.0.0.1:9944".into(), "/".into()));
        assert_eq!(parse_ws_url("ws://h:1/a/b").unwrap(), ("h:1".into(), "/a/b".into()));
        assert_eq!(parse_ws_url("ws://h").unwrap(), ("h:80".into(), "/".into()));
        assert!(parse_ws_url("wss://h:1").is_err());
        assert!(parse_ws_url("ws://").is_err());
    }
}
