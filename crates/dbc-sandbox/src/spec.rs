//! The DBC mainnet chain spec: find it, check it, and write the prepared copy
//! chopsticks starts from.
//!
//! Where the spec comes from, in order (the first that exists wins):
//! 1. a path the caller names (`SandboxConfig::spec`), then `$DBC_CHAIN_SPEC`:
//!    the user pointed at it, so any hash is accepted (with a warning);
//! 2. the copy an installed package ships beside its practice-network bundle
//!    (`<practice dir>/dbc-spec-v4.json`, checked against the pin when the
//!    package is built and again here);
//! 3. `shared/dbc/dbc-spec-v4.json` beside the repository (dev, CI), looked up
//!    from the workspace root, the executable and the working directory;
//! 4. the cached download in `practice/cache/`;
//! 5. a download of the pinned file from DBC's public repository.
//!
//! 2–5 must have the pinned sha256; a file with another hash is refused
//! (`spec-hash-mismatch`), a stale cache is replaced.
//!
//! The prepared copy (sandbox.md §4, §9): `genesis.raw.top` in ascending key
//! order (chopsticks' key iteration assumes it), `Timestamp.Now` set to a
//! 6-second-aligned time (no block-#1 slot race), and the seed's storage baked
//! in (so it survives restarts with `db` + `resume`). The original is never edited.

use dbc::{Error, ErrorCode, Result};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const SPEC_FILE_NAME: &str = "dbc-spec-v4.json";
/// sha256 of `node/cli/res/dbc-spec-v4.json` at commit `cfd4cf7a` (sandbox.md §2).
pub const SPEC_SHA256: &str = "af190f032ecc5ce07a982dea22f098fb03cee645ca7c2cd93e80d982d240b30a";
/// The pinned file in DeepBrainChain/DeepBrainChain-MainChain.
pub const SPEC_URL: &str = "https://raw.githubusercontent.com/DeepBrainChain/DeepBrainChain-MainChain/cfd4cf7ae10b67dbd0a82eb9cbc2cdb1095cc448/node/cli/res/dbc-spec-v4.json";
/// Environment variable naming a spec file explicitly.
pub const SPEC_ENV: &str = "DBC_CHAIN_SPEC";
/// The storage key of `:code` (the runtime wasm).
pub const CODE_KEY: &str = "0x3a636f6465";

/// How the source spec was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecOrigin {
    /// Named by the caller or `$DBC_CHAIN_SPEC`: used whatever its hash.
    Explicit,
    /// Shipped in the installed package, beside the practice-network bundle.
    Bundled,
    /// `shared/dbc/` next to the repository.
    Shared,
    /// A previous download in the cache.
    Cached,
    /// Downloaded just now (and cached).
    Downloaded,
}

/// The original spec file the practice chain is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub path: PathBuf,
    pub sha256: String,
    pub origin: SpecOrigin,
}

/// Where to look and where to download from; tests point `url` at a local server.
#[derive(Debug, Clone)]
pub struct SpecSources {
    pub explicit: Option<PathBuf>,
    /// Also consult `$DBC_CHAIN_SPEC` (off in tests that must not see the developer's env).
    pub use_env: bool,
    /// Also look for `shared/dbc/` copies (off in tests of the download path).
    pub use_shared: bool,
    /// The installed package's copy (`None`: not installed from a package).
    pub bundled: Option<PathBuf>,
    pub cache: PathBuf,
    pub url: String,
    pub expected_sha256: String,
}

impl SpecSources {
    pub fn new(explicit: Option<PathBuf>, cache: PathBuf) -> Self {
        SpecSources {
            explicit,
            use_env: true,
            use_shared: true,
            bundled: None,
            cache,
            url: SPEC_URL.to_string(),
            expected_sha256: SPEC_SHA256.to_string(),
        }
    }
}

