//! Every doc example in `spec/` (and in the generator's fixture specs)
//! decodes into its generated type and encodes back to the same JSON.
//!
//! JSON is compared parsed, with numbers compared as their exact text.
//! Before comparing, the example is put in the form the library writes:
//! aliases (`x-aliases`) become the property's own name, timestamps are
//! written `yyyy-MM-ddTHH:mm:ss.SSS+00:00`, amounts take the wire form of
//! their `type` (keeping their digits), `null` members are dropped (`None`
//! is not written), enum aliases become their value, and properties the
//! spec does not know are dropped (they are accepted when reading, not
//! kept). Free-form objects are kept whole.
//!
//! The types of each spec in `spec/` come from the generated registry; the
//! generator's fixtures are listed by hand (they are not in the registry).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use payermax_types::registry::{visit_notifications, visit_operations, visit_sync_callbacks};
use payermax_types::{
    Amount, Notification, NotificationVisitor, Operation, OperationInfo, OperationVisitor,
    SyncCallback, SyncCallbackVisitor, Timestamp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use payermax_tests::{
    bool_reply, edge_cases, kitchen_sink, openapi_shapes, sample_notify, sync_callback,
};

/// Decodes into `T` and encodes again.
type RoundTrip = fn(&str) -> Result<String, String>;

fn round_trip<T: DeserializeOwned + Serialize>(json: &str) -> Result<String, String> {
    let value: T = serde_json::from_str(json).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_string(&value).map_err(|e| format!("encode: {e}"))
}

/// The types of a spec: (request or inbound body, reply data or
/// sync-callback answer).
type Types = (RoundTrip, Option<RoundTrip>);

fn operation<O: Operation>() -> Types {
    (round_trip::<O::Request>, Some(round_trip::<O::Response>))
}

fn notification<N: Notification>() -> Types {
    (round_trip::<N::Body>, None)
}

fn sync_callback<C: SyncCallback>() -> Types {
    (round_trip::<C::Body>, Some(round_trip::<C::Answer>))
}

/// Finds a spec's types in the registry.
struct Lookup<'a> {
    id: &'a str,
    found: Option<Types>,
}

impl OperationVisitor for Lookup<'_> {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        if info.id == self.id {
            self.found = Some(operation::<O>());
        }
    }
}

impl NotificationVisitor for Lookup<'_> {
    fn visit<N: Notification>(&mut self, info: &'static OperationInfo) {
        if info.id == self.id {
            self.found = Some(notification::<N>());
        }
    }
}

impl SyncCallbackVisitor for Lookup<'_> {
    fn visit<C: SyncCallback>(&mut self, info: &'static OperationInfo) {
        if info.id == self.id {
            self.found = Some(sync_callback::<C>());
        }
    }
}

/// The types of each spec id: the registry's, or a generator fixture's.
fn types_of(id: &str) -> Option<Types> {
    let mut lookup = Lookup { id, found: None };
    visit_operations(&mut lookup);
    visit_notifications(&mut lookup);
    visit_sync_callbacks(&mut lookup);
    if lookup.found.is_some() {
        return lookup.found;
    }
    Some(match id {
        "kitchen_sink" => operation::<kitchen_sink::KitchenSink>(),
        "sample_notify" => notification::<sample_notify::SampleNotify>(),
        "edge_cases" => operation::<edge_cases::EdgeCases>(),
        "openapi_shapes" => operation::<openapi_shapes::OpenapiShapes>(),
        "bool_reply" => operation::<bool_reply::BoolReply>(),
        "sync_callback" => sync_callback::<sync_callback::SyncCallback>(),
        _ => return None,
    })
}

/// Parsed JSON keeping number text.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(BTreeMap<String, J>),
}

fn parse(raw: &str) -> J {
    let t = raw.trim();
    match t.as_bytes().first() {
        Some(b'{') => {
            let m: BTreeMap<String, Box<RawValue>> = serde_json::from_str(t).unwrap();
            J::Obj(m.into_iter().map(|(k, v)| (k, parse(v.get()))).collect())
        }
        Some(b'[') => {
            let a: Vec<Box<RawValue>> = serde_json::from_str(t).unwrap();
            J::Arr(a.iter().map(|v| parse(v.get())).collect())
        }
        Some(b'"') => J::Str(serde_json::from_str(t).unwrap()),
        Some(b't') => J::Bool(true),
        Some(b'f') => J::Bool(false),
        Some(b'n') => J::Null,
        _ => J::Num(t.to_string()),
    }
}

