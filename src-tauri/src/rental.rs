//! The rentals of the connected network, kept in step with the chain: the
//! journal (`dbc::rental::RentalBook`, one per chain, shared with the CLI)
//! is opened for whichever network is connected, synced for the active
//! account on connect and every few blocks (every block while an order
//! waits for confirmation or a transaction is in flight), and published as
//! `rentals-updated`. Due reminders go out as `rental-reminder`.
//! Orchestration only: the flow itself lives in `dbc::rental`.

use crate::network::NetworkService;
use crate::wallet::WalletService;
use dbc::chain::{ChainClient, ChainIdentity};
use dbc::network::ConnectionState;
use dbc::rental::reminders::{self, FiredStore, Reminder};
use dbc::rental::{Rental, RentalBook, Stage};
use dbc::{Error, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Every published list of rentals.
pub const RENTALS_UPDATED_EVENT: &str = "rentals-updated";
/// A reminder that just became due (the webview shows it and asks for the
/// desktop notification, with the text in the user's language).
pub const RENTAL_REMINDER_EVENT: &str = "rental-reminder";
/// With nothing in flight, the chain is re-read this often (blocks).
pub const SYNC_EVERY_BLOCKS: u32 = 10;

/// The rentals as the webview sees them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct RentalsSnapshot {
    /// `mainnet`, `practice` or `custom`.
    pub network: String,
    pub genesis: String,
    /// The active account (SS58), `None` without a wallet.
    pub account: Option<String>,
    pub best_block: u32,
    /// The active account's rentals, newest first (each with its stage's meaning).
    #[serde(serialize_with = "crate::rental_view::serialize_all")]
    #[ts(as = "Vec<crate::rental_view::RentalView>")]
    pub rentals: Vec<Rental>,
    /// Why the last sync with the chain failed: the list is then the
    /// journal's as it stood.
    pub sync_error: Option<Error>,
}

impl RentalsSnapshot {
    /// Something waits on the chain: an unconfirmed order or a transaction.
    pub fn in_flight(&self) -> bool {
        self.rentals.iter().any(|r| r.pending.is_some() || r.stage == Stage::Placing || r.stage.awaits_confirm())
    }
}

struct OpenBook {
    chain: ChainIdentity,
    book: Arc<RentalBook>,
}

/// The `~/.ssh/config` blocks "Open in VS Code" added for rentals that
/// have ended go with them (best effort, logged; only when one ended).
async fn forget_ended_vscode_hosts(rentals: &[Rental]) {
    if !rentals.iter().any(|r| matches!(r.stage, Stage::Ended | Stage::Lapsed | Stage::Failed)) {
        return;
    }
    let rentals = rentals.to_vec();
    let removed = tokio::task::spawn_blocking(move || {
        let config = dbc::ssh::user_ssh_config()?;
        // A config without any block of ours is not touched (not even locked:
        // the lock file would appear beside it).
        match std::fs::read_to_string(&config) {
            Ok(text) if text.contains("# >>> dbc-rent ") => {}
            _ => return Ok(Vec::new()),
        }
        dbc::rental::forget_ended_vscode_hosts(&config, &rentals)
    })
    .await;
    match removed {
        Ok(Ok(aliases)) if !aliases.is_empty() => tracing::info!(?aliases, "VS Code hosts of ended rentals removed"),
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot remove the VS Code hosts of ended rentals"),
        _ => {}
    }
}

/// The app's view of the rentals: the journal of the connected chain
/// (opened once per chain), the published list and the fired reminders.
/// Chain steps are serialized by the journal's own lock, across processes
/// (`dbc::rental::RentalBook::chain_step`).
pub struct RentalWatch {
    data_dir: PathBuf,
    book: Mutex<Option<OpenBook>>,
    latest: watch::Sender<Option<Arc<RentalsSnapshot>>>,
    fired_store: FiredStore,
    fired: Mutex<Option<BTreeSet<String>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The journal's name for a chain: the genesis hash as `0x…` (as the CLI has it).
pub fn genesis_of(client: &ChainClient) -> String {
    format!("{:?}", client.genesis_hash())
}

impl RentalWatch {
    pub fn new(data_dir: PathBuf) -> Arc<Self> {
        let (latest, _) = watch::channel(None);
        Arc::new(RentalWatch {
            fired_store: FiredStore::new(&data_dir),
            data_dir,
            book: Mutex::new(None),
            latest,
            fired: Mutex::new(None),
        })
    }

