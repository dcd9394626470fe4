//! `crates/payermax-sandbox/src/generated/operations.json`: what the sandbox
//! and the workspace tests need from `spec/`, derived here so that xtask
//! stays the one reader of the spec format (the sandbox embeds this file and
//! never sees `spec/`; the tests read it as `payermax_sandbox::OPERATIONS_JSON`).
//!
//! One JSON document, pretty-printed, key order and number text kept as the
//! specs write them:
//!
//! ```jsonc
//! { "generatedBy": "...",
//!   "operations": [                    // one per spec, in file-name order
//!     { "id": "order_and_pay_hosted", "operation": "orderAndPay", "api": "gateway",
//!       "direction": "outbound", "kind": null, "variant": "hosted-checkout",
//!       "path": "/aggregate-pay/api/gateway/orderAndPay",
//!       "requiredHeaders": ["Content-Type", "sign"],
//!       "requestSchema": { },           // the spec's, documentation keywords removed
//!       "requestExamples": [ ],         // verbatim
//!       "requestExampleIssues": [       // doc issues about the request examples
//!         { "id": "example-type@request:data.totalAmount", "kind": "example-type",
//!           "field": "data.totalAmount", "refusedIn": [] } ],
//!       "replySchema": { },             // the 200 schema, documentation keywords removed
//!       "replyExamples": [ ],           // the 200 examples, verbatim
//!       "replyExampleIssues": [ { "id": ..., "kind": ..., "field": ..., "brokenIn": [0] } ],
//!       "replyDataFallback": true,      // without a 200 example, or when the first does not decode
//!       "echo": [ { "request": "outTradeNo", "reply": "outTradeNo" } ] } ] }
//!                                       // the spec's `echo`, when it has one
//! ```
//!
//! `refusedIn` lists the request examples the issue makes invalid against
//! `requestSchema` under the import rules (spec/README.md): in what the
//! merchant sends, a required member missing (`example-incomplete`), a value
//! of a JSON type the field does not take (`example-wrong`), a value longer
//! than `maxLength` or outside `enum`; in what PayerMax sends (a
//! notification body), only `example-wrong`. `brokenIn` is the same for the
//! 200 examples (a reply: only `example-wrong`; an acknowledgement or a
//! sync-callback answer: what the merchant sends).
//! `replyDataFallback` is a minimal value of the 200 schema's `data` (`true`
//! for a boolean, `{}` plus required members for an object, ...), for
//! operations the document gives no reply example for.

use std::fs;
use std::path::{Path, PathBuf};

use crate::json::{J, Num};

/// Where the sandbox's data file lives, relative to the workspace root.
pub const OUTPUT: &str = "crates/payermax-sandbox/src/generated/operations.json";

/// Doc-issue kinds whose decision is that the example does not decode.
const UNDECODABLE: [&str; 2] = ["example-wrong", "example-incomplete"];

/// Schema keywords that only document: dropped from `requestSchema`.
const DOC_KEYWORDS: &[&str] = &[
    "description",
    "x-description-zh",
    "examples",
    "x-deprecated",
    "x-rust-name",
];

/// `(path, contents)` of the sandbox data file for the specs in `root/spec`.
pub fn wanted(root: &Path) -> Result<(PathBuf, String), String> {
    let mut specs = Vec::new();
    for path in super::json_files(&root.join("spec"))? {
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spec = J::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        specs.push((path.display().to_string(), spec));
    }
    Ok((root.join(OUTPUT), render(&specs)?))
}

/// The data file for these specs (`(file name for errors, spec)`, in order).
pub fn render(specs: &[(String, J)]) -> Result<String, String> {
    let mut ops = Vec::new();
    for (file, spec) in specs {
        ops.push(operation(spec).map_err(|e| format!("{file}: {e}"))?);
    }
    Ok(J::Obj(vec![
        (
            "generatedBy".to_owned(),
            J::str("`cargo xtask codegen` from spec/*.json; do not edit"),
        ),
        ("operations".to_owned(), J::Arr(ops)),
    ])
    .to_pretty())
}

fn str_of<'a>(spec: &'a J, key: &str) -> Result<&'a str, String> {
    spec.get(key)
        .and_then(J::as_str)
        .ok_or_else(|| format!("`{key}` missing or not a string"))
}

fn opt_str(v: Option<&J>) -> J {
    v.and_then(J::as_str).map_or(J::Null, J::str)
}

