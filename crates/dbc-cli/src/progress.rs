//! Progress of a long step (a transaction, a VM being created) on stderr:
//! one live line in a terminal (spinner, stage, elapsed time), or with
//! `--json` one JSON object per line, which scripts and the tests follow.

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

pub struct Progress {
    json: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// `what`: the step, shown before the live stage ("renting", "creating the VM").
    pub fn new(json: bool, what: &str) -> Self {
        if json {
            return Progress { json, bar: None };
        }
        // Hidden by indicatif itself when stderr is not a terminal.
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix}: {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { json, bar: Some(bar) }
    }

    /// Report one progress item.
    pub fn show(&self, item: &impl Serialize) {
        let v = serde_json::to_value(item).unwrap_or(Value::Null);
        match &self.bar {
            None if self.json => eprintln!("{v}"),
            None => {}
            Some(bar) => bar.set_message(summary(&v)),
        }
    }

    /// End the live line (it stays on screen with its last stage).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The stage words of a progress item: its tag fields (`status`, `step`,
/// `event`, `kind`) and the small numbers that go with them.
fn summary(v: &Value) -> String {
    let Value::Object(m) = v else { return v.to_string() };
    let mut parts: Vec<String> = ["status", "step", "event", "kind"]
        .iter()
        .filter_map(|k| m.get(*k).and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    for (k, label) in [("attempt", "attempt"), ("polls", "polls"), ("blockHash", "block"), ("reason", "")] {
        if let Some(x) = m.get(k).filter(|x| !x.is_null()) {
            let text = x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string());
            parts.push(if label.is_empty() { text } else { format!("{label} {text}") });
        }
    }
    let mut seen = std::collections::HashSet::new();
    parts.retain(|p| seen.insert(p.clone()));
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_progress_item_reads_as_its_stage() {
        assert_eq!(summary(&json!({"status": "inBlock", "blockHash": "0xab"})), "inBlock · block 0xab");
        assert_eq!(
            summary(&json!({"step": "create", "event": "sending", "attempt": 2})),
            "create · sending · attempt 2"
        );
        assert_eq!(
            summary(&json!({"step": "poll", "status": "creating", "kind": "creating", "polls": 3, "error": null})),
            "creating · poll · polls 3"
        );
        assert_eq!(summary(&json!("signing")), "\"signing\"");
    }
}
