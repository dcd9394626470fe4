//! Money read from the exact request bytes: the text as sent (a JSON number
//! or a decimal string) and its decimal value, never through a float.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::schema::is_decimal_text;
use crate::spec::OrderedMembers;

/// An amount: the decimal text as the merchant sent it, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Money {
    /// The decimal text, written back as a JSON number.
    pub(crate) text: String,
    /// Its value.
    pub(crate) value: Decimal,
}

impl Money {
    /// A decimal text in the SDK's `Amount` grammar, not negative.
    pub(crate) fn parse(text: &str) -> Option<Money> {
        if !is_decimal_text(text) {
            return None;
        }
        Decimal::from_str(text).ok().map(|value| Money {
            text: text.to_owned(),
            value,
        })
    }

    /// A value computed by the sandbox (sums, remainders), its scale kept
    /// (`4.00 + 6.50` is `10.50`).
    pub(crate) fn from_value(value: Decimal) -> Money {
        Money {
            text: value.to_string(),
            value,
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    data: Option<Box<RawValue>>,
}

/// The exact text of `data.<key>` in a gateway request body: a number's
/// digits, or a string's content. `None` when absent or `null`.
pub(crate) fn data_member_text(raw: &[u8], key: &str) -> Option<String> {
    let data = serde_json::from_slice::<Envelope>(raw).ok()?.data?;
    let OrderedMembers(members) = serde_json::from_str(data.get()).ok()?;
    let (_, value) = members.into_iter().rev().find(|(k, _)| k == key)?;
    let text = value.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()
    } else if text == "null" {
        None
    } else {
        Some(text.to_owned())
    }
}

/// `data.<key>` as money: `Err` names the field and the rule.
pub(crate) fn data_money(raw: &[u8], key: &str) -> Result<Money, String> {
    let text = data_member_text(raw, key)
        .ok_or_else(|| format!("data.{key} is invalid, because data.{key} is null"))?;
    match Money::parse(&text) {
        Some(m) if m.value > Decimal::ZERO => Ok(m),
        Some(_) => Err(format!(
            "data.{key} must be greater than 0, but your input is {text}"
        )),
        None => Err(format!(
            "data.{key} must be a decimal amount such as 1000.00, but your input is {text}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_text() {
        let raw = br#"{"data":{"a":10.50,"b":"0.10","c":0,"d":"1.5x","e":null,"a2":{"x":1}}}"#;
        assert_eq!(data_money(raw, "a").unwrap().text, "10.50");
        assert_eq!(
            data_money(raw, "b").unwrap().value,
            Decimal::from_str("0.1").unwrap()
        );
        assert!(data_money(raw, "c").unwrap_err().contains("greater than 0"));
        assert!(
            data_money(raw, "d")
                .unwrap_err()
                .contains("data.d must be a decimal")
        );
        assert!(
            data_money(raw, "e")
                .unwrap_err()
                .contains("data.e is invalid")
        );
        assert!(data_money(raw, "zz").is_err());
        assert!(data_money(b"not json", "a").is_err());
        assert_eq!(
            Money::from_value(Decimal::from_str("4.500").unwrap()).text,
            "4.500"
        );
    }
}
