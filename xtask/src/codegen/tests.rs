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
        r#"{{"formatVersion":1,"id":"t","operation":"t","title":"T","domain":"payments","direction":"outbound",
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
    assert!(code.contains("pub struct TRequest {"), "{code}");
    assert!(code.contains("pub struct TRequestRequired {"), "{code}");
    assert!(
        code.contains("pub fn new(required: TRequestRequired) -> Self"),
        "{code}"
    );
    assert!(
        code.contains("impl From<TRequestRequired> for TRequest"),
        "{code}"
    );
}

#[test]
fn refuses_what_it_cannot_generate_faithfully() {
    let cases = [
        (
            r#"{"type":"object","properties":{"a":{"type":"integer","x-accept":["number"]}}}"#,
            "x-accept on a integer",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","x-accept":["string"]}}}"#,
            "only \"number\" and \"boolean\"",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","format":"date-time","x-accept":["number"]}}}"#,
            "x-accept with format",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","minItems":1}}}"#,
            "minItems/maxItems/uniqueItems on a non-array",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"maxProperties":1}}}"#,
            "belong on free-form objects",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":["X"],"x-enum-aliases":{"Y":["y"]}}}}"#,
            "x-enum-aliases key \"Y\" is not in enum",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":["X","Y"],"x-enum-aliases":{"X":["Y"]}}}}"#,
            "already a value or an alias",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","x-enum-aliases":{"X":["x"]}}}}"#,
            "x-enum-aliases without enum",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"integer","enum":[1],"x-enum-aliases":{"1":["01"]}}}}"#,
            "non-string enum",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","x-rust-name":"BadName"}}}"#,
            "must be snake_case",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":["string","integer"]}}}"#,
            "only a single type",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"array","items":{"type":["string","null"]}}}}"#,
            "nullable array items",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":["string","null"]}},
               "x-one-of":[{"name":"Pick","fields":["a","b"]}]}"#,
            "is nullable",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","format":"email"}}}"#,
            "unsupported format",
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
            base.replace(r#""formatVersion":1"#, r#""formatVersion":3"#),
            "formatVersion",
        ),
        (
            base.replace(r#""domain":"payments","#, ""),
            "missing field `domain`",
        ),
        (
            base.replace(r#""domain":"payments""#, r#""domain":"shop""#),
            "unknown variant `shop`",
        ),
        (
            base.replace(
                r#""direction":"outbound""#,
                r#""direction":"outbound","kind":"redirect""#,
            ),
            "`kind` is for inbound specs",
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
fn feature_block_lists_every_domain() {
    let spec: spec::Spec = serde_json::from_str(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string","pattern":"^a$"}}}"#,
    ))
    .unwrap();
    let m = model::build(&spec).unwrap();
    let toml = format!("[features]\n{FEATURES_BEGIN}old = []\n{FEATURES_END}other = []\n");
    let out = render_features(&toml, &[m]).unwrap();
    assert!(
        out.starts_with(&format!(
            "[features]\n{FEATURES_BEGIN}default = [\"full\"]\nfull = [\"payments\", \"refunds\", "
        )),
        "{out}"
    );
    assert!(
        out.contains("\npayments = [\"patterns\"]\nrefunds = []\n"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("legacy = []\n{FEATURES_END}other = []\n")),
        "{out}"
    );
    assert!(!out.contains("old"), "{out}");
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

/// `gateway_spec` with a reply whose `data` is `data` (and `required` the
/// reply's required list).
fn with_reply(spec: &str, data: &str, required: &str) -> String {
    spec.replace(
        r#""responses":{}"#,
        &format!(
            r#""responses":{{"200":{{"schema":{{"type":"object","properties":{{"data":{data}}},"required":{required}}}}}}}"#
        ),
    )
}

fn render_spec(spec: &str) -> String {
    let spec: spec::Spec = serde_json::from_str(spec).unwrap();
    render(&model::build(&spec).unwrap(), "x").unwrap()
}

#[test]
fn reply_data_shapes() {
    let base = gateway_spec(r#"{"type":"object"}"#);
    let obj = r#"{"type":"object","properties":{"a":{"type":"string"}}}"#;
    let cases = [
        (
            with_reply(&base, obj, r#"["data"]"#),
            "type Response = TResponse;",
        ),
        (
            with_reply(&base, obj, "[]"),
            "type Response = Option<TResponse>;",
        ),
        (
            with_reply(
                &base,
                &obj.replace(r#""object""#, r#"["object","null"]"#),
                r#"["data"]"#,
            ),
            "type Response = Option<TResponse>;",
        ),
        (
            with_reply(&base, r#"{"type":"boolean"}"#, r#"["data"]"#),
            "type Response = bool;",
        ),
        (
            with_reply(&base, r#"{"type":"boolean"}"#, "[]"),
            "type Response = Option<bool>;",
        ),
        (
            with_reply(&base, r#"{"type":"object"}"#, r#"["data"]"#),
            "type Response = ::serde_json::Map<String, ::serde_json::Value>;",
        ),
        (base.clone(), "type Response = Option<::serde_json::Value>;"),
    ];
    for (spec, expected) in cases {
        let code = render_spec(&spec);
        assert!(code.contains(expected), "expected {expected}:\n{code}");
    }
}

#[test]
fn only_what_the_merchant_sends_is_validated() {
    let spec = with_reply(
        &gateway_spec(r#"{"type":"object","properties":{"s":{"type":"string","enum":["A"]}}}"#),
        r#"{"type":"object","properties":{"r":{"type":"string","maxLength":2,"pattern":"^x$"},
            "e":{"type":"string","enum":["B"]}},"required":["r"]}"#,
        r#"["data"]"#,
    );
    let code = render_spec(&spec);
    assert!(
        code.contains("impl ::payermax_types::Validate for TRequest "),
        "{code}"
    );
    assert!(
        code.contains("impl ::payermax_types::Validate for TS "),
        "{code}"
    );
    assert!(!code.contains("Validate for TResponse"), "{code}");
    assert!(!code.contains("Validate for TE "), "{code}");
    assert!(!code.contains("PATTERN"), "{code}");
    // Replies still get their constructors.
    assert!(code.contains("pub struct TResponseRequired {"), "{code}");
}

#[test]
fn helper_type_names_are_reserved() {
    let err = build_err(&gateway_spec(
        r#"{"type":"object","properties":{"a":{"type":"string"},"requestRequired":{"type":"string","enum":["X"]}},"required":["a"]}"#,
    ));
    assert!(err.contains("type name TRequestRequired is taken"), "{err}");
}

#[test]
fn inbound_kinds() {
    let inbound = |kind: &str, request: &str, responses: &str| {
        format!(
            r#"{{"formatVersion":2,"id":"t","operation":"t","title":"T","domain":"payments","direction":"inbound",
            "kind":"{kind}","api":"gateway","request":{request},"responses":{responses}}}"#
        )
    };
    let body = r#"{"contentType":"application/json","schema":{"type":"object","properties":{"a":{"type":"string","maxLength":1}},"required":["a"]}}"#;
    let answer = r#"{"200":{"schema":{"type":"object","properties":{"code":{"type":"string","maxLength":3}},"required":["code"]}}}"#;
    let code = render_spec(&inbound("sync-callback", body, answer));
    assert!(
        code.contains("impl ::payermax_types::SyncCallback for T {"),
        "{code}"
    );
    assert!(code.contains("type Answer = TAnswer;"), "{code}");
    assert!(
        code.contains("impl ::payermax_types::Validate for TAnswer "),
        "{code}"
    );
    assert!(!code.contains("Validate for TBody"), "{code}");
    let text = r#"{"contentType":"text/plain","schema":{"type":"string"}}"#;
    let code = render_spec(&inbound("redirect", text, "{}"));
    assert!(
        code.contains("impl ::payermax_types::Redirect for T {"),
        "{code}"
    );
    assert!(!code.contains("pub struct TBody"), "{code}");
    let err = build_err(&inbound("redirect", body, "{}"));
    assert!(
        err.contains("a redirect's request is `text/plain`"),
        "{err}"
    );
    let err = build_err(&inbound("sync-callback", body, "{}"));
    assert!(err.contains("without a 200 response"), "{err}");
}

#[test]
fn registry_and_coverage_list_every_spec() {
    let root = workspace_root();
    let mut modules = Vec::new();
    for path in json_files(&root.join("xtask/tests/fixtures")).unwrap() {
        modules.push(load(&path).unwrap());
    }
    let code = format_file(registry::registry(&modules)).unwrap();
    assert!(code.contains(r#"id: "openapi_shapes","#), "{code}");
    assert!(
        code.contains(r#"variant: Some("hosted-checkout"),"#),
        "{code}"
    );
    assert!(
        code.contains("visitor.visit::<::payermax_types::bool_reply::BoolReply>(&OPERATIONS[0]);"),
        "{code}"
    );
    assert!(code.contains("#[cfg(feature = \"disputes\")]"), "{code}");
    assert!(code.contains("pub fn visit_sync_callbacks"), "{code}");
    let readme = format!(
        "# x\n{}old\n{}tail\n",
        registry::COVERAGE_BEGIN,
        registry::COVERAGE_END
    );
    let out = registry::render_coverage(&readme, &modules).unwrap();
    assert!(out.starts_with("# x\n<!-- BEGIN"), "{out}");
    assert!(out.ends_with("<!-- END coverage -->\ntail\n"), "{out}");
    assert!(!out.contains("old"), "{out}");
    assert!(
        out.contains("| `openapi_shapes` | `openapiShapes` | OpenAPI shapes (generator fixture) (variant `hosted-checkout`) | `payments` | outbound | operation |"),
        "{out}"
    );
    // The "PayerMax name" column shows PayerMax's name for inbound specs
    // too (it showed the spec id before PAYERMAX_NAME existed).
    assert!(out.contains("| `redirect` | `pageReturn` |"), "{out}");
    assert!(registry::render_coverage("# no block\n", &modules).is_err());
}

// ---- regeneration: a change in PayerMax's document, end to end ----

mod regeneration {
    use std::fs;

    use crate::import::openapi::tests::{changed_lines, publish};
    use crate::import::tests::{TempDir, copy_dir};
    use crate::import::{apply_plan, plan, spec_dir};

    /// The files `cargo xtask codegen` writes for a workspace root, by path.
    fn generated(root: &std::path::Path) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        let mut dirs = vec![root.join("crates")];
        while let Some(d) = dirs.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    out.insert(rel, fs::read_to_string(&p).unwrap());
                }
            }
        }
        out.insert(
            "README.md".into(),
            fs::read_to_string(root.join("README.md")).unwrap(),
        );
        out
    }

    /// A workspace root holding a copy of spec/ and what codegen rewrites.
    fn scratch_root(name: &str) -> TempDir {
        let tmp = TempDir::new(name);
        let real = spec_dir();
        let real_root = real.parent().unwrap();
        let spec = tmp.0.join("spec");
        for sub in ["pages", "overlays", "openapi"] {
            fs::create_dir_all(spec.join(sub)).unwrap();
            copy_dir(&real.join(sub), &spec.join(sub));
        }
        copy_dir(&real, &spec);
        fs::create_dir_all(tmp.0.join("crates/payermax-types")).unwrap();
        fs::copy(
            real_root.join("crates/payermax-types/Cargo.toml"),
            tmp.0.join("crates/payermax-types/Cargo.toml"),
        )
        .unwrap();
        fs::copy(real_root.join("README.md"), tmp.0.join("README.md")).unwrap();
        crate::codegen::run(&tmp.0, false).unwrap();
        tmp
    }

    #[test]
    fn a_new_enum_value_is_exactly_that_change_in_the_generated_code() {
        let tmp = scratch_root("regen-code");
        let before = generated(&tmp.0);
        let spec = tmp.0.join("spec");
        let doc = fs::read_to_string(spec.join("openapi/api.json")).unwrap();
        let doc = doc.replacen(
            "\"REFUND_PENDING\\t\",\n                            \"REFUND_FAILED\"\n",
            "\"REFUND_PENDING\\t\",\n                            \"REFUND_FAILED\",\n\"REFUND_REVERSED\"\n",
            1,
        );
        assert!(doc.contains("REFUND_REVERSED"));
        publish(&spec, &doc);
        let p = plan(&spec, &[]).unwrap_or_else(|e| panic!("{}", e.join("\n")));
        apply_plan(&spec, &p, false).unwrap();
        crate::codegen::run(&tmp.0, false).unwrap();
        let after = generated(&tmp.0);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .collect();
        // The refund query module and the sandbox's data (which carries the
        // page-vs-document issue the new value raises), nothing else.
        assert_eq!(
            changed,
            [
                "crates/payermax-sandbox/src/generated/operations.json",
                "crates/payermax-types/src/generated/refund_query.rs"
            ],
            "{changed:?}"
        );
        let (old, new) = (
            &before["crates/payermax-types/src/generated/refund_query.rs"],
            &after["crates/payermax-types/src/generated/refund_query.rs"],
        );
        let (removed, added) = changed_lines(old, new);
        assert!(
            added.iter().any(|l| l.contains("RefundReversed")),
            "{added:?}"
        );
        assert!(
            added.iter().all(|l| l.contains("REFUND_REVERSED")
                || l.contains("RefundReversed")
                || l.starts_with("///")
                || l.is_empty()
                || l.starts_with("\"REFUND_")),
            "{added:?}"
        );
        let _ = removed;
    }
}

/// An outbound gateway spec `id` with request fields `fields` and the given
/// extra top-level keys (`retry`, `settledBy`).
fn retry_spec(id: &str, fields: &[&str], extra: &str) -> model::Module {
    let props: Vec<String> = fields
        .iter()
        .map(|f| format!(r#""{f}":{{"type":"string"}}"#))
        .collect();
    let text = format!(
        r#"{{"formatVersion":2,"id":"{id}","operation":"{id}Op","title":"T","domain":"payments","direction":"outbound",
        "method":"POST","api":"gateway","path":"/p/{id}","constants":{{"version":"1.5","keyVersion":"1"}}{extra},
        "request":{{"schema":{{"type":"object","properties":{{"data":{{"type":"object","properties":{{{}}}}}}}}}}},"responses":{{}}}}"#,
        props.join(",")
    );
    let spec: spec::Spec = serde_json::from_str(&text).unwrap();
    model::build(&spec).unwrap()
}

#[test]
fn retry_classes_become_descriptor_constants() {
    let query = retry_spec("q", &["no"], r#","retry":"read""#);
    let write = retry_spec(
        "w",
        &["outNo"],
        r#","retry":"write","settledBy":{"operation":"q","by":{"no":"outNo"}}"#,
    );
    let unclassified = retry_spec("u", &["a"], "");
    let mut modules = vec![query, write, unclassified];
    model::resolve_settlements(&mut modules).unwrap();
    let code: Vec<String> = modules.iter().map(|m| render(m, "x").unwrap()).collect();
    assert!(
        code[0].contains(
            "const RETRY: ::payermax_types::RetryClass = ::payermax_types::RetryClass::Read;"
        ),
        "{}",
        code[0]
    );
    assert!(!code[0].contains("SETTLED_BY"));
    assert!(code[1].contains("RetryClass::Write"), "{}", code[1]);
    assert!(
        code[1].contains(r#"operation: "qOp""#) && code[1].contains(r#"path: "/p/q""#),
        "{}",
        code[1]
    );
    assert!(
        code[1].contains(r#"query_field: "no""#) && code[1].contains(r#"request_field: "outNo""#),
        "{}",
        code[1]
    );
    // No `retry`: a write, the safe default.
    assert!(code[2].contains("RetryClass::Write"), "{}", code[2]);
}

#[test]
fn settled_by_must_name_a_read_taking_the_fields() {
    let cases = [
        (
            r#"{"operation":"nope","by":{"no":"outNo"}}"#,
            "no spec `nope`",
        ),
        (r#"{"operation":"w2","by":{"no":"outNo"}}"#, "not a read"),
        (
            r#"{"operation":"q","by":{"other":"outNo"}}"#,
            "has no request field `other`",
        ),
    ];
    for (settled, expected) in cases {
        let mut modules = vec![
            retry_spec("q", &["no"], r#","retry":"read""#),
            retry_spec("w2", &["no"], r#","retry":"write""#),
            retry_spec(
                "w",
                &["outNo"],
                &format!(r#","retry":"write","settledBy":{settled}"#),
            ),
        ];
        let e = model::resolve_settlements(&mut modules).unwrap_err();
        assert!(e.contains(expected) && e.contains("spec w"), "{e}");
    }
    // The write's own field must exist, and only a write is settled.
    let text = |extra: &str| {
        format!(
            r#"{{"formatVersion":2,"id":"w","operation":"w","title":"T","domain":"payments","direction":"outbound",
            "method":"POST","api":"gateway","path":"/p","constants":{{"version":"1.5","keyVersion":"1"}}{extra},
            "request":{{"schema":{{"type":"object","properties":{{"data":{{"type":"object","properties":{{"a":{{"type":"string"}}}}}}}}}}}},"responses":{{}}}}"#
        )
    };
    let e = build_err(&text(
        r#","retry":"write","settledBy":{"operation":"q","by":{"no":"missing"}}"#,
    ));
    assert!(e.contains("settledBy names `missing`"), "{e}");
    let e = build_err(&text(
        r#","retry":"read","settledBy":{"operation":"q","by":{"no":"a"}}"#,
    ));
    assert!(e.contains("settledBy is for writes"), "{e}");
    let e = build_err(&text(r#","retry":"sometimes""#));
    assert!(e.contains("unknown variant"), "{e}");
}

/// An outbound gateway spec with request fields `a` (string) and `n`
/// (integer), a reply `data` with `a`, `plan.no` and `n`, and `echo`.
fn echo_spec(echo: &str) -> String {
    format!(
        r#"{{"formatVersion":2,"id":"e","operation":"e","title":"T","domain":"payments","direction":"outbound",
        "method":"POST","api":"gateway","path":"/p","constants":{{"version":"1.5","keyVersion":"1"}},"retry":"read","echo":{echo},
        "request":{{"schema":{{"type":"object","properties":{{"data":{{"type":"object","properties":{{"a":{{"type":"string"}},"n":{{"type":"integer"}}}}}}}}}}}},
        "responses":{{"200":{{"schema":{{"type":"object","properties":{{"data":{{"type":"object","properties":{{
          "a":{{"type":["string","null"]}},"n":{{"type":"string"}},
          "plan":{{"type":"object","properties":{{"no":{{"type":"string"}}}}}}}}}}}}}}}}}}}}"#
    )
}

#[test]
fn echo_becomes_a_descriptor_constant() {
    let spec: spec::Spec = serde_json::from_str(&echo_spec(
        r#"[{"request":"a","reply":"a"},{"request":"a2","reply":"plan.no"}]"#,
    ))
    .unwrap();
    // `a2` is not a request field.
    assert!(
        model::build(&spec)
            .unwrap_err()
            .contains("echo a2 -> plan.no: not a top-level field of the request payload")
    );
    let spec: spec::Spec =
        serde_json::from_str(&echo_spec(r#"[{"request":"a","reply":"plan.no"}]"#)).unwrap();
    let code = render(&model::build(&spec).unwrap(), "x").unwrap();
    assert!(
        code.contains(r#"request_field: "a""#) && code.contains(r#"reply_field: "plan.no""#),
        "{code}"
    );
    // Without `echo`, the trait's default (none) stands.
    let spec: spec::Spec = serde_json::from_str(&echo_spec("[]")).unwrap();
    let code = render(&model::build(&spec).unwrap(), "x").unwrap();
    assert!(!code.contains("ECHO"), "{code}");
}

#[test]
fn echo_must_name_string_fields_of_both_sides() {
    let cases = [
        (
            r#"[{"request":"a","reply":"missing"}]"#,
            "not a field of the reply's `data`",
        ),
        (
            r#"[{"request":"a","reply":"plan.none"}]"#,
            "not a field of the reply's `data`",
        ),
        (
            r#"[{"request":"n","reply":"n"}]"#,
            "the request field is not a string",
        ),
        (
            r#"[{"request":"a","reply":"plan"}]"#,
            "the reply field is not a string",
        ),
        (
            r#"[{"request":"a","reply":"a"},{"request":"a","reply":"plan.no"}]"#,
            "echoed twice",
        ),
        (r#"[{"request":"a"}]"#, "missing field `reply`"),
    ];
    for (echo, expected) in cases {
        let e = build_err(&echo_spec(echo));
        assert!(e.contains(expected), "{echo}: {e}");
    }
    let inbound = echo_spec(r#"[{"request":"a","reply":"a"}]"#)
        .replace(r#""direction":"outbound""#, r#""direction":"inbound""#)
        .replace(r#""retry":"read","#, "");
    assert!(build_err(&inbound).contains("echo are for outbound operations"));
}
