//! Signed updates through `tauri-plugin-updater`, driven from Rust only.
//!
//! Where updates come from is fixed when the app is built, never at run time:
//! `DBC_RENT_UPDATE_URL` (the release manifest, `latest.json`) and
//! `DBC_RENT_UPDATER_PUBKEY` (the base64 of the minisign public key file whose
//! private half signs the release packages) are read by `option_env!`. A build
//! without both has updates switched off ("no release address is configured").
//! The webview has no updater permission and cannot name a server or a key:
//! it can only ask our commands to check, install the checked release, and
//! restart.
//!
//! The plugin verifies the downloaded bytes against the built-in key (and,
//! when the signature's trusted comment names a version, that it is the
//! announced one) before anything is written; on Linux it then installs the
//! package the app came from with `pkexec dpkg -i` (or `rpm -U`).

use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};

/// Where updates come from and the key they must be signed with.
#[derive(Debug, Clone, Default)]
pub struct UpdateConfig {
    /// The release manifest's address (`latest.json`).
    pub endpoint: Option<String>,
    /// The base64 of the minisign public key file (as `tauri signer generate` writes it).
    pub pubkey: Option<String>,
}

impl UpdateConfig {
    /// The release channel compiled into this build (both or nothing).
    pub fn built_in() -> Self {
        Self::from_values(option_env!("DBC_RENT_UPDATE_URL"), option_env!("DBC_RENT_UPDATER_PUBKEY"))
    }

    /// Blank values count as unset.
    pub fn from_values(endpoint: Option<&str>, pubkey: Option<&str>) -> Self {
        let clean = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        UpdateConfig { endpoint: clean(endpoint), pubkey: clean(pubkey) }
    }

    pub fn is_configured(&self) -> bool {
        self.endpoint.is_some() && self.pubkey.is_some()
    }
}

/// What "Check for updates" found.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct UpdateCheck {
    /// A newer version is offered (then `version` is set).
    pub available: bool,
    pub current_version: String,
    pub version: Option<String>,
    /// The release notes, shown as plain text.
    pub notes: Option<String>,
    /// The publication date (RFC 3339), when the manifest gives one.
    pub date: Option<String>,
}

/// Download progress: bytes so far, and the total when the server sent one.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct UpdateProgress {
    pub downloaded: u64,
    pub total: Option<u64>,
}

/// The app's updater: its configuration, the release last checked (the only
/// one `install` will take) and whether one was installed (restart pending).
#[derive(Default)]
pub struct UpdateService {
    pub config: UpdateConfig,
    pending: Mutex<Option<Update>>,
    installed: Mutex<Option<String>>,
    /// An install is under way (a second one would ask for the password again).
    installing: std::sync::atomic::AtomicBool,
}

impl UpdateService {
    pub fn new(config: UpdateConfig) -> Self {
        UpdateService { config, ..Default::default() }
    }

    /// Check the release address; remember a newer release for [`Self::install`].
    pub async fn check<R: Runtime>(&self, app: &AppHandle<R>) -> Result<UpdateCheck> {
        let found = check(app, &self.config).await;
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        *pending = None;
        let (update, current) = found?;
        let Some(update) = update else {
            return Ok(UpdateCheck { available: false, current_version: current, ..no_update() });
        };
        let view = UpdateCheck {
            available: true,
            current_version: update.current_version.clone(),
            version: Some(update.version.clone()),
            notes: update.body.clone(),
            // As the manifest wrote it (the plugin checked that it is RFC 3339).
            date: update.date.and(update.raw_json.get("pub_date").and_then(|d| d.as_str()).map(String::from)),
        };
        *pending = Some(update);
        Ok(view)
    }

