//! User preferences that are not secret (language, network), persisted as
//! JSON in the data dir. Secrets never go here.

use crate::error::{Error, ErrorCode, Result};
use crate::language::Language;
use crate::network::NetworkChoice;
use crate::paths;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// `None` until the user picks one: the OS locale decides meanwhile.
    pub language: Option<Language>,
    pub network: NetworkChoice,
    /// The user's mainnet endpoint list, tried in order; empty means the
    /// built-in list (`dbc::chain::MAINNET_ENDPOINTS`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mainnet_endpoints: Vec<String>,
    /// The user chose the encrypted file for wallet secrets because the OS
    /// keyring is not usable (an explicit choice, never a silent fallback).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub file_store_chosen: bool,
    /// DBC client base URLs (`http://host:port`), normalized when saved
    /// (`compute::url::normalize_list`); the first is the default for a new VM.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compute_clients: Vec<String>,
    /// The user turned the community DBC clients off
    /// (`compute::choice::COMMUNITY_CLIENTS`); they are asked by default.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub community_clients_off: bool,
    /// DBC clients (normalized base URLs) the user allowed over plain
    /// `http://` although they are outside this computer and its private
    /// network: asked once per client, then remembered here
    /// (`compute::url::allows_insecure`, `compute::url::check_transport`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub insecure_clients_allowed: Vec<String>,
    /// Nodes (`ws://` URLs as parsed) the user allowed unencrypted although
    /// they are outside this computer and its private network: asked once
    /// per node ([`Settings::allows_insecure_node`], `network::check_node_transport`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub insecure_nodes_allowed: Vec<String>,
    /// Minutes before a rental ends when a reminder fires; `None` means
    /// [`DEFAULT_REMINDER_LEADS_MINUTES`] (an empty list turns them off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder_leads_minutes: Option<Vec<u32>>,
    /// The private key the user chose for SSH to Linux VMs
    /// (`ssh::chosen_key` checked it); `None`: `~/.ssh/id_ed25519`, else
    /// the app's own key (`ssh::find_key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<PathBuf>,
}

/// 24 hours and 1 hour before the end.
pub const DEFAULT_REMINDER_LEADS_MINUTES: [u32; 2] = [24 * 60, 60];
/// The longest lead that makes sense: a rental lasts at most 60 days.
pub const MAX_REMINDER_LEAD_MINUTES: u32 = 60 * 24 * 60;

impl Settings {
    /// The mainnet endpoints to try: the user's list, else `None` (the built-in one).
    pub fn custom_mainnet_endpoints(&self) -> Option<&[String]> {
        (!self.mainnet_endpoints.is_empty()).then_some(self.mainnet_endpoints.as_slice())
    }

    /// The endpoints to hand `chain::profile_for` for `choice` (the user's
    /// mainnet list, else `None`), once every node `choice` would dial has
    /// passed [`Settings::check_node_transport`].
    pub fn checked_endpoints(&self, choice: &NetworkChoice) -> Result<Option<&[String]>> {
        self.check_node_transport(choice)?;
        Ok(self.custom_mainnet_endpoints())
    }

    /// The language to show: the user's choice, else the OS locale.
    pub fn effective_language(&self) -> Language {
        self.language.unwrap_or_else(Language::system_default)
    }

    /// Whether the user allowed unencrypted `ws://` to the node at `url`.
    pub fn allows_insecure_node(&self, url: &str) -> bool {
        let Ok(want) = crate::network::parse_node_url(url) else {
            return false;
        };
        self.insecure_nodes_allowed.iter().any(|u| crate::network::parse_node_url(u).is_ok_and(|u| u == want))
    }

    /// Remember that the user allowed unencrypted `ws://` to the node at `url`.
    pub fn allow_insecure_node(&mut self, url: &str) -> Result<String> {
        let url = crate::network::parse_node_url(url)?;
        if !self.allows_insecure_node(&url) {
            self.insecure_nodes_allowed.push(url.clone());
        }
        Ok(url)
    }

