//! The machine market: every machine on the chain, what it costs and whether
//! it can be rented, computed exactly as the chain will (chain.md §4, §7;
//! market.md §7).
//!
//! - [`price`]: the chain's integer rent formula and the order quote;
//! - [`rules`]: durations and the rentability predicate, as `dbc::Error`s;
//! - [`machine`]: a `MachinesInfo` entry decoded by field name;
//! - [`load`]: the whole market read at one block.

pub mod load;
pub mod machine;
pub mod price;
pub mod rules;

pub use load::{load_all, Market};
pub use machine::{Machine, MachineStatus};
pub use price::{MachinePrice, PricingParams, Quote, StandardGpuPointPrice};
