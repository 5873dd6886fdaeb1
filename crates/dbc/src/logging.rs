//! Structured logs: JSON lines in a daily-rotating file in the log dir, with
//! every line passed through [`crate::redact::scrub`] before it is written.

use crate::error::{Error, Result};
use crate::redact::scrub;
use std::io::Write;
use std::path::Path;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Log files kept (one a day).
pub const KEEP_FILES: usize = 14;
/// Filter override, e.g. `DBC_RENT_LOG=debug`.
pub const FILTER_ENV: &str = "DBC_RENT_LOG";

/// Keeps the background log writer alive; logs are flushed when dropped.
pub struct LogGuard {
    _worker: tracing_appender::non_blocking::WorkerGuard,
}

/// A writer that scrubs each formatted event before passing it on. The fmt
/// layer formats a whole event into one buffer and writes it in one call, so
/// a line is never split across two scrubs.
#[derive(Clone)]
pub struct Redacting<M>(pub M);

pub struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// Start logging to `log_dir` (created if needed). `stderr` also echoes
/// warnings and errors to the terminal. Call once per process; a second call
/// fails harmlessly with an error.
pub fn init(log_dir: &Path, app: &str, stderr: bool) -> Result<LogGuard> {
    crate::paths::ensure_private_dir(log_dir).map_err(|e| Error::io(log_dir, &e))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(app)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)
        .map_err(|e| Error::internal(format!("cannot open log file in {}: {e}", log_dir.display())))?;
    let (writer, worker) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    let file_layer = tracing_subscriber::fmt::layer().json().with_writer(Redacting(writer));
    let stderr_layer = stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(Redacting(std::io::stderr.with_max_level(tracing::Level::WARN)))
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| Error::internal(format!("logging already initialised: {e}")))?;
    install_panic_hook();
    Ok(LogGuard { _worker: worker })
}

/// Log every panic (location and message) before the default hook runs, so
/// a crash report is in the log file, not only on a terminal nobody sees.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let reason = panic_message(info.payload());
        tracing::error!(%location, %reason, "panic");
        previous(info);
    }));
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
