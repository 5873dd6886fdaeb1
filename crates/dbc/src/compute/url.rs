//! The DBC client's base URL, checked before anything is sent to it.
//!
//! DBC clients speak plain HTTP (`http://host:5002` by default); a client
//! behind a TLS reverse proxy is reached with `https://` and may live under a
//! path prefix. The URL must not carry credentials, a query or a fragment:
//! signed request bodies are the only secret material that travels, and they
//! go in the body, never in the URL.

use crate::error::{Error, ErrorCode, Result};
use serde_json::json;

/// `invalid-client-url {value, reason}`.
fn bad(value: &str, reason: &str) -> Error {
    Error::new(
        ErrorCode::InvalidClientUrl,
        format!("{value:?} is not a DBC client address: {reason}"),
    )
    .with_data(json!({ "value": value, "reason": reason }))
}

/// Check `input` and return the normalized base, `scheme://host[:port][/prefix]`
/// without a trailing slash. A pasted `…/api/v1` or `…/api/v1/` suffix is
/// dropped, since every route is appended to the base with it.
pub fn normalize_base_url(input: &str) -> Result<String> {
    let value = input.trim();
    if value.is_empty() {
        return Err(bad(value, "it is empty"));
    }
    if !value.contains("://") {
        return Err(bad(value, "it must start with http:// or https://"));
    }
    let url = url::Url::parse(value).map_err(|e| bad(value, &format!("it is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(value, "it must start with http:// or https://"));
    }
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h,
        _ => return Err(bad(value, "it has no host")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(value, "it must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(value, "it must not have a query (?…) or fragment (#…)"));
    }
    if url.port() == Some(0) {
        return Err(bad(value, "port 0 is not a port"));
    }
    let mut path = url.path().trim_end_matches('/').to_string();
    if let Some(prefix) = path.strip_suffix("/api/v1") {
        path = prefix.to_string();
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    // `host_str` keeps the brackets of an IPv6 literal.
    Ok(format!("{}://{host}{port}{path}", url.scheme()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:5002").unwrap(),
            "http://127.0.0.1:5002"
        );
        assert_eq!(
            normalize_base_url(" http://127.0.0.1:5002/ ").unwrap(),
            "http://127.0.0.1:5002"
        );
        assert_eq!(
            normalize_base_url("http://10.0.0.5:5052/api/v1/").unwrap(),
            "http://10.0.0.5:5052"
        );
        assert_eq!(
            normalize_base_url("https://dbc.example.com/client/").unwrap(),
            "https://dbc.example.com/client"
        );
        assert_eq!(
            normalize_base_url("HTTP://Node.Example.com:80").unwrap(),
            "http://node.example.com",
            "default port dropped"
        );
        assert_eq!(
            normalize_base_url("http://[::1]:5002").unwrap(),
            "http://[::1]:5002"
        );
    }

    #[test]
    fn refuses_with_a_reason() {
        let reason = |s: &str| {
            let e = normalize_base_url(s).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidClientUrl, "{s}");
            e.data.unwrap()["reason"].as_str().unwrap().to_string()
        };
        assert!(reason("").contains("empty"));
        assert!(reason("127.0.0.1:5002").contains("http"), "no scheme");
        assert!(reason("ftp://host:21").contains("http"));
        assert!(reason("ws://host:5002").contains("http"));
        assert!(reason("http://user:pw@host:5002").contains("user name"));
        assert!(reason("http://host:5002/?x=1").contains("query"));
        assert!(reason("http://host:5002/#top").contains("fragment"));
        assert!(reason("http://host:0").contains("port 0"));
        assert!(reason("http://host:70000").contains("not a URL"));
        assert!(reason("http://").contains("not a URL") || reason("http://").contains("host"));
    }
}
