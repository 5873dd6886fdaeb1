//! A rental as the webview gets it: the journal's record (`dbc::rental::Rental`,
//! unchanged on the wire) plus what its stage means for the screens. The
//! meaning is decided here once, from the core's own `Stage` rules, so the
//! TypeScript screens read `isLive`, `awaitsConfirm`, `inFlight` and
//! `nextStep` instead of each re-deriving them from stage strings.

use dbc::rental::{Rental, Stage};
use serde::{Serialize, Serializer};

/// Every stage, in flow order (the contract lists their meanings for UI fixtures).
pub const STAGES: [Stage; 9] = [
    Stage::Placing,
    Stage::Placed,
    Stage::VmCreating,
    Stage::VmReady,
    Stage::Confirming,
    Stage::Renting,
    Stage::Ended,
    Stage::Lapsed,
    Stage::Failed,
];

/// The wizard step where a rental in flight continues (`ui/src/lib/steps.ts` ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum NextStep {
    /// `rent_machine` is in flight: the Rent step shows it.
    Rent,
    /// The order waits for its VM.
    Vm,
    /// The VM runs: check it, then confirm.
    Confirm,
}

/// What a stage means for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StageMeaning {
    /// The order is (or may be) live on chain: not ended, lapsed or failed.
    pub is_live: bool,
    /// Before confirmation: the 150-block confirm window applies.
    pub awaits_confirm: bool,
    /// The wizard is not done with it: placing, or awaiting confirmation.
    pub in_flight: bool,
    /// Where the wizard continues with it; `None` once confirmed or closed.
    pub next_step: Option<NextStep>,
}

impl StageMeaning {
    pub fn of(stage: Stage) -> Self {
        let next_step = match stage {
            Stage::Placing => Some(NextStep::Rent),
            Stage::Placed | Stage::VmCreating => Some(NextStep::Vm),
            Stage::VmReady | Stage::Confirming => Some(NextStep::Confirm),
            Stage::Renting | Stage::Ended | Stage::Lapsed | Stage::Failed => None,
        };
        StageMeaning {
            is_live: stage.is_live(),
            awaits_confirm: stage.awaits_confirm(),
            in_flight: stage == Stage::Placing || stage.awaits_confirm(),
            next_step,
        }
    }
}

/// One rental with its stage's meaning, flattened: the record's fields stay
/// exactly where they were, the four new ones sit beside them.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RentalView {
    #[serde(flatten)]
    pub rental: Rental,
    #[serde(flatten)]
    pub meaning: StageMeaning,
}

impl From<Rental> for RentalView {
    fn from(rental: Rental) -> Self {
        let meaning = StageMeaning::of(rental.stage);
        RentalView { rental, meaning }
    }
}

/// `#[serde(serialize_with)]` for a `Rental` field the webview gets.
pub fn serialize<S: Serializer>(rental: &Rental, s: S) -> Result<S::Ok, S::Error> {
    RentalView::from(rental.clone()).serialize(s)
}

/// `#[serde(serialize_with)]` for a list of rentals.
pub fn serialize_all<S: Serializer>(rentals: &[Rental], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(rentals.iter().cloned().map(RentalView::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Stage; 9] = STAGES;

    #[test]
    fn next_step_follows_the_wizard() {
        let steps: Vec<_> = ALL.iter().map(|s| StageMeaning::of(*s).next_step).collect();
        use NextStep::*;
        assert_eq!(steps, [Some(Rent), Some(Vm), Some(Vm), Some(Confirm), Some(Confirm), None, None, None, None]);
    }

    #[test]
    fn live_and_awaiting_confirm() {
        let live: Vec<_> = ALL.iter().map(|s| StageMeaning::of(*s).is_live).collect();
        assert_eq!(live, [true, true, true, true, true, true, false, false, false]);
        let awaits: Vec<_> = ALL.iter().map(|s| StageMeaning::of(*s).awaits_confirm).collect();
        assert_eq!(awaits, [false, true, true, true, true, false, false, false, false]);
        let in_flight: Vec<_> = ALL.iter().map(|s| StageMeaning::of(*s).in_flight).collect();
        assert_eq!(in_flight, [true, true, true, true, true, false, false, false, false]);
    }

    #[test]
    fn the_record_keeps_its_wire_shape() {
        let rental: Rental = serde_json::from_value(serde_json::json!({
            "id": "r1", "account": "5A", "machineId": "m", "gpus": 1, "blocks": 300,
            "quote": null, "stage": "vm-ready", "order": null, "vm": null, "pending": null,
            "lastError": null, "createdAt": 1, "updatedAt": 2
        }))
        .unwrap();
        let plain = serde_json::to_value(&rental).unwrap();
        let view = serde_json::to_value(RentalView::from(rental)).unwrap();
        let mut expected = plain.as_object().unwrap().clone();
        expected.insert("isLive".into(), true.into());
        expected.insert("awaitsConfirm".into(), true.into());
        expected.insert("inFlight".into(), true.into());
        expected.insert("nextStep".into(), "confirm".into());
        assert_eq!(view, serde_json::Value::Object(expected));
    }
}
