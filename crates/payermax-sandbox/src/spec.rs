//! The operation specs embedded from `spec/*.json` at build time, and the
//! routing table built from them.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

include!(concat!(env!("OUT_DIR"), "/specs.rs"));

/// Where legacy v2.1 operations are POSTed; the operation is chosen by `bizType`.
pub const LEGACY_BASE_PATH: &str = "/aggregate-pay-gate/api/gateway";

/// Which API generation a spec belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The current gateway (`code`/`msg`/`data`).
    Gateway,
    /// The legacy v2.1 API (`bizCode`/`message`/`data`).
    Legacy,
}

/// Who sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The merchant calls PayerMax.
    Outbound,
    /// PayerMax POSTs a notification to the merchant.
    Inbound,
}

/// One operation spec, the parts the sandbox uses.
#[derive(Debug, Clone)]
pub struct OpSpec {
    /// The spec id (`refund_query`).
    pub id: String,
    /// PayerMax's name: last path segment or `bizType`.
    pub operation: String,
    /// API generation.
    pub api: Api,
    /// Direction.
    pub direction: Direction,
    /// Request path (outbound).
    pub path: Option<String>,
    /// Header names the spec marks required (lower-case).
    pub required_headers: Vec<String>,
    /// JSON Schema of the request body.
    pub request_schema: Value,
    /// First example of the 200 reply (inbound: the acknowledgement).
    #[cfg_attr(not(test), allow(dead_code))] // the tests check the acknowledgement with it
    pub reply_example: Option<Value>,
    /// The members of that example's `data` object, in order, each as the
    /// exact JSON text of the spec (numbers are never re-encoded).
    pub reply_example_data: Option<Vec<(String, String)>>,
}

/// A JSON object's members in document order, values as raw JSON text.
struct OrderedMembers(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for OrderedMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = OrderedMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMembers, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(OrderedMembers(out))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}

fn member(json: &str, key: &str) -> Option<Box<RawValue>> {
    let OrderedMembers(members) = serde_json::from_str(json).ok()?;
    members.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// `/responses/200/examples/0/data` of a spec, members as raw JSON text.
fn example_data(text: &str) -> Option<Vec<(String, String)>> {
    let responses = member(text, "responses")?;
    let ok = member(responses.get(), "200")?;
    let examples = member(ok.get(), "examples")?;
    let first: Vec<Box<RawValue>> = serde_json::from_str(examples.get()).ok()?;
    let data = member(first.first()?.get(), "data")?;
    let OrderedMembers(members) = serde_json::from_str(data.get()).ok()?;
    Some(
        members
            .into_iter()
            .map(|(k, v)| (k, v.get().to_owned()))
            .collect(),
    )
}

/// Error loading a spec.
#[derive(Debug)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

fn str_field<'a>(file: &str, v: &'a Value, key: &str) -> Result<&'a str, SpecError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError(format!("{file}: `{key}` missing or not a string")))
}

