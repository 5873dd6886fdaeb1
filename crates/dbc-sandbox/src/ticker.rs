//! Produce a block every `every` (6 s like mainnet by default; tests go
//! faster). chopsticks builds blocks only on demand, so without the ticker the
//! practice chain's clock would stand still between transactions.
//!
//! The ticker and [`crate::advance`] share a gate so a tick never lands in
//! the middle of a fast-forward.

use crate::client::Chain;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex};

pub struct Ticker {
    stop: watch::Sender<bool>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Ticker {
    pub fn spawn(chain: Chain, every: Duration, gate: Arc<Mutex<()>>) -> Ticker {
        let (stop, mut stopped) = watch::channel(false);
        let handle = tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval.tick().await; // the first tick fires at once
            loop {
                tokio::select! {
                    _ = interval.tick() => {}
                    _ = stopped.changed() => return,
                }
                let _g = gate.lock().await;
                if let Err(e) = chain.new_block(serde_json::json!({"count": 1})).await {
                    tracing::warn!("block ticker: {e}");
                }
            }
        });
        Ticker { stop, handle: Some(handle) }
    }

    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.abort();
        }
    }
}
