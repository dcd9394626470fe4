//! `spec/openapi/IMPORT.md`: what an import of the document read and did,
//! counted, so that each kind of dirt in PayerMax's document can be checked
//! against the analysis of it (NOTES.md beside the document's origin).

use std::collections::BTreeMap;

use super::Imported;
use super::convert::Stats;
use crate::json::J;

pub fn render(imported: &[Imported], stats: &Stats) -> String {
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut directions: BTreeMap<String, usize> = BTreeMap::new();
    let mut domains: BTreeMap<String, usize> = BTreeMap::new();
    for imp in imported {
        let dir = imp.spec.get("direction").and_then(J::as_str).unwrap_or("?");
        let kind = imp.spec.get("kind").and_then(J::as_str);
        let label = match kind {
            Some(k) => format!("{dir} ({k})"),
            None => dir.to_owned(),
        };
        *directions.entry(label).or_default() += 1;
        let domain = imp.spec.get("domain").and_then(J::as_str).unwrap_or("?");
        *domains.entry(domain.to_owned()).or_default() += 1;
        for issue in imp.spec.get("docIssues").and_then(J::as_arr).unwrap_or(&[]) {
            let k = issue
                .get("kind")
                .and_then(J::as_str)
                .unwrap_or("curated (overlay)");
            *by_kind.entry(k.to_owned()).or_default() += 1;
        }
    }
    let mut out = String::from(
        "# Import of PayerMax's OpenAPI document\n\n\
         Written by `cargo xtask import` (do not edit): what it read from `api.json` and what its rules did.\n\
         The rules are in `spec/README.md` (\"Importing PayerMax's OpenAPI document\"); each case is a doc issue,\n\
         with its decision, in the spec it concerns.\n\n",
    );
    out.push_str(&format!("Paths imported: {}\n\n", imported.len()));
    out.push_str("| direction | specs |\n| --- | --- |\n");
    for (k, n) in &directions {
        out.push_str(&format!("| {k} | {n} |\n"));
    }
    out.push_str("\n| domain | specs |\n| --- | --- |\n");
    for (k, n) in &domains {
        out.push_str(&format!("| {k} | {n} |\n"));
    }
    out.push_str("\n## Rules applied\n\n| rule | count |\n| --- | --- |\n");
    let rows = [
        (
            "money leaves declared `number` (exact decimal, written as a number)",
            stats.money_number,
        ),
        (
            "money leaves declared `string` (exact decimal, written as a string)",
            stats.money_string,
        ),
        (
            "property names trimmed (raw name accepted as an alias)",
            stats.trimmed_names,
        ),
        (
            "enum values trimmed (raw value accepted as an alias)",
            stats.trimmed_enum_values,
        ),
        ("`$ref`s resolved", stats.refs),
        ("free-form objects (kept as a JSON map)", stats.free_form),
        ("nullable type arrays read", stats.nullable),
        (
            "titles not used (the node has a description)",
            stats.titles_dropped,
        ),
        (
            "texts without an English translation",
            stats.untranslated.len(),
        ),
    ];
    for (label, n) in rows {
        out.push_str(&format!("| {label} | {n} |\n"));
    }
    out.push_str("\n## Doc issues recorded, by kind\n\n| kind | count |\n| --- | --- |\n");
    for (k, n) in &by_kind {
        out.push_str(&format!("| {k} | {n} |\n"));
    }
    if !stats.untranslated.is_empty() {
        out.push_str("\n## Texts without a translation (add them to translations.json)\n\n");
        let mut list = stats.untranslated.clone();
        list.sort();
        list.dedup();
        for t in list {
            out.push_str(&format!("- {}\n", t.replace('\n', " ")));
        }
    }
    out
}
