//! `payermax describe`: an operation's fields from the spec data file, in
//! the documentation's order.

use std::collections::BTreeMap;

use payermax_types::registry::{LEGACY_ENVELOPE, visit_operations};
use payermax_types::{ApiGeneration, Kind, Operation, OperationInfo, OperationVisitor, RetryClass};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::catalog::{api_name, find, kind_name, print_json};
use crate::failure::Failure;
use crate::spec_data::{member, members, payload_schema, raw_spec, spec};

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
pub fn run(name: &str) -> Result<(), Failure> {
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
