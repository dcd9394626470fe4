//! `payermax operations`, `describe` and `example`: what the registry
//! (`payermax_types::registry`) and the spec data file the sandbox embeds
//! (`payermax_sandbox::OPERATIONS_JSON`) say about each operation.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::OnceLock;

use payermax_types::registry::{LEGACY_ENVELOPE, OPERATIONS, visit_operations};
use payermax_types::{
    ApiGeneration, Direction, Kind, Operation, OperationInfo, OperationVisitor, RetryClass,
    Validate,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::failure::{Code, Failure, output};

/// The registry entry named `name`: a spec id, or PayerMax's name when
/// one spec only has it. `outbound` restricts the search to operations
/// the merchant calls.
pub fn find(name: &str, outbound: bool) -> Result<&'static OperationInfo, Failure> {
    let eligible = |i: &&OperationInfo| !outbound || i.kind == Kind::Operation;
    if let Some(info) = OPERATIONS.iter().filter(eligible).find(|i| i.id == name) {
        return Ok(info);
    }
    let by_name: Vec<&OperationInfo> = OPERATIONS
        .iter()
        .filter(eligible)
        .filter(|i| i.name == name)
        .collect();
    match by_name.as_slice() {
        [one] => Ok(one),
        [] => {
            let what = if outbound {
                "operation"
            } else {
                "operation or notification"
            };
            let close: Vec<&str> = OPERATIONS
                .iter()
                .filter(eligible)
                .filter(|i| i.id.eq_ignore_ascii_case(name) || i.name.eq_ignore_ascii_case(name))
                .map(|i| i.id)
                .collect();
            let hint = match close.as_slice() {
                [] => String::new(),
                some => format!(" (did you mean {}?)", some.join(", ")),
            };
            Err(Failure::usage(format!(
                "unknown {what} {name:?}{hint}; `payermax operations` lists them"
            )))
        }
        several => Err(Failure::usage(format!(
            "{name} is documented in {} variants; name one: {}",
            several.len(),
            several.iter().map(|i| i.id).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Operation => "operation",
        Kind::Notification => "notification",
        Kind::SyncCallback => "sync-callback",
        Kind::Redirect => "redirect",
        _ => "other",
    }
}

fn api_name(api: ApiGeneration) -> &'static str {
    match api {
        ApiGeneration::Gateway => "gateway",
        ApiGeneration::LegacyV21 => "legacy-v2.1",
        _ => "other",
    }
}

/// Runs `operations`: every registry entry as a JSON array.
pub fn operations() -> Result<(), Failure> {
    let list: Vec<Value> = OPERATIONS
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "name": i.name,
                "domain": i.domain.feature(),
                "kind": kind_name(i.kind),
                "direction": if i.direction == Direction::Outbound { "outbound" } else { "inbound" },
                "api": api_name(i.api),
                "title": i.title,
            })
        })
        .collect();
    print_json(&Value::Array(list))
}

/// Pretty JSON and a newline on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value)
        .map_err(|e| output(e.into()))
        .and_then(|()| writeln!(stdout).map_err(output))
}

/// The spec data of `id` from the sandbox's embedded data file.
fn spec(id: &str) -> Result<&'static Value, Failure> {
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
fn payload_schema(info: &OperationInfo, spec: &Value) -> (Value, &'static str) {
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
struct RawSpec<'a> {
    id: &'a str,
    #[serde(borrow)]
    request_schema: Option<&'a RawValue>,
    #[serde(borrow, default)]
    request_examples: Vec<&'a RawValue>,
}

/// The data file's entry of `id`, as written.
fn raw_spec(id: &str) -> Option<RawSpec<'static>> {
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
fn members(raw: &RawValue) -> Vec<(String, &RawValue)> {
    serde_json::from_str::<Members<'_>>(raw.get()).map_or_else(|_| Vec::new(), |m| m.0)
}

/// The member `name` of `raw`, as written.
fn member<'a>(raw: &'a RawValue, name: &str) -> Option<&'a RawValue> {
    members(raw)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

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

