//! Property tests over the parsers and builders that take strangers' input:
//! the DBC client's answers, the RDP target and what is built from it (the
//! FreeRDP argument vector, the `.rdp` file), JSON keystores and recovery
//! phrases. Random input never panics, and nothing built from accepted
//! input fails the validators that guard the launch.
//!
//! A few hundred cases each in `make test` (proptest's default, or
//! `PROPTEST_CASES`); `make fuzz` runs them with many more.

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::path::Path;

use crate::compute::reply::{interpret, Ctx};
use crate::compute::types::{NodeInfo, NodeSummary, TaskDetail, TaskSummary, MAX_REMOTE_TEXT};
use crate::rdp::{DriveRedirect, RdpOptions, RdpTarget};

/// Proptest's config with `default` cases unless `PROPTEST_CASES` says
/// otherwise (divided by `cost` for the slow properties).
fn cases_div(default: u32, cost: u32) -> ProptestConfig {
    let asked: Option<u32> = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok());
    let n = asked.map_or(default, |n| (n / cost).max(1));
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

fn cases(default: u32) -> ProptestConfig {
    cases_div(default, 1)
}

/// Strings a hostile client would try: any Unicode, address-like text,
/// shell and `.rdp` metacharacters, bidi controls, huge runs.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-fA-F.:\\[\\]]{0,45}",
        "[a-zA-Z0-9 ._@$#\\\\-]{0,30}",
        "[ -~\n\r\t\u{202e}\u{2066}\u{0}]{0,40}",
        Just("N/A".to_string()),
        Just("../x".to_string()),
        Just("1.2.3.4\nfull address:s:evil".to_string()),
        (1usize..20_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "task_id",
            "os",
            "ssh_ip",
            "rdp_port",
            "vnc_port",
            "ssh_port",
            "status",
            "user_name",
            "login_password",
            "vnc_password",
            "cpu_cores",
            "gpu_count",
            "mem_size",
            "desc",
            "rent_order",
            "node_id",
            "name",
            "version",
            "cpu",
            "gpu",
            "mem",
            "disk_data",
            "images",
            "image_name",
            "image_name:",
            "path",
            "size",
            "free",
            "cores",
            "gpu_count",
            "gpu_used",
            "type",
            "errcode",
            "message",
            "log_content",
        ])
        .prop_map(str::to_string),
        "[a-z_:]{1,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        (0u32..70_000).prop_map(|n| json!(n.to_string())),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 96, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..12)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A VM detail with every field present in some shape, Windows mostly.
fn task_detail_like() -> impl Strategy<Value = Value> {
    (
        prop::collection::btree_map(key(), json_value(), 0..16),
        nasty_string(),
        prop_oneof![Just("windows"), Just("win10"), Just("linux")],
    )
        .prop_map(|(m, id, os)| {
            let mut o: Map<String, Value> = m.into_iter().collect();
            o.entry("task_id").or_insert(json!(id));
            o.insert("os".into(), json!(os));
            Value::Object(o)
        })
}

fn ctx() -> Ctx {
    Ctx {
        url: "http://127.0.0.1:5002".into(),
        route: "/api/v1/tasks/x".into(),
        machine_id: Some("ab".repeat(32)),
        rent_id: Some(7),
        task_id: Some("x".into()),
    }
}

/// One clean line: nothing a log, a journal or the UI could be fooled by.
fn assert_clean(what: &str, s: &str) {
    assert!(s.len() <= MAX_REMOTE_TEXT, "{what}: {} bytes", s.len());
    assert!(!s.chars().any(|c| c.is_control() || crate::text::is_bidi_control(c)), "{what}: {s:?}");
}

/// What every parsed answer must satisfy.
fn check_parsed(m: &Value) {
    if let Ok(Some(d)) = TaskDetail::parse(m) {
        for (what, s) in [
            ("task_id", &d.task_id),
            ("status", &d.status.0),
            ("os", &d.os),
            ("ssh_ip", &d.ssh_ip),
            ("user_name", &d.user_name),
            ("login_password", &d.login_password),
            ("desc", &d.desc),
        ] {
            assert_clean(what, s);
        }
        assert_ne!(d.rdp_port, Some(0));
        if !d.ssh_ip.is_empty() {
            crate::rdp::check_host(&d.ssh_ip).expect("a kept ssh_ip is a host");
        }
        if let Some(login) = d.rdp_login() {
            // Whatever the RDP step accepts from it builds valid argv and lines.
            if let Ok(t) = RdpTarget::new(&login.host, u64::from(login.port), &login.user) {
                check_built(&t);
            }
        }
    }
    if let Some(n) = NodeInfo::parse(m) {
        assert_clean("version", &n.version);
        n.images.iter().for_each(|i| assert_clean("image", &i.name));
    }
    if let Some(s) = NodeSummary::parse(m) {
        assert_clean("node_id", &s.node_id);
    }
    if let Some(t) = TaskSummary::parse(m) {
        crate::compute::machine::check_task_id(&t.task_id).expect("a listed task id is usable in a path");
    }
}

