//! Wallet commands. Key work (Argon2id, scrypt, D-Bus) blocks, so each runs
//! on a blocking thread. Passwords and phrases arrive from the webview (the
//! user typed them) and are wrapped in `SecretString` at once; the only
//! secret that goes back is the recovery words for the backup display.

use crate::guard::guarded_async;
use crate::wallet::StoreInfo;
use crate::AppState;
use dbc::chain::{account, tx, TxOptions, TxOutcome, TxStatus};
use dbc::wallet::backup::Pick;
use dbc::wallet::{Account, AccountSource, ExposeSecret, SecretString, WordCount};
use dbc::{Error, Result};
use serde::Serialize;
use tauri::ipc::Channel;

/// Run blocking wallet work off the async runtime.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(work).await.map_err(|e| Error::internal(format!("wallet task failed: {e}")))?
}

fn secret(s: String) -> SecretString {
    SecretString::from(s)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub backed_up: bool,
    pub source: AccountSource,
    pub has_mnemonic: bool,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            has_mnemonic: a.source.has_mnemonic(),
            id: a.id,
            name: a.name,
            address: a.address,
            backed_up: a.backed_up,
            source: a.source,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Overview {
    pub accounts: Vec<AccountView>,
    pub active_id: Option<String>,
    pub store: StoreInfo,
}

fn overview(state: &AppState) -> Result<Overview> {
    let settings = state.settings().clone();
    let accounts = state.wallet.wallet()?.accounts()?;
    let active_id = accounts.iter().find(|a| a.active).map(|a| a.id.clone());
    Ok(Overview {
        accounts: accounts.into_iter().map(AccountView::from).collect(),
        active_id,
        store: state.wallet.store_info(&settings),
    })
}

/// Run `work` with the app state on a blocking thread.
async fn with_state<R: tauri::Runtime, T: Send + 'static>(
    app: tauri::AppHandle<R>,
    work: impl FnOnce(&AppState) -> Result<T> + Send + 'static,
) -> Result<T> {
    blocking(move || {
        use tauri::Manager;
        let state = app.state::<AppState>();
        work(&state)
    })
    .await
}

#[tauri::command]
pub async fn wallet_overview<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<Overview> {
    guarded_async("wallet_overview", with_state(app, overview)).await
}

/// The user's explicit choice of the encrypted file (no usable OS keyring).
#[tauri::command]
pub async fn wallet_choose_file_store<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<StoreInfo> {
    guarded_async(
        "wallet_choose_file_store",
        with_state(app, |state| {
            let next = state.update_settings(|s| s.file_store_chosen = true)?;
            Ok(state.wallet.store_info(&next))
        }),
    )
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct DraftWords {
    pub draft_id: String,
    /// The one time recovery words reach the webview: the backup display.
    pub words: Vec<String>,
}

#[tauri::command]
pub async fn wallet_create_begin<R: tauri::Runtime>(app: tauri::AppHandle<R>, words: usize) -> Result<DraftWords> {
    guarded_async(
        "wallet_create_begin",
        with_state(app, move |state| {
            let count = WordCount::from_count(words)?;
            let (draft_id, words) = state.wallet.create_begin(count);
            Ok(DraftWords { draft_id, words })
        }),
    )
    .await
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct Challenge {
    pub pool: Vec<String>,
}

#[tauri::command]
pub async fn wallet_backup_challenge<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    draft_id: String,
) -> Result<Challenge> {
    guarded_async(
        "wallet_backup_challenge",
        with_state(app, move |state| Ok(Challenge { pool: state.wallet.challenge(&draft_id)? })),
    )
    .await
}

#[tauri::command]
pub async fn wallet_backup_pick<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    draft_id: String,
    position: usize,
    word: String,
) -> Result<Pick> {
    guarded_async("wallet_backup_pick", with_state(app, move |state| state.wallet.pick(&draft_id, position, &word)))
        .await
}

