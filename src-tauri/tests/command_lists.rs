//! The webview's power is the list of commands it may call, written in three
//! places that must agree: the handler list in `src/lib.rs`
//! (`generate_handler!`), the command list in `build.rs` (which makes Tauri
//! generate an `allow-<command>` permission for each) and the capability
//! file that grants them. A command registered but not granted fails at run
//! time; one granted but not listed would be a permission nobody reviewed.
//! Also: the CSP and the frozen prototype in `tauri.conf.json`.

use std::collections::BTreeSet;
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text between `open` and the first `close` after it.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("no {open:?}")) + open.len();
    let len = text[start..].find(close).unwrap_or_else(|| panic!("no {close:?} after {open:?}"));
    &text[start..start + len]
}

fn strip_comments(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// `commands::wallet::wallet_use,` → `wallet_use`, from `generate_handler![…]`.
fn handler_commands() -> Vec<String> {
    let lib = strip_comments(&read("src/lib.rs"));
    between(&lib, "generate_handler![", "]")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.rsplit("::").next().unwrap().to_string())
        .collect()
}

/// The string literals of `let commands = &[…];` in build.rs.
fn build_commands() -> Vec<String> {
    let build = strip_comments(&read("build.rs"));
    between(&build, "let commands = &[", "];")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_matches('"').to_string())
        .collect()
}

/// Every capability file's permissions (strings or `{ "identifier": … }`).
fn granted() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for p in v["permissions"].as_array().unwrap_or_else(|| panic!("{}: no permissions", f.display())) {
            let id = p.as_str().or_else(|| p["identifier"].as_str()).unwrap_or_else(|| panic!("{p}"));
            out.push(id.to_string());
        }
    }
    out
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

fn no_duplicates(what: &str, v: &[String]) {
    let s = set(v);
    assert_eq!(s.len(), v.len(), "{what} lists a command twice: {v:?}");
}

#[test]
fn handlers_build_list_and_capability_agree() {
    let handlers = handler_commands();
    let built = build_commands();
    let granted = granted();
    assert!(handlers.len() > 20 && handlers.iter().any(|c| c == "connect_launch"), "{handlers:?}");
    no_duplicates("generate_handler!", &handlers);
    no_duplicates("build.rs", &built);
    no_duplicates("the capability file", &granted);
    let h = set(&handlers);
    let b = set(&built);
    assert_eq!(
        h.symmetric_difference(&b).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "lib.rs and build.rs list different commands"
    );
    let app_grants: BTreeSet<String> =
        granted.iter().filter_map(|p| p.strip_prefix("allow-")).map(|p| p.replace('-', "_")).collect();
    assert_eq!(
        b.symmetric_difference(&app_grants).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "build.rs and the capability file list different commands"
    );
    // Beyond our own commands: only listening to the app's events. No
    // shell, file-system, HTTP or opener permission.
    let core: Vec<&String> = granted.iter().filter(|p| !p.starts_with("allow-")).collect();
    for p in &core {
        assert!(
            ["core:event:allow-listen", "core:event:allow-unlisten"].contains(&p.as_str()),
            "unexpected permission {p}"
        );
    }
}

#[test]
fn the_webview_is_locked_down() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let security = &conf["app"]["security"];
    assert_eq!(security["freezePrototype"], true, "{security}");
    let csp = security["csp"].as_str().expect("a CSP string");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for d in
        ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]
    {
        assert!(directives.contains(&d), "the CSP lacks {d:?}: {csp}");
    }
    assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src *"), "{csp}");
    assert!(security.get("dangerousDisableAssetCspModification").is_none());
}

/// Updates are off in the shipped config: no endpoint and no key there (a
/// release build gets both from its build environment, src/update.rs), no
/// plain-HTTP or certificate escape hatch, and no updater permission for the
/// webview (the test above allows only our own commands).
#[test]
fn the_updater_config_ships_empty_and_strict() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let updater = &conf["plugins"]["updater"];
    assert_eq!(updater["endpoints"], serde_json::json!([]), "{updater}");
    assert_eq!(updater["pubkey"], "", "{updater}");
    // A signature must name the version it was signed for (no old package under a new number).
    assert_eq!(updater["requireSignedVersion"], true, "{updater}");
    for key in ["dangerousInsecureTransportProtocol", "dangerousAcceptInvalidCerts", "dangerousAcceptInvalidHostnames"]
    {
        assert!(updater.get(key).is_none(), "{key} in {updater}");
    }
    assert!(!granted().iter().any(|p| p.starts_with("updater:")));
}
