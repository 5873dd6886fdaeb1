//! Which rental reminders are due, from block numbers only (remaining
//! blocks × 6 s, never the wall clock), and the small file that remembers
//! the ones already fired so each fires once, across restarts.
//!
//! Two kinds: a rental being used is about to end (at each lead time the
//! user chose, default 24 h and 1 h), and an order's confirm window has 5
//! minutes left while it is still unconfirmed. Pure schedule: a shell
//! delivers them (the app as a desktop notification and a banner).

use super::record::{Rental, Stage};
use crate::error::{Error, Result};
use crate::units::BLOCKS_PER_MINUTE;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The confirm window reminder fires with this many minutes left.
pub const CONFIRM_WARNING_MINUTES: u32 = 5;

/// What a reminder is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
#[derive(ts_rs::TS)]
pub enum ReminderKind {
    /// The rental ends soon; `lead_minutes` is the lead time that was crossed.
    Expiry { lead_minutes: u32 },
    /// The order is still unconfirmed and its window closes soon.
    ConfirmWindow,
}

/// One due reminder, as the webview gets it (`rental-reminder` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[derive(ts_rs::TS)]
pub struct Reminder {
    /// Unique per event: fired once, then remembered.
    pub key: String,
    #[serde(flatten)]
    pub kind: ReminderKind,
    /// The journal id (the UI selects the rental by it).
    pub rental_id: String,
    pub rent_id: u64,
    pub machine_id: String,
    /// Blocks left until the end (expiry) or until the window closes.
    pub blocks_left: u32,
}

/// The reminders due at block `best` that are not in `fired`. `scope`
/// (the network's genesis) keeps keys of different chains apart.
///
/// A lead time counts only if the rental was longer than it (a 2-hour
/// rental gets no "24 hours left" reminder the moment it starts), and when
/// several are due at once (the app was closed) only the shortest fires:
/// the others are returned as `also_fired` so they are never shown late.
pub fn due(scope: &str, rentals: &[Rental], best: u32, leads_minutes: &[u32], fired: &BTreeSet<String>) -> Due {
    let mut out = Due::default();
    for r in rentals {
        let Some(o) = r.order.as_ref() else { continue };
        let base = Reminder {
            key: String::new(),
            kind: ReminderKind::ConfirmWindow,
            rental_id: r.id.clone(),
            rent_id: o.rent_id,
            machine_id: r.machine_id.clone(),
            blocks_left: 0,
        };
        match r.stage {
            Stage::Renting => {
                let left = o.rent_end.saturating_sub(best);
                let length = o.rent_end.saturating_sub(o.confirmed_at.unwrap_or(o.rent_start));
                if left == 0 {
                    continue;
                }
                let mut crossed: Vec<u32> = leads_minutes
                    .iter()
                    .copied()
                    .filter(|m| {
                        let lead = m.saturating_mul(BLOCKS_PER_MINUTE);
                        left <= lead && length > lead
                    })
                    .collect();
                crossed.sort_unstable();
                crossed.dedup();
                let keys: Vec<(u32, String)> =
                    crossed.iter().map(|m| (*m, format!("{scope}:{}:end:{m}:{}", o.rent_id, o.rent_end))).collect();
                if keys.iter().all(|(_, k)| fired.contains(k)) {
                    continue;
                }
                let mut keys = keys.into_iter();
                if let Some((shortest, key)) = keys.next() {
                    if !fired.contains(&key) {
                        out.reminders.push(Reminder {
                            key,
                            kind: ReminderKind::Expiry { lead_minutes: shortest },
                            blocks_left: left,
                            ..base
                        });
                    }
                    out.also_fired.extend(keys.map(|(_, k)| k).filter(|k| !fired.contains(k)));
                }
            }
            Stage::Placed | Stage::VmCreating | Stage::VmReady => {
                let left = o.confirm_deadline.saturating_sub(best);
                let key = format!("{scope}:{}:confirm", o.rent_id);
                if left > 0 && left <= CONFIRM_WARNING_MINUTES * BLOCKS_PER_MINUTE && !fired.contains(&key) {
                    out.reminders.push(Reminder { key, blocks_left: left, ..base });
                }
            }
            _ => {}
        }
    }
    out
}