/// The `.rdp` file and the FreeRDP argv for `t`, each checked as a
/// validator would: one setting per line, our own option names, and the
/// values parse back to the same target.
fn check_built(t: &RdpTarget) {
    for drives in [DriveRedirect::None, DriveRedirect::Home] {
        let o = RdpOptions { drives, ..RdpOptions::default() };
        let text = crate::rdp::rdp_file_contents(t, &o);
        assert!(text.ends_with("\r\n"));
        for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
            let mut parts = line.splitn(3, ':');
            let (name, ty, value) = (parts.next().unwrap(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b' ') && !name.is_empty(), "{line:?}");
            assert!(ty == "s" || ty == "i", "{line:?}");
            assert!(!value.chars().any(char::is_control), "{line:?}");
            assert_ne!(name, "drivestoredirect", "no drives in .rdp files");
            match name {
                "full address" => {
                    let (host, port) = value.rsplit_once(':').unwrap();
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    let back = RdpTarget::new(host, port.parse().unwrap(), t.user()).unwrap();
                    assert_eq!(back.address(), t.address());
                }
                "username" => assert_eq!(RdpTarget::new("127.0.0.1", 1, value).unwrap().user(), t.user()),
                _ => assert!(ty == "s" || value.parse::<u64>().is_ok(), "{line:?}"),
            }
        }
        let found =
            crate::rdp::FoundClient { client: crate::rdp::RdpClient::Xfreerdp, program: "/usr/bin/xfreerdp".into() };
        let file = Path::new("/home/me/.local/share/app.dbcrent.desktop/rdp/x.rdp");
        let plan = crate::rdp::plan(&found, t, &o, file);
        for a in plan.args_lossy() {
            assert!(a.starts_with('/') || a.starts_with('+') || a.starts_with('-'), "{a:?}");
            assert!(!a.chars().any(char::is_control) && !a.contains('"') && !a.contains('\''), "{a:?}");
            if let Some(v) = a.strip_prefix("/u:") {
                assert_eq!(v, t.user());
            }
            if let Some(v) = a.strip_prefix("/v:") {
                assert_eq!(v, t.address());
            }
            if let Some(v) = a.strip_prefix("/drive:") {
                assert_eq!(v, "DBC-Rent,/home/me/.local/share/app.dbcrent.desktop/share");
            }
            assert!(!a.contains("home-drive"));
        }
    }
}

