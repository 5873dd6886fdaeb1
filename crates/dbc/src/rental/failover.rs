//! Going on through the next DBC client when the one in use goes away.
//!
//! Every VM step of a rental is safe to repeat through another client that
//! sees the same node: the VM lives on the node, not in the client, and its
//! task id is ours and journaled before the first create request, so a
//! second client is asked for that task before anything is created
//! (`vm_steps::create_vm` resumes with the journaled plan). So when the
//! client in use stops answering or stops seeing the node, the step is run
//! again through the next client of the [`LiveChoice`](super::LiveChoice);
//! any other error (a refusal, a failed create, a wrong state) is the
//! answer and ends the step.

use crate::compute::{ComputeClient, PollOptions};
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;

/// One change of client, for the UI's progress and the CLI's stderr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientSwitch {
    pub from: String,
    pub to: String,
    /// The error code that made `from` unusable.
    pub reason: String,
}

/// Whether `e` says the client itself is gone for this node (and another
/// client may well succeed), rather than giving an answer.
pub fn client_gone(e: &Error) -> bool {
    matches!(e.code, ErrorCode::ComputeUnreachable | ErrorCode::ComputeTimeout | ErrorCode::ComputeNodeUnknown)
}

/// Polls in a row without the client before a wait goes on through the
/// next client (only while there is a next one; the last waits it out).
pub const GONE_POLLS_BEFORE_SWITCH: u32 = 3;

/// `poll` for a step through one client: when another client follows
/// (`more`, as [`through_clients`] tells its step), a wait gives up on a
/// gone client after [`GONE_POLLS_BEFORE_SWITCH`] polls instead of waiting
/// it out, so the next client can take over.
pub fn poll_for(mut poll: PollOptions, more: bool) -> PollOptions {
    poll.client_gone_after = more.then_some(GONE_POLLS_BEFORE_SWITCH);
    poll
}

/// Run `step` through the clients `ranked` (best first; `build` makes each
/// one), moving to the next only while [`client_gone`]. `step(client,
/// more)`: `more` says another client follows (see [`poll_for`]).
/// `on_switch` hears each change. The last error is returned when every
/// client is gone.
///
/// `step` takes the client by value and returns its future (rather than
/// being an async closure) so that the future's `Send` is visible to the
/// Tauri commands that await it.
pub async fn through_clients<T, Fut>(
    ranked: &[String],
    build: impl Fn(&str) -> Result<ComputeClient>,
    mut on_switch: impl FnMut(&ClientSwitch),
    mut step: impl FnMut(ComputeClient, bool) -> Fut,
) -> Result<T>
where
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut last: Option<Error> = None;
    for (i, url) in ranked.iter().enumerate() {
        if let Some(e) = &last {
            on_switch(&ClientSwitch { from: ranked[i - 1].clone(), to: url.clone(), reason: e.code.as_str().into() });
        }
        let client = match build(url) {
            Ok(c) => c,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        match step(client, i + 1 < ranked.len()).await {
            Ok(v) => return Ok(v),
            Err(e) if client_gone(&e) => {
                tracing::warn!(client = %url, code = e.code.as_str(), "DBC client gone for this step; trying the next");
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(super::errors::no_client))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("http://10.0.0.{i}:5002")).collect()
    }

    fn build(url: &str) -> Result<ComputeClient> {
        ComputeClient::new(url)
    }

    #[tokio::test]
    async fn a_gone_client_hands_over_to_the_next_and_an_answer_ends_the_step() {
        let ranked = urls(3);
        let mut tried = Vec::new();
        let mut switches = Vec::new();
        let out = through_clients(
            &ranked,
            build,
            |s| switches.push(s.clone()),
            |c: ComputeClient, more| {
                tried.push((c.base_url().to_string(), more));
                let n = tried.len();
                async move {
                    match n {
                        1 => Err(Error::new(ErrorCode::ComputeUnreachable, "gone")),
                        _ => Ok(42),
                    }
                }
            },
        )
        .await
        .unwrap();
        assert_eq!(out, 42);
        // The step hears that another client follows while one does.
        assert_eq!(tried, [(ranked[0].clone(), true), (ranked[1].clone(), true)]);
        assert_eq!(
            switches,
            [ClientSwitch { from: ranked[0].clone(), to: ranked[1].clone(), reason: "compute-unreachable".into() }]
        );

        // A refusal is the node's answer: no other client is asked.
        let (e, asked) = failing_in_turn(&ranked, &[ErrorCode::VmCreateFailed]).await;
        assert_eq!((e.code, asked.len()), (ErrorCode::VmCreateFailed, 1));
    }

    /// `through_clients` over `ranked` where the k-th client asked fails
    /// with `codes[k]`: the error it ends with, and the `more` each heard.
    async fn failing_in_turn(ranked: &[String], codes: &[ErrorCode]) -> (Error, Vec<bool>) {
        let mut heard = Vec::new();
        let e = through_clients(
            ranked,
            build,
            |_| {},
            |_c, more| {
                heard.push(more);
                let code = codes[heard.len() - 1];
                async move { Err::<(), _>(Error::new(code, "x")) }
            },
        )
        .await
        .unwrap_err();
        (e, heard)
    }

    #[test]
    fn a_wait_gives_up_on_a_gone_client_only_when_another_follows() {
        let p = PollOptions::default();
        assert_eq!(poll_for(p.clone(), true).client_gone_after, Some(GONE_POLLS_BEFORE_SWITCH));
        assert_eq!(poll_for(p, false).client_gone_after, None);
    }

    #[tokio::test]
    async fn when_every_client_is_gone_the_last_error_is_returned() {
        let codes = [ErrorCode::ComputeTimeout, ErrorCode::ComputeNodeUnknown];
        let (e, heard) = failing_in_turn(&urls(2), &codes).await;
        assert_eq!(e.code, ErrorCode::ComputeNodeUnknown);
        assert_eq!(heard, [true, false], "only the first of two has a next");
        let e = through_clients(&[], build, |_| {}, |_c, _| async { Ok(()) }).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidClientUrl);
    }
}
