//! The JSON Schema derived from each generated type (feature `schemars`)
//! agrees with the spec it was generated from: property names, required
//! properties, types, formats, lengths, patterns and enum values. Proof that
//! generator and spec agree, independent of the generator's own code.

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde_json::Value;

use payermax_tests::{
    bool_reply, edge_cases, kitchen_sink, openapi_shapes, sample_notify, sync_callback,
};

fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap()
}

/// (spec id, request or body schema, reply data schema or sync-callback
/// answer): from the generated registry for `spec/`, by hand for the
/// generator's fixtures (they are not in the registry).
fn derived(id: &str) -> Option<(Value, Option<Value>)> {
    let to_value = |s: schemars::Schema| serde_json::to_value(s).unwrap();
    if let Some((_, request, reply)) = payermax_types::registry::json_schemas()
        .into_iter()
        .find(|(info, _, _)| info.id == id)
    {
        return Some((to_value(request), reply.map(to_value)));
    }
    Some(match id {
        "kitchen_sink" => (
            schema_of::<kitchen_sink::KitchenSinkRequest>(),
            Some(schema_of::<kitchen_sink::KitchenSinkResponse>()),
        ),
        "sample_notify" => (schema_of::<sample_notify::SampleNotifyBody>(), None),
        "edge_cases" => (schema_of::<edge_cases::EdgeCasesRequest>(), None),
        "openapi_shapes" => (
            schema_of::<openapi_shapes::OpenapiShapesRequest>(),
            Some(schema_of::<openapi_shapes::OpenapiShapesResponse>()),
        ),
        "bool_reply" => (
            schema_of::<bool_reply::BoolReplyRequest>(),
            Some(schema_of::<bool>()),
        ),
        "sync_callback" => (
            schema_of::<sync_callback::SyncCallbackBody>(),
            Some(schema_of::<sync_callback::SyncCallbackAnswer>()),
        ),
        _ => return None,
    })
}

/// Follows `$ref` and strips the `null` that `Option` adds.
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> (Value, bool) {
    let mut nullable = false;
    loop {
        if let Some(r) = s["$ref"].as_str() {
            let name = r.trim_start_matches("#/$defs/");
            s = &root["$defs"][name];
            continue;
        }
        let any = s["anyOf"].as_array().filter(|a| a.len() == 2);
        if let Some(any) = any.filter(|a| a[1] == serde_json::json!({"type": "null"})) {
            nullable = true;
            s = &any[0];
            continue;
        }
        break;
    }
    let mut out = s.clone();
    if let Some(types) = s["type"].as_array() {
        let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        if non_null.len() == 1 {
            nullable |= types.len() == 2;
            out["type"] = non_null[0].clone();
        }
    }
    (out, nullable)
}

fn names(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => BTreeSet::new(),
    }
}

