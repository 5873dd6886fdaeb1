//! `dbc-rent clients [list|add URL|remove URL|check [MACHINE_ID]|community on|off]`:
//! the DBC clients the VM steps choose from, in the same settings file the
//! app's Settings → DBC clients edits.
//!
//! Yours come first (Settings `compute_clients`), then the community ones
//! (`compute::choice::COMMUNITY_CLIENTS`, unless turned off), and on the
//! practice network its own simulated clients before both. `check` asks
//! them all at once, as the VM steps do before choosing.

use crate::context::{with_chain, Ctx};
use crate::vm_clients;
use clap::{Subcommand, ValueEnum};
use dbc::compute::choice::{self, Ask, ClientHealth};
use dbc::compute::url::{self, normalize_base_url};
use dbc::settings::{Settings, SettingsStore};
use dbc::{Error, ErrorCode, Result};
use serde_json::{json, Value};
use std::collections::HashSet;

/// How long `check` waits for the chain's machine list (to count how many
/// of a client's nodes are machines of this chain) before going on without.
const CHAIN_SECS: u64 = 8;

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Your DBC clients and the community ones, in the order they are asked (the default).
    List,
    /// Add a DBC client to your list: http(s)://HOST:PORT. Plain http:// to a
    /// host outside your network is refused at use unless added with
    /// --allow-insecure-client (remembered for that client).
    Add { url: String },
    /// Remove a DBC client from your list.
    Remove { url: String },
    /// Ask every client at once: version, round trip, nodes seen, how many
    /// are machines of this chain, and whether it sees MACHINE_ID.
    Check { machine_id: Option<String> },
    /// Turn the community clients on or off (each sees the signed requests sent through it).
    Community { state: OnOff },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// Where a client in the list comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Practice,
    Yours,
    Community,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Practice => "practice",
            Source::Yours => "yours",
            Source::Community => "community",
        }
    }
}

/// Every client the VM steps may ask, in order, each once, with its source
/// and whether it is asked (a community client turned off is not).
fn known(ctx: &Ctx, settings: &Settings) -> Result<Vec<(String, Source, bool)>> {
    let mut out: Vec<(String, Source, bool)> = Vec::new();
    let practice = vm_clients::practice_clients(ctx)?.into_iter().map(|u| (u, Source::Practice, true));
    let yours = settings.compute_clients.iter().map(|u| (u.clone(), Source::Yours, true));
    let off = settings.community_clients_off;
    let community = choice::COMMUNITY_CLIENTS.iter().map(|u| (u.to_string(), Source::Community, !off));
    for (u, source, on) in practice.chain(yours).chain(community) {
        let n = normalize_base_url(&u).unwrap_or_else(|_| u.trim().to_string());
        if !out.iter().any(|(x, _, _)| *x == n) {
            out.push((n, source, on));
        }
    }
    Ok(out)
}

fn store(ctx: &Ctx) -> SettingsStore {
    SettingsStore::new(ctx.data_dir)
}

/// The saved settings (not `ctx.settings`, which may hold this run's flags).
fn saved(ctx: &Ctx) -> Result<Settings> {
    Ok(store(ctx).load()?.settings)
}

pub fn run(ctx: &Ctx, cmd: Option<ClientsCommand>) -> Result<Value> {
    match cmd.unwrap_or(ClientsCommand::List) {
        ClientsCommand::List => list(ctx, &saved(ctx)?),
        ClientsCommand::Add { url } => add(ctx, &url),
        ClientsCommand::Remove { url } => remove(ctx, &url),
        ClientsCommand::Check { machine_id } => check(ctx, machine_id.as_deref()),
        ClientsCommand::Community { state } => {
            let mut s = saved(ctx)?;
            s.community_clients_off = state == OnOff::Off;
            store(ctx).save(&s)?;
            if !ctx.json {
                eprintln!("community DBC clients turned {}", if state == OnOff::On { "on" } else { "off" });
            }
            list(ctx, &s)
        }
    }
}

