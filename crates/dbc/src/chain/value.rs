//! Reading the decoded SCALE values the dynamic API hands back (storage
//! entries, event fields) as far as the callers need: numbers that fit,
//! the elements of a sequence, byte strings, variant names. One place for
//! the chain's own reads (`rent`) and the market's (`market::machine`).

use scale_value::{Value, ValueDef};

/// A number that fits a `u32` (`None`: absent, not a number, too large).
pub(crate) fn u32_of(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u128).and_then(|n| u32::try_from(n).ok())
}

/// A number that fits a `u64`.
pub(crate) fn u64_of(v: Option<&Value>) -> Option<u64> {
    v.and_then(Value::as_u128).and_then(|n| u64::try_from(n).ok())
}

/// The name of an enum value's variant.
pub(crate) fn variant_name(v: &Value) -> Option<&str> {
    match &v.value {
        ValueDef::Variant(var) => Some(&var.name),
        _ => None,
    }
}

/// The elements of a sequence, tuple or struct (a newtype wrapper is one
/// element); nothing for any other value.
pub(crate) fn items(v: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match &v.value {
        ValueDef::Composite(c) => Box::new(c.values()),
        _ => Box::new(std::iter::empty()),
    }
}

/// A `Vec<u8>` / `[u8; N]` (possibly wrapped in one-field composites, like
/// `AccountId32` or `H256([u8; 32])`) as bytes.
pub(crate) fn bytes(v: &Value) -> Option<Vec<u8>> {
    let vals: Vec<&Value> = items(v).collect();
    if vals.len() == 1 && !matches!(vals[0].value, ValueDef::Primitive(_)) {
        return bytes(vals[0]);
    }
    vals.into_iter().map(|x| x.as_u128().and_then(|n| u8::try_from(n).ok())).collect()
}

/// A string value, or a byte string as (lossy) UTF-8 text.
pub(crate) fn text(v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    bytes(v).map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale_value::Composite;

    #[test]
    fn bytes_are_read_through_wrappers_and_numbers_only_when_they_fit() {
        let id = Value::unnamed_composite([Value::from_bytes([7u8; 32])]);
        assert_eq!(bytes(&id).unwrap(), vec![7u8; 32]);
        assert_eq!(text(&Value::from_bytes(b"ab01")).unwrap(), "ab01");
        assert_eq!(text(&Value::string("x")).unwrap(), "x");
        assert_eq!(bytes(&Value::unnamed_composite([Value::u128(300)])), None, "not a byte");
        assert_eq!(u32_of(Some(&Value::u128(u128::from(u32::MAX) + 1))), None);
        assert_eq!(u64_of(Some(&Value::u128(5))), Some(5));
        assert_eq!(variant_name(&Value::variant("Renting", Composite::unnamed([]))), Some("Renting"));
        assert_eq!(items(&Value::u128(1)).count(), 0);
    }
}
