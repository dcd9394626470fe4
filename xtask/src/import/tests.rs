//! Importer tests on small synthetic pages (fixtures/) and on spec/ itself.

use std::fs;
use std::path::{Path, PathBuf};

use super::overlay;
use super::*;

const NESTED: &str = include_str!("fixtures/nested.txt");
const NOTIFY_MD: &str = include_str!("fixtures/refund-notify-v2.1.md");

fn import(page: &str) -> J {
    import_with(page, None)
}

fn import_with(page: &str, overlay_text: Option<&str>) -> J {
    let parsed = overlay_text.map(|t| overlay::parse(t).unwrap());
    let named = parsed.as_ref().map(|o| NamedOverlay {
        file: "x.json",
        overlay: o,
    });
    let (_, json) = build_spec("page.txt", page, named).unwrap();
    J::parse(&json).unwrap()
}

fn import_err(page: &str, overlay_text: Option<&str>) -> String {
    let parsed = overlay_text.map(|t| overlay::parse(t).unwrap());
    let named = parsed.as_ref().map(|o| NamedOverlay {
        file: "x.json",
        overlay: o,
    });
    build_spec("page.txt", page, named).unwrap_err()
}

/// Follows a path of object keys.
fn at<'a>(j: &'a J, path: &[&str]) -> &'a J {
    path.iter().fold(j, |node, key| {
        node.get(key)
            .unwrap_or_else(|| panic!("no `{key}` in {}", node.to_pretty()))
    })
}

fn prop<'a>(schema: &'a J, dotted: &str) -> &'a J {
    dotted.split('.').fold(schema, |node, name| match name {
        "[]" => at(node, &["items"]),
        _ => at(node, &["properties", name]),
    })
}

fn strs(j: &J) -> Vec<String> {
    j.as_arr()
        .unwrap()
        .iter()
        .map(|v| match v {
            J::Str(s) => s.clone(),
            other => serde_json::to_string(other).unwrap(),
        })
        .collect()
}

#[test]
fn top_level_fields_description_tags_headers() {
    let spec = import(NESTED);
    assert_eq!(at(&spec, &["id"]), &J::str("order_and_pay"));
    assert_eq!(at(&spec, &["operation"]), &J::str("orderAndPay"));
    assert_eq!(at(&spec, &["title"]), &J::str("Create Order"));
    assert_eq!(
        at(&spec, &["description"]),
        &J::str("创建订单并支付。Amounts are in yuan.\n\nSecond paragraph.")
    );
    assert_eq!(
        strs(at(&spec, &["tags"])),
        vec!["Collection Service", "收银台"]
    );
    assert_eq!(
        at(&spec, &["path"]),
        &J::str("/aggregate-pay/api/gateway/orderAndPay")
    );
    assert_eq!(at(&spec, &["direction"]), &J::str("outbound"));
    assert_eq!(at(&spec, &["api"]), &J::str("gateway"));
    let headers = at(&spec, &["headers"]).as_arr().unwrap();
    assert_eq!(headers.len(), 3);
    assert_eq!(
        at(&headers[1], &["description"]),
        &J::str("签名信息请参考技术文档")
    );
    assert_eq!(at(&headers[1], &["example"]), &J::str("c2lnbg=="));
    assert_eq!(at(&headers[2], &["required"]), &J::Bool(false));
    assert!(headers[2].get("example").is_none());
    assert_eq!(
        at(&spec, &["source"]),
        &J::parse(r#"{"page": "pages/page.txt"}"#).unwrap()
    );
}

#[test]
fn nesting_arrays_types_and_constraints() {
    let spec = import(NESTED);
    let req = at(&spec, &["request", "schema"]);
    assert_eq!(strs(at(req, &["required"])), vec!["version", "data"]);
    let data = prop(req, "data");
    assert_eq!(at(data, &["description"]), &J::str("请求数据"));
    assert_eq!(
        strs(at(data, &["required"])),
        vec!["totalAmount", "currency"]
    );
    assert_eq!(
        at(prop(req, "data.totalAmount"), &["type"]),
        &J::str("number")
    );
    let currency = prop(req, "data.currency");
    assert_eq!(
        currency,
        &J::parse(
            r#"{"type": "string", "maxLength": 3, "minLength": 3, "pattern": "^[A-Z]{3}$",
                "description": "ISO 4217 currency code"}"#
        )
        .unwrap()
    );
    assert_eq!(
        at(prop(req, "data.stringField"), &["type"]),
        &J::str("string")
    );
    // `items[].name` creates the items object of array `items`.
    let items = prop(req, "data.items");
    assert_eq!(at(items, &["type"]), &J::str("array"));
    assert_eq!(at(items, &["items", "type"]), &J::str("object"));
    assert_eq!(
        strs(at(items, &["items", "required"])),
        vec!["name", "quantity"]
    );
    assert_eq!(
        at(prop(req, "data.items.[].quantity"), &["type"]),
        &J::str("integer")
    );
    assert_eq!(
        at(prop(req, "data.items.[].name"), &["maxLength"]),
        &J::Num(64.into())
    );
    // `tags[]` describes the items of `tags`, enum glued to Chinese text.
    let tag = prop(req, "data.tags.[]");
    assert_eq!(at(tag, &["description"]), &J::str("One label of 标签"));
    assert_eq!(strs(at(tag, &["enum"])), vec!["LOW", "HIGH"]);
    assert_eq!(at(prop(req, "data.capture"), &["type"]), &J::str("boolean"));
    // Key order follows the page.
    let names: Vec<&str> = at(data, &["properties"])
        .as_obj()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "totalAmount",
            "currency",
            "stringField",
            "items",
            "tags",
            "capture",
            "payer"
        ]
    );
    // The example is kept verbatim, Chinese included.
    let example = &at(&spec, &["request", "examples"]).as_arr().unwrap()[0];
    assert_eq!(
        at(example, &["data", "items"]).as_arr().unwrap()[0].get("name"),
        Some(&J::str("茶"))
    );
}