fn operation(spec: &J) -> Result<J, String> {
    let direction = str_of(spec, "direction")?;
    let schema = spec
        .get("request")
        .and_then(|r| r.get("schema"))
        .ok_or("`request.schema` missing")?;
    let request_examples = examples(spec.get("request"));
    let reply_examples = examples(spec.get("responses").and_then(|r| r.get("200")));
    let required_headers = spec
        .get("headers")
        .and_then(J::as_arr)
        .unwrap_or_default()
        .iter()
        .filter(|h| h.get("required") == Some(&J::Bool(true)))
        .filter_map(|h| h.get("name").and_then(J::as_str).map(J::str))
        .collect();
    let doc_issues = spec
        .get("docIssues")
        .and_then(J::as_arr)
        .unwrap_or_default();
    let merchant_sends = direction == "outbound";
    let issues = doc_issues
        .iter()
        .filter_map(|i| {
            example_issue(
                i,
                "request",
                schema,
                &request_examples,
                merchant_sends,
                "refusedIn",
            )
        })
        .collect();
    let empty = J::obj();
    let reply_schema = spec
        .get("responses")
        .and_then(|r| r.get("200"))
        .and_then(|r| r.get("schema"))
        .unwrap_or(&empty);
    let reply_issues: Vec<J> = doc_issues
        .iter()
        .filter_map(|i| {
            example_issue(
                i,
                "response 200",
                reply_schema,
                &reply_examples,
                !merchant_sends,
                "brokenIn",
            )
        })
        .collect();
    let mut out = vec![
        ("id".to_owned(), J::str(str_of(spec, "id")?)),
        ("operation".to_owned(), J::str(str_of(spec, "operation")?)),
        ("api".to_owned(), J::str(str_of(spec, "api")?)),
        ("direction".to_owned(), J::str(direction)),
        ("kind".to_owned(), opt_str(spec.get("kind"))),
        (
            "variant".to_owned(),
            opt_str(spec.get("variant").and_then(|v| v.get("name"))),
        ),
        ("path".to_owned(), opt_str(spec.get("path"))),
        ("requiredHeaders".to_owned(), J::Arr(required_headers)),
        ("requestSchema".to_owned(), strip_docs(schema)),
        ("requestExamples".to_owned(), J::Arr(request_examples)),
        ("requestExampleIssues".to_owned(), J::Arr(issues)),
        ("replySchema".to_owned(), strip_docs(reply_schema)),
        ("replyExamples".to_owned(), J::Arr(reply_examples.clone())),
        (
            "replyExampleIssues".to_owned(),
            J::Arr(reply_issues.clone()),
        ),
    ];
    // The request identifiers a reply carries back (the spec's `echo`):
    // the sandbox writes the request's values into its example replies.
    if let Some(echo) = spec.get("echo") {
        out.push(("echo".to_owned(), echo.clone()));
    }
    // A minimal reply where the document gives none, or where its first
    // reply example does not decode as documented (the schema wins).
    let first_broken = reply_issues.iter().any(|i: &J| {
        UNDECODABLE.contains(&i.get("kind").and_then(J::as_str).unwrap_or(""))
            && i.get("brokenIn")
                .and_then(J::as_arr)
                .is_some_and(|b| b.contains(&J::Num(Num::from(0u32))))
    });
    if reply_examples.is_empty() || (merchant_sends && first_broken) {
        let data = spec
            .get("responses")
            .and_then(|r| r.get("200"))
            .and_then(|r| r.get("schema"))
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get("data"));
        if let Some(data) = data {
            out.push(("replyDataFallback".to_owned(), minimal(data)));
        }
    }
    Ok(J::Obj(out))
}

/// The `examples` array of a request or response, verbatim (empty without one).
fn examples(section: Option<&J>) -> Vec<J> {
    section
        .and_then(|s| s.get("examples"))
        .and_then(J::as_arr)
        .map(<[J]>::to_vec)
        .unwrap_or_default()
}

/// A schema without its documentation keywords, at every level. Property
/// names are data, not keywords: a property called `description` stays.
fn strip_docs(schema: &J) -> J {
    let Some(pairs) = schema.as_obj() else {
        return schema.clone();
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        if DOC_KEYWORDS.contains(&k.as_str()) {
            continue;
        }
        let v = match (k.as_str(), v) {
            ("properties", J::Obj(props)) => J::Obj(
                props
                    .iter()
                    .map(|(name, sub)| (name.clone(), strip_docs(sub)))
                    .collect(),
            ),
            ("items", sub) => strip_docs(sub),
            ("x-one-of", J::Arr(groups)) => J::Arr(
                groups
                    .iter()
                    .map(|g| {
                        let mut g = g.clone();
                        g.remove("description");
                        g
                    })
                    .collect(),
            ),
            _ => v.clone(),
        };
        out.push((k.clone(), v));
    }
    J::Obj(out)
}

