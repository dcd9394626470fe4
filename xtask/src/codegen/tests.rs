//! Generator tests: the committed output is current, output is
//! deterministic, and specs the generator cannot honour are refused with a
//! message naming the place.

use super::*;

#[test]
fn generated_code_is_up_to_date() {
    if let Err(e) = run(&workspace_root(), true) {
        panic!("{e}");
    }
}

#[test]
fn every_generated_file_carries_the_header() {
    let dir = workspace_root().join("crates/payermax-types/src/generated");
    let mut n = 0;
    for e in fs::read_dir(dir).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(text.starts_with(HEADER));
        n += 1;
    }
    assert!(n >= 3);
}

#[test]
fn output_is_deterministic() {
    let path = workspace_root().join("xtask/tests/fixtures/kitchen_sink.json");
    let a = render(&load(&path).unwrap(), "x").unwrap();
    let b = render(&load(&path).unwrap(), "x").unwrap();
    assert_eq!(a, b);
}

/// A minimal outbound gateway spec whose `data` object is `data`.
fn gateway_spec(data: &str) -> String {
    format!(
        r#"{{"formatVersion":1,"id":"t","operation":"t","title":"T","direction":"outbound",
        "method":"POST","api":"gateway","path":"/p","constants":{{"version":"1.5","keyVersion":"1"}},
        "request":{{"schema":{{"type":"object","properties":{{"data":{data}}}}}}},"responses":{{}}}}"#
    )
}

fn build_err(spec: &str) -> String {
    let spec: spec::Spec = match serde_json::from_str(spec) {
        Ok(s) => s,
        Err(e) => return e.to_string(),
    };
    match model::build(&spec) {
        Ok(m) => render(&m, "x").err().unwrap_or_else(|| panic!("accepted")),
        Err(e) => e,
    }
}

#[test]
fn a_minimal_spec_builds() {
    let spec: spec::Spec = serde_json::from_str(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
    ))
    .unwrap();
    let m = model::build(&spec).unwrap();
    let code = render(&m, "x").unwrap();
    assert!(code.contains("pub struct TRequest"), "{code}");
    assert!(
        code.contains("pub fn new(a: impl Into<String>) -> Self"),
        "{code}"
    );
}

#[test]
fn refuses_what_it_cannot_generate_faithfully() {
    let cases = [
        (
            r#"{"type":"object","properties":{"a":{"type":"number"}}}"#,
            "floats are not generated",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","minimum":1}}}"#,
            "unknown field `minimum`",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","format":"uuid"}}}"#,
            "unsupported format",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","pattern":"("}}}"#,
            "bad pattern",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":["X","Y"],"x-enum-names":["X"]}}}"#,
            "differ in length",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":["a-b","a_b"]}}}"#,
            "two enum values would be named AB",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","enum":[1.5]}}}"#,
            "must be integers",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}"#,
            "required \"b\" is not a property",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],
               "x-one-of":[{"name":"AB","fields":["a","b"]}]}"#,
            "must be an optional property",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string"}},"x-one-of":[{"name":"A","fields":["a"]}]}"#,
            "needs two fields",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"array","items":{"type":"number","format":"decimal"}}}}"#,
            "arrays of amounts",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"array"}}}"#,
            "array without items",
        ),
        (
            r#"{"type":"object","properties":{"退款":{"type":"string"}}}"#,
            "cannot make a Rust field name",
        ),
        (r#"{"type":"string"}"#, "expected an object"),
    ];
    for (data, expected) in cases {
        let err = build_err(&gateway_spec(data));
        assert!(
            err.contains(expected),
            "{data}\n  gave: {err}\n  expected: {expected}"
        );
    }
}

