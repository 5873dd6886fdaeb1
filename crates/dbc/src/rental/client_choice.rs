//! The DBC client a rental's VM calls go through, chosen at the time of use
//! on what the clients answer now (`compute::choice`), so that a rental is
//! never stuck on a client that has gone away or stopped seeing its machine.
//!
//! Every address the user has is asked (the one the VM last worked through,
//! `DBC_RENT_CLIENT`, the Settings list, the community list unless turned
//! off) and those that see the rented machine are kept, the one that worked
//! last first while it qualifies, then the fastest. On the practice network
//! its own simulated clients are the addresses instead (the user's mainnet
//! clients see none of its machines, and an address stored before a restart
//! points at a simulator that is gone), checked the same way. An address
//! given for this one command goes first whatever it answers (the user
//! chose it), with the others behind it for failover.

use super::errors;
use super::record::Rental;
use super::service::ClientSources;
use crate::compute::choice::{Ask, CHECK_TIMEOUT};
use crate::compute::{check_clients, ranked, ClientHealth};
use crate::error::{Error, ErrorCode, Result};
use serde_json::json;

/// The clients to try for a rental, best first, and what each answered.
#[derive(Debug, Clone)]
pub struct LiveChoice {
    /// Usable clients, best first; never empty.
    pub ranked: Vec<String>,
    /// What every candidate answered (empty when nothing was asked: the
    /// address given for this command was the only one).
    pub checked: Vec<ClientHealth>,
}

impl LiveChoice {
    /// The client to use first.
    pub fn best(&self) -> &str {
        &self.ranked[0]
    }
}

/// Every address to ask for rental `r`, in order, each once: the one its VM
/// last worked through, `from.env`, `from.configured`, then `community`;
/// on the practice network (`from.practice` not empty) its clients only.
pub fn candidates(r: &Rental, from: &ClientSources<'_>, community: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all: Vec<String> = if from.practice.is_empty() {
        let stored = r.vm.as_ref().map(|v| v.client_url.clone());
        stored
            .into_iter()
            .chain(from.env.clone())
            .chain(from.configured.iter().cloned())
            .chain(community.to_vec())
            .collect()
    } else {
        from.practice.clone()
    };
    for url in all {
        let url = url.trim().to_string();
        if !url.is_empty() && !out.iter().any(|u| same_client(u, &url)) {
            out.push(url);
        }
    }
    out
}

/// The clients for rental `r`'s VM calls now. `allows_insecure(url)`: the
/// user accepted plain `http://` to that public host. Fails with
/// `no-client-reaches-machine` (data: the machine and every answer) when no
/// client reaches the machine, and with `invalid-client-url` when there is
/// no address at all.
pub async fn choose_live_client(
    r: &Rental,
    from: &ClientSources<'_>,
    community: &[String],
    allows_insecure: impl Fn(&str) -> bool,
) -> Result<LiveChoice> {
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let asked = from.asked.and_then(nonempty);
    let mut urls = candidates(r, from, community);
    if let Some(a) = &asked {
        urls.retain(|u| !same_client(u, a));
    }
    if urls.is_empty() {
        return match asked {
            Some(a) => Ok(LiveChoice { ranked: vec![a], checked: Vec::new() }),
            None => Err(errors::no_client()),
        };
    }
    let ask = Ask { machine_id: Some(&r.machine_id), chain_machines: None };
    let checked = check_clients(&urls, ask, allows_insecure, CHECK_TIMEOUT).await;
    let last = r.vm.as_ref().map(|v| v.client_url.as_str());
    let mut best = ranked(&checked, last);
    // The address the user gave goes first whatever it answered (they chose
    // it); the others that see the machine stay behind it for failover.
    if let Some(a) = asked {
        best.insert(0, a);
    }
    if best.is_empty() {
        return Err(no_client_reaches(&r.machine_id, &checked));
    }
    Ok(LiveChoice { ranked: best, checked })
}

fn same_client(a: &str, b: &str) -> bool {
    let norm = |u: &str| crate::compute::url::normalize_base_url(u).unwrap_or_else(|_| u.trim().to_string());
    norm(a) == norm(b)
}

