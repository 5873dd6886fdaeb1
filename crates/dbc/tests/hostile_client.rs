//! A DBC client run by someone hostile (or broken): one tiny HTTP server per
//! case, on raw TCP so every byte, delay and lie is ours to choose. Each case
//! asserts the specific error code the app reports, that nothing panics, and
//! that what is kept (what would reach the journal, the log or the UI) is
//! bounded and clean.

use dbc::compute::{
    rdp_reachable, Auth, ComputeClient, CreateOptions, CreatedHow, PollOptions, RentedMachine, Timeouts, VmPlan,
};
use dbc::ErrorCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MACHINE: &str = "58fb618aa482c41114eb3cfdaefd3ba183172da9e25251449d045043fbd37f45";
const TASK: &str = "DbcRentHostile0000001";
/// What every kept remote string must fit in (compute::types::MAX_REMOTE_TEXT).
const CAP: usize = 4 * 1024;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    body: Value,
}

/// How the server answers one request.
enum Answer {
    /// A whole HTTP response, written at once.
    Raw(Vec<u8>),
    /// The head at once, then the body a byte at a time with `pause` between.
    Trickle { head: Vec<u8>, body: Vec<u8>, pause: Duration },
    /// Close without a word.
    Close,
}

fn http(status: u16, content_type: &str, body: &[u8]) -> Answer {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Answer::Raw(out)
}

fn json_answer(status: u16, v: &Value) -> Answer {
    http(status, "application/json", &serde_json::to_vec(v).unwrap())
}

fn ok(message: Value) -> Answer {
    json_answer(200, &json!({ "errcode": 0, "message": message }))
}

type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Server {
        let handler: Handler = Arc::new(handler);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (s2, c2) = (seen.clone(), connections.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { return };
                c2.fetch_add(1, Ordering::SeqCst);
                let (handler, seen) = (handler.clone(), s2.clone());
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut sock).await else { return };
                    seen.lock().unwrap().push(req.clone());
                    match handler(&req) {
                        Answer::Raw(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                        }
                        Answer::Trickle { head, body, pause } => {
                            if sock.write_all(&head).await.is_err() {
                                return;
                            }
                            for b in body {
                                if sock.write_all(&[b]).await.is_err() {
                                    return;
                                }
                                tokio::time::sleep(pause).await;
                            }
                        }
                        Answer::Close => {}
                    }
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server { port, seen, connections, task }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
    Some(Seen { path, body })
}

fn quick() -> Timeouts {
    Timeouts { request: Duration::from_secs(2), connect: Duration::from_secs(2) }
}

fn client(s: &Server) -> ComputeClient {
    ComputeClient::with_timeouts(&s.url(), quick()).unwrap()
}

fn machine(s: &Server) -> RentedMachine {
    client(s).rented(MACHINE, Auth::new(dbc::wallet::SigningKey::fee_estimator(), 42)).unwrap()
}

fn plan() -> VmPlan {
    VmPlan {
        task_id: TASK.into(),
        image_name: "windows_1909.qcow2".into(),
        desc: "DBC Rent order 42".into(),
        gpu_count: 1,
        cpu_cores: 8,
        mem_gb: 32,
        disk_gb: 100,
        rdp_port: 20001,
        vnc_port: 30001,
        os: dbc::compute::VmOs::Windows,
        ssh_port: None,
    }
}

fn fast_create() -> CreateOptions {
    CreateOptions {
        max_port_attempts: 3,
        busy_retries: 1,
        busy_backoff: Duration::from_millis(10),
        resolve_interval: Duration::from_millis(20),
        resolve_window: Duration::from_millis(300),
        max_resends: 2,
    }
}

fn fast_poll() -> PollOptions {
    PollOptions {
        interval: Duration::from_millis(20),
        give_up_after: Duration::from_millis(300),
        log_lines: 50,
        client_gone_after: None,
    }
}

fn detail(extra: Value) -> Value {
    let mut d = json!({
        "task_id": TASK, "os": "windows", "ssh_ip": "203.0.113.7", "rdp_port": "20001", "vnc_port": "30001",
        "user_name": "Administrator", "login_password": "aZ9_/+[]@#^xyzQ1", "vnc_password": "vncpass1",
        "status": "running", "desc": "DBC Rent order 42", "rent_order": "42",
    });
    for (k, v) in extra.as_object().unwrap() {
        d[k] = v.clone();
    }
    d
}