/// The keywords `describe` shows of each field, as the spec writes them.
const KEYWORDS: &[&str] = &[
    "type",
    "format",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "x-enum-aliases",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "x-aliases",
    "x-accept",
    "x-one-of",
];

/// One field as `describe` prints it: path and requiredness first, then
/// the spec's keywords.
#[derive(serde::Serialize)]
struct Field {
    field: String,
    required: bool,
    #[serde(flatten)]
    rules: BTreeMap<&'static str, Value>,
}

/// Every field under `schema` (raw: members in the documentation's order),
/// `skip` naming top-level members the client fills.
fn describe_fields(
    schema: &RawValue,
    path: &str,
    required: bool,
    skip: &[&str],
    out: &mut Vec<Field>,
) {
    let Ok(node) = serde_json::from_str::<Map<String, Value>>(schema.get()) else {
        return;
    };
    if !path.is_empty() {
        let rules = KEYWORDS
            .iter()
            .filter_map(|k| node.get(*k).map(|v| (*k, v.clone())))
            .collect();
        out.push(Field {
            field: path.to_owned(),
            required,
            rules,
        });
    }
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, sub) in member(schema, "properties")
        .map(members)
        .unwrap_or_default()
    {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        describe_fields(sub, &sub_path, required.contains(&name.as_str()), &[], out);
    }
    if let Some(items) = member(schema, "items") {
        describe_fields(items, &format!("{path}[]"), true, &[], out);
    }
}

/// `describe`'s output.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Description {
    id: &'static str,
    name: &'static str,
    title: &'static str,
    domain: &'static str,
    kind: &'static str,
    api: &'static str,
    path: Option<&'static str>,
    variant: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    settled_by: Option<&'static str>,
    payload: &'static str,
    one_of: Option<Value>,
    fields: Vec<Field>,
}

/// What the typed descriptor adds: retry class and settling query.
struct Retry {
    id: &'static str,
    found: Option<(&'static str, Option<&'static str>)>,
}

impl OperationVisitor for Retry {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        if info.id == self.id {
            let class = if O::RETRY == RetryClass::Read {
                "read"
            } else {
                "write"
            };
            self.found = Some((class, O::SETTLED_BY.map(|s| s.spec)));
        }
    }
}

/// Runs `describe`.
pub fn describe(name: &str) -> Result<(), Failure> {
    let info = find(name, false)?;
    let spec = spec(info.id)?;
    let (schema, at) = payload_schema(info, spec);
    let raw = raw_spec(info.id).and_then(|s| s.request_schema);
    let (raw, skip): (Option<&RawValue>, &[&str]) = match (info.kind, info.api) {
        (Kind::Operation, ApiGeneration::Gateway) => (
            raw.and_then(|r| member(r, "properties"))
                .and_then(|p| member(p, "data")),
            &[],
        ),
        (Kind::Operation, _) => (raw, LEGACY_ENVELOPE),
        _ => (raw, &[]),
    };
    let mut fields = Vec::new();
    if let Some(raw) = raw {
        describe_fields(raw, "", true, skip, &mut fields);
    }
    if !at.is_empty() {
        for f in &mut fields {
            f.field = format!("{at}.{}", f.field);
        }
    }
    let mut retry = Retry {
        id: info.id,
        found: None,
    };
    if info.kind == Kind::Operation {
        visit_operations(&mut retry);
    }
    print_json(&Description {
        id: info.id,
        name: info.name,
        title: info.title,
        domain: info.domain.feature(),
        kind: kind_name(info.kind),
        api: api_name(info.api),
        path: info.path,
        variant: info.variant,
        retry: retry.found.map(|(class, _)| class),
        settled_by: retry.found.and_then(|(_, by)| by),
        payload: if at.is_empty() {
            "the whole body"
        } else {
            "the body's `data` object"
        },
        one_of: schema.get("x-one-of").cloned(),
        fields,
    })
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
pub fn example(name: &str) -> Result<(), Failure> {
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
