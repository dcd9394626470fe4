//! The spec data file the sandbox embeds (`payermax_sandbox::OPERATIONS_JSON`):
//! request schemas and documented examples, as values and as written.

use std::sync::OnceLock;

use payermax_types::registry::LEGACY_ENVELOPE;
use payermax_types::{ApiGeneration, Kind, OperationInfo};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::failure::{Code, Failure};

/// The spec data of `id` from the sandbox's embedded data file.
pub fn spec(id: &str) -> Result<&'static Value, Failure> {
    static SPECS: OnceLock<Value> = OnceLock::new();
    let all = SPECS.get_or_init(|| {
        serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).unwrap_or(Value::Null)
    });
    all.get("operations")
        .and_then(Value::as_array)
        .and_then(|ops| {
            ops.iter()
                .find(|o| o.get("id").and_then(Value::as_str) == Some(id))
        })
        .ok_or_else(|| {
            Failure::new(
                Code::Failure,
                format!("no schema for {id} in the spec data"),
            )
        })
}

/// The schema of the payload `call --data` takes (the gateway's `data`,
/// the legacy fields minus the envelope, the whole body of what PayerMax
/// sends), and the wire path it sits at.
pub fn payload_schema(info: &OperationInfo, spec: &Value) -> (Value, &'static str) {
    let schema = spec.get("requestSchema").cloned().unwrap_or(Value::Null);
    match (info.kind, info.api) {
        (Kind::Operation, ApiGeneration::Gateway) => (
            schema
                .pointer("/properties/data")
                .cloned()
                .unwrap_or(json!({"type": "object"})),
            "data",
        ),
        (Kind::Operation, _) => (strip_envelope(schema), ""),
        _ => (schema, ""),
    }
}

/// A legacy request schema without the fields the client fills.
fn strip_envelope(mut schema: Value) -> Value {
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for field in LEGACY_ENVELOPE {
            props.remove(*field);
        }
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|r| !r.as_str().is_some_and(|r| LEGACY_ENVELOPE.contains(&r)));
    }
    schema
}

/// One operation of the data file, its members as written (raw text: a
/// number read into a `serde_json::Value` would pass through `f64`, an
/// amount such as `100.10` would lose its scale, and objects would lose
/// the documentation's member order).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSpec<'a> {
    id: &'a str,
    /// The request schema.
    #[serde(borrow)]
    pub request_schema: Option<&'a RawValue>,
    /// The documented request examples.
    #[serde(borrow, default)]
    pub request_examples: Vec<&'a RawValue>,
}

/// The data file's entry of `id`, as written.
pub fn raw_spec(id: &str) -> Option<RawSpec<'static>> {
    #[derive(serde::Deserialize)]
    struct Data<'a> {
        #[serde(borrow)]
        operations: Vec<RawSpec<'a>>,
    }
    let data: Data<'static> = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).ok()?;
    data.operations.into_iter().find(|s| s.id == id)
}

/// An object's members in their written order.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// The members of `raw` in order (none when it is not an object).
pub fn members(raw: &RawValue) -> Vec<(String, &RawValue)> {
    serde_json::from_str::<Members<'_>>(raw.get()).map_or_else(|_| Vec::new(), |m| m.0)
}

/// The member `name` of `raw`, as written.
pub fn member<'a>(raw: &'a RawValue, name: &str) -> Option<&'a RawValue> {
    members(raw)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
