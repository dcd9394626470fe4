//! [`Text`]: a string field that PayerMax also sends as a JSON number or
//! boolean (the spec's `x-accept`), kept exactly as it came.
//!
//! ```
//! use payermax_types::{Text, TextKind};
//!
//! let t: Text = serde_json::from_str("768")?;
//! assert_eq!(t.as_str(), "768");
//! assert_eq!(t.kind(), TextKind::Number);
//! assert_eq!(serde_json::to_string(&t)?, "768"); // written back as a number
//! assert_eq!(serde_json::to_string(&Text::from("768"))?, "\"768\"");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Which JSON type a [`Text`] was read as (or is written as).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// A JSON string.
    String,
    /// A JSON number, kept as its exact token text (never an `f64`).
    Number,
    /// `true` or `false`.
    Boolean,
}

/// A documented string that may arrive as a JSON string, number or
/// boolean. It keeps which one it was and its exact text, and writes it
/// back in the same form: `"a"` stays `"a"`, `768` stays `768`, `1.50`
/// stays `1.50`, `true` stays `true`. `null` is not a `Text` (a nullable
/// field is an `Option<Text>`).
///
/// Built from Rust text ([`From<String>`], [`From<&str>`]) it is a JSON
/// string. Reading goes through [`serde_json::value::RawValue`], so it
/// needs a `serde_json` deserializer, like [`Amount`](crate::Amount).
/// Equality compares the kind and the text: `768` and `"768"` differ.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text {
    kind: TextKind,
    text: String,
}

impl Text {
    /// The text: the string itself, the number's token (`1.50`) or
    /// `true`/`false`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Which JSON type it was read as.
    pub fn kind(&self) -> TextKind {
        self.kind
    }

    /// The text, consumed.
    pub fn into_string(self) -> String {
        self.text
    }

    /// Reads one JSON token: a string, a number or a boolean.
    fn from_json_token(token: &str) -> Result<Text, &'static str> {
        match token.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(token)
                .map(Text::from)
                .map_err(|_| "invalid JSON string"),
            Some(b't' | b'f') => match token {
                "true" | "false" => Ok(Text {
                    kind: TextKind::Boolean,
                    text: token.to_owned(),
                }),
                _ => Err("expected a string, a number or a boolean"),
            },
            Some(b'-' | b'0'..=b'9') => Ok(Text {
                kind: TextKind::Number,
                text: token.to_owned(),
            }),
            _ => Err("expected a string, a number or a boolean"),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text {
            kind: TextKind::String,
            text,
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::from(text.to_owned())
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TextKind::String => fmt::Debug::fmt(&self.text, f),
            TextKind::Number | TextKind::Boolean => f.write_str(&self.text),
        }
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.kind {
            TextKind::String => serializer.serialize_str(&self.text),
            TextKind::Boolean => serializer.serialize_bool(self.text == "true"),
            TextKind::Number => match RawValue::from_string(self.text.clone()) {
                Ok(raw) => raw.serialize(serializer),
                // Only a token read as a JSON number gets this kind.
                Err(_) => serializer.serialize_str(&self.text),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Text::from_json_token(raw.get()).map_err(D::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Text {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Text")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_each_form_exactly() {
        for (json, written) in [
            ("\"a\"", "\"a\""),
            ("\"768\"", "\"768\""),
            ("768", "768"),
            ("1.50", "1.50"),
            ("-0.0", "-0.0"),
            ("1E+3", "1E+3"),
            ("true", "true"),
            ("false", "false"),
            ("\"\\u00e9\\\"\"", "\"é\\\"\""),
            (
                "123456789012345678901234567890.123",
                "123456789012345678901234567890.123",
            ),
        ] {
            let t: Text = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), written, "{json}");
        }
        let t: Text = serde_json::from_str("1.50").unwrap();
        assert_eq!((t.kind(), t.as_str()), (TextKind::Number, "1.50"));
        let t: Text = serde_json::from_str("true").unwrap();
        assert_eq!(
            (t.kind(), t.to_string()),
            (TextKind::Boolean, "true".into())
        );
        let t: Text = serde_json::from_str("\"x\"").unwrap();
        assert_eq!((t.kind(), t.as_str()), (TextKind::String, "x"));
        assert_ne!(serde_json::from_str::<Text>("1").unwrap(), Text::from("1"));
        assert_eq!(Text::from("1"), "1");
    }

    #[test]
    fn refuses_null_arrays_and_objects() {
        for bad in ["null", "[]", "{}", "tru"] {
            assert!(serde_json::from_str::<Text>(bad).is_err(), "{bad}");
        }
        let o: Option<Text> = serde_json::from_str("null").unwrap();
        assert_eq!(o, None);
    }
}