#[test]
fn refuses_bad_descriptors() {
    let base = gateway_spec(r#"{"type":"object"}"#);
    let cases = [
        (
            base.replace(r#""keyVersion":"1""#, r#""keyVersion":"1","x":"1""#),
            "unknown constant",
        ),
        (base.replace(r#","keyVersion":"1""#, ""), "need keyVersion"),
        (
            base.replace(r#""method":"POST""#, r#""method":"GET""#),
            "only POST",
        ),
        (
            base.replace(r#""formatVersion":1"#, r#""formatVersion":2"#),
            "formatVersion",
        ),
        (base.replace(r#""id":"t""#, r#""id":"T-x""#), "snake_case"),
        (base.replace(r#","path":"/p""#, ""), "without path"),
        (
            base.replace(r#""properties":{"data""#, r#""properties":{"nodata""#),
            "no `data` object",
        ),
    ];
    for (spec, expected) in cases {
        let err = build_err(&spec);
        assert!(
            err.contains(expected),
            "gave: {err}\n  expected: {expected}"
        );
    }
}

#[test]
fn colliding_nested_names_fall_back_to_the_owner() {
    // `data.status` and reply `data.status` differ: the second is named after
    // its owner instead of colliding.
    let spec = gateway_spec(
        r#"{"type":"object","properties":{"status":{"type":"string","enum":["A"]}}}"#,
    )
    .replace(
        r#""responses":{}"#,
        r#""responses":{"200":{"schema":{"type":"object","properties":{"data":{"type":"object",
            "properties":{"status":{"type":"string","enum":["B"]}}}}}}}"#,
    );
    let spec: spec::Spec = serde_json::from_str(&spec).unwrap();
    let code = render(&model::build(&spec).unwrap(), "x").unwrap();
    assert!(code.contains("pub enum TStatus"), "{code}");
    assert!(code.contains("pub enum TResponseStatus"), "{code}");
}

#[test]
fn feature_block_lists_every_operation() {
    let spec: spec::Spec = serde_json::from_str(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string","pattern":"^a$"}}}"#,
    ))
    .unwrap();
    let m = model::build(&spec).unwrap();
    let toml = format!("[features]\n{FEATURES_BEGIN}old = []\n{FEATURES_END}other = []\n");
    assert_eq!(
        render_features(&toml, &[m]).unwrap(),
        format!(
            "[features]\n{FEATURES_BEGIN}default = [\"t\"]\nt = [\"patterns\"]\n{FEATURES_END}other = []\n"
        )
    );
    assert!(render_features("[features]\n", &[]).is_err());
}

#[test]
fn name_clashes_are_refused_or_avoided() {
    let err = build_err(&gateway_spec(
        r#"{"type":"object","properties":{"outNo":{"type":"string"},"out_no":{"type":"string"}}}"#,
    ));
    assert!(err.contains("two members would be named `out_no`"), "{err}");
    let err = build_err(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
            "x-one-of":[{"name":"ref_x","fields":["a","b"]}]}"#,
    ));
    assert!(err.contains("must be UpperCamelCase"), "{err}");
    let err = build_err(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
            "x-one-of":[{"name":"TRequest","fields":["a","b"]}]}"#,
    ));
    assert!(err.contains("is taken"), "{err}");
    // Setters that would hide `new` or `validate` get a `with_` prefix; a
    // one-of named like a keyword gets a raw field name.
    let spec: spec::Spec = serde_json::from_str(&gateway_spec(
        r#"{"type":"object","properties":{"new":{"type":"string"},"validate":{"type":"string"},
            "a":{"type":"string"},"b":{"type":"string"}},"x-one-of":[{"name":"Type","fields":["a","b"]}]}"#,
    ))
    .unwrap();
    let code = render(&model::build(&spec).unwrap(), "x").unwrap();
    assert!(code.contains("pub fn with_new(mut self"), "{code}");
    assert!(code.contains("pub fn with_validate(mut self"), "{code}");
    assert!(code.contains("pub r#type: Type,"), "{code}");
}

#[test]
fn fixture_specs_follow_the_spec_format() {
    use crate::json::J;
    let root = workspace_root();
    let meta =
        J::parse(&fs::read_to_string(root.join("spec/schema/spec.schema.json")).unwrap()).unwrap();
    let files = json_files(&root.join("xtask/tests/fixtures")).unwrap();
    assert!(files.len() >= 3);
    for path in files {
        let spec = J::parse(&fs::read_to_string(&path).unwrap()).unwrap();
        // Provenance (`$schema`, `source`, `docIssues`) belongs to imported
        // specs; everything the generator reads must follow the format.
        let provenance = [
            "$.$schema",
            "$.source",
            "$.docIssues",
            "`$schema`",
            "`source`",
            "`docIssues`",
        ];
        let errors: Vec<String> = crate::validate::validate(&meta, &spec)
            .err()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !provenance.iter().any(|p| e.contains(p)))
            .collect();
        assert!(
            errors.is_empty(),
            "{} does not validate:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}
