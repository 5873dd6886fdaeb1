//! From an HTTP answer (or its absence) to a value or one specific error
//! (compute-api.md §1.2).
//!
//! The rules: HTTP 200 does not mean success, `errcode` does; a node's
//! refusal arrives as HTTP 200 with `errcode != 0`; the client's own
//! complaints are 400/404; HTTP 500 `"<op> timeout"` means the node did not
//! answer within the client's 30 s, so the operation's outcome is unknown.
//! Bodies are never copied into errors or logs (a success body can hold a
//! password); only the node's `message` text of an error reply is, cleaned
//! and capped ([`remote_text`]): in full (at most a few KiB) in
//! `data.nodeMessage`, and as a short excerpt in the English `message`, so
//! a huge message is never stored twice. A redirect is an error, never
//! followed: it would carry the signed envelope to another host.

use super::types::remote_text;
use crate::error::{Error, ErrorCode};
use serde_json::{json, Map, Value};

/// How much of a node's message the English `message` quotes.
const EXCERPT_BYTES: usize = 200;

/// A short, clean quote of a remote text for an error's `message`.
pub(crate) fn excerpt(text: &str) -> String {
    crate::text::sanitize(text, EXCERPT_BYTES)
}

/// What a request was about, for the error's `data`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ctx {
    pub url: String,
    pub route: String,
    pub machine_id: Option<String>,
    pub rent_id: Option<u64>,
    pub task_id: Option<String>,
}

impl Ctx {
    fn data(&self, extra: Value) -> Value {
        let mut m = Map::new();
        m.insert("url".into(), json!(self.url));
        m.insert("route".into(), json!(self.route));
        if let Some(id) = &self.machine_id {
            m.insert("machineId".into(), json!(id));
        }
        if let Some(id) = self.rent_id {
            m.insert("rentId".into(), json!(id.to_string()));
        }
        if let Some(id) = &self.task_id {
            m.insert("taskId".into(), json!(id));
        }
        if let Value::Object(e) = extra {
            m.extend(e);
        }
        Value::Object(m)
    }

    fn err(&self, code: ErrorCode, message: String, extra: Value) -> Error {
        Error::new(code, message).with_data(self.data(extra))
    }
}

/// The node's `message` of an error reply, when the error carries one.
pub fn node_message(e: &Error) -> Option<&str> {
    e.data.as_ref()?.get("nodeMessage")?.as_str()
}

/// `{errcode, message}` when `v` is an envelope (errcode as number or digits).
fn envelope(v: &Value) -> Option<(i64, Value)> {
    let o = v.as_object()?;
    let code = match o.get("errcode")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some((code, o.get("message").cloned().unwrap_or(Value::Null)))
}

fn message_text(m: &Value) -> String {
    match m {
        Value::String(s) => remote_text(s),
        Value::Null => String::new(),
        other => remote_text(&other.to_string()),
    }
}

/// Turn one HTTP answer into the envelope's `message` or an error.
pub(crate) fn interpret(ctx: &Ctx, status: u16, body: &[u8]) -> Result<Value, Error> {
    let parsed: Result<Value, _> = serde_json::from_slice(body);
    let env = parsed.as_ref().ok().and_then(envelope);
    match (status, env) {
        (200, Some((0, message))) => Ok(message),
        (200, Some((code, message))) => Err(node_refusal(ctx, code, &message_text(&message))),
        (_, Some((code, message))) => Err(client_error(ctx, status, code, &message_text(&message))),
        (200, None) => {
            let reason = match &parsed {
                Err(e) => format!("not JSON ({e})"),
                Ok(_) => "JSON without errcode".to_string(),
            };
            Err(ctx.err(
                ErrorCode::ComputeBadReply,
                format!("the DBC client at {} sent an answer that cannot be read: {reason}", ctx.url),
                json!({ "status": status, "reason": reason }),
            ))
        }
        (_, None) => Err(ctx.err(
            ErrorCode::ComputeHttp,
            format!("the DBC client at {} answered HTTP {status} on {}", ctx.url, ctx.route),
            json!({ "status": status, "nodeMessage": "" }),
        )),
    }
}

