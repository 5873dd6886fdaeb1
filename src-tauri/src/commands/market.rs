//! The machine market: the latest published list and quotes. The list itself
//! is kept current by `crate::market::MarketService`.

use crate::guard::{guarded, guarded_async};
use crate::AppState;
use dbc::market::{self, Quote};
use serde::Serialize;
use tauri::ipc::Response;

/// The latest list (the `market-updated` payload), or `null` before the
/// first. Sent as the JSON text made when it was published, not built again.
#[tauri::command]
pub fn market_snapshot(state: tauri::State<'_, AppState>) -> dbc::Result<Response> {
    guarded("market_snapshot", || {
        Ok(Response::new(state.market.latest().map_or_else(|| "null".to_string(), |p| p.json.clone())))
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct QuoteView {
    #[serde(flatten)]
    pub quote: Quote,
    /// Rent + order fee + transaction fee, planck.
    pub total: String,
    /// The block whose prices were used.
    pub at_block: u32,
}

/// What renting `gpus` GPUs of `machine_id` for `hours` ("2", "1.5") costs,
/// with the transaction fee estimate. The duration, the machine and its free
/// GPUs are checked first, each with its own error, before anything is signed.
#[tauri::command]
pub async fn market_quote(
    state: tauri::State<'_, AppState>,
    machine_id: String,
    gpus: u32,
    hours: String,
) -> dbc::Result<QuoteView> {
    guarded_async("market_quote", async {
        let blocks = market::rules::hours_to_blocks(&hours)?;
        let (quote, at_block) = state.market.quote(&state.network, &machine_id, gpus, blocks).await?;
        Ok(QuoteView { total: quote.total().to_string(), at_block, quote })
    })
    .await
}
