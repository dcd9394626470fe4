//! The OpenAPI importer: its naming rules, its provenance check, and that a
//! change in the document becomes exactly that change in spec/.

use std::fs;

use super::*;
use crate::import::tests::{TempDir, copy_dir};
use crate::import::{apply_plan, plan, spec_dir};

#[test]
fn doc_tool_suffixes_never_reach_a_name() {
    let p =
        path_name("/aggregate-pay/api/gateway/orderAndPay(for-auth-caputre-dont-copy-me)").unwrap();
    assert_eq!(p.operation, "orderAndPay");
    assert!(p.outbound);
    assert_eq!(p.suffix.as_deref(), Some("(for-auth-caputre-dont-copy-me)"));
    let p = path_name("/aggregate-pay/api/gateway/orderAndPay/delSuffixStart1").unwrap();
    assert_eq!(
        (p.operation.as_str(), p.suffix.as_deref()),
        ("orderAndPay", Some("/delSuffixStart1"))
    );
    let p = path_name("/RefundResultNotifyUrl").unwrap();
    assert!(!p.outbound);
    assert_eq!(default_id(&p), "refund_result_notify");
    assert_eq!(
        default_id(&path_name("/aggregate-pay/api/gateway/applyDDC").unwrap()),
        "apply_ddc"
    );
    assert_eq!(
        default_id(&path_name("/aggregate-pay/api/gateway/InquireApplyRequest").unwrap()),
        "inquire_apply_request"
    );
    assert!(path_name("/aggregate-pay/api/gateway/a b").is_err());
}

#[test]
fn money_rule() {
    for (name, parent) in [
        ("totalAmount", ""),
        ("unitPrice", ""),
        ("initalBalance", ""),
        ("fee", ""),
        ("tax", ""),
        ("value", "trialAmount"),
        ("value", "fee"),
    ] {
        assert!(convert::is_money(name, parent), "{name} in {parent}");
    }
    for (name, parent) in [
        ("amountType", ""),
        ("value", "goods"),
        ("currency", "amount"),
        ("feeType", ""),
    ] {
        assert!(!convert::is_money(name, parent), "{name} in {parent}");
    }
}

#[test]
fn version_stated_in_prose() {
    assert_eq!(
        stated_version("接口版本 当前值为：1.4").as_deref(),
        Some("1.4")
    );
    assert_eq!(
        stated_version("API version. Current value: 1.5").as_deref(),
        Some("1.5")
    );
    assert_eq!(stated_version("接口版本"), None);
}

/// A copy of spec/ (document, overlays, pages) in a temporary folder.
fn scratch(name: &str) -> TempDir {
    let tmp = TempDir::new(name);
    let src = spec_dir();
    copy_dir(&src.join("pages"), &tmp.0.join("pages"));
    copy_dir(&src.join("overlays"), &tmp.0.join("overlays"));
    fs::create_dir_all(tmp.0.join("openapi")).unwrap();
    copy_dir(&src.join("openapi"), &tmp.0.join("openapi"));
    let p = plan(&tmp.0, &[]).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    apply_plan(&tmp.0, &p, false).unwrap();
    tmp
}

/// Replaces the document with `doc` and records its hash, as a maintainer does.
pub(crate) fn publish(dir: &std::path::Path, doc: &str) {
    fs::write(dir.join("openapi/api.json"), doc).unwrap();
    let readme = fs::read_to_string(dir.join("openapi/README.md")).unwrap();
    let old = readme
        .lines()
        .find(|l| l.starts_with("sha256: "))
        .unwrap()
        .to_owned();
    let readme = readme.replace(&old, &format!("sha256: {}", sha256_hex(doc.as_bytes())));
    fs::write(dir.join("openapi/README.md"), readme).unwrap();
}

#[test]
fn an_unrecorded_document_is_refused() {
    let tmp = scratch("provenance");
    let doc = fs::read_to_string(tmp.0.join("openapi/api.json")).unwrap();
    fs::write(
        tmp.0.join("openapi/api.json"),
        doc.replacen("退款查询", "退款查詢", 1),
    )
    .unwrap();
    let e = plan(&tmp.0, &[]).unwrap_err().join("\n");
    assert!(e.contains("records"), "{e}");
}

