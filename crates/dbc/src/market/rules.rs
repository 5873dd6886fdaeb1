//! What the chain accepts, checked before anything is signed.
//!
//! `rent_machine` has traps a renter pays for: a duration of 0 "succeeds"
//! doing nothing, a non-half-hour duration fails after the fee was paid for
//! the transaction, a too-long one is silently cut to 60 days, and 0 GPUs is
//! not refused at all (chain.md §4.3). So the app refuses these itself, with
//! errors the UI can explain.

use super::machine::Machine;
use crate::error::{Error, ErrorCode, Result};
use crate::units::{BLOCKS_PER_HOUR, MAX_RENT_BLOCKS, RENT_STEP_BLOCKS};
use serde_json::json;

/// Check a duration in blocks: > 0, a multiple of 300 (half an hour,
/// `OnlyHalfHourAllowed`), at most 864,000 (60 days; the chain would cap it
/// silently and the user would get less than asked for).
pub fn validate_duration(blocks: u32) -> Result<u32> {
    let reason = if blocks == 0 {
        "zero"
    } else if !blocks.is_multiple_of(RENT_STEP_BLOCKS) {
        "not-half-hour"
    } else if blocks > MAX_RENT_BLOCKS {
        "too-long"
    } else {
        return Ok(blocks);
    };
    Err(Error::new(
        ErrorCode::InvalidDuration,
        format!("a rental of {blocks} blocks is not allowed ({reason}): use multiples of 300 blocks up to 864000"),
    )
    .with_data(json!({ "blocks": blocks, "reason": reason })))
}

/// Hours (half-hours allowed: `1.5` is fine, `0.25` is not) to blocks,
/// validated. `half_hours` is the duration in units of 30 minutes, so the
/// caller never needs a float: 3 half-hours = 1.5 h = 900 blocks.
pub fn duration_from_half_hours(half_hours: u32) -> Result<u32> {
    let blocks = half_hours.saturating_mul(RENT_STEP_BLOCKS);
    validate_duration(blocks)
}

/// Whole hours to blocks (`hours * 600`), validated.
pub fn duration_from_hours(hours: u32) -> Result<u32> {
    let blocks = hours.saturating_mul(BLOCKS_PER_HOUR);
    validate_duration(blocks)
}

/// Hours as typed ("2", "1.5", "0.5") to blocks, exactly (decimal text, no
/// float: 1.5 h = 900 blocks), then [`validate_duration`]. Text that is not a
/// plain non-negative decimal is `invalid-argument`; a number of hours that is
/// not a whole number of blocks (`0.0001`) is `invalid-duration` like any
/// other duration the chain refuses.
pub fn hours_to_blocks(text: &str) -> Result<u32> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 6 {
        return Err(Error::invalid_argument(format!("{text:?} is not a number of hours: use e.g. 2 or 1.5"))
            .with_data(json!({ "value": text })));
    }
    // hours * 600 = (whole.frac as an integer) * 600 / 10^len(frac)
    let scale = 10u64.pow(frac.len() as u32);
    let scaled_blocks =
        format!("{whole}{frac}").parse::<u64>().ok().and_then(|n| n.checked_mul(u64::from(BLOCKS_PER_HOUR)));
    let too_long = || {
        Error::new(ErrorCode::InvalidDuration, format!("{text:?} hours is longer than the chain allows (60 days)"))
            .with_data(json!({ "blocks": u32::MAX, "reason": "too-long" }))
    };
    let Some(scaled_blocks) = scaled_blocks else { return Err(too_long()) };
    let Ok(blocks) = u32::try_from(scaled_blocks / scale) else { return Err(too_long()) };
    if !scaled_blocks.is_multiple_of(scale) {
        // Not even a whole block: certainly not a multiple of half an hour.
        return Err(Error::new(
            ErrorCode::InvalidDuration,
            format!("{text:?} hours is not a whole number of blocks: rent in steps of 30 minutes"),
        )
        .with_data(json!({ "blocks": blocks, "reason": "not-half-hour" })));
    }
    validate_duration(blocks)
}

/// The rentability predicate of `rent_machine_by_block` (chain.md §7.4): the
/// status is `Online` or `Rented` (partly rented still has free GPUs) and
/// `1 <= wanted <= free`. Time-slot schedules (spec >= 409) are not checked.
pub fn check_rentable(machine: &Machine, wanted: u32) -> Result<()> {
    if !machine.status.rentable_status() {
        return Err(not_rentable(machine));
    }
    // `Rented` with every GPU taken is rentable by status but has no GPU left:
    // that is a GPU problem, reported as such.
    if wanted == 0 || wanted > machine.free_gpus {
        return Err(Error::new(
            ErrorCode::NotEnoughGpus,
            format!("{wanted} GPU(s) wanted, {} free on {}", machine.free_gpus, machine.id),
        )
        .with_data(json!({ "wanted": wanted, "free": machine.free_gpus })));
    }
    Ok(())
}

fn not_rentable(machine: &Machine) -> Error {
    Error::new(
        ErrorCode::NotRentable,
        format!("machine {} cannot be rented in status {}", machine.id, machine.status_raw),
    )
    .with_data(json!({ "machineId": machine.id, "status": machine.status.as_str() }))
}

