//! The client half: routing by URI prefix, the POST envelope, client-side
//! errors (HTTP 400/404/500 with the real codes, pretty-printed like rapidjson's
//! PrettyWriter), forwarding to the node with the 30 s timeout, and the
//! response framing (`Content-Type: application/json`, `Access-Control-Allow-Origin: *`,
//! trailing `\r\n`). Sources: compute-api.md §1.1–§1.3; `rest_api_service.cpp`,
//! `http_server.cpp` in DBC-AIComputingNet 0.4.1.8.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use super::listener::{Face, NodeView};
use super::node::{NodeReq, Op, Sim};

const REST_API_URI: &str = "/api/v1";
const RPC_INVALID_PARAMS: i64 = -25;
const RPC_INVALID_REQUEST: i64 = -32600;
const RPC_METHOD_NOT_FOUND: i64 = -32601;
const RPC_RESPONSE_ERROR: i64 = -32701;

/// The routes of one DBC client over `sim`'s nodes, seen through `face`.
pub(crate) fn router(sim: Arc<Sim>, face: Face) -> Router {
    Router::new().fallback(handle).with_state((sim, face))
}

fn respond(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        format!("{body}\r\n"),
    )
        .into_response()
}

/// `reply_comm_rest_err`: `{"errcode","message"}` pretty-printed with 4 spaces.
fn rest_err(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    let v = json!({"errcode": code, "message": message.into()});
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&v, &mut ser).expect("json");
    respond(status, String::from_utf8(buf).expect("utf8"))
}

fn bad(code: i64, message: impl Into<String>) -> Response {
    rest_err(StatusCode::BAD_REQUEST, code, message)
}

/// A stub or unsimulated route: the request object is destroyed unanswered (`http:24-34`).
fn unhandled() -> Response {
    rest_err(StatusCode::INTERNAL_SERVER_ERROR, RPC_RESPONSE_ERROR, "Unhandled request")
}