/// HTTP 200 with `errcode != 0`: the node (or the client for the node) said no.
fn node_refusal(ctx: &Ctx, errcode: i64, msg: &str) -> Error {
    let extra = json!({ "errcode": errcode, "nodeMessage": msg });
    if let Some(reason) = msg.strip_prefix("check authority failed") {
        let reason = reason.trim_start_matches(':').trim();
        let mut extra = extra;
        extra["reason"] = json!(reason);
        return ctx.err(
            ErrorCode::ComputeNotAuthorized,
            format!("the machine refused the signed request: {} (is this wallet the renter of the order, and is the order active?)", excerpt(msg)),
            extra,
        );
    }
    if msg == "task_id not exist" || msg == "task not exist" {
        let id = ctx.task_id.as_deref().unwrap_or("?");
        return ctx.err(
            ErrorCode::VmNotFound,
            format!("there is no virtual machine {id} for this wallet on the machine ({})", excerpt(msg)),
            extra,
        );
    }
    if msg.starts_with("create task failed, please try again") {
        return ctx.err(
            ErrorCode::ComputeBusy,
            format!("the machine is still stopping its owner's virtual machines: {}", excerpt(msg)),
            extra,
        );
    }
    ctx.err(ErrorCode::ComputeRefused, format!("the machine refused the request: {}", excerpt(msg)), extra)
}

/// HTTP 400/404/500 with an envelope: the client's own errors.
fn client_error(ctx: &Ctx, status: u16, errcode: i64, msg: &str) -> Error {
    let extra = json!({ "status": status, "errcode": errcode, "nodeMessage": msg });
    if status == 500 && errcode == -1 && msg.ends_with("timeout") {
        return ctx.err(
            ErrorCode::ComputeTimeout,
            format!("the machine did not answer the DBC client within its 30 s ({}); the operation may still be carried out", excerpt(msg)),
            json!({ "status": status, "errcode": errcode, "nodeMessage": msg, "source": "node" }),
        );
    }
    if status == 500 && errcode == -1 && (msg.contains("parse error") || msg.contains("decrypt")) {
        return ctx.err(
            ErrorCode::ComputeBadReply,
            format!("the machine's answer could not be read by the DBC client ({})", excerpt(msg)),
            json!({ "status": status, "errcode": errcode, "nodeMessage": msg, "reason": excerpt(msg) }),
        );
    }
    if msg == "create node request failed" {
        let id = ctx.machine_id.as_deref().unwrap_or("?");
        return ctx.err(
            ErrorCode::ComputeNodeUnknown,
            format!("the DBC client at {} does not see machine {id} (offline, or not announced yet)", ctx.url),
            extra,
        );
    }
    ctx.err(
        ErrorCode::ComputeHttp,
        format!("the DBC client at {} answered HTTP {status}: {}", ctx.url, excerpt(msg)),
        extra,
    )
}

/// A 3xx answer: reported, never followed (the signed body would go to
/// wherever `Location` points). `compute-redirect {url, route, status, location}`.
pub(crate) fn redirect(ctx: &Ctx, status: u16, location: Option<&str>) -> Error {
    let location = location.map(excerpt).unwrap_or_default();
    ctx.err(
        ErrorCode::ComputeRedirect,
        format!(
            "the DBC client at {} answered HTTP {status} redirecting to {location:?} on {}; redirects are not followed",
            ctx.url, ctx.route
        ),
        json!({ "status": status, "location": location }),
    )
}

/// The request did not complete. `stage` is `connect` (nothing was sent)
/// or `exchange` (it may have arrived).
pub(crate) fn transport_error(ctx: &Ctx, err: &reqwest::Error) -> Error {
    transport_error_at(ctx, err, None)
}

