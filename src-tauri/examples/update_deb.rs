//! The update install as the app does it, for `make test-update` (scripts/update-test.sh).
//!
//!     update_deb <dir> <package.deb> <announced-version> <current-version> <good|cli|other-key|tampered>
//!
//! Makes a throwaway minisign key pair (memory only), signs the package (or,
//! for the refusal cases, signs it with another key or serves altered bytes;
//! `cli`: takes the signature the Tauri CLI made and its public key),
//! writes `latest.json` into `<dir>` and serves `<dir>` on 127.0.0.1. Then it
//! runs the app's own update code (`dbc_rent_app::update::UpdateService`) with
//! the tauri-plugin-updater inside a mock app at `<current-version>`: check,
//! download, signature check, and the plugin's Linux install of a `.deb`
//! (`pkexec dpkg -i <tmp>/package.deb`; the plugin picks the .deb installer
//! because the script patches this binary's bundle-type marker the way the
//! Tauri bundler patches the packaged app).
//!
//! Prints one JSON line: `{"installed": "<version>"}` (exit 0) or the error
//! `{code, message, data}` (exit 2).

use axum::Router;
use base64::Engine;
use dbc_rent_app::update::{UpdateConfig, UpdateService};
use serde_json::json;
use std::path::{Path, PathBuf};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn sign(sk: &minisign::SecretKey, bytes: &[u8], file: &str, version: &str) -> String {
    let trusted = format!("timestamp:{}\tfile:{file}\tversion:{version}", 1_700_000_000);
    b64(&minisign::sign(None, sk, std::io::Cursor::new(bytes), Some(&trusted), None).unwrap().into_string())
}

async fn serve_dir(dir: PathBuf) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/{file}",
        axum::routing::get(move |axum::extract::Path(file): axum::extract::Path<String>| {
            let path = dir.join(&file);
            async move {
                match (file.contains('/') || file.starts_with('.'), std::fs::read(&path)) {
                    (false, Ok(bytes)) => Ok(bytes),
                    _ => Err(axum::http::StatusCode::NOT_FOUND),
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, package, announced, current, mode] = args.as_slice() else {
        eprintln!(
            "usage: update_deb <dir> <package.deb> <announced-version> <current-version> <good|other-key|tampered>"
        );
        std::process::exit(64);
    };
    let dir = PathBuf::from(dir);
    let bytes = std::fs::read(package).unwrap_or_else(|e| panic!("{package}: {e}"));
    let name = Path::new(package).file_name().unwrap().to_string_lossy().to_string();

    let key = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let mut pubkey = b64(&key.pk.to_box().unwrap().into_string());
    let (served_name, signature) = match mode.as_str() {
        "good" => (name.clone(), sign(&key.sk, &bytes, &name, announced)),
        // Signed by the release tool, `tauri signer sign --app-version`: its
        // `<package>.sig` beside the package, its public key in UPDATE_TEST_PUBKEY.
        "cli" => {
            pubkey = std::env::var("UPDATE_TEST_PUBKEY").expect("UPDATE_TEST_PUBKEY");
            let sig = std::fs::read_to_string(format!("{package}.sig")).unwrap();
            (name.clone(), sig.trim().to_string())
        }
        "other-key" => {
            let stranger = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
            (name.clone(), sign(&stranger.sk, &bytes, &name, announced))
        }
        "tampered" => {
            let mut altered = bytes.clone();
            let last = altered.len() - 1;
            altered[last] ^= 0xff;
            let altered_name = format!("tampered-{name}");
            std::fs::write(dir.join(&altered_name), altered).unwrap();
            (altered_name, sign(&key.sk, &bytes, &name, announced))
        }
        other => panic!("unknown mode {other}"),
    };
    if mode != "cli" {
        std::fs::write(dir.join(format!("{name}.sig")), &signature).unwrap();
    }

    let base = serve_dir(dir.clone()).await;
    let platform = json!({ "url": format!("{base}/{served_name}"), "signature": signature });
    let manifest = json!({
        "version": announced,
        "notes": format!("DBC Rent {announced} (update test)"),
        "pub_date": "2026-12-01T10:00:00Z",
        "platforms": { "linux-x86_64-deb": platform, "linux-aarch64-deb": platform },
    });
    std::fs::write(dir.join("latest.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();

    let mut ctx = tauri::test::mock_context(tauri::test::noop_assets());
    // The updater section as the app ships it (requireSignedVersion among it).
    let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    ctx.config_mut().plugins.0.insert("updater".into(), conf["plugins"]["updater"].clone());
    ctx.package_info_mut().version = current.parse().unwrap();
    let app = tauri::test::mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(ctx).unwrap();

    let service = UpdateService::new(UpdateConfig::from_values(Some(&format!("{base}/latest.json")), Some(&pubkey)));
    let result = async {
        let found = service.check(app.handle()).await?;
        eprintln!("check: {}", serde_json::to_string(&found).unwrap());
        let mut last = 0;
        let version = service
            .install(|p| {
                // A line per 10% (or per chunk when the size is unknown).
                let step = p.total.map_or(p.downloaded, |t| p.downloaded * 10 / t.max(1));
                if step != last {
                    last = step;
                    eprintln!("progress: {} / {:?}", p.downloaded, p.total);
                }
            })
            .await?;
        Ok::<_, dbc::Error>(version)
    }
    .await;
    match result {
        Ok(version) => println!("{}", json!({ "installed": version })),
        Err(e) => {
            println!("{}", serde_json::to_string(&e).unwrap());
            std::process::exit(2);
        }
    }
}
