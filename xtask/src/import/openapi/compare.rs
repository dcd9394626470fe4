//! A doc page against the document, for an operation both describe.
//!
//! Rule: for the current gateway the OpenAPI document is the source (it is
//! PayerMax's machine-readable description, and its SDKs are generated from
//! it); the page is compared field by field and every disagreement is a doc
//! issue of kind `page-vs-document`. The page's English descriptions replace
//! the translations of the fields both describe (PayerMax's own English
//! beats ours). An overlay's constants and edits win over both.

use super::convert::main_type;
use super::issues::Issues;
use crate::json::J;

#[derive(Debug, PartialEq)]
struct Facts {
    ty: String,
    required: bool,
    values: Option<Vec<String>>,
    max_length: Option<String>,
}

fn flatten(s: &J, path: &str, required: bool, out: &mut Vec<(String, Facts)>) {
    let (ty, _) = main_type(s);
    let values = s.get("enum").and_then(J::as_arr).map(|v| {
        v.iter()
            .map(|x| match x {
                J::Str(s) => s.trim().to_owned(),
                other => serde_json::to_string(other).unwrap_or_default(),
            })
            .collect()
    });
    out.push((
        path.to_owned(),
        Facts {
            ty: ty.unwrap_or_default().to_owned(),
            required,
            values,
            max_length: s
                .get("maxLength")
                .map(|m| serde_json::to_string(m).unwrap_or_default()),
        },
    ));
    let req: Vec<&str> = s
        .get("required")
        .and_then(J::as_arr)
        .unwrap_or(&[])
        .iter()
        .filter_map(J::as_str)
        .collect();
    for (k, c) in s.get("properties").and_then(J::as_obj).unwrap_or(&[]) {
        flatten(c, &format!("{path}.{k}"), req.contains(&k.as_str()), out);
    }
    if let Some(items) = s.get("items") {
        flatten(items, &format!("{path}[]"), true, out);
    }
}

/// The schema at a flattened path (`data.a[].b`) under `root`.
fn at_mut<'a>(root: &'a mut J, path: &str) -> Option<&'a mut J> {
    let mut cur = root;
    for seg in path.split('.').skip(1) {
        let (name, items) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        cur = cur.get_mut("properties")?.get_mut(name)?;
        if items {
            cur = cur.get_mut("items")?;
        }
    }
    Some(cur)
}

fn compare_body(page: &J, doc: &mut J, target: &str, issues: &mut Issues) {
    let (Some(p), Some(d)) = (
        page.get("properties").and_then(|p| p.get("data")),
        doc.get("properties").and_then(|p| p.get("data")),
    ) else {
        return;
    };
    let mut pf = Vec::new();
    let mut df = Vec::new();
    flatten(p, "data", true, &mut pf);
    flatten(d, "data", true, &mut df);
    let decision = "The OpenAPI document wins (spec/README.md: page against document).";
    for (path, facts) in &pf {
        let at = format!("{target}:{path}");
        match df.iter().find(|(q, _)| q == path) {
            None => issues.add(
                "page-vs-document",
                &at,
                "The English page lists this field; the OpenAPI document does not.",
                decision,
            ),
            Some((_, dfacts)) => {
                let mut diffs = Vec::new();
                if facts.ty != dfacts.ty {
                    diffs.push(format!(
                        "type {} on the page, {} in the document",
                        facts.ty, dfacts.ty
                    ));
                }
                if facts.required != dfacts.required {
                    diffs.push(format!(
                        "{} on the page, {} in the document",
                        if facts.required {
                            "required"
                        } else {
                            "optional"
                        },
                        if dfacts.required {
                            "required"
                        } else {
                            "optional"
                        }
                    ));
                }
                if facts.values != dfacts.values {
                    diffs.push(format!(
                        "values {:?} on the page, {:?} in the document",
                        facts.values.clone().unwrap_or_default(),
                        dfacts.values.clone().unwrap_or_default()
                    ));
                }
                if facts.max_length != dfacts.max_length {
                    diffs.push(format!(
                        "maxLength {} on the page, {} in the document",
                        facts.max_length.as_deref().unwrap_or("none"),
                        dfacts.max_length.as_deref().unwrap_or("none")
                    ));
                }
                if !diffs.is_empty() {
                    issues.add(
                        "page-vs-document",
                        &at,
                        &format!("The page and the document disagree: {}.", diffs.join("; ")),
                        decision,
                    );
                }
                let page_text = at_mut_ref(p, path)
                    .and_then(|s| s.get("description"))
                    .cloned();
                if let (Some(text), Some(target)) = (page_text, at_mut(d_root(doc), path)) {
                    target.set("description", text);
                }
            }
        }
    }
    for (path, _) in &df {
        if !pf.iter().any(|(q, _)| q == path) {
            issues.add(
                "page-vs-document",
                &format!("{target}:{path}"),
                "The OpenAPI document lists this field; the English page does not.",
                decision,
            );
        }
    }
}

fn d_root(doc: &mut J) -> &mut J {
    doc.get_mut("properties")
        .and_then(|p| p.get_mut("data"))
        .expect("checked by compare_body")
}

fn at_mut_ref<'a>(root: &'a J, path: &str) -> Option<&'a J> {
    let mut cur = root;
    for seg in path.split('.').skip(1) {
        let (name, items) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        cur = cur.get("properties")?.get(name)?;
        if items {
            cur = cur.get("items")?;
        }
    }
    Some(cur)
}

/// Compares `page` (a spec imported from the page) with the document's
/// request and 200 reply schemas, recording disagreements.
pub fn page_against_document(
    page: &J,
    request: &mut J,
    reply: Option<&mut J>,
    constants: Option<&J>,
    issues: &mut Issues,
) {
    if let Some(p) = page.get("request").and_then(|r| r.get("schema")) {
        compare_body(p, request, "request", issues);
    }
    if let (Some(p), Some(r)) = (
        page.get("responses")
            .and_then(|r| r.get("200"))
            .and_then(|r| r.get("schema")),
        reply,
    ) {
        compare_body(p, r, "response 200", issues);
    }
    let page_version = page
        .get("request")
        .and_then(|r| r.get("examples"))
        .and_then(J::as_arr)
        .and_then(|e| e.first())
        .and_then(|e| e.get("version"))
        .and_then(J::as_str);
    let version = constants.and_then(|c| c.get("version")).and_then(J::as_str);
    if let (Some(p), Some(v)) = (page_version, version)
        && p != v
    {
        issues.add(
            "page-vs-document",
            "request:version",
            &format!("The page's example sends version {p:?}; the spec's constant is {v:?}."),
            "The constant (the overlay's decision, or else the document's example) is the default; callers can override it per operation.",
        );
    }
}
