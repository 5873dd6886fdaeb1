//! Keeping secrets out of logs.
//!
//! Two layers, because one mistake must not leak a wallet:
//! 1. [`Sensitive`] wraps a value whose `Debug`/`Display` print `[redacted]`,
//!    so `tracing::info!(?x)` on a struct holding one cannot print it.
//! 2. [`scrub`] runs over every formatted log line (the log writer applies
//!    it) and blanks what looks like a secret even when code logged it by
//!    mistake: values of fields named like `password`, `mnemonic`, `seed`,
//!    `secret`, `private_key` (also plural, and as `Some("…")` or a list
//!    `["…"]` in `Debug` output), and the short names `sign`, `nonce`, `pw`,
//!    `pass`, `token`, `auth` (a DBC client request's credentials); a
//!    `///password` in a derivation URI, to the end of the value (it may hold
//!    spaces); and any run of 12 or more BIP-39 words in any case, split by
//!    spaces, tabs or newlines (raw or `\n`-escaped in a JSON line).

use regex::Regex;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

pub const REDACTED: &str = "[redacted]";

/// A value that must never be printed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T>(pub T);

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

fn secret_field() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `name=value`, `name: value`, `"name":"value"`; the name ends in a secret word.
    RE.get_or_init(|| {
        Regex::new(concat!(
            // A name ending in a secret word (plural too), or one of the short
            // names, whole or as the last `_` part (`session_id_sign`).
            r#"(?i)\b([a-z0-9_]*(?:password|passphrase|passwd|mnemonic|phrase|seed|secret|private_?key|secret_?key)s?"#,
            r#"|(?:[a-z0-9]+_)*(?:sign|signature|nonce|pw|pass|token|auth)s?)\b"#,
            r#"("?\s*[:=]\s*)"#,
            // Some("…") | a list [...] | a JSON string | a quoted value inside
            // a JSON string | a bare token
            r#"(Some\((?:"(?:[^"\\]|\\.)*"|\\"(?:[^\\]|\\[^"])*\\"|[^)]*)\)|\[[^\]]*\]"#,
            r#"|"(?:[^"\\]|\\.)*"|\\"(?:[^\\]|\\[^"])*\\"|[^\s,}\]"\\]+)"#,
        ))
        .expect("valid regex")
    })
}

fn uri_password() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // To the end of the value: the password may hold spaces, so only the
    // end of a (JSON) string or of the line stops it.
    RE.get_or_init(|| Regex::new(r#"///(?:[^"\\\r\n]|\\[^"])+"#).expect("valid regex"))
}

/// A word, or a JSON escape that separates words (`\n`, `\t`, `\r`).
fn word_token() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\\[nrt]|[A-Za-z]+").expect("valid regex"))
}

fn bip39_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| bip39::Language::English.word_list().iter().copied().collect())
}

/// Shortest run of BIP-39 words treated as a mnemonic.
const MNEMONIC_RUN: usize = 12;

/// Whether the text between two words only separates them: whitespace,
/// light punctuation, or JSON escapes of line breaks and tabs.
fn separates(gap: &str) -> bool {
    gap.replace("\\n", " ")
        .replace("\\r", " ")
        .replace("\\t", " ")
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\'' | '-'))
}