#[test]
fn enums_from_table_and_enum_reference() {
    let spec = import(NESTED);
    let req = at(&spec, &["request", "schema"]);
    // Only in the Enum Reference.
    assert_eq!(
        strs(at(prop(req, "data.payer.kind"), &["enum"])),
        vec!["PERSON", "COMPANY"]
    );
    let ok = at(&spec, &["responses", "200", "schema"]);
    // Table (SUCCESS, PENDING) merged with the Enum Reference (adds FAILED).
    let status = prop(ok, "data.status");
    assert_eq!(at(status, &["description"]), &J::str("Order status"));
    assert_eq!(
        strs(at(status, &["enum"])),
        vec!["SUCCESS", "PENDING", "FAILED"]
    );
    // Numeric Enum Reference values on an integer field are numbers.
    assert_eq!(
        at(prop(ok, "data.level"), &["enum"]),
        &J::Arr(vec![J::Num(1.into()), J::Num(2.into())])
    );
}

#[test]
fn several_response_codes() {
    let spec = import(NESTED);
    let responses = at(&spec, &["responses"]).as_obj().unwrap();
    let codes: Vec<&str> = responses.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(codes, ["200", "400"]);
    let bad = at(&spec, &["responses", "400", "schema"]);
    assert_eq!(
        strs(at(prop(bad, "code"), &["enum"])),
        vec!["PARAMS_INVALID", "SIGN_VERIFY_FAILED"]
    );
    assert_eq!(at(prop(bad, "msg"), &["description"]), &J::str("错误信息"));
    assert_eq!(
        at(&spec, &["responses", "400", "examples"]),
        &J::parse(r#"[{"code": "PARAMS_INVALID", "msg": "参数错误"}]"#).unwrap()
    );
}

#[test]
fn markdown_pipe_layout_imports_like_the_text_layout() {
    let text = fs::read_to_string(spec_dir().join("pages/refund-notify-v2.1.txt")).unwrap();
    let overlay_text =
        fs::read_to_string(spec_dir().join("overlays/legacy_refund_notify.json")).unwrap();
    let mut from_text = import_with(&text, Some(&overlay_text));
    let mut from_md = import_with(NOTIFY_MD, Some(&overlay_text));
    from_text.remove("source");
    from_md.remove("source");
    assert_eq!(from_md.to_pretty(), from_text.to_pretty());
}

#[test]
fn inbound_overlay_has_no_path() {
    let overlay_text = r#"{"page": "page.txt", "id": "notify", "direction": "inbound"}"#;
    let spec = import_with(NOTIFY_MD, Some(overlay_text));
    assert!(spec.get("path").is_none());
    assert_eq!(at(&spec, &["direction"]), &J::str("inbound"));
    let with_path = r#"{"page": "page.txt", "id": "notify", "direction": "inbound", "path": "/x"}"#;
    let e = import_err(NOTIFY_MD, Some(with_path));
    assert!(e.contains("an inbound operation has no path"), "{e}");
}

#[test]
fn overlay_edits_set_unset_required_add_remove() {
    let overlay_text = r#"{
  "page": "page.txt",
  "id": "create_order",
  "operation": "orderAndPay",
  "constants": { "version": "1.5" },
  "edits": [
    { "in": "request", "field": "data.totalAmount", "set": { "format": "decimal", "x-aliases": ["amount"] } },
    { "in": "request", "field": "data.currency", "unset": ["pattern"], "required": false },
    { "in": "request", "field": "data.items[].sku", "add": { "type": "string", "description": "SKU" }, "required": true },
    { "in": "request", "field": "data.stringField", "remove": true },
    { "in": "response 200", "field": "data.level", "set": { "x-enum-names": ["Low", "High"] } },
    { "in": "response 400", "field": "", "set": { "description": "An error" } }
  ],
  "docIssues": [ { "id": "x", "description": "d", "decision": "e" } ]
}"#;
    let spec = import_with(NESTED, Some(overlay_text));
    assert_eq!(at(&spec, &["id"]), &J::str("create_order"));
    assert_eq!(at(&spec, &["constants", "version"]), &J::str("1.5"));
    let req = at(&spec, &["request", "schema"]);
    let amount = prop(req, "data.totalAmount");
    let keys: Vec<&str> = amount
        .as_obj()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        keys,
        ["type", "format", "x-aliases", "description"],
        "canonical order"
    );
    assert!(prop(req, "data.currency").get("pattern").is_none());
    assert_eq!(
        strs(at(prop(req, "data"), &["required"])),
        vec!["totalAmount"]
    );
    assert_eq!(
        strs(at(prop(req, "data.items"), &["items", "required"])),
        vec!["name", "quantity", "sku"]
    );
    assert!(
        at(prop(req, "data"), &["properties"])
            .get("stringField")
            .is_none()
    );
    let level = prop(at(&spec, &["responses", "200", "schema"]), "data.level");
    assert_eq!(strs(at(level, &["x-enum-names"])), vec!["Low", "High"]);
    assert_eq!(
        at(&spec, &["responses", "400", "schema", "description"]),
        &J::str("An error")
    );
    assert_eq!(
        at(&spec, &["source", "overlay"]),
        &J::str("overlays/x.json")
    );
}

