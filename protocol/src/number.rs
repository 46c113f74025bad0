//! Numbers JSON cannot carry: `Infinity`, `-Infinity` and `NaN` travel as
//! `{"$number":"Infinity"}` wherever a number would be (PROTOCOL.md, "Numbers JSON cannot carry"),
//! because `JSON.stringify` would turn them into `null` and hide what the callback received.

use serde_json::{Value, json};

/// The key of the one-member object that stands for a non-finite number.
pub const NON_FINITE_KEY: &str = "$number";

/// A number JSON cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonFinite {
    /// `Infinity`.
    Infinity,
    /// `-Infinity`.
    NegInfinity,
    /// `NaN`.
    NaN,
}

impl NonFinite {
    /// The JavaScript spelling, as the protocol form carries it.
    pub fn name(self) -> &'static str {
        match self {
            NonFinite::Infinity => "Infinity",
            NonFinite::NegInfinity => "-Infinity",
            NonFinite::NaN => "NaN",
        }
    }

    /// The protocol form, `{"$number":"Infinity"}`.
    pub fn encode(self) -> Value {
        json!({ NON_FINITE_KEY: self.name() })
    }

    /// The non-finite number a value stands for, if it is exactly the protocol form.
    pub fn decode(value: &Value) -> Option<NonFinite> {
        let map = value.as_object()?;
        if map.len() != 1 {
            return None;
        }
        match map.get(NON_FINITE_KEY)?.as_str()? {
            "Infinity" => Some(NonFinite::Infinity),
            "-Infinity" => Some(NonFinite::NegInfinity),
            "NaN" => Some(NonFinite::NaN),
            _ => None,
        }
    }
}

/// A number as the protocol carries it: finite numbers as JSON numbers, the others in the
/// `$number` form.
pub fn encode_f64(n: f64) -> Value {
    if n.is_nan() {
        NonFinite::NaN.encode()
    } else if n == f64::INFINITY {
        NonFinite::Infinity.encode()
    } else if n == f64::NEG_INFINITY {
        NonFinite::NegInfinity.encode()
    } else {
        json!(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        for n in [NonFinite::Infinity, NonFinite::NegInfinity, NonFinite::NaN] {
            assert_eq!(NonFinite::decode(&n.encode()), Some(n));
        }
        assert_eq!(encode_f64(f64::INFINITY), json!({"$number": "Infinity"}));
        assert_eq!(encode_f64(1.5), json!(1.5));
        assert_eq!(NonFinite::decode(&json!({"$number": "1"})), None);
        assert_eq!(NonFinite::decode(&json!({"$number": "NaN", "x": 1})), None);
        assert_eq!(NonFinite::decode(&json!(null)), None);
    }
}
