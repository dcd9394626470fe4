//! Every doc example in `spec/` (read through the generated operations data,
//! `payermax_sandbox::OPERATIONS_JSON`, and in the generator's fixture specs)
//! decodes into its generated type and encodes back to the same JSON, except
//! the examples a recorded doc issue says do not decode (kinds
//! `example-wrong` and `example-incomplete`: the schema wins over PayerMax's
//! example); those must fail to decode.
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
fn normalize(j: J, schema: &Value, merchant: bool) -> J {
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
                .map(|i| normalize(i, &schema["items"], merchant))
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
                    let v = normalize(v, &props[&name], merchant);
                    out.insert(name, v);
                }
            }
            if merchant {
                // What the merchant sends writes a required nullable field
                // that is `None` as `null`.
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap_or_default();
                    let nullable = props
                        .get(r)
                        .and_then(|p| p["type"].as_array())
                        .is_some_and(|t| t.iter().any(|x| x == "null"));
                    if nullable {
                        out.entry(r.to_owned()).or_insert(J::Null);
                    }
                }
            }
            J::Obj(out)
        }
        (j, _) => j,
    }
}

/// One operation as the test needs it: from the generated operations data
/// (`payermax_sandbox::OPERATIONS_JSON`, written by xtask from `spec/`), or
/// from a generator fixture spec.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    id: String,
    api: String,
    direction: String,
    #[serde(default)]
    kind: Option<String>,
    request_schema: Value,
    #[serde(default)]
    request_examples: Vec<Box<RawValue>>,
    #[serde(default)]
    request_example_issues: Vec<ExampleIssue>,
    #[serde(default)]
    reply_schema: Value,
    #[serde(default)]
    reply_examples: Vec<Box<RawValue>>,
    #[serde(default)]
    reply_example_issues: Vec<ExampleIssue>,
}

/// A recorded doc issue about examples, and the examples it leaves invalid.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExampleIssue {
    id: String,
    kind: String,
    #[serde(default, alias = "brokenIn")]
    refused_in: Vec<usize>,
}

/// Kinds whose decision is "the schema wins, the example does not decode".
const UNDECODABLE: [&str; 2] = ["example-wrong", "example-incomplete"];

impl Case {
    /// A generator fixture spec (`xtask/tests/fixtures/*.json`).
    fn from_fixture(text: &str) -> Case {
        #[derive(serde::Deserialize)]
        struct Part {
            schema: Value,
            #[serde(default)]
            examples: Vec<Box<RawValue>>,
        }
        #[derive(serde::Deserialize)]
        struct Fixture {
            id: String,
            api: String,
            direction: String,
            #[serde(default)]
            kind: Option<String>,
            request: Part,
            #[serde(default)]
            responses: BTreeMap<String, Part>,
        }
        let f: Fixture = serde_json::from_str(text).unwrap();
        let reply = f
            .responses
            .into_iter()
            .find(|(c, _)| c == "200")
            .map(|(_, p)| p);
        Case {
            id: f.id,
            api: f.api,
            direction: f.direction,
            kind: f.kind,
            request_schema: f.request.schema,
            request_examples: f.request.examples,
            request_example_issues: Vec::new(),
            reply_schema: reply.as_ref().map(|p| p.schema.clone()).unwrap_or_default(),
            reply_examples: reply.map(|p| p.examples).unwrap_or_default(),
            reply_example_issues: Vec::new(),
        }
    }
}

/// The ids of the issues that leave example `i` undecodable, by decision.
fn undecodable(issues: &[ExampleIssue], i: usize) -> Vec<&str> {
    issues
        .iter()
        .filter(|x| UNDECODABLE.contains(&x.kind.as_str()) && x.refused_in.contains(&i))
        .map(|x| x.id.as_str())
        .collect()
}

