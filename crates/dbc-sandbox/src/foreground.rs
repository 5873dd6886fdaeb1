//! What the two command lines that run the practice network share
//! (`dbc-sandbox up|status` for developers, `dbc-rent practice up|status`
//! for users of an installed package): run it in the foreground until asked
//! to stop, and say whether one runs and how far its chain is.

use crate::client::Chain;
use crate::layout::Layout;
use crate::{state, ExitReason, RunningState, Sandbox};
use dbc::{Error, Result};
use std::path::Path;

/// Keep `sandbox` running until Ctrl-C, SIGTERM, a stop request from
/// another process (`down`) or its own crash; then stop it and leave no
/// process behind. A crash is returned as the error that ended it.
pub async fn run_until_stopped(sandbox: Sandbox) -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Error::internal(format!("cannot watch SIGTERM: {e}")))?;
    let crashed = tokio::select! {
        _ = tokio::signal::ctrl_c() => None,
        _ = term.recv() => None,
        reason = sandbox.exited() => match reason {
            ExitReason::Requested => None,
            ExitReason::Crashed(e) => Some(e),
        },
    };
    sandbox.stop().await?;
    crashed.map_or(Ok(()), Err)
}

/// The running network of `data_dir` and its best block (`None` when its
/// node does not answer), or `None` when none runs.
pub async fn live_status(data_dir: &Path) -> Result<Option<(RunningState, Option<u32>)>> {
    let Some(s) = state::read_live(&Layout::new(data_dir))? else {
        return Ok(None);
    };
    let best = match Chain::connect(&s.endpoints.chain).await {
        Ok(c) => c.best().await.ok().map(|b| b.0),
        Err(_) => None,
    };
    Ok(Some((s, best)))
}
