//! [`Amount`]: an exact decimal money amount that keeps the scale it was
//! written with.
//!
//! PayerMax sends amounts as JSON numbers on the current gateway (`10000.5`)
//! and as JSON strings on the legacy v2.1 API (`"1000.00"`). An [`Amount`]
//! reads both forms from the exact text of the JSON token (never through
//! `f64`), and each generated field writes the form its API documents through
//! the [`as_number`] / [`as_string`] serde adapters (and their `Option`
//! counterparts [`option_as_number`] / [`option_as_string`]).
//!
//! ```
//! use payermax_types::Amount;
//!
//! let a: Amount = "1000.00".parse()?;
//! assert_eq!(a.to_string(), "1000.00");
//! assert_eq!(a.scale(), 2);
//! // Equality is numeric: the scale does not take part in it.
//! assert_eq!(a, "1000".parse::<Amount>()?);
//! // Far beyond what an f64 can hold, kept exactly.
//! let big: Amount = serde_json::from_str("12345678901234567.89")?;
//! assert_eq!(big.to_string(), "12345678901234567.89");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// An exact decimal amount of money, in the currency's main unit ("yuan"),
/// keeping the number of decimal places it was written with.
///
/// * Parsing ([`FromStr`], serde) accepts the JSON number grammar,
///   `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, both as a bare JSON
///   number and inside a JSON string. Everything else is rejected with an
///   [`AmountError`]: empty text, whitespace, a leading `+`, leading zeros,
///   `NaN`, `inf`, `1.`, `.5`, digit separators. Exponents are applied
///   exactly: `1E+3` is `1000`, `15E-1` is `1.5`.
/// * At most 28 decimal places and a magnitude below about 7.9e28 (the range
///   of [`rust_decimal::Decimal`]); anything beyond is an error, never rounded.
/// * [`Display`](fmt::Display) writes plain decimal notation with the scale
///   kept: `1000.00` stays `1000.00`.
/// * `Eq`, `Ord` and `Hash` are numeric: `1.0 == 1.00`, and both hash alike.
///   Compare [`scale`](Amount::scale) too when the written form matters.
/// * `Serialize` on the type itself writes a JSON string (lossless in every
///   serde format). Generated types choose the documented wire form with
///   `#[serde(with = "payermax_types::amount::as_number")]` or `as_string`.
/// * `Deserialize` reads the raw JSON token through
///   [`serde_json::value::RawValue`], so it works with `serde_json`
///   deserializers only (not inside `#[serde(flatten)]` or untagged enums,
///   which buffer the input). Reading from a [`serde_json::Value`] works
///   but is only as exact as the `Value` (its numbers are `f64`).
/// * Write bodies with `serde_json::to_string` / `to_vec` / `to_writer`:
///   `serde_json::to_value` turns the JSON-number form into an `f64` (this
///   crate never enables `serde_json/arbitrary_precision`, which would change
///   `serde_json` for every crate in the build).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

/// Why a text is not an [`Amount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmountError {
    /// The text is empty.
    Empty,
    /// The text is not a decimal number in JSON number syntax.
    Syntax,
    /// The value has more than 28 decimal places or is too large in magnitude.
    OutOfRange,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AmountError::Empty => "empty amount",
            AmountError::Syntax => "not a decimal amount (expected e.g. 1000.00)",
            AmountError::OutOfRange => {
                "amount out of range (at most 28 decimal places and 28 integer digits)"
            }
        })
    }
}

impl std::error::Error for AmountError {}

impl Amount {
    /// Zero, with no decimal places.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// `mantissa × 10^-scale`, e.g. `Amount::new(100000, 2)` is `1000.00`.
    pub fn new(mantissa: i64, scale: u32) -> Result<Amount, AmountError> {
        Decimal::try_from_i128_with_scale(i128::from(mantissa), scale)
            .map(Amount)
            .map_err(|_| AmountError::OutOfRange)
    }

    /// The exact decimal value.
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// The number of decimal places as written (`1000.00` has 2).
    pub fn scale(&self) -> u32 {
        self.0.scale()
    }