/// What [`due`] found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Due {
    /// To show now.
    pub reminders: Vec<Reminder>,
    /// Longer leads passed at the same time: remembered as fired, not shown.
    pub also_fired: Vec<String>,
}

impl Due {
    pub fn is_empty(&self) -> bool {
        self.reminders.is_empty() && self.also_fired.is_empty()
    }

    /// Every key to remember.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.reminders.iter().map(|r| &r.key).chain(self.also_fired.iter())
    }
}

/// `<data dir>/reminders.json`: the keys of reminders already fired.
pub struct FiredStore {
    path: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct FiredFile {
    fired: BTreeSet<String>,
}

/// Keys kept at most (oldest dropped first by sort order is good enough:
/// they only guard against firing twice within a rental's life).
const MAX_KEPT: usize = 2_000;

impl FiredStore {
    pub fn new(data_dir: &Path) -> Self {
        FiredStore { path: data_dir.join("reminders.json") }
    }

    /// The fired keys; a damaged file counts as empty (at worst a reminder
    /// shows again), it never stops the app.
    pub fn load(&self) -> BTreeSet<String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<FiredFile>(&bytes).map(|f| f.fired).unwrap_or_else(|e| {
                tracing::warn!(path = %self.path.display(), error = %e, "reminders file unreadable; starting afresh");
                BTreeSet::new()
            }),
            Err(_) => BTreeSet::new(),
        }
    }

    pub fn save(&self, fired: &BTreeSet<String>) -> Result<()> {
        let mut kept = fired.clone();
        while kept.len() > MAX_KEPT {
            let first = kept.iter().next().cloned();
            if let Some(k) = first {
                kept.remove(&k);
            }
        }
        let bytes =
            serde_json::to_vec_pretty(&FiredFile { fired: kept }).map_err(|e| Error::internal(e.to_string()))?;
        crate::paths::write_atomic(&self.path, &bytes).map_err(|e| Error::io(&self.path, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::rent::OrderStatus;
    use crate::rental::record::OrderFacts;
    use crate::rental::samples;

    const HOUR: u32 = 600;

    fn rental(stage: Stage, rent_start: u32, rent_end: u32) -> Rental {
        let status = if stage == Stage::Renting { OrderStatus::Renting } else { OrderStatus::WaitingVerifying };
        let mut order = OrderFacts::from_order(&samples::order(42, "m", rent_start, rent_end, status), 0, 0);
        order.confirmed_at = (stage == Stage::Renting).then_some(rent_start + 20);
        Rental {
            account: "5Grw".into(),
            machine_id: "ab".repeat(32),
            blocks: rent_end - rent_start,
            order: Some(order),
            ..samples::rental("r1", stage)
        }
    }

    fn keys(d: &Due) -> Vec<String> {
        d.reminders.iter().map(|r| r.key.clone()).collect()
    }

    #[test]
    fn expiry_fires_at_each_lead_once() {
        let leads = [1440, 60];
        // Three days from 1,000.
        let r = vec![rental(Stage::Renting, 1_000, 1_000 + 72 * HOUR)];
        let end = 1_000 + 72 * HOUR;
        let mut fired = BTreeSet::new();
        assert!(due("g", &r, end - 24 * HOUR - 1, &leads, &fired).is_empty(), "one block before the 24 h mark");
        let d = due("g", &r, end - 24 * HOUR, &leads, &fired);
        assert_eq!(keys(&d), [format!("g:42:end:1440:{end}")]);
        assert_eq!(d.reminders[0].kind, ReminderKind::Expiry { lead_minutes: 1440 });
        assert_eq!(d.reminders[0].blocks_left, 24 * HOUR);
        fired.extend(d.keys().cloned());
        assert!(due("g", &r, end - 24 * HOUR + 5, &leads, &fired).is_empty(), "fired once");
        let d = due("g", &r, end - 59 * 10, &leads, &fired);
        assert_eq!(d.reminders[0].kind, ReminderKind::Expiry { lead_minutes: 60 });
        assert_eq!(d.reminders[0].blocks_left, 590, "59 minutes left");
        fired.extend(d.keys().cloned());
        assert!(due("g", &r, end - 1, &leads, &fired).is_empty());
        assert!(due("g", &r, end, &leads, &BTreeSet::new()).is_empty(), "ended: nothing to remind");
    }

    #[test]
    fn a_renewal_arms_the_reminders_again() {
        let r = vec![rental(Stage::Renting, 0, 3 * HOUR)];
        let fired: BTreeSet<String> = due("g", &r, 2 * HOUR + 10, &[60], &BTreeSet::new()).keys().cloned().collect();
        assert_eq!(fired.len(), 1);
        let mut renewed = r.clone();
        renewed[0].order.as_mut().unwrap().rent_end = 6 * HOUR;
        assert!(due("g", &renewed, 2 * HOUR + 10, &[60], &fired).is_empty(), "far from the new end");
        assert_eq!(due("g", &renewed, 5 * HOUR + 10, &[60], &fired).reminders.len(), 1, "a new end, a new reminder");
    }

    #[test]
    fn short_rentals_skip_leads_longer_than_themselves_and_a_late_start_shows_only_the_shortest() {
        // Two hours long: "24 h left" never applies; "1 h left" does.
        let r = vec![rental(Stage::Renting, 0, 2 * HOUR)];
        assert!(due("g", &r, 30, &[1440, 60], &BTreeSet::new()).is_empty());
        assert_eq!(
            due("g", &r, HOUR + 1, &[1440, 60], &BTreeSet::new()).reminders[0].kind,
            ReminderKind::Expiry { lead_minutes: 60 }
        );
        // Three days long, app opened 30 minutes before the end: one reminder, the 24 h one remembered silently.
        let r = vec![rental(Stage::Renting, 0, 72 * HOUR)];
        let d = due("g", &r, 72 * HOUR - 300, &[1440, 60], &BTreeSet::new());
        assert_eq!(d.reminders.len(), 1);
        assert_eq!(d.reminders[0].kind, ReminderKind::Expiry { lead_minutes: 60 });
        assert_eq!(d.also_fired, [format!("g:42:end:1440:{}", 72 * HOUR)]);
    }

    #[test]
    fn the_confirm_window_warns_with_five_minutes_left_while_unconfirmed() {
        for stage in [Stage::Placed, Stage::VmCreating, Stage::VmReady] {
            let r = vec![rental(stage, 1_000, 1_000 + HOUR)];
            assert!(due("g", &r, 1_000 + 99, &[], &BTreeSet::new()).is_empty(), "51 blocks left: not yet");
            let d = due("g", &r, 1_000 + 100, &[], &BTreeSet::new());
            assert_eq!(d.reminders.len(), 1, "{stage:?}");
            assert_eq!((d.reminders[0].kind.clone(), d.reminders[0].blocks_left), (ReminderKind::ConfirmWindow, 50));
            assert_eq!(d.reminders[0].key, "g:42:confirm");
            assert!(due("g", &r, 1_000 + 150, &[], &BTreeSet::new()).is_empty(), "closed: too late to remind");
        }
        for stage in [Stage::Confirming, Stage::Lapsed, Stage::Ended, Stage::Failed, Stage::Placing] {
            assert!(
                due("g", &[rental(stage, 1_000, 1_000 + HOUR)], 1_120, &[60], &BTreeSet::new()).is_empty(),
                "{stage:?}"
            );
        }
    }

    #[test]
    fn the_fired_file_round_trips_and_a_damaged_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = FiredStore::new(dir.path());
        assert!(store.load().is_empty());
        let set: BTreeSet<String> = ["a".to_string(), "b".to_string()].into();
        store.save(&set).unwrap();
        assert_eq!(store.load(), set);
        std::fs::write(dir.path().join("reminders.json"), b"{oops").unwrap();
        assert!(store.load().is_empty());
    }

    #[test]
    fn the_event_payload_is_flat_camel_case() {
        let r = vec![rental(Stage::Renting, 0, 72 * HOUR)];
        let d = due("g", &r, 72 * HOUR - 100, &[60], &BTreeSet::new());
        let v = serde_json::to_value(&d.reminders[0]).unwrap();
        assert_eq!(v["kind"], "expiry");
        assert_eq!(v["leadMinutes"], 60);
        assert_eq!(v["rentId"], 42);
        assert_eq!(v["blocksLeft"], 100);
        assert_eq!(v["rentalId"], "r1");
    }
}