    /// Refuse an unencrypted remote node the user has not allowed
    /// (`insecure-node-url`); every node `choice` would dial is checked.
    pub fn check_node_transport(&self, choice: &crate::network::NetworkChoice) -> Result<()> {
        let endpoints: Vec<&str> = match choice {
            crate::network::NetworkChoice::Custom(url) => vec![url.as_str()],
            crate::network::NetworkChoice::Mainnet => self.mainnet_endpoints.iter().map(String::as_str).collect(),
            crate::network::NetworkChoice::Practice => Vec::new(),
        };
        endpoints.into_iter().try_for_each(|u| crate::network::check_node_transport(u, self.allows_insecure_node(u)))
    }

    /// The reminder lead times in minutes, longest first, without duplicates.
    pub fn reminder_leads(&self) -> Vec<u32> {
        let mut v = self.reminder_leads_minutes.clone().unwrap_or_else(|| DEFAULT_REMINDER_LEADS_MINUTES.to_vec());
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.dedup();
        v
    }
}

/// Check reminder lead times (minutes): each from 1 minute to 60 days.
pub fn validate_reminder_leads(leads: &[u32]) -> Result<Vec<u32>> {
    if let Some(bad) = leads.iter().find(|m| **m == 0 || **m > MAX_REMINDER_LEAD_MINUTES) {
        return Err(Error::invalid_argument(format!(
            "a reminder lead time is from 1 minute to 60 days, not {bad} minutes"
        ))
        .with_data(serde_json::json!({ "value": bad.to_string() })));
    }
    let mut v = leads.to_vec();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    Ok(v)
}

/// What loading found, so the caller can tell the user about a file that
/// had to be set aside.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    /// Where an unreadable settings file was moved to (it is kept, not lost).
    pub quarantined: Option<PathBuf>,
}

pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    pub fn new(data_dir: &Path) -> Self {
        SettingsStore { path: data_dir.join("settings.json") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read the settings. A missing file gives the defaults. A file that is
    /// not valid settings JSON is renamed to `settings.corrupt-<unix time>.json`
    /// (kept for the user, never overwritten) and the defaults are used.
    pub fn load(&self) -> Result<Loaded> {
        let Some(bytes) = paths::read_if_exists(&self.path)? else {
            return Ok(Loaded { settings: Settings::default(), quarantined: None });
        };
        match serde_json::from_slice::<Settings>(&bytes) {
            Ok(settings) => Ok(Loaded { settings, quarantined: None }),
            Err(parse_err) => {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                let aside = self.path.with_file_name(format!("settings.corrupt-{stamp}.json"));
                std::fs::rename(&self.path, &aside).map_err(|e| {
                    Error::new(
                        ErrorCode::StorageCorrupt,
                        format!(
                            "{} is unreadable ({parse_err}) and could not be moved aside: {e}",
                            self.path.display()
                        ),
                    )
                    .with_data(serde_json::json!({ "path": self.path.display().to_string() }))
                })?;
                tracing::warn!(path = %self.path.display(), moved_to = %aside.display(), error = %parse_err, "settings file unreadable; using defaults");
                Ok(Loaded { settings: Settings::default(), quarantined: Some(aside) })
            }
        }
    }

    pub fn save(&self, settings: &Settings) -> Result<()> {
        let json = serde_json::to_vec_pretty(settings).map_err(|e| Error::internal(e.to_string()))?;
        paths::write_atomic(&self.path, &json).map_err(|e| Error::io(&self.path, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let d = tempfile::tempdir().unwrap();
        let loaded = SettingsStore::new(d.path()).load().unwrap();
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.quarantined.is_none());
    }

    #[test]
    fn round_trip() {
        let d = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(d.path());
        let s = Settings {
            language: Some(Language::Zh),
            network: NetworkChoice::Practice,
            mainnet_endpoints: vec!["wss://a.example/".into()],
            file_store_chosen: true,
            compute_clients: vec!["http://127.0.0.1:5002".into()],
            community_clients_off: true,
            insecure_clients_allowed: vec!["http://116.31.89.150:5052".into()],
            insecure_nodes_allowed: vec!["ws://116.31.89.150:9944/".into()],
            reminder_leads_minutes: Some(vec![120]),
            ssh_key: Some("/home/u/.ssh/id_work".into()),
        };
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap().settings, s);
        assert_eq!(s.effective_language(), Language::Zh);
    }

    #[test]
    fn the_endpoints_for_a_choice_are_the_users_list_once_checked() {
        let mut s = Settings::default();
        assert_eq!(s.checked_endpoints(&NetworkChoice::Mainnet).unwrap(), None, "the built-in list");
        s.mainnet_endpoints = vec!["ws://8.8.8.8:9944/".into()];
        assert_eq!(s.checked_endpoints(&NetworkChoice::Mainnet).unwrap_err().code, ErrorCode::InsecureNodeUrl);
        s.allow_insecure_node("ws://8.8.8.8:9944").unwrap();
        assert_eq!(s.checked_endpoints(&NetworkChoice::Mainnet).unwrap(), Some(&s.mainnet_endpoints[..]));
    }

    #[test]
    fn an_unencrypted_remote_node_is_checked_against_what_the_user_allowed() {
        use crate::network::NetworkChoice;
        let mut s = Settings::default();
        let custom = NetworkChoice::Custom("ws://116.31.89.150:9944/".into());
        assert_eq!(s.check_node_transport(&custom).unwrap_err().code, crate::ErrorCode::InsecureNodeUrl);
        s.mainnet_endpoints = vec!["wss://info.dbcwallet.io/".into(), "ws://8.8.8.8:9944/".into()];
        assert_eq!(
            s.check_node_transport(&NetworkChoice::Mainnet).unwrap_err().code,
            crate::ErrorCode::InsecureNodeUrl
        );
        s.allow_insecure_node("ws://116.31.89.150:9944").unwrap();
        s.allow_insecure_node("ws://8.8.8.8:9944").unwrap();
        assert!(s.check_node_transport(&custom).is_ok());
        assert!(s.check_node_transport(&NetworkChoice::Mainnet).is_ok());
        assert!(s.check_node_transport(&NetworkChoice::Practice).is_ok());
        assert_eq!(s.insecure_nodes_allowed.len(), 2);
    }

    #[test]
    fn corrupt_file_is_kept_aside_not_overwritten() {
        let d = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(d.path());
        std::fs::write(store.path(), b"{ not json").unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.settings, Settings::default());
        let aside = loaded.quarantined.expect("moved aside");
        assert_eq!(std::fs::read(&aside).unwrap(), b"{ not json");
        assert!(!store.path().exists());
    }

    #[test]
    fn reminder_leads() {
        assert_eq!(Settings::default().reminder_leads(), [1440, 60]);
        assert_eq!(validate_reminder_leads(&[60, 1440, 60]).unwrap(), [1440, 60]);
        assert_eq!(validate_reminder_leads(&[0]).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(
            validate_reminder_leads(&[MAX_REMINDER_LEAD_MINUTES + 1]).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        let off = Settings { reminder_leads_minutes: Some(vec![]), ..Settings::default() };
        assert!(off.reminder_leads().is_empty(), "an empty list turns reminders off");
        // Older settings files have neither field.
        let old: Settings = serde_json::from_str(r#"{"language":"zh"}"#).unwrap();
        assert!(old.compute_clients.is_empty() && old.reminder_leads_minutes.is_none());
    }

    #[test]
    fn unknown_fields_are_tolerated() {
        let d = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(d.path());
        std::fs::write(store.path(), br#"{"language":"en","futureThing":1}"#).unwrap();
        assert_eq!(store.load().unwrap().settings.language, Some(Language::En));
    }
}