/// Find (or download) the spec and check its hash as described in the module docs.
pub async fn resolve(src: &SpecSources) -> Result<SourceSpec> {
    let explicit = src.explicit.clone().or_else(|| {
        if src.use_env {
            std::env::var_os(SPEC_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)
        } else {
            None
        }
    });
    if let Some(path) = explicit {
        let sha256 = sha256_file(&path)?;
        if sha256 != src.expected_sha256 {
            tracing::warn!(path = %path.display(), %sha256, "using a chain spec with another hash than the pinned one, as asked");
        }
        return Ok(SourceSpec { path, sha256, origin: SpecOrigin::Explicit });
    }
    if let Some(path) = src.bundled.as_ref().filter(|p| p.is_file()) {
        let sha256 = sha256_file(path)?;
        check_hash(path, &sha256, &src.expected_sha256)?;
        return Ok(SourceSpec { path: path.clone(), sha256, origin: SpecOrigin::Bundled });
    }
    if src.use_shared {
        if let Some(path) = shared_candidates().into_iter().find(|p| p.is_file()) {
            let sha256 = sha256_file(&path)?;
            check_hash(&path, &sha256, &src.expected_sha256)?;
            return Ok(SourceSpec { path, sha256, origin: SpecOrigin::Shared });
        }
    }
    if src.cache.is_file() {
        let sha256 = sha256_file(&src.cache)?;
        if sha256 == src.expected_sha256 {
            return Ok(SourceSpec { path: src.cache.clone(), sha256, origin: SpecOrigin::Cached });
        }
        tracing::warn!(path = %src.cache.display(), %sha256, "cached chain spec has the wrong hash; downloading it again");
        std::fs::remove_file(&src.cache).map_err(|e| Error::io(&src.cache, &e))?;
    }
    download(&src.url, &src.cache, &src.expected_sha256).await?;
    Ok(SourceSpec { path: src.cache.clone(), sha256: src.expected_sha256.clone(), origin: SpecOrigin::Downloaded })
}

/// `shared/dbc/dbc-spec-v4.json` seen from the workspace root (compile time),
/// the executable's folders and the working directory's folders: both
/// `<dir>/shared/dbc/…` and `<dir>/../shared/dbc/…` for every ancestor.
pub fn shared_candidates() -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    // crates/dbc-sandbox -> workspace root
    roots.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    if let Some(dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
        roots.extend(dir.ancestors().map(Path::to_path_buf));
    }
    if let Ok(cwd) = std::env::current_dir() {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    let mut out = Vec::new();
    for r in roots {
        for c in [r.join("shared/dbc").join(SPEC_FILE_NAME), r.join("../shared/dbc").join(SPEC_FILE_NAME)] {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

fn check_hash(path: &Path, actual: &str, expected: &str) -> Result<()> {
    if actual == expected {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::SpecHashMismatch,
        format!(
            "{} has sha256 {actual}, expected {expected}; refusing it (name it in {SPEC_ENV} to use it anyway)",
            path.display()
        ),
    )
    .with_data(serde_json::json!({"path": path.display().to_string(), "expected": expected, "actual": actual})))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
    Ok(sha256_hex(&bytes))
}

/// Download `url` to `dest` (atomically), refusing a body with another hash.
pub async fn download(url: &str, dest: &Path, expected_sha256: &str) -> Result<()> {
    let unavailable = |reason: String| {
        Error::new(ErrorCode::SpecUnavailable, format!("could not download the chain spec from {url}: {reason}"))
            .with_data(serde_json::json!({"url": url, "reason": reason}))
    };
    crate::install_crypto_provider();
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(300))
        .build()
        .map_err(|e| unavailable(e.to_string()))?;
    tracing::info!(%url, "downloading the DBC chain spec");
    let resp = client.get(url).send().await.map_err(|e| unavailable(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(unavailable(format!("HTTP {}", resp.status())));
    }
    let body = resp.bytes().await.map_err(|e| unavailable(e.to_string()))?;
    let actual = sha256_hex(&body);
    check_hash(Path::new(url), &actual, expected_sha256)?;
    dbc::paths::write_atomic(dest, &body).map_err(|e| Error::io(dest, &e))?;
    Ok(())
}

/// A parsed spec.
pub struct Spec {
    pub json: Value,
}

impl Spec {
    pub fn read(path: &Path) -> Result<Spec> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(ErrorCode::StorageCorrupt, format!("{} is not a chain spec: {e}", path.display()))
                .with_data(serde_json::json!({"path": path.display().to_string()}))
        })?;
        if json.pointer("/genesis/raw/top").and_then(Value::as_object).is_none() {
            return Err(Error::new(ErrorCode::StorageCorrupt, format!("{} has no genesis.raw.top", path.display()))
                .with_data(serde_json::json!({"path": path.display().to_string()})));
        }
        Ok(Spec { json })
    }

    fn top(&self) -> &Map<String, Value> {
        self.json.pointer("/genesis/raw/top").and_then(Value::as_object).expect("checked in read")
    }

    /// A raw storage value of genesis, by key bytes.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let k = format!("0x{}", hex::encode(key));
        self.top().get(&k).and_then(Value::as_str).and_then(|v| hex::decode(v.trim_start_matches("0x")).ok())
    }

    /// sha256 of the runtime wasm (`:code`), the key of the metadata cache.
    pub fn code_sha256(&self) -> Result<String> {
        let code = self
            .top()
            .get(CODE_KEY)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(ErrorCode::StorageCorrupt, "the chain spec has no :code"))?;
        Ok(sha256_hex(code.as_bytes()))
    }

    pub fn key_count(&self) -> usize {
        self.top().len()
    }

    /// Write the prepared copy: `extra` entries set (overriding genesis ones),
    /// then every key in ascending order.
    pub fn write_prepared(&self, extra: &[(Vec<u8>, Vec<u8>)], out: &Path) -> Result<()> {
        let mut entries: Vec<(String, Value)> =
            self.top().iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
        let mut by_key: std::collections::BTreeMap<String, Value> = entries.drain(..).collect();
        for (k, v) in extra {
            by_key.insert(format!("0x{}", hex::encode(k)), Value::String(format!("0x{}", hex::encode(v))));
        }
        // Insert in ascending order: the result is sorted whether serde_json's
        // Map keeps insertion order (preserve_order) or sorts (BTreeMap).
        let mut top = Map::new();
        for (k, v) in by_key {
            top.insert(k, v);
        }
        let mut json = self.json.clone();
        *json.pointer_mut("/genesis/raw/top").expect("checked in read") = Value::Object(top);
        let bytes = serde_json::to_vec(&json).map_err(|e| Error::internal(e.to_string()))?;
        dbc::paths::write_atomic(out, &bytes).map_err(|e| Error::io(out, &e))
    }
}