#[tauri::command]
pub async fn wallet_create_finish<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    draft_id: String,
    name: Option<String>,
    password: String,
    backed_up: bool,
) -> Result<AccountView> {
    let password = secret(password);
    guarded_async(
        "wallet_create_finish",
        with_state(app, move |state| {
            let store = state.wallet.store_for_new(&state.settings().clone())?;
            let name = name.filter(|n| !n.trim().is_empty());
            state.wallet.create_finish(&draft_id, name.as_deref(), backed_up, &password, store).map(AccountView::from)
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_backup_begin<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    password: String,
) -> Result<DraftWords> {
    let password = secret(password);
    guarded_async(
        "wallet_backup_begin",
        with_state(app, move |state| {
            let phrase = state.wallet.wallet()?.reveal_mnemonic(&id, &password)?;
            let (draft_id, words) = state.wallet.backup_begin(&id, &phrase);
            Ok(DraftWords { draft_id, words })
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_backup_finish<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    draft_id: String,
) -> Result<AccountView> {
    guarded_async(
        "wallet_backup_finish",
        with_state(app, move |state| state.wallet.backup_finish(&draft_id).map(AccountView::from)),
    )
    .await
}

/// The dialog was closed: wipe the draft's words now.
#[tauri::command]
pub async fn wallet_discard_draft<R: tauri::Runtime>(app: tauri::AppHandle<R>, draft_id: String) -> Result<()> {
    guarded_async(
        "wallet_discard_draft",
        with_state(app, move |state| {
            state.wallet.discard(&draft_id);
            Ok(())
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_import_mnemonic<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    name: Option<String>,
    mnemonic: String,
    derivation: Option<String>,
    mnemonic_password: Option<String>,
    password: String,
) -> Result<AccountView> {
    let (phrase, password) = (secret(mnemonic), secret(password));
    // A mnemonic password is polkadot.js's `///password` suffix of the derivation.
    let derivation = secret(format!(
        "{}{}",
        derivation.unwrap_or_default().trim(),
        mnemonic_password.filter(|p| !p.is_empty()).map(|p| format!("///{p}")).unwrap_or_default()
    ));
    guarded_async(
        "wallet_import_mnemonic",
        with_state(app, move |state| {
            use dbc::wallet::ExposeSecret;
            let store = state.wallet.store_for_new(&state.settings().clone())?;
            let derivation = Some(derivation.expose_secret()).filter(|d| !d.is_empty());
            state
                .wallet
                .wallet()?
                .import_mnemonic(
                    name.as_deref().filter(|n| !n.trim().is_empty()),
                    &phrase,
                    derivation,
                    &password,
                    store,
                )
                .map(AccountView::from)
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_import_seed<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    name: Option<String>,
    seed: String,
    password: String,
) -> Result<AccountView> {
    let (seed, password) = (secret(seed), secret(password));
    guarded_async(
        "wallet_import_seed",
        with_state(app, move |state| {
            let store = state.wallet.store_for_new(&state.settings().clone())?;
            state
                .wallet
                .wallet()?
                .import_seed(name.as_deref().filter(|n| !n.trim().is_empty()), &seed, None, &password, store)
                .map(AccountView::from)
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_import_json<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    name: Option<String>,
    json: String,
    json_password: String,
    password: String,
) -> Result<AccountView> {
    let (json_password, password) = (secret(json_password), secret(password));
    guarded_async(
        "wallet_import_json",
        with_state(app, move |state| {
            let store = state.wallet.store_for_new(&state.settings().clone())?;
            state
                .wallet
                .wallet()?
                .import_json(name.as_deref().filter(|n| !n.trim().is_empty()), &json, &json_password, &password, store)
                .map(AccountView::from)
        }),
    )
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Exported {
    pub file_name: String,
    /// The keystore (encrypted with the password), also saved to `saved_to`.
    pub json: String,
    pub saved_to: String,
}

/// A polkadot.js keystore file in the Downloads folder: dbcwallet.io and
/// the polkadot.js extension open it. It is encrypted with `export_password`
/// (its own password: typing the app password into a web page would give
/// that page every account's seal), or with the app password when the user
/// chose that explicitly (`None`).
#[tauri::command]
pub async fn wallet_export_json<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    password: String,
    export_password: Option<String>,
) -> Result<Exported> {
    let password = secret(password);
    let export_password = export_password.map(secret);
    guarded_async(
        "wallet_export_json",
        with_state(app, move |state| {
            if let Some(p) = &export_password {
                dbc::wallet::crypto::check_new_password(p.expose_secret())?;
            }
            let wallet = state.wallet.wallet()?;
            let acc = wallet.find(&id)?;
            let json = wallet.export_json(&id, &password, export_password.as_ref().unwrap_or(&password))?;
            let safe_name: String =
                acc.name.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
            let file_name = format!("{safe_name}-{}.json", &acc.address[..8]);
            let path = state.wallet.export_dir().join(&file_name);
            dbc::paths::write_atomic(&path, json.as_bytes()).map_err(|e| Error::io(&path, &e))?;
            Ok(Exported { file_name, json, saved_to: path.display().to_string() })
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_use<R: tauri::Runtime>(app: tauri::AppHandle<R>, id: String) -> Result<Overview> {
    guarded_async(
        "wallet_use",
        with_state(app, move |state| {
            state.wallet.wallet()?.set_active(&id)?;
            overview(state)
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_rename<R: tauri::Runtime>(app: tauri::AppHandle<R>, id: String, name: String) -> Result<Overview> {
    guarded_async(
        "wallet_rename",
        with_state(app, move |state| {
            state.wallet.wallet()?.rename(&id, &name)?;
            overview(state)
        }),
    )
    .await
}

#[tauri::command]
pub async fn wallet_remove<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    password: String,
) -> Result<Overview> {
    let password = secret(password);
    guarded_async(
        "wallet_remove",
        with_state(app, move |state| {
            state.wallet.wallet()?.remove(&id, &password)?;
            overview(state)
        }),
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct BalanceView {
    #[serde(flatten)]
    pub balance: dbc::chain::Balance,
    pub block: Option<u32>,
}

/// The `wallet-balance` event: the active account's balance after a new block.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BalanceEvent {
    pub id: String,
    pub address: String,
    pub balance: BalanceView,
}

/// The balance of account `id` on the current network.
pub async fn balance_of(state: &AppState, id: &str) -> Result<(String, BalanceView)> {
    let acc = {
        let id = id.to_string();
        let w = state.wallet.wallet()?;
        blocking(move || w.find(&id)).await?
    };
    let who = dbc::wallet::parse_address(&acc.address)?;
    let (client, _) = state.network.client().await?;
    let balance = account::balance(&client, &who).await?;
    Ok((acc.address, BalanceView { balance, block: state.network.status().best_block }))
}

#[tauri::command]
pub async fn wallet_balance(state: tauri::State<'_, AppState>, id: String) -> Result<BalanceView> {
    guarded_async("wallet_balance", async { Ok(balance_of(&state, &id).await?.1) }).await
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct AddressCheck {
    pub valid: bool,
    pub address: Option<String>,
    pub reason: Option<String>,
}

/// Checked before anything is signed: SS58 checksum, DBC's prefix 42.
#[tauri::command]
pub fn check_address(address: String) -> Result<AddressCheck> {
    crate::guard::guarded("check_address", || {
        Ok(match dbc::wallet::parse_address(&address) {
            Ok(id) => AddressCheck { valid: true, address: Some(dbc::wallet::format_address(&id)), reason: None },
            Err(e) => AddressCheck { valid: false, address: None, reason: Some(e.message) },
        })
    })
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SendQuote {
    /// Planck, as decimal strings.
    pub fee: String,
    pub total: String,
    pub transferable: String,
    pub enough: bool,
}

/// The fee of a transfer before signing. The estimate is made with a
/// throwaway key (no password needed yet): the fee depends on the call and
/// its length, which are the same for every sr25519 signer.
#[tauri::command]
pub async fn wallet_send_quote(
    state: tauri::State<'_, AppState>,
    id: String,
    to: String,
    amount: String,
) -> Result<SendQuote> {
    guarded_async("wallet_send_quote", async {
        let dest = dbc::wallet::parse_address(&to)?;
        let planck = dbc::units::parse_dbc(&amount)?;
        let (_, balance) = balance_of(&state, &id).await?;
        let (client, _) = state.network.client().await?;
        let estimator = dbc::wallet::SigningKey::fee_estimator();
        let fee = tx::estimate_fee(&client, &estimator, &tx::transfer_keep_alive_call(&dest, planck)).await?;
        let total = planck.saturating_add(fee);
        let transferable = balance.balance.transferable;
        Ok(SendQuote {
            fee: fee.to_string(),
            total: total.to_string(),
            transferable: transferable.to_string(),
            enough: total <= transferable,
        })
    })
    .await
}

/// Sign with the account's password and send; each status goes to `on_status`.
#[tauri::command]
pub async fn wallet_send(
    state: tauri::State<'_, AppState>,
    id: String,
    to: String,
    amount: String,
    password: String,
    on_status: Channel<TxStatus>,
) -> Result<TxOutcome> {
    let password = secret(password);
    guarded_async("wallet_send", async {
        // Everything that can be known is checked before the key is unlocked.
        let dest = dbc::wallet::parse_address(&to)?;
        let planck = dbc::units::parse_dbc(&amount)?;
        if planck == 0 {
            return Err(
                Error::invalid_argument("send more than 0 DBC").with_data(serde_json::json!({ "value": amount }))
            );
        }
        let (client, nonces) = state.network.client().await?;
        let key = {
            let w = state.wallet.wallet()?;
            blocking(move || w.signing_key(&id, &password)).await?
        };
        let opts = TxOptions::default();
        tx::transfer_keep_alive(&client, &nonces, &key, &dest, planck, &opts, |s| {
            let _ = on_status.send(s);
        })
        .await
    })
    .await
}