/// None of `checked` can reach `machine_id` now.
pub fn no_client_reaches(machine_id: &str, checked: &[ClientHealth]) -> Error {
    Error::new(
        ErrorCode::NoClientReaches,
        format!("no DBC client you have can reach machine {machine_id} right now ({} asked)", checked.len()),
    )
    .with_data(json!({ "machineId": machine_id, "clients": checked }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rental::record::Stage;
    use crate::rental::samples;

    fn rental(vm_client: Option<&str>) -> Rental {
        Rental { vm: vm_client.map(samples::vm), ..samples::rental("r", Stage::Placed) }
    }

    #[test]
    fn candidates_come_once_each_in_order() {
        let configured = vec!["http://10.0.0.2:5002".to_string(), "http://10.0.0.1:5002/".to_string(), " ".into()];
        let from =
            ClientSources { env: Some("http://10.0.0.3:5002".into()), configured: &configured, ..Default::default() };
        let community = vec!["http://10.0.0.2:5002".to_string(), "http://10.0.0.9:5052".to_string()];
        assert_eq!(
            candidates(&rental(Some("http://10.0.0.1:5002")), &from, &community),
            ["http://10.0.0.1:5002", "http://10.0.0.3:5002", "http://10.0.0.2:5002", "http://10.0.0.9:5052"]
        );
        assert!(candidates(&rental(None), &ClientSources::default(), &[]).is_empty());
    }

    fn closed_port_url() -> String {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        format!("http://127.0.0.1:{port}")
    }

    #[tokio::test]
    async fn an_address_given_goes_first() {
        // Asked for, it goes first even when it does not answer; the others are still asked.
        let (asked, stored) = (closed_port_url(), closed_port_url());
        let from = ClientSources { asked: Some(&asked), ..Default::default() };
        let c = choose_live_client(&rental(Some(&stored)), &from, &[], |_| false).await.unwrap();
        assert_eq!(c.ranked, vec![asked.clone()]);
        assert_eq!(c.checked.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), [stored.as_str()]);
        // The only address: nothing to ask.
        let c = choose_live_client(&rental(Some(&asked)), &from, &[], |_| false).await.unwrap();
        assert_eq!((c.best(), c.checked.len()), (asked.as_str(), 0));
    }

    const MACHINE: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const OTHER: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    #[tokio::test]
    async fn on_the_practice_network_its_clients_are_checked_like_any_other() {
        use crate::compute::choice::fake::fake_client;
        use std::time::Duration;
        let (dead, blind) = (closed_port_url(), fake_client(&[OTHER], Duration::ZERO).await);
        let (slow, sees) =
            (fake_client(&[MACHINE], Duration::from_millis(300)).await, fake_client(&[MACHINE], Duration::ZERO).await);
        // The VM's stored client and the user's (mainnet) list are not asked on practice.
        let configured = vec![fake_client(&[MACHINE], Duration::ZERO).await];
        let stored = fake_client(&[MACHINE], Duration::ZERO).await;
        let r = Rental { machine_id: MACHINE.into(), ..rental(Some(&stored)) };
        let practice = vec![dead.clone(), blind.clone(), slow.clone(), sees.clone()];
        let from = ClientSources { practice: practice.clone(), configured: &configured, ..Default::default() };
        let c = choose_live_client(&r, &from, &configured, |_| false).await.unwrap();
        assert_eq!(c.checked.iter().map(|h| h.url.as_str()).collect::<Vec<_>>(), practice, "in order, each asked");
        assert_eq!(c.ranked, vec![sees.clone(), slow.clone()], "the blind and the dead one never; the fastest first");
        // The one the VM worked through last stays first while it qualifies.
        let r2 = Rental { machine_id: MACHINE.into(), ..rental(Some(&slow)) };
        assert_eq!(choose_live_client(&r2, &from, &[], |_| false).await.unwrap().ranked, vec![slow, sees.clone()]);
        // An address given goes first, the practice clients behind it.
        let asked = closed_port_url();
        let from_asked = ClientSources { asked: Some(&asked), ..from.clone() };
        assert_eq!(choose_live_client(&r, &from_asked, &[], |_| false).await.unwrap().ranked[..2], [asked, sees]);
        // None of them sees the machine.
        let from = ClientSources { practice: vec![dead, blind], ..Default::default() };
        let e = choose_live_client(&r, &from, &[], |_| false).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NoClientReaches);
        assert_eq!(e.data.unwrap()["clients"].as_array().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn no_address_and_no_answer_are_specific_errors() {
        let e = choose_live_client(&rental(None), &ClientSources::default(), &[], |_| false).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidClientUrl);
        // A stored client that is gone (the issue's dead simulator port).
        let gone = closed_port_url();
        let e = choose_live_client(&rental(Some(&gone)), &ClientSources::default(), &[], |_| false).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NoClientReaches);
        let data = e.data.unwrap();
        assert_eq!(data["clients"][0]["url"], gone);
        assert_eq!(data["clients"][0]["error"]["code"], "compute-unreachable");
    }
}