/// Blank runs of at least 12 consecutive BIP-39 words (any case) separated
/// only by whitespace, light punctuation or escaped line breaks.
fn scrub_mnemonic_runs(line: &str) -> Cow<'_, str> {
    let words = bip39_words();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<(usize, usize, usize)> = None; // (start, end, count)
    for m in word_token().find_iter(line).filter(|m| !m.as_str().starts_with('\\')) {
        let is_word = m.len() <= 8 && words.contains(m.as_str().to_ascii_lowercase().as_str());
        let joined = run.is_some_and(|(_, end, _)| separates(&line[end..m.start()]));
        match (is_word, joined, run) {
            (true, true, Some((s, _, n))) => run = Some((s, m.end(), n + 1)),
            (true, _, prev) => {
                if let Some((s, e, n)) = prev {
                    if n >= MNEMONIC_RUN {
                        runs.push((s, e));
                    }
                }
                run = Some((m.start(), m.end(), 1));
            }
            (false, _, prev) => {
                if let Some((s, e, n)) = prev {
                    if n >= MNEMONIC_RUN {
                        runs.push((s, e));
                    }
                }
                run = None;
            }
        }
    }
    if let Some((s, e, n)) = run {
        if n >= MNEMONIC_RUN {
            runs.push((s, e));
        }
    }
    if runs.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for (s, e) in runs {
        out.push_str(&line[last..s]);
        out.push_str(REDACTED);
        last = e;
    }
    out.push_str(&line[last..]);
    Cow::Owned(out)
}

