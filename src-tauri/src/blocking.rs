//! Work that must not run on the async runtime's threads (Argon2id key
//! unlocking, file I/O), and the unlock every signing command starts with.

use crate::AppState;
use dbc::wallet::{SecretString, SigningKey};
use dbc::{Error, Result};

/// Run `work` on a blocking thread; a panic there becomes `internal`.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal(format!("background task failed: {e}")))?
}

/// The key of the account with `address` (the active one for `None`),
/// unlocked with `password` off the async threads.
pub async fn signing_key(state: &AppState, address: Option<String>, password: SecretString) -> Result<SigningKey> {
    let w = state.wallet.wallet()?;
    blocking(move || {
        let id = match address {
            Some(a) => a,
            None => w.active()?.id,
        };
        w.signing_key(&id, &password)
    })
    .await
}