/// Checks one example: a round trip, or, where recorded issues say the
/// schema wins over it, a decode error naming the field.
fn check(
    label: &str,
    trip: RoundTrip,
    example: J,
    schema: &Value,
    expected_failure: &[&str],
    merchant: bool,
) -> Result<(), String> {
    let result = trip(&write(&example));
    if !expected_failure.is_empty() {
        return match result {
            Err(e) if e.starts_with("decode:") => Ok(()),
            other => Err(format!(
                "{label}: {expected_failure:?} say the document's example does not decode, but: {other:?}"
            )),
        };
    }
    let expected = normalize(example.clone(), schema, merchant);
    let written = result.map_err(|e| format!("{label}: {e}\n  example: {}", write(&example)))?;
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

fn cases() -> Vec<Case> {
    #[derive(serde::Deserialize)]
    struct Data {
        operations: Vec<Case>,
    }
    let data: Data = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).unwrap();
    let mut out = data.operations;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("xtask/tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    fixtures.sort();
    for f in fixtures {
        out.push(Case::from_fixture(&std::fs::read_to_string(f).unwrap()));
    }
    out
}

#[test]
fn every_doc_example_round_trips() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut refused = 0;
    // Examples with nothing to decode: a redirect's text body, a reply
    // without `data`, a notification's acknowledgement (a constant of its
    // descriptor, checked by the operations tests).
    let mut nothing_to_decode = 0;
    let mut total = 0;
    for case in cases() {
        total += case.request_examples.len() + case.reply_examples.len();
        if case.kind.as_deref() == Some("redirect") {
            nothing_to_decode += case.request_examples.len() + case.reply_examples.len();
            continue;
        }
        let sync_callback = case.kind.as_deref() == Some("sync-callback");
        let Some((request, response)) = types_of(&case.id) else {
            failures.push(format!(
                "{}: no conformance case: add its types to types_of()",
                case.id
            ));
            continue;
        };
        assert!(
            !case.request_examples.is_empty(),
            "{}: no request example",
            case.id
        );
        for (i, ex) in case.request_examples.iter().enumerate() {
            let label = format!("{} request example {i}", case.id);
            let J::Obj(mut body) = parse(ex.get()) else {
                panic!("{label}: not an object")
            };
            let (payload, schema) = match (case.direction.as_str(), case.api.as_str()) {
                ("inbound", _) => (J::Obj(body), case.request_schema.clone()),
                (_, "gateway") => (
                    body.remove("data")
                        .unwrap_or_else(|| panic!("{label}: no data")),
                    case.request_schema["properties"]["data"].clone(),
                ),
                _ => {
                    for envelope in payermax_types::registry::LEGACY_ENVELOPE {
                        body.remove(*envelope);
                    }
                    (J::Obj(body), case.request_schema.clone())
                }
            };
            checked += 1;
            let expected_failure = undecodable(&case.request_example_issues, i);
            refused += usize::from(!expected_failure.is_empty());
            let merchant = case.direction == "outbound";
            if let Err(e) = check(
                &label,
                request,
                payload,
                &schema,
                &expected_failure,
                merchant,
            ) {
                failures.push(e);
            }
        }
        let Some(response) = response else {
            nothing_to_decode += case.reply_examples.len();
            continue;
        };
        for (i, ex) in case.reply_examples.iter().enumerate() {
            let label = format!("{} reply example {i}", case.id);
            let J::Obj(mut body) = parse(ex.get()) else {
                panic!("{label}: not an object")
            };
            let expected_failure = undecodable(&case.reply_example_issues, i);
            refused += usize::from(!expected_failure.is_empty());
            if sync_callback {
                // The merchant's answer is the whole body.
                checked += 1;
                if let Err(e) = check(
                    &label,
                    response,
                    J::Obj(body),
                    &case.reply_schema,
                    &expected_failure,
                    true,
                ) {
                    failures.push(e);
                }
            } else if let Some(data) = body.remove("data") {
                checked += 1;
                let schema = &case.reply_schema["properties"]["data"];
                if let Err(e) = check(&label, response, data, schema, &expected_failure, false) {
                    failures.push(e);
                }
            } else {
                nothing_to_decode += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        checked + nothing_to_decode,
        total,
        "every example is accounted for"
    );
    // PayerMax's document has 141 examples; the legacy pages and fixtures add more.
    assert!(total > 141, "only {total} examples");
    eprintln!("{checked} examples checked, {refused} of them undecodable by a recorded decision");
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
