//! One schema node of PayerMax's OpenAPI document to the spec's schema
//! subset, applying the importer's written rules (spec/README.md, "Importing
//! PayerMax's OpenAPI document"): `$ref`s resolved, names and enum values
//! trimmed (raw spellings kept as aliases), money marked `decimal`,
//! non-standard formats and keywords turned into decisions, descriptions in
//! English from the translations with the original kept.

use std::collections::BTreeMap;

use super::issues::Issues;
use crate::json::J;

/// Keywords of the document's schema nodes the importer understands; any
/// other is an error, so nothing is dropped unnoticed.
const KNOWN: [&str; 20] = [
    "type",
    "description",
    "title",
    "properties",
    "required",
    "items",
    "maxLength",
    "minLength",
    "pattern",
    "enum",
    "format",
    "examples",
    "deprecated",
    "default",
    "maxProperties",
    "minProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
    "$ref",
];

/// Keywords copied as they are.
const COPIED: [&str; 9] = [
    "maxLength",
    "minLength",
    "pattern",
    "maxProperties",
    "minProperties",
    "minItems",
    "maxItems",
    "uniqueItems",
    "examples",
];

/// Counters reported by the import (spec/openapi/IMPORT.md).
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub money_number: usize,
    pub money_string: usize,
    pub untranslated: Vec<String>,
    pub titles_dropped: usize,
    pub trimmed_names: usize,
    pub trimmed_enum_values: usize,
    pub refs: usize,
    pub free_form: usize,
    pub nullable: usize,
}

/// The converter: the whole document (for `$ref`s) and the translations.
pub struct Conv<'a> {
    pub doc: &'a J,
    pub translations: &'a BTreeMap<String, String>,
    pub stats: Stats,
}

/// Whether a property holds money: names ending in amount, price or
/// balance, `fee`, `tax`, and `value` inside an amount or fee object.
pub fn is_money(name: &str, parent: &str) -> bool {
    let l = name.to_ascii_lowercase();
    let p = parent.to_ascii_lowercase();
    l.ends_with("amount")
        || l.ends_with("price")
        || l.ends_with("balance")
        || l == "fee"
        || l == "tax"
        || (l == "value" && (p.ends_with("amount") || p.ends_with("fee")))
}

/// The declared type without `null`, and whether `null` is allowed.
pub fn main_type(s: &J) -> (Option<&str>, bool) {
    match s.get("type") {
        Some(J::Str(t)) => (Some(t), false),
        Some(J::Arr(ts)) => {
            let nullable = ts.iter().any(|t| t.as_str() == Some("null"));
            let main = ts.iter().filter_map(J::as_str).find(|t| *t != "null");
            (main, nullable)
        }
        _ => (None, false),
    }
}