/// Serves one task detail for every route.
async fn detail_server(extra: Value) -> Server {
    let d = detail(extra);
    Server::start(move |_| ok(d.clone())).await
}

/// What an error carries, bounded: the journal keeps it as it is.
fn assert_small(e: &dbc::Error) {
    let all = serde_json::to_string(e).unwrap();
    assert!(all.len() < 12 * 1024, "{} bytes kept for {}", all.len(), e.code);
    assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
}

fn data<'a>(e: &'a dbc::Error, k: &str) -> &'a Value {
    &e.data.as_ref().unwrap_or_else(|| panic!("{e:?} has no data"))[k]
}

// ---- size, shape and speed -------------------------------------------------

#[tokio::test]
async fn a_5_mib_body_is_refused_unread() {
    let big = vec![b' '; 5 << 20];
    let s = Server::start(move |_| http(200, "application/json", &big)).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
    assert_eq!(data(&e, "reason"), "answer too large");
    assert_small(&e);
}

#[tokio::test]
async fn a_5_mib_task_detail_is_refused() {
    let d = detail(json!({ "desc": "x".repeat(5 << 20) }));
    let s = Server::start(move |_| ok(d.clone())).await;
    let e = machine(&s).task(TASK).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
    assert_small(&e);
}

fn trickle(body: &[u8]) -> Answer {
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
        .into_bytes();
    Answer::Trickle { head, body: body.to_vec(), pause: Duration::from_secs(1) }
}

/// 1 byte/s after the head: cut at the request deadline, reported as a
/// stalled answer.
#[tokio::test]
async fn a_trickling_answer_is_cut_and_named() {
    let s = Server::start(|_| trickle(br#"{"errcode":0,"message":{"client_version":"0.4.1.8"}}"#)).await;
    let started = Instant::now();
    let e = client(&s).version().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(e.code, ErrorCode::ComputeTimeout);
    assert_eq!(data(&e, "stage"), "reading");
    assert_eq!(data(&e, "source"), "client");
}

/// The create policy does not take a trickle for the node's 30 s timeout:
/// one request, no search, no resend; the caller hears within the deadline.
#[tokio::test]
async fn a_trickling_create_is_not_retried() {
    let s = Server::start(|_| {
        trickle(br#"{"errcode":0,"message":{"task_id":"DbcRentHostile0000001","status":"creating"}}"#)
    })
    .await;
    let started = Instant::now();
    let mut events = Vec::new();
    let e = machine(&s).create_task(&plan(), &fast_create(), |ev| events.push(ev)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(e.code, ErrorCode::ComputeTimeout);
    assert_eq!(data(&e, "stage"), "reading");
    assert_eq!(
        s.requests().iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/api/v1/tasks/start"],
        "sent once, not searched for or resent"
    );
    assert_eq!(events.len(), 1, "{events:?}");
}

/// With the real timeouts the user hears within 2 minutes, not ~5.
#[tokio::test]
async fn a_trickling_create_fails_within_two_minutes_with_default_timeouts() {
    let s = Server::start(|_| trickle(&[b' '; 200])).await;
    let m = ComputeClient::new(&s.url())
        .unwrap()
        .rented(MACHINE, Auth::new(dbc::wallet::SigningKey::fee_estimator(), 42))
        .unwrap();
    let started = Instant::now();
    let e = m.create_task(&plan(), &CreateOptions::default(), |_| {}).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(120), "{:?}", started.elapsed());
    assert_eq!((e.code, data(&e, "stage").as_str()), (ErrorCode::ComputeTimeout, Some("reading")));
    assert_eq!(s.requests().len(), 1);
}

#[tokio::test]
async fn a_trickling_poll_ends_the_wait() {
    let s = Server::start(|_| {
        trickle(&serde_json::to_vec(&json!({"errcode":0,"message":detail(json!({"status":"creating"}))})).unwrap())
    })
    .await;
    let opts = PollOptions { give_up_after: Duration::from_secs(60), ..fast_poll() };
    let e = machine(&s).wait_until_running(TASK, &opts, |_| {}).await.unwrap_err();
    assert_eq!((e.code, data(&e, "stage").as_str()), (ErrorCode::ComputeTimeout, Some("reading")));
    assert_eq!(s.requests().len(), 1, "not polled again");
}

#[tokio::test]
async fn a_client_that_stops_seeing_the_node_ends_the_wait_only_when_asked_to() {
    let polls = Arc::new(AtomicUsize::new(0));
    let n = polls.clone();
    let s = Server::start(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            ok(detail(json!({"status":"creating"})))
        } else {
            json_answer(400, &json!({"errcode":-32701,"message":"create node request failed"}))
        }
    })
    .await;
    // For failover: two polls in a row without the node and the wait ends with the client's error.
    let opts = PollOptions { client_gone_after: Some(2), give_up_after: Duration::from_secs(60), ..fast_poll() };
    let mut seen = Vec::new();
    let e = machine(&s).wait_until_running(TASK, &opts, |p| seen.push(p.error.map(|e| e.code))).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeNodeUnknown);
    assert_eq!(polls.load(Ordering::SeqCst), 3, "one answer, then two without the node");
    assert_eq!(seen, [None, Some(ErrorCode::ComputeNodeUnknown), Some(ErrorCode::ComputeNodeUnknown)]);
    // Without it (one client, nowhere else to go) the wait goes on to its end.
    polls.store(0, Ordering::SeqCst);
    let e = machine(&s).wait_until_running(TASK, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmWaitTimeout);
    assert!(polls.load(Ordering::SeqCst) > 3);
}

