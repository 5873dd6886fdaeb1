//! Tauri commands, one file per domain. Each is a few lines: call the core,
//! map the result. Arguments arrive camelCase from JS.

pub mod app;
pub mod compute;
pub mod connect;
pub mod guide;
pub mod market;
pub mod network;
pub mod practice;
pub mod reminders;
pub mod rental;
pub mod rental_settings;
pub mod settings;
pub mod ssh;
pub mod update;
pub mod wallet;