/// Now, rounded down to a multiple of the 6-second slot (sandbox.md §4.2).
pub fn aligned_now_ms() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
    now - now % 6000
}

/// True if the keys of a spec's `genesis.raw.top` are in ascending order as
/// written in the file (a parsed map cannot tell, so scan the text).
pub fn keys_sorted_in_file(path: &Path) -> Result<bool> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    let start = text.find("\"top\"").ok_or_else(|| Error::internal("the spec has no top"))?;
    let body = &text[start..];
    let body = &body[body.find('{').ok_or_else(|| Error::internal("the spec has no top"))? + 1..];
    let mut last: Option<&str> = None;
    let mut rest = body;
    loop {
        rest = rest.trim_start();
        if rest.starts_with('}') || rest.is_empty() {
            return Ok(true);
        }
        // "key" : "value" ,
        let k_end = rest[1..].find('"').ok_or_else(|| Error::internal("unterminated key"))? + 1;
        let key = &rest[1..k_end];
        if last.is_some_and(|l| key <= l) {
            return Ok(false);
        }
        last = Some(key);
        rest = rest[k_end + 1..].trim_start().trim_start_matches(':').trim_start();
        let v_end = rest[1..].find('"').ok_or_else(|| Error::internal("unterminated value"))? + 1;
        rest = rest[v_end + 1..].trim_start().trim_start_matches(',');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_spec(dir: &Path) -> PathBuf {
        let p = dir.join("spec.json");
        std::fs::write(
            &p,
            r#"{"name":"x","genesis":{"raw":{"top":{"0x02":"0x01","0x3a636f6465":"0xabcd","0x01":"0x02"},"childrenDefault":{}}}}"#,
        )
        .unwrap();
        p
    }

    #[test]
    fn prepared_copy_is_sorted_and_has_the_extra_keys() {
        let d = tempfile::tempdir().unwrap();
        let spec = Spec::read(&tiny_spec(d.path())).unwrap();
        let out = d.path().join("out.json");
        spec.write_prepared(&[(vec![0x01], vec![0xff]), (vec![0x00, 0x01], vec![0x07])], &out).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let i = |k: &str| text.find(k).unwrap();
        assert!(
            i("\"0x0001\"") < i("\"0x01\"") && i("\"0x01\"") < i("\"0x02\"") && i("\"0x02\"") < i("\"0x3a636f6465\"")
        );
        let again = Spec::read(&out).unwrap();
        assert_eq!(again.get(&[0x01]), Some(vec![0xff]), "extra entries override genesis ones");
        assert_eq!(again.get(&[0x02]), Some(vec![0x01]));
        assert!(keys_sorted_in_file(&out).unwrap());
        assert!(!keys_sorted_in_file(&tiny_spec(d.path())).unwrap());
        assert_eq!(spec.code_sha256().unwrap(), sha256_hex(b"0xabcd"));
    }

    #[test]
    fn aligned_to_six_seconds() {
        assert_eq!(aligned_now_ms() % 6000, 0);
    }
}
