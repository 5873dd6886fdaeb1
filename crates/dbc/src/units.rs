//! DBC amounts and chain time, in integers only.
//!
//! 1 DBC = 10^15 planck. Money is `u128` planck, formatted and parsed with
//! decimal string math: never `f64`, which cannot hold 10^15 exactly past
//! 9 DBC of precision. Blocks are 6 s (chain.md §4.9).

use crate::error::Error;

pub const DECIMALS: u32 = 15;
/// Planck per DBC.
pub const DBC: u128 = 1_000_000_000_000_000;

pub const BLOCK_SECS: u64 = 6;
pub const BLOCKS_PER_MINUTE: u32 = 10;
pub const BLOCKS_PER_HOUR: u32 = 600;
pub const BLOCKS_PER_DAY: u32 = 14_400;
/// Rent is sold in multiples of half an hour.
pub const RENT_STEP_BLOCKS: u32 = 300;
/// `WAITING_CONFIRMING_DELAY`: 15 minutes to confirm a rental.
pub const CONFIRM_WINDOW_BLOCKS: u32 = 150;
/// Rent and relet horizon: 60 days.
pub const MAX_RENT_BLOCKS: u32 = 60 * BLOCKS_PER_DAY;

/// Format planck as DBC with all significant decimals, e.g. `1.5`, `0.000000000000001`.
pub fn format_dbc(planck: u128) -> String {
    let whole = planck / DBC;
    let frac = planck % DBC;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = DECIMALS as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Format planck as DBC rounded half-up to `places` decimals (for display),
/// keeping trailing zeros so columns line up: `format_dbc_fixed(1_234_500_000_000_000, 2)` = `1.23`.
pub fn format_dbc_fixed(planck: u128, places: u32) -> String {
    let places = places.min(DECIMALS);
    let unit = 10u128.pow(DECIMALS - places);
    let rounded = planck / unit + u128::from(planck % unit >= unit / 2 && unit > 1);
    let scale = 10u128.pow(places);
    let (whole, frac) = (rounded / scale, rounded % scale);
    if places == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:0width$}", width = places as usize)
    }
}

/// Parse a decimal DBC amount ("12", "0.5", "1_000.25") into planck.
/// More than 15 decimals, signs, exponents and overflow are errors.
pub fn parse_dbc(input: &str) -> Result<u128, Error> {
    // `reason` is a stable id the UI words in the user's language (the
    // English `why` is for logs and the CLI).
    let bad = |reason: &str, why: &str| {
        Error::invalid_argument(format!("{input:?} is not a DBC amount: {why}"))
            .with_data(serde_json::json!({ "value": input.trim(), "reason": reason }))
    };
    let s: String = input.trim().chars().filter(|c| *c != '_').collect();
    if s.is_empty() {
        return Err(bad("amount-empty", "empty"));
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(bad("amount-not-a-number", "no digits"));
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("amount-not-a-number", "only digits and one decimal point"));
    }
    if frac.len() > DECIMALS as usize {
        return Err(bad("amount-too-many-decimals", "at most 15 decimals"));
    }
    let too_large = || bad("amount-too-large", "too large");
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_large())? };
    let frac_planck: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u128>().map_err(|_| too_large())? * 10u128.pow(DECIMALS - frac.len() as u32)
    };
    whole.checked_mul(DBC).and_then(|w| w.checked_add(frac_planck)).ok_or_else(too_large)
}

/// Seconds that `blocks` take at 6 s per block.
pub fn blocks_to_secs(blocks: u32) -> u64 {
    u64::from(blocks) * BLOCK_SECS
}

/// Blocks in `hours` hours, or `None` on overflow.
pub fn hours_to_blocks(hours: u32) -> Option<u32> {
    hours.checked_mul(BLOCKS_PER_HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exactly() {
        assert_eq!(format_dbc(0), "0");
        assert_eq!(format_dbc(DBC), "1");
        assert_eq!(format_dbc(DBC + DBC / 2), "1.5");
        assert_eq!(format_dbc(1), "0.000000000000001");
        assert_eq!(format_dbc(u128::MAX), "340282366920938463463374.607431768211455");
    }

    #[test]
    fn formats_fixed_with_rounding() {
        assert_eq!(format_dbc_fixed(1_234_500_000_000_000, 2), "1.23");
        assert_eq!(format_dbc_fixed(1_235_000_000_000_000, 2), "1.24");
        assert_eq!(format_dbc_fixed(999_999_999_999_999, 4), "1.0000");
        assert_eq!(format_dbc_fixed(10 * DBC, 0), "10");
        assert_eq!(format_dbc_fixed(7, 15), "0.000000000000007");
    }

    #[test]
    fn parses_round_trip() {
        for s in ["0", "1", "1.5", "0.000000000000001", "123456.789"] {
            assert_eq!(format_dbc(parse_dbc(s).unwrap()), s);
        }
        assert_eq!(parse_dbc(".5").unwrap(), DBC / 2);
        assert_eq!(parse_dbc("1_000").unwrap(), 1000 * DBC);
    }

    #[test]
    fn rejects_bad_amounts() {
        for s in ["", "-1", "1e3", "1.2.3", "abc", "0.0000000000000001", "1,5", ".", "999999999999999999999999999"] {
            assert!(parse_dbc(s).is_err(), "{s}");
        }
        // The UI words each refusal from a stable id, never from the English message.
        let reason = |s: &str| parse_dbc(s).unwrap_err().data.unwrap()["reason"].as_str().unwrap().to_string();
        assert_eq!(reason(" "), "amount-empty");
        assert_eq!(reason("1.2.3"), "amount-not-a-number");
        assert_eq!(reason("0.0000000000000001"), "amount-too-many-decimals");
        assert_eq!(reason("999999999999999999999999999"), "amount-too-large");
    }

    #[test]
    fn time_constants() {
        assert_eq!(blocks_to_secs(CONFIRM_WINDOW_BLOCKS), 15 * 60);
        assert_eq!(hours_to_blocks(24), Some(BLOCKS_PER_DAY));
        assert_eq!(MAX_RENT_BLOCKS, 864_000);
        assert_eq!(RENT_STEP_BLOCKS as u64 * BLOCK_SECS, 30 * 60);
    }
}
