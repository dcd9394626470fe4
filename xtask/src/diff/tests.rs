//! `cargo xtask diff` on pairs of fixture documents (`super::cases`): the
//! base and a variant of it with one kind of change, each with the exact
//! expected changelog lines.

use super::cases::*;
use super::classify::{Change, Class};
use super::render;
use crate::json::J;
use crate::tempdir::TempDir;

/// The changes from the base document to the base edited by `edit`.
fn diff(edit: Edit) -> Vec<Change> {
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

fn expect(edit: Edit, expected: &[(Class, &str)]) {
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
    expect(unchanged, &[]);
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
        new_required_request_field,
        &[(
            Breaking,
            "- `refund` request `data.reason`: new required field (`RefundRequestRequired` gains `reason`, a literal without it stops compiling)",
        )],
    );
}

#[test]
fn a_new_optional_field_is_additive() {
    expect(
        new_optional_fields,
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
        removed_field,
        &[(
            Breaking,
            "- `refund` request `data.items`: removed (`RefundRequest.items` is gone)",
        )],
    );
}

#[test]
fn a_renamed_field_is_one_breaking_line() {
    expect(
        renamed_field,
        &[(
            Breaking,
            "- `refund` request `data.comments`: renamed to `remark` (`RefundRequest.comments` -> `RefundRequest.remark`)",
        )],
    );
}

#[test]
fn new_removed_and_renamed_operations() {
    expect(
        renamed_operation,
        &[(
            Breaking,
            "- `refund_query`: renamed to `refund_inquiry` (`refundQuery` -> `refundInquiry`): the module and its types are renamed",
        )],
    );
    expect(
        removed_notification,
        &[(
            Breaking,
            "- `refund_result_notify`: notification `refundResultNotifyUrl` removed",
        )],
    );
    expect(
        new_operation,
        &[(
            Additive,
            "- `refund_detail`: new operation `refundDetail` (feature `refunds`)",
        )],
    );
}

#[test]
fn a_narrower_type_is_breaking() {
    expect(
        narrower_type,
        &[(
            Breaking,
            "- `refund` request `data.items[].quantity`: type `Number` -> `i64`",
        )],
    );
}

#[test]
fn request_bounds_tightened_are_dangerous_widened_additive() {
    expect(
        request_bounds,
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
        reply_bound,
        &[(
            Docs,
            "- `refund` reply `data.refundTradeNo`: maxLength 64 -> 32: not checked in what PayerMax sends",
        )],
    );
}

#[test]
fn enum_values_added_are_additive_removed_breaking() {
    expect(
        enum_value_added,
        &[(
            Additive,
            "- `refund` reply `data.status`: enum value `REFUND_SUCCESS` added (`RefundStatus::RefundSuccess`, before: `Unknown(\"REFUND_SUCCESS\")`)",
        )],
    );
    expect(
        enum_value_removed,
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
        reply_field_optional,
        &[(
            Breaking,
            "- `refund` reply `data.refundTradeNo`: now optional: `String` -> `Option<String>` (PayerMax may leave it out)",
        )],
    );
}

#[test]
fn a_money_wire_form_change_is_dangerous() {
    expect(
        money_wire_form,
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
        new_version,
        &[(
            Dangerous,
            "- `refund`: default `version` 1.4 -> 1.5: every request now sends 1.5",
        )],
    );
}

#[test]
fn the_changelog_predicts_the_bumps() {
    let breaking = diff(removed_field);
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
    let additive = diff(new_optional_fields);
    let text = render::entry("t", &additive, "0.1.0").unwrap();
    assert!(
        text.contains("- payermax-types: 0.1.0 -> 0.1.1 (additive)"),
        "{text}"
    );
    assert!(text.contains("- payermax-http: unchanged"), "{text}");
    assert!(!text.contains("#### Breaking"), "{text}");
}