    pub fn latest(&self) -> Option<Arc<RentalsSnapshot>> {
        self.latest.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Option<Arc<RentalsSnapshot>>> {
        self.latest.subscribe()
    }

    /// The journal of `client`'s chain (by its identity: a practice chain
    /// started afresh gets its own), opened once per chain.
    pub async fn book_for(&self, client: &ChainClient) -> Result<Arc<RentalBook>> {
        let chain = dbc::chain::identity::identity(client).await?;
        let mut open = lock(&self.book);
        if let Some(o) = open.as_ref().filter(|o| o.chain == chain) {
            return Ok(o.book.clone());
        }
        let book = Arc::new(RentalBook::open(&self.data_dir, &chain)?);
        *open = Some(OpenBook { chain, book: book.clone() });
        Ok(book)
    }

    /// The core rental service over the connected chain.
    pub async fn service(&self, network: &NetworkService) -> Result<dbc::rental::RentalService> {
        let (client, nonces) = network.client().await?;
        let book = self.book_for(&client).await?;
        Ok(dbc::rental::RentalService::with_book(client, nonces, book))
    }

    /// The journal opened last, for VM steps while the chain is unreachable.
    pub fn last_book(&self) -> Option<Arc<RentalBook>> {
        lock(&self.book).as_ref().map(|o| o.book.clone())
    }

    /// The journal of the connected chain (and its client); when the chain
    /// cannot be reached, the one opened last (VM steps only need the DBC client).
    pub async fn book_or_last(&self, network: &NetworkService) -> Result<(Arc<RentalBook>, Option<ChainClient>)> {
        match network.client().await {
            Ok((client, _)) => Ok((self.book_for(&client).await?, Some(client))),
            Err(e) => self.last_book().map(|b| (b, None)).ok_or(e),
        }
    }

    /// Publish the journal after a command changed it, when connected (best
    /// effort: the command's own result is what the caller waits for).
    pub async fn publish_after(&self, network: &NetworkService, account: &str) {
        let Ok((client, _)) = network.client().await else { return };
        if let Err(e) = self.publish_journal(network, &client, account).await {
            tracing::warn!(error = %e, "cannot publish the rentals");
        }
    }

    /// Settle and reconcile the active account's rentals with the chain,
    /// then publish them. `wait`: queue behind a running chain step (a user
    /// asking), else skip when one runs (the background).
    pub async fn sync(
        &self,
        network: &NetworkService,
        wallet: &WalletService,
        wait: bool,
    ) -> Result<Option<Arc<RentalsSnapshot>>> {
        let svc = self.service(network).await?;
        let (client, book) = (svc.client().clone(), svc.book().clone());
        let account = active_address(wallet).await;
        let mut sync_error = None;
        let rentals = match account.as_deref() {
            None => Vec::new(),
            Some(address) => {
                let who = dbc::wallet::parse_address(address)?;
                let synced = if wait { svc.sync(&who).await.map(Some) } else { svc.try_sync(&who).await };
                match synced {
                    Ok(Some(list)) => list,
                    // Another window or a CLI run is in a chain step: next time.
                    Ok(None) => return Ok(None),
                    Err(e) => {
                        tracing::warn!(error = %e, "syncing the rentals with the chain failed");
                        sync_error = Some(e);
                        book.all().into_iter().filter(|r| r.account == address).collect()
                    }
                }
            }
        };
        forget_ended_vscode_hosts(&rentals).await;
        let best = match client.best_block().await {
            Ok((n, _)) => n,
            Err(_) => network.status().best_block.unwrap_or(0),
        };
        Ok(Some(self.publish(network, &client, account, best, rentals, sync_error)))
    }

    /// Publish the journal as it stands (after a command changed it),
    /// without reading the chain.
    pub async fn publish_journal(
        &self,
        network: &NetworkService,
        client: &ChainClient,
        account: &str,
    ) -> Result<Arc<RentalsSnapshot>> {
        let book = self.book_for(client).await?;
        let rentals = book.all().into_iter().filter(|r| r.account == account).collect();
        let best = network.status().best_block.unwrap_or(0);
        Ok(self.publish(network, client, Some(account.to_string()), best, rentals, None))
    }

    fn publish(
        &self,
        network: &NetworkService,
        client: &ChainClient,
        account: Option<String>,
        best: u32,
        rentals: Vec<Rental>,
        sync_error: Option<Error>,
    ) -> Arc<RentalsSnapshot> {
        let snapshot = Arc::new(RentalsSnapshot {
            network: network.status().network,
            genesis: genesis_of(client),
            account,
            best_block: best,
            rentals,
            sync_error,
        });
        self.latest.send_replace(Some(snapshot.clone()));
        snapshot
    }

    /// The network changed: the old list no longer applies.
    fn clear(&self) {
        if self.latest.borrow().is_some() {
            self.latest.send_replace(None);
        }
    }

    /// The reminders due at `best` for the published rentals, each returned
    /// once (remembered in `<data dir>/reminders.json`).
    pub fn take_due_reminders(&self, best: u32, leads_minutes: &[u32]) -> Vec<Reminder> {
        let Some(snapshot) = self.latest() else {
            return Vec::new();
        };
        let mut fired = lock(&self.fired);
        let set = fired.get_or_insert_with(|| self.fired_store.load());
        let scope: String = snapshot.genesis.trim_start_matches("0x").chars().take(16).collect();
        let due = reminders::due(&scope, &snapshot.rentals, best, leads_minutes, set);
        if due.is_empty() {
            return Vec::new();
        }
        set.extend(due.keys().cloned());
        if let Err(e) = self.fired_store.save(set) {
            tracing::warn!(error = %e, "cannot remember the fired reminders");
        }
        due.reminders
    }
}

/// The active account's address, if there is a wallet with one.
async fn active_address(wallet: &WalletService) -> Option<String> {
    let w = wallet.wallet().ok()?;
    tauri::async_runtime::spawn_blocking(move || w.active().ok().map(|a| a.address)).await.ok().flatten()
}

/// Keep the rentals current for the life of the app and forward what is
/// published and what is due to the webview.
pub fn start_background<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    let state = app.state::<crate::AppState>();
    let mut rx = state.rentals.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while rx.changed().await.is_ok() {
            let payload = rx.borrow_and_update().clone();
            if let Err(e) = handle.emit(RENTALS_UPDATED_EVENT, payload.as_deref()) {
                tracing::warn!(error = %e, "cannot emit the rentals");
            }
        }
    });
    let handle = app.clone();
    tauri::async_runtime::spawn(async move { follow(handle).await });
}