/// The `type` names of a schema node (`"string"` or `["string", "null"]`).
fn types(schema: &J) -> Vec<&str> {
    match schema.get("type") {
        Some(J::Str(t)) => vec![t.as_str()],
        Some(J::Arr(ts)) => ts.iter().filter_map(J::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The smallest value of a schema: the reply `data` when no example gives one.
fn minimal(schema: &J) -> J {
    let ty = types(schema)
        .into_iter()
        .find(|t| *t != "null")
        .unwrap_or("null");
    if let Some(first) = schema
        .get("enum")
        .and_then(J::as_arr)
        .and_then(<[J]>::first)
    {
        return first.clone();
    }
    let format = schema.get("format").and_then(J::as_str);
    match ty {
        "boolean" => J::Bool(true),
        // An amount is a decimal in either form; a timestamp is RFC 3339.
        "string" if format == Some("decimal") => J::str("0"),
        "string" if format == Some("date-time") => J::str("2026-01-01T00:00:00.000+00:00"),
        "string" => J::str(""),
        "number" | "integer" => J::Num(Num::from(0u8)),
        "array" => J::Arr(Vec::new()),
        "object" => {
            let props = schema.get("properties");
            let required = schema
                .get("required")
                .and_then(J::as_arr)
                .unwrap_or_default();
            J::Obj(
                required
                    .iter()
                    .filter_map(J::as_str)
                    .map(|name| {
                        let sub = props.and_then(|p| p.get(name)).cloned().unwrap_or(J::Null);
                        (name.to_owned(), minimal(&sub))
                    })
                    .collect(),
            )
        }
        _ => J::Null,
    }
}

/// One segment of a doc-issue field path: `a` or `a[]`.
fn segments(field: &str) -> Vec<(&str, bool)> {
    field
        .split('.')
        .map(|s| match s.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (s, false),
        })
        .collect()
}

/// The values at a field path (`a[].b` visits every item of `a`).
fn values_at<'a>(root: &'a J, path: &[(&str, bool)]) -> Vec<&'a J> {
    let mut here = vec![root];
    for (name, array) in path {
        let mut next = Vec::new();
        for v in here {
            match (v.get(name), array) {
                (Some(J::Arr(items)), true) => next.extend(items.iter()),
                (Some(found), false) => next.push(found),
                _ => {}
            }
        }
        here = next;
    }
    here
}

/// The schema node at a field path.
fn schema_at<'a>(schema: &'a J, path: &[(&str, bool)]) -> Option<&'a J> {
    let mut here = schema;
    for (name, array) in path {
        here = here.get("properties")?.get(name)?;
        if *array {
            here = here.get("items")?;
        }
    }
    Some(here)
}

/// A doc issue about the examples of one part (`<kind>@<part>:<field>`,
/// `part` being `request` or `response 200`), with the examples it leaves
/// invalid; `None` for other issues. `merchant_sends`: the part is what the
/// merchant sends (the schema wins there); otherwise the importer relaxed
/// the schema to PayerMax's examples, and only `example-wrong` breaks one.
fn example_issue(
    issue: &J,
    part: &str,
    schema: &J,
    examples: &[J],
    merchant_sends: bool,
    key: &str,
) -> Option<J> {
    let id = issue.get("id").and_then(J::as_str)?;
    let (kind, field) = id.split_once(&format!("@{part}:"))?;
    if !kind.starts_with("example-") {
        return None;
    }
    let path = segments(field);
    let refused: Vec<J> = examples
        .iter()
        .enumerate()
        .filter(|(_, ex)| {
            (merchant_sends || kind == "example-wrong") && refuses(kind, schema, &path, ex)
        })
        .map(|(i, _)| J::Num(Num::from(i)))
        .collect();
    Some(J::Obj(vec![
        ("id".to_owned(), J::str(id)),
        ("kind".to_owned(), J::str(kind)),
        ("field".to_owned(), J::str(field)),
        (key.to_owned(), J::Arr(refused)),
    ]))
}

