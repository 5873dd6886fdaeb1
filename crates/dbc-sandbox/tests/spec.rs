//! Spec resolution: hash check, download and cache (a local HTTP server, no internet).

use dbc::ErrorCode;
use dbc_sandbox::spec::{self, SpecOrigin, SpecSources};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serve `body` to every request on 127.0.0.1; counts requests.
async fn serve(body: &'static [u8]) -> (String, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/dbc-spec-v4.json", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = l.accept().await.unwrap();
            h.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(body).await;
        }
    });
    (url, hits)
}

fn sources(dir: &std::path::Path, url: &str, expected: &str) -> SpecSources {
    let mut s = SpecSources::new(None, dir.join("cache/dbc-spec-v4.json"));
    s.use_env = false;
    s.use_shared = false;
    s.url = url.into();
    s.expected_sha256 = expected.into();
    s
}

const GOOD: &[u8] = br#"{"genesis":{"raw":{"top":{}}}}"#;

#[tokio::test]
async fn downloads_checks_and_caches() {
    let d = tempfile::tempdir().unwrap();
    let (url, hits) = serve(GOOD).await;
    let src = sources(d.path(), &url, &spec::sha256_hex(GOOD));
    let got = spec::resolve(&src).await.unwrap();
    assert_eq!(got.origin, SpecOrigin::Downloaded);
    assert_eq!(std::fs::read(&got.path).unwrap(), GOOD);
    let again = spec::resolve(&src).await.unwrap();
    assert_eq!(again.origin, SpecOrigin::Cached);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the cache is used, no second download");

    // A damaged cache is replaced by a fresh download.
    std::fs::write(&src.cache, b"garbage").unwrap();
    let fixed = spec::resolve(&src).await.unwrap();
    assert_eq!(fixed.origin, SpecOrigin::Downloaded);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_download_with_another_hash_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let (url, _) = serve(b"{\"tampered\":true}").await;
    let src = sources(d.path(), &url, &spec::sha256_hex(GOOD));
    let e = spec::resolve(&src).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::SpecHashMismatch, "{e:?}");
    assert!(!src.cache.exists(), "nothing is cached");
}

#[tokio::test]
async fn unreachable_download_says_so() {
    let d = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let src = sources(d.path(), &format!("http://127.0.0.1:{port}/x.json"), spec::SPEC_SHA256);
    let e = spec::resolve(&src).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::SpecUnavailable, "{e:?}");
}

#[tokio::test]
async fn explicit_file_is_used_whatever_its_hash() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("mine.json");
    std::fs::write(&p, b"{\"other\":1}").unwrap();
    let mut src = sources(d.path(), "http://127.0.0.1:9/none", spec::SPEC_SHA256);
    src.explicit = Some(p.clone());
    let got = spec::resolve(&src).await.unwrap();
    assert_eq!((got.origin, got.path), (SpecOrigin::Explicit, p));
}

#[tokio::test]
async fn the_shared_copy_has_the_pinned_hash() {
    // dev/CI: ../shared/dbc/dbc-spec-v4.json must be found and pass the check.
    let mut src = SpecSources::new(None, std::path::PathBuf::from("/nonexistent/cache.json"));
    src.use_env = false;
    src.url = "http://127.0.0.1:9/none".into();
    let got = spec::resolve(&src).await.expect("the shared spec");
    assert_eq!(got.origin, SpecOrigin::Shared);
    assert_eq!(got.sha256, spec::SPEC_SHA256);
}

#[tokio::test]
async fn an_installed_package_uses_its_own_copy_and_checks_it() {
    let d = tempfile::tempdir().unwrap();
    let (url, hits) = serve(GOOD).await;
    let bundled = d.path().join("practice/dbc-spec-v4.json");
    std::fs::create_dir_all(bundled.parent().unwrap()).unwrap();
    std::fs::write(&bundled, GOOD).unwrap();
    let mut src = sources(d.path(), &url, &spec::sha256_hex(GOOD));
    src.bundled = Some(bundled.clone());
    let got = spec::resolve(&src).await.unwrap();
    assert_eq!((got.origin, got.path), (SpecOrigin::Bundled, bundled.clone()));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no download when the package has the spec");

    // A damaged copy in the package is refused, not silently replaced.
    std::fs::write(&bundled, b"{\"tampered\":true}").unwrap();
    let e = spec::resolve(&src).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::SpecHashMismatch, "{e:?}");
}
