//! Keeping a loaded [`Market`] current block by block without reading every
//! machine again.
//!
//! A new best block changes the list in three ways:
//! - **events**: `RentMachine.Rent` / `ConfirmRent` / `Relet`, and the
//!   `OnlineProfile` / `OnlineCommittee` events that carry a machine id, name
//!   the machines they touched; `DBCPriceOCW` events move the DBC price;
//! - **silent hooks**: `RentMachine`'s `on_finalize` drops unconfirmed orders
//!   at their confirm deadline and ends rentals at `rent_end` *without any
//!   event* (chain.md §4.6, §4.11). The orders due at block `n` are the ids
//!   in `ConfirmingOrder[n]` and `RentEnding[n]`, read in the parent's state;
//! - anything else (sudo / governance writing storage, a runtime upgrade, an
//!   event we cannot decode, a gap or a fork in the block stream): the whole
//!   list is read again. A full rescan also runs every few minutes, for
//!   changes no event announces (committee verdicts applied in hooks,
//!   storage set by hand on a practice network).
//!
//! Event fields are unnamed in DBC's metadata (types only), so a machine id
//! is recognised by its shape: a byte string of exactly 64 lowercase hex
//! characters (chain.md §7.1). No other field type of these pallets looks
//! like that (accounts and hashes are 32 raw bytes), and it keeps working
//! when a runtime adds an event or moves a field.

use super::load::{load_at, market_of, order_machines, pricing, read_machines, Market};
use super::reader::BlockReader;
use crate::chain::client::ChainClient;
use crate::chain::value::{bytes, items};
use crate::error::Result;
use scale_value::{Composite, Value, ValueDef};
use std::collections::BTreeSet;
use std::time::Duration;
use subxt::config::substrate::H256;
use subxt::events::Events;
use subxt::SubstrateConfig;

/// How often [`follow`] reads the whole list again by default.
pub const DEFAULT_RESCAN_EVERY: Duration = Duration::from_secs(10 * 60);

/// What a block changed in the market.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change {
    #[default]
    Nothing,
    /// These machines (by id), plus the pricing parameters, which are re-read
    /// with every change because that costs four small reads. An empty set
    /// means only prices moved (a `DBCPriceOCW` event).
    Machines(BTreeSet<String>),
    /// Read the whole list again.
    Everything,
}

impl Change {
    /// Combine two changes: `Everything` absorbs, machine sets unite.
    pub fn merge(&mut self, other: Change) {
        match (&mut *self, other) {
            (Change::Everything, _) | (_, Change::Nothing) => {}
            (_, Change::Everything) => *self = Change::Everything,
            (Change::Machines(mine), Change::Machines(theirs)) => mine.extend(theirs),
            (Change::Nothing, other) => *self = other,
        }
    }

    pub fn is_nothing(&self) -> bool {
        matches!(self, Change::Nothing)
    }

    #[cfg(test)]
    fn one(id: String) -> Change {
        Change::Machines(BTreeSet::from([id]))
    }
}

/// What a block's events change in the list (see the module doc for the rules).
pub fn changes_in(events: &Events<SubstrateConfig>) -> Change {
    let mut change = Change::Nothing;
    for ev in events.iter() {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!("an event of this block cannot be decoded ({e}); reading the whole market again");
                return Change::Everything;
            }
        };
        change.merge(classify(ev.pallet_name(), ev.event_name(), || {
            ev.decode_fields_unchecked_as::<Composite<()>>().ok()
        }));
        if change == Change::Everything {
            break;
        }
    }
    change
}

/// One event's effect. `fields` decodes the event's fields on demand (most
/// events of a block are balances and staking and need no decoding).
fn classify(pallet: &str, event: &str, fields: impl FnOnce() -> Option<Composite<()>>) -> Change {
    let by_machine = |fields: Option<Composite<()>>, otherwise: Change| {
        let ids = fields.map(|f| machine_ids(&f)).unwrap_or_default();
        if ids.is_empty() {
            otherwise
        } else {
            Change::Machines(ids)
        }
    };
    match (pallet, event) {
        // Declared but never emitted / an owner's EVM binding: no list field.
        ("RentMachine", "PayTxFee" | "SetEvmAddress") => Change::Nothing,
        // Rent, ConfirmRent, Relet, and whatever later runtimes add.
        ("RentMachine", _) => by_machine(fields(), Change::Everything),
        // Stake, rewards and slash bookkeeping of accounts: nothing the list shows.
        (
            "OnlineProfile",
            "Slash"
            | "ControllerStashBonded"
            | "StakeAdded"
            | "StakeReduced"
            | "ServerRoomGenerated"
            | "ClaimReward"
            | "SlashCanceled"
            | "SlashAndReward"
            | "ApplySlashReview"
            | "NewSlash"
            | "SetTmpVal"
            | "StashResetController",
        ) => Change::Nothing,
        // Machine events (bonded, info updated, offline/online, exit, restake,
        // extra price in newer runtimes, ...); an unknown one without an id may
        // be a global setting such as the standard GPU price.
        ("OnlineProfile", _) => by_machine(fields(), Change::Everything),
        // Verification steps of a machine; the committee's own bookkeeping otherwise.
        ("OnlineCommittee", _) => by_machine(fields(), Change::Nothing),
        // A new DBC price: every machine's DBC price moves, nothing else.
        ("DBCPriceOCW", _) => Change::Machines(BTreeSet::new()),
        // Root and governance can write any storage (prices, the fixed fee,
        // the maximum duration); a runtime upgrade can change every layout.
        ("System", "CodeUpdated")
        | ("Sudo", "Sudid" | "SudoAsDone")
        | ("Scheduler", "Dispatched")
        | ("Democracy", "Executed")
        | ("Council" | "TechnicalCommittee", "Executed" | "MemberExecuted") => Change::Everything,
        _ => Change::Nothing,
    }
}