/// Lines that differ between two texts (a crude diff, enough to count).
pub(crate) fn changed_lines(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let o: Vec<&str> = old.lines().collect();
    let n: Vec<&str> = new.lines().collect();
    let removed = o
        .iter()
        .filter(|l| !n.contains(l))
        .map(|l| l.trim().to_owned())
        .collect();
    let added = n
        .iter()
        .filter(|l| !o.contains(l))
        .map(|l| l.trim().to_owned())
        .collect();
    (removed, added)
}

#[test]
fn a_change_in_the_document_is_exactly_that_change_in_spec() {
    let tmp = scratch("regen");
    let before: Vec<(String, String)> = fs::read_dir(&tmp.0)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    let doc = fs::read_to_string(tmp.0.join("openapi/api.json")).unwrap();
    // A new enum value, a changed bound, a new field, and a new operation.
    let doc = doc.replacen(
        "\"REFUND_PENDING\\t\",\n                            \"REFUND_FAILED\"\n",
        "\"REFUND_PENDING\\t\",\n                            \"REFUND_FAILED\",\n\"REFUND_REVERSED\"\n",
        1,
    );
    assert!(
        doc.contains("REFUND_REVERSED"),
        "the enum to change was not found"
    );
    let mut j = J::parse(&doc).unwrap();
    let data = j
        .get_mut("paths")
        .and_then(|p| p.get_mut("/aggregate-pay/api/gateway/exchangeQuery"))
        .and_then(|p| p.get_mut("post"))
        .and_then(|p| p.get_mut("requestBody"))
        .and_then(|p| p.get_mut("content"))
        .and_then(|p| p.get_mut("application/json"))
        .and_then(|p| p.get_mut("schema"))
        .and_then(|p| p.get_mut("properties"))
        .and_then(|p| p.get_mut("data"))
        .unwrap();
    let props = data.get_mut("properties").unwrap();
    let J::Obj(pairs) = props else { panic!() };
    let (first, schema) = pairs[0].clone();
    let max = schema.get("maxLength").cloned();
    let mut bumped = schema.clone();
    bumped.set("maxLength", J::Num(999u32.into()));
    pairs[0] = (first.clone(), bumped);
    let mut added = J::obj();
    added.set("type", J::str("string"));
    added.set("maxLength", J::Num(16u32.into()));
    pairs.push(("newField".into(), added));
    let paths = j.get_mut("paths").unwrap();
    let copy = paths
        .get("/aggregate-pay/api/gateway/exchangeQuery")
        .unwrap()
        .clone();
    if let J::Obj(p) = paths {
        p.push(("/aggregate-pay/api/gateway/exchangeCancel".into(), copy));
    }
    publish(&tmp.0, &j.to_pretty());
    let p = plan(&tmp.0, &[]).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    apply_plan(&tmp.0, &p, false).unwrap();
    let mut changed = Vec::new();
    for (name, old) in &before {
        let new = fs::read_to_string(tmp.0.join(name)).unwrap();
        if *old != new {
            changed.push((name.clone(), changed_lines(old, &new)));
        }
    }
    changed.sort();
    let names: Vec<&str> = changed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["exchange_query.json", "refund_query.json"],
        "{changed:#?}"
    );
    let (removed, added) = &changed[1].1;
    // The new value, and (the refund query page does not list it) a new
    // page-vs-document issue saying so.
    assert_eq!(removed, &["\"REFUND_FAILED\""], "{removed:?}");
    assert_eq!(added.len(), 4, "{added:?}");
    assert_eq!(added[..2], ["\"REFUND_FAILED\",", "\"REFUND_REVERSED\""]);
    assert_eq!(
        added[2],
        "\"id\": \"page-vs-document@response 200:data.status\","
    );
    assert!(added[3].contains("REFUND_REVERSED"), "{added:?}");
    let (removed, added) = &changed[0].1;
    assert_eq!(removed.len(), usize::from(max.is_some()), "{removed:?}");
    assert!(
        added.iter().any(|l| l == "\"maxLength\": 999,"),
        "{added:?}"
    );
    assert!(added.iter().any(|l| l == "\"newField\": {"), "{added:?}");
    // The new operation is a new spec.
    assert!(tmp.0.join("exchange_cancel.json").is_file());
}
