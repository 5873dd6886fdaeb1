//! The last market seen, on disk, so the list appears at once on the next
//! start (marked as cached until the chain has been read again).
//!
//! One file per chain (`market-<genesis prefix>.json`): mainnet and a practice
//! network never show each other's machines. The file carries a format number;
//! a file of another format, or one that does not parse, is treated as absent
//! (with a warning in the log): a cache is a convenience and must never keep
//! the app from starting. Only a real IO error (permissions, a broken disk)
//! is reported as an error.

use super::load::Market;
use crate::error::{Error, Result};
use crate::paths;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Bump whenever `Market` or `Machine` change shape or meaning (a new field
/// filled by the loader, a changed unit): old files are then ignored rather
/// than shown with the new field missing. Serde fills a missing `Option`
/// field with `None` silently, so the number is the only reliable guard.
/// 2: `Machine.country` and `Machine.region`.
/// 3: `Machine.free_gpus` is 0 for a machine that cannot be rented.
pub const FORMAT: u32 = 3;

/// A market read back from disk, with when it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedMarket {
    pub market: Market,
    /// Unix seconds.
    pub saved_at: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileOut<'a> {
    format: u32,
    saved_at: u64,
    market: &'a Market,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileIn {
    saved_at: u64,
    market: Market,
}

/// Read first and alone, so a file of another format is recognised as such
/// even when its market no longer parses.
#[derive(Deserialize)]
struct Header {
    format: Option<u32>,
}

/// `<data_dir>/cache/market-<first 16 hex digits of the genesis hash>.json`.
/// `genesis_hash` may carry a `0x` prefix and any case.
pub fn cache_path(data_dir: &Path, genesis_hash: &str) -> PathBuf {
    let hex = genesis_hash.trim();
    let hex = hex.strip_prefix("0x").or_else(|| hex.strip_prefix("0X")).unwrap_or(hex);
    let short: String = hex.chars().filter(char::is_ascii_hexdigit).take(16).collect::<String>().to_ascii_lowercase();
    data_dir.join("cache").join(format!("market-{short}.json"))
}

/// Write `market` to `path` atomically (a crash leaves the old file or the
/// new one), creating the folder.
pub fn save(path: &Path, market: &Market) -> Result<()> {
    let file = FileOut { format: FORMAT, saved_at: now_unix(), market };
    let bytes = serde_json::to_vec(&file).map_err(|e| Error::internal(format!("serializing the market cache: {e}")))?;
    paths::write_atomic(path, &bytes).map_err(|e| Error::io(path, &e))
}

/// Read the market saved at `path`. `Ok(None)` when there is none, or when the
/// file is corrupt or of another format (logged); `Err` only for IO errors.
pub fn load(path: &Path) -> Result<Option<CachedMarket>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, &e)),
    };
    let ignore = |why: String| {
        tracing::warn!(path = %path.display(), "ignoring the market cache: {why}");
        Ok(None)
    };
    match serde_json::from_slice::<Header>(&bytes) {
        Ok(Header { format: Some(FORMAT) }) => {}
        Ok(Header { format }) => {
            return ignore(format!("format {} is not {FORMAT}", format.map_or("none".into(), |f| f.to_string())))
        }
        Err(e) => return ignore(format!("not readable JSON: {e}")),
    }
    match serde_json::from_slice::<FileIn>(&bytes) {
        Ok(f) => Ok(Some(CachedMarket { market: f.market, saved_at: f.saved_at })),
        Err(e) => ignore(format!("does not match the market format: {e}")),
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::machine::tests::machine_value;
    use crate::market::{Machine, PricingParams};
    use crate::units::DBC;
    use scale_value::{Composite, Value};

    fn market() -> Market {
        let online = Value::variant("Online", Composite::unnamed([]));
        let mut m = Machine::from_value("7a".repeat(32), &machine_value(online, 4, true), 1);
        m.rented_until = Some(12_345);
        m.extra_price_per_gpu = Some(7);
        Market {
            block_number: 42,
            block_hash: format!("0x{}", "ab".repeat(32)),
            // Beyond 2^64: must survive the JSON round trip exactly.
            params: PricingParams { fixed_tx_fee: Some(u128::from(u64::MAX) * DBC), ..PricingParams::example() },
            ..Market::example(vec![m])
        }
    }

    #[test]
    fn path_is_per_chain() {
        let dir = Path::new("/data");
        let g = "0x03AA6B475A03F8BAF7F83E4E1A9B8F9A1F5E4A83F5C3B2A1D0E9F8C7B6A58ADD";
        assert_eq!(cache_path(dir, g), PathBuf::from("/data/cache/market-03aa6b475a03f8ba.json"));
        assert_eq!(cache_path(dir, &g[2..]), cache_path(dir, g));
        assert_ne!(cache_path(dir, &format!("0x{}", "45".repeat(32))), cache_path(dir, g));
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(&dir.path().join("nested"), "0x4545454545454545");
        let before = now_unix();
        save(&path, &market()).unwrap();
        let got = load(&path).unwrap().expect("cached market");
        assert_eq!(got.market, market());
        assert!(got.saved_at >= before && got.saved_at <= now_unix());
        // Saving again replaces the file.
        let mut newer = market();
        newer.block_number = 43;
        save(&path, &newer).unwrap();
        assert_eq!(load(&path).unwrap().unwrap().market.block_number, 43);
    }

    #[test]
    fn missing_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&dir.path().join("cache/market-none.json")).unwrap(), None);
    }

    #[test]
    fn corrupt_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("market.json");
        let truncated = format!(r#"{{"format": {FORMAT}, "savedAt": 5, "market": {{"blockNum"#);
        for junk in [truncated.as_bytes(), b"\x00\xff garbage", b"[]", b""] {
            std::fs::write(&path, junk).unwrap();
            assert_eq!(load(&path).unwrap(), None, "{:?}", String::from_utf8_lossy(junk));
        }
        // The right format number but a market of another shape.
        std::fs::write(&path, format!(r#"{{"format": {FORMAT}, "savedAt": 5, "market": {{"machines": 3}}}}"#)).unwrap();
        assert_eq!(load(&path).unwrap(), None);
    }

    #[test]
    fn other_format_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("market.json");
        save(&path, &market()).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        v["format"] = (FORMAT + 1).into();
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), None, "a newer format");
        v["format"] = (FORMAT - 1).into();
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), None, "an older format");
        v.as_object_mut().unwrap().remove("format");
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), None, "no format at all");
    }

    #[cfg(unix)]
    #[test]
    fn io_error_is_an_error() {
        // A folder where the file should be: reading it is an IO error, not "absent".
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Io);
    }
}