// ---- malformed input: clear errors naming file and line ----

#[test]
fn page_without_endpoint() {
    let page = NESTED.replace(
        "  • Endpoint: POST /aggregate-pay/api/gateway/orderAndPay\n",
        "",
    );
    let e = import_err(&page, None);
    assert_eq!(
        e,
        "spec/pages/page.txt:3: no `Endpoint: METHOD /path` line after the title `Create Order`"
    );
}

#[test]
fn row_that_cannot_be_split() {
    let page = NESTED.replace(
        "data.capturebooleanNoCapture at once",
        "data.capture flag, see text",
    );
    let e = import_err(&page, None);
    assert!(
        e.starts_with("spec/pages/page.txt:41: cannot split row `data.capture flag, see text`"),
        "{e}"
    );
}

#[test]
fn broken_example() {
    let page = NESTED.replace("\"currency\": \"IDR\",", "\"currency\": IDR,");
    let e = import_err(&page, None);
    assert!(
        e.starts_with("spec/pages/page.txt:52: broken JSON example"),
        "{e}"
    );
}

#[test]
fn row_whose_parent_is_missing() {
    let page = NESTED.replace("data.payerobjectNoPayer\n", "");
    let e = import_err(&page, None);
    assert!(
        e.starts_with("spec/pages/page.txt:42: `data.payer.kind`: no field `data.payer` in `data`"),
        "{e}"
    );
}

