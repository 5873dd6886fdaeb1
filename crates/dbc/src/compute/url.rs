//! The DBC client's base URL, checked before anything is sent to it.
//!
//! DBC clients speak plain HTTP (`http://host:5002` by default); a client
//! behind a TLS reverse proxy is reached with `https://` and may live under a
//! path prefix. The URL must not carry credentials, a query or a fragment:
//! signed request bodies are the only secret material that travels, and they
//! go in the body, never in the URL.
//!
//! Those bodies are bearer tokens in effect (the signature covers only a
//! nonce the node never records), so plain `http://` is accepted only to
//! this computer or a private network unless the user allowed that client
//! ([`check_transport`]).

use crate::error::{Error, ErrorCode, Result};
use serde_json::json;

/// `invalid-client-url {value, reason}`.
fn bad(value: &str, reason: &str) -> Error {
    Error::new(ErrorCode::InvalidClientUrl, format!("{value:?} is not a DBC client address: {reason}"))
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

/// Whether `host` (as in a URL: an IPv6 literal in brackets) is this
/// computer or on a private network: `localhost`, loopback, 10/8,
/// 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10 (and IPv4 in
/// IPv6 of those). A name other than `localhost` is not: where it points
/// is not known before it is resolved.
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") {
        return true;
    }
    let v4 = |ip: std::net::Ipv4Addr| ip.is_loopback() || ip.is_private() || ip.is_link_local();
    match h.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => v4(ip),
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some_and(v4)
        }
        Err(_) => false,
    }
}

/// Refuse plain `http://` to a public host unless `allow_insecure`:
/// `insecure-client-url {url, host}`. `base` is a normalized base URL.
pub fn check_transport(base: &str, allow_insecure: bool) -> Result<()> {
    let Ok(url) = url::Url::parse(base) else {
        return Err(bad(base, "it is not a URL"));
    };
    let host = url.host_str().unwrap_or_default();
    if url.scheme() == "https" || allow_insecure || is_local_host(host) {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::InsecureClientUrl,
        format!(
            "{base} is plain http to a host outside this computer and its private network: \
             anyone on the way can read and replay the signed requests. Use https, a DBC client \
             on your own network, or allow this client explicitly (--allow-insecure-client)"
        ),
    )
    .with_data(json!({ "url": base, "host": host })))
}

/// Whether `url` is among the DBC clients the user allowed over plain
/// `http://` (`Settings::insecure_clients_allowed`), compared normalized.
/// Pass the answer to `ComputeClient::new_checked`.
pub fn allows_insecure(allowed: &[String], url: &str) -> bool {
    let Ok(want) = normalize_base_url(url) else {
        return false;
    };
    allowed.iter().any(|u| normalize_base_url(u).is_ok_and(|u| u == want))
}

/// Remember in `allowed` that the user allowed plain `http://` to the DBC
/// client at `url` (normalized, once); gives the normalized URL.
pub fn allow_insecure(allowed: &mut Vec<String>, url: &str) -> Result<String> {
    let url = normalize_base_url(url)?;
    if !allows_insecure(allowed, &url) {
        allowed.push(url.clone());
    }
    Ok(url)
}

/// Check and normalize a DBC client list as typed (`Settings::compute_clients`):
/// blanks dropped, each URL normalized, duplicates dropped, order kept.
pub fn normalize_list(list: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for raw in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let url = normalize_base_url(raw)?;
        if !out.contains(&url) {
            out.push(url);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_and_private_ranges() {
        for h in [
            "localhost",
            "LOCALHOST",
            "dbc.localhost",
            "127.0.0.1",
            "127.8.9.1",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.20",
            "169.254.3.4",
            "[::1]",
            "[fd12:3456::1]",
            "[fc00::1]",
            "[fe80::1]",
            "[::ffff:192.168.0.2]",
        ] {
            assert!(is_local_host(h), "{h}");
        }
        for h in [
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "192.169.0.1",
            "11.0.0.1",
            "100.64.0.1",
            "[2001:db8::1]",
            "[::ffff:8.8.8.8]",
            "example.com",
            "localhost.example.com",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_local_host(h), "{h}");
        }
    }

    #[test]
    fn plain_http_to_a_public_host_needs_an_explicit_yes() {
        for ok in ["http://127.0.0.1:5002", "http://10.1.2.3:5052", "http://[::1]:5002", "https://dbc.example.com"] {
            check_transport(ok, false).unwrap();
        }
        for public in ["http://dbc.example.com:5002", "http://116.31.89.150:5052", "http://[2001:db8::1]:5002"] {
            let e = check_transport(public, false).unwrap_err();
            assert_eq!(e.code, ErrorCode::InsecureClientUrl, "{public}");
            assert_eq!(e.data.as_ref().unwrap()["url"], public);
            check_transport(public, true).unwrap();
        }
        assert_eq!(
            check_transport("http://116.31.89.150:5052", false).unwrap_err().data.unwrap()["host"],
            "116.31.89.150"
        );
    }

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(normalize_base_url("http://127.0.0.1:5002").unwrap(), "http://127.0.0.1:5002");
        assert_eq!(normalize_base_url(" http://127.0.0.1:5002/ ").unwrap(), "http://127.0.0.1:5002");
        assert_eq!(normalize_base_url("http://10.0.0.5:5052/api/v1/").unwrap(), "http://10.0.0.5:5052");
        assert_eq!(normalize_base_url("https://dbc.example.com/client/").unwrap(), "https://dbc.example.com/client");
        assert_eq!(
            normalize_base_url("HTTP://Node.Example.com:80").unwrap(),
            "http://node.example.com",
            "default port dropped"
        );
        assert_eq!(normalize_base_url("http://[::1]:5002").unwrap(), "http://[::1]:5002");
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

    #[test]
    fn insecure_clients_are_compared_and_remembered_normalized() {
        let allowed = vec!["http://116.31.89.150:5052".to_string()];
        assert!(allows_insecure(&allowed, "http://116.31.89.150:5052/api/v1/"), "compared normalized");
        assert!(!allows_insecure(&allowed, "http://116.31.89.150:5053"));
        assert!(!allows_insecure(&[], "http://116.31.89.150:5052"));
        let mut s = Vec::new();
        assert_eq!(allow_insecure(&mut s, " http://116.31.89.150:5052/ ").unwrap(), "http://116.31.89.150:5052");
        allow_insecure(&mut s, "http://116.31.89.150:5052").unwrap();
        assert_eq!(s, ["http://116.31.89.150:5052"]);
        assert!(allows_insecure(&s, "http://116.31.89.150:5052"));
        assert_eq!(allow_insecure(&mut s, "ftp://x").unwrap_err().code, ErrorCode::InvalidClientUrl);
        assert_eq!(s.len(), 1, "nothing kept from a refused address");
    }

    #[test]
    fn a_client_list_is_normalized_without_blanks_or_duplicates() {
        let list =
            ["", " http://10.0.0.5:5052/api/v1/ ", "http://10.0.0.5:5052", "http://127.0.0.1:5002"].map(String::from);
        assert_eq!(normalize_list(&list).unwrap(), ["http://10.0.0.5:5052", "http://127.0.0.1:5002"]);
        let bad = normalize_list(&["ftp://x".into()]).unwrap_err();
        assert_eq!(bad.code, ErrorCode::InvalidClientUrl);
    }
}