#[tokio::test]
async fn a_hundred_thousand_nested_brackets_are_a_bad_reply() {
    let s = Server::start(|_| http(200, "application/json", "[".repeat(100_000).as_bytes())).await;
    let e = client(&s).node_list().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
    assert_small(&e);
}

#[tokio::test]
async fn deeply_nested_objects_inside_a_valid_envelope_are_a_bad_reply() {
    let body = format!("{{\"errcode\":0,\"message\":{}1{}}}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    let s = Server::start(move |_| http(200, "application/json", body.as_bytes())).await;
    let e = machine(&s).task(TASK).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
}

#[tokio::test]
async fn an_html_500_is_an_http_error() {
    let s = Server::start(|_| http(500, "text/html", b"<html><body><h1>500 Internal Server Error</h1></body></html>"))
        .await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeHttp);
    assert_eq!(data(&e, "status"), 500);
    assert_small(&e);
}

#[tokio::test]
async fn an_html_200_is_a_bad_reply_without_the_page() {
    let s = Server::start(|_| http(200, "text/html", b"<html>login here: password=hunter2</html>")).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
    assert!(!serde_json::to_string(&e).unwrap().contains("hunter2"), "the body is not copied");
}

#[tokio::test]
async fn invalid_utf8_is_a_bad_reply() {
    let s = Server::start(|_| http(200, "application/json", b"{\"errcode\":0,\"message\":\"\xff\xfe\"}")).await;
    assert_eq!(client(&s).version().await.unwrap_err().code, ErrorCode::ComputeBadReply);
}

#[tokio::test]
async fn a_non_numeric_errcode_is_a_bad_reply() {
    let s = Server::start(|_| json_answer(200, &json!({"errcode": "zero", "message": "ok"}))).await;
    assert_eq!(client(&s).version().await.unwrap_err().code, ErrorCode::ComputeBadReply);
}

#[tokio::test]
async fn a_short_body_is_a_broken_reading() {
    let s =
        Server::start(|_| Answer::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"errcode\"".to_vec())).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeUnreachable, "{e:?}");
    assert_eq!(data(&e, "stage"), "reading");
}

#[tokio::test]
async fn a_closed_connection_is_unreachable_mid_exchange() {
    let s = Server::start(|_| Answer::Close).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeUnreachable);
    assert_eq!(data(&e, "stage"), "exchange");
}

#[tokio::test]
async fn a_non_http_answer_is_unreachable() {
    let s = Server::start(|_| Answer::Raw(b"SSH-2.0-OpenSSH_9.2\r\n".to_vec())).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeUnreachable, "{e:?}");
}

// ---- redirects ---------------------------------------------------------------

fn redirect_to(status: u16, target: &str) -> Answer {
    Answer::Raw(format!("HTTP/1.1 {status} Moved\r\nlocation: {target}\r\ncontent-length: 0\r\n\r\n").into_bytes())
}