/// Every machine id among the fields, at any depth.
fn machine_ids(fields: &Composite<()>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for v in fields.values() {
        collect_ids(v, &mut out);
    }
    out
}

fn collect_ids(v: &Value<()>, out: &mut BTreeSet<String>) {
    if let Some(id) = bytes(v).and_then(|b| machine_id(&b)) {
        out.insert(id);
        return;
    }
    match &v.value {
        ValueDef::Composite(c) => c.values().for_each(|x| collect_ids(x, out)),
        ValueDef::Variant(var) => var.values.values().for_each(|x| collect_ids(x, out)),
        _ => {}
    }
}

/// A `MachineId`: the ASCII text of 32 bytes in lowercase hex.
fn machine_id(b: &[u8]) -> Option<String> {
    (b.len() == 64 && b.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)))
        .then(|| String::from_utf8_lossy(b).into_owned())
}

/// Apply `change` at the best block: re-read the named machines (those gone
/// from `MachinesInfo` leave the list, new ones join it) and the pricing
/// parameters, or everything. `Nothing` leaves `market` as it is.
pub async fn refresh(client: &ChainClient, market: &mut Market, change: &Change) -> Result<()> {
    if change.is_nothing() {
        return Ok(());
    }
    let (number, hash) = client.best_block().await?;
    apply(client, market, change, number, hash).await
}

async fn apply(client: &ChainClient, market: &mut Market, change: &Change, number: u32, hash: H256) -> Result<()> {
    let ids = match change {
        Change::Nothing => return Ok(()),
        Change::Everything => {
            *market = load_at(client, number, hash).await?;
            return Ok(());
        }
        Change::Machines(ids) => ids.iter().cloned().collect::<Vec<String>>(),
    };
    let r = BlockReader::new(client, number, hash).await?;
    if r.spec_version != market.spec_version {
        // New runtime: layouts may differ; do not mix old and new decodes.
        *market = load_at(client, number, hash).await?;
        return Ok(());
    }
    let (params, fresh) = futures::try_join!(pricing(&r), read_machines(&r, &ids))?;
    let mut machines = std::mem::take(&mut market.machines);
    for (id, m) in ids.iter().zip(fresh) {
        match (machines.binary_search_by(|x| x.id.as_str().cmp(id)), m) {
            (Ok(i), Some(m)) => machines[i] = m,
            (Err(i), Some(m)) => machines.insert(i, m),
            (Ok(i), None) => {
                machines.remove(i);
            }
            (Err(_), None) => {}
        }
    }
    *market = market_of(&r, params, machines);
    Ok(())
}

/// The machines whose orders `RentMachine`'s `on_finalize` settles in block
/// `number` without an event: unconfirmed orders at their deadline
/// (`ConfirmingOrder[number]`) and rentals ending (`RentEnding[number]`),
/// read in the state of the block's parent (`parent`, number
/// `parent_number`), before the hook ran.
async fn settled_silently(client: &ChainClient, parent: H256, parent_number: u32, number: u32) -> Result<Change> {
    const RM: &str = "RentMachine";
    let r = BlockReader::new(client, parent_number, parent).await?;
    let entries: Vec<&str> = ["ConfirmingOrder", "RentEnding"].into_iter().filter(|e| r.has_entry(RM, e)).collect();
    let keys = entries.iter().map(|e| r.key(RM, e, (number,))).collect::<Result<Vec<_>>>()?;
    let values = r.values(&keys).await?;
    let rent_ids: Vec<u64> = entries
        .iter()
        .zip(&values)
        .filter_map(|(e, v)| r.decode_opt(RM, e, v.as_ref()))
        .flat_map(|v| items(&v).filter_map(|x| x.as_u128().and_then(|n| u64::try_from(n).ok())).collect::<Vec<_>>())
        .collect();
    if rent_ids.is_empty() {
        return Ok(Change::Nothing);
    }
    let ids: BTreeSet<String> = order_machines(&r, &rent_ids).await?.into_iter().collect();
    Ok(if ids.is_empty() { Change::Nothing } else { Change::Machines(ids) })
}

