//! The Connect step's memory: for each rental, the VM's login
//! (`dbc::rental::VmLogin`: host, RDP port, user, password, VNC port and
//! password, status) as the DBC client reported it when the user unlocked
//! it with the wallet password.
//!
//! Kept in memory only, never written to disk or logs; passwords are
//! zeroizing secrets. A login is dropped [`LOGIN_TTL`] after it was unlocked,
//! and every login is dropped when the network or the active account
//! changes ([`Scope`]), so the Connect screen can copy, check and launch
//! without asking for the password again and again, but not forever.

use crate::clipboard::{Clipboard, SystemClipboard};
use dbc::compute::types::TaskDetail;
use dbc::rdp::RdpTarget;
use dbc::rental::{Rental, VmLogin};
use dbc::wallet::ExposeSecret;
use dbc::{Error, ErrorCode, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use zeroize::Zeroizing;

/// How long an unlocked login is kept.
pub const LOGIN_TTL: Duration = Duration::from_secs(30 * 60);

/// The network and account a login was unlocked under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `mainnet`, `practice` or `custom`.
    pub network: String,
    /// The chain's genesis hash, when connected.
    pub genesis: Option<String>,
    /// The active account (SS58).
    pub account: Option<String>,
}

impl Scope {
    /// Same network and account. A genesis unknown on either side (while
    /// reconnecting) does not count as a switch; a different one does.
    pub fn same_as(&self, now: &Scope) -> bool {
        let genesis_ok = match (&self.genesis, &now.genesis) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.network == now.network && self.account == now.account && genesis_ok
    }
}

/// One rental's login as the Connect step keeps it: the core's validated
/// [`VmLogin`] and when it was unlocked.
#[derive(Debug)]
pub struct Login {
    pub vm: VmLogin,
    /// The DBC client's task id of the VM this login is for (a GPU check is
    /// journaled with that VM only).
    pub task_id: String,
    unlocked_at: Instant,
}

impl std::ops::Deref for Login {
    type Target = VmLogin;
    fn deref(&self) -> &VmLogin {
        &self.vm
    }
}

/// What the webview sees of a login: everything but the passwords.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct LoginView {
    pub rental_id: String,
    pub rent_id: Option<u64>,
    pub vm_status: String,
    pub running: bool,
    /// The VM's OS as the node names it (`windows`, `linux`, `ubuntu`).
    pub os: String,
    /// A Linux VM: the Connect step shows the SSH card (`commands::ssh`), not Remote Desktop.
    pub linux: bool,
    pub host: String,
    pub rdp_port: Option<u16>,
    /// A Linux VM's SSH port.
    pub ssh_port: Option<u16>,
    /// `host:port` (an IPv6 host in brackets), when both are known.
    pub address: Option<String>,
    pub user: String,
    pub password_available: bool,
    pub vnc_host: String,
    pub vnc_port: Option<u16>,
    pub vnc_address: Option<String>,
    pub vnc_password_available: bool,
    /// Seconds until the login is dropped and must be unlocked again.
    pub expires_in_secs: u64,
}

/// The values the Connect screen can copy (and, for the VNC password, reveal).
/// Serialized with the names `from_str` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    Address,
    User,
    Password,
    VncAddress,
    VncPassword,
}

impl std::str::FromStr for Field {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "address" => Field::Address,
            "user" => Field::User,
            "password" => Field::Password,
            "vncAddress" => Field::VncAddress,
            "vncPassword" => Field::VncPassword,
            other => {
                return Err(Error::invalid_argument(format!(
                    "unknown field {other:?}: use address, user, password, vncAddress or vncPassword"
                ))
                .with_data(serde_json::json!({ "field": other })))
            }
        })
    }
}

impl Field {
    pub fn is_secret(self) -> bool {
        matches!(self, Field::Password | Field::VncPassword)
    }
}

impl Login {
    /// The login in the DBC client's VM detail `d` of rental `r`, unlocked now.
    pub fn from_detail(r: &Rental, d: &TaskDetail) -> Result<Login> {
        Ok(Login { vm: VmLogin::from_detail(r, d)?, task_id: d.task_id.clone(), unlocked_at: Instant::now() })
    }

