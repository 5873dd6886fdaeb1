//! Printing results and errors, as JSON or as human text.

use serde_json::Value;

pub struct Output {
    json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    /// A `null` result prints nothing in human mode: the command already
    /// wrote what it had to (`ssh --print`, a remote command's output).
    pub fn success(&self, value: &Value) {
        if !self.json && value.is_null() {
            return;
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
        } else {
            print!("{}", human(value, 0));
        }
    }

    /// Errors go to stdout as JSON in `--json` mode (so scripts read one
    /// document), else to stderr as `error: <message> [<code>]`.
    pub fn failure(&self, err: &dbc::Error) {
        if self.json {
            println!("{}", serde_json::json!({ "error": err }));
        } else {
            eprintln!("error: {} [{}]", err.message, err.code);
        }
    }
}

/// `key: value` lines, nested objects indented; nulls shown as `-`.
fn human(value: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::Object(_) => format!("{pad}{k}:\n{}", human(v, indent + 1)),
                _ => format!("{pad}{k}: {}\n", scalar(v)),
            })
            .collect(),
        Value::Array(items) => items.iter().map(|v| human(v, indent)).collect(),
        other => format!("{pad}{}\n", scalar(other)),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