/// Sync on every (re)connection and every few blocks; check reminders on
/// every block.
async fn follow<R: tauri::Runtime>(handle: tauri::AppHandle<R>) {
    use tauri::{Emitter, Manager};
    let state = handle.state::<crate::AppState>();
    let mut rx = state.network.subscribe();
    let mut synced: Option<(String, u32)> = None;
    let mut shown_network: Option<String> = None;
    loop {
        let status = rx.borrow_and_update().clone();
        if shown_network.as_ref().is_some_and(|n| *n != status.network) {
            state.rentals.clear();
            synced = None;
        }
        shown_network = Some(status.network.clone());
        if let (ConnectionState::Connected, Some(genesis), Some(best)) =
            (status.state, status.genesis_hash.clone(), status.best_block)
        {
            let fresh_chain = synced.as_ref().is_none_or(|(g, _)| *g != genesis);
            let in_flight = state.rentals.latest().is_some_and(|s| s.in_flight());
            let due = match &synced {
                _ if fresh_chain => true,
                Some((_, at)) => {
                    (in_flight && best > *at) || best >= at.saturating_add(SYNC_EVERY_BLOCKS) || best < *at
                }
                None => true,
            };
            if due {
                match state.rentals.sync(&state.network, &state.wallet, fresh_chain).await {
                    Ok(Some(_)) => synced = Some((genesis, best)),
                    Ok(None) => {}
                    Err(e) => tracing::debug!(error = %e, "rentals not synced"),
                }
            }
            let leads = state.settings().reminder_leads();
            for r in state.rentals.take_due_reminders(best, &leads) {
                tracing::info!(rent_id = r.rent_id, key = %r.key, "reminder due");
                if let Err(e) = handle.emit(RENTAL_REMINDER_EVENT, &r) {
                    tracing::warn!(error = %e, "cannot emit a reminder");
                }
            }
        } else if status.state != ConnectionState::Connected {
            synced = None;
        }
        if rx.changed().await.is_err() {
            break;
        }
    }
}