/// Whether an issue of `kind` at `path` makes this example invalid, by the
/// import rules (spec/README.md, "Importing PayerMax's OpenAPI document").
fn refuses(kind: &str, schema: &J, path: &[(&str, bool)], example: &J) -> bool {
    let Some(((last, _), parent)) = path.split_last() else {
        return false;
    };
    match kind {
        // The schema wins: the example is incomplete.
        "example-incomplete" => values_at(example, parent)
            .into_iter()
            .any(|obj| matches!(obj, J::Obj(_)) && obj.get(last).is_none_or(|v| *v == J::Null)),
        // The schema wins: a value of a JSON type the field does not take.
        // (A string where a number is declared reads as that number.)
        "example-wrong" => {
            let declared = schema_at(schema, path).map(types).unwrap_or_default();
            values_at(example, path).into_iter().any(|v| {
                let ok = match v {
                    J::Null => declared.contains(&"null"),
                    J::Bool(_) => declared.contains(&"boolean"),
                    J::Num(_) => declared.contains(&"number") || declared.contains(&"integer"),
                    J::Str(_) => declared.contains(&"string") || declared.contains(&"number"),
                    J::Arr(_) => declared.contains(&"array"),
                    J::Obj(_) => declared.contains(&"object"),
                };
                !ok
            })
        }
        // Recorded, not fixed: the value breaks `maxLength` or `enum`.
        "example-length" | "example-enum" => !values_at(example, path).is_empty(),
        // Nullable, aliased, added or relaxed: the example now fits.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> J {
        J::parse(&format!(
            r#"{{"id": "t", "operation": "op", "api": "gateway", "direction": "outbound",
            "path": "/p", "headers": [{{"name": "sign", "required": true}}, {{"name": "x", "required": false}}],
            "request": {{"schema": {{"type": "object", "description": "body",
              "properties": {{
                "description": {{"type": "string", "description": "a field named description",
                                 "x-description-zh": "说明", "examples": ["e"], "x-deprecated": true,
                                 "x-rust-name": "desc"}},
                "data": {{"type": "object", "properties": {{
                  "n": {{"type": "string"}}, "a": {{"type": "number"}},
                  "items": {{"type": "array", "items": {{"type": "object",
                     "properties": {{"k": {{"type": "string", "maxLength": 2}}}}, "required": ["k"]}}}}}},
                  "required": ["n"],
                  "x-one-of": [{{"name": "R", "fields": ["n", "a"], "description": "one"}}]}}}}}},
              "examples": [{{"data": {{"n": 1, "a": 10000.50}}}}, {{"data": {{"a": "2.0", "items": [{{}}]}}}}]}},
            {extra}
            "docIssues": [
              {{"id": "example-wrong@request:data.n", "kind": "example-wrong"}},
              {{"id": "example-type@request:data.a", "kind": "example-type"}},
              {{"id": "example-incomplete@request:data.n", "kind": "example-incomplete"}},
              {{"id": "example-incomplete@request:data.items[].k", "kind": "example-incomplete"}},
              {{"id": "example-null@request:data.a", "kind": "example-null"}},
              {{"id": "example-type@response 200:data.x", "kind": "example-type"}},
              {{"id": "ref-siblings@request:data", "kind": "ref-siblings"}}]}}"#
        ))
        .unwrap()
    }

    fn render_one(extra: &str) -> J {
        let text = render(&[("t.json".to_owned(), spec(extra))]).unwrap();
        J::parse(&text)
            .unwrap()
            .get("operations")
            .unwrap()
            .as_arr()
            .unwrap()[0]
            .clone()
    }

    #[test]
    fn keeps_what_the_sandbox_needs_and_drops_documentation() {
        let op = render_one(
            r#""responses": {"200": {"examples": [{"code": "APPLY_SUCCESS", "data": {"z": 1.50, "a": 1E+3}}]}},"#,
        );
        let keys: Vec<&str> = op
            .as_obj()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "operation",
                "api",
                "direction",
                "kind",
                "variant",
                "path",
                "requiredHeaders",
                "requestSchema",
                "requestExamples",
                "requestExampleIssues",
                "replySchema",
                "replyExamples",
                "replyExampleIssues"
            ]
        );
        assert_eq!(op.get("kind"), Some(&J::Null));
        assert_eq!(
            op.get("requiredHeaders"),
            Some(&J::Arr(vec![J::str("sign")]))
        );
        let schema = op.get("requestSchema").unwrap();
        let text = serde_json::to_string(schema).unwrap();
        for doc in DOC_KEYWORDS {
            // As a keyword its value is never an object; as a property name it is.
            let keyword = text
                .match_indices(&format!("\"{doc}\":"))
                .any(|(at, m)| !text[at + m.len()..].starts_with('{'));
            assert!(!keyword, "{doc} left in {text}");
        }
        // A property named like a keyword is kept.
        assert!(
            schema
                .get("properties")
                .unwrap()
                .get("description")
                .is_some()
        );
        assert_eq!(
            serde_json::to_string(op.get("replyExamples").unwrap()).unwrap(),
            r#"[{"code":"APPLY_SUCCESS","data":{"z":1.50,"a":1E+3}}]"#
        );
        assert!(
            serde_json::to_string(op.get("requestExamples").unwrap())
                .unwrap()
                .contains("10000.50")
        );
    }

    #[test]
    fn example_issues_say_which_examples_they_break() {
        let op = render_one("");
        let issues = op.get("requestExampleIssues").unwrap().as_arr().unwrap();
        let summary: Vec<(String, String)> = issues
            .iter()
            .map(|i| {
                (
                    i.get("id").unwrap().as_str().unwrap().to_owned(),
                    serde_json::to_string(i.get("refusedIn").unwrap()).unwrap(),
                )
            })
            .collect();
        let expect = |id: &str, refused: &str| (id.to_owned(), refused.to_owned());
        assert_eq!(
            summary,
            [
                // A number where a string is declared: only the first example has one.
                expect("example-wrong@request:data.n", "[0]"),
                // A string where a number is declared is read as a number.
                expect("example-type@request:data.a", "[]"),
                expect("example-incomplete@request:data.n", "[1]"),
                expect("example-incomplete@request:data.items[].k", "[1]"),
                expect("example-null@request:data.a", "[]"),
            ]
        );
        assert_eq!(
            issues[3].get("field").and_then(J::as_str),
            Some("data.items[].k")
        );
    }

    #[test]
    fn inbound_issues_refuse_only_wrong_types() {
        let inbound = J::parse(
            &serde_json::to_string(&spec(""))
                .unwrap()
                .replace("\"outbound\"", "\"inbound\""),
        )
        .unwrap();
        let text = render(&[("t.json".to_owned(), inbound)]).unwrap();
        let op = J::parse(&text)
            .unwrap()
            .get("operations")
            .unwrap()
            .as_arr()
            .unwrap()[0]
            .clone();
        let refused: Vec<(String, String)> = op
            .get("requestExampleIssues")
            .unwrap()
            .as_arr()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i.get("kind").unwrap().as_str().unwrap().to_owned(),
                    serde_json::to_string(i.get("refusedIn").unwrap()).unwrap(),
                )
            })
            .collect();
        // What PayerMax sends was relaxed to its examples, except a value of
        // another JSON type (the schema wins there too).
        for (kind, r) in &refused {
            let expected = if kind == "example-wrong" { "[0]" } else { "[]" };
            assert_eq!(r, expected, "{kind}");
        }
        assert!(refused.iter().any(|(k, _)| k == "example-wrong"));
    }

    #[test]
    fn a_reply_without_example_gets_a_minimal_data() {
        let op = render_one(
            r#""responses": {"200": {"schema": {"type": "object", "properties": {"data": {"type": "boolean"}}}}},"#,
        );
        assert_eq!(op.get("replyDataFallback"), Some(&J::Bool(true)));
        let op = render_one(
            r#""responses": {"200": {"schema": {"type": "object", "properties": {"data": {"type": ["object", "null"],
               "properties": {"s": {"type": "string", "enum": ["A", "B"]}, "l": {"type": "array"}, "o": {"type": "integer"}},
               "required": ["s", "l", "o"]}}}}},"#,
        );
        assert_eq!(
            serde_json::to_string(op.get("replyDataFallback").unwrap()).unwrap(),
            r#"{"s":"A","l":[],"o":0}"#
        );
        let op = render_one(r#""responses": {"200": {"schema": {"type": "object"}}},"#);
        assert_eq!(op.get("replyDataFallback"), None);
    }

    #[test]
    fn a_broken_spec_is_an_error_naming_the_file() {
        let err =
            render(&[("x.json".to_owned(), J::parse(r#"{"id": "x"}"#).unwrap())]).unwrap_err();
        assert!(err.starts_with("x.json: "), "{err}");
    }

    #[test]
    fn committed_sandbox_data_is_up_to_date() {
        let (path, contents) = wanted(&super::super::workspace_root()).unwrap();
        if let Err(e) = crate::ensure::ensure_file_contents(&path, &contents, true) {
            panic!("{e}\n(regenerate: cargo test -p xtask write_sandbox_data -- --ignored)");
        }
    }

    /// Writes the data file until `cargo xtask codegen` runs end to end again:
    /// `cargo test -p xtask write_sandbox_data -- --ignored`.
    #[test]
    #[ignore = "writes crates/payermax-sandbox/src/generated/operations.json"]
    fn write_sandbox_data() {
        let (path, contents) = wanted(&super::super::workspace_root()).unwrap();
        crate::ensure::ensure_file_contents(&path, &contents, false).unwrap();
    }
}
