//! `cargo xtask diff` on pairs of fixture documents: `xtask/tests/diff/base.json`
//! (a trimmed copy of PayerMax's refund calls and refund notification) and
//! a variant of it with one kind of change, each with the exact expected
//! changelog lines.

use std::path::PathBuf;

use super::classify::{Change, Class};
use super::render;
use crate::codegen::workspace_root;
use crate::json::J;
use crate::tempdir::TempDir;

fn fixtures() -> PathBuf {
    workspace_root().join("xtask/tests/diff")
}

fn base() -> J {
    let path = fixtures().join("base.json");
    J::parse(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The keys from an operation to its request body's `data` schema.
pub(crate) const REQUEST_DATA: &[&str] = &[
    "requestBody",
    "content",
    "application/json",
    "schema",
    "properties",
    "data",
];
/// The keys from an operation to its reply's `data` schema.
pub(crate) const REPLY_DATA: &[&str] = &[
    "responses",
    "200",
    "content",
    "application/json",
    "schema",
    "properties",
    "data",
];

/// The value at `keys` below `doc`.
pub(crate) fn at<'a>(doc: &'a mut J, keys: &[&str]) -> &'a mut J {
    keys.iter().fold(doc, |j, k| {
        j.get_mut(k)
            .unwrap_or_else(|| panic!("no `{k}` in the fixture"))
    })
}

fn path<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    let key = if name.ends_with("Url") {
        format!("/{name}")
    } else {
        format!("/aggregate-pay/api/gateway/{name}")
    };
    at(doc, &["paths", &key, "post"])
}

/// The request `data` schema of a path.
fn request<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    at(path(doc, name), REQUEST_DATA)
}

/// The reply `data` schema of an outbound path.
fn reply<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    at(path(doc, name), REPLY_DATA)
}

fn prop<'a>(schema: &'a mut J, name: &str) -> &'a mut J {
    at(schema, &["properties", name])
}

fn required(schema: &mut J) -> &mut Vec<J> {
    match at(schema, &["required"]) {
        J::Arr(v) => v,
        _ => panic!("required is not an array"),
    }
}

fn num(n: u64) -> J {
    J::Num(n.into())
}

fn parse(text: &str) -> J {
    J::parse(text).unwrap()
}