proptest! {
    #![proptest_config(cases(256))]

    /// Any bytes under any status: a value or one error, never a panic;
    /// an error's text is bounded and clean.
    #[test]
    fn reply_bytes_never_panic(status in prop_oneof![Just(200u16), Just(400), Just(404), Just(500), 100u16..600], body in prop::collection::vec(any::<u8>(), 0..4096)) {
        match interpret(&ctx(), status, &body) {
            Ok(v) => check_parsed(&v),
            Err(e) => {
                assert!(serde_json::to_string(&e).unwrap().len() < 16 * 1024);
                assert!(!e.message.chars().any(char::is_control), "{:?}", e.message);
            }
        }
    }

    /// Envelopes around random JSON: success bodies parse without panicking
    /// and keep only clean, bounded strings and usable hosts and ports.
    #[test]
    fn reply_envelopes_never_panic(
        status in prop_oneof![Just(200u16), Just(400), Just(500), 100u16..600],
        errcode in prop_oneof![Just(json!(0)), Just(json!("0")), Just(json!(1)), Just(json!(-1)), json_value()],
        message in prop_oneof![json_value(), task_detail_like()],
    ) {
        let body = serde_json::to_vec(&json!({ "errcode": errcode, "message": message })).unwrap();
        match interpret(&ctx(), status, &body) {
            Ok(v) => {
                check_parsed(&v);
                if let Some(list) = v.as_array() {
                    list.iter().for_each(check_parsed);
                }
            }
            Err(e) => {
                assert!(serde_json::to_string(&e).unwrap().len() < 16 * 1024, "{}", e.code);
                if let Some(m) = crate::compute::node_message(&e) {
                    assert_clean("nodeMessage", m);
                }
            }
        }
    }

    #[test]
    fn task_details_never_panic(m in task_detail_like()) {
        check_parsed(&m);
    }

    /// Whatever host, port and user come, the target refuses them or
    /// everything built from it passes the validators.
    #[test]
    fn rdp_targets_build_only_valid_argv_and_lines(host in nasty_string(), port in prop_oneof![any::<u64>(), 0u64..70_000], user in nasty_string()) {
        if let Ok(t) = RdpTarget::new(&host, port, &user) {
            check_built(&t);
        }
        let _ = RdpTarget::from_vm_login(&host, &port.to_string(), &user);
        let _ = crate::rdp::parse_port(&host);
        let _ = crate::rdp::login_password(&user);
    }

    /// Hosts and users drawn from the accepted alphabets, so many pass.
    #[test]
    fn plausible_rdp_targets_build_valid_argv_and_lines(
        host in prop_oneof!["[a-z0-9-]{1,20}(\\.[a-z0-9-]{1,20}){0,3}", "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", "\\[?[0-9a-f:]{2,39}\\]?"],
        port in 1u64..=65535,
        user in "[A-Za-z0-9 ._@$#\\\\-]{1,30}",
    ) {
        if let Ok(t) = RdpTarget::new(&host, port, &user) {
            check_built(&t);
        }
    }

    /// Recovery phrases and derivation paths: an account or one error.
    #[test]
    fn mnemonic_import_never_panics(
        words in prop::collection::vec(prop_oneof![prop::sample::select(bip39::Language::English.word_list().to_vec()).prop_map(str::to_string), nasty_string()], 0..26),
        sep in prop_oneof![Just(" "), Just("  "), Just("\n"), Just("\t"), Just(",")],
        upper in any::<bool>(),
        path in prop_oneof![Just(String::new()), "(//?[a-z0-9]{0,6}){0,3}(///[ -~]{0,10})?", nasty_string()],
    ) {
        let mut phrase = words.join(sep);
        if upper {
            phrase = phrase.to_uppercase();
        }
        if let Ok(m) = crate::wallet::mnemonic::parse(&phrase) {
            let _ = crate::wallet::SigningKey::from_phrase(&m, &crate::wallet::DerivationPath::root());
        }
        if let Ok(p) = crate::wallet::DerivationPath::parse(&path) {
            let _ = format!("{p:?}");
        }
    }

    /// Keystore files: random JSON, and any part of a real one changed.
    #[test]
    fn keystore_import_never_panics(v in json_value(), pw in nasty_string()) {
        let _ = crate::wallet::keystore_json::import(&v.to_string(), &pw);
        let _ = crate::wallet::keystore_json::import(&pw, "x");
    }
}

/// A real export, for mutations (made once: scrypt is slow on purpose).
fn real_keystore() -> &'static Value {
    static V: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let key = crate::wallet::SigningKey::fee_estimator();
        serde_json::from_str(&crate::wallet::keystore_json::export(&key, "pw", "name", 0).unwrap()).unwrap()
    })
}

proptest! {
    // Each case that reaches scrypt costs ~32 MiB of work: fewer cases.
    #![proptest_config(cases_div(24, 50))]

    #[test]
    fn keystore_mutations_never_panic(field in prop::sample::select(vec!["encoded", "encoding", "address", "meta"]), at in any::<prop::sample::Index>(), byte in any::<u8>(), replace in json_value()) {
        let mut v = real_keystore().clone();
        if field == "encoded" {
            let mut enc = v["encoded"].as_str().unwrap().as_bytes().to_vec();
            let i = at.index(enc.len());
            enc[i] = byte;
            v["encoded"] = json!(String::from_utf8_lossy(&enc));
        } else {
            v[field] = replace;
        }
        match crate::wallet::keystore_json::import(&v.to_string(), "pw") {
            Ok(k) => assert_eq!(k.key.address(), crate::wallet::SigningKey::fee_estimator().address()),
            Err(e) => assert!(matches!(e.code, crate::ErrorCode::InvalidKeystore | crate::ErrorCode::WrongJsonPassword), "{e:?}"),
        }
    }
}