    /// A Linux VM: the node names its `os` `linux` or `ubuntu`, or (an OS
    /// it does not name) not Windows and with an SSH port. An empty `os`
    /// without an SSH port stays a Windows VM, as before Linux VMs existed.
    pub fn is_linux(&self) -> bool {
        let os = self.os.to_ascii_lowercase();
        os.contains("linux") || os.contains("ubuntu") || (!os.contains("win") && self.ssh_port.is_some())
    }

    fn expired(&self) -> bool {
        self.unlocked_at.elapsed() >= LOGIN_TTL
    }

    pub fn view(&self) -> LoginView {
        LoginView {
            rental_id: self.rental_id.clone(),
            rent_id: self.rent_id,
            vm_status: self.vm_status.clone(),
            running: self.running,
            os: self.os.clone(),
            linux: self.is_linux(),
            host: self.host.clone(),
            rdp_port: self.rdp_port,
            ssh_port: self.ssh_port,
            address: self.endpoint.as_ref().map(RdpTarget::address),
            user: self.user.clone(),
            password_available: self.password.is_ok(),
            vnc_host: self.host.clone(),
            vnc_port: self.vnc_port,
            vnc_address: self.vnc_address(),
            vnc_password_available: self.vnc_password.is_some(),
            expires_in_secs: LOGIN_TTL.saturating_sub(self.unlocked_at.elapsed()).as_secs(),
        }
    }

    /// The text behind `field`, for the clipboard or a reveal.
    pub fn value(&self, field: Field) -> Result<Zeroizing<String>> {
        let missing = |what: &str| {
            Error::new(
                ErrorCode::WrongRentalState,
                format!("the VM of rental {} has no {what} yet (it is {})", self.name(), self.vm_status),
            )
            .with_data(serde_json::json!({ "rentId": self.name(), "state": self.vm_status }))
        };
        Ok(Zeroizing::new(match field {
            Field::Address => self.endpoint.as_ref().map(RdpTarget::address).ok_or_else(|| missing("address"))?,
            Field::User => self.user.clone(),
            Field::Password => self.rdp_password()?.expose_secret().to_string(),
            Field::VncAddress => self.vnc_address().ok_or_else(|| missing("VNC address"))?,
            Field::VncPassword => {
                self.vnc_password.as_ref().ok_or_else(|| missing("VNC password"))?.expose_secret().to_string()
            }
        }))
    }
}

#[derive(Default)]
struct Cache {
    scope: Option<Scope>,
    logins: HashMap<String, Login>,
    /// Rental id → the private key "Install my key" installed on its VM in this run.
    installed_keys: HashMap<String, std::path::PathBuf>,
}

impl Cache {
    fn clear(&mut self) {
        self.logins.clear();
        self.installed_keys.clear();
        self.scope = None;
    }
}

/// The logins unlocked in this run of the app, and the clipboard they are copied to.
pub struct ConnectService {
    cache: Mutex<Cache>,
    clipboard: Arc<dyn Clipboard>,
}

impl Default for ConnectService {
    fn default() -> Self {
        Self::with_clipboard(Arc::new(SystemClipboard::default()))
    }
}

impl ConnectService {
    pub fn with_clipboard(clipboard: Arc<dyn Clipboard>) -> Self {
        ConnectService { cache: Mutex::new(Cache::default()), clipboard }
    }

