//! The spec file model (spec/README.md, format version 1), read with key
//! order kept (no `serde_json/preserve_order`: it would change `serde_json`
//! for every crate built with xtask).

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;

/// One `spec/<id>.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    pub format_version: u32,
    pub id: String,
    pub operation: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub direction: Direction,
    #[serde(default)]
    pub method: Option<String>,
    pub api: Api,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub constants: Ordered<String>,
    pub request: Body,
    #[serde(default)]
    pub responses: BTreeMap<String, Body>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Outbound,
    Inbound,
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
    pub ty: Option<String>,
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
}
