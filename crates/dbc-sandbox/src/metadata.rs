//! The runtime metadata of the spec's `:code` (spec 400, V14), used to encode
//! the seed offline and to read the chain.
//!
//! Obtained without a running chain: `js/metadata.cjs` runs the runtime's own
//! `Metadata_metadata` in chopsticks' wasm executor (~3–5 s, mostly wasm
//! compilation), then the bytes are cached under `practice/cache/`, keyed by
//! the sha256 of `:code`, so later starts read them in milliseconds.
//!
//! The script's ~700 KB answer comes through a pipe; it exits only after the
//! pipe has taken all of it (Node would otherwise drop the rest at exit when
//! this side reads slowly, e.g. on a busy machine), and a reply without its
//! final newline is refused as cut short.

use crate::js::JsEnv;
use codec::Decode;
use dbc::{Error, ErrorCode, Result};
use std::path::Path;
use subxt::metadata::Metadata;

/// Metadata plus its SCALE bytes (`RuntimeMetadataPrefixed`, starting `meta`).
pub struct RuntimeMetadata {
    pub metadata: Metadata,
    pub bytes: Vec<u8>,
}

/// Load from `cache`, or extract from `spec_path` with the executor and cache it.
pub async fn load(js: &JsEnv, spec_path: &Path, cache: &Path) -> Result<RuntimeMetadata> {
    if let Ok(bytes) = std::fs::read(cache) {
        match Metadata::decode_from(&bytes) {
            Ok(metadata) => return Ok(RuntimeMetadata { metadata, bytes }),
            Err(e) => {
                tracing::warn!(path = %cache.display(), "cached metadata unreadable ({e}); extracting again")
            }
        }
    }
    let bytes = extract(js, spec_path).await?;
    let metadata = Metadata::decode_from(&bytes)
        .map_err(|e| Error::internal(format!("the runtime returned metadata subxt cannot read: {e}")))?;
    dbc::paths::write_atomic(cache, &bytes).map_err(|e| Error::io(cache, &e))?;
    Ok(RuntimeMetadata { metadata, bytes })
}

/// Run `Metadata_metadata` offline; returns `RuntimeMetadataPrefixed` bytes.
pub async fn extract(js: &JsEnv, spec_path: &Path) -> Result<Vec<u8>> {
    let script = js.script("metadata.cjs");
    let out = tokio::process::Command::new(&js.node)
        .arg(&script)
        .arg(spec_path)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| Error::new(ErrorCode::NodeMissing, format!("cannot run {}: {e}", js.node.display())))?;
    if !out.status.success() {
        return Err(Error::internal(format!(
            "reading the runtime metadata failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // The script ends its one line with a newline once everything is written;
    // without it the output was cut short (see metadata.cjs), which must not
    // pass for metadata.
    if !text.ends_with('\n') {
        return Err(Error::internal(format!(
            "metadata.cjs exited before its output was complete ({} bytes, no final newline)",
            out.stdout.len()
        )));
    }
    let opaque = hex::decode(text.trim().trim_start_matches("0x"))
        .map_err(|e| Error::internal(format!("metadata.cjs printed no hex: {e}")))?;
    // `Metadata_metadata` returns `OpaqueMetadata`, a SCALE `Vec<u8>`.
    Vec::<u8>::decode(&mut &opaque[..]).map_err(|e| Error::internal(format!("metadata is not a SCALE Vec<u8>: {e}")))
}