    /// Download the release found by the last check, verify its signature and
    /// install it (the system asks for an administrator password).
    pub async fn install(&self, on_progress: impl FnMut(UpdateProgress)) -> Result<String> {
        use std::sync::atomic::Ordering;
        let update = self.pending.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(update) = update else {
            return Err(Error::invalid_argument("check for updates first: no release is waiting to be installed"));
        };
        if self.installing.swap(true, Ordering::SeqCst) {
            return Err(Error::invalid_argument("an update is being installed already"));
        }
        // Cleared however the install ends (an error, or a panic the guard turns into `internal`).
        struct Busy<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Busy<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::SeqCst);
            }
        }
        let _busy = Busy(&self.installing);
        self.download_and_install(update, on_progress).await
    }

    async fn download_and_install(&self, update: Update, on_progress: impl FnMut(UpdateProgress)) -> Result<String> {
        let bytes = download(&update, on_progress).await?;
        let version = update.version.clone();
        let installer = update.clone();
        tauri::async_runtime::spawn_blocking(move || installer.install(bytes))
            .await
            .map_err(|e| Error::internal(format!("the install task failed: {e}")))?
            .map_err(map_error)?;
        *self.installed.lock().unwrap_or_else(|p| p.into_inner()) = Some(version.clone());
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(version)
    }

    /// The version installed by [`Self::install`] (a restart runs it).
    pub fn installed(&self) -> Option<String> {
        self.installed.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn no_update() -> UpdateCheck {
    UpdateCheck { available: false, current_version: String::new(), version: None, notes: None, date: None }
}

/// The plugin's updater over `config`. It accepts only a strictly newer
/// version; the version offered is kept in `offered` so an older (or equal)
/// one can be told from "no release".
pub fn updater<R: Runtime>(
    app: &AppHandle<R>,
    config: &UpdateConfig,
    offered: Arc<Mutex<Option<String>>>,
) -> Result<Updater> {
    let (Some(endpoint), Some(pubkey)) = (&config.endpoint, &config.pubkey) else {
        return Err(not_configured());
    };
    let url = endpoint.parse().map_err(|e| {
        Error::new(ErrorCode::UpdateNotConfigured, format!("the built-in release address {endpoint} is not a URL: {e}"))
    })?;
    app.updater_builder()
        .endpoints(vec![url])
        .map_err(map_error)?
        .pubkey(pubkey.clone())
        .timeout(std::time::Duration::from_secs(60))
        .version_comparator(move |current, release| {
            *offered.lock().unwrap_or_else(|p| p.into_inner()) = Some(release.version.to_string());
            release.version > current
        })
        .build()
        .map_err(map_error)
}

/// Check the release address: a newer release, or `None` when the one offered
/// is this version. An older one is refused with `update-not-newer`.
/// Also returns the running version.
pub async fn check<R: Runtime>(app: &AppHandle<R>, config: &UpdateConfig) -> Result<(Option<Update>, String)> {
    let offered = Arc::new(Mutex::new(None));
    let updater = updater(app, config, offered.clone())?;
    let current = app.package_info().version.to_string();
    let found = updater.check().await.map_err(map_error)?;
    if found.is_some() {
        return Ok((found, current));
    }
    let offered = offered.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match offered {
        Some(v) if v != current => Err(Error::new(
            ErrorCode::UpdateNotNewer,
            format!("the offered version {v} is older than this one, {current}: refused"),
        )
        .with_data(json!({ "offered": v, "current": current }))),
        // The same version (or a 204 No Content): up to date.
        _ => Ok((None, current)),
    }
}

/// Download `update` reporting progress; the plugin verifies the signature
/// before the bytes are returned.
pub async fn download(update: &Update, mut on_progress: impl FnMut(UpdateProgress)) -> Result<Vec<u8>> {
    let mut downloaded = 0u64;
    update
        .download(
            |chunk, total| {
                downloaded += chunk as u64;
                on_progress(UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(map_error)
}

fn not_configured() -> Error {
    Error::new(ErrorCode::UpdateNotConfigured, "no release address is configured in this build: updates are off")
}

/// The plugin's errors in our one shape.
pub fn map_error(e: tauri_plugin_updater::Error) -> Error {
    use tauri_plugin_updater::Error as E;
    let reason = e.to_string();
    let (code, message) = match &e {
        E::EmptyEndpoints => return not_configured(),
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => (
            ErrorCode::UpdateBadSignature,
            format!("the update's signature is not valid ({reason}): refused, nothing was installed"),
        ),
        E::Semver(_)
        | E::Serialization(_)
        | E::ReleaseNotFound
        | E::UrlParse(_)
        | E::Reqwest(_)
        | E::Network(_)
        | E::TargetNotFound(_)
        | E::TargetsNotFound(_)
        | E::InsecureTransportProtocol
        | E::UnsupportedArch
        | E::UnsupportedOs => {
            (ErrorCode::UpdateUnavailable, format!("no usable release from the release address: {reason}"))
        }
        _ => (ErrorCode::UpdateFailed, format!("the update could not be installed: {reason}")),
    };
    Error::new(code, message).with_data(json!({ "reason": reason }))
}

#[cfg(test)]
mod tests;