/// What block `number` (`hash`, child of `parent`, the market's block)
/// changed: its events, the orders settled in its hooks, everything after a
/// runtime upgrade.
async fn changes_at(client: &ChainClient, market: &Market, hash: H256, parent: H256, number: u32) -> Result<Change> {
    let events = async {
        let r = BlockReader::new(client, number, hash).await?;
        if r.spec_version != market.spec_version {
            return Ok(Change::Everything);
        }
        Ok(changes_in(&r.events().await?))
    };
    let (mut change, silent) =
        futures::try_join!(events, settled_silently(client, parent, market.block_number, number))?;
    change.merge(silent);
    Ok(change)
}

/// Follow best blocks from `start`, applying each block's [`Change`] and
/// calling `on_update(&market)` after every change applied. A block whose
/// parent is not the last block seen (a gap in the stream, a fork, a `start`
/// read from a cache long ago) brings a full read, and so does the first
/// block after each `rescan_every` (no blocks, no reads).
///
/// Runs until the subscription or a read fails, and returns that error: the
/// caller reconnects and calls `follow` again with the market it last got.
pub async fn follow(
    client: ChainClient,
    start: Market,
    rescan_every: Duration,
    mut on_update: impl FnMut(&Market) + Send,
) -> Result<()> {
    let mut market = start;
    let mut last = parse_hash(&market.block_hash);
    let mut blocks =
        client.api().stream_best_blocks().await.map_err(|e| client.rpc_error("subscribing to best blocks", e))?;
    // `None`: never (a period too long to add to a clock, e.g. `Duration::MAX`).
    let rescan_after = |now: tokio::time::Instant| now.checked_add(rescan_every);
    let mut next_rescan = rescan_after(tokio::time::Instant::now());
    while let Some(block) = blocks.next().await {
        let block = block.map_err(|e| client.rpc_error("best blocks subscription", e))?;
        let (hash, parent) = (block.hash(), block.header().parent_hash);
        let number = u32::try_from(block.number()).unwrap_or(u32::MAX);
        if Some(hash) == last {
            continue;
        }
        let rescan_due = next_rescan.is_some_and(|at| tokio::time::Instant::now() >= at);
        let change = if Some(parent) != last || rescan_due {
            Change::Everything
        } else {
            changes_at(&client, &market, hash, parent, number).await?
        };
        tracing::debug!(block = number, ?change, "market change");
        if change == Change::Everything {
            next_rescan = rescan_after(tokio::time::Instant::now());
        }
        apply(&client, &mut market, &change, number, hash).await?;
        if change.is_nothing() {
            // Still true at this block: later changes build on it.
            market.block_number = number;
            market.block_hash = hash_hex(hash);
        } else {
            on_update(&market);
        }
        last = Some(hash);
    }
    Err(client.rpc_error("best blocks subscription", "ended (connection closed)"))
}

fn hash_hex(hash: H256) -> String {
    format!("0x{}", hex::encode(hash.0))
}

