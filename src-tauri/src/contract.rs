//! The Rust <-> UI contract, generated into `ui/src/lib/ipc/generated.ts`:
//! the TypeScript declaration of every type a command takes or returns or an
//! event carries (from their `ts_rs::TS` derives, which read the serde
//! attributes, so the declarations are what is on the wire), one typed
//! wrapper per `#[tauri::command]` (read from `src/commands/*.rs`: name,
//! argument names and types, result type) and the event names (the
//! `*_EVENT` constants) with their payload types.
//!
//! The test `generated_ts` checks the file; `UPDATE_CONTRACT=1 cargo test
//! -p dbc-rent-app --lib contract` rewrites it (as `error_codes_ts` does for
//! `error-codes.ts`).

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use ts_rs::{Config, TypeVisitor, TS};

mod commands;
mod events;
mod money;

/// Every declaration reachable from the roots, by TypeScript name.
struct Declarations {
    cfg: Config,
    by_name: BTreeMap<String, (TypeId, String)>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Built-ins (string, arrays, options) have no file of their own: only
        // derived types are declared.
        if T::output_path().is_none() {
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident(&self.cfg);
        if let Some((id, _)) = self.by_name.get(&name) {
            assert_eq!(*id, TypeId::of::<T>(), "two Rust types are both `{name}` in TypeScript: rename one");
            return;
        }
        let decl = format!("{}export {}", T::docs().unwrap_or_default(), T::decl(&self.cfg));
        self.by_name.insert(name, (TypeId::of::<T>(), decl));
        T::visit_dependencies(self);
    }
}

/// How types map: u64 counters, block numbers and ids are JSON numbers;
/// planck amounts (u128) are strings through `#[ts(type = "string")]` next to
/// their `planck_string` serde attribute.
fn config() -> Config {
    Config::new().with_large_int("number")
}

/// The roots: the results and arguments of the commands and the event payloads.
/// Their dependencies follow (the test fails when a command names a type
/// that is not declared, so a new command cannot be forgotten here).
fn declarations() -> Declarations {
    let mut d = Declarations { cfg: config(), by_name: BTreeMap::new() };
    macro_rules! roots {
        ($($t:ty),* $(,)?) => { $( d.visit::<$t>(); )* };
    }
    use crate::commands as c;
    // Grouped by command file, in braces so rustfmt keeps the groups.
    roots! {
        c::app::AppInfo, c::settings::SettingsView,
        dbc::network::NetworkStatus, c::network::NetworkSettings,
        crate::network::PracticeInfo, crate::network::PracticeProgress, c::practice::FundResult,
        c::wallet::Overview, crate::wallet::StoreInfo, c::wallet::DraftWords, c::wallet::Challenge,
        dbc::wallet::backup::Pick, c::wallet::AccountView, c::wallet::Exported, c::wallet::BalanceView,
        c::wallet::BalanceEvent, c::wallet::AddressCheck, c::wallet::SendQuote, dbc::chain::TxStatus,
        dbc::chain::TxOutcome,
        crate::market::SnapshotOut<'static>, c::market::QuoteView,
        dbc::guide::Checklist,
        crate::rental::RentalsSnapshot, crate::rental_view::RentalView, crate::rental_view::StageMeaning,
        dbc::rental::VmEvent, dbc::rental::PowerOp, c::rental::VmCreated, c::rental::VerifyLogin,
        c::rental::RdpCheck, dbc::rental::RenewQuote, c::rental::RenewedView, dbc::rental::reminders::Reminder,
        c::compute::ConnectionView, c::compute::ChosenClient, dbc::compute::ClientHealth, c::rental_settings::RentalSettings,
        crate::connect::LoginView, c::connect::Reachability, dbc::rdp::RdpOptions, dbc::rdp::Launched,
        c::connect::RdpFile, c::connect::Copied, c::connect::Revealed,
        c::ssh::SshInfo, c::ssh::SshCopied, c::ssh::KeyInstalled, c::ssh::VscodeOpened, c::ssh::SshReach,
        c::ssh::GpuChecked, c::ssh::KeyChoice,
        c::update::UpdateInfo, crate::update::UpdateCheck, crate::update::UpdateProgress,
    }
    d
}

/// Each stage's meaning, for test fixtures and mocks that build rentals (the
/// screens read the fields Rust sends with each rental).
fn stage_meanings() -> String {
    use crate::rental_view::{StageMeaning, STAGES};
    let mut s = String::from("/** What each stage means (`StageMeaning::of`), for fixtures and mocks. */\n");
    s.push_str("export const STAGE_MEANING: Record<Stage, StageMeaning> = {\n");
    for stage in STAGES {
        let meaning = serde_json::to_string(&StageMeaning::of(stage)).unwrap();
        s.push_str(&format!("  '{}': {meaning},\n", stage.as_str()));
    }
    s + "};\n\n"
}

/// The `.rs` files directly in `dir`, parsed, in name order (so the output is stable).
fn rust_files(dir: &Path) -> Vec<syn::File> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files.iter().map(|f| syn::parse_file(&std::fs::read_to_string(f).unwrap()).unwrap()).collect()
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The whole generated file.
pub fn generated_ts() -> String {
    let decls = declarations();
    let known: HashSet<&str> = decls.by_name.keys().map(String::as_str).collect();
    let commands = commands::read(&src_dir().join("commands"));
    let events = events::read(&src_dir());
    let mut out = String::from(
        "// Generated from the Rust definitions by src-tauri/src/contract.rs: do not edit.\n\
         // Regenerate: UPDATE_CONTRACT=1 cargo test -p dbc-rent-app --lib contract\n\
         /* eslint-disable */\n\
         import type { Channel } from '@tauri-apps/api/core';\n\
         import { call } from './call';\n\n\
         // --- Types (ts-rs, from the serde attributes) ---\n\n",
    );
    for (_, decl) in decls.by_name.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }
    // Named in `#[ts(type = "Network")]` where Rust sends `NetworkChoice::kind()` as text.
    out.push_str("/** A network's kind, as `NetworkChoice::kind()` writes it. */\nexport type Network = NetworkChoice['kind'];\n\n");
    out.push_str(&stage_meanings());
    out.push_str(&commands::render(&commands, &|name| known.contains(name)));
    out.push_str(&events::render(&events, &|name| known.contains(name)));
    out
}

/// For the tests that keep a generated UI file current: with `env` set,
/// write `want` to `path`; then fail unless the file holds exactly `want`.
pub(crate) fn keep_current(path: &Path, want: &str, env: &str, how: &str) {
    if std::env::var_os(env).is_some() {
        std::fs::write(path, want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "{} is out of date: run `{env}=1 {how}`", path.display());
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_ts() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc/generated.ts");
        super::keep_current(
            &path,
            &super::generated_ts(),
            "UPDATE_CONTRACT",
            "cargo test -p dbc-rent-app --lib contract",
        );
    }
}