    pub fn clipboard(&self) -> Arc<dyn Clipboard> {
        self.clipboard.clone()
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keep `login`, unlocked under `scope` (logins of another scope go).
    pub fn remember(&self, scope: Scope, login: Login) -> LoginView {
        let mut cache = self.cache();
        if cache.scope.as_ref().is_some_and(|s| !s.same_as(&scope)) {
            cache.clear();
        }
        cache.scope = Some(scope);
        let view = login.view();
        cache.logins.insert(login.rental_id.clone(), login);
        view
    }

    /// Run `f` on the login of rental `id` (local id or rent id) if it is
    /// unlocked under `scope` and not expired; `None` otherwise. A scope
    /// change drops every login.
    pub fn with_login<T>(&self, id: &str, scope: &Scope, f: impl FnOnce(&Login) -> T) -> Option<T> {
        let mut cache = self.cache();
        if cache.scope.as_ref().is_some_and(|s| !s.same_as(scope)) {
            tracing::info!("network or account changed: unlocked VM logins dropped");
            cache.clear();
            return None;
        }
        cache.logins.retain(|_, l| !l.expired());
        let login =
            cache.logins.values().find(|l| l.rental_id == id || l.rent_id.is_some_and(|n| n.to_string() == id))?;
        Some(f(login))
    }

    /// Drop the expired logins, and all of them when the network or the
    /// active account is no longer the one they were unlocked under.
    pub fn sweep(&self, now: &Scope) {
        let mut cache = self.cache();
        if cache.scope.as_ref().is_some_and(|s| !s.same_as(now)) {
            tracing::info!("network or account changed: unlocked VM logins dropped");
            cache.clear();
        } else {
            cache.logins.retain(|_, l| !l.expired());
        }
    }

    /// Remember that the key `private` is installed on rental `rental_id`'s VM.
    pub fn key_installed(&self, rental_id: &str, private: &std::path::Path) {
        self.cache().installed_keys.insert(rental_id.to_string(), private.to_path_buf());
    }

    /// Whether the key `private` was installed on rental `rental_id`'s VM in this run.
    pub fn is_key_installed(&self, rental_id: &str, private: &std::path::Path) -> bool {
        self.cache().installed_keys.get(rental_id).is_some_and(|k| k == private)
    }

    /// Forget every login (tests; a lock button).
    pub fn forget_all(&self) {
        self.cache().clear();
    }

    pub fn len(&self) -> usize {
        self.cache().logins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The active account's address, if there is a wallet with one.
pub async fn active_account(wallet: &crate::wallet::WalletService) -> Option<String> {
    let w = wallet.wallet().ok()?;
    tokio::task::spawn_blocking(move || w.active().ok().map(|a| a.address)).await.ok().flatten()
}

/// Keep the cache honest for the life of the app: on every network status
/// change and once a minute, drop expired logins, and all of them when the
/// network or the active account changed (even if nobody looks them up).
pub fn start_background<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<crate::AppState>();
        let mut rx = state.network.subscribe();
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            let status = rx.borrow_and_update().clone();
            let account = active_account(&state.wallet).await;
            state.connect.sweep(&Scope { network: status.network, genesis: status.genesis_hash, account });
            tokio::select! {
                changed = rx.changed() => if changed.is_err() { break },
                _ = tick.tick() => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clipboard::MemoryClipboard;
    use dbc::rental::{OrderFacts, Stage};
    use serde_json::json;

    #[test]
    fn a_field_is_sent_back_with_the_name_it_was_asked_by() {
        for name in ["address", "user", "password", "vncAddress", "vncPassword"] {
            let field: Field = name.parse().unwrap();
            assert_eq!(serde_json::to_value(field).unwrap(), json!(name));
        }
    }

    fn rental(id: &str, rent_id: u64) -> Rental {
        let order = OrderFacts {
            rent_id,
            rent_start: 1,
            rent_end: 601,
            confirm_deadline: 151,
            reserved: 0,
            order_fee: 0,
            confirmed_at: Some(2),
            paid: 0,
        };
        Rental {
            order: Some(order),
            ..Rental::new(id.into(), "5Grw".into(), "ab".repeat(32), 1, 600, Stage::Renting, 1)
        }
    }

    /// The VM detail a DBC client reports, with the fields in `v` changed.
    fn detail(v: serde_json::Value) -> TaskDetail {
        let text = |k: &str, default: &str| {
            v.get(k).map_or(Some(default.to_string()), |x| x.as_str().map(str::to_string)).unwrap_or_default()
        };
        let port = |k: &str, default: u16| v.get(k).map_or(Some(default), |x| x.as_u64().map(|n| n as u16));
        TaskDetail {
            task_id: "vm-1".into(),
            status: dbc::compute::types::TaskStatus(text("status", "running")),
            os: text("os", "windows"),
            ssh_ip: text("ssh_ip", "203.0.113.7"),
            rdp_port: port("rdp_port", 40001),
            ssh_port: v.get("ssh_port").and_then(|x| x.as_u64()).map(|n| n as u16),
            vnc_port: port("vnc_port", 5905),
            user_name: text("user_name", "Administrator"),
            login_password: text("login_password", "aZ9_/+[]@#^xyzQ1"),
            vnc_password: text("vnc_password", "vncpass1"),
            cpu_cores: None,
            gpu_count: None,
            mem_size: None,
            create_time: None,
            desc: String::new(),
            rent_order: None,
        }
    }

    fn scope(network: &str, genesis: Option<&str>, account: &str) -> Scope {
        Scope { network: network.into(), genesis: genesis.map(str::to_string), account: Some(account.into()) }
    }

    #[test]
    fn a_running_vm_gives_a_validated_login_whose_view_holds_no_password() {
        let login = Login::from_detail(&rental("r1", 42), &detail(json!({}))).unwrap();
        let view = login.view();
        assert_eq!(view.address.as_deref(), Some("203.0.113.7:40001"));
        assert_eq!(view.vnc_address.as_deref(), Some("203.0.113.7:5905"));
        assert!(view.running && view.password_available && view.vnc_password_available);
        let text = serde_json::to_string(&view).unwrap();
        assert!(!text.contains("aZ9_") && !text.contains("vncpass1"), "{text}");
        assert!(!format!("{login:?}").contains("aZ9_"), "Debug redacts the secrets");
        assert_eq!(*login.value(Field::Password).unwrap(), "aZ9_/+[]@#^xyzQ1");
        assert_eq!(*login.value(Field::User).unwrap(), "Administrator");
        assert_eq!(login.running_endpoint().unwrap().port(), 40001);
    }

    #[test]
    fn bad_hosts_and_users_from_the_client_are_refused_at_unlock() {
        let r = rental("r1", 42);
        assert_eq!(
            Login::from_detail(&r, &detail(json!({"ssh_ip": "1.2.3.4; rm -rf ~"}))).unwrap_err().code,
            ErrorCode::InvalidRdpHost
        );
        assert_eq!(
            Login::from_detail(&r, &detail(json!({"user_name": "admin\nfull address:s:evil"}))).unwrap_err().code,
            ErrorCode::InvalidRdpUser
        );
        assert_eq!(
            Login::from_detail(&r, &detail(json!({"ssh_ip": "-oProxyCommand=x", "rdp_port": null}))).unwrap_err().code,
            ErrorCode::InvalidRdpHost
        );
    }

    #[test]
    fn a_linux_vm_is_told_from_a_windows_one() {
        let r = rental("r1", 42);
        let linux = json!({"os": "linux", "rdp_port": null, "ssh_port": 10022, "user_name": "dbc"});
        let view = Login::from_detail(&r, &detail(linux)).unwrap().view();
        assert!(view.linux && view.address.is_none());
        assert_eq!((view.ssh_port, view.user.as_str()), (Some(10022), "dbc"));
        let ubuntu = json!({"os": "Ubuntu", "rdp_port": null, "ssh_port": 10022});
        assert!(Login::from_detail(&r, &detail(ubuntu)).unwrap().view().linux);
        assert!(!Login::from_detail(&r, &detail(json!({}))).unwrap().view().linux);
        assert!(!Login::from_detail(&r, &detail(json!({"os": ""}))).unwrap().view().linux, "no os, no SSH port");
    }

    #[test]
    fn no_guest_agent_explains_the_vnc_fallback() {
        let login =
            Login::from_detail(&rental("r1", 42), &detail(json!({"login_password": "N/A", "user_name": "N/A"})))
                .unwrap();
        assert!(!login.view().password_available);
        assert_eq!(login.user, "Administrator");
        let e = login.value(Field::Password).unwrap_err();
        assert_eq!(e.code, ErrorCode::VmNoGuestAgent);
        let data = e.data.unwrap();
        assert_eq!((data["vncAddress"].as_str(), data["vncPort"].as_u64()), (Some("203.0.113.7:5905"), Some(5905)));
        assert_eq!(*login.value(Field::VncPassword).unwrap(), "vncpass1");
    }

    #[test]
    fn a_stopped_vm_cannot_be_launched() {
        let login = Login::from_detail(&rental("r1", 42), &detail(json!({"status": "closed"}))).unwrap();
        assert!(!login.view().running);
        let e = login.running_endpoint().unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["state"].as_str()), (ErrorCode::WrongRentalState, Some("closed")));
    }

    #[test]
    fn fields_parse_from_the_ui_names_only() {
        assert_eq!("vncPassword".parse::<Field>().unwrap(), Field::VncPassword);
        assert!(Field::Password.is_secret() && !Field::Address.is_secret());
        let e = "ssh".parse::<Field>().unwrap_err();
        assert_eq!((e.code, e.data.unwrap()["field"].as_str()), (ErrorCode::InvalidArgument, Some("ssh")));
    }

    #[tokio::test(start_paused = true)]
    async fn logins_expire_after_thirty_minutes() {
        let svc = ConnectService::with_clipboard(Arc::new(MemoryClipboard::default()));
        let s = scope("practice", Some("0xaa"), "5Grw");
        svc.remember(s.clone(), Login::from_detail(&rental("r1", 42), &detail(json!({}))).unwrap());
        assert_eq!(svc.with_login("r1", &s, |l| l.user.clone()).as_deref(), Some("Administrator"));
        assert!(svc.with_login("42", &s, |_| ()).is_some(), "found by rent id too");
        tokio::time::advance(LOGIN_TTL - Duration::from_secs(1)).await;
        assert_eq!(svc.with_login("r1", &s, |l| l.view().expires_in_secs), Some(1));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(svc.with_login("r1", &s, |_| ()).is_none());
        assert!(svc.is_empty(), "the expired login is gone, not only hidden");
    }

    #[tokio::test(start_paused = true)]
    async fn the_sweep_drops_expired_logins_without_a_lookup() {
        let svc = ConnectService::with_clipboard(Arc::new(MemoryClipboard::default()));
        svc.remember(
            scope("practice", Some("0xaa"), "5Grw"),
            Login::from_detail(&rental("r1", 42), &detail(json!({}))).unwrap(),
        );
        svc.sweep(&scope("practice", Some("0xaa"), "5Grw"));
        assert_eq!(svc.len(), 1);
        tokio::time::advance(LOGIN_TTL).await;
        svc.sweep(&scope("practice", Some("0xaa"), "5Grw"));
        assert!(svc.is_empty());
    }

    #[test]
    fn an_installed_key_is_remembered_per_rental_and_dropped_with_the_logins() {
        let svc = ConnectService::with_clipboard(Arc::new(MemoryClipboard::default()));
        let s = scope("practice", Some("0xaa"), "5Grw");
        svc.remember(s.clone(), Login::from_detail(&rental("r1", 42), &detail(json!({}))).unwrap());
        let key = std::path::Path::new("/h/.ssh/id_ed25519");
        svc.key_installed("r1", key);
        assert!(svc.is_key_installed("r1", key));
        assert!(!svc.is_key_installed("r1", std::path::Path::new("/h/.ssh/other")));
        assert!(!svc.is_key_installed("r2", key));
        svc.sweep(&scope("practice", Some("0xaa"), "5Other"));
        assert!(!svc.is_key_installed("r1", key), "another account: forgotten");
    }

    #[test]
    fn a_network_or_account_switch_drops_every_login() {
        let svc = ConnectService::with_clipboard(Arc::new(MemoryClipboard::default()));
        let s = scope("practice", Some("0xaa"), "5Grw");
        let remember = || svc.remember(s.clone(), Login::from_detail(&rental("r1", 42), &detail(json!({}))).unwrap());

        remember();
        assert!(
            svc.with_login("r1", &scope("practice", None, "5Grw"), |_| ()).is_some(),
            "reconnecting is not a switch"
        );
        assert!(svc.with_login("r1", &scope("practice", Some("0xaa"), "5Other"), |_| ()).is_none());
        assert!(svc.is_empty(), "another account: dropped");

        remember();
        assert!(svc.with_login("r1", &scope("mainnet", None, "5Grw"), |_| ()).is_none());
        assert!(svc.is_empty(), "another network: dropped");

        remember();
        svc.sweep(&scope("practice", Some("0xbb"), "5Grw"));
        assert!(svc.is_empty(), "a practice chain started afresh (new genesis): dropped");

        remember();
        svc.sweep(&scope("practice", None, "5Grw"));
        assert_eq!(svc.len(), 1, "reconnecting is not a switch");
        svc.sweep(&scope("practice", Some("0xaa"), "5Other"));
        assert!(svc.is_empty(), "the background sweep notices another account");

        remember();
        svc.sweep(&scope("custom", None, "5Grw"));
        assert!(svc.is_empty());
    }
}