    /// Whether the sign is positive; true for zero written without `-`.
    pub fn is_sign_positive(&self) -> bool {
        self.0.is_sign_positive()
    }

    /// Whether the sign is negative; true for `-0.00`.
    pub fn is_sign_negative(&self) -> bool {
        self.0.is_sign_negative()
    }

    /// Whether the value is zero (at any scale, either sign).
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Whether the value is strictly greater than zero.
    pub fn is_positive(&self) -> bool {
        !self.0.is_zero() && self.0.is_sign_positive()
    }

    /// Reads the text of one JSON token: a number, or a string holding one.
    pub(crate) fn from_json_token(token: &str) -> Result<Amount, AmountError> {
        if token.starts_with('"') {
            let text: String = serde_json::from_str(token).map_err(|_| AmountError::Syntax)?;
            text.parse()
        } else {
            token.parse()
        }
    }

    /// The amount as a bare JSON number token.
    pub(crate) fn to_raw_number(self) -> Box<RawValue> {
        // Display always writes `-?digits(.digits)?`, a valid JSON number.
        RawValue::from_string(self.to_string())
            .unwrap_or_else(|_| unreachable!("decimal display is a JSON number"))
    }
}

/// Parses the JSON number grammar into an exact decimal, keeping the scale.
fn parse_decimal(s: &str) -> Result<Decimal, AmountError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut i = 0;
    let negative = b[0] == b'-';
    if negative {
        i += 1;
    }
    let mut mantissa: u128 = 0;
    let mut overflow = false;
    let mut push = |d: u8, mantissa: &mut u128| match mantissa
        .checked_mul(10)
        .and_then(|m| m.checked_add(u128::from(d - b'0')))
    {
        Some(m) => *mantissa = m,
        None => overflow = true,
    };
    // Integer part: `0` or a non-zero digit followed by digits.
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        push(b[i], &mut mantissa);
        i += 1;
    }
    let int_len = i - int_start;
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return Err(AmountError::Syntax);
    }
    // Fraction.
    let mut frac_len: i64 = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            push(b[i], &mut mantissa);
            i += 1;
        }
        if i == start {
            return Err(AmountError::Syntax);
        }
        frac_len = (i - start) as i64;
    }
    // Exponent, saturated far beyond any representable value.
    let mut exponent: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        let mut exp_negative = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            exp_negative = b[i] == b'-';
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            exponent = (exponent * 10 + i64::from(b[i] - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return Err(AmountError::Syntax);
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if i != b.len() {
        return Err(AmountError::Syntax);
    }
    if overflow {
        return Err(AmountError::OutOfRange);
    }
    let mut scale = frac_len - exponent;
    if scale < 0 {
        if mantissa != 0 {
            let factor = u32::try_from(-scale)
                .ok()
                .and_then(|e| 10u128.checked_pow(e))
                .ok_or(AmountError::OutOfRange)?;
            mantissa = mantissa
                .checked_mul(factor)
                .ok_or(AmountError::OutOfRange)?;
        }
        scale = 0;
    }
    let scale = u32::try_from(scale).map_err(|_| AmountError::OutOfRange)?;
    let signed = i128::try_from(mantissa).map_err(|_| AmountError::OutOfRange)?;
    let mut d =
        Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| AmountError::OutOfRange)?;
    d.set_sign_negative(negative);
    Ok(d)
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Amount, AmountError> {
        parse_decimal(s).map(Amount)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}

impl From<Decimal> for Amount {
    fn from(d: Decimal) -> Amount {
        Amount(d)
    }
}

impl From<Amount> for Decimal {
    fn from(a: Amount) -> Decimal {
        a.0
    }
}

impl From<i64> for Amount {
    fn from(n: i64) -> Amount {
        Amount(Decimal::from(n))
    }
}

impl From<u32> for Amount {
    fn from(n: u32) -> Amount {
        Amount(Decimal::from(n))
    }
}

impl TryFrom<&str> for Amount {
    type Error = AmountError;

    fn try_from(s: &str) -> Result<Amount, AmountError> {
        s.parse()
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Amount::from_json_token(raw.get()).map_err(|e| D::Error::custom(format_args!("{e}")))
    }
}

/// Serde adapter writing an [`Amount`] as a JSON number (`10000.50`), the
/// current gateway's form; reads a number or a string.
pub mod as_number {
    use super::*;

    /// Writes the amount as a bare JSON number token, scale kept.
    pub fn serialize<S: Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
        amount.to_raw_number().serialize(serializer)
    }

    /// Reads a JSON number or a JSON string holding one.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        Amount::deserialize(deserializer)
    }
}

