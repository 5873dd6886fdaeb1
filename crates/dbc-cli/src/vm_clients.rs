//! Which DBC clients a rental's VM calls go through, and going on through
//! the next when the one in use goes away: the core's rule
//! (`rental::choose_live_client`, `rental::through_clients`) fed with the
//! CLI's sources, as the app feeds it with its own.
//!
//! The choice is announced (human: one line on stderr; JSON: the
//! `dbc_client` field of the result), and so is every switch (human: a line
//! on stderr; JSON: a `client-switched` progress line and the field).

use crate::context::Ctx;
use dbc::compute::ComputeClient;
use dbc::rental::{self, ClientSources, ClientSwitch, LiveChoice, Rental, VmEvent};
use dbc::Result;
use serde_json::{json, Value};

/// Environment variable naming a DBC client to ask besides the Settings list.
pub const CLIENT_ENV: &str = "DBC_RENT_CLIENT";

/// Whether plain `http://` to `url` is accepted: `--allow-insecure-client`,
/// or the user allowed that client in the settings.
pub(crate) fn allows_insecure(ctx: &Ctx, url: &str) -> bool {
    ctx.allow_insecure_client || dbc::compute::url::allows_insecure(&ctx.settings.insecure_clients_allowed, url)
}

/// A client for `url` under the same rule.
pub(crate) fn build(ctx: &Ctx, url: &str) -> Result<ComputeClient> {
    ComputeClient::new_checked(url, allows_insecure(ctx, url))
}

/// The practice network's simulated clients while on it (first sees every node).
pub(crate) fn practice_clients(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(match ctx.network {
        dbc::network::NetworkChoice::Practice => {
            dbc::practice::running(ctx.data_dir)?.map(|p| p.client_urls()).unwrap_or_default()
        }
        _ => Vec::new(),
    })
}

/// The clients for rental `r`'s VM calls now, best first: `flag`
/// (`--client`) first whatever it answers, then every client that sees the
/// machine (on practice its own clients, else the VM's last one,
/// `DBC_RENT_CLIENT`, the Settings list and the community list unless
/// turned off), the one that worked last first, then the fastest.
pub(crate) async fn choose(ctx: &Ctx<'_>, flag: Option<&str>, r: &Rental) -> Result<LiveChoice> {
    let env = std::env::var(CLIENT_ENV).ok();
    let from =
        ClientSources { asked: flag, practice: practice_clients(ctx)?, env, configured: &ctx.settings.compute_clients };
    let community = dbc::compute::choice::community_clients(ctx.settings.community_clients_off);
    let choice = rental::choose_live_client(r, &from, &community, |u| allows_insecure(ctx, u)).await?;
    if !ctx.json {
        let why = if flag.is_some_and(|f| !f.trim().is_empty()) {
            "given with --client".to_string()
        } else {
            let asked = choice.checked.len();
            format!(
                "{} of {asked} asked see{} the machine",
                choice.ranked.len(),
                if choice.ranked.len() == 1 { "s" } else { "" }
            )
        };
        eprintln!("DBC client: {} ({why})", choice.best());
    }
    Ok(choice)
}

/// Run `step` through `choice`'s clients in order, moving on while a client
/// is gone. `step(client, more)`: `more` says another client follows, so a
/// wait in it should give up on a gone client (`rental::poll_for`) rather
/// than wait it out. Gives the
/// result and the switches made.
pub(crate) async fn run<T, Fut>(
    ctx: &Ctx<'_>,
    choice: &LiveChoice,
    step: impl FnMut(ComputeClient, bool) -> Fut,
) -> Result<(T, Vec<ClientSwitch>)>
where
    Fut: std::future::Future<Output = Result<T>>,
{
    let json_mode = ctx.json;
    let mut switches = Vec::new();
    let on_switch = |s: &ClientSwitch| {
        if json_mode {
            eprintln!("{}", serde_json::to_value(VmEvent::ClientSwitched(s.clone())).unwrap_or_default());
        } else {
            eprintln!("DBC client {} is gone for this machine ({}); going on through {}", s.from, s.reason, s.to);
        }
        switches.push(s.clone());
    };
    let out = rental::through_clients(&choice.ranked, |u| build(ctx, u), on_switch, step).await?;
    Ok((out, switches))
}

/// The `dbc_client` field of a VM command's result.
pub(crate) fn used_json(choice: &LiveChoice, switches: &[ClientSwitch]) -> Value {
    json!({
        "chosen": choice.best(),
        "used": switches.last().map(|s| s.to.as_str()).unwrap_or(choice.best()),
        "ranked": choice.ranked,
        "switches": switches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_names_the_chosen_and_the_used_client() {
        let choice = LiveChoice { ranked: vec!["http://a:1".into(), "http://b:2".into()], checked: Vec::new() };
        let v = used_json(&choice, &[]);
        assert_eq!((v["chosen"].as_str(), v["used"].as_str()), (Some("http://a:1"), Some("http://a:1")));
        let s =
            ClientSwitch { from: "http://a:1".into(), to: "http://b:2".into(), reason: "compute-unreachable".into() };
        let v = used_json(&choice, &[s]);
        assert_eq!(v["used"], "http://b:2");
        assert_eq!(v["switches"][0]["reason"], "compute-unreachable");
    }
}