#[test]
fn enum_reference_naming_an_unknown_field() {
    let page = NESTED.replace(
        "data.payer.kind\n\n  • PERSON",
        "data.payer.sort\n\n  • PERSON",
    );
    let e = import_err(&page, None);
    assert!(
        e.starts_with(
            "spec/pages/page.txt:99: Enum Reference names `data.payer.sort`, which no table has"
        ),
        "{e}"
    );
}

#[test]
fn unknown_section_text_and_duplicate_fields() {
    let page = NESTED.replace(
        "Second paragraph.\n\nParameters",
        "Second paragraph.\n\nParameters\n\nsome note",
    );
    let e = import_err(&page, None);
    assert!(
        e.starts_with("spec/pages/page.txt:16: unexpected text `some note`"),
        "{e}"
    );
    let page = NESTED.replace(
        "data.capturebooleanNoCapture at once",
        "data.currencybooleanNo",
    );
    let e = import_err(&page, None);
    assert!(
        e.contains(":41: `data.currency`: field `currency` of `data` is listed twice"),
        "{e}"
    );
}

#[test]
fn overlay_addressing_a_missing_field() {
    let overlay_text = r#"{
  "page": "page.txt",
  "id": "x",
  "edits": [
    { "in": "request", "field": "data.totalAmount", "set": { "format": "decimal" } },
    { "in": "response 200", "field": "data.refundAmount", "set": { "format": "decimal" } }
  ]
}"#;
    let e = import_err(NESTED, Some(overlay_text));
    assert_eq!(
        e,
        "spec/overlays/x.json:6: edit of `data.refundAmount` in response 200: no field `data.refundAmount` in `data`"
    );
}

#[test]
fn overlay_edits_that_change_nothing_or_break_rules() {
    let cases = [
        (
            r#"{ "in": "request", "field": "data.capture", "required": false }"#,
            "the field is already optional on the page; drop `required`",
        ),
        (
            r#"{ "in": "request", "field": "version", "set": { "type": "string" } }"#,
            "`set` of `type` changes nothing",
        ),
        (
            r#"{ "in": "response 500", "field": "code", "set": { "format": "decimal" } }"#,
            "the page has no response 500 table",
        ),
        (
            r#"{ "in": "request", "field": "data.items.name", "set": { "format": "decimal" } }"#,
            "`data.items` is an array: address its items as `data.items[].name`",
        ),
        (
            r#"{ "in": "request", "field": "data", "set": { "x-one-of": [ { "name": "A", "fields": ["nope", "currency"] } ] } }"#,
            "x-one-of names `nope`, which is not a property",
        ),
        (
            r#"{ "in": "response 200", "field": "data.level", "set": { "x-enum-names": ["One"] } }"#,
            "x-enum-names has 1 names for 2 enum values",
        ),
    ];
    for (edit, expected) in cases {
        let overlay_text = format!(r#"{{"page": "page.txt", "id": "x", "edits": [{edit}]}}"#);
        let e = import_err(NESTED, Some(&overlay_text));
        assert!(e.contains(expected), "{edit}: {e}");
        assert!(e.starts_with("spec/overlays/x.json"), "{e}");
    }
}

#[test]
fn malformed_overlays() {
    let cases = [
        ("{", "line 1: not valid JSON"),
        (r#"{"page": "p.txt"}"#, "has no `id`"),
        (r#"{"page": "p.txt", "id": "Bad-Id"}"#, "is not snake_case"),
        (
            r#"{"page": "p.txt", "id": "x", "colour": 1}"#,
            "unknown overlay key `colour`",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "api": "v3"}"#,
            "api `v3` is neither",
        ),
        (
            "{\"page\": \"p.txt\", \"id\": \"x\", \"edits\": [\n{\"in\": \"request\", \"field\": \"a\"}\n]}",
            "line 2: edits[0]: the edit changes nothing",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "edits": [{"in": "request", "field": "a", "set": {"properties": {}}}]}"#,
            "`set` of `properties`: only",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "docIssues": [{"id": "a", "description": "b"}]}"#,
            "docIssues[0] must be",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "idempotent"}"#,
            "retry `idempotent` is neither `read` nor `write`",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "direction": "inbound", "retry": "read"}"#,
            "`retry` is for outbound operations",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "read", "settledBy": {"operation": "q", "by": {"a": "a"}}}"#,
            "`settledBy` needs",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "settledBy": {"operation": "q", "by": {"a": "a"}}}"#,
            "`settledBy` needs",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "write", "settledBy": {"operation": "refundQuery", "by": {"a": "a"}}}"#,
            "is not a spec id",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "write", "settledBy": {"operation": "q", "by": {}}}"#,
            "`by` names at least one field",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "write", "settledBy": {"operation": "q", "by": ["a"]}}"#,
            "`settledBy` is {",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "retry": "write", "settledBy": {"operation": "q", "by": {"a": "a"}, "extra": 1}}"#,
            "`settledBy` is {",
        ),
        (r#"{"page": "p.txt", "id": "x", "echo": []}"#, "`echo` is ["),
        (
            r#"{"page": "p.txt", "id": "x", "echo": [{"request": "a"}]}"#,
            "`echo` is [",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "echo": [{"request": "a", "reply": ""}]}"#,
            "`echo` is [",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "echo": [{"request": "a", "reply": "a", "also": 1}]}"#,
            "`echo` is [",
        ),
        (
            r#"{"page": "p.txt", "id": "x", "direction": "inbound", "echo": [{"request": "a", "reply": "a"}]}"#,
            "`echo` is for outbound operations",
        ),
    ];
    for (text, expected) in cases {
        let e = overlay::parse(text).unwrap_err();
        assert!(e.contains(expected), "{text}: {e}");
    }
}