fn agree(
    path: &str,
    root: &Value,
    ours: &Value,
    spec: &Value,
    skip: &[&str],
    errors: &mut Vec<String>,
) {
    let (ours, _) = resolve(root, ours);
    let (spec, _) = resolve(&Value::Null, spec);
    let spec = &spec;
    match spec["x-accept"].as_array() {
        // `Text`: a string, or one of the accepted JSON types.
        Some(accept) => {
            let types = ours["type"].as_array().cloned().unwrap_or_default();
            if !types.contains(&spec["type"]) || !accept.iter().all(|t| types.contains(t)) {
                errors.push(format!(
                    "{path}: type: derived {}, spec {} accepting {accept:?}",
                    ours["type"], spec["type"]
                ));
            }
        }
        None if ours["type"] != spec["type"] => errors.push(format!(
            "{path}: type: derived {}, spec {}",
            ours["type"], spec["type"]
        )),
        None => {}
    }
    let mut same = |what: &str, a: &Value, b: &Value| {
        if a != b {
            errors.push(format!("{path}: {what}: derived {a}, spec {b}"));
        }
    };
    // schemars writes `format: int64` for i64, which the spec leaves out.
    if !(spec["type"] == "integer" && spec["format"].is_null() && ours["format"] == "int64") {
        same("format", &ours["format"], &spec["format"]);
    }
    same("enum", &ours["enum"], &spec["enum"]);
    // A length on an enum adds nothing the values do not say; schemars puts
    // no length on `Text` (a string, number or boolean: `x-accept`), which
    // `validate()` checks on its text.
    if spec["type"] == "string" && spec["enum"].is_null() && spec["x-accept"].is_null() {
        same("maxLength", &ours["maxLength"], &spec["maxLength"]);
        same("minLength", &ours["minLength"], &spec["minLength"]);
        same("pattern", &ours["pattern"], &spec["pattern"]);
    }
    match spec["type"].as_str() {
        Some("object") => {
            let spec_props: BTreeSet<String> = names(&spec["properties"])
                .into_iter()
                .filter(|n| !skip.contains(&n.as_str()))
                .collect();
            let one_of: BTreeSet<String> = spec["x-one-of"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|g| names(&g["fields"]))
                .collect();
            // A nullable member is an `Option` even when required.
            let nullable = |n: &str| {
                spec["properties"][n]["type"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t == "null"))
            };
            let spec_required: BTreeSet<String> = names(&spec["required"])
                .into_iter()
                .filter(|n| !skip.contains(&n.as_str()) && !nullable(n))
                .collect();
            if names(&ours["properties"]) != spec_props {
                errors.push(format!(
                    "{path}: properties: derived {:?}, spec {:?}",
                    names(&ours["properties"]),
                    spec_props
                ));
            }
            let ours_required = names(&ours["required"]);
            if ours_required != spec_required || !ours_required.is_disjoint(&one_of) {
                errors.push(format!(
                    "{path}: required: derived {ours_required:?}, spec {spec_required:?}"
                ));
            }
            for p in &spec_props {
                if let Some(o) = ours["properties"].get(p) {
                    agree(
                        &format!("{path}.{p}"),
                        root,
                        o,
                        &spec["properties"][p],
                        &[],
                        errors,
                    );
                }
            }
        }
        Some("array") => agree(
            &format!("{path}[]"),
            root,
            &ours["items"],
            &spec["items"],
            &[],
            errors,
        ),
        _ => {}
    }
}

#[test]
fn derived_schemas_agree_with_the_specs() {
    // The specs through the generated operations data (xtask is the one
    // reader of spec/), in the spec's own shape; the generator's fixtures
    // from their files.
    let data: Value = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).unwrap();
    let mut specs: Vec<Value> = data["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            serde_json::json!({
                "id": o["id"], "kind": o["kind"], "api": o["api"], "direction": o["direction"],
                "request": { "schema": o["requestSchema"] },
                "responses": { "200": { "schema": o["replySchema"] } },
            })
        })
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for e in std::fs::read_dir(root.join("xtask/tests/fixtures")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    files.sort();
    for path in &files {
        specs.push(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap());
    }
    let mut errors = Vec::new();
    for spec in &specs {
        let id = spec["id"].as_str().unwrap();
        if spec["kind"] == "redirect" {
            continue; // no body type
        }
        let Some((request, response)) = derived(id) else {
            errors.push(format!("{id}: no case: add its types to derived()"));
            continue;
        };
        let legacy = spec["api"] == "legacy-v2.1";
        let (req_spec, skip): (&Value, &[&str]) = if spec["direction"] == "inbound" {
            (&spec["request"]["schema"], &[])
        } else if legacy {
            (
                &spec["request"]["schema"],
                payermax_types::registry::LEGACY_ENVELOPE,
            )
        } else {
            (&spec["request"]["schema"]["properties"]["data"], &[])
        };
        agree(
            &format!("{id} request"),
            &request,
            &request,
            req_spec,
            skip,
            &mut errors,
        );
        if let Some(response) = response {
            let data = if spec["kind"] == "sync-callback" {
                spec["responses"]["200"]["schema"].clone()
            } else {
                spec["responses"]["200"]["schema"]["properties"]["data"].clone()
            };
            agree(
                &format!("{id} reply"),
                &response,
                &response,
                &data,
                &[],
                &mut errors,
            );
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn a_disagreement_is_noticed() {
    let ours = serde_json::json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}, "required": ["a"]});
    let spec = serde_json::json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 4}}, "required": ["a"]});
    let mut errors = Vec::new();
    agree("x", &ours, &ours, &spec, &[], &mut errors);
    assert_eq!(errors, ["x.a: maxLength: derived 3, spec 4"]);
}