/// Serde adapter writing an [`Amount`] as a JSON string (`"1000.00"`), the
/// legacy v2.1 form; reads a number or a string.
pub mod as_string {
    use super::*;

    /// Writes the amount as a JSON string, scale kept.
    pub fn serialize<S: Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(amount)
    }

    /// Reads a JSON number or a JSON string holding one.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        Amount::deserialize(deserializer)
    }
}

/// [`as_number`] for `Option<Amount>` fields (`None` is written as `null`;
/// generated code skips it instead).
pub mod option_as_number {
    use super::*;

    /// Writes `Some` as a bare JSON number, `None` as `null`.
    pub fn serialize<S: Serializer>(
        amount: &Option<Amount>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        amount.map(Amount::to_raw_number).serialize(serializer)
    }

    /// Reads `null`, a JSON number or a JSON string holding one.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Amount>, D::Error> {
        Option::<Amount>::deserialize(deserializer)
    }
}

/// [`as_string`] for `Option<Amount>` fields.
pub mod option_as_string {
    use super::*;

    /// Writes `Some` as a JSON string, `None` as `null`.
    pub fn serialize<S: Serializer>(
        amount: &Option<Amount>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match amount {
            Some(a) => serializer.collect_str(a),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null`, a JSON number or a JSON string holding one.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Amount>, D::Error> {
        Option::<Amount>::deserialize(deserializer)
    }
}

/// The JSON Schema of an amount written as a JSON number (`type: number`,
/// `format: decimal`), for `#[schemars(schema_with = ...)]`.
#[cfg(feature = "schemars")]
pub fn number_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "number", "format": "decimal" })
}

/// The JSON Schema of an amount written as a JSON string (`type: string`,
/// `format: decimal`), for `#[schemars(schema_with = ...)]`.
#[cfg(feature = "schemars")]
pub fn string_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "format": "decimal" })
}

