//! The event names: every `pub const *_EVENT: &str` in `src/`, with the
//! payload type it carries.

use super::commands::{camel, doc_lines, jsdoc};
use std::fmt::Write;
use std::path::Path;
use ts_rs::TS;

pub struct Event {
    /// `NETWORK_STATUS_EVENT` -> `networkStatus`.
    pub key: String,
    pub name: String,
    pub doc: Vec<String>,
}

/// What each event carries (what its `emit` sends).
fn payload(name: &str) -> Option<String> {
    let cfg = super::config();
    Some(match name {
        n if n == crate::NETWORK_STATUS_EVENT => dbc::network::NetworkStatus::name(&cfg),
        n if n == crate::WALLET_BALANCE_EVENT => crate::commands::wallet::BalanceEvent::name(&cfg),
        n if n == crate::market::MARKET_UPDATED_EVENT => Option::<crate::market::SnapshotOut<'static>>::name(&cfg),
        n if n == crate::rental::RENTALS_UPDATED_EVENT => Option::<crate::rental::RentalsSnapshot>::name(&cfg),
        n if n == crate::rental::RENTAL_REMINDER_EVENT => dbc::rental::reminders::Reminder::name(&cfg),
        _ => return None,
    })
}

pub fn read(src: &Path) -> Vec<Event> {
    let mut out = Vec::new();
    for ast in super::rust_files(src) {
        for item in ast.items {
            let syn::Item::Const(c) = item else { continue };
            let ident = c.ident.to_string();
            let Some(stem) = ident.strip_suffix("_EVENT") else { continue };
            let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &*c.expr else { continue };
            out.push(Event { key: camel(&stem.to_lowercase()), name: s.value(), doc: doc_lines(&c.attrs) });
        }
    }
    out
}

pub fn render(events: &[Event], known: &dyn Fn(&str) -> bool) -> String {
    let mut names =
        String::from("// --- Events (the *_EVENT constants of src-tauri/src) ---\n\nexport const EVENTS = {\n");
    let mut payloads = String::from("/** What each event carries. */\nexport interface EventPayloads {\n");
    for e in events {
        let p =
            payload(&e.name).unwrap_or_else(|| panic!("event `{}` has no payload type in contract/events.rs", e.name));
        let base = p.trim_end_matches(" | null");
        assert!(known(base), "event `{}` carries `{base}`, which is not declared", e.name);
        names.push_str(&jsdoc(&e.doc, "  "));
        let _ = writeln!(names, "  {}: '{}',", e.key, e.name);
        let _ = writeln!(payloads, "  '{}': {p};", e.name);
    }
    names.push_str("} as const;\n\n");
    payloads.push_str("}\n");
    names + "export type EventName = (typeof EVENTS)[keyof typeof EVENTS];\n\n" + &payloads
}