/// The answer started arriving (status and headers) but its body did not
/// finish: `stage: "reading"`. A client that trickles its answer is not the
/// node's 30 s timeout: see [`is_stalled`].
pub(crate) fn reading_error(ctx: &Ctx, err: Option<&reqwest::Error>) -> Error {
    match err {
        Some(e) => transport_error_at(ctx, e, Some("reading")),
        None => ctx.err(
            ErrorCode::ComputeTimeout,
            format!("the DBC client at {} started answering on {} but did not finish in time", ctx.url, ctx.route),
            // A stable id (the UI words this case on its own).
            json!({ "reason": "answer-stalled", "source": "client", "stage": "reading" }),
        ),
    }
}

fn transport_error_at(ctx: &Ctx, err: &reqwest::Error, stage: Option<&str>) -> Error {
    // The innermost cause reads best ("Connection refused (os error 111)").
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    if err.is_timeout() && stage == Some("reading") {
        return reading_error(ctx, None);
    }
    if err.is_connect() {
        return ctx.err(
            ErrorCode::ComputeUnreachable,
            format!("the DBC client at {} cannot be reached: {reason}", ctx.url),
            json!({ "reason": reason, "stage": "connect" }),
        );
    }
    if err.is_timeout() {
        return ctx.err(
            ErrorCode::ComputeTimeout,
            format!("the DBC client at {} did not answer in time; the operation may still be carried out", ctx.url),
            json!({ "reason": reason, "source": "client" }),
        );
    }
    ctx.err(
        ErrorCode::ComputeUnreachable,
        format!("the connection to the DBC client at {} failed: {reason}", ctx.url),
        json!({ "reason": reason, "stage": stage.unwrap_or("exchange") }),
    )
}

/// The answer began and then stalled (a trickle): the client is broken or
/// hostile. Not retried as if the node had timed out, and not polled again.
pub(crate) fn is_stalled(e: &Error) -> bool {
    e.code == ErrorCode::ComputeTimeout
        && e.data.as_ref().and_then(|d| d.get("stage")).and_then(Value::as_str) == Some("reading")
}

/// Whether a failed request may have reached the node (its outcome unknown).
pub(crate) fn maybe_delivered(e: &Error) -> bool {
    match e.code {
        ErrorCode::ComputeTimeout => true,
        ErrorCode::ComputeUnreachable => e
            .data
            .as_ref()
            .and_then(|d| d.get("stage"))
            .and_then(Value::as_str)
            .is_some_and(|s| s == "exchange" || s == "reading"),
        _ => false,
    }
}

/// Errors worth another try a little later while polling: the client or
/// the node was slow or briefly gone.
pub(crate) fn is_transient(e: &Error) -> bool {
    match e.code {
        ErrorCode::ComputeTimeout => !is_stalled(e),
        ErrorCode::ComputeUnreachable | ErrorCode::ComputeNodeUnknown => true,
        ErrorCode::ComputeHttp => {
            e.data.as_ref().and_then(|d| d.get("status")).and_then(Value::as_u64).is_some_and(|s| s >= 500)
        }
        _ => false,
    }
}