/// `Amount` on its own serializes as a string.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Amount")
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        string_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amt(s: &str) -> Amount {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_keeps_scale() {
        assert_eq!(amt("1000.00").to_string(), "1000.00");
        assert_eq!(amt("1000.00").scale(), 2);
        assert_eq!(amt("0").to_string(), "0");
        assert_eq!(amt("0.001").to_string(), "0.001");
        assert_eq!(amt("-12.50").to_string(), "-12.50");
        assert!(amt("-12.50").is_sign_negative());
        assert_eq!(
            amt("12345678901234567.89").to_string(),
            "12345678901234567.89"
        );
    }

    #[test]
    fn exponents_are_exact() {
        assert_eq!(amt("1E+3").to_string(), "1000");
        assert_eq!(amt("1e3").to_string(), "1000");
        assert_eq!(amt("15E-1").to_string(), "1.5");
        assert_eq!(amt("1.50e1").to_string(), "15.0");
        assert_eq!(amt("0E+999999999999999999999").to_string(), "0");
    }

    #[test]
    fn rejects_junk() {
        for bad in [
            "", " 1", "1 ", "+1", "01", "1.", ".5", "-", "1e", "1e+", "NaN", "nan", "inf", "-inf",
            "Infinity", "1_000", "1,00", "0x10", "١٢", "1.0.0", "--1", "\"1\"",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad:?} was accepted");
        }
        assert_eq!("".parse::<Amount>(), Err(AmountError::Empty));
    }

    #[test]
    fn huge_values_are_errors_not_panics() {
        for bad in [
            "1e999999999999999999999999",
            "1e29",
            "1e-29",
            "99999999999999999999999999999999",
            "0.00000000000000000000000000001",
            "123456789012345678901234567890123456789012345678901234567890",
        ] {
            assert_eq!(bad.parse::<Amount>(), Err(AmountError::OutOfRange), "{bad}");
        }
    }

    #[test]
    fn numeric_equality_and_hash() {
        use std::collections::HashSet;
        assert_eq!(amt("1.0"), amt("1.00"));
        assert!(amt("1.01") > amt("1.00"));
        let set: HashSet<Amount> = [amt("1.0"), amt("1.00"), amt("1")].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn serde_reads_numbers_and_strings_exactly() {
        let cases = [
            ("10000", "10000"),
            ("10000.5", "10000.5"),
            ("1E+3", "1000"),
            ("-0.10", "-0.10"),
            ("12345678901234567.89", "12345678901234567.89"),
            ("\"1000.00\"", "1000.00"),
            ("\"12345678901234567.89\"", "12345678901234567.89"),
        ];
        for (json, shown) in cases {
            let a: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(a.to_string(), shown, "{json}");
            let a: Amount = serde_json::from_slice(json.as_bytes()).unwrap();
            assert_eq!(a.to_string(), shown, "{json}");
            let a: Amount = serde_json::from_reader(json.as_bytes()).unwrap();
            assert_eq!(a.to_string(), shown, "{json}");
        }
        for bad in [
            "true",
            "null",
            "\"\"",
            "\"+1\"",
            "\"NaN\"",
            "[1]",
            "{}",
            "1e99999999",
        ] {
            assert!(serde_json::from_str::<Amount>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_from_a_value_too() {
        let a: Amount = serde_json::from_value(serde_json::json!("1000.00")).unwrap();
        assert_eq!(a.to_string(), "1000.00");
        let a: Amount = serde_json::from_value(serde_json::json!(10000)).unwrap();
        assert_eq!(a.to_string(), "10000");
    }

    /// A small deterministic generator, so the property tests need no crate.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn display_parse_round_trip() {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mantissa = xorshift(&mut seed) as i64 >> (xorshift(&mut seed) % 63);
            let scale = (xorshift(&mut seed) % 29) as u32;
            let a = Amount::new(mantissa, scale).unwrap();
            let text = a.to_string();
            let back: Amount = text.parse().unwrap();
            assert_eq!(back.to_string(), text);
            assert_eq!(back.scale(), scale);
            let json = serde_json::to_string(&Wire {
                n: a,
                s: a,
                on: None,
                os: Some(a),
            })
            .unwrap();
            let w: Wire = serde_json::from_str(&json).unwrap();
            assert_eq!((w.n.to_string(), w.s.to_string()), (text.clone(), text));
        }
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let alphabet = b"0123456789.eE+-_ \"aN";
        let mut seed = 0xDEAD_BEEF_u64;
        for _ in 0..50_000 {
            let len = (xorshift(&mut seed) % 40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(xorshift(&mut seed) % alphabet.len() as u64) as usize] as char)
                .collect();
            let parsed = text.parse::<Amount>();
            if let Ok(a) = parsed {
                // Whatever is accepted is a JSON number with the same value.
                assert!(
                    serde_json::from_str::<serde_json::Number>(&text).is_ok(),
                    "{text}"
                );
                assert_eq!(a.to_string().parse::<Amount>(), Ok(a));
            }
            let _ = serde_json::from_str::<Amount>(&text);
        }
    }

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Wire {
        #[serde(with = "as_number")]
        n: Amount,
        #[serde(with = "as_string")]
        s: Amount,
        #[serde(
            with = "option_as_number",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        on: Option<Amount>,
        #[serde(
            with = "option_as_string",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        os: Option<Amount>,
    }

    #[test]
    fn wire_forms() {
        let json = r#"{"n":12345678901234567.89,"s":"1000.00","on":1.10,"os":"0.5"}"#;
        let w: Wire = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), json);
        // Either form is read into either field.
        let w2: Wire = serde_json::from_str(r#"{"n":"1.10","s":7,"on":null}"#).unwrap();
        assert_eq!(serde_json::to_string(&w2).unwrap(), r#"{"n":1.10,"s":"7"}"#);
        assert_eq!(serde_json::to_string(&amt("3.00")).unwrap(), r#""3.00""#);
    }
}
