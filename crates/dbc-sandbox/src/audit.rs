//! The log audit (issue 12): after a whole flow, every file the app wrote
//! under its data dir is scanned for the secrets of that flow. Shared by the
//! CLI's VM test and the e2e rental run, so both look for the same things.

use std::path::{Path, PathBuf};

/// What to look for. The mnemonic counts as leaked when three of its words
/// stand in a row (any case, any separator between them), so a phrase cut
/// into a log line or re-cased by a formatter is still found.
pub struct Secrets<'a> {
    pub mnemonic: &'a str,
    /// `(what, value)`: passwords and the like, found as written.
    pub plain: Vec<(&'a str, String)>,
    /// Request signatures (hex, `0x` or not), found in any case.
    pub signatures: &'a [String],
}

/// Every leak under `dir` as "path: what"; `skip` are directories not the
/// app's (the practice network's own files, which stand in for the remote side).
pub fn scan(dir: &Path, skip: &[PathBuf], secrets: &Secrets<'_>) -> Vec<String> {
    let words: Vec<String> = secrets.mnemonic.split_whitespace().map(str::to_lowercase).collect();
    let mut leaks = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !skip.contains(&p) {
                    stack.push(p);
                }
                continue;
            }
            let Ok(bytes) = std::fs::read(&p) else { continue };
            let raw = String::from_utf8_lossy(&bytes);
            let text = raw.to_lowercase();
            let tokens: Vec<&str> = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|t| !t.is_empty()).collect();
            if words.len() >= 3 && tokens.windows(3).any(|w| words.windows(3).any(|m| m == w)) {
                leaks.push(format!("{}: mnemonic words", p.display()));
            }
            for (what, secret) in &secrets.plain {
                if !secret.is_empty() && raw.contains(secret.as_str()) {
                    leaks.push(format!("{}: {what}", p.display()));
                }
            }
            for sig in secrets.signatures {
                let bare = sig.trim_start_matches("0x").to_lowercase();
                if bare.len() >= 32 && text.contains(&bare) {
                    leaks.push(format!("{}: request signature", p.display()));
                }
            }
        }
    }
    leaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind_of_leak_and_skips_what_it_is_told() {
        let d = tempfile::tempdir().unwrap();
        let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
        std::fs::create_dir_all(d.path().join("logs")).unwrap();
        std::fs::create_dir_all(d.path().join("practice")).unwrap();
        std::fs::write(d.path().join("logs/a.log"), "words: Lake\nCURTAIN\tsmoke end").unwrap();
        std::fs::write(d.path().join("b.json"), r#"{"pw":"hunter2-long","sig":"0xABCDEF0123456789ABCDEF0123456789"}"#)
            .unwrap();
        std::fs::write(d.path().join("practice/chain.db"), phrase).unwrap();
        std::fs::write(d.path().join("clean.txt"), "lake and smoke, not in a row: lake x curtain").unwrap();
        let sigs = vec!["0xabcdef0123456789abcdef0123456789".to_string()];
        let secrets =
            Secrets { mnemonic: phrase, plain: vec![("app password", "hunter2-long".into())], signatures: &sigs };
        let leaks = scan(d.path(), &[d.path().join("practice")], &secrets);
        let mut names: Vec<String> = leaks.iter().map(|l| l.rsplit('/').next().unwrap().to_string()).collect();
        names.sort();
        assert_eq!(names, ["a.log: mnemonic words", "b.json: app password", "b.json: request signature"], "{leaks:?}");
    }
}
