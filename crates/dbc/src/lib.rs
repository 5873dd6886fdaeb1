//! DBC Rent core library.
//!
//! All domain logic of the app lives here so that the desktop shell
//! (`src-tauri`), the command line (`dbc-rent`) and the practice network
//! (`dbc-sandbox`) share one implementation. This crate never imports Tauri,
//! clap or anything UI.
//!
//! Layering, from the ground up: [`units`]; settings and paths; later wallet,
//! chain and compute, market, rental. A module only imports what stands below it.

pub mod chain;
pub mod compute;
pub mod error;
pub mod geo;
pub mod guide;
pub mod host;
pub mod language;
pub mod links;
pub mod logging;
pub mod market;
pub mod network;
pub mod paths;
pub mod practice;
#[cfg(test)]
mod proptests;
pub mod rdp;
pub mod redact;
pub mod rental;
pub mod settings;
pub mod ssh;
#[cfg(all(test, unix))]
mod test_scripts;
pub mod text;
pub mod units;
pub mod wallet;

pub use error::{Error, ErrorCode, Result};

/// The app's version, shared by the CLI and the desktop app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
