//! The updater against a local HTTP server serving a manifest and a package
//! signed here with a throwaway minisign key pair (made per test, never
//! stored): the plugin's own check, download and signature verification run;
//! only the install (root, dpkg) is left to `make test-update`.

use super::*;
use axum::{routing::get, Router};
use base64::Engine;
use tauri::test::MockRuntime;

/// The updater section the app ships (`tauri.conf.json` → `plugins.updater`).
fn shipped_config() -> serde_json::Value {
    let conf: serde_json::Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    conf["plugins"]["updater"].clone()
}

/// The app under test: the mock runtime with the updater plugin as shipped, at `version`.
pub(crate) fn mock_app(version: &str) -> tauri::App<MockRuntime> {
    let mut ctx = tauri::test::mock_context(tauri::test::noop_assets());
    ctx.config_mut().plugins.0.insert("updater".into(), shipped_config());
    ctx.package_info_mut().version = version.parse().unwrap();
    tauri::test::mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(ctx).unwrap()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A throwaway key pair: (the secret key, the pubkey as the app is given it).
pub(crate) fn keypair() -> (minisign::SecretKey, String) {
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let pubkey = b64(&kp.pk.to_box().unwrap().into_string());
    (kp.sk, pubkey)
}

/// The manifest's `signature`: the base64 of the minisign signature file, with
/// the trusted comment `tauri signer sign --app-version` writes (`version:`
/// binds the release).
pub(crate) fn sign(sk: &minisign::SecretKey, bytes: &[u8], version: &str) -> String {
    sign_with_comment(sk, bytes, &format!("timestamp:1700000000\tfile:dbc-rent_{version}_amd64.deb\tversion:{version}"))
}

fn sign_with_comment(sk: &minisign::SecretKey, bytes: &[u8], trusted: &str) -> String {
    let sig = minisign::sign(None, sk, std::io::Cursor::new(bytes), Some(trusted), None).unwrap();
    b64(&sig.into_string())
}

/// Serve `latest.json` and `/pkg` on 127.0.0.1; returns the manifest's URL
/// and the package's. The manifest is built by `manifest(pkg_url)`.
pub(crate) async fn serve(manifest: impl FnOnce(&str) -> serde_json::Value, package: Vec<u8>) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let pkg_url = format!("{base}/pkg.deb");
    let body = manifest(&pkg_url).to_string();
    let app = Router::new()
        .route("/latest.json", get(move || async move { ([("content-type", "application/json")], body) }))
        .route("/pkg.deb", get(move || async move { package }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("{base}/latest.json"), pkg_url)
}

pub(crate) fn manifest(version: &str, url: &str, signature: &str) -> serde_json::Value {
    let platform = json!({ "url": url, "signature": signature });
    json!({
        "version": version,
        "notes": "Faster market list.\n<b>not HTML</b>",
        "pub_date": "2026-12-01T10:00:00Z",
        // The key an installed .deb looks for first, then the generic one.
        "platforms": { "linux-x86_64-deb": platform, "linux-x86_64": platform, "linux-aarch64": platform },
    })
}

/// The error of a check that must fail (`Update` has no `Debug` for `unwrap_err`).
fn refused<T>(r: Result<T>) -> Error {
    match r {
        Err(e) => e,
        Ok(_) => panic!("expected an error"),
    }
}

const PACKAGE: &[u8] = b"!<arch>\ndebian-binary   a stand-in package for the download test";

async fn offered(version: &str, signer: &minisign::SecretKey, bytes: &[u8]) -> String {
    let sig = sign(signer, bytes, version);
    let version = version.to_string();
    serve(move |url| manifest(&version, url, &sig), PACKAGE.to_vec()).await.0
}

fn config(endpoint: &str, pubkey: &str) -> UpdateConfig {
    UpdateConfig::from_values(Some(endpoint), Some(pubkey))
}

#[tokio::test]
async fn newer_signed_release_is_found_downloaded_and_verified() {
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    let endpoint = offered("0.2.0", &sk, PACKAGE).await;
    let service = UpdateService::new(config(&endpoint, &pubkey));
    let found = service.check(app.handle()).await.unwrap();
    assert_eq!(
        found,
        UpdateCheck {
            available: true,
            current_version: "0.1.0".into(),
            version: Some("0.2.0".into()),
            notes: Some("Faster market list.\n<b>not HTML</b>".into()),
            date: Some("2026-12-01T10:00:00Z".into()),
        }
    );
    let (update, _) = check(app.handle(), &service.config).await.unwrap();
    let mut seen = Vec::new();
    let bytes = download(&update.unwrap(), |p| seen.push(p)).await.unwrap();
    assert_eq!(bytes, PACKAGE, "the verified bytes are the package served");
    let last = seen.last().unwrap();
    assert_eq!(last.downloaded, PACKAGE.len() as u64);
    assert_eq!(last.total, Some(PACKAGE.len() as u64));
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused() {
    let app = mock_app("0.1.0");
    let (_, pubkey) = keypair();
    let (stranger, _) = keypair();
    let endpoint = offered("0.2.0", &stranger, PACKAGE).await;
    let (update, _) = check(app.handle(), &config(&endpoint, &pubkey)).await.unwrap();
    let e = download(&update.unwrap(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UpdateBadSignature, "{e:?}");
    assert!(e.message.contains("nothing was installed"), "{}", e.message);
}

#[tokio::test]
async fn tampered_bytes_are_refused() {
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    // Signed over other bytes than the ones served.
    let endpoint = offered("0.2.0", &sk, b"the genuine package").await;
    let (update, _) = check(app.handle(), &config(&endpoint, &pubkey)).await.unwrap();
    let e = download(&update.unwrap(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UpdateBadSignature, "{e:?}");
}

#[tokio::test]
async fn a_signature_for_another_version_is_refused() {
    // A genuine 0.1.5 package announced as 0.2.0: the signed version differs.
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    let sig = sign(&sk, PACKAGE, "0.1.5");
    let (endpoint, _) = serve(|url| manifest("0.2.0", url, &sig), PACKAGE.to_vec()).await;
    let (update, _) = check(app.handle(), &config(&endpoint, &pubkey)).await.unwrap();
    let e = download(&update.unwrap(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UpdateBadSignature, "{e:?}");
}

#[tokio::test]
async fn a_signature_bound_to_no_version_is_refused() {
    // The shipped config requires the signed version (`requireSignedVersion`).
    assert_eq!(shipped_config()["requireSignedVersion"], true);
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    let sig = sign_with_comment(&sk, PACKAGE, "timestamp:1700000000\tfile:dbc-rent_0.2.0_amd64.deb");
    let (endpoint, _) = serve(|url| manifest("0.2.0", url, &sig), PACKAGE.to_vec()).await;
    let (update, _) = check(app.handle(), &config(&endpoint, &pubkey)).await.unwrap();
    let e = download(&update.unwrap(), |_| {}).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UpdateBadSignature, "{e:?}");
}

#[tokio::test]
async fn an_older_version_is_refused_with_both_versions() {
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    let endpoint = offered("0.0.9", &sk, PACKAGE).await;
    let service = UpdateService::new(config(&endpoint, &pubkey));
    let e = service.check(app.handle()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UpdateNotNewer);
    assert_eq!(e.data.unwrap(), json!({ "offered": "0.0.9", "current": "0.1.0" }));
    assert!(e.message.contains("0.0.9 is older than this one, 0.1.0: refused"), "{}", e.message);
    let refused = service.install(|_| {}).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidArgument, "nothing is waiting to be installed");
}

#[tokio::test]
async fn the_same_version_is_up_to_date() {
    let app = mock_app("0.1.0");
    let (sk, pubkey) = keypair();
    let endpoint = offered("0.1.0", &sk, PACKAGE).await;
    let found = UpdateService::new(config(&endpoint, &pubkey)).check(app.handle()).await.unwrap();
    assert_eq!(found, UpdateCheck { available: false, current_version: "0.1.0".into(), ..no_update() });
}

#[tokio::test]
async fn no_release_address_is_not_configured() {
    let app = mock_app("0.1.0");
    for config in [
        UpdateConfig::default(),
        UpdateConfig::from_values(Some("  "), Some("key")),
        UpdateConfig::from_values(Some("https://example.invalid/latest.json"), None),
    ] {
        assert!(!config.is_configured());
        let e = UpdateService::new(config).check(app.handle()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::UpdateNotConfigured);
    }
    // This build (and `cargo test`) sets no release address.
    if option_env!("DBC_RENT_UPDATE_URL").is_none() {
        assert!(!UpdateConfig::built_in().is_configured());
    }
}

#[tokio::test]
async fn an_unreachable_or_broken_release_address_is_unavailable() {
    let app = mock_app("0.1.0");
    let (_, pubkey) = keypair();
    // A port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let e = refused(check(app.handle(), &config(&format!("http://{closed}/latest.json"), &pubkey)).await);
    assert_eq!(e.code, ErrorCode::UpdateUnavailable, "{e:?}");
    let (endpoint, _) = serve(|_| json!({ "version": "0.2.0" }), vec![]).await;
    let e = refused(check(app.handle(), &config(&endpoint, &pubkey)).await);
    assert_eq!(e.code, ErrorCode::UpdateUnavailable, "{e:?}");
}

#[tokio::test]
async fn one_install_at_a_time() {
    let app = mock_app("0.1.0");
    let (_, pubkey) = keypair();
    let (stranger, _) = keypair();
    // A slow download that then fails its signature check: nothing is ever installed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let body = manifest("0.2.0", &format!("{base}/pkg.deb"), &sign(&stranger, PACKAGE, "0.2.0")).to_string();
    let router = Router::new().route("/latest.json", get(move || async move { body })).route(
        "/pkg.deb",
        get(|| async {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            PACKAGE.to_vec()
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let service = UpdateService::new(config(&format!("{base}/latest.json"), &pubkey));
    assert!(service.check(app.handle()).await.unwrap().available);
    let (first, second) = tokio::join!(service.install(|_| {}), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        service.install(|_| {}).await
    });
    assert_eq!(second.unwrap_err().code, ErrorCode::InvalidArgument, "refused while the first runs");
    assert_eq!(first.unwrap_err().code, ErrorCode::UpdateBadSignature);
    // Over: the next attempt runs again (and is refused on its own merits).
    assert_eq!(service.install(|_| {}).await.unwrap_err().code, ErrorCode::UpdateBadSignature);
    assert_eq!(service.installed(), None);
}
