use crate::guard::guarded_async;
use crate::network::{PracticeInfo, PracticeProgress};
use crate::AppState;
use dbc::network::NetworkChoice;
use serde::Serialize;
use std::time::Instant;
use tauri::ipc::Channel;

/// Start the practice network (or join one already running), switch the app
/// to it and report each stage on `on_progress`.
#[tauri::command]
pub async fn start_practice(
    state: tauri::State<'_, AppState>,
    on_progress: Channel<PracticeProgress>,
) -> dbc::Result<PracticeInfo> {
    guarded_async("start_practice", async {
        let started = Instant::now();
        let report = move |stage: &'static str| {
            let _ = on_progress.send(PracticeProgress { stage, elapsed_ms: started.elapsed().as_millis() as u64 });
        };
        let settings = state.settings().clone();
        let info = state.network.start_practice(&settings, report).await?;
        state.update_settings(|s| s.network = NetworkChoice::Practice)?;
        Ok(info)
    })
    .await
}

#[tauri::command]
pub async fn practice_status(state: tauri::State<'_, AppState>) -> dbc::Result<PracticeInfo> {
    guarded_async("practice_status", async { Ok(state.network.practice_info().await) }).await
}

#[tauri::command]
pub async fn stop_practice(state: tauri::State<'_, AppState>) -> dbc::Result<PracticeInfo> {
    guarded_async("stop_practice", state.network.stop_practice()).await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct FundResult {
    pub address: String,
    /// Planck, as a decimal string (u128 does not fit a JS number).
    pub amount: String,
    pub block_hash: String,
    pub free: String,
}

/// "Get practice DBC": a real signed transfer from the practice faucet.
#[tauri::command]
pub async fn practice_fund(
    state: tauri::State<'_, AppState>,
    address: String,
    amount: String,
) -> dbc::Result<FundResult> {
    guarded_async("practice_fund", async {
        let planck = dbc::units::parse_dbc(&amount)?;
        let (receipt, free) = state.network.practice_fund(&address, planck).await?;
        Ok(FundResult {
            address: receipt.to,
            amount: receipt.amount_planck,
            block_hash: receipt.block_hash,
            free: free.to_string(),
        })
    })
    .await
}
