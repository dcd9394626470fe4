//! The spec file model (spec/README.md, format versions 1 and 2), read with key
//! order kept (no `serde_json/preserve_order`: it would change `serde_json`
//! for every crate built with xtask).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;

/// One `spec/<id>.json`: the fields the generator reads (the others, such
/// as `tags`, `headers`, `x-title-zh`, `source` and `docIssues`, stay in
/// the spec; the JSON Schema checks them).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub format_version: u32,
    pub id: String,
    pub operation: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub domain: Domain,
    #[serde(default)]
    pub kind: Option<InboundKind>,
    #[serde(default)]
    pub variant: Option<Variant>,
    pub direction: Direction,
    #[serde(default)]
    pub method: Option<String>,
    pub api: Api,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub constants: Ordered<String>,
    /// Outbound only: `read` or `write` (absent: write).
    #[serde(default)]
    pub retry: Option<RetryClass>,
    /// Outbound writes only: the query that settles an unknown outcome.
    #[serde(default)]
    pub settled_by: Option<SettledBy>,
    /// Outbound only: the request identifiers the reply's `data` carries back.
    #[serde(default)]
    pub echo: Vec<EchoField>,
    pub request: Body,
    #[serde(default)]
    pub responses: BTreeMap<String, Body>,
}

/// The spec's `retry`: may the operation be sent again when its outcome is unknown?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetryClass {
    Read,
    Write,
}

/// The spec's `settledBy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettledBy {
    /// The query's spec id.
    pub operation: String,
    /// The query's request field -> this operation's request field.
    pub by: Ordered<String>,
}

/// One entry of the spec's `echo`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoField {
    /// A top-level request payload field.
    pub request: String,
    /// The reply `data` field carrying it back (a dotted path through objects).
    pub reply: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Outbound,
    Inbound,
}

/// The cargo feature of payermax-types gating the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Payments,
    Refunds,
    Payouts,
    Subscriptions,
    Tokens,
    Disputes,
    Balance,
    Exchange,
    Risk,
    Legacy,
}

impl Domain {
    pub const ALL: [Domain; 10] = [
        Domain::Payments,
        Domain::Refunds,
        Domain::Payouts,
        Domain::Subscriptions,
        Domain::Tokens,
        Domain::Disputes,
        Domain::Balance,
        Domain::Exchange,
        Domain::Risk,
        Domain::Legacy,
    ];

    /// The feature name, as in the spec.
    pub fn feature(self) -> &'static str {
        match self {
            Domain::Payments => "payments",
            Domain::Refunds => "refunds",
            Domain::Payouts => "payouts",
            Domain::Subscriptions => "subscriptions",
            Domain::Tokens => "tokens",
            Domain::Disputes => "disputes",
            Domain::Balance => "balance",
            Domain::Exchange => "exchange",
            Domain::Risk => "risk",
            Domain::Legacy => "legacy",
        }
    }

    /// The variant name of `payermax_types::Domain`.
    pub fn variant(self) -> &'static str {
        match self {
            Domain::Payments => "Payments",
            Domain::Refunds => "Refunds",
            Domain::Payouts => "Payouts",
            Domain::Subscriptions => "Subscriptions",
            Domain::Tokens => "Tokens",
            Domain::Disputes => "Disputes",
            Domain::Balance => "Balance",
            Domain::Exchange => "Exchange",
            Domain::Risk => "Risk",
            Domain::Legacy => "Legacy",
        }
    }
}

/// What an inbound spec is (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InboundKind {
    Notification,
    SyncCallback,
    Redirect,
}

/// One documentation mode of an endpoint that has several.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Api {
    #[serde(rename = "gateway")]
    Gateway,
    #[serde(rename = "legacy-v2.1")]
    LegacyV21,
}

/// A request or reply body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    #[serde(default)]
    pub content_type: Option<String>,
    pub schema: Schema,
    #[serde(default)]
    pub examples: Vec<Box<RawValue>>,
}

