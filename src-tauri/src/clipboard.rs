//! The system clipboard, written from Rust (the webview gets no clipboard
//! permission), and the rule for secrets: a copied password is taken off the
//! clipboard again after [`CLEAR_SECRET_AFTER`], unless the user has copied
//! something else meanwhile.
//!
//! On X11 the process that copied owns the clipboard and must keep serving
//! it, so one `arboard::Clipboard` lives as long as the app. Secrets are
//! marked for clipboard managers to keep out of their history.

use dbc::{Error, ErrorCode, Result};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long a copied password stays on the clipboard.
pub const CLEAR_SECRET_AFTER: Duration = Duration::from_secs(30);

/// What the app needs from a clipboard; the tests use an in-memory one.
pub trait Clipboard: Send + Sync {
    /// Put `text` on the clipboard; `secret` asks clipboard managers not to keep it.
    fn set_text(&self, text: &str, secret: bool) -> Result<()>;
    /// The text on the clipboard now, if any.
    fn text(&self) -> Option<Zeroizing<String>>;
    fn clear(&self) -> Result<()>;
}

fn unavailable(reason: impl std::fmt::Display) -> Error {
    let reason = reason.to_string();
    Error::new(ErrorCode::ClipboardUnavailable, format!("the clipboard cannot be used: {reason}"))
        .with_data(serde_json::json!({ "reason": reason }))
}

/// The desktop's clipboard, opened on first use (a session without a
/// display has none, which is reported, not fatal).
#[derive(Default)]
pub struct SystemClipboard {
    inner: Mutex<Option<arboard::Clipboard>>,
}

impl SystemClipboard {
    fn with<T>(&self, f: impl FnOnce(&mut arboard::Clipboard) -> std::result::Result<T, arboard::Error>) -> Result<T> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(arboard::Clipboard::new().map_err(unavailable)?);
        }
        let clip = guard.as_mut().expect("opened above");
        f(clip).map_err(unavailable)
    }
}

impl Clipboard for SystemClipboard {
    fn set_text(&self, text: &str, secret: bool) -> Result<()> {
        self.with(|c| {
            let set = c.set();
            #[cfg(all(unix, not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))))]
            let set = {
                use arboard::SetExtLinux;
                if secret {
                    set.exclude_from_history()
                } else {
                    set
                }
            };
            #[cfg(not(all(unix, not(any(target_os = "macos", target_os = "android", target_os = "emscripten")))))]
            let _ = secret;
            set.text(text.to_string())
        })
    }

    fn text(&self) -> Option<Zeroizing<String>> {
        self.with(|c| c.get_text()).ok().map(Zeroizing::new)
    }

    fn clear(&self) -> Result<()> {
        self.with(|c| c.clear())
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| Error::internal(format!("clipboard task failed: {e}")))?
}

/// Copies made so far, per clipboard (keyed by its address: one system
/// clipboard in the app, one per test).
static COPIES: Mutex<Option<std::collections::HashMap<usize, u64>>> = Mutex::new(None);

fn copies(clipboard: &Arc<dyn Clipboard>, bump: bool) -> u64 {
    let key = Arc::as_ptr(clipboard) as *const () as usize;
    let mut map = COPIES.lock().unwrap_or_else(|p| p.into_inner());
    let n = map.get_or_insert_with(Default::default).entry(key).or_insert(0);
    if bump {
        *n += 1;
    }
    *n
}

/// Copy `text`. A secret is cleared after `clear_after` if the clipboard
/// still holds it then (a later copy of something else is left alone).
pub async fn copy(
    clipboard: Arc<dyn Clipboard>,
    text: Zeroizing<String>,
    secret: bool,
    clear_after: Duration,
) -> Result<()> {
    let (clip, value) = (clipboard.clone(), text.clone());
    blocking(move || clip.set_text(&value, secret)).await?;
    // Only the newest copy's timer may clear: copying the same password again
    // restarts its 30 seconds instead of an older timer cutting them short.
    let generation = copies(&clipboard, true);
    if secret {
        tokio::spawn(async move {
            tokio::time::sleep(clear_after).await;
            if copies(&clipboard, false) != generation {
                return;
            }
            let cleared = blocking(move || {
                let still_ours = clipboard.text().is_some_and(|now| *now == *text);
                if still_ours {
                    clipboard.clear()?;
                }
                Ok(still_ours)
            })
            .await;
            match cleared {
                Ok(true) => tracing::info!("a copied password was cleared from the clipboard"),
                Ok(false) => tracing::debug!("the clipboard changed since the password was copied; left alone"),
                Err(e) => tracing::warn!(error = %e, "could not clear the clipboard"),
            }
        });
    }
    Ok(())
}