fn list(ctx: &Ctx, s: &Settings) -> Result<Value> {
    let rows: Vec<Value> = known(ctx, s)?
        .into_iter()
        .map(|(u, source, on)| {
            json!({
                "url": u,
                "source": source.as_str(),
                "on": on,
                "insecure_allowed": url::allows_insecure(&s.insecure_clients_allowed, &u),
            })
        })
        .collect();
    if ctx.json {
        return Ok(json!({ "clients": rows, "community_off": s.community_clients_off }));
    }
    if rows.is_empty() {
        println!("no DBC clients: add one with `dbc-rent clients add URL`");
    }
    for r in &rows {
        let off = if r["on"] == true { "" } else { " (off)" };
        println!("{:<10} {}{off}", r["source"].as_str().unwrap_or(""), r["url"].as_str().unwrap_or(""));
    }
    Ok(Value::Null)
}

fn add(ctx: &Ctx, raw: &str) -> Result<Value> {
    let u = normalize_base_url(raw)?;
    let mut s = saved(ctx)?;
    let added = !s.compute_clients.iter().any(|x| normalize_base_url(x).is_ok_and(|x| x == u));
    if added {
        s.compute_clients.push(u.clone());
    }
    let insecure = url::check_transport(&u, false).is_err_and(|e| e.code == ErrorCode::InsecureClientUrl);
    if insecure && ctx.allow_insecure_client {
        url::allow_insecure(&mut s.insecure_clients_allowed, &u)?;
    }
    store(ctx).save(&s)?;
    let allowed = url::allows_insecure(&s.insecure_clients_allowed, &u);
    if !ctx.json {
        eprintln!("{} {u}", if added { "added" } else { "already in your list:" });
        if insecure && !allowed {
            eprintln!(
                "note: plain http:// to a host outside your network: it is refused at use unless you add it \
                 again with --allow-insecure-client (anyone on the way could replay your signed requests)"
            );
        }
    }
    Ok(json!({ "url": u, "added": added, "insecure": insecure, "insecure_allowed": allowed }))
}

fn remove(ctx: &Ctx, raw: &str) -> Result<Value> {
    let u = normalize_base_url(raw).unwrap_or_else(|_| raw.trim().to_string());
    let mut s = saved(ctx)?;
    let before = s.compute_clients.len();
    s.compute_clients.retain(|x| normalize_base_url(x).unwrap_or_else(|_| x.trim().to_string()) != u);
    if s.compute_clients.len() == before {
        let community = choice::COMMUNITY_CLIENTS.contains(&u.as_str());
        let hint = if community { ": it is a community client (`dbc-rent clients community off`)" } else { "" };
        return Err(
            Error::invalid_argument(format!("{u} is not in your DBC client list{hint}")).with_data(json!({ "url": u }))
        );
    }
    s.insecure_clients_allowed.retain(|x| normalize_base_url(x).map_or(true, |x| x != u));
    store(ctx).save(&s)?;
    if !ctx.json {
        eprintln!("removed {u}");
    }
    Ok(json!({ "url": u, "removed": true }))
}

/// The connected chain's machine ids (lower-case hex), when it answers in time.
fn chain_machines(ctx: &Ctx) -> Option<HashSet<String>> {
    let ids = with_chain(ctx, CHAIN_SECS, |client| async move {
        let m = dbc::market::load_all(&client).await?;
        Ok(m.machines.iter().map(|m| m.id.trim_start_matches("0x").to_lowercase()).collect::<HashSet<String>>())
    });
    match ids {
        Ok(ids) => Some(ids),
        Err(e) => {
            if !ctx.json {
                eprintln!("note: no machine list from the network ({}): machines of this chain not counted", e.code);
            }
            None
        }
    }
}