fn write(j: &J) -> String {
    match j {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Num(n) => n.clone(),
        J::Str(s) => serde_json::to_string(s).unwrap(),
        J::Arr(a) => format!("[{}]", a.iter().map(write).collect::<Vec<_>>().join(",")),
        J::Obj(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), write(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// A schema's `type` without `null`.
fn base_type(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// The example as the library writes it (see the module docs).
fn normalize(j: J, schema: &Value) -> J {
    let format = schema["format"].as_str();
    let ty = base_type(schema);
    if let (J::Str(s), Some(aliases)) = (&j, schema["x-enum-aliases"].as_object()) {
        for (value, spellings) in aliases {
            if spellings
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == s.as_str()))
            {
                return J::Str(value.clone());
            }
        }
    }
    let free_form = schema["properties"]
        .as_object()
        .is_none_or(|p| p.is_empty());
    match (j, format) {
        (j @ J::Obj(_), _) if ty == Some("object") && free_form => j,
        (J::Num(text) | J::Str(text), Some("decimal")) => {
            let a: Amount = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            if ty == Some("number") {
                J::Num(a.to_string())
            } else {
                J::Str(a.to_string())
            }
        }
        (J::Str(s), Some("date-time")) => J::Str(s.parse::<Timestamp>().unwrap().to_string()),
        (J::Arr(items), _) => J::Arr(
            items
                .into_iter()
                .map(|i| normalize(i, &schema["items"]))
                .collect(),
        ),
        (J::Obj(m), _) => {
            let props = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let name = if props.contains_key(&k) {
                    Some(k)
                } else {
                    props
                        .iter()
                        .find(|(_, p)| {
                            p["x-aliases"]
                                .as_array()
                                .is_some_and(|a| a.iter().any(|x| x == k.as_str()))
                        })
                        .map(|(n, _)| n.clone())
                };
                if let Some(name) = name
                    && v != J::Null
                {
                    let v = normalize(v, &props[&name]);
                    out.insert(name, v);
                }
            }
            J::Obj(out)
        }
        (j, _) => j,
    }
}

#[derive(serde::Deserialize)]
struct SpecFile {
    id: String,
    api: String,
    direction: String,
    #[serde(default)]
    kind: Option<String>,
    request: Part,
    #[serde(default)]
    responses: BTreeMap<String, Part>,
}

#[derive(serde::Deserialize)]
struct Part {
    schema: Value,
    #[serde(default)]
    examples: Vec<Box<RawValue>>,
}

fn check(label: &str, trip: RoundTrip, example: J, schema: &Value) -> Result<(), String> {
    let expected = normalize(example.clone(), schema);
    let written = trip(&write(&example))
        .map_err(|e| format!("{label}: {e}\n  example: {}", write(&example)))?;
    let actual = parse(&written);
    if actual != expected {
        return Err(format!(
            "{label}: round trip differs\n  expected: {}\n  actual:   {}",
            write(&expected),
            write(&actual)
        ));
    }
    Ok(())
}

fn spec_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_doc_example_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = spec_files(&root.join("spec"));
    files.extend(spec_files(&root.join("xtask/tests/fixtures")));
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let spec: SpecFile = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if spec.kind.as_deref() == Some("redirect") {
            // No body type: the webhook layer parses the text.
            continue;
        }
        let sync_callback = spec.kind.as_deref() == Some("sync-callback");
        let Some((request, response)) = types_of(&spec.id) else {
            failures.push(format!(
                "{}: no conformance case: add its types to types_of()",
                spec.id
            ));
            continue;
        };
        assert!(
            !spec.request.examples.is_empty(),
            "{}: no request example",
            spec.id
        );
        for (i, ex) in spec.request.examples.iter().enumerate() {
            let label = format!("{} request example {i}", spec.id);
            let J::Obj(mut body) = parse(ex.get()) else {
                panic!("{label}: not an object")
            };
            let (payload, schema) = match (spec.direction.as_str(), spec.api.as_str()) {
                ("inbound", _) => (J::Obj(body), spec.request.schema.clone()),
                (_, "gateway") => (
                    body.remove("data")
                        .unwrap_or_else(|| panic!("{label}: no data")),
                    spec.request.schema["properties"]["data"].clone(),
                ),
                _ => {
                    for envelope in ["merchantId", "bizType", "version"] {
                        body.remove(envelope);
                    }
                    (J::Obj(body), spec.request.schema.clone())
                }
            };
            checked += 1;
            if let Err(e) = check(&label, request, payload, &schema) {
                failures.push(e);
            }
        }
        if let (Some(response), Some(part)) = (response, spec.responses.get("200")) {
            for (i, ex) in part.examples.iter().enumerate() {
                let label = format!("{} reply example {i}", spec.id);
                let J::Obj(mut body) = parse(ex.get()) else {
                    panic!("{label}: not an object")
                };
                if sync_callback {
                    // The merchant's answer is the whole body.
                    checked += 1;
                    if let Err(e) = check(&label, response, J::Obj(body), &part.schema) {
                        failures.push(e);
                    }
                } else if let Some(data) = body.remove("data") {
                    checked += 1;
                    if let Err(e) =
                        check(&label, response, data, &part.schema["properties"]["data"])
                    {
                        failures.push(e);
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 13, "only {checked} examples checked");
}

#[test]
fn comparison_keeps_number_text() {
    assert_ne!(parse("[1.0]"), parse("[1]"));
    assert_ne!(
        parse(r#"{"a":12345678901234567.89}"#),
        parse(r#"{"a":12345678901234567.88}"#)
    );
    assert_eq!(
        parse(r#"{"b":1,"a":"x"}"#),
        parse(r#"{ "a" : "x", "b" : 1 }"#)
    );
}
