//! A tiny fake Substrate node for tests: WebSocket JSON-RPC with just the
//! legacy methods the connection manager uses (genesis, runtime version,
//! headers, new-heads subscription). Lets us test failover, genesis refusal,
//! head following, upgrade detection and reconnects without a chain.

use futures::{AsyncRead, AsyncWrite};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use subxt::config::substrate::H256;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinSet;
use tokio_util::compat::TokioAsyncReadCompatExt;

struct State {
    genesis: H256,
    spec: u32,
    tx: u32,
    best: u64,
}

pub struct FakeNode {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    heads: broadcast::Sender<Value>,
    tasks: Arc<Mutex<JoinSet<()>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl FakeNode {
    /// Listen on 127.0.0.1:`port` (0 = any free port).
    pub async fn start(port: u16, genesis: H256, spec: u32) -> FakeNode {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind fake node");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State { genesis, spec, tx: 1, best: 0 }));
        let (heads, _) = broadcast::channel(64);
        let tasks = Arc::new(Mutex::new(JoinSet::new()));
        let accept = {
            let (state, heads, tasks) = (state.clone(), heads.clone(), tasks.clone());
            tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    let (state, heads) = (state.clone(), heads.clone());
                    tasks.lock().unwrap().spawn(serve(sock.compat(), state, heads));
                }
            })
        };
        FakeNode { addr, state, heads, tasks, accept }
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub fn set_spec(&self, spec: u32, tx: u32) {
        let mut s = self.state.lock().unwrap();
        s.spec = spec;
        s.tx = tx;
    }

    /// Announce a new best block; `upgraded` adds a RuntimeEnvironmentUpdated digest.
    pub fn new_head(&self, upgraded: bool) -> u64 {
        let n = {
            let mut s = self.state.lock().unwrap();
            s.best += 1;
            s.best
        };
        let _ = self.heads.send(header(n, upgraded));
        n
    }

    /// Close every connection and stop listening (a node that went away).
    pub fn stop(&self) {
        self.accept.abort();
        self.tasks.lock().unwrap().abort_all();
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        self.stop();
    }
}

fn hash_of(n: u64) -> String {
    format!("0x{:064x}", n + 1)
}

fn header(n: u64, upgraded: bool) -> Value {
    let logs: Vec<&str> = if upgraded { vec!["0x08"] } else { vec![] };
    json!({
        "parentHash": hash_of(n.saturating_sub(1)),
        "number": format!("0x{n:x}"),
        "stateRoot": hash_of(0),
        "extrinsicsRoot": hash_of(0),
        "digest": { "logs": logs },
    })
}

async fn serve<T>(sock: T, state: Arc<Mutex<State>>, heads: broadcast::Sender<Value>)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut server = soketto::handshake::Server::new(sock);
    let key = match server.receive_request().await {
        Ok(req) => req.key(),
        Err(_) => return,
    };
    let accept = soketto::handshake::server::Response::Accept { key, protocol: None };
    if server.send_response(&accept).await.is_err() {
        return;
    }
    let (sender, mut receiver) = server.into_builder().finish();
    let sender = Arc::new(tokio::sync::Mutex::new(sender));
    let mut subs = JoinSet::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if receiver.receive_data(&mut buf).await.is_err() {
            return;
        }
        let Ok(req) = serde_json::from_slice::<Value>(&buf) else { continue };
        let id = req["id"].clone();
        let params = req["params"].as_array().cloned().unwrap_or_default();
        let result: Result<Value, Value> = {
            let s = state.lock().unwrap();
            match req["method"].as_str().unwrap_or("") {
                "chain_getBlockHash" => match params.first() {
                    Some(v) if v.as_u64() == Some(0) => Ok(json!(format!("0x{}", hex::encode(s.genesis.0)))),
                    _ => Ok(json!(hash_of(s.best))),
                },
                "chain_getHeader" => Ok(header(s.best, false)),
                "state_getRuntimeVersion" => Ok(json!({
                    "specName": "DeepBrainChain", "implName": "DeepBrainChain", "authoringVersion": 1,
                    "specVersion": s.spec, "implVersion": 0, "apis": [], "transactionVersion": s.tx, "stateVersion": 1
                })),
                "chain_subscribeNewHeads" => Ok(json!("sub-heads")),
                "chain_unsubscribeNewHeads" => Ok(json!(true)),
                other => Err(json!({"code": -32601, "message": format!("Method not found: {other}")})),
            }
        };
        let reply = match result {
            Ok(r) => json!({"jsonrpc": "2.0", "id": id, "result": r}),
            Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": e}),
        };
        {
            let mut tx = sender.lock().await;
            if tx.send_text(reply.to_string()).await.is_err() || tx.flush().await.is_err() {
                return;
            }
        }
        if req["method"] == "chain_subscribeNewHeads" {
            let (sender, mut rx) = (sender.clone(), heads.subscribe());
            subs.spawn(async move {
                while let Ok(h) = rx.recv().await {
                    let note = json!({"jsonrpc": "2.0", "method": "chain_newHead", "params": {"subscription": "sub-heads", "result": h}});
                    let mut tx = sender.lock().await;
                    if tx.send_text(note.to_string()).await.is_err() || tx.flush().await.is_err() {
                        return;
                    }
                }
            });
        }
    }
}
