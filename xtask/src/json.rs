//! An order-preserving JSON value.
//!
//! Spec files keep keys in doc order, so xtask cannot use `serde_json::Value`
//! without its `preserve_order` feature, and that feature would leak into
//! every crate of the workspace built together with xtask (Cargo unifies
//! features). This small model keeps objects as ordered pairs instead; it is
//! (de)serialized through serde_json, which does the escaping and pretty
//! printing. Numbers keep the text they were written with (`10000.50` stays
//! `10000.50`, `1E+3` stays `1E+3`): doc examples hold money, and nothing on
//! the way from a page to a spec may round it through `f64`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;

/// A JSON value whose objects keep their key order.
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num(Num),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// A JSON number, as the exact text it was written with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Num(String);

impl Num {
    /// The value, when it is a non-negative integer that fits.
    #[cfg(test)] // for the spec-schema validator, which only tests use
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
    /// The value, when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
    /// The nearest `f64`: only for comparisons in schema checks, never for output.
    #[cfg(test)] // for the spec-schema validator, which only tests use
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse().ok()
    }
    /// Whether the text is an integer that fits `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }
    /// Whether the text is an integer that fits `u64`.
    #[cfg(test)] // for the spec-schema validator, which only tests use
    pub fn is_u64(&self) -> bool {
        self.as_u64().is_some()
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! num_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Num {
            fn from(n: $t) -> Num {
                Num(n.to_string())
            }
        }
    )*};
}
num_from_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64);

impl J {
    /// An empty object.
    pub fn obj() -> J {
        J::Obj(Vec::new())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    /// The value of `key` when `self` is an object holding it.
    pub fn get(&self, key: &str) -> Option<&J> {
        match self {
            J::Obj(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Mutable access to the value of `key` when `self` is an object holding it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut J> {
        match self {
            J::Obj(pairs) => pairs.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` (replacing its value in place, or appending it) when `self`
    /// is an object; does nothing otherwise.
    pub fn set(&mut self, key: &str, value: J) {
        if let J::Obj(pairs) = self {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => pairs.push((key.to_owned(), value)),
            }
        }
    }

    /// Removes `key` from an object, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<J> {
        match self {
            J::Obj(pairs) => {
                let at = pairs.iter().position(|(k, _)| k == key)?;
                Some(pairs.remove(at).1)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            J::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_obj(&self) -> Option<&[(String, J)]> {
        match self {
            J::Obj(pairs) => Some(pairs),
            _ => None,
        }
    }

    pub fn as_arr(&self) -> Option<&[J]> {
        match self {
            J::Arr(items) => Some(items),
            _ => None,
        }
    }

    /// The JSON type name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "boolean",
            J::Num(_) => "number",
            J::Str(_) => "string",
            J::Arr(_) => "array",
            J::Obj(_) => "object",
        }
    }

    /// Pretty JSON (two-space indent, non-ASCII kept) with a final newline.
    pub fn to_pretty(&self) -> String {
        let mut s =
            serde_json::to_string_pretty(self).expect("serializing to a string cannot fail");
        s.push('\n');
        s
    }

    /// Parses one JSON document, keeping key order.
    pub fn parse(text: &str) -> Result<J, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_unit(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Num(n) => serde_json::value::RawValue::from_string(n.0.clone())
                .map_err(serde::ser::Error::custom)?
                .serialize(s),
            J::Str(v) => s.serialize_str(v),
            J::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        // Every value is first taken as its raw text, so that a number is kept
        // exactly as written; containers are then opened one level at a time.
        let raw = Box::<RawValue>::deserialize(d)?;
        from_raw(&raw).map_err(de::Error::custom)
    }
}

fn from_raw(raw: &RawValue) -> Result<J, serde_json::Error> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => Ok(J::Num(Num(text.to_owned()))),
        Some(b'{') => {
            let pairs: RawPairs = serde_json::from_str(text)?;
            let mut out: Vec<(String, J)> = Vec::with_capacity(pairs.0.len());
            for (k, v) in pairs.0 {
                if out.iter().any(|(seen, _)| *seen == k) {
                    return Err(de::Error::custom(format!("duplicate key `{k}`")));
                }
                out.push((k, from_raw(&v)?));
            }
            Ok(J::Obj(out))
        }
        Some(b'[') => {
            let items: Vec<Box<RawValue>> = serde_json::from_str(text)?;
            Ok(J::Arr(
                items
                    .iter()
                    .map(|v| from_raw(v))
                    .collect::<Result<_, _>>()?,
            ))
        }
        _ => serde_json::from_str::<Scalar>(text).map(|s| s.0),
    }
}

/// An object's members in order, values still raw.
struct RawPairs(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    pairs.push(entry);
                }
                Ok(RawPairs(pairs))
            }
        }
        d.deserialize_map(V)
    }
}

/// A string, boolean or null.
struct Scalar(J);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON string, boolean or null")
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar(J::Null))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(J::Bool(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(J::Str(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(J::Str(v)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_non_ascii() {
        let text = "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null,\n    1.5\n  ],\n  \"说明\": \"签名信息\"\n}\n";
        let j = J::parse(text).unwrap();
        assert_eq!(j.to_pretty(), text);
    }

    #[test]
    fn keeps_number_text_exactly() {
        let text = "{\n  \"a\": 10000.50,\n  \"b\": 1E+3,\n  \"c\": 12345678901234567.89,\n  \"d\": -0.0\n}\n";
        let j = J::parse(text).unwrap();
        assert_eq!(j.to_pretty(), text);
        assert_eq!(j.get("a").map(J::kind), Some("number"));
    }

    #[test]
    fn rejects_duplicate_keys() {
        let err = J::parse(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key `a`"), "{err}");
    }
}
