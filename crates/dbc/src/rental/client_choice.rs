//! The DBC client a rental's VM calls go through, chosen at the time of use
//! on what the clients answer now (`compute::choice`), so that a rental is
//! never stuck on a client that has gone away or stopped seeing its machine.
//!
//! [`choose_client`](super::choose_client) names one address by a fixed
//! order; this asks every address the user has (the one the VM last worked
//! through, `DBC_RENT_CLIENT`, the Settings list, the community list unless
//! turned off) and keeps those that see the rented machine, the one that
//! worked last first while it qualifies, then the fastest. An address given
//! for this one command, or the practice network's own simulator, is used
//! as it is: the user (or the practice network) decided.

use super::errors;
use super::record::Rental;
use super::service::ClientSources;
use crate::compute::{check_clients, choice::CHECK_TIMEOUT, ranked, ClientHealth};
use crate::error::{Error, ErrorCode, Result};
use serde_json::json;

/// The clients to try for a rental, best first, and what each answered.
#[derive(Debug, Clone)]
pub struct LiveChoice {
    /// Usable clients, best first; never empty.
    pub ranked: Vec<String>,
    /// What every candidate answered (empty when nothing was asked: an
    /// address given for this command, or the practice network's client).
    pub checked: Vec<ClientHealth>,
}

impl LiveChoice {
    /// The client to use first.
    pub fn best(&self) -> &str {
        &self.ranked[0]
    }
}

/// Every address to ask for rental `r`, in order, each once: the one its VM
/// last worked through, `from.env`, `from.configured`, then `community`.
pub fn candidates(r: &Rental, from: &ClientSources<'_>, community: &[String]) -> Vec<String> {
    let stored = r.vm.as_ref().map(|v| v.client_url.clone());
    let mut out: Vec<String> = Vec::new();
    let all =
        stored.into_iter().chain(from.env.clone()).chain(from.configured.iter().cloned()).chain(community.to_vec());
    for url in all {
        let url = url.trim().to_string();
        let key = crate::compute::url::normalize_base_url(&url).unwrap_or_else(|_| url.clone());
        let seen = out.iter().any(|u| crate::compute::url::normalize_base_url(u).unwrap_or_else(|_| u.clone()) == key);
        if !url.is_empty() && !seen {
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
    let fixed = from.asked.or(from.practice.as_deref()).map(str::trim).filter(|s| !s.is_empty());
    if let Some(url) = fixed {
        return Ok(LiveChoice { ranked: vec![url.to_string()], checked: Vec::new() });
    }
    let urls = candidates(r, from, community);
    if urls.is_empty() {
        return Err(errors::no_client());
    }
    let checked = check_clients(&urls, Some(&r.machine_id), allows_insecure, CHECK_TIMEOUT).await;
    let last = r.vm.as_ref().map(|v| v.client_url.as_str());
    let best = ranked(&checked, last);
    if best.is_empty() {
        return Err(no_client_reaches(&r.machine_id, &checked));
    }
    Ok(LiveChoice { ranked: best, checked })
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

    #[tokio::test]
    async fn an_address_given_or_the_practice_client_is_used_as_it_is() {
        let from = ClientSources { asked: Some("http://10.0.0.7:1"), ..Default::default() };
        let c = choose_live_client(&rental(Some("http://10.0.0.1:1")), &from, &[], |_| false).await.unwrap();
        assert_eq!((c.best(), c.checked.len()), ("http://10.0.0.7:1", 0));
        let from = ClientSources { practice: Some("http://127.0.0.1:4".into()), ..Default::default() };
        assert_eq!(
            choose_live_client(&rental(None), &from, &[], |_| false).await.unwrap().best(),
            "http://127.0.0.1:4"
        );
    }

    #[tokio::test]
    async fn no_address_and_no_answer_are_specific_errors() {
        let e = choose_live_client(&rental(None), &ClientSources::default(), &[], |_| false).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidClientUrl);
        // A stored client that is gone (the issue's dead simulator port).
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let gone = format!("http://127.0.0.1:{port}");
        let e = choose_live_client(&rental(Some(&gone)), &ClientSources::default(), &[], |_| false).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NoClientReaches);
        let data = e.data.unwrap();
        assert_eq!(data["clients"][0]["url"], gone);
        assert_eq!(data["clients"][0]["error"]["code"], "compute-unreachable");
    }
}
