//! No panic reaches the UI: every command body runs inside [`guarded`] (or
//! [`guarded_async`]), which turns a panic into an `internal` error. The
//! panic itself is logged by the panic hook in `dbc::logging`.

use dbc::Error;
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

fn panicked(command: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let reason = dbc::logging::panic_message(payload);
    tracing::error!(command, %reason, "command panicked");
    Error::internal(format!("the {command} command failed unexpectedly; the log has details"))
        .with_data(serde_json::json!({ "command": command }))
}

/// Run a synchronous command body, converting a panic into `internal`.
pub fn guarded<T>(command: &str, body: impl FnOnce() -> dbc::Result<T>) -> dbc::Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| Err(panicked(command, p.as_ref())))
}

/// Run an async command body, converting a panic into `internal`.
pub async fn guarded_async<T>(command: &str, body: impl Future<Output = dbc::Result<T>>) -> dbc::Result<T> {
    AssertUnwindSafe(body).catch_unwind().await.unwrap_or_else(|p| Err(panicked(command, p.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_internal_error() {
        let r: dbc::Result<()> = guarded("boom", || panic!("kaput"));
        let e = r.unwrap_err();
        assert_eq!(e.code, dbc::ErrorCode::Internal);
        assert_eq!(e.data.unwrap()["command"], "boom");
    }

    #[test]
    fn errors_and_values_pass_through() {
        assert_eq!(guarded("ok", || Ok(3)).unwrap(), 3);
        let e = guarded::<()>("bad", || Err(Error::invalid_argument("x"))).unwrap_err();
        assert_eq!(e.code, dbc::ErrorCode::InvalidArgument);
    }

    #[test]
    fn async_panic_becomes_internal_error() {
        let r: dbc::Result<u8> =
            futures_util::FutureExt::now_or_never(guarded_async("later", async { panic!("async kaput") })).unwrap();
        assert_eq!(r.unwrap_err().code, dbc::ErrorCode::Internal);
    }
}