/// The changes from the base document to the base edited by `edit`.
fn diff(edit: impl FnOnce(&mut J)) -> Vec<Change> {
    let mut doc = base();
    edit(&mut doc);
    let tmp = TempDir::new("diff-test").unwrap();
    let new = tmp.path().join("new.json");
    std::fs::write(&new, doc.to_pretty()).unwrap();
    super::diff_paths(
        &fixtures().join("base.json"),
        &new,
        &fixtures().join("spec"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn lines(changes: &[Change]) -> Vec<(Class, String)> {
    changes.iter().map(|c| (c.class, c.line())).collect()
}

fn expect(edit: impl FnOnce(&mut J), expected: &[(Class, &str)]) {
    let got = lines(&diff(edit));
    let want: Vec<(Class, String)> = expected
        .iter()
        .map(|(c, l)| (*c, (*l).to_owned()))
        .collect();
    assert_eq!(got, want);
}

use Class::{Additive, Breaking, Dangerous, Docs};

#[test]
fn the_same_document_changes_nothing() {
    expect(|_| {}, &[]);
    // Texts are not API: a new description changes no line.
    expect(
        |d| {
            prop(request(d, "refund"), "comments").set("description", J::str("Why."));
        },
        &[],
    );
}

#[test]
fn a_new_required_request_field_is_breaking() {
    expect(
        |d| {
            let data = request(d, "refund");
            at(data, &["properties"]).set("reason", parse(r#"{"type":"string"}"#));
            required(data).push(J::str("reason"));
        },
        &[(
            Breaking,
            "- `refund` request `data.reason`: new required field (`RefundRequestRequired` gains `reason`, a literal without it stops compiling)",
        )],
    );
}

#[test]
fn a_new_optional_field_is_additive() {
    expect(
        |d| {
            at(request(d, "refund"), &["properties"]).set("reason", parse(r#"{"type":"string"}"#));
            at(reply(d, "refund"), &["properties"])
                .set("refundTime", parse(r#"{"type":"string"}"#));
        },
        &[
            (
                Additive,
                "- `refund` request `data.reason`: new optional field `reason` (String)",
            ),
            (
                Additive,
                "- `refund` reply `data.refundTime`: new optional field `refund_time` (String)",
            ),
        ],
    );
}

#[test]
fn a_removed_field_is_breaking_once_with_its_children() {
    expect(
        |d| {
            at(request(d, "refund"), &["properties"]).remove("items");
        },
        &[(
            Breaking,
            "- `refund` request `data.items`: removed (`RefundRequest.items` is gone)",
        )],
    );
}

#[test]
fn a_renamed_field_is_one_breaking_line() {
    expect(
        |d| {
            let props = at(request(d, "refund"), &["properties"]);
            let comments = props.remove("comments").unwrap();
            props.set("remark", comments);
        },
        &[(
            Breaking,
            "- `refund` request `data.comments`: renamed to `remark` (`RefundRequest.comments` -> `RefundRequest.remark`)",
        )],
    );
}

#[test]
fn new_removed_and_renamed_operations() {
    expect(
        |d| {
            let paths = at(d, &["paths"]);
            let query = paths
                .remove("/aggregate-pay/api/gateway/refundQuery")
                .unwrap();
            paths.set("/aggregate-pay/api/gateway/refundInquiry", query);
        },
        &[(
            Breaking,
            "- `refund_query`: renamed to `refund_inquiry` (`refundQuery` -> `refundInquiry`): the module and its types are renamed",
        )],
    );
    expect(
        |d| {
            at(d, &["paths"]).remove("/refundResultNotifyUrl");
        },
        &[(
            Breaking,
            "- `refund_result_notify`: notification `refundResultNotifyUrl` removed",
        )],
    );
    expect(
        |d| {
            let copy = at(d, &["paths", "/aggregate-pay/api/gateway/refundQuery"]).clone();
            at(d, &["paths"]).set("/aggregate-pay/api/gateway/refundDetail", copy);
            // Not the same fields: a new operation, not a rename.
            at(reply(d, "refundDetail"), &["properties"]).set("fee", parse(r#"{"type":"number"}"#));
        },
        &[(
            Additive,
            "- `refund_detail`: new operation `refundDetail` (feature `refunds`)",
        )],
    );
}

#[test]
fn a_narrower_type_is_breaking() {
    expect(
        |d| {
            let items = prop(request(d, "refund"), "items");
            prop(at(items, &["items"]), "quantity").set("type", J::str("integer"));
        },
        &[(
            Breaking,
            "- `refund` request `data.items[].quantity`: type `Number` -> `i64`",
        )],
    );
}

#[test]
fn request_bounds_tightened_are_dangerous_widened_additive() {
    expect(
        |d| {
            let data = request(d, "refund");
            prop(data, "outRefundNo").set("maxLength", num(32));
            prop(data, "refundCurrency").set("minLength", num(3));
            prop(data, "comments").set("maxLength", num(1024));
            prop(data, "refundCurrency").set("pattern", J::str("^[A-Z]{3}$"));
        },
        &[
            (
                Dangerous,
                "- `refund` request `data.outRefundNo`: maxLength 64 -> 32: `validate()` now refuses values it accepted",
            ),
            (
                Dangerous,
                "- `refund` request `data.refundCurrency`: minLength none -> 3: `validate()` now refuses values it accepted",
            ),
            (
                Dangerous,
                "- `refund` request `data.refundCurrency`: pattern none -> `^[A-Z]{3}$`: `validate()` now refuses values it accepted",
            ),
            (
                Additive,
                "- `refund` request `data.comments`: maxLength 512 -> 1024: `validate()` accepts more",
            ),
        ],
    );
}

#[test]
fn reply_bounds_are_documentation_only() {
    expect(
        |d| {
            prop(reply(d, "refund"), "refundTradeNo").set("maxLength", num(32));
        },
        &[(
            Docs,
            "- `refund` reply `data.refundTradeNo`: maxLength 64 -> 32: not checked in what PayerMax sends",
        )],
    );
}

#[test]
fn enum_values_added_are_additive_removed_breaking() {
    expect(
        |d| {
            prop(reply(d, "refund"), "status").set(
                "enum",
                parse(r#"["REFUND_PENDING","REFUND_SUCCESS","REFUND_FAILED"]"#),
            );
        },
        &[(
            Additive,
            "- `refund` reply `data.status`: enum value `REFUND_SUCCESS` added (`RefundStatus::RefundSuccess`, before: `Unknown(\"REFUND_SUCCESS\")`)",
        )],
    );
    expect(
        |d| {
            prop(request(d, "refundResultNotifyUrl"), "status")
                .set("enum", parse(r#"["REFUND_SUCCESS"]"#));
        },
        &[(
            Breaking,
            "- `refund_result_notify` body `data.status`: enum value `REFUND_FAILED` removed (`RefundResultNotifyDataStatus::RefundFailed` is gone; the value would arrive as `Unknown`)",
        )],
    );
}

#[test]
fn a_reply_field_made_optional_breaks_compilation_here() {
    // The issue lists it among the changes that compile; the generated
    // field becomes `Option<T>`, so here the compiler flags every reader.
    expect(
        |d| {
            required(reply(d, "refund")).retain(|r| r.as_str() != Some("refundTradeNo"));
        },
        &[(
            Breaking,
            "- `refund` reply `data.refundTradeNo`: now optional: `String` -> `Option<String>` (PayerMax may leave it out)",
        )],
    );
}

#[test]
fn a_money_wire_form_change_is_dangerous() {
    expect(
        |d| {
            prop(request(d, "refund"), "refundAmount").set("type", J::str("string"));
            prop(reply(d, "refundQuery"), "refundAmount").set("type", J::str("string"));
        },
        &[
            (
                Dangerous,
                "- `refund` request `data.refundAmount`: money wire form a JSON number -> a JSON string: the SDK now sends it as a JSON string",
            ),
            (
                Dangerous,
                "- `refund_query` reply `data.refundAmount`: money wire form a JSON number -> a JSON string: both forms are read; written back as a JSON string",
            ),
        ],
    );
}

#[test]
fn a_new_version_is_dangerous() {
    expect(
        |d| {
            let example = at(
                path(d, "refund"),
                &["requestBody", "content", "application/json", "example"],
            );
            example.set("version", J::str("1.5"));
        },
        &[(
            Dangerous,
            "- `refund`: default `version` 1.4 -> 1.5: every request now sends 1.5",
        )],
    );
}

#[test]
fn the_changelog_predicts_the_bumps() {
    let breaking = diff(|d| {
        at(request(d, "refund"), &["properties"]).remove("items");
    });
    let text = render::entry("t", &breaking, "0.1.0").unwrap();
    assert!(
        text.contains("- payermax-types: 0.1.0 -> 0.2.0 (breaking)"),
        "{text}"
    );
    assert!(
        text.contains("- payermax-http: 0.1.0 -> 0.2.0 (breaking)"),
        "{text}"
    );
    assert!(
        text.contains(
            "#### Breaking: code that compiled may not compile\n\n- `refund` request `data.items`"
        ),
        "{text}"
    );
    let additive = diff(|d| {
        at(request(d, "refund"), &["properties"]).set("reason", parse(r#"{"type":"string"}"#));
    });
    let text = render::entry("t", &additive, "0.1.0").unwrap();
    assert!(
        text.contains("- payermax-types: 0.1.0 -> 0.1.1 (additive)"),
        "{text}"
    );
    assert!(text.contains("- payermax-http: unchanged"), "{text}");
    assert!(!text.contains("#### Breaking"), "{text}");
}
