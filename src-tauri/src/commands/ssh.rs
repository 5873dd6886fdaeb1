//! The Connect and Confirm steps' commands for a Linux (Ubuntu) VM, the SSH
//! counterpart of `connect.rs`: each works on the login the user unlocked
//! with the wallet password (kept in memory by `crate::connect`) and calls
//! `dbc::ssh` / `dbc::rental::ssh_steps`. The VM's password never goes back
//! to the webview, except the one explicit reveal; it is copied from Rust.
//! Keys, `~/.ssh/config` and programs are touched only here, with validated
//! inputs, and a key is generated or the config file edited only when the
//! webview passes the user's yes.

use crate::blocking::blocking;
use crate::clipboard::{self, CLEAR_SECRET_AFTER};
use crate::commands::connect::{with_login, Revealed};
use crate::connect::Login;
use crate::guard::guarded_async;
use crate::rental_view::RentalView;
use crate::AppState;
use dbc::host::{Os, SystemProbe};
use dbc::rental::{self, SshUse};
use dbc::ssh::{self, GpuCheck, KeyInstall, SshKey, SshLogin, SshOptions, Started};
use dbc::wallet::ExposeSecret;
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long the Confirm step's SSH check waits for the key exchange.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// The SSH login of rental `id`'s unlocked login, and the VM's task id.
async fn ssh_login(state: &AppState, id: &str) -> Result<(String, SshLogin, String)> {
    with_login(state, id, |l| Ok((l.rental_id.clone(), l.ssh_login()?, l.task_id.clone()))).await
}

/// The key the commands use: the one chosen in Settings (which must still
/// be there: `ssh-key-missing`), else the user's own (`~/.ssh/id_ed25519`),
/// else the app's earlier one; `None` when there is none yet. With it,
/// where the app would create one.
async fn user_key(state: &AppState) -> Result<(Option<SshKey>, PathBuf)> {
    let chosen = state.settings().ssh_key.clone();
    blocking(move || key_in(&ssh::user_ssh_dir()?, chosen.as_deref())).await
}

/// [`user_key`] in the folder `ssh_dir` (`~/.ssh`).
fn key_in(ssh_dir: &Path, chosen: Option<&Path>) -> Result<(Option<SshKey>, PathBuf)> {
    Ok((ssh::find_key(ssh_dir, chosen)?, ssh_dir.join(ssh::keys::APP_KEY)))
}

/// `ssh-key-missing {path}`: no key yet, and the user did not agree to one.
fn key_missing(app_key: &Path) -> Error {
    Error::new(
        ErrorCode::SshKeyMissing,
        format!("no SSH key of yours was found; agree to create {} first", app_key.display()),
    )
    .with_data(json!({ "path": app_key.display().to_string() }))
}

/// The alias of the rental in `~/.ssh/config` and the terminal's title: `dbc-<rent id>`.
fn alias_of(l: &Login) -> Result<String> {
    ssh::host_alias(&l.name())
}

/// What the SSH card shows of a Linux VM's login: never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct SshInfo {
    pub rental_id: String,
    pub rent_id: Option<u64>,
    pub host: String,
    pub port: u16,
    pub user: String,
    /// The VM has a generated password (for the first login that installs the key).
    pub password_available: bool,
    /// The private key the `ssh` command and the app use (the user's, or where the app would create one).
    pub key_path: PathBuf,
    /// That key exists; when not, "Install my key" asks before creating it.
    pub key_exists: bool,
    /// The key is the one chosen in "Use another key" (not the default).
    pub key_chosen: bool,
    /// "Install my key" put that key on this VM in this run of the app.
    pub key_installed: bool,
    /// The exact `ssh` command (one line, no password: the key logs in).
    pub command: String,
    /// The `Host` alias VS Code is opened with (`dbc-<rent id>`).
    pub alias: String,
    /// Seconds until the login is dropped and must be unlocked again.
    pub expires_in_secs: u64,
}

/// Whether "Install my key" put `key` on rental `rental_id`'s VM in this run.
/// Asked outside `with_login`: that holds the Connect memory's lock, which this takes too.
fn installed(state: &AppState, rental_id: &str, key: Option<&SshKey>) -> bool {
    key.is_some_and(|k| state.connect.is_key_installed(rental_id, &k.private))
}

