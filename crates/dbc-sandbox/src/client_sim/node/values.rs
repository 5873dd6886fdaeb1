//! How the node reads request values and writes its own: C-like parsing of
//! the `additional` strings, the generated passwords and task ids, node-local
//! time stamps and the masked IP of `mining_nodes`. Pure functions, no state.

use std::time::SystemTime;

use serde_json::{Map, Value};

/// `JSON_PARSE_STRING`: the value if it is a JSON string, else "" (numbers are ignored).
pub(super) fn s(add: &Map<String, Value>, key: &str) -> String {
    add.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// C `atoi`: leading whitespace, optional sign, digits; 0 when none.
pub(super) fn atoi(v: &str) -> i64 {
    let t = v.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).take(18).collect();
    let n: i64 = digits.parse().unwrap_or(0);
    if neg {
        -n
    } else {
        n
    }
}

pub(super) fn is_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

const PWD_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+[]@#^";

/// `genpwd()`: a letter, then 15 characters of `[A-Za-z0-9_/+[]@#^]`.
pub(crate) fn genpwd() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let mut p = String::with_capacity(16);
    p.push(PWD_CHARS[rng.gen_range(0..52)] as char);
    for _ in 0..15 {
        p.push(PWD_CHARS[rng.gen_range(0..PWD_CHARS.len())] as char);
    }
    p
}

/// `util::create_task_id()`-like: 22 base58 characters.
pub(super) fn create_task_id() -> String {
    use rand::Rng;
    const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut rng = rand::thread_rng();
    (0..22).map(|_| B58[rng.gen_range(0..B58.len())] as char).collect()
}

/// Node-local time, `%Y-%m-%d %H:%M:%S` (and `.%f` for log lines).
pub(crate) fn local_time(t: SystemTime, micros: bool) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    let base = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    if micros {
        format!("{base}.{:06}", d.subsec_micros())
    } else {
        base
    }
}

pub(super) fn time_tag(t: SystemTime) -> String {
    local_time(t, false).replace([' ', ':'], "-")
}

/// `hide_ip_addr`: `116.31.89.150` -> `*.31.*.150`.
pub(super) fn mask_ip(ip: &str) -> String {
    let p: Vec<&str> = ip.split('.').collect();
    if p.len() == 4 {
        format!("*.{}.*.{}", p[1], p[3])
    } else {
        ip.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genpwd_shape() {
        for _ in 0..200 {
            let p = genpwd();
            assert_eq!(p.len(), 16);
            assert!(p.as_bytes()[0].is_ascii_alphabetic());
            assert!(p.bytes().all(|b| PWD_CHARS.contains(&b)));
        }
    }

    #[test]
    fn atoi_is_c_like() {
        assert_eq!(atoi("12"), 12);
        assert_eq!(atoi(" 7x"), 7);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("abc"), 0);
    }

    #[test]
    fn additional_values_must_be_strings() {
        let m: Map<String, Value> = serde_json::from_str(r#"{"a":"1","b":1}"#).unwrap();
        assert_eq!(s(&m, "a"), "1");
        assert_eq!(s(&m, "b"), "");
    }

    #[test]
    fn masks_ip_like_the_node() {
        assert_eq!(mask_ip("116.31.89.150"), "*.31.*.150");
    }
}