/// `util::split_path`: drop the query, split on '/', skip empty parts.
fn split_path(p: &str) -> Vec<String> {
    let p = p.split('?').next().unwrap_or("");
    p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn query_kvs(uri: &str) -> Vec<(String, String)> {
    let Some((_, q)) = uri.split_once('?') else {
        return Vec::new();
    };
    q.split('&')
        .filter_map(|kv| {
            let parts: Vec<&str> = kv.split('=').collect();
            (parts.len() == 2).then(|| (parts[0].to_string(), parts[1].to_string()))
        })
        .collect()
}

#[derive(Default)]
struct Body {
    peer: Vec<String>,
    additional: Map<String, Value>,
    wallet: String,
    nonce: String,
    sign: String,
    session_id: String,
    session_id_sign: String,
    rent_order: String,
    multisig: bool,
}

/// Body checks shared by every POST route: empty, JSON, object, then `parse_req_params`.
#[allow(clippy::result_large_err)] // the error is the finished HTTP response
fn parse_body(raw: &[u8], params_prefix: &str) -> Result<Body, Response> {
    if raw.is_empty() {
        return Err(bad(RPC_INVALID_PARAMS, "http request body is empty"));
    }
    let doc: Value = serde_json::from_slice(raw)
        .map_err(|e| bad(RPC_INVALID_PARAMS, format!("json parse error: {}({})", e, e.column().saturating_sub(1))))?;
    let Some(doc) = doc.as_object() else {
        return Err(bad(RPC_INVALID_PARAMS, "invalid json"));
    };
    let err = |m: &str| bad(RPC_INVALID_PARAMS, format!("{params_prefix}{m}"));
    let mut b = Body::default();
    match doc.get("peer_nodes_list") {
        None => return Err(err("has no peer_nodes_list")),
        Some(Value::Array(a)) => {
            if let Some(first) = a.first() {
                // rapidjson's GetString on a non-string asserts; answer like a bad list.
                let Some(id) = first.as_str() else {
                    return Err(err("peer_nodes_list is not array"));
                };
                b.peer.push(id.to_string());
            }
        }
        Some(_) => return Err(err("peer_nodes_list is not array")),
    }
    match doc.get("additional") {
        None => return Err(err("has no additional")),
        Some(Value::Object(o)) => b.additional = o.clone(),
        Some(_) => return Err(err("additional is not object")),
    }
    for (key, slot) in [
        ("wallet", &mut b.wallet),
        ("nonce", &mut b.nonce),
        ("sign", &mut b.sign),
        ("session_id", &mut b.session_id),
        ("session_id_sign", &mut b.session_id_sign),
        ("rent_order", &mut b.rent_order),
    ] {
        match doc.get(key) {
            None => {}
            Some(Value::String(v)) => *slot = v.clone(),
            Some(_) => return Err(err(&format!("{key} is not string"))),
        }
    }
    if let Some(m) = doc.get("multisig_accounts") {
        let Some(m) = m.as_object() else {
            return Err(err("multisig_accounts is not object"));
        };
        match m.get("wallets") {
            None => return Err(err("multisig_accounts has no member wallets")),
            Some(Value::Array(_)) => {}
            Some(_) => return Err(err("multisig_accounts member wallets is not array")),
        }
        match m.get("threshold") {
            None => return Err(err("multisig_accounts has no member threshold")),
            Some(Value::String(_)) => {}
            Some(_) => return Err(err("multisig_accounts member threshold is not string")),
        }
        match m.get("signs") {
            None => return Err(err("multisig_accounts has no member signs")),
            Some(Value::Array(_)) => {}
            Some(_) => return Err(err("multisig_accounts member signs is not array")),
        }
        b.multisig = true;
    }
    Ok(b)
}

impl Body {
    fn has_peer(&self) -> bool {
        self.peer.first().is_some_and(|p| !p.is_empty())
    }
    /// One credential set present (the client checks presence only).
    fn has_credentials(&self) -> bool {
        (!self.session_id.is_empty() && !self.session_id_sign.is_empty())
            || (!self.wallet.is_empty() && !self.nonce.is_empty() && !self.sign.is_empty())
            || self.multisig
    }
    fn into_req(self) -> NodeReq {
        NodeReq {
            machine_id: self.peer.first().cloned().unwrap_or_default(),
            additional: self.additional,
            wallet: self.wallet,
            nonce: self.nonce,
            sign: self.sign,
            session_id: self.session_id,
            session_id_sign: self.session_id_sign,
            rent_order: self.rent_order,
            ..Default::default()
        }
    }
}

async fn handle(State((sim, face)): State<(Arc<Sim>, Face)>, method: Method, uri: Uri, body: Bytes) -> Response {
    let delay = face.delay_ms.load(std::sync::atomic::Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let view = face.view;
    let full = uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| uri.path().to_string());
    if full == format!("{REST_API_URI}/") {
        let v = json!({"errcode": 0, "message": {"client_version": sim.cfg.client_version}});
        return respond(StatusCode::OK, serde_json::to_string_pretty(&v).expect("json"));
    }
    const PREFIXES: &[&str] = &[
        "/tasks",
        "/images",
        "/snapshot",
        "/disk",
        "/mining_nodes",
        "/peers",
        "/stat",
        "/config",
        "/monitor",
        "/lan",
        "/bare_metal",
        "/deeplink",
        "/rent_orders",
    ];
    let Some((prefix, sub)) = PREFIXES.iter().find_map(|p| {
        let whole = format!("{REST_API_URI}{p}");
        full.strip_prefix(&whole).map(|rest| (*p, rest.to_string()))
    }) else {
        return rest_err(StatusCode::NOT_FOUND, RPC_METHOD_NOT_FOUND, format!("not support uri:{full}"));
    };
    let post = method == Method::POST;
    match prefix {
        "/tasks" => tasks(sim, view, post, &sub, &body).await,
        "/images" => images(sim, view, post, &sub, &body).await,
        "/mining_nodes" => mining_nodes(sim, view, post, &sub, &body).await,
        _ => unhandled(),
    }
}

fn only_post() -> Response {
    bad(RPC_INVALID_REQUEST, "only support POST request")
}

async fn tasks(sim: Arc<Sim>, view: NodeView, post: bool, sub: &str, raw: &[u8]) -> Response {
    let parts = split_path(sub);
    let (op, task_id) = match parts.len() {
        0 => (Op::List, String::new()),
        1 if parts[0] == "start" => (Op::Create, String::new()),
        1 => (Op::Detail, parts[0].clone()),
        2 => {
            let op = match parts[0].as_str() {
                "start" => Op::Start,
                "restart" => Op::Restart,
                // shutdown and poweroff are hard power-offs like stop (tm:3071, tm:3125).
                "stop" | "shutdown" | "poweroff" => Op::Stop,
                "delete" => Op::Delete,
                "logs" => Op::Logs,
                // reset, modify, passwd are not simulated; unknown names are never answered.
                _ => return unhandled(),
            };
            (op, parts[1].clone())
        }
        _ => return bad(RPC_INVALID_REQUEST, "invalid requests uri"),
    };
    if !post {
        return only_post();
    }
    let mut req_extra = NodeReq::default();
    match op {
        Op::Restart => {
            let fr = query_kvs(sub).into_iter().find(|(k, _)| k == "force_reboot").map(|(_, v)| v).unwrap_or_default();
            req_extra.force_reboot = fr == "true" || (!fr.is_empty() && fr.parse::<i64>().unwrap_or(0) != 0);
        }
        Op::Logs => {
            let q = query_kvs(sub);
            let get = |k: &str| q.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let (flag, mut lines) = (get("flag"), get("line_num"));
            let flag = if flag.is_empty() {
                lines = "100".into();
                "tail".to_string()
            } else if flag == "head" || flag == "tail" {
                if lines.is_empty() {
                    lines = "100".into();
                }
                flag
            } else {
                return bad(RPC_INVALID_PARAMS, "head_or_tail is invalid\"");
            };
            let mut n: i64 = lines.trim().parse().unwrap_or(0);
            if n > 100 {
                n = 99;
            } else if n <= 0 {
                return bad(RPC_INVALID_PARAMS, "invalid line num");
            }
            req_extra.log_tail = flag == "tail";
            req_extra.log_lines = n as usize;
        }
        _ => {}
    }
    let body = match parse_body(raw, "") {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !body.has_peer() {
        return bad(RPC_INVALID_PARAMS, "peer_nodeid is empty");
    }
    if !body.has_credentials() {
        let msg = if op == Op::Create {
            "session_id and wallet all invalid"
        } else {
            "wallet_sign and multisig_wallets all invalid"
        };
        return bad(RPC_INVALID_PARAMS, msg);
    }
    let mut req = body.into_req();
    req.task_id = task_id;
    req.force_reboot = req_extra.force_reboot;
    req.log_tail = req_extra.log_tail;
    req.log_lines = req_extra.log_lines;
    forward(sim, view, op, req).await
}

async fn images(sim: Arc<Sim>, view: NodeView, post: bool, sub: &str, raw: &[u8]) -> Response {
    if !split_path(sub).is_empty() {
        // servers, download, upload, ...: not simulated.
        return unhandled();
    }
    if !post {
        return only_post();
    }
    let body = match parse_body(raw, "parse request params failed: ") {
        Ok(b) => b,
        Err(r) => return r,
    };
    let image_server = body.additional.get("image_server").and_then(Value::as_str).unwrap_or("").to_string();
    // The simulated client knows no image server.
    if !body.has_peer() || !image_server.is_empty() {
        return bad(RPC_INVALID_PARAMS, "image_server not exist");
    }
    forward(sim, view, Op::Images, body.into_req()).await
}

async fn mining_nodes(sim: Arc<Sim>, view: NodeView, post: bool, sub: &str, raw: &[u8]) -> Response {
    let parts = split_path(sub);
    if !parts.is_empty() {
        if parts.len() == 1 && (parts[0] == "session_id" || parts[0] == "free_memory") {
            return unhandled();
        }
        return bad(RPC_INVALID_REQUEST, "invalid requests uri");
    }
    if !post {
        return only_post();
    }
    let body = match parse_body(raw, "parse req params failed: ") {
        Ok(b) => b,
        Err(r) => return r,
    };
    if body.peer.is_empty() {
        let list: Vec<Value> = sim
            .node_list()
            .into_iter()
            .filter(|(id, _)| view.sees(id))
            .map(|(id, name)| json!({"node_id": id, "name": name, "version": sim.cfg.client_version}))
            .collect();
        let v = json!({"errcode": 0, "message": {"mining_nodes": list}});
        return respond(StatusCode::OK, v.to_string());
    }
    forward(sim, view, Op::NodeInfo, body.into_req()).await
}

/// Hand the request to the node and wait at most `client_timeout` for its answer.
/// The node finishes the operation even when the client has given up. A
/// node this client does not see is answered like one it never heard of.
async fn forward(sim: Arc<Sim>, view: NodeView, op: Op, req: NodeReq) -> Response {
    sim.record_signature(&req.sign);
    sim.record_signature(&req.session_id_sign);
    if !view.sees(&req.machine_id) || !sim.knows_node(&req.machine_id).await {
        return bad(RPC_RESPONSE_ERROR, "create node request failed");
    }
    let delay = sim.node_delay(&req.machine_id);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let node = sim.clone();
    tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let answer = node.handle(op, req).await;
        let _ = tx.send(answer);
    });
    match tokio::time::timeout(sim.cfg.client_timeout, rx).await {
        Ok(Ok(answer)) => {
            if unescaped_json_breaks(&answer) {
                // The node writes desc/passwords/log lines without escaping: a quote or
                // backslash makes its JSON invalid and the client gives up (§1.2).
                return rest_err(StatusCode::INTERNAL_SERVER_ERROR, -1, "response parse error");
            }
            respond(StatusCode::OK, answer.to_string())
        }
        Ok(Err(_)) => unhandled(),
        Err(_) => rest_err(StatusCode::INTERNAL_SERVER_ERROR, -1, op.timeout_message()),
    }
}

/// True when a string the node leaves unescaped contains `"` or `\`.
fn unescaped_json_breaks(v: &Value) -> bool {
    fn bad(s: &str) -> bool {
        s.contains('"') || s.contains('\\')
    }
    match v.get("message") {
        Some(Value::Object(m)) => {
            ["desc", "login_password"].iter().any(|k| m.get(*k).and_then(Value::as_str).is_some_and(bad))
                || m.get("log_content")
                    .and_then(Value::as_array)
                    .is_some_and(|a| a.iter().filter_map(Value::as_str).any(bad))
        }
        Some(Value::Array(a)) => a.iter().any(|t| t.get("desc").and_then(Value::as_str).is_some_and(bad)),
        Some(Value::String(s)) => bad(s),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_path_like_the_client() {
        assert_eq!(split_path("/logs/abc?flag=tail&line_num=5"), vec!["logs", "abc"]);
        assert!(split_path("").is_empty());
        assert!(split_path("/").is_empty());
        assert_eq!(
            query_kvs("/x?flag=head&line_num=3&bad"),
            vec![("flag".into(), "head".into()), ("line_num".into(), "3".into())]
        );
    }
}