/// The SSH card of `l` with the key `key` (or `app_key`, not created yet);
/// `installed` from [`installed`]. Runs inside `with_login`: it must not
/// lock the Connect memory again.
fn info_of(state: &AppState, l: &Login, key: Option<&SshKey>, app_key: &Path, installed: bool) -> Result<SshInfo> {
    // The settings lock inside the Connect memory's is safe: whoever holds
    // the settings lock only edits and saves them (`update_settings`).
    let key_chosen = key.is_some_and(|k| state.settings().ssh_key.as_deref() == Some(k.private.as_path()));
    let login = l.ssh_login()?;
    let key_path = key.map_or_else(|| app_key.to_path_buf(), |k| k.private.clone());
    let command = ssh::ssh_command_line(Os::current(), &login.target, &key_path, &state.data_dir)?;
    Ok(SshInfo {
        rental_id: l.rental_id.clone(),
        rent_id: l.rent_id,
        host: login.target.host(),
        port: login.target.port(),
        user: login.target.user().to_string(),
        password_available: login.password.is_some(),
        key_installed: key.is_some() && installed,
        key_chosen,
        key_exists: key.is_some(),
        key_path,
        command,
        alias: alias_of(l)?,
        expires_in_secs: l.view().expires_in_secs,
    })
}

/// The SSH card of rental `id`'s running Linux VM (`not-linux-vm` for a
/// Windows VM, `wrong-rental-state` until it runs with an SSH port).
#[tauri::command]
pub async fn ssh_info(state: tauri::State<'_, AppState>, id: String) -> Result<SshInfo> {
    guarded_async("ssh_info", async {
        let (rental_id, _, _) = ssh_login(&state, &id).await?;
        let (key, app_key) = user_key(&state).await?;
        let done = installed(&state, &rental_id, key.as_ref());
        with_login(&state, &id, |l| info_of(&state, l, key.as_ref(), &app_key, done)).await
    })
    .await
}

/// The values the SSH card copies. Serialized with the names `from_str` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SshField {
    Host,
    Port,
    User,
    Password,
    Command,
}

impl std::str::FromStr for SshField {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "host" => SshField::Host,
            "port" => SshField::Port,
            "user" => SshField::User,
            "password" => SshField::Password,
            "command" => SshField::Command,
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown field {other:?}: use host, port, user, password or command"
                ))
                .with_data(json!({ "field": other })))
            }
        })
    }
}

/// The VM's generated password (`vm-no-guest-agent` when the node set none).
fn password_of(login: &SshLogin) -> Result<Zeroizing<String>> {
    match &login.password {
        Some(p) => Ok(Zeroizing::new(p.expose_secret().to_string())),
        None => Err(ssh::session::no_password(login)),
    }
}

