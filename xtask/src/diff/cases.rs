//! The diff fixtures: `xtask/tests/diff/base.json` (a trimmed copy of
//! PayerMax's refund calls and refund notification) and the edits that make
//! each variant of it, one kind of change each. `diff::tests` checks the
//! changelog lines of each; `diff::semver_tests` checks the predicted bump
//! against cargo-semver-checks.

use std::path::PathBuf;

use crate::codegen::workspace_root;
use crate::json::J;

pub fn fixtures() -> PathBuf {
    workspace_root().join("xtask/tests/diff")
}

pub fn base() -> J {
    let path = fixtures().join("base.json");
    J::parse(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The keys from an operation to its request body's `data` schema.
pub const REQUEST_DATA: &[&str] = &[
    "requestBody",
    "content",
    "application/json",
    "schema",
    "properties",
    "data",
];
/// The keys from an operation to its reply's `data` schema.
pub const REPLY_DATA: &[&str] = &[
    "responses",
    "200",
    "content",
    "application/json",
    "schema",
    "properties",
    "data",
];

/// The value at `keys` below `doc`.
pub fn at<'a>(doc: &'a mut J, keys: &[&str]) -> &'a mut J {
    keys.iter().fold(doc, |j, k| {
        j.get_mut(k)
            .unwrap_or_else(|| panic!("no `{k}` in the fixture"))
    })
}

/// The POST operation of a gateway call, or of an inbound `...Url`.
pub fn path<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    let key = if name.ends_with("Url") {
        format!("/{name}")
    } else {
        format!("/aggregate-pay/api/gateway/{name}")
    };
    at(doc, &["paths", &key, "post"])
}

/// The request `data` schema of a path.
pub fn request<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    at(path(doc, name), REQUEST_DATA)
}

/// The reply `data` schema of an outbound path.
pub fn reply<'a>(doc: &'a mut J, name: &str) -> &'a mut J {
    at(path(doc, name), REPLY_DATA)
}

pub fn prop<'a>(schema: &'a mut J, name: &str) -> &'a mut J {
    at(schema, &["properties", name])
}

pub fn required(schema: &mut J) -> &mut Vec<J> {
    match at(schema, &["required"]) {
        J::Arr(v) => v,
        _ => panic!("required is not an array"),
    }
}

pub fn num(n: u64) -> J {
    J::Num(n.into())
}

pub fn parse(text: &str) -> J {
    J::parse(text).unwrap()
}

pub fn unchanged(_: &mut J) {}

pub fn new_required_request_field(d: &mut J) {
    let data = request(d, "refund");
    at(data, &["properties"]).set("reason", parse(r#"{"type":"string"}"#));
    required(data).push(J::str("reason"));
}

pub fn new_optional_fields(d: &mut J) {
    at(request(d, "refund"), &["properties"]).set("reason", parse(r#"{"type":"string"}"#));
    at(reply(d, "refund"), &["properties"]).set("refundTime", parse(r#"{"type":"string"}"#));
}

pub fn removed_field(d: &mut J) {
    at(request(d, "refund"), &["properties"]).remove("items");
}

pub fn renamed_field(d: &mut J) {
    let props = at(request(d, "refund"), &["properties"]);
    let comments = props.remove("comments").unwrap();
    props.set("remark", comments);
}

pub fn renamed_operation(d: &mut J) {
    let paths = at(d, &["paths"]);
    let query = paths
        .remove("/aggregate-pay/api/gateway/refundQuery")
        .unwrap();
    paths.set("/aggregate-pay/api/gateway/refundInquiry", query);
}

pub fn removed_notification(d: &mut J) {
    at(d, &["paths"]).remove("/refundResultNotifyUrl");
}

pub fn new_operation(d: &mut J) {
    let copy = at(d, &["paths", "/aggregate-pay/api/gateway/refundQuery"]).clone();
    at(d, &["paths"]).set("/aggregate-pay/api/gateway/refundDetail", copy);
    // Not the same fields: a new operation, not a rename.
    at(reply(d, "refundDetail"), &["properties"]).set("fee", parse(r#"{"type":"number"}"#));
}

pub fn narrower_type(d: &mut J) {
    let items = prop(request(d, "refund"), "items");
    prop(at(items, &["items"]), "quantity").set("type", J::str("integer"));
}

pub fn request_bounds(d: &mut J) {
    let data = request(d, "refund");
    prop(data, "outRefundNo").set("maxLength", num(32));
    prop(data, "refundCurrency").set("minLength", num(3));
    prop(data, "comments").set("maxLength", num(1024));
    prop(data, "refundCurrency").set("pattern", J::str("^[A-Z]{3}$"));
}

pub fn reply_bound(d: &mut J) {
    prop(reply(d, "refund"), "refundTradeNo").set("maxLength", num(32));
}

pub fn enum_value_added(d: &mut J) {
    prop(reply(d, "refund"), "status").set(
        "enum",
        parse(r#"["REFUND_PENDING","REFUND_SUCCESS","REFUND_FAILED"]"#),
    );
}

pub fn enum_value_removed(d: &mut J) {
    prop(request(d, "refundResultNotifyUrl"), "status").set("enum", parse(r#"["REFUND_SUCCESS"]"#));
}

pub fn reply_field_optional(d: &mut J) {
    required(reply(d, "refund")).retain(|r| r.as_str() != Some("refundTradeNo"));
}

pub fn money_wire_form(d: &mut J) {
    prop(request(d, "refund"), "refundAmount").set("type", J::str("string"));
    prop(reply(d, "refundQuery"), "refundAmount").set("type", J::str("string"));
}

pub fn new_version(d: &mut J) {
    let example = at(
        path(d, "refund"),
        &["requestBody", "content", "application/json", "example"],
    );
    example.set("version", J::str("1.5"));
}

pub type Edit = fn(&mut J);

/// Every case, named.
pub const CASES: &[(&str, Edit)] = &[
    ("no change", unchanged),
    ("new required request field", new_required_request_field),
    ("new optional fields", new_optional_fields),
    ("removed field", removed_field),
    ("renamed field", renamed_field),
    ("renamed operation", renamed_operation),
    ("removed notification", removed_notification),
    ("new operation", new_operation),
    ("narrower type", narrower_type),
    ("request bounds", request_bounds),
    ("reply bound", reply_bound),
    ("enum value added", enum_value_added),
    ("enum value removed", enum_value_removed),
    ("reply field made optional", reply_field_optional),
    ("money wire form", money_wire_form),
    ("new version", new_version),
];