/// An in-memory clipboard for the unit tests.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct MemoryClipboard {
    pub content: Mutex<Option<String>>,
}

#[cfg(test)]
impl Clipboard for MemoryClipboard {
    fn set_text(&self, text: &str, _secret: bool) -> Result<()> {
        *self.content.lock().unwrap() = Some(text.to_string());
        Ok(())
    }
    fn text(&self) -> Option<Zeroizing<String>> {
        self.content.lock().unwrap().clone().map(Zeroizing::new)
    }
    fn clear(&self) -> Result<()> {
        *self.content.lock().unwrap() = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now(c: &MemoryClipboard) -> Option<String> {
        c.content.lock().unwrap().clone()
    }

    /// Let the clearing task (and its blocking read) run after time moved on.
    async fn settle() {
        for _ in 0..50 {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_copied_password_is_cleared_after_the_delay() {
        let clip = Arc::new(MemoryClipboard::default());
        copy(clip.clone(), Zeroizing::new("pw-1".into()), true, CLEAR_SECRET_AFTER).await.unwrap();
        assert_eq!(now(&clip).as_deref(), Some("pw-1"));
        tokio::time::sleep(CLEAR_SECRET_AFTER - Duration::from_secs(1)).await;
        assert_eq!(now(&clip).as_deref(), Some("pw-1"), "still there before the delay");
        tokio::time::sleep(Duration::from_secs(2)).await;
        settle().await;
        assert_eq!(now(&clip), None, "cleared after the delay");
    }

    #[tokio::test(start_paused = true)]
    async fn something_copied_later_is_left_alone() {
        let clip = Arc::new(MemoryClipboard::default());
        copy(clip.clone(), Zeroizing::new("pw-1".into()), true, CLEAR_SECRET_AFTER).await.unwrap();
        copy(clip.clone(), Zeroizing::new("203.0.113.7:3389".into()), false, CLEAR_SECRET_AFTER).await.unwrap();
        tokio::time::sleep(CLEAR_SECRET_AFTER + Duration::from_secs(5)).await;
        settle().await;
        assert_eq!(now(&clip).as_deref(), Some("203.0.113.7:3389"));
    }

    #[tokio::test(start_paused = true)]
    async fn copying_the_password_again_restarts_its_delay() {
        let clip = Arc::new(MemoryClipboard::default());
        let copy_pw = || copy(clip.clone(), Zeroizing::new("pw-1".into()), true, CLEAR_SECRET_AFTER);
        copy_pw().await.unwrap();
        tokio::time::sleep(CLEAR_SECRET_AFTER - Duration::from_secs(10)).await;
        copy_pw().await.unwrap();
        tokio::time::sleep(Duration::from_secs(15)).await;
        settle().await;
        assert_eq!(now(&clip).as_deref(), Some("pw-1"), "the first timer does not cut the second copy short");
        tokio::time::sleep(CLEAR_SECRET_AFTER).await;
        settle().await;
        assert_eq!(now(&clip), None);
    }

    #[tokio::test(start_paused = true)]
    async fn plain_text_is_never_cleared() {
        let clip = Arc::new(MemoryClipboard::default());
        copy(clip.clone(), Zeroizing::new("Administrator".into()), false, CLEAR_SECRET_AFTER).await.unwrap();
        tokio::time::sleep(CLEAR_SECRET_AFTER * 3).await;
        settle().await;
        assert_eq!(now(&clip).as_deref(), Some("Administrator"));
    }
}