/// Parses one spec file.
pub fn parse_spec(file: &str, text: &str) -> Result<OpSpec, SpecError> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| SpecError(format!("{file}: not JSON: {e}")))?;
    let id = str_field(file, &v, "id")?.to_owned();
    let operation = str_field(file, &v, "operation")?.to_owned();
    let api = match str_field(file, &v, "api")? {
        "gateway" => Api::Gateway,
        "legacy-v2.1" => Api::Legacy,
        other => return Err(SpecError(format!("{file}: unknown api `{other}`"))),
    };
    let direction = match str_field(file, &v, "direction")? {
        "outbound" => Direction::Outbound,
        "inbound" => Direction::Inbound,
        other => return Err(SpecError(format!("{file}: unknown direction `{other}`"))),
    };
    let path = v.get("path").and_then(Value::as_str).map(str::to_owned);
    if direction == Direction::Outbound && path.is_none() && api == Api::Gateway {
        return Err(SpecError(format!(
            "{file}: outbound gateway spec without `path`"
        )));
    }
    let required_headers = v
        .get("headers")
        .and_then(Value::as_array)
        .map(|hs| {
            hs.iter()
                .filter(|h| h.get("required").and_then(Value::as_bool) == Some(true))
                .filter_map(|h| h.get("name").and_then(Value::as_str))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let request_schema = v
        .pointer("/request/schema")
        .cloned()
        .ok_or_else(|| SpecError(format!("{file}: `request.schema` missing")))?;
    let reply_example = v.pointer("/responses/200/examples/0").cloned();
    let reply_example_data = example_data(text);
    Ok(OpSpec {
        id,
        operation,
        api,
        direction,
        path,
        required_headers,
        request_schema,
        reply_example,
        reply_example_data,
    })
}

/// Every embedded spec, parsed.
pub fn embedded() -> Result<Vec<OpSpec>, SpecError> {
    EMBEDDED_SPECS
        .iter()
        .map(|(file, text)| parse_spec(file, text))
        .collect()
}

/// The routing table.
#[derive(Debug, Clone)]
pub struct Routes {
    specs: Vec<OpSpec>,
}

/// What a request path resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Route<'a> {
    /// A gateway operation at its own path.
    Gateway(&'a OpSpec),
    /// The legacy base: the operation depends on `bizType`.
    LegacyBase,
}

impl Routes {
    /// Builds the table.
    pub fn new(specs: Vec<OpSpec>) -> Self {
        Self { specs }
    }

    /// Resolves a request path (ignoring one trailing slash).
    pub fn route(&self, path: &str) -> Option<Route<'_>> {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if path == LEGACY_BASE_PATH
            && self
                .specs
                .iter()
                .any(|s| s.api == Api::Legacy && s.direction == Direction::Outbound)
        {
            return Some(Route::LegacyBase);
        }
        self.specs
            .iter()
            .find(|s| {
                s.api == Api::Gateway
                    && s.direction == Direction::Outbound
                    && s.path.as_deref() == Some(path)
            })
            .map(Route::Gateway)
    }

    /// The legacy operation with this `bizType`.
    pub fn legacy(&self, biz_type: &str) -> Option<&OpSpec> {
        self.specs.iter().find(|s| {
            s.api == Api::Legacy && s.direction == Direction::Outbound && s.operation == biz_type
        })
    }

    /// The inbound (notification) spec with this id.
    #[cfg(test)]
    pub fn inbound(&self, id: &str) -> Option<&OpSpec> {
        self.specs
            .iter()
            .find(|s| s.direction == Direction::Inbound && s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_spec_parses_and_routes() {
        let specs = embedded().expect("specs parse");
        assert!(specs.iter().any(|s| s.id == "refund_query"));
        assert!(specs.iter().any(|s| s.id == "legacy_refund_apply"));
        let routes = Routes::new(specs);
        assert!(matches!(
            routes.route("/aggregate-pay/api/gateway/refundQuery"),
            Some(Route::Gateway(s)) if s.id == "refund_query"
        ));
        assert!(matches!(
            routes.route(LEGACY_BASE_PATH),
            Some(Route::LegacyBase)
        ));
        assert!(matches!(
            routes.route("/aggregate-pay-gate/api/gateway/"),
            Some(Route::LegacyBase)
        ));
        assert!(routes.route("/aggregate-pay/api/gateway/nope").is_none());
        assert_eq!(
            routes.legacy("refundApply").map(|s| s.id.as_str()),
            Some("legacy_refund_apply")
        );
        assert!(routes.legacy("refundQueryX").is_none());
    }

    #[test]
    fn example_data_keeps_order_and_number_text() {
        let text = r#"{"responses": {"200": {"examples": [
            {"code": "X", "data": {"b": 10000.50, "a": "s", "n": {"z": 1e2}}}]}}}"#;
        assert_eq!(
            example_data(text),
            Some(vec![
                ("b".to_owned(), "10000.50".to_owned()),
                ("a".to_owned(), "\"s\"".to_owned()),
                ("n".to_owned(), r#"{"z": 1e2}"#.to_owned()),
            ])
        );
        assert_eq!(example_data(r#"{"responses": {}}"#), None);
        assert_eq!(example_data("["), None);
    }

    #[test]
    fn malformed_specs_are_errors_not_panics() {
        assert!(parse_spec("x.json", "{").is_err());
        assert!(parse_spec("x.json", r#"{"id":"a"}"#).is_err());
        assert!(
            parse_spec(
                "x.json",
                r#"{"id":"a","operation":"b","api":"mars","direction":"outbound","request":{"schema":{}}}"#
            )
            .is_err()
        );
    }
}
