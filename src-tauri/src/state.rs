//! What the running app holds: its folders, the user's settings and the
//! network connection.

use crate::connect::ConnectService;
use crate::market::MarketService;
use crate::network::NetworkService;
use crate::rental::RentalWatch;
use crate::wallet::WalletService;
use dbc::settings::{Settings, SettingsStore};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

pub struct AppState {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub settings_store: SettingsStore,
    settings: Mutex<Settings>,
    pub network: std::sync::Arc<NetworkService>,
    pub wallet: WalletService,
    /// The machine list, kept current while connected.
    pub market: std::sync::Arc<MarketService>,
    /// The rentals of the connected network (the journal), kept in step with the chain.
    pub rentals: std::sync::Arc<RentalWatch>,
    /// The VM logins unlocked on the Connect step (memory only, 30 minutes).
    pub connect: ConnectService,
    /// Signed updates from the release address built into the app (off without one).
    pub update: crate::update::UpdateService,
}

impl AppState {
    /// Load the settings from `data_dir`. An unreadable settings file has
    /// been moved aside by the store and the defaults are used; a folder we
    /// cannot read at all also falls back to defaults (logged), so the app
    /// still opens and can tell the user.
    pub fn load(data_dir: PathBuf, log_dir: PathBuf) -> Self {
        let settings_store = SettingsStore::new(&data_dir);
        let settings = match settings_store.load() {
            Ok(loaded) => loaded.settings,
            Err(e) => {
                tracing::error!(error = %e, "cannot read settings; using defaults");
                Settings::default()
            }
        };
        let network = NetworkService::new(data_dir.clone(), &settings.network);
        let wallet = WalletService::new(data_dir.clone());
        let market = MarketService::new(data_dir.clone());
        let rentals = RentalWatch::new(data_dir.clone());
        AppState {
            data_dir,
            log_dir,
            settings_store,
            settings: Mutex::new(settings),
            network,
            wallet,
            market,
            rentals,
            connect: ConnectService::default(),
            update: crate::update::UpdateService::new(crate::update::UpdateConfig::built_in()),
        }
    }

    /// The settings, even if a panicking command poisoned the lock (the
    /// value is plain data and always consistent).
    pub fn settings(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Change the settings: saved first, kept in memory only once saved, so a
    /// failed write changes nothing. Returns the new settings.
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) -> dbc::Result<Settings> {
        let mut current = self.settings();
        let mut next = current.clone();
        change(&mut next);
        self.settings_store.save(&next)?;
        *current = next.clone();
        Ok(next)
    }
}