/// The signed envelope never reaches the other port.
#[tokio::test]
async fn a_redirected_signed_request_goes_nowhere_else() {
    let other = Server::start(|_| ok(detail(json!({})))).await;
    let target = format!("{}/api/v1/tasks/{TASK}", other.url());
    let s = Server::start(move |_| redirect_to(307, &target)).await;
    let e = machine(&s).task(TASK).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeRedirect);
    assert_eq!(data(&e, "status"), 307);
    assert!(data(&e, "location").as_str().unwrap().contains(&other.port.to_string()));
    assert_eq!(other.connections.load(Ordering::SeqCst), 0, "the other listener received nothing");
    assert!(s.requests()[0].body.get("sign").is_some(), "what would have been carried away");
}

#[tokio::test]
async fn a_redirected_create_is_not_retried_and_goes_nowhere_else() {
    let other = Server::start(|_| ok(json!({"task_id": TASK, "status": "creating"}))).await;
    let target = format!("{}/api/v1/tasks/start", other.url());
    let s = Server::start(move |_| redirect_to(308, &target)).await;
    let e = machine(&s).create_task(&plan(), &fast_create(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeRedirect);
    assert_eq!(s.requests().len(), 1);
    assert_eq!(other.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirected_version_check_is_reported() {
    let other = Server::start(|_| ok(json!({"client_version": "x"}))).await;
    let target = other.url();
    let s = Server::start(move |_| redirect_to(302, &target)).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!((e.code, data(&e, "status").as_u64()), (ErrorCode::ComputeRedirect, Some(302)));
    assert_eq!(other.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_hostile_location_is_cleaned() {
    let s = Server::start(|_| redirect_to(301, &format!("http://evil.example/{}", "a".repeat(6000)))).await;
    let e = client(&s).version().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeRedirect);
    assert!(data(&e, "location").as_str().unwrap().len() <= 256);
}

// ---- injected login values ----------------------------------------------------

#[tokio::test]
async fn injected_ssh_ips_are_refused() {
    for bad in [
        "1.2.3.4;rm -rf /",
        "1.2.3.4\nfull address:s:evil.example",
        "$(curl evil)",
        "-oProxyCommand=x",
        "user@203.0.113.7",
        "203.0.113.7:3389",
    ] {
        let s = detail_server(json!({ "ssh_ip": bad })).await;
        let e = machine(&s).task(TASK).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRdpHost, "{bad:?}");
        assert_small(&e);
    }
}

#[tokio::test]
async fn a_huge_ssh_ip_is_refused_small() {
    let s = detail_server(json!({ "ssh_ip": "a".repeat(1 << 20) })).await;
    let e = machine(&s).task(TASK).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRdpHost);
    assert_small(&e);
}

#[tokio::test]
async fn hostile_hosts_are_never_dialled() {
    for bad in ["127.0.0.1;id", "localhost\nx", "a b", "$(id)"] {
        let e = rdp_reachable(bad, 3389, Duration::from_secs(1)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRdpHost, "{bad:?}");
    }
}

#[tokio::test]
async fn injected_user_names_never_reach_an_rdp_target() {
    for (bad, code) in [
        ("Administrator\r\n/p:secret", ErrorCode::InvalidRdpUser),
        ("-admin", ErrorCode::InvalidRdpUser),
        ("\"admin\"", ErrorCode::InvalidRdpUser),
        ("admin;rm", ErrorCode::InvalidRdpUser),
    ] {
        let s = detail_server(json!({ "user_name": bad })).await;
        let d = machine(&s).task(TASK).await.unwrap();
        assert!(!d.user_name.chars().any(char::is_control), "{:?}", d.user_name);
        let login = d.rdp_login().unwrap();
        let e = dbc::rdp::RdpTarget::new(&login.host, u64::from(login.port), &login.user).unwrap_err();
        assert_eq!(e.code, code, "{bad:?}");
    }
}

#[tokio::test]
async fn a_not_available_password_means_no_guest_agent() {
    let s = detail_server(json!({ "login_password": "N/A" })).await;
    let d = machine(&s).task(TASK).await.unwrap();
    assert_eq!(d.rdp_login().unwrap().password, None);
    assert_eq!(dbc::rdp::login_password(&d.login_password).unwrap_err().code, ErrorCode::VmNoGuestAgent);
}

#[tokio::test]
async fn injected_passwords_stay_one_line_for_freerdp() {
    let s = detail_server(json!({ "login_password": "pw\n/p:other\r\u{0}\u{202e}x" })).await;
    let d = machine(&s).task(TASK).await.unwrap();
    assert_eq!(d.login_password, "pw /p:other x", "one clean line");
    dbc::rdp::login_password(&d.login_password).expect("a single line for FreeRDP's stdin");
    assert!(!format!("{d:?}").contains("other"), "Debug hides it");
}

#[tokio::test]
async fn invalid_rdp_ports_are_named_not_taken_for_a_stopped_vm() {
    for bad in ["0", "65536", "-1", "3389.5", "99999999999", "3389; id"] {
        let s = detail_server(json!({ "rdp_port": bad })).await;
        let e = machine(&s).task(TASK).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRdpPort, "{bad}");
        assert_eq!(data(&e, "value"), bad);
    }
    let s = detail_server(json!({ "rdp_port": 3389.5 })).await;
    let e = machine(&s).task(TASK).await.unwrap_err();
    assert_eq!((e.code, data(&e, "value").as_str()), (ErrorCode::InvalidRdpPort, Some("3389.5")));
}

#[tokio::test]
async fn an_invalid_rdp_port_ends_the_wait_with_its_code() {
    let s = detail_server(json!({ "rdp_port": "0" })).await;
    let e = machine(&s).wait_until_running(TASK, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRdpPort);
}

// ---- messages, ids, statuses ----------------------------------------------------

#[tokio::test]
async fn a_4_mib_error_message_is_kept_once_and_capped() {
    let msg = format!("gpu_count exceeds number of leases {}", "x".repeat(4_000_000));
    let s = Server::start(move |_| json_answer(200, &json!({"errcode": 1, "message": msg}))).await;
    let e = machine(&s).tasks().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeRefused);
    let node = dbc::compute::node_message(&e).unwrap();
    assert!(node.len() <= CAP && node.starts_with("gpu_count exceeds"));
    assert!(e.message.len() < 400);
    assert_small(&e);
}

