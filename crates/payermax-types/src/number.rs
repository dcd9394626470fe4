//! [`Number`]: an exact decimal that is not money (a period, a rate, a
//! count PayerMax documents as `number`), written back as the JSON number
//! it was read as.
//!
//! ```
//! use payermax_types::Number;
//!
//! let rate: Number = serde_json::from_str("0.0350")?;
//! assert_eq!(serde_json::to_string(&rate)?, "0.0350");
//! // A numeric string is read too, and written as a number.
//! let days: Number = serde_json::from_str("\"30\"")?;
//! assert_eq!(serde_json::to_string(&days)?, "30");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::amount::{Amount, AmountError};

/// An exact decimal number that is not money: the spec's `type: number`
/// without `format: decimal`. Never an `f64`.
///
/// It has [`Amount`]'s grammar, range and exactness (it is one inside):
/// reading accepts a JSON number or a JSON string holding one, from the
/// exact token text; the scale is kept (`0.0350` stays `0.0350`); `Eq` and
/// `Hash` are numeric. Unlike an [`Amount`], it is always written as a
/// bare JSON number, and reading needs a `serde_json` deserializer (the
/// token is read through [`serde_json::value::RawValue`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Number(Amount);

impl Number {
    /// Zero, with no decimal places.
    pub const ZERO: Number = Number(Amount::ZERO);

    /// `mantissa × 10^-scale`, e.g. `Number::new(35, 3)` is `0.035`.
    pub fn new(mantissa: i64, scale: u32) -> Result<Number, AmountError> {
        Amount::new(mantissa, scale).map(Number)
    }

    /// The exact decimal value.
    pub fn as_decimal(&self) -> Decimal {
        self.0.as_decimal()
    }

    /// The number of decimal places as written.
    pub fn scale(&self) -> u32 {
        self.0.scale()
    }

    /// The value as an integer, when it is one that fits (`30` and `30.00`
    /// are `Some(30)`; `1.5` is `None`).
    pub fn to_i64(&self) -> Option<i64> {
        let d = self.0.as_decimal();
        if d.fract().is_zero() {
            rust_decimal::prelude::ToPrimitive::to_i64(&d)
        } else {
            None
        }
    }
}

impl FromStr for Number {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Number, AmountError> {
        s.parse().map(Number)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number(Amount::from(n))
    }
}

impl From<u32> for Number {
    fn from(n: u32) -> Number {
        Number(Amount::from(n))
    }
}

impl From<Decimal> for Number {
    fn from(d: Decimal) -> Number {
        Number(Amount::from(d))
    }
}

impl From<Number> for Decimal {
    fn from(n: Number) -> Decimal {
        n.as_decimal()
    }
}

impl TryFrom<&str> for Number {
    type Error = AmountError;

    fn try_from(s: &str) -> Result<Number, AmountError> {
        s.parse()
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_raw_number().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Number, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Amount::from_json_token(raw.get())
            .map(Number)
            .map_err(|e| D::Error::custom(format_args!("{e}")))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Number")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_exact_text() {
        for text in ["0.0350", "30", "-1.5", "12345678901234567.89", "0"] {
            let n: Number = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&n).unwrap(), text);
        }
        let n: Number = serde_json::from_str("\"7.10\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "7.10");
        assert_eq!(
            serde_json::to_string(&vec![Number::from(1_i64), "2.50".parse().unwrap()]).unwrap(),
            "[1,2.50]"
        );
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        for bad in ["true", "null", "\"x\"", "\"\"", "[1]", "1e999999"] {
            assert!(serde_json::from_str::<Number>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!("30.00".parse::<Number>().unwrap().to_i64(), Some(30));
        assert_eq!("-4".parse::<Number>().unwrap().to_i64(), Some(-4));
        assert_eq!("1.5".parse::<Number>().unwrap().to_i64(), None);
        assert_eq!("1e20".parse::<Number>().unwrap().to_i64(), None);
        assert_eq!(Number::new(35, 3).unwrap().to_string(), "0.035");
    }
}