/// `unknown-machine` for an id that is not in `MachinesInfo`.
pub fn unknown_machine(id: &str) -> Error {
    Error::new(ErrorCode::UnknownMachine, format!("no machine {id} on the chain")).with_data(json!({ "machineId": id }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::machine::MachineStatus;

    fn code(r: Result<u32>) -> (ErrorCode, String) {
        let e = r.unwrap_err();
        (e.code, e.data.unwrap()["reason"].as_str().unwrap().to_string())
    }

    #[test]
    fn durations() {
        assert_eq!(validate_duration(300), Ok(300));
        assert_eq!(validate_duration(600), Ok(600));
        assert_eq!(validate_duration(864_000), Ok(864_000));
        assert_eq!(code(validate_duration(100)), (ErrorCode::InvalidDuration, "not-half-hour".into()));
        assert_eq!(code(validate_duration(0)), (ErrorCode::InvalidDuration, "zero".into()));
        assert_eq!(code(validate_duration(864_300)), (ErrorCode::InvalidDuration, "too-long".into()));
        let e = validate_duration(100).unwrap_err();
        assert_eq!(e.data.unwrap()["blocks"], 100);
    }

    #[test]
    fn hours_and_half_hours() {
        assert_eq!(duration_from_hours(1), Ok(600));
        assert_eq!(duration_from_hours(1440), Ok(864_000));
        assert_eq!(duration_from_hours(1441).unwrap_err().code, ErrorCode::InvalidDuration);
        assert_eq!(duration_from_hours(0).unwrap_err().code, ErrorCode::InvalidDuration);
        assert_eq!(duration_from_hours(u32::MAX).unwrap_err().code, ErrorCode::InvalidDuration);
        assert_eq!(duration_from_half_hours(1), Ok(300));
        assert_eq!(duration_from_half_hours(3), Ok(900));
        assert_eq!(duration_from_half_hours(2881).unwrap_err().code, ErrorCode::InvalidDuration);
    }

    #[test]
    fn hours_text_becomes_blocks_exactly() {
        assert_eq!(hours_to_blocks("1"), Ok(600));
        assert_eq!(hours_to_blocks(" 1.5 "), Ok(900));
        assert_eq!(hours_to_blocks("0.5"), Ok(300));
        assert_eq!(hours_to_blocks(".5"), Ok(300));
        assert_eq!(hours_to_blocks("1440"), Ok(864_000));
        assert_eq!(code(hours_to_blocks("0.75")), (ErrorCode::InvalidDuration, "not-half-hour".into()));
        assert_eq!(code(hours_to_blocks("0.0001")), (ErrorCode::InvalidDuration, "not-half-hour".into()));
        assert_eq!(code(hours_to_blocks("0")), (ErrorCode::InvalidDuration, "zero".into()));
        assert_eq!(code(hours_to_blocks("1441")), (ErrorCode::InvalidDuration, "too-long".into()));
        assert_eq!(code(hours_to_blocks("99999999999999999999999")), (ErrorCode::InvalidDuration, "too-long".into()));
        assert_eq!(hours_to_blocks("0.75").unwrap_err().data.unwrap()["blocks"], 450);
        for bad in ["", "abc", "-1", "1e3", "1.2.3", "0.0000001", "."] {
            let e = hours_to_blocks(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
            assert_eq!(e.data.unwrap()["value"], bad);
        }
    }

    fn machine(status: MachineStatus, raw: &str, gpus: u32, free: u32) -> Machine {
        Machine {
            id: "ab".repeat(32),
            status,
            status_raw: raw.into(),
            gpu_count: gpus,
            free_gpus: free,
            rented_gpus: gpus - free,
            ..Machine::default()
        }
    }

    #[test]
    fn rentability() {
        let idle = machine(MachineStatus::Idle, "Online", 4, 4);
        assert_eq!(check_rentable(&idle, 1), Ok(()));
        assert_eq!(check_rentable(&idle, 4), Ok(()));
        let e = check_rentable(&idle, 5).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotEnoughGpus);
        assert_eq!(e.data.unwrap(), json!({"wanted": 5, "free": 4}));
        assert_eq!(check_rentable(&idle, 0).unwrap_err().code, ErrorCode::NotEnoughGpus, "0 GPUs is refused");

        let partly = machine(MachineStatus::PartlyRented, "Rented", 4, 1);
        assert_eq!(check_rentable(&partly, 1), Ok(()));
        assert_eq!(check_rentable(&partly, 2).unwrap_err().code, ErrorCode::NotEnoughGpus);

        let full = machine(MachineStatus::Rented, "Rented", 4, 0);
        assert_eq!(check_rentable(&full, 1).unwrap_err().code, ErrorCode::NotEnoughGpus);

        // Free GPUs do not help a machine that is offline, has left the network
        // or is not yet online: the refusal names the status, not the GPUs.
        for (s, raw, name) in [
            (MachineStatus::Offline, "StakerReportOffline", "offline"),
            (MachineStatus::Exited, "Exit", "exited"),
            (MachineStatus::Other, "CommitteeVerifying", "other"),
        ] {
            let m = machine(s, raw, 4, 4);
            let e = check_rentable(&m, 1).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotRentable);
            assert!(e.message.contains(raw), "{}", e.message);
            assert_eq!(e.data.unwrap(), json!({"machineId": m.id, "status": name}));
        }
        assert_eq!(unknown_machine("x").code, ErrorCode::UnknownMachine);
    }
}
