//! Structured logs: JSON lines in a daily-rotating file in the log dir, with
//! every line passed through [`crate::redact::scrub`] before it is written.
//!
//! Only our own crates log at `info` (or what `DBC_RENT_LOG` asks);
//! third-party crates stay at `warn` unless named (`DBC_RENT_LOG=debug,
//! subxt=debug`): their debug output may hold request bodies.

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

/// The log targets of our own code (crate names as tracing spells them):
/// the core, the CLI binary, the practice network, the desktop app.
pub const OWN_TARGETS: [&str; 4] = ["dbc", "dbc_rent", "dbc_sandbox", "dbc_rent_app"];

/// The filter directives for `asked` (the value of [`FILTER_ENV`]): a bare
/// level applies to [`OWN_TARGETS`] only (third-party crates stay at
/// `warn`, or quieter if asked); a directive naming a target is kept as is.
pub fn filter_directives(asked: Option<&str>) -> String {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    let mut ours = "info";
    let mut others = "warn";
    let mut named: Vec<&str> = Vec::new();
    for d in asked.unwrap_or("").split(',').map(str::trim).filter(|d| !d.is_empty()) {
        match LEVELS.iter().position(|l| l.eq_ignore_ascii_case(d)) {
            Some(i) => {
                ours = LEVELS[i];
                // Quieter than warn applies to everyone; louder only to us.
                others = LEVELS[i.min(2)];
            }
            None => named.push(d),
        }
    }
    let mut out = vec![others.to_string()];
    out.extend(OWN_TARGETS.iter().map(|t| format!("{t}={ours}")));
    out.extend(named.iter().map(|d| d.to_string()));
    out.join(",")
}

fn env_filter() -> EnvFilter {
    let asked = std::env::var(FILTER_ENV).ok();
    EnvFilter::try_new(filter_directives(asked.as_deref())).unwrap_or_else(|e| {
        eprintln!("{FILTER_ENV}: {e}; using the default");
        EnvFilter::new(filter_directives(None))
    })
}

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
    let filter = env_filter();
    let file_layer = tracing_subscriber::fmt::layer().json().with_writer(Redacting(writer));
    let stderr_layer = stderr.then(|| {
        tracing_subscriber::fmt::layer().with_writer(Redacting(std::io::stderr.with_max_level(tracing::Level::WARN)))
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

/// Log every panic (location and message) so a crash report is in the log
/// file, not only on a terminal nobody sees, and print it to stderr as the
/// default hook would, but scrubbed ([`scrub`]): a panic message can quote
/// a value that holds a secret. The backtrace follows `RUST_BACKTRACE`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let reason = scrub(&panic_message(info.payload())).into_owned();
        tracing::error!(%location, %reason, "panic");
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("<unnamed>");
        let backtrace = std::backtrace::Backtrace::capture();
        let tail = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("stack backtrace:\n{backtrace}"),
            _ => "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace".to_string(),
        };
        eprintln!("\nthread '{name}' panicked at {location}:\n{reason}\n{tail}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_crates_stay_at_warn_unless_named() {
        let ours = |l: &str| OWN_TARGETS.iter().map(|t| format!(",{t}={l}")).collect::<String>();
        assert_eq!(filter_directives(None), format!("warn{}", ours("info")));
        assert_eq!(filter_directives(Some("")), format!("warn{}", ours("info")));
        assert_eq!(filter_directives(Some("debug")), format!("warn{}", ours("debug")));
        assert_eq!(filter_directives(Some("TRACE")), format!("warn{}", ours("trace")));
        assert_eq!(filter_directives(Some("error")), format!("error{}", ours("error")), "quieter applies to all");
        assert_eq!(
            filter_directives(Some("debug, subxt=debug,jsonrpsee=trace")),
            format!("warn{},subxt=debug,jsonrpsee=trace", ours("debug")),
            "a crate asked by name gets what was asked"
        );
        for asked in [None, Some("debug"), Some("hyper=info,debug")] {
            EnvFilter::try_new(filter_directives(asked)).unwrap();
        }
    }

    /// The hook prints the panic scrubbed; it runs in a child process (a
    /// panic hook is process-wide).
    #[test]
    fn the_panic_hook_scrubs_what_it_prints() {
        if std::env::var_os("DBC_PANIC_CHILD").is_some() {
            install_panic_hook();
            panic!("boom password=hunter2 bottom drive obey lake curtain smoke basket hold race lonely fit walk");
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "logging::tests::the_panic_hook_scrubs_what_it_prints",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("DBC_PANIC_CHILD", "1")
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "the child panicked: {text}");
        assert!(text.contains("panicked at") && text.contains("boom password=[redacted]"), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("lonely"), "{text}");
    }
}
