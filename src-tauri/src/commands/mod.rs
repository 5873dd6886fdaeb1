//! Tauri commands, one file per domain. Each is a few lines: call the core,
//! map the result. Arguments arrive camelCase from JS.

pub mod app;
pub mod connect;
pub mod guide;
pub mod market;
pub mod network;
pub mod practice;
pub mod rental;
pub mod settings;
pub mod wallet;