fn parse_hash(s: &str) -> Option<H256> {
    let b = hex::decode(s.strip_prefix("0x").unwrap_or(s)).ok()?;
    (b.len() == 32).then(|| H256::from_slice(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: char) -> String {
        c.to_string().repeat(64)
    }

    fn bytes_of(s: &str) -> Value<()> {
        Value::unnamed_composite(s.bytes().map(|b| Value::u128(b.into())))
    }

    /// `Rent(rent_id, renter, machine_id, gpus, blocks, fee)` as decoded.
    fn rent_fields(machine: &str) -> Composite<()> {
        Composite::unnamed([
            Value::u128(7),
            Value::unnamed_composite([Value::unnamed_composite((0..32).map(|_| Value::u128(0xaa)))]),
            bytes_of(machine),
            Value::u128(2),
            Value::u128(600),
            Value::u128(123_000_000_000_000_000),
        ])
    }

    #[test]
    fn rent_events_name_their_machine() {
        for ev in ["Rent", "ConfirmRent", "Relet"] {
            assert_eq!(classify("RentMachine", ev, || Some(rent_fields(&id('a')))), Change::one(id('a')), "{ev}");
        }
        assert_eq!(classify("RentMachine", "PayTxFee", || unreachable!()), Change::Nothing);
        assert_eq!(classify("RentMachine", "SetEvmAddress", || unreachable!()), Change::Nothing);
        // A future RentMachine event without a machine id: cannot attribute.
        assert_eq!(
            classify("RentMachine", "SomethingNew", || Some(Composite::unnamed([Value::u128(1)]))),
            Change::Everything
        );
        // Undecodable fields: cannot attribute either.
        assert_eq!(classify("RentMachine", "Rent", || None), Change::Everything);
    }

    #[test]
    fn online_profile_events() {
        let just = |m: &str| Some(Composite::unnamed([bytes_of(m)]));
        for ev in ["MachineExit", "ControllerReportOffline", "ControllerReportOnline", "MachineInfoUpdated"] {
            assert_eq!(classify("OnlineProfile", ev, || just(&id('b'))), Change::one(id('b')), "{ev}");
        }
        // BondMachine(account, machine, stake): the id among other byte strings.
        let bond = Composite::unnamed([
            Value::unnamed_composite([Value::unnamed_composite((0..32).map(|_| Value::u128(0x31)))]),
            bytes_of(&id('c')),
            Value::u128(5),
        ]);
        assert_eq!(classify("OnlineProfile", "BondMachine", || Some(bond)), Change::one(id('c')));
        assert_eq!(classify("OnlineProfile", "ClaimReward", || unreachable!()), Change::Nothing);
        assert_eq!(classify("OnlineProfile", "SetStandardPrice", || Some(Composite::unnamed([]))), Change::Everything);
        // Committee steps name the machine; the rest is the committee's business.
        assert_eq!(classify("OnlineCommittee", "MachineDistributed", || just(&id('d'))), Change::one(id('d')));
        assert_eq!(classify("OnlineCommittee", "AddConfirmHash", || Some(Composite::unnamed([]))), Change::Nothing);
    }

    #[test]
    fn prices_governance_and_the_rest() {
        assert_eq!(classify("DBCPriceOCW", "AddAvgPrice", || unreachable!()), Change::Machines(BTreeSet::new()));
        for (p, e) in
            [("Sudo", "Sudid"), ("System", "CodeUpdated"), ("Scheduler", "Dispatched"), ("Council", "Executed")]
        {
            assert_eq!(classify(p, e, || unreachable!()), Change::Everything, "{p}.{e}");
        }
        for (p, e) in [
            ("Balances", "Transfer"),
            ("System", "ExtrinsicSuccess"),
            ("Staking", "Rewarded"),
            ("MaintainCommittee", "ReportMachineFault"),
        ] {
            assert_eq!(classify(p, e, || unreachable!()), Change::Nothing, "{p}.{e}");
        }
    }

    #[test]
    fn machine_ids_are_64_lowercase_hex_bytes() {
        assert_eq!(machine_id(id('f').as_bytes()), Some(id('f')));
        assert_eq!(machine_id("A".repeat(64).as_bytes()), None, "uppercase");
        assert_eq!(machine_id("g".repeat(64).as_bytes()), None, "not hex");
        assert_eq!(machine_id(&[0xab; 32]), None, "a raw H256 / account");
        assert_eq!(machine_id("a".repeat(63).as_bytes()), None);
        // Nested inside a variant or a struct.
        let nested = Composite::unnamed([Value::variant(
            "Wrapped",
            Composite::named([("machine_id", bytes_of(&id('e'))), ("n", Value::u128(3))]),
        )]);
        assert_eq!(machine_ids(&nested), BTreeSet::from([id('e')]));
    }

    #[test]
    fn merging() {
        let mut c = Change::Nothing;
        c.merge(Change::Nothing);
        assert_eq!(c, Change::Nothing);
        c.merge(Change::Machines(BTreeSet::new()));
        assert_eq!(c, Change::Machines(BTreeSet::new()));
        c.merge(Change::one(id('a')));
        c.merge(Change::one(id('b')));
        assert_eq!(c, Change::Machines(BTreeSet::from([id('a'), id('b')])));
        c.merge(Change::Everything);
        assert_eq!(c, Change::Everything);
        c.merge(Change::one(id('c')));
        assert_eq!(c, Change::Everything);
    }

    #[test]
    fn hashes_parse_back() {
        let h = H256::from_slice(&[7; 32]);
        assert_eq!(parse_hash(&hash_hex(h)), Some(h));
        assert_eq!(parse_hash("0x00"), None);
        assert_eq!(parse_hash("junk"), None);
    }

    /// `follow` can run on a multi-threaded runtime (the app spawns it).
    #[allow(dead_code)]
    fn follow_is_send(client: ChainClient, market: Market) {
        fn is_send<T: Send>(_: &T) {}
        is_send(&follow(client, market, DEFAULT_RESCAN_EVERY, |_| {}));
    }
}