/// Makes a schema accept `null` (a 3.1 type array).
pub fn make_nullable(s: &mut J) {
    if let (Some(t), false) = main_type(s) {
        let t = t.to_owned();
        s.set("type", J::Arr(vec![J::str(t), J::str("null")]));
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Conv<'_> {
    /// The English text of a document text, and the original when it differs.
    pub fn english(&mut self, raw: &str) -> (String, Option<String>) {
        let raw = raw.trim();
        match self.translations.get(raw) {
            Some(en) if en != raw => (en.clone(), Some(raw.to_owned())),
            Some(en) => (en.clone(), None),
            None => {
                if raw.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                    self.stats.untranslated.push(raw.to_owned());
                }
                (raw.to_owned(), None)
            }
        }
    }

    fn resolve(&mut self, node: &J, at: &str, issues: &mut Issues) -> Result<J, String> {
        let Some(reference) = node.get("$ref").and_then(J::as_str) else {
            return Ok(node.clone());
        };
        self.stats.refs += 1;
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| format!("{at}: unsupported $ref {reference}"))?;
        let name = percent_decode(name);
        let component = self
            .doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|c| c.get(&name))
            .ok_or_else(|| format!("{at}: $ref to missing component {name}"))?;
        let mut merged = component.clone();
        let mut differing = Vec::new();
        for (k, v) in node.as_obj().unwrap_or(&[]) {
            if k == "$ref" {
                continue;
            }
            if merged.get(k) != Some(v) {
                differing.push(format!("`{k}`"));
            }
            merged.set(k, v.clone());
        }
        if !differing.is_empty() {
            issues.add(
                "ref-siblings",
                at,
                &format!(
                    "`$ref` to component `{name}` has sibling keywords that differ from the component: {}.",
                    differing.join(", ")
                ),
                "Rule: the inline copy beside the `$ref` (what the operation documents) wins keyword by keyword; the component fills only the keywords the inline copy lacks.",
            );
        }
        Ok(merged)
    }

    /// Converts the schema `node` found at `at` (`request data.x`), the
    /// property `name` of an object that is itself named `parent`.
    pub fn node(
        &mut self,
        node: &J,
        at: &str,
        name: &str,
        parent: &str,
        issues: &mut Issues,
    ) -> Result<J, String> {
        let node = self.resolve(node, at, issues)?;
        let pairs = node
            .as_obj()
            .ok_or_else(|| format!("{at}: a schema must be an object"))?;
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Err(format!("{at}: unknown schema keyword `{k}`"));
        }
        let mut out = J::obj();
        // type
        let ty = match node.get("type") {
            Some(J::Str(t)) => J::str(t.as_str()),
            Some(J::Arr(ts)) => {
                let non_null: Vec<&J> = ts.iter().filter(|t| t.as_str() != Some("null")).collect();
                if non_null.len() != 1 {
                    return Err(format!("{at}: type union {ts:?} is not supported"));
                }
                self.stats.nullable += 1;
                J::Arr(vec![non_null[0].clone(), J::str("null")])
            }
            None if node.get("properties").is_some() => J::str("object"),
            None => return Err(format!("{at}: no `type`")),
            Some(other) => return Err(format!("{at}: `type` is {}", other.kind())),
        };
        out.set("type", ty);
        let (main, _) = main_type(&out);
        let main = main.unwrap_or_default().to_owned();
        // format
        match node.get("format").and_then(J::as_str) {
            None => {}
            Some("uri") => out.set("format", J::str("uri")),
            Some("20,2") => issues.add(
                "format-20-2",
                at,
                "`format: \"20,2\"` is not a JSON Schema format; it means DECIMAL(20,2).",
                "A money amount: `format: decimal` (exact decimal), the precision is not enforced.",
            ),
            Some(f) => issues.add(
                &format!("format-{f}"),
                at,
                &format!("`format: \"{f}\"` is not a JSON Schema format."),
                "Dropped; the value is a plain string.",
            ),
        }
        let money = matches!(main.as_str(), "number" | "string")
            && node.get("enum").is_none()
            && (is_money(name, parent) || node.get("format").and_then(J::as_str) == Some("20,2"));
        if money {
            out.set("format", J::str("decimal"));
            if main == "number" {
                self.stats.money_number += 1;
            } else {
                self.stats.money_string += 1;
            }
        }
        for k in COPIED {
            if let Some(v) = node.get(k) {
                if k == "examples" {
                    let list = v
                        .as_arr()
                        .map(<[J]>::to_vec)
                        .unwrap_or_else(|| vec![v.clone()]);
                    out.set(k, J::Arr(list));
                } else {
                    out.set(k, v.clone());
                }
            }
        }
        if let Some(d) = node.get("default") {
            issues.add(
                "default",
                at,
                &format!(
                    "`default: {}` is given (as {}, on a {main}).",
                    serde_json::to_string(d).unwrap_or_default(),
                    d.kind()
                ),
                "Not generated: the SDK sends only what the caller sets; PayerMax applies its own default.",
            );
        }
        // enum: values trimmed, raw spellings kept as aliases.
        if let Some(values) = node.get("enum").and_then(J::as_arr) {
            let mut clean: Vec<J> = Vec::new();
            let mut aliases: Vec<(String, J)> = Vec::new();
            for v in values {
                match v {
                    J::Str(raw) => {
                        let t = raw.trim().to_owned();
                        if t != *raw {
                            self.stats.trimmed_enum_values += 1;
                            match aliases.iter_mut().find(|(k, _)| *k == t) {
                                Some((_, J::Arr(list))) => list.push(J::str(raw.as_str())),
                                _ => aliases.push((t.clone(), J::Arr(vec![J::str(raw.as_str())]))),
                            }
                        }
                        if !clean.iter().any(|c| c.as_str() == Some(&t)) {
                            clean.push(J::str(t));
                        }
                    }
                    other => clean.push(other.clone()),
                }
            }
            if !aliases.is_empty() {
                let shown: Vec<String> = aliases
                    .iter()
                    .flat_map(|(_, v)| v.as_arr().unwrap_or(&[]).to_vec())
                    .map(|v| format!("{:?}", v.as_str().unwrap_or_default()))
                    .collect();
                issues.add(
                    "whitespace-enum",
                    at,
                    &format!("Enum values with surrounding whitespace: {}.", shown.join(", ")),
                    "Trimmed values are the wire values written; the raw spellings are accepted on input (x-enum-aliases).",
                );
                out.set("x-enum-aliases", J::Obj(aliases));
            }
            out.set("enum", J::Arr(clean));
        }
        // description (title when there is none), in English.
        let text = node
            .get("description")
            .and_then(J::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty());
        let title = node
            .get("title")
            .and_then(J::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty());
        if text.is_some() && title.is_some() {
            self.stats.titles_dropped += 1;
        }
        if let Some(raw) = text.or(title) {
            let (en, zh) = self.english(raw);
            out.set("description", J::str(en));
            if let Some(zh) = zh {
                out.set("x-description-zh", J::str(zh));
            }
        }
        if node.get("deprecated") == Some(&J::Bool(true)) {
            out.set("x-deprecated", J::Bool(true));
        }
        // properties
        if main == "object" {
            let props = node.get("properties").and_then(J::as_obj).unwrap_or(&[]);
            if props.is_empty() {
                self.stats.free_form += 1;
            }
            let mut out_props: Vec<(String, J)> = Vec::new();
            for (raw, child) in props {
                let trimmed = raw.trim().to_owned();
                let child_at = if at.ends_with(':') {
                    format!("{at}{trimmed}")
                } else {
                    format!("{at}.{trimmed}")
                };
                let mut c = self.node(child, &child_at, &trimmed, name, issues)?;
                if trimmed != *raw {
                    self.stats.trimmed_names += 1;
                    issues.add(
                        "whitespace-name",
                        &child_at,
                        &format!("The property name is {raw:?}, with whitespace; the examples use {trimmed:?}."),
                        "The trimmed name is the wire name written; the raw name is accepted on input (x-aliases).",
                    );
                    c.set("x-aliases", J::Arr(vec![J::str(raw.as_str())]));
                }
                if out_props.iter().any(|(k, _)| *k == trimmed) {
                    return Err(format!(
                        "{child_at}: two properties named {trimmed:?} after trimming"
                    ));
                }
                out_props.push((trimmed, c));
            }
            let bounds_met = !props.is_empty()
                && node
                    .get("maxProperties")
                    .and_then(|m| match m {
                        J::Num(n) => n.as_i64(),
                        _ => None,
                    })
                    .is_none_or(|m| m >= props.len() as i64)
                && node
                    .get("minProperties")
                    .and_then(|m| match m {
                        J::Num(n) => n.as_i64(),
                        _ => None,
                    })
                    .is_none_or(|m| m <= 0);
            if bounds_met
                && (node.get("maxProperties").is_some() || node.get("minProperties").is_some())
            {
                out.remove("maxProperties");
                out.remove("minProperties");
                issues.add(
                    "property-count-bounds",
                    at,
                    &format!(
                        "`maxProperties`/`minProperties` on an object that declares {} properties.",
                        props.len()
                    ),
                    "Always met by the declared properties: not generated.",
                );
            }
            if !props.is_empty() || node.get("properties").is_some() {
                out.set("properties", J::Obj(out_props.clone()));
            }
            if let Some(req) = node.get("required").and_then(J::as_arr) {
                let mut list = Vec::new();
                for r in req {
                    let r = r.as_str().unwrap_or_default().trim().to_owned();
                    if out_props.iter().any(|(k, _)| *k == r) {
                        if !list.contains(&J::str(r.as_str())) {
                            list.push(J::str(r));
                        }
                    } else {
                        issues.add(
                            "required-not-a-property",
                            at,
                            &format!("`required` names `{r}`, which is not a property."),
                            "Ignored.",
                        );
                    }
                }
                // Spec order: required in property order.
                list.sort_by_key(|r| {
                    out_props
                        .iter()
                        .position(|(k, _)| Some(k.as_str()) == r.as_str())
                });
                if !list.is_empty() {
                    out.set("required", J::Arr(list));
                }
            }
        }
        if main == "array" {
            let items = node
                .get("items")
                .ok_or_else(|| format!("{at}: array without items"))?;
            let items_at = format!("{at}[]");
            let i = self.node(items, &items_at, name, parent, issues)?;
            out.set("items", i);
        }
        Ok(out)
    }
}
