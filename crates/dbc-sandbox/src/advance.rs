//! Fast-forward the chain by N blocks without losing the rent pallet's
//! block-keyed hooks (sandbox.md §8).
//!
//! Building blocks one by one costs ~0.6 s each. `dev_newBlock {unsafeBlockHeight}`
//! jumps the number instead, but `RentMachine` acts in `on_finalize` only for
//! the exact heights in `ConfirmingOrder` (confirm deadlines) and `RentEnding`
//! (rental ends). So: read those keys, and for every scheduled height `h` in
//! range jump to `h − 1` and build `h`; then jump to the target.

use crate::client::{rpc_err, Chain};
use dbc::Result;
use serde::Serialize;
use serde_json::json;

/// Below this many blocks, build them one by one (exact, and fast enough).
pub const BUILD_ONE_BY_ONE_BELOW: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvanceReport {
    pub from: u32,
    pub to: u32,
    /// Scheduled heights built exactly on the way.
    pub hooks: Vec<u32>,
    /// Blocks actually built.
    pub blocks_built: u32,
}

/// Heights with a non-empty `RentMachine.ConfirmingOrder` or `RentEnding` entry.
pub async fn scheduled_heights(chain: &Chain) -> Result<Vec<u32>> {
    let at = chain.at_best().await?;
    let mut out = Vec::new();
    for item in ["ConfirmingOrder", "RentEnding"] {
        let addr = subxt::dynamic::storage::<(u32,), Vec<u64>>("RentMachine", item);
        let mut it = at.storage().iter(addr, ()).await.map_err(|e| rpc_err(&chain.url, item, e))?;
        while let Some(kv) = it.next().await {
            let kv = kv.map_err(|e| rpc_err(&chain.url, item, e))?;
            let ids = kv.value().decode().map_err(|e| rpc_err(&chain.url, item, e))?;
            if ids.is_empty() {
                continue;
            }
            let key = kv.key().map_err(|e| rpc_err(&chain.url, item, e))?;
            if let Some(Some(h)) = key.part(0).map(|p| p.decode_as::<u32>().ok().flatten()) {
                out.push(h);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Advance the best block by `n`, building every scheduled height on the way.
pub async fn advance(chain: &Chain, n: u32) -> Result<AdvanceReport> {
    let (from, _) = chain.best().await?;
    let target = from.saturating_add(n);
    let mut report = AdvanceReport { from, to: from, hooks: Vec::new(), blocks_built: 0 };
    if n == 0 {
        return Ok(report);
    }
    if n < BUILD_ONE_BY_ONE_BELOW {
        chain.new_block(json!({"count": n})).await?;
        report.blocks_built = n;
        report.to = chain.best().await?.0;
        return Ok(report);
    }
    let hooks: Vec<u32> = scheduled_heights(chain).await?.into_iter().filter(|h| *h > from && *h <= target).collect();
    for h in &hooks {
        let (cur, _) = chain.best().await?;
        if *h <= cur {
            continue; // built meanwhile (a tick or a transaction)
        }
        if h - 1 > cur {
            chain.new_block(json!({"count": 1, "unsafeBlockHeight": h - 1})).await?;
            report.blocks_built += 1;
        }
        chain.new_block(json!({"count": 1})).await?;
        report.blocks_built += 1;
        report.hooks.push(*h);
    }
    let (cur, _) = chain.best().await?;
    if target > cur {
        if target - cur == 1 {
            chain.new_block(json!({"count": 1})).await?;
        } else {
            chain.new_block(json!({"count": 1, "unsafeBlockHeight": target})).await?;
        }
        report.blocks_built += 1;
    }
    report.to = chain.best().await?.0;
    Ok(report)
}