/// The JSON Schema subset of spec/README.md. Unknown keywords are errors, so
/// the generator never silently ignores a constraint.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    #[serde(rename = "type")]
    pub ty: Option<TypeName>,
    pub description: Option<String>,
    pub properties: Option<Ordered<Schema>>,
    #[serde(default)]
    pub required: Vec<String>,
    pub items: Option<Box<Schema>>,
    #[serde(rename = "maxLength")]
    pub max_length: Option<u64>,
    #[serde(rename = "minLength")]
    pub min_length: Option<u64>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enumeration: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub examples: Vec<Box<RawValue>>,
    pub format: Option<String>,
    #[serde(rename = "x-aliases", default)]
    pub aliases: Vec<String>,
    #[serde(rename = "x-enum-names")]
    pub enum_names: Option<Vec<String>>,
    #[serde(rename = "x-one-of", default)]
    pub one_of: Vec<OneOf>,
    /// Other JSON types PayerMax sends for a `string` (`number`, `boolean`).
    #[serde(rename = "x-accept", default)]
    pub accept: Vec<String>,
    /// Other spellings of enum values, by value.
    #[serde(rename = "x-enum-aliases")]
    pub enum_aliases: Option<Ordered<Vec<String>>>,
    /// The Rust field name, when the wire name does not make a good one.
    #[serde(rename = "x-rust-name")]
    pub rust_name: Option<String>,
    /// The original (Chinese) text of `description`; kept in the spec only.
    #[serde(rename = "x-description-zh")]
    #[allow(dead_code)]
    pub description_zh: Option<String>,
    /// PayerMax's document marks the field deprecated.
    #[serde(rename = "x-deprecated", default)]
    pub deprecated: bool,
    #[serde(rename = "minItems")]
    pub min_items: Option<u64>,
    #[serde(rename = "maxItems")]
    pub max_items: Option<u64>,
    #[serde(rename = "uniqueItems")]
    pub unique_items: Option<bool>,
    #[serde(rename = "minProperties")]
    pub min_properties: Option<u64>,
    #[serde(rename = "maxProperties")]
    pub max_properties: Option<u64>,
}

/// `type`: one name, or (OpenAPI 3.1 nullability) `["<type>", "null"]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TypeName {
    One(String),
    Many(Vec<String>),
}

impl Schema {
    /// The type without `null`, and whether `null` is allowed.
    pub fn base_type(&self) -> Result<Option<(&str, bool)>, String> {
        match &self.ty {
            None => Ok(None),
            Some(TypeName::One(t)) if t != "null" => Ok(Some((t.as_str(), false))),
            Some(TypeName::Many(ts)) => {
                let non_null: Vec<&String> = ts.iter().filter(|t| *t != "null").collect();
                match (non_null.as_slice(), ts.len()) {
                    ([t], 2) => Ok(Some((t.as_str(), true))),
                    _ => Err(format!(
                        "type {ts:?}: only a single type or [\"<type>\", \"null\"] is generated"
                    )),
                }
            }
            Some(TypeName::One(t)) => Err(format!("type {t:?} alone is not generated")),
        }
    }

    /// Whether an object schema is free-form: no properties (or an empty
    /// `properties`), so no struct is generated for it.
    pub fn is_free_form(&self) -> bool {
        self.properties.as_ref().is_none_or(|p| p.0.is_empty())
            && self.one_of.is_empty()
            && self.required.is_empty()
    }
}

/// An `x-one-of` group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneOf {
    pub name: String,
    pub fields: Vec<String>,
    pub description: Option<String>,
}

/// A JSON object read into a list, keeping the key order of the file.
#[derive(Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<T> Ordered<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate key {k:?}"
                        )));
                    }
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Removes the whitespace outside strings from a JSON text, keeping key
/// order and number text exactly.
pub fn compact_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in raw.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_and_order() {
        assert_eq!(
            compact_json("{ \"b\" : \"x y\\\" z\",\n \"a\": 1.50 }"),
            "{\"b\":\"x y\\\" z\",\"a\":1.50}"
        );
    }

    #[test]
    fn ordered_keeps_order_and_rejects_duplicates() {
        let o: Ordered<u8> = serde_json::from_str(r#"{"z":1,"a":2,"m":3}"#).unwrap();
        let keys: Vec<_> = o.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert!(serde_json::from_str::<Ordered<u8>>(r#"{"a":1,"a":2}"#).is_err());
    }

    #[test]
    fn unknown_schema_keywords_are_errors() {
        assert!(serde_json::from_str::<Schema>(r#"{"type":"number","minimum":1}"#).is_err());
    }

    #[test]
    fn nullable_types() {
        let s: Schema = serde_json::from_str(r#"{"type":["string","null"]}"#).unwrap();
        assert_eq!(s.base_type(), Ok(Some(("string", true))));
        let s: Schema = serde_json::from_str(r#"{"type":"integer"}"#).unwrap();
        assert_eq!(s.base_type(), Ok(Some(("integer", false))));
        for bad in [
            r#"["string","integer"]"#,
            r#"["null"]"#,
            r#""null""#,
            r#"["a","b","null"]"#,
        ] {
            let s: Schema = serde_json::from_str(&format!(r#"{{"type":{bad}}}"#)).unwrap();
            assert!(s.base_type().is_err(), "{bad}");
        }
    }
}
