//! `cargo xtask update` on a fixture tree: a temporary copy of this
//! workspace's spec/ and generated files, given a changed copy of PayerMax's
//! real document.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::update;
use crate::codegen::workspace_root;
use crate::diff::cases::{REPLY_DATA, REQUEST_DATA, at};
use crate::json::J;
use crate::tempdir::{TempDir, copy_tree};

/// The files `update` reads and writes, copied from this workspace.
const TREE: &[&str] = &[
    "spec",
    "crates/payermax-types/src/generated",
    "crates/payermax-webhook/src/generated",
    "crates/payermax-sandbox/src/generated",
];
const FILES: &[&str] = &[
    "Cargo.toml",
    "README.md",
    "CHANGELOG.md",
    "crates/payermax-types/Cargo.toml",
];

fn fixture_tree() -> TempDir {
    let tmp = TempDir::new("update-test").unwrap();
    let root = workspace_root();
    for dir in TREE {
        copy_tree(&root.join(dir), &tmp.path().join(dir), &|_| true).unwrap();
    }
    for file in FILES {
        let to = tmp.path().join(file);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(root.join(file), to).unwrap();
    }
    tmp
}

/// Every file under `root`, by path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out);
    out
}

/// PayerMax's document edited by `edit`, written to a file in `dir`.
fn changed_document(dir: &Path, edit: impl FnOnce(&mut J)) -> PathBuf {
    let api = workspace_root().join("spec/openapi/api.json");
    let mut doc = J::parse(&fs::read_to_string(api).unwrap()).unwrap();
    edit(&mut doc);
    let path = dir.join("api-new.json");
    fs::write(&path, doc.to_pretty()).unwrap();
    path
}

/// The value at `keys` below the refund call.
fn refund<'a>(doc: &'a mut J, keys: &[&str]) -> &'a mut J {
    let call = at(doc, &["paths", "/aggregate-pay/api/gateway/refund", "post"]);
    at(call, keys)
}

#[test]
fn update_regenerates_writes_the_changelog_and_is_idempotent() {
    let tree = fixture_tree();
    let root = tree.path();
    let docs = TempDir::new("update-doc").unwrap();
    let doc = changed_document(docs.path(), |d| {
        let data = refund(d, REQUEST_DATA);
        let props = data.get_mut("properties").unwrap();
        props.set(
            "reason",
            J::parse(r#"{"type":"string","maxLength":64,"description":"退款原因（测试）"}"#)
                .unwrap(),
        );
        props
            .get_mut("outRefundNo")
            .unwrap()
            .set("maxLength", J::Num(32u64.into()));
        if let Some(J::Arr(r)) = data.get_mut("required") {
            r.push(J::str("reason"));
        }
    });

    let first = update(root, &doc, Some("test: the real document, edited")).unwrap();
    let entry = first.entry.expect("a changelog entry");
    // The new field's text has no English yet: the import keeps the
    // original and says so.
    assert_eq!(first.untranslated, 1);
    let breaking = "#### Breaking: code that compiled may not compile\n\n\
        - `refund` request `data.reason`: new required field (`RefundRequestRequired` gains `reason`, a literal without it stops compiling)\n";
    let dangerous = "#### Dangerous: compiles, but can break a running integration\n\n\
        - `refund` request `data.outRefundNo`: maxLength 64 -> 32: `validate()` now refuses values it accepted\n";
    assert!(entry.contains(breaking), "{entry}");
    assert!(entry.contains(dangerous), "{entry}");
    assert!(
        entry.contains("- payermax-types: 0.1.0 -> 0.2.0 (breaking)"),
        "{entry}"
    );
    // Exactly these two changes.
    assert_eq!(entry.matches("\n- `").count(), 2, "{entry}");

    // Vendored with its hash and provenance, imported, regenerated.
    let readme = fs::read_to_string(root.join("spec/openapi/README.md")).unwrap();
    let hash = crate::import::openapi::sha256_hex(&fs::read(&doc).unwrap());
    assert!(readme.contains(&format!("sha256: {hash}")), "{readme}");
    assert!(
        readme.contains("provenance: test: the real document, edited"),
        "{readme}"
    );
    let spec = fs::read_to_string(root.join("spec/refund.json")).unwrap();
    assert!(spec.contains("\"reason\""), "the spec was not imported");
    let generated =
        fs::read_to_string(root.join("crates/payermax-types/src/generated/refund.rs")).unwrap();
    assert!(generated.contains("pub reason: String,"), "not regenerated");
    let changelog = fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let unreleased = changelog
        .find("## Unreleased\n")
        .expect("Unreleased heading");
    assert!(changelog[unreleased..].contains(&entry), "{changelog}");

    // Running it again changes nothing.
    let before = snapshot(root);
    let second = update(root, &doc, Some("test: the real document, edited")).unwrap();
    assert_eq!(second.entry, None);
    assert_eq!(second.untranslated, 1);
    assert!(before == snapshot(root), "the second run changed files");

    // Its English added, the same command imports it; nothing changes for
    // users, so the changelog stays as it was.
    let path = root.join("spec/openapi/translations.json");
    let mut translations = J::parse(&fs::read_to_string(&path).unwrap()).unwrap();
    translations.set("退款原因（测试）", J::str("Refund reason (test)."));
    fs::write(&path, translations.to_pretty()).unwrap();
    let third = update(root, &doc, None).unwrap();
    assert_eq!((third.entry, third.untranslated), (None, 0));
    let spec = fs::read_to_string(root.join("spec/refund.json")).unwrap();
    assert!(spec.contains("Refund reason (test)."), "not re-imported");
    assert_eq!(
        fs::read_to_string(root.join("CHANGELOG.md")).unwrap(),
        changelog
    );
}

#[test]
fn update_refuses_a_document_whose_overlays_no_longer_apply() {
    let tree = fixture_tree();
    let root = tree.path();
    let docs = TempDir::new("update-doc").unwrap();
    // spec/overlays/refund.json sets the enum of the reply's `data.status`:
    // without the field, the edit no longer applies.
    let doc = changed_document(docs.path(), |d| {
        let data = refund(d, REPLY_DATA);
        at(data, &["properties"]).remove("status").unwrap();
    });
    let before = snapshot(root);
    let err = update(root, &doc, Some("test")).unwrap_err();
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("spec/overlays/refund.json"), "{err}");
    assert!(err.contains("data.status"), "{err}");
    assert!(before == snapshot(root), "a refused update wrote files");
}

#[test]
fn a_new_document_needs_its_provenance() {
    let tree = fixture_tree();
    let docs = TempDir::new("update-doc").unwrap();
    let doc = changed_document(docs.path(), |d| {
        refund(d, &["summary"]).clone_from(&J::str("Refund"));
    });
    let err = update(tree.path(), &doc, None).unwrap_err();
    assert!(err.contains("--from"), "{err}");
}