fn check(ctx: &Ctx, machine_id: Option<&str>) -> Result<Value> {
    // A bad machine id is the caller's mistake, not every client's failure.
    let machine =
        machine_id.map(str::trim).filter(|m| !m.is_empty()).map(dbc::compute::normalize_machine_id).transpose()?;
    let rows: Vec<(String, Source)> =
        known(ctx, ctx.settings)?.into_iter().filter(|(_, _, on)| *on).map(|(u, s, _)| (u, s)).collect();
    let urls: Vec<String> = rows.iter().map(|(u, _)| u.clone()).collect();
    let ids = chain_machines(ctx);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))?;
    let ask = Ask { machine_id: machine.as_deref(), chain_machines: ids.as_ref() };
    let health = runtime.block_on(choice::check_clients(
        &urls,
        ask,
        |u| vm_clients::allows_insecure(ctx, u),
        choice::CHECK_TIMEOUT,
    ));
    let usable = health.iter().filter(|h| h.usable()).count();
    let out: Vec<Value> = health.iter().zip(&rows).map(|(h, (_, source))| health_json(h, *source)).collect();
    if !ctx.json {
        for (h, (_, source)) in health.iter().zip(&rows) {
            println!("{}", health_line(h, *source, machine.as_deref()));
        }
        let of = machine.as_deref().map(|m| format!(" see {m}")).unwrap_or_else(|| " answered".into());
        println!("{usable} of {} clients{of}", health.len());
        return Ok(Value::Null);
    }
    Ok(json!({
        "machine_id": machine,
        "chain_machines": ids.as_ref().map(HashSet::len),
        "usable": usable,
        "clients": out,
    }))
}

fn health_json(h: &ClientHealth, source: Source) -> Value {
    json!({
        "url": h.url,
        "source": source.as_str(),
        "version": h.version,
        "rtt_ms": h.rtt_ms,
        "nodes_seen": h.nodes_seen,
        "chain_machines_seen": h.chain_machines_seen,
        "sees_machine": h.sees_machine,
        "usable": h.usable(),
        "error": h.error.as_ref().map(|e| json!({ "code": e.code, "message": e.message })),
        "checked_at_ms": h.checked_at_ms,
    })
}

/// One client's answer as a line of text.
fn health_line(h: &ClientHealth, source: Source, machine: Option<&str>) -> String {
    let head = format!("{:<10} {}", source.as_str(), h.url);
    if let Some(e) = &h.error {
        return format!("{head}  error [{}] {}", e.code, e.message);
    }
    let mut parts = vec![
        h.version.clone().unwrap_or_default(),
        h.rtt_ms.map(|ms| format!("{ms} ms")).unwrap_or_default(),
        h.nodes_seen.map(|n| format!("{n} nodes")).unwrap_or_default(),
    ];
    if let Some(n) = h.chain_machines_seen {
        parts.push(format!("{n} of this chain"));
    }
    if let (Some(m), Some(sees)) = (machine, h.sees_machine) {
        parts.push(format!("{} {}…", if sees { "sees" } else { "does not see" }, &m[..12.min(m.len())]));
    }
    parts.retain(|p| !p.is_empty());
    format!("{head}  {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(error: bool, sees: Option<bool>) -> ClientHealth {
        ClientHealth {
            url: "http://10.0.0.1:5002".into(),
            version: (!error).then(|| "0.4.1.8".into()),
            rtt_ms: (!error).then_some(12),
            sees_machine: sees,
            nodes_seen: (!error).then_some(3),
            chain_machines_seen: (!error).then_some(2),
            error: error.then(|| choice::ClientFailure { code: "compute-unreachable".into(), message: "gone".into() }),
            checked_at_ms: 1,
        }
    }

    #[test]
    fn a_check_reads_as_one_line_per_client() {
        let m = "ab".repeat(32);
        assert_eq!(
            health_line(&health(false, Some(true)), Source::Yours, Some(&m)),
            "yours      http://10.0.0.1:5002  0.4.1.8, 12 ms, 3 nodes, 2 of this chain, sees abababababab…"
        );
        assert_eq!(
            health_line(&health(true, None), Source::Community, Some(&m)),
            "community  http://10.0.0.1:5002  error [compute-unreachable] gone"
        );
        let v = health_json(&health(false, Some(false)), Source::Practice);
        assert_eq!((v["usable"].as_bool(), v["chain_machines_seen"].as_u64()), (Some(false), Some(2)));
        assert_eq!(v["source"], "practice");
    }
}