/// `compute-bad-reply`: the client's answer on `ctx` lacks what the route
/// promises (`reason`).
pub(crate) fn bad_shape(ctx: &Ctx, reason: &str) -> Error {
    Error::new(
        ErrorCode::ComputeBadReply,
        format!("the DBC client at {} sent an unexpected answer on {}: {reason}", ctx.url, ctx.route),
    )
    .with_data(json!({ "url": ctx.url, "route": ctx.route, "reason": reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            url: "http://127.0.0.1:5002".into(),
            route: "/api/v1/tasks/start".into(),
            machine_id: Some("ab".repeat(32)),
            rent_id: Some(42),
            task_id: Some("DbcWin7Kj9k7Bteh2E88cA".into()),
        }
    }

    fn err(status: u16, body: &str) -> Error {
        interpret(&ctx(), status, body.as_bytes()).unwrap_err()
    }

    #[test]
    fn success_is_errcode_zero_whatever_the_message() {
        let v = interpret(&ctx(), 200, b"{\"errcode\":0,\"message\":{\"task_id\":\"x\"}}\r\n").unwrap();
        assert_eq!(v["task_id"], "x");
        assert_eq!(interpret(&ctx(), 200, br#"{"errcode":"0","message":"ok"}"#).unwrap(), "ok");
        assert_eq!(interpret(&ctx(), 200, br#"{"errcode":0,"message":[]}"#).unwrap(), json!([]));
    }

    /// compute-api.md §8.4's failure table, row by row.
    #[test]
    fn node_refusals_map_to_specific_codes_with_the_node_message() {
        let e = err(200, r#"{"errcode":1,"message":"port conflict, exist rdp_port = 23456"}"#);
        assert_eq!(e.code, ErrorCode::ComputeRefused);
        assert_eq!(node_message(&e), Some("port conflict, exist rdp_port = 23456"));
        let d = e.data.as_ref().unwrap();
        assert_eq!((d["errcode"].as_i64(), d["rentId"].as_str()), (Some(1), Some("42")));

        let e = err(200, r#"{"errcode":1,"message":"gpu_count exceeds number of leases"}"#);
        assert_eq!((e.code, node_message(&e)), (ErrorCode::ComputeRefused, Some("gpu_count exceeds number of leases")));

        let e = err(200, r#"{"errcode":-3,"message":"check authority failed: wallet not rented"}"#);
        assert_eq!(e.code, ErrorCode::ComputeNotAuthorized);
        assert_eq!(e.data.as_ref().unwrap()["reason"], "wallet not rented");

        let e = err(200, r#"{"errcode":-3,"message":"create task failed, please try again in a minute"}"#);
        assert_eq!(e.code, ErrorCode::ComputeBusy);

        let e = err(200, r#"{"errcode":-3,"message":"task_id not exist"}"#);
        assert_eq!(e.code, ErrorCode::VmNotFound);
        assert_eq!(e.data.as_ref().unwrap()["taskId"], "DbcWin7Kj9k7Bteh2E88cA");
        assert_eq!(err(200, r#"{"errcode":1,"message":"task not exist"}"#).code, ErrorCode::VmNotFound);
    }

    #[test]
    fn client_errors_timeouts_and_unknown_nodes() {
        let e = err(400, "{\n    \"errcode\": -25,\n    \"message\": \"has no additional\"\n}\r\n");
        assert_eq!((e.code, node_message(&e)), (ErrorCode::ComputeHttp, Some("has no additional")));
        assert_eq!(e.data.as_ref().unwrap()["status"], 400);

        let e = err(400, r#"{"errcode":-32701,"message":"create node request failed"}"#);
        assert_eq!(e.code, ErrorCode::ComputeNodeUnknown);
        assert!(is_transient(&e));

        let e = err(404, r#"{"errcode":-32601,"message":"not support uri:/api/v2/x"}"#);
        assert_eq!(e.code, ErrorCode::ComputeHttp);
        assert!(!is_transient(&e));

        let e = err(500, r#"{"errcode":-1,"message":"create task timeout"}"#);
        assert_eq!(e.code, ErrorCode::ComputeTimeout);
        assert_eq!(e.data.as_ref().unwrap()["source"], "node");
        assert!(maybe_delivered(&e) && is_transient(&e));

        let e = err(500, r#"{"errcode":-1,"message":"response parse error"}"#);
        assert_eq!(e.code, ErrorCode::ComputeBadReply);

        let e = err(500, r#"{"errcode":-32701,"message":"Unhandled request"}"#);
        assert_eq!(e.code, ErrorCode::ComputeHttp);
        assert!(is_transient(&e), "a 5xx may pass");

        let e = err(502, "<html>Bad Gateway</html>");
        assert_eq!((e.code, e.data.as_ref().unwrap()["status"].as_u64()), (ErrorCode::ComputeHttp, Some(502)));
    }

    /// A 4 MiB refusal is kept once, capped, and quoted briefly.
    #[test]
    fn huge_node_messages_are_capped_and_not_stored_twice() {
        let msg = format!("port conflict{}\u{1b}[2J\r\nexist", "x".repeat(4_000_000));
        let body = serde_json::to_vec(&json!({"errcode": 1, "message": msg})).unwrap();
        let e = interpret(&ctx(), 200, &body).unwrap_err();
        assert_eq!(e.code, ErrorCode::ComputeRefused);
        let kept = node_message(&e).unwrap();
        assert!(kept.len() <= crate::compute::types::MAX_REMOTE_TEXT && kept.starts_with("port conflict"));
        assert!(e.message.len() < 400, "the message quotes an excerpt: {}", e.message.len());
        assert!(serde_json::to_string(&e).unwrap().len() < 6 * 1024);
        for status in [400, 500] {
            let e = interpret(&ctx(), status, &body).unwrap_err();
            assert!(serde_json::to_string(&e).unwrap().len() < 6 * 1024, "{status}");
        }
        // Control characters never survive, in either place.
        let e = err(200, "{\"errcode\":1,\"message\":\"a\\u001b[31mb\\nc\\u202ed\"}");
        assert_eq!(node_message(&e), Some("a[31mb cd"));
        assert!(!e.message.contains('\u{1b}') && !e.message.contains('\n'));
        // A non-string message is quoted as JSON, capped too.
        let e = err(200, &format!("{{\"errcode\":1,\"message\":{{\"a\":\"{}\"}}}}", "y".repeat(100_000)));
        assert!(node_message(&e).unwrap().len() <= crate::compute::types::MAX_REMOTE_TEXT);
    }

    #[test]
    fn deep_nesting_and_html_are_bad_replies_or_http_errors() {
        let deep = "[".repeat(100_000);
        assert_eq!(err(200, &deep).code, ErrorCode::ComputeBadReply);
        let e = err(500, "<html><body>Internal Server Error</body></html>");
        assert_eq!(e.code, ErrorCode::ComputeHttp);
        assert_eq!(e.data.as_ref().unwrap()["status"], 500);
    }

    #[test]
    fn redirects_and_stalls_are_their_own_errors() {
        let e = redirect(&ctx(), 307, Some("http://evil.example:9/\r\nSet-Cookie: x"));
        assert_eq!(e.code, ErrorCode::ComputeRedirect);
        let d = e.data.as_ref().unwrap();
        assert_eq!(
            (d["status"].as_u64(), d["location"].as_str()),
            (Some(307), Some("http://evil.example:9/  Set-Cookie: x"))
        );
        assert!(!maybe_delivered(&e) && !is_transient(&e));
        let stalled = reading_error(&ctx(), None);
        assert_eq!(stalled.code, ErrorCode::ComputeTimeout);
        assert_eq!(stalled.data.as_ref().unwrap()["stage"], "reading");
        assert!(is_stalled(&stalled) && !is_transient(&stalled), "not polled again");
        let node_timeout = err(500, r#"{"errcode":-1,"message":"create task timeout"}"#);
        assert!(!is_stalled(&node_timeout) && is_transient(&node_timeout));
    }

    #[test]
    fn unreadable_success_answers_are_bad_replies_without_the_body() {
        let body = r#"{"errcode":0,"message":{"login_password":"a"b"}}"#;
        let e = err(200, body);
        assert_eq!(e.code, ErrorCode::ComputeBadReply);
        let all = serde_json::to_string(&e).unwrap();
        assert!(!all.contains("a\\\"b") && !all.contains("login_password"), "the body is not copied: {all}");
        assert_eq!(err(200, r#"{"message":"x"}"#).code, ErrorCode::ComputeBadReply);
        assert_eq!(err(200, "").code, ErrorCode::ComputeBadReply);
    }
}
