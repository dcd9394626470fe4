//! `payermax example`: a valid payload to start from, from PayerMax's
//! documented examples (completed where they lack something), and the
//! missing members `call` lists.

use std::collections::BTreeMap;
use std::io::Write as _;

use payermax_types::registry::{LEGACY_ENVELOPE, visit_operations};
use payermax_types::{ApiGeneration, Operation, OperationInfo, OperationVisitor, Validate};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::catalog::find;
use crate::failure::{Code, Failure, output};
use crate::spec_data::{member, members, payload_schema, raw_spec, spec};

/// The payload of a documented request example (same cut as
/// [`payload_schema`]), its values as written.
fn example_payload(info: &OperationInfo, example: &RawValue) -> String {
    match info.api {
        ApiGeneration::Gateway => member(example, "data")
            .map_or("{}", RawValue::get)
            .to_owned(),
        _ => {
            let flat: BTreeMap<String, &RawValue> = members(example)
                .into_iter()
                .filter(|(k, _)| !LEGACY_ENVELOPE.contains(&k.as_str()))
                .collect();
            serde_json::to_string(&flat).unwrap_or_default()
        }
    }
}

/// A placeholder value the schema accepts (for fields an example lacks).
fn placeholder(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let format = schema.get("format").and_then(Value::as_str);
    let first = types
        .iter()
        .copied()
        .find(|t| *t != "null")
        .unwrap_or("object");
    match (first, format) {
        ("string", Some("decimal")) => json!("1.00"),
        (_, Some("decimal")) => json!(1),
        ("number" | "integer", _) => json!(1),
        ("boolean", _) => json!(false),
        ("array", _) => json!([placeholder(schema.get("items").unwrap_or(&json!({})))]),
        ("string", Some("date-time")) => json!("2024-01-01T00:00:00.000+00:00"),
        ("string", Some("uri")) => json!("https://merchant.example/"),
        ("string", _) => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1);
            Value::String("x".repeat(usize::try_from(min.max(1)).unwrap_or(1)))
        }
        _ => {
            let mut object = json!({});
            complete(&mut object, schema);
            object
        }
    }
}

/// Fills the required members `value` lacks, recursively, choosing the
/// first member of a one-of group none of whose members is given, and
/// writes as text the numbers and booleans the schema wants as strings
/// (PayerMax's examples sometimes give `768` for a string field).
fn complete(value: &mut Value, schema: &Value) {
    complete_at(value, schema, "", &mut Vec::new());
}

/// The required members `payload` lacks, with their wire paths (those the
/// request of `info` would need filled, as `example` fills them), e.g.
/// `data.userId: required, missing`.
pub fn missing(info: &OperationInfo, payload: &[u8]) -> Vec<String> {
    let (Ok(mut value), Ok(spec)) = (serde_json::from_slice::<Value>(payload), spec(info.id))
    else {
        return Vec::new();
    };
    let (schema, at) = payload_schema(info, spec);
    let mut found = Vec::new();
    complete_at(&mut value, &schema, at, &mut found);
    found
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// [`complete`], noting each member filled in `filled` (under `path`).
fn complete_at(value: &mut Value, schema: &Value, path: &str, filled: &mut Vec<String>) {
    let wants_string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.contains(&json!("string")),
        _ => false,
    };
    if wants_string && (value.is_number() || value.is_boolean()) {
        *value = Value::String(value.to_string());
        return;
    }
    match value {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let required = schema.get("required").and_then(Value::as_array);
            for name in required.into_iter().flatten().filter_map(Value::as_str) {
                let nullable = props
                    .get(name)
                    .and_then(|p| p.get("type"))
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.contains(&json!("null")));
                if !map.contains_key(name) && !nullable {
                    if let Some(sub) = props.get(name) {
                        map.insert(name.to_owned(), placeholder(sub));
                        filled.push(format!("{}: required, missing", join(path, name)));
                    }
                }
            }
            for group in schema
                .get("x-one-of")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let members: Vec<&str> = group
                    .get("fields")
                    .and_then(Value::as_array)
                    .map(|f| f.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(first) = members.first() {
                    if !members.iter().any(|m| map.contains_key(*m)) {
                        if let Some(sub) = props.get(*first) {
                            map.insert((*first).to_owned(), placeholder(sub));
                            filled.push(format!(
                                "{}: one of {} is required, none given",
                                if path.is_empty() { "the body" } else { path },
                                members.join(", ")
                            ));
                        }
                    }
                }
            }
            for (name, member) in map.iter_mut() {
                if let Some(sub) = props.get(name) {
                    complete_at(member, sub, &join(path, name), filled);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    complete_at(item, sub, &format!("{path}[{i}]"), filled);
                }
            }
        }
        _ => {}
    }
}

/// The payload as the typed request reads and the SDK writes it, or why not.
fn typed<O: Operation>(payload: &str) -> Result<String, String> {
    let request: O::Request = serde_json::from_str(payload).map_err(|e| e.to_string())?;
    request.validate().map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&request).map_err(|e| e.to_string())
}

struct Example {
    info: &'static OperationInfo,
    /// The documented payloads, as written.
    candidates: Vec<String>,
    schema: Value,
    /// The payload, and whether it had to be completed (why the documented ones fail).
    found: Option<Result<(String, Option<String>), String>>,
}

impl OperationVisitor for Example {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        if info.id != self.info.id {
            return;
        }
        let mut last = String::from("no documented example");
        for payload in &self.candidates {
            match typed::<O>(payload) {
                Ok(text) => {
                    self.found = Some(Ok((text, None)));
                    return;
                }
                Err(e) => last = e,
            }
        }
        // Completing goes through `Value`: the placeholders' numbers are
        // not the merchant's money.
        let first = self.candidates.first().map_or("{}", String::as_str);
        let mut completed = serde_json::from_str(first).unwrap_or(json!({}));
        complete(&mut completed, &self.schema);
        self.found = Some(
            typed::<O>(&completed.to_string())
                .map(|text| (text, Some(last.clone())))
                .map_err(|e| format!("{e} (documented example: {last})")),
        );
    }
}

/// Runs `example`.
pub fn run(name: &str) -> Result<(), Failure> {
    let info = find(name, true)?;
    let spec = spec(info.id)?;
    let (schema, _) = payload_schema(info, spec);
    let candidates = raw_spec(info.id)
        .map(|s| s.request_examples)
        .unwrap_or_default()
        .into_iter()
        .map(|e| example_payload(info, e))
        .collect();
    let mut visitor = Example {
        info,
        candidates,
        schema,
        found: None,
    };
    visit_operations(&mut visitor);
    match visitor.found {
        Some(Ok((text, note))) => {
            if let Some(why) = note {
                eprintln!(
                    "payermax: PayerMax's documented example of {} is not valid ({why}); \
                     completed with placeholders: replace them",
                    info.id
                );
            }
            writeln!(std::io::stdout(), "{text}").map_err(output)
        }
        Some(Err(e)) => Err(Failure::new(
            Code::Failure,
            format!("no valid example of {} could be made: {e}", info.id),
        )),
        None => Err(Failure::new(
            Code::Failure,
            format!("{} is not compiled in", info.id),
        )),
    }
}
