//! Workspace-level tests: end to end over loopback, doc-example conformance,
//! generated-fixture tests. The README's code examples are compiled here.
#![doc = include_str!("../../README.md")]

// The generator's fixture specs (`xtask/tests/fixtures/*.json`), compiled
// once here from their committed snapshots, for the `fixtures`,
// `conformance` and `schema_agreement` tests.

#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/bool_reply.rs"]
pub mod bool_reply;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/edge_cases.rs"]
pub mod edge_cases;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/kitchen_sink.rs"]
pub mod kitchen_sink;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/openapi_shapes.rs"]
pub mod openapi_shapes;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/redirect.rs"]
pub mod redirect;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/sample_notify.rs"]
pub mod sample_notify;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/sync_callback.rs"]
pub mod sync_callback;

/// Values built from the JSON Schemas of the generated operations data
/// (`payermax_sandbox::OPERATIONS_JSON`), shared by the property tests and
/// the end-to-end test of every operation.
pub mod schema_values {
    use serde_json::{Map, Value};

    /// The JSON type of a schema, without `null` (`["string", "null"]` is a string).
    pub fn base_type(schema: &Value) -> Option<&str> {
        match &schema["type"] {
            Value::String(t) => Some(t),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
            _ => None,
        }
    }

    /// The `x-one-of` groups of an object schema, as lists of member names.
    pub fn one_of_groups(schema: &Value) -> Vec<Vec<String>> {
        schema["x-one-of"]
            .as_array()
            .map(|groups| {
                groups
                    .iter()
                    .map(|g| {
                        g["fields"]
                            .as_array()
                            .expect("fields")
                            .iter()
                            .map(|f| f.as_str().expect("name").to_owned())
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A minimal valid value of `schema`: required fields, the first field of
    /// each one-of group, shortest strings, first enum values, amount 1.
    pub fn minimal(schema: &Value) -> Value {
        if let Some(values) = schema["enum"].as_array() {
            return values[0].clone();
        }
        match (base_type(schema), schema["format"].as_str()) {
            (Some("string"), Some("decimal")) => Value::from("1"),
            (Some("number"), Some("decimal")) => Value::from(1),
            (Some("string"), Some("date-time")) => Value::from("2026-01-02T03:04:05.678+00:00"),
            (Some("string"), _) | (None, _) => {
                Value::from("a".repeat(schema["minLength"].as_u64().unwrap_or(1).max(1) as usize))
            }
            (Some("integer" | "number"), _) => Value::from(1),
            (Some("boolean"), _) => Value::from(false),
            (Some("array"), _) => {
                let n = schema["minItems"].as_u64().unwrap_or(0) as usize;
                let item = minimal(&schema["items"]);
                // Distinct items where `uniqueItems` asks (strings get a suffix).
                Value::Array(
                    (0..n)
                        .map(|i| match &item {
                            Value::String(t) if i > 0 => Value::String(format!("{t}{i}")),
                            other => other.clone(),
                        })
                        .collect(),
                )
            }
            (Some("object"), _) => {
                let mut out = Map::new();
                let props = schema["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let groups = one_of_groups(schema);
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().expect("name");
                    out.insert(name.to_owned(), minimal(&props[name]));
                }
                for g in &groups {
                    out.insert(g[0].clone(), minimal(&props[&g[0]]));
                }
                Value::Object(out)
            }
            (Some(other), _) => panic!("no minimal value for type {other}"),
        }
    }
}
