//! The machine market: every machine on the chain, what it costs and whether
//! it can be rented, computed exactly as the chain will (chain.md §4, §7;
//! market.md §7).
//!
//! - [`price`]: the chain's integer rent formula and the order quote;
//! - [`rules`]: durations and the rentability predicate, as `dbc::Error`s;
//! - [`machine`]: a `MachinesInfo` entry decoded by field name;
//! - [`load`]: the whole market read at one block;
//! - [`cache`]: the last market seen, on disk, for an instant first paint;
//! - [`refresh`]: keeping it current block by block (events, silent hooks, rescans);
//! - [`filter`]: narrowing and ordering the list, and its counters.

pub mod cache;
pub mod filter;
pub mod load;
pub mod machine;
pub mod price;
mod reader;
pub mod refresh;
pub mod rules;

pub use cache::CachedMarket;
pub use filter::{Filter, Listing, SortKey};
pub use load::{load_all, load_at, Market};
pub use machine::{Machine, MachineStatus};
pub use price::{MachinePrice, PricingParams, Quote, StandardGpuPointPrice};
pub use reader::prefetch_metadata;
pub use refresh::{changes_in, follow, refresh, Change, DEFAULT_RESCAN_EVERY};

/// The `RentMachine.rent_machine` call a [`Quote`] prices: machine id as its
/// ASCII bytes, GPU count, duration in blocks (chain.md §3, §4.3).
pub fn rent_machine_call(
    machine_id: &str,
    gpus: u32,
    blocks: u32,
) -> subxt::tx::DynamicPayload<(subxt::dynamic::Value, u32, u32)> {
    subxt::dynamic::tx(
        "RentMachine",
        "rent_machine",
        (subxt::dynamic::Value::from_bytes(machine_id.as_bytes()), gpus, blocks),
    )
}