/// Remove anything that looks like a secret from one formatted log line.
pub fn scrub(line: &str) -> Cow<'_, str> {
    // The replacement keeps a JSON log line valid JSON: a value after a
    // JSON key (`"seed":123`) or a JSON string value becomes a JSON string;
    // anything inside a string becomes the bare marker.
    let a = secret_field().replace_all(line, |c: &regex::Captures| {
        let (key, sep, value) = (&c[1], &c[2], &c[3]);
        if sep.starts_with('"') || value.starts_with('"') {
            format!("{key}{sep}\"{REDACTED}\"")
        } else {
            format!("{key}{sep}{REDACTED}")
        }
    });
    let b = match uri_password().replace_all(&a, format!("///{REDACTED}")) {
        Cow::Borrowed(_) => a,
        Cow::Owned(s) => Cow::Owned(s),
    };
    match scrub_mnemonic_runs(&b) {
        Cow::Borrowed(_) => b,
        Cow::Owned(s) => Cow::Owned(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    #[test]
    fn sensitive_never_prints() {
        let s = Sensitive("hunter2".to_string());
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
    }

    #[test]
    fn scrubs_secret_fields_in_text_and_json() {
        let out = scrub(r#"unlock password=hunter2 user=bob"#);
        assert!(!out.contains("hunter2") && out.contains("user=bob"), "{out}");
        let out = scrub(r#"{"fields":{"wallet_password":"a \"quoted\" pw","seed":"0xabc","n":1}}"#);
        assert!(!out.contains("quoted") && !out.contains("0xabc") && out.contains(r#""n":1"#), "{out}");
        let out = scrub("Mnemonic: walk fit");
        assert!(!out.contains("walk"), "{out}");
    }

    #[test]
    fn json_lines_stay_valid_json() {
        let cases = [
            (r#"{"fields":{"message":"boom with secret=abc123","n":1}}"#, "abc123"),
            (r#"{"fields":{"seed":123456,"n":1}}"#, "123456"),
            (r#"{"fields":{"password":"x\"y","n":1}}"#, "x\\\"y"),
            (r#"{"fields":{"message":"set password=\"hunter2\" now","n":1}}"#, "hunter2"),
            (r#"{"fields":{"message":"derive //a///pw\"q","n":1}}"#, "pw"),
        ];
        for (line, secret) in cases {
            let out = scrub(line);
            let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
            assert!(!out.contains(secret), "{secret} left in {out}");
            assert_eq!(v["fields"]["n"], 1, "{out}");
        }
    }

    #[test]
    fn leaves_innocent_fields_alone() {
        let line = "seed_count=60 block=0xdeadbeef machines_seeded=3";
        assert_eq!(scrub(line), line);
    }

    #[test]
    fn scrubs_mnemonic_runs_and_uri_passwords() {
        let out = scrub(&format!("imported {DEV} ok")).into_owned();
        assert_eq!(out, "imported [redacted] ok");
        let out = scrub(&format!("\"{DEV}\"")).into_owned();
        assert!(!out.contains("lonely"), "{out}");
        // The password runs to the end of the value: it may hold spaces.
        let out = scrub("derive //hard/soft///s3cret now");
        assert_eq!(out, "derive //hard/soft///[redacted]");
        let out = scrub("derive //hard///pass word");
        assert_eq!(out, "derive //hard///[redacted]");
        let line = r#"{"fields":{"message":"derive //a///pass word, more","n":1}}"#;
        let out = scrub(line);
        assert!(!out.contains("word") && !out.contains("more"), "{out}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["fields"]["n"], 1);
    }

    #[test]
    fn mnemonics_in_any_case_and_split_by_line_breaks() {
        let upper = DEV.to_uppercase();
        assert_eq!(scrub(&format!("words {upper} 42")), "words [redacted] 42");
        let title: Vec<String> = DEV.split(' ').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
        assert_eq!(scrub(&title.join(" ")), "[redacted]");
        let lines = DEV.replace(' ', "\n");
        assert_eq!(scrub(&lines), "[redacted]");
        let tabs = DEV.replace(' ', "\t");
        assert_eq!(scrub(&tabs), "[redacted]");
        let mixed = DEV.replace(' ', " \r\n ");
        assert_eq!(scrub(&mixed), "[redacted]");
        // Inside a JSON line the breaks are escapes: still one run, and the
        // line stays valid JSON.
        let json_line =
            serde_json::json!({"fields": {"message": DEV.replace(' ', "\n").to_uppercase(), "n": 1}}).to_string();
        let out = scrub(&json_line);
        assert!(!out.to_lowercase().contains("lonely"), "{out}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["fields"]["n"], 1);
        let tabbed = serde_json::json!({"m": DEV.replace(' ', "\t")}).to_string();
        assert!(!scrub(&tabbed).contains("lonely"));
    }

    #[test]
    fn debug_shapes_and_short_credential_names() {
        for (line, secret) in [
            (r#"Opts { password: Some("hunter2"), n: 1 }"#, "hunter2"),
            (r#"Opts { passwords: ["hunter2", "other"], n: 1 }"#, "other"),
            (r#"Opts { password: Some(hunter2), n: 1 }"#, "hunter2"),
            ("sign=0xabcdef0123 wallet=5Grw", "abcdef"),
            ("nonce: Xk9aQ2 route=/api", "Xk9aQ2"),
            ("pw=hunter2 ok", "hunter2"),
            ("pass: hunter2 ok", "hunter2"),
            ("token=eyJhbGci ok", "eyJhbGci"),
            ("auth=Basic_dXNlcg ok", "dXNlcg"),
            ("session_id_sign=ab12cd ok", "ab12cd"),
            (r#"{"wallet":"5Grw","nonce":"Xk9aQ2","sign":"0xdeadbeef"}"#, "deadbeef"),
            (r#"{"wallet":"5Grw","nonce":"Xk9aQ2","sign":"0xdeadbeef"}"#, "Xk9aQ2"),
            ("PASSWORD=hunter2", "hunter2"),
        ] {
            let out = scrub(line);
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        let json_debug = serde_json::json!({"fields": {"message": r#"Opts { password: Some("x"y"), passwords: ["a", "b"] }"#, "n": 1}}).to_string();
        let out = scrub(&json_debug);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(v["fields"]["n"], 1);
        assert!(!out.contains("x\\\"y") && !out.contains(r#""a""#), "{out}");
        // Words that merely contain the short names are left alone.
        for innocent in ["design=flat", "bypass=3", "authority=chain", "signal=ok", "passport=none", "wallet=5Grw"] {
            assert_eq!(scrub(innocent), innocent);
        }
    }

    #[test]
    fn short_word_runs_survive() {
        let line = "the machine is about to expire soon";
        assert_eq!(scrub(line), line);
        // 11 BIP-39 words are not a mnemonic.
        let eleven: Vec<&str> = DEV.split(' ').take(11).collect();
        assert_eq!(scrub(&eleven.join(" ")), eleven.join(" "));
    }
}