/// The text behind `field` of the card `info` and its `login`.
fn field_value(info: &SshInfo, login: &SshLogin, field: SshField) -> Result<Zeroizing<String>> {
    Ok(match field {
        SshField::Host => Zeroizing::new(info.host.clone()),
        SshField::Port => Zeroizing::new(info.port.to_string()),
        SshField::User => Zeroizing::new(info.user.clone()),
        SshField::Command => Zeroizing::new(info.command.clone()),
        SshField::Password => password_of(login)?,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct SshCopied {
    pub field: SshField,
    /// Seconds until a copied password is taken off the clipboard again.
    pub clears_in_secs: Option<u64>,
}

/// Copy `field` (`host`, `port`, `user`, `password`, `command`) of rental
/// `id`'s SSH login to the clipboard; the password is cleared 30 s later.
#[tauri::command]
pub async fn ssh_copy(state: tauri::State<'_, AppState>, id: String, field: String) -> Result<SshCopied> {
    guarded_async("ssh_copy", async {
        let which: SshField = field.parse()?;
        let (rental_id, _, _) = ssh_login(&state, &id).await?;
        let (key, app_key) = user_key(&state).await?;
        let done = installed(&state, &rental_id, key.as_ref());
        let text = with_login(&state, &id, |l| {
            let info = info_of(&state, l, key.as_ref(), &app_key, done)?;
            field_value(&info, &l.ssh_login()?, which)
        })
        .await?;
        let secret = which == SshField::Password;
        clipboard::copy(state.connect.clipboard(), text, secret, CLEAR_SECRET_AFTER).await?;
        Ok(SshCopied { field: which, clears_in_secs: secret.then_some(CLEAR_SECRET_AFTER.as_secs()) })
    })
    .await
}

/// Show the VM's password, on an explicit click (a terminal's password
/// prompt does not always take a paste). Only the password can be asked.
#[tauri::command]
pub async fn ssh_reveal(state: tauri::State<'_, AppState>, id: String, field: String) -> Result<Revealed> {
    guarded_async("ssh_reveal", async {
        if field.parse::<SshField>()? != SshField::Password {
            return Err(Error::invalid_argument(format!("{field} is not a secret: copy it instead"))
                .with_data(json!({ "field": field })));
        }
        let (_, login, _) = ssh_login(&state, &id).await?;
        let value = password_of(&login)?;
        // The one place the VM's password goes to the webview, on an explicit click.
        Ok(Revealed { field, value: (*value).clone() })
    })
    .await
}

/// The user's key in `ssh_dir`, or (only when `generate` carries their
/// yes) the app's new one there.
fn key_for_install(ssh_dir: &Path, chosen: Option<&Path>, generate: bool) -> Result<SshKey> {
    match key_in(ssh_dir, chosen)? {
        (Some(k), _) => Ok(k),
        (None, _) if generate => ssh::generate_app_key(ssh_dir),
        (None, app_key) => Err(key_missing(&app_key)),
    }
}

/// The key "Use another key" keeps in Settings; `None`: the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct KeyChoice {
    pub chosen: Option<PathBuf>,
}

/// "Use another key": the key pair `path` names (a full path, `~/…`, or a
/// name in `~/.ssh`; the private key or its `.pub`), checked by the core
/// (there, OpenSSH format, no passphrase) and kept in Settings for every
/// SSH action of the app; an empty `path` goes back to the default
/// (`~/.ssh/id_ed25519`, else the app's own key).
#[tauri::command]
pub async fn ssh_choose_key(state: tauri::State<'_, AppState>, path: String) -> Result<KeyChoice> {
    guarded_async("ssh_choose_key", async {
        let text = path.trim().to_string();
        let chosen = match text.is_empty() {
            true => None,
            false => Some(blocking(move || choose_in(&ssh::user_ssh_dir()?, &text)).await?),
        };
        state.update_settings(|s| s.ssh_key = chosen.clone())?;
        Ok(KeyChoice { chosen })
    })
    .await
}

/// The private key `text` names, from `ssh_dir` (`~/.ssh`, whose parent is the home folder).
fn choose_in(ssh_dir: &Path, text: &str) -> Result<PathBuf> {
    let home = ssh_dir.parent().unwrap_or(ssh_dir);
    Ok(ssh::chosen_key(ssh_dir, home, text)?.private)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct KeyInstalled {
    pub outcome: KeyInstall,
    pub key: SshKey,
    /// The SSH card as it is now (the key exists and is installed).
    pub info: SshInfo,
}

/// "Install my key": log in once with the VM's password and append the
/// user's public key to `~/.ssh/authorized_keys`. Without a key of theirs,
/// `generate: true` (the user agreed) creates `~/.ssh/dbc_rent_ed25519`;
/// `false` is refused with `ssh-key-missing {path}`.
#[tauri::command]
pub async fn ssh_install_key(state: tauri::State<'_, AppState>, id: String, generate: bool) -> Result<KeyInstalled> {
    guarded_async("ssh_install_key", async {
        let (rental_id, login, _) = ssh_login(&state, &id).await?;
        let chosen = state.settings().ssh_key.clone();
        let key = blocking(move || key_for_install(&ssh::user_ssh_dir()?, chosen.as_deref(), generate)).await?;
        let known_hosts = ssh::known_hosts_path(&state.data_dir);
        let outcome = ssh::install_key(&login, &key, &known_hosts, &SshOptions::default()).await?;
        state.connect.key_installed(&rental_id, &key.private);
        let (app_key, k) = (PathBuf::new(), key.clone());
        let info = with_login(&state, &id, |l| info_of(&state, l, Some(&k), &app_key, true)).await?;
        Ok(KeyInstalled { outcome, key, info })
    })
    .await
}

/// Open the system terminal running `ssh` to rental `id`'s VM with the
/// user's key (`ssh-key-missing` before "Install my key" made one;
/// `ssh-client-missing`, `terminal-missing` with `{os, install}` for the hint).
#[tauri::command]
pub async fn ssh_open_terminal(state: tauri::State<'_, AppState>, id: String) -> Result<Started> {
    guarded_async("ssh_open_terminal", async {
        let (target, alias) = with_login(&state, &id, |l| Ok((l.ssh_login()?.target, alias_of(l)?))).await?;
        let (key, app_key) = user_key(&state).await?;
        let key = key.ok_or_else(|| key_missing(&app_key))?;
        let data_dir = state.data_dir.clone();
        blocking(move || ssh::open_terminal(Os::current(), &SystemProbe, &target, &key.private, &data_dir, &alias))
            .await
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct VscodeOpened {
    pub started: Started,
    pub alias: String,
    /// The `~/.ssh/config` the `Host` block was added to.
    pub config: PathBuf,
}

/// "Open in VS Code": with the user's yes (`consent: true`; anything else
/// is refused before a file is touched), add the rental's `Host dbc-<rent>`
/// block to `~/.ssh/config` (between marked lines, removed when the rental
/// ends), then start `code --remote ssh-remote+dbc-<rent> /home/<user>`.
#[tauri::command]
pub async fn ssh_open_vscode(state: tauri::State<'_, AppState>, id: String, consent: bool) -> Result<VscodeOpened> {
    guarded_async("ssh_open_vscode", async {
        if !consent {
            return Err(Error::invalid_argument(
                "VS Code needs a Host block in ~/.ssh/config: the user must agree first",
            )
            .with_data(json!({ "field": "consent" })));
        }
        let (target, alias) = with_login(&state, &id, |l| Ok((l.ssh_login()?.target, alias_of(l)?))).await?;
        let (key, app_key) = user_key(&state).await?;
        let key = key.ok_or_else(|| key_missing(&app_key))?;
        let known_hosts = ssh::known_hosts_path(&state.data_dir);
        blocking(move || {
            let os = Os::current();
            let config = ssh::user_ssh_config()?;
            ssh::config_add(os, &config, &alias, &target, &key.private, &known_hosts)?;
            let started = ssh::open_vscode(os, &SystemProbe, &alias, target.user())?;
            Ok(VscodeOpened { started, alias, config })
        })
        .await
    })
    .await
}

/// Whether the VM's SSH server answers now (a key exchange, the host key
/// pinned on first use; no login).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct SshReach {
    /// `host:port` (IPv6 in brackets).
    pub address: String,
    pub reachable: bool,
    /// The error code when not reachable (`ssh-unreachable`, `ssh-host-key-changed`, …).
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// The Confirm step's SSH port check for a Linux VM (the RDP check's counterpart).
#[tauri::command]
pub async fn ssh_check(state: tauri::State<'_, AppState>, id: String) -> Result<SshReach> {
    guarded_async("ssh_check", async {
        let (_, login, _) = ssh_login(&state, &id).await?;
        let t = &login.target;
        let address = dbc::rdp::RdpTarget::new(&t.host(), u64::from(t.port()), t.user())?.address();
        let opts = SshOptions { connect_timeout: CHECK_TIMEOUT, ..SshOptions::default() };
        match ssh::connect(t, &ssh::known_hosts_path(&state.data_dir), &opts).await {
            Ok(s) => {
                s.close().await;
                Ok(SshReach { address, reachable: true, reason: None, message: None })
            }
            Err(e) => {
                let (reason, message) = (Some(e.code.as_str().to_string()), Some(e.message));
                Ok(SshReach { address, reachable: false, reason, message })
            }
        }
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct GpuChecked {
    pub check: GpuCheck,
    /// The rental with the check kept on its VM (My rentals shows it).
    pub rental: RentalView,
}

/// The GPU check before Confirm: `nvidia-smi` in the VM (the user's key
/// when it logs in, else the VM's password) against what the chain says
/// was rented; the result is journaled with the VM. A failed login or
/// `nvidia-smi` is the check's verdict (`error`), not a command error.
#[tauri::command]
pub async fn ssh_gpu_check(state: tauri::State<'_, AppState>, id: String) -> Result<GpuChecked> {
    guarded_async("ssh_gpu_check", async {
        let (rental_id, login, task_id) = ssh_login(&state, &id).await?;
        let (book, _) = state.rentals.book_or_last(&state.network).await?;
        let r = rental::chain_steps::find(&book, &rental_id)?;
        let market = match state.market.latest() {
            Some(p) => p.market.clone(),
            None => {
                let svc = state.rentals.service(&state.network).await?;
                std::sync::Arc::new(dbc::market::load_all(svc.client()).await?)
            }
        };
        let machine = market.machine(&r.machine_id).ok_or_else(|| {
            Error::new(ErrorCode::UnknownMachine, format!("machine {} is not on the chain", r.machine_id))
                .with_data(json!({ "machineId": r.machine_id }))
        })?;
        let expected = rental::expected_gpus(machine, &r);
        let (key, _) = user_key(&state).await?;
        let via = SshUse {
            key: key.as_ref().map(|k| k.private.as_path()),
            data_dir: &state.data_dir,
            opts: SshOptions::default(),
        };
        let result = rental::gpu_check_with_login(&book, &r.id, &task_id, &login, expected, &via).await;
        state.rentals.publish_after(&state.network, &r.account).await;
        let (r, check) = result?;
        Ok(GpuChecked { check, rental: r.into() })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_from_the_ui_names_and_are_sent_back_so() {
        for name in ["host", "port", "user", "password", "command"] {
            let f: SshField = name.parse().unwrap();
            assert_eq!(serde_json::to_value(f).unwrap(), json!(name));
        }
        let e = "vncPassword".parse::<SshField>().unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["field"].as_str()), (ErrorCode::InvalidArgument, Some("vncPassword")));
    }

    fn login(password: Option<&str>) -> SshLogin {
        SshLogin {
            target: ssh::SshTarget::new("203.0.113.7", 10022, "dbc").unwrap(),
            password: password.map(|p| dbc::wallet::SecretString::from(p.to_string())),
        }
    }

    fn info() -> SshInfo {
        SshInfo {
            rental_id: "r1".into(),
            rent_id: Some(42),
            host: "203.0.113.7".into(),
            port: 10022,
            user: "dbc".into(),
            password_available: true,
            key_path: "/h/.ssh/id_ed25519".into(),
            key_exists: true,
            key_chosen: false,
            key_installed: false,
            command: "ssh -p 10022 -i /h/.ssh/id_ed25519 dbc@203.0.113.7".into(),
            alias: "dbc-42".into(),
            expires_in_secs: 1800,
        }
    }

    #[test]
    fn the_card_holds_no_password_and_copies_each_field() {
        let (i, l) = (info(), login(Some("pw-Secret_9")));
        assert!(!serde_json::to_string(&i).unwrap().contains("pw-Secret_9"));
        let value = |f| (*field_value(&i, &l, f).unwrap()).clone();
        assert_eq!(value(SshField::Port), "10022");
        assert_eq!(value(SshField::Host), "203.0.113.7");
        assert_eq!(value(SshField::Password), "pw-Secret_9");
        assert!(value(SshField::Command).starts_with("ssh -p 10022 "));
        let e = field_value(&i, &login(None), SshField::Password).unwrap_err();
        assert_eq!(e.code, ErrorCode::VmNoGuestAgent);
    }

    #[test]
    fn a_key_is_created_only_with_consent_and_the_users_own_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let ssh_dir = dir.path().join(".ssh");
        let e = key_for_install(&ssh_dir, None, false).unwrap_err();
        let app_key = ssh_dir.join("dbc_rent_ed25519");
        assert_eq!(e.code, ErrorCode::SshKeyMissing);
        assert_eq!(e.data.unwrap()["path"].as_str(), Some(app_key.to_str().unwrap()));
        assert!(!ssh_dir.exists(), "nothing written without the user's yes");

        let made = key_for_install(&ssh_dir, None, true).unwrap();
        assert_eq!(made.private, app_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&app_key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(key_for_install(&ssh_dir, None, false).unwrap(), made, "found again, not made twice");

        // The user's own id_ed25519, once there, is the one used.
        std::fs::copy(&made.private, ssh_dir.join("id_ed25519")).unwrap();
        std::fs::copy(&made.public, ssh_dir.join("id_ed25519.pub")).unwrap();
        assert_eq!(key_for_install(&ssh_dir, None, true).unwrap().private, ssh_dir.join("id_ed25519"));

        // A chosen key comes before both; one that went away is said, never replaced by a new one.
        std::fs::copy(&made.private, ssh_dir.join("id_work")).unwrap();
        std::fs::copy(&made.public, ssh_dir.join("id_work.pub")).unwrap();
        let work = choose_in(&ssh_dir, "~/.ssh/id_work.pub").unwrap();
        assert_eq!(work, ssh_dir.join("id_work"));
        assert_eq!(key_for_install(&ssh_dir, Some(&work), false).unwrap().private, work);
        std::fs::remove_file(&work).unwrap();
        let e = key_for_install(&ssh_dir, Some(&work), true).unwrap_err();
        assert_eq!(e.code, ErrorCode::SshKeyMissing);
        assert_eq!(choose_in(&ssh_dir, "id_work").unwrap_err().code, ErrorCode::SshKeyMissing);
    }
}
