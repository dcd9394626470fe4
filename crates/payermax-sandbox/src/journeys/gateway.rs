//! What the gateway journeys share: the merchant a request came from, the
//! exact text of a member deep in the request (money, never through a
//! float), and the envelope of the notifications they send.

use serde_json::Value;
use serde_json::value::RawValue;

use crate::money::Money;
use crate::reply::Members;
use crate::spec::OrderedMembers;
use crate::time::format_rfc3339_millis;

/// The merchant a gateway request came from (its envelope's `appId` and
/// `merchantNo`), echoed in the notifications about what it created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// `appId`.
    pub app_id: String,
    /// `merchantNo`.
    pub merchant_no: String,
}

impl Origin {
    /// The pair the notification envelope takes.
    pub(crate) fn pair(&self) -> (&str, &str) {
        (&self.app_id, &self.merchant_no)
    }

    pub(crate) fn of(body: &Value) -> Origin {
        let field = |k: &str| super::text(body, k).unwrap_or_default().to_owned();
        Origin {
            app_id: field("appId"),
            merchant_no: field("merchantNo"),
        }
    }
}

/// The exact text of the member at `path` of a JSON body (a number's
/// digits, a string's content); `None` when absent, `null` or not text.
pub(crate) fn member_text(raw: &[u8], path: &[&str]) -> Option<String> {
    let mut current: Box<RawValue> = serde_json::from_slice(raw).ok()?;
    for key in path {
        let OrderedMembers(members) = serde_json::from_str(current.get()).ok()?;
        current = members.into_iter().rev().find(|(k, _)| k == key)?.1;
    }
    let text = current.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()
    } else if text == "null" || text.starts_with(['{', '[']) {
        None
    } else {
        Some(text.to_owned())
    }
}

/// The amount at `path` (`data.trade.amount`, ...): `Err` names the field
/// and the rule. Zero is accepted only when `zero_ok`.
pub(crate) fn money_at(raw: &[u8], path: &[&str], zero_ok: bool) -> Result<Money, String> {
    let name = path.join(".");
    let text = member_text(raw, path)
        .ok_or_else(|| format!("{name} is invalid, because {name} is null"))?;
    match Money::parse(&text) {
        Some(m) if zero_ok || !m.value.is_zero() => Ok(m),
        Some(_) => Err(format!(
            "{name} must be greater than 0, but your input is {text}"
        )),
        None => Err(format!(
            "{name} must be a decimal amount such as 1000.00, but your input is {text}"
        )),
    }
}

/// `true` for three capital letters (an ISO 4217 code's shape).
pub(crate) fn is_currency(c: &str) -> bool {
    c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())
}

/// A gateway notification body: `code`, `msg`, `keyVersion`, `appId`,
/// `merchantNo`, `notifyTime`, `notifyType`, then `data`.
pub(crate) fn notification(
    (app_id, merchant_no): (&str, &str),
    notify_type: &str,
    (code, msg): (&str, &str),
    now: i64,
    data: &Members,
) -> String {
    let mut body = Members::default().str("code", code).str("msg", msg);
    body.0
        .extend(envelope((app_id, merchant_no), notify_type, now, data).0);
    body.to_json()
}

/// A gateway notification body without `code` and `msg` (the capture and
/// cancellation results): `keyVersion`, `appId`, `merchantNo`,
/// `notifyTime`, `notifyType`, `data`.
pub(crate) fn envelope(
    (app_id, merchant_no): (&str, &str),
    notify_type: &str,
    now: i64,
    data: &Members,
) -> Members {
    Members::default()
        .str("keyVersion", "1")
        .str("appId", app_id)
        .str("merchantNo", merchant_no)
        .str("notifyTime", &format_rfc3339_millis(now))
        .str("notifyType", notify_type)
        .raw("data", data.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_deep_in_the_body_keep_their_text() {
        let raw =
            br#"{"data":{"trade":{"amount":10.50,"currency":"USD"},"s":"1.0","n":null,"o":{}}}"#;
        assert_eq!(
            member_text(raw, &["data", "trade", "amount"]).as_deref(),
            Some("10.50")
        );
        assert_eq!(member_text(raw, &["data", "s"]).as_deref(), Some("1.0"));
        assert_eq!(member_text(raw, &["data", "n"]), None);
        assert_eq!(member_text(raw, &["data", "o"]), None);
        assert_eq!(member_text(raw, &["data", "trade", "nope"]), None);
        assert_eq!(member_text(b"[1]", &["data"]), None);
        assert_eq!(
            money_at(raw, &["data", "trade", "amount"], false)
                .unwrap()
                .text,
            "10.50"
        );
        let zero = br#"{"data":{"a":0}}"#;
        assert_eq!(
            money_at(zero, &["data", "a"], false).unwrap_err(),
            "data.a must be greater than 0, but your input is 0"
        );
        assert!(money_at(zero, &["data", "a"], true).is_ok());
        assert!(
            money_at(raw, &["data", "x"], true)
                .unwrap_err()
                .contains("data.x is invalid")
        );
        assert!(is_currency("USD") && !is_currency("usd") && !is_currency("USDT"));
    }
}