#[tokio::test]
async fn a_4_mib_client_error_is_capped_too() {
    let msg = "y".repeat(4_000_000);
    let s = Server::start(move |_| json_answer(400, &json!({"errcode": -25, "message": msg}))).await;
    let e = client(&s).node_list().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeHttp);
    assert_small(&e);
}

#[tokio::test]
async fn a_4_mib_refusal_of_a_create_is_capped() {
    let msg = format!("port conflict, exist rdp_port = 20001{}", "\n".repeat(1_500_000));
    let s = Server::start(move |_| json_answer(200, &json!({"errcode": 1, "message": msg}))).await;
    let e = machine(&s).create_task(&plan(), &fast_create(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmPortsTaken, "{e:?}");
    assert_small(&e);
}

#[tokio::test]
async fn a_created_task_id_with_dots_is_refused_not_kept() {
    let s = Server::start(|_| ok(json!({"task_id": "../../etc/x", "status": "creating"}))).await;
    let e = machine(&s).create_task(&plan(), &fast_create(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ComputeBadReply);
    assert!(data(&e, "reason").as_str().unwrap().contains("not a task id"));
}

#[tokio::test]
async fn a_detail_with_a_dotted_task_id_is_refused() {
    let s = detail_server(json!({ "task_id": "../x" })).await;
    assert_eq!(machine(&s).task(TASK).await.unwrap_err().code, ErrorCode::ComputeBadReply);
}

#[tokio::test]
async fn a_dotted_task_id_is_never_sent() {
    let s = detail_server(json!({})).await;
    for bad in ["../x", "a/b", "x?flag=1", ""] {
        assert_eq!(machine(&s).task(bad).await.unwrap_err().code, ErrorCode::InvalidArgument, "{bad:?}");
        assert_eq!(machine(&s).logs(bad, 10).await.unwrap_err().code, ErrorCode::InvalidArgument);
    }
    assert_eq!(s.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn listed_tasks_with_unusable_ids_are_dropped() {
    let s = Server::start(|_| {
        ok(json!([
            {"task_id": "../x", "status": "running"},
            {"task_id": TASK, "status": "running", "desc": "a\u{202e}b"},
            {"task_id": "a b", "status": "running"},
        ]))
    })
    .await;
    let list = machine(&s).tasks().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].task_id.as_str(), list[0].desc.as_str()), (TASK, "ab"));
}

#[tokio::test]
async fn an_unknown_status_is_waited_on_then_given_up() {
    let s = detail_server(json!({ "status": "hacked\u{1b}[2J" })).await;
    let e = machine(&s).wait_until_running(TASK, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmWaitTimeout);
    assert_eq!(data(&e, "status"), "hacked[2J");
}

#[tokio::test]
async fn a_huge_unknown_status_is_capped() {
    let s = detail_server(json!({ "status": "z".repeat(1 << 20) })).await;
    let d = machine(&s).task(TASK).await.unwrap();
    assert!(d.status.as_str().len() <= CAP);
    assert_eq!(d.status.kind(), dbc::compute::StatusKind::Unknown);
    let e = machine(&s).wait_until_running(TASK, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmWaitTimeout);
    assert_small(&e);
}

/// A "create error" with a 3.9 MiB log tail: the error keeps 8 KiB at most.
#[tokio::test]
async fn a_failed_create_with_a_huge_log_is_bounded() {
    let s = Server::start(|req| {
        if req.path.starts_with("/api/v1/tasks/logs/") {
            let lines: Vec<String> = (0..100).map(|i| format!("line {i} \u{1b}[31m{}", "L".repeat(40_000))).collect();
            ok(json!({ "log_content": lines }))
        } else {
            ok(detail(json!({ "status": "create error" })))
        }
    })
    .await;
    let e = machine(&s).wait_until_running(TASK, &fast_poll(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::VmCreateFailed);
    let log = data(&e, "log").as_array().unwrap();
    let total: usize = log.iter().map(|l| l.as_str().unwrap().len()).sum();
    assert!(total <= 8 * 1024 && !log.is_empty(), "{total}");
    assert!(log.iter().all(|l| !l.as_str().unwrap().contains('\u{1b}')));
    assert_small(&e);
}

/// HTTP 500 "create task timeout", then the task shows up: one create, found.
#[tokio::test]
async fn a_timeout_reply_then_the_task_appears_makes_one_task() {
    let creates = Arc::new(AtomicUsize::new(0));
    let c2 = creates.clone();
    let s = Server::start(move |req| {
        if req.path == "/api/v1/tasks/start" {
            c2.fetch_add(1, Ordering::SeqCst);
            json_answer(500, &json!({"errcode": -1, "message": "create task timeout"}))
        } else {
            ok(detail(json!({ "status": "creating" })))
        }
    })
    .await;
    let created = machine(&s).create_task(&plan(), &fast_create(), |_| {}).await.unwrap();
    assert_eq!(created.how, CreatedHow::FoundAfterTimeout);
    assert_eq!((created.task_id.as_str(), created.attempts), (TASK, 1));
    assert_eq!(creates.load(Ordering::SeqCst), 1, "one create request, so one task");
}

#[tokio::test]
async fn a_flood_of_node_entries_parses_within_the_cap() {
    let entry = json!({"node_id": "ab\ncd", "name": "n", "version": "v"}).to_string();
    let body = format!("{{\"errcode\":0,\"message\":{{\"mining_nodes\":[{}]}}}}", vec![entry; 60_000].join(","));
    let s = Server::start(move |_| http(200, "application/json", body.as_bytes())).await;
    let nodes = client(&s).node_list().await.unwrap();
    assert_eq!(nodes.len(), 60_000);
    assert!(nodes.iter().all(|n| n.node_id == "ab cd"));
}

#[tokio::test]
async fn node_info_with_hostile_image_names_is_clean() {
    let s = Server::start(|_| {
        ok(json!({"images": [{"image_name": "win\u{202e}gpj.qcow2"}, {"image_name": "w".repeat(100_000)}], "cpu": {"cores": "-5"}, "gpu": {"gpu_count": 1e300}}))
    })
    .await;
    let info = client(&s).node_info(MACHINE).await.unwrap();
    assert_eq!(info.images[0].name, "wingpj.qcow2");
    assert!(info.images[1].name.len() <= CAP);
    assert_eq!((info.cpu_cores, info.gpu_count), (0, 0));
}

// ---- before anything is sent ----------------------------------------------------

#[test]
fn plain_http_to_a_public_client_is_refused_before_anything_is_sent() {
    for url in ["http://203.0.113.9:5002", "http://dbc.example.com:5052", "http://[2001:db8::5]:5002"] {
        let e = ComputeClient::new(url).unwrap_err();
        assert_eq!(e.code, ErrorCode::InsecureClientUrl, "{url}");
        assert!(ComputeClient::new_checked(url, true).is_ok(), "{url}: allowed explicitly");
    }
}