/// Every spec file of the repository (`spec/*.json`), parsed.
fn repository_specs() -> Vec<J> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut specs = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            specs.push(J::parse(&fs::read_to_string(&path).unwrap()).unwrap());
        }
    }
    specs
}

/// Every outbound spec of the repository has a decided retry class, every
/// query is a read, and the money-moving writes name the query settling them.
#[test]
fn every_outbound_spec_has_a_retry_class() {
    let mut outbound = 0;
    for spec in repository_specs() {
        let id = spec.get("id").and_then(J::as_str).unwrap().to_owned();
        if spec.get("direction").and_then(J::as_str) != Some("outbound") {
            assert!(spec.get("retry").is_none(), "{id}: inbound with retry");
            continue;
        }
        outbound += 1;
        let retry = spec
            .get("retry")
            .and_then(J::as_str)
            .unwrap_or_else(|| panic!("{id}: no retry class decided"));
        let op = spec.get("operation").and_then(J::as_str).unwrap();
        let lower = op.to_ascii_lowercase();
        if lower.contains("query")
            || lower.contains("qry")
            || lower.starts_with("inquire")
            || lower == "casesearch"
        {
            assert_eq!(retry, "read", "{id}: a query");
        }
        let settled = spec
            .get("settledBy")
            .and_then(|s| s.get("operation"))
            .and_then(J::as_str);
        let expected = match op {
            "refund" | "refundApply" => Some("refund_query"),
            "orderAndPay" | "capture" | "cancel" | "confirmPayment" => Some("order_query"),
            "paymentOrderPay" => Some("payment_order_qry"),
            "exchange" => Some("exchange_query"),
            "subscriptionCreate" | "subscriptionCancel" => Some("subscription_query"),
            _ => None,
        };
        if let Some(q) = expected {
            assert_eq!(retry, "write", "{id}");
            assert_eq!(settled, Some(q), "{id}");
        }
    }
    assert_eq!(outbound, 40);
}

// ---- whole spec folders ----

pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("xtask-import-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("pages")).unwrap();
        fs::create_dir_all(dir.join("overlays")).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// `cargo xtask import --check` as a test: spec/ is what pages + overlays produce.
#[test]
fn spec_folder_is_up_to_date() {
    let dir = spec_dir();
    let plan = plan(&dir, &[]).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    assert!(plan.specs.len() >= 3);
    if let Err(e) = apply_plan(&dir, &plan, true) {
        panic!("{}", e.join("\n\n"));
    }
}

/// Deleting every spec file and re-importing reproduces them byte for byte.
#[test]
fn reimport_from_scratch_reproduces_the_committed_specs() {
    let tmp = TempDir::new("scratch");
    copy_dir(&spec_dir().join("pages"), &tmp.0.join("pages"));
    copy_dir(&spec_dir().join("overlays"), &tmp.0.join("overlays"));
    fs::create_dir_all(tmp.0.join("openapi")).unwrap();
    copy_dir(&spec_dir().join("openapi"), &tmp.0.join("openapi"));
    let plan = plan(&tmp.0, &[]).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    apply_plan(&tmp.0, &plan, false).unwrap();
    let mut count = 0;
    for (name, _) in &plan.specs {
        let committed = fs::read(spec_dir().join(name)).unwrap();
        let fresh = fs::read(tmp.0.join(name)).unwrap();
        assert!(committed == fresh, "{name} differs after re-import");
        count += 1;
    }
    // 57 paths of the OpenAPI document and the 2 legacy pages.
    assert_eq!(count, 59);
    // A second run writes nothing and check mode agrees.
    assert!(apply_plan(&tmp.0, &plan, true).is_ok());
}

#[test]
fn adding_a_page_stale_specs_and_all_or_nothing() {
    let tmp = TempDir::new("add");
    let incoming = tmp.0.join("nested.txt");
    fs::write(&incoming, NESTED).unwrap();
    let plan1 = plan(&tmp.0, std::slice::from_ref(&incoming)).unwrap();
    assert_eq!(
        plan1.pages,
        vec![("nested.txt".to_owned(), NESTED.to_owned())]
    );
    apply_plan(&tmp.0, &plan1, false).unwrap();
    assert_eq!(
        fs::read_to_string(tmp.0.join("pages/nested.txt")).unwrap(),
        NESTED
    );
    assert!(tmp.0.join("order_and_pay.json").exists());

    // A spec no page produces is stale: reported in check mode, deleted otherwise.
    fs::write(tmp.0.join("gone.json"), "{}\n").unwrap();
    let plan2 = plan(&tmp.0, &[]).unwrap();
    assert_eq!(plan2.stale, vec!["gone.json"]);
    let e = apply_plan(&tmp.0, &plan2, true).unwrap_err().join("\n");
    assert!(e.contains("gone.json is stale"), "{e}");
    apply_plan(&tmp.0, &plan2, false).unwrap();
    assert!(!tmp.0.join("gone.json").exists());

    // One bad page: every error reported, nothing planned, nothing written.
    fs::write(tmp.0.join("pages/bad.txt"), "Title only\n").unwrap();
    fs::write(
        tmp.0.join("overlays/orphan.json"),
        r#"{"page": "missing.txt", "id": "orphan"}"#,
    )
    .unwrap();
    fs::remove_file(tmp.0.join("order_and_pay.json")).unwrap();
    let errors = plan(&tmp.0, &[]).unwrap_err();
    let all = errors.join("\n");
    assert!(
        all.contains("spec/pages/bad.txt:1: no `Endpoint: METHOD /path` line"),
        "{all}"
    );
    assert!(
        all.contains("spec/overlays/orphan.json: page `missing.txt` is not in spec/pages/"),
        "{all}"
    );
    assert!(!tmp.0.join("order_and_pay.json").exists());
}

/// Truncated and mangled pages give errors or specs, never panics.
#[test]
fn mangled_pages_never_panic() {
    let mut pages = vec![NESTED.to_owned(), NOTIFY_MD.to_owned()];
    for name in ["refund-inquiry.txt", "refund-request-v2.1.txt"] {
        pages.push(fs::read_to_string(spec_dir().join("pages").join(name)).unwrap());
    }
    let mut runs = 0;
    for page in &pages {
        let cuts: Vec<usize> = page.char_indices().map(|(i, _)| i).step_by(13).collect();
        for cut in cuts {
            let _ = build_spec("p.txt", &page[..cut], None);
            runs += 1;
        }
        let lines: Vec<&str> = page.lines().collect();
        for skip in 0..lines.len() {
            let mut without = lines.clone();
            without.remove(skip);
            let _ = build_spec("p.txt", &without.join("\n"), None);
            let mut doubled = lines.clone();
            doubled.insert(skip, lines[skip]);
            let _ = build_spec("p.txt", &doubled.join("\n"), None);
            runs += 2;
        }
    }
    assert!(runs > 1000, "{runs}");
}

/// A third page, not a seed: the current gateway's refund notification,
/// whose Enum cells repeat the end of their descriptions.
#[test]
fn gateway_refund_notification_page() {
    let spec = import(include_str!("fixtures/gateway-refund-notify.txt"));
    assert_eq!(at(&spec, &["id"]), &J::str("refund_result_notify_url"));
    let req = at(&spec, &["request", "schema"]);
    let notify_type = prop(req, "notifyType");
    assert_eq!(
        at(notify_type, &["description"]),
        &J::str("notify type: REFUND")
    );
    assert_eq!(strs(at(notify_type, &["enum"])), vec!["REFUND"]);
    let status = prop(req, "data.status");
    assert_eq!(
        at(status, &["description"]),
        &J::str("Refund status:REFUND_SUCCESS, REFUND_FAILED")
    );
    assert_eq!(
        strs(at(status, &["enum"])),
        vec!["REFUND_SUCCESS", "REFUND_FAILED"]
    );
    let time = prop(req, "notifyTime");
    assert!(time.get("enum").is_none(), "{}", time.to_pretty());
    assert_eq!(
        prop(req, "data").get("required").map(|r| strs(r).len()),
        Some(7)
    );
    assert_eq!(
        at(&spec, &["responses", "200", "examples"]),
        &J::parse(r#"[{"code": "SUCCESS", "msg": "Success"}]"#).unwrap()
    );
}

/// Every outbound spec whose reply `data` carries back one of the request's
/// identifiers (a field of the same name in both, from the list below)
/// declares it in `echo`, so that payermax-http refuses a reply to another
/// request; and `echo` names nothing else.
#[test]
fn every_echoed_identifier_is_declared() {
    const IDENTIFIERS: &[&str] = &[
        "outTradeNo",
        "outRefundNo",
        "refundTradeNo",
        "requestId",
        "merchantLinkId",
        "subscriptionRequestId",
        "subscriptionNo",
        "refundId",
        "orderId",
        "caseId",
        "tradeToken",
        "referenceNo",
        "paymentTokenID",
        "userId",
    ];
    let mut declared = 0;
    for spec in repository_specs() {
        if spec.get("direction").and_then(J::as_str) != Some("outbound") {
            continue;
        }
        let id = spec.get("id").and_then(J::as_str).unwrap().to_owned();
        let body = spec.get("request").and_then(|r| r.get("schema")).unwrap();
        let payload = match spec.get("api").and_then(J::as_str) {
            Some("gateway") => body.get("properties").and_then(|p| p.get("data")).unwrap(),
            _ => body,
        };
        let reply = spec
            .get("responses")
            .and_then(|r| r.get("200"))
            .and_then(|r| r.get("schema"))
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get("data"));
        let has = |schema: Option<&J>, f: &str| {
            schema
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(f))
                .is_some()
        };
        let echo: Vec<(String, String)> = spec
            .get("echo")
            .and_then(J::as_arr)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let s = |k| e.get(k).and_then(J::as_str).unwrap().to_owned();
                (s("request"), s("reply"))
            })
            .collect();
        declared += echo.len();
        for f in IDENTIFIERS {
            if has(Some(payload), f) && has(reply, f) {
                assert!(
                    echo.iter().any(|(r, back)| r == f && back == f),
                    "{id}: the reply echoes `{f}`; declare it in the overlay's `echo`"
                );
            }
        }
        for (r, _) in &echo {
            assert!(
                IDENTIFIERS.contains(&r.as_str()),
                "{id}: `{r}` is not an identifier"
            );
        }
    }
    assert!(declared >= 30, "{declared}");
}
