//! The identifiers a reply echoes (`Operation::ECHO`): a signed reply whose
//! `data` carries back another value than the request sent answers another
//! request. Read straight from the JSON text, one member at a time: nothing
//! else of the payload or the reply is parsed into memory.

use std::borrow::Cow;
use std::fmt;

use payermax_types::Echo;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A request identifier that came back with another value.
pub(crate) struct Mismatch {
    pub(crate) echo: &'static Echo,
    pub(crate) sent: String,
    pub(crate) received: String,
}

/// Checks every declared echo: `payload` is the request payload as sent
/// (the gateway's `data`, or the legacy body), `data` the reply's `data`.
/// A request field not sent (or `null`), or a reply without the field (or
/// with `null`), is not checked: the reply's schema says whether it must be
/// there.
pub(crate) fn check(echo: &'static [Echo], payload: &str, data: &str) -> Result<(), Mismatch> {
    for e in echo {
        let Some(sent) = member(payload, e.request_field).and_then(scalar) else {
            continue;
        };
        let mut here = Some(data);
        for name in e.reply_field.split('.') {
            here = here.and_then(|json| member(json, name)).map(RawValue::get);
        }
        let Some(received) = here
            .and_then(|json| serde_json::from_str::<&RawValue>(json).ok())
            .and_then(scalar)
        else {
            continue;
        };
        if received != sent {
            return Err(Mismatch {
                echo: e,
                sent: sent.into_owned(),
                received: received.into_owned(),
            });
        }
    }
    Ok(())
}

/// A scalar identifier as text: a string's content, a number or boolean as
/// written; `None` for `null`, an object or an array.
fn scalar(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    match text.as_bytes().first()? {
        b'"' => serde_json::from_str::<Text<'_>>(text).ok().map(|t| t.0),
        b'n' | b'{' | b'[' => None,
        _ => Some(Cow::Borrowed(text)),
    }
}

/// The value of member `key` of the JSON object `json` (the last one, if
/// repeated); `None` when `json` is not an object or has no such member.
fn member<'a>(json: &'a str, key: &str) -> Option<&'a RawValue> {
    let mut de = serde_json::Deserializer::from_str(json);
    Find(key).deserialize(&mut de).ok().flatten()
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Finds one member of an object, skipping the others unread.
struct Find<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for Find<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Find<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Text<'de>>()? {
            if key.0 == self.0 {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECHO: &[Echo] = &[
        Echo {
            request_field: "outRefundNo",
            reply_field: "outRefundNo",
        },
        Echo {
            request_field: "no",
            reply_field: "plan.no",
        },
    ];

    fn mismatch(payload: &str, data: &str) -> Option<(String, String, &'static str)> {
        check(ECHO, payload, data)
            .err()
            .map(|m| (m.sent, m.received, m.echo.reply_field))
    }

    #[test]
    fn finds_members_escaped_or_nested() {
        assert_eq!(
            mismatch(r#"{"outRefundNo":"R-1"}"#, r#"{"outRefundNo":"R-1"}"#),
            None
        );
        assert_eq!(
            mismatch(
                r#"{"outRefundNo":"R-1"}"#,
                r#"{"x":{"outRefundNo":"R-1"},"outRefundNo":"R-2"}"#
            ),
            Some(("R-1".into(), "R-2".into(), "outRefundNo"))
        );
        // Escapes in keys and values are read, not compared as written.
        assert_eq!(
            mismatch(
                r#"{"outRefundNo":"R-\u0031"}"#,
                r#"{"outRefund\u004eo":"R-1"}"#
            ),
            None
        );
        assert_eq!(
            mismatch(
                r#"{"no":"S-1"}"#,
                r#"{"plan":{"no":"S-2","n":[1,{"no":"S-1"}]}}"#
            ),
            Some(("S-1".into(), "S-2".into(), "plan.no"))
        );
        // The last of repeated members.
        assert_eq!(
            mismatch(
                r#"{"outRefundNo":"R-1"}"#,
                r#"{"outRefundNo":"R-1","outRefundNo":"R-3"}"#
            ),
            Some(("R-1".into(), "R-3".into(), "outRefundNo"))
        );
        // A number where a string is declared is compared as written.
        assert_eq!(
            mismatch(r#"{"outRefundNo":"12"}"#, r#"{"outRefundNo":12}"#),
            None
        );
    }

    #[test]
    fn absent_null_or_unreadable_is_not_checked() {
        for (payload, data) in [
            (r#"{}"#, r#"{"outRefundNo":"R-2"}"#),
            (r#"{"outRefundNo":null}"#, r#"{"outRefundNo":"R-2"}"#),
            (r#"{"outRefundNo":"R-1"}"#, r#"{"status":"X"}"#),
            (r#"{"outRefundNo":"R-1"}"#, r#"{"outRefundNo":null}"#),
            (r#"{"outRefundNo":"R-1"}"#, r#"true"#),
            (r#"{"no":"S-1"}"#, r#"{"plan":"S-2"}"#),
        ] {
            assert_eq!(mismatch(payload, data), None, "{payload} {data}");
        }
    }
}
