//! Examples against their schema: every disagreement becomes a doc issue
//! with the decision the importer's rules give (spec/README.md):
//!
//! - `null` on a field that does not allow it: the field becomes nullable;
//! - a number or boolean where a string is declared, in what PayerMax sends:
//!   the field also accepts that JSON type (`x-accept`), keeping what came;
//!   in what the merchant sends: the schema wins (`example-wrong`: that
//!   example does not decode);
//! - a string where a number is declared: exact numbers read both forms and
//!   write the declared one;
//! - a member the schema lacks: trimmed spelling of a property: an alias;
//!   otherwise added as an optional property typed from the example;
//! - a required member the example lacks, in what PayerMax sends: optional;
//!   in what the merchant sends: the schema wins (`example-incomplete`: that
//!   example does not decode);
//! - enum values and lengths the example breaks: recorded.

use super::convert::{is_money, main_type, make_nullable};
use super::issues::Issues;
use crate::json::J;

/// Checks `ex` against `schema` (found at `at`), changing the schema as the
/// rules say. `sent_by_payermax`: the body is a reply or a notification.
pub fn reconcile(
    schema: &mut J,
    ex: &J,
    at: &str,
    name: &str,
    sent_by_payermax: bool,
    issues: &mut Issues,
) {
    let (main, nullable) = main_type(schema);
    let main = main.unwrap_or_default().to_owned();
    match ex {
        J::Null => {
            if !nullable {
                make_nullable(schema);
                issues.add(
                    "example-null",
                    at,
                    &format!(
                        "An example has `null` for this {main}, which the schema does not allow."
                    ),
                    "The field is nullable: `null` reads as absent.",
                );
            }
        }
        J::Obj(members) if main == "object" => {
            let free_form = schema
                .get("properties")
                .and_then(J::as_obj)
                .is_none_or(|p| p.is_empty());
            if free_form {
                return;
            }
            for (key, value) in members {
                let child_at = child(at, key);
                let target = property_for(schema, key);
                match target {
                    Some(prop) if prop == *key => {}
                    Some(prop) => {
                        add_alias(schema, &prop, key);
                        issues.add(
                            "example-name",
                            &child_at,
                            &format!("An example spells `{prop}` as {key:?}."),
                            "That spelling is accepted on input (x-aliases).",
                        );
                    }
                    None => {
                        let added = schema_of_example(key, name, value);
                        let kind = added.get("type").map(|t| t.kind()).unwrap_or("?");
                        let _ = kind;
                        if let Some(J::Obj(props)) = schema.get_mut("properties") {
                            props.push((key.trim().to_owned(), added));
                        }
                        issues.add(
                            "example-extra-field",
                            &child_at,
                            &format!("An example has `{key}`, which the schema does not list."),
                            "Added as an optional property typed from the example.",
                        );
                    }
                }
                let prop = property_for(schema, key).unwrap_or_default();
                if let Some(p) = schema.get_mut("properties").and_then(|p| p.get_mut(&prop)) {
                    reconcile(p, value, &child_at, &prop, sent_by_payermax, issues);
                }
            }
            let required: Vec<String> = schema
                .get("required")
                .and_then(J::as_arr)
                .unwrap_or(&[])
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            for r in required {
                let present = members
                    .iter()
                    .any(|(k, _)| property_for(schema, k).as_deref() == Some(r.as_str()));
                if present {
                    continue;
                }
                let r_at = child(at, &r);
                if sent_by_payermax {
                    if let Some(J::Arr(list)) = schema.get_mut("required") {
                        list.retain(|x| x.as_str() != Some(r.as_str()));
                        if list.is_empty() {
                            schema.remove("required");
                        }
                    }
                    issues.add(
                        "example-missing-required",
                        &r_at,
                        "Marked required, but PayerMax's own example of this message leaves it out.",
                        "Optional: a message without it still decodes.",
                    );
                } else {
                    issues.add(
                        "example-incomplete",
                        &r_at,
                        "Marked required, but the document's request example leaves it out.",
                        "The schema wins: the SDK requires it. The example is incomplete.",
                    );
                }
            }
        }
        J::Arr(items) if main == "array" => {
            if let Some(item_schema) = schema.get_mut("items") {
                for it in items {
                    reconcile(
                        item_schema,
                        it,
                        &format!("{at}[]"),
                        name,
                        sent_by_payermax,
                        issues,
                    );
                }
            }
        }
        J::Str(s) if main == "string" => {
            if let Some(values) = schema.get("enum").and_then(J::as_arr) {
                let aliases = schema.get("x-enum-aliases");
                let known = values.iter().any(|v| v.as_str() == Some(s.as_str()))
                    || aliases.and_then(J::as_obj).is_some_and(|a| {
                        a.iter().any(|(_, l)| {
                            l.as_arr()
                                .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(s.as_str())))
                        })
                    });
                if !known {
                    issues.add(
                        "example-enum",
                        at,
                        &format!("An example has {s:?}, which is not among the enum values."),
                        "Kept: unknown enum values are read into `Unknown` and written back unchanged.",
                    );
                }
            }
            if let Some(max) = schema.get("maxLength").and_then(|m| match m {
                J::Num(n) => n.as_i64(),
                _ => None,
            }) && s.chars().count() as i64 > max
            {
                issues.add(
                    "example-length",
                    at,
                    &format!(
                        "An example has {} characters, more than maxLength {max}.",
                        s.chars().count()
                    ),
                    "Recorded; maxLength is checked only in requests the merchant sends.",
                );
            }
        }
        J::Str(_) if main == "number" => issues.add(
            "example-type",
            at,
            "A number is declared; an example gives a string.",
            "Exact numbers read both forms and write the declared one (a JSON number).",
        ),
        J::Num(_) if main == "number" => {}
        J::Bool(_) if main == "boolean" => {}
        J::Num(_)
            if main == "string" && schema.get("format").and_then(J::as_str) == Some("decimal") =>
        {
            issues.add(
                "example-type",
                at,
                "An amount declared as a string; an example gives a JSON number.",
                "Amounts read both forms exactly and write the declared one (a string).",
            );
        }
        J::Num(_) | J::Bool(_) if main == "string" => {
            let kind = ex.kind();
            if sent_by_payermax {
                let mut accept: Vec<J> = schema
                    .get("x-accept")
                    .and_then(J::as_arr)
                    .map(<[J]>::to_vec)
                    .unwrap_or_default();
                if !accept.iter().any(|a| a.as_str() == Some(kind)) {
                    accept.push(J::str(kind));
                }
                schema.set("x-accept", J::Arr(accept));
                issues.add(
                    "example-type",
                    at,
                    &format!("A string is declared; PayerMax's example sends a {kind}."),
                    "Accepted as either (x-accept): the value keeps the JSON type it came with and is written back the same way.",
                );
            } else {
                issues.add(
                    "example-wrong",
                    at,
                    &format!(
                        "A string is declared; the document's request example gives a {kind}."
                    ),
                    "The schema wins: the SDK sends a string.",
                );
            }
        }
        other => issues.add(
            "example-wrong",
            at,
            &format!("A {main} is declared; an example gives a {}.", other.kind()),
            "The schema wins; the example does not decode as documented.",
        ),
    }
}

fn child(at: &str, key: &str) -> String {
    if at.ends_with(':') {
        format!("{at}{}", key.trim())
    } else {
        format!("{at}.{}", key.trim())
    }
}

/// The property a member `key` fills: by name, by alias, or by trimmed name.
fn property_for(schema: &J, key: &str) -> Option<String> {
    let props = schema.get("properties").and_then(J::as_obj)?;
    if props.iter().any(|(k, _)| k == key) {
        return Some(key.to_owned());
    }
    for (k, p) in props {
        if p.get("x-aliases")
            .and_then(J::as_arr)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(key)))
        {
            return Some(k.clone());
        }
    }
    let t = key.trim();
    props.iter().find(|(k, _)| k == t).map(|(k, _)| k.clone())
}

fn add_alias(schema: &mut J, prop: &str, alias: &str) {
    if let Some(p) = schema.get_mut("properties").and_then(|p| p.get_mut(prop)) {
        let mut list: Vec<J> = p
            .get("x-aliases")
            .and_then(J::as_arr)
            .map(<[J]>::to_vec)
            .unwrap_or_default();
        if !list.iter().any(|a| a.as_str() == Some(alias)) {
            list.push(J::str(alias));
        }
        p.set("x-aliases", J::Arr(list));
    }
}

/// The schema of a member only an example shows.
fn schema_of_example(key: &str, parent: &str, v: &J) -> J {
    let mut s = J::obj();
    let ty = match v {
        J::Str(_) => "string",
        J::Num(_) => "number",
        J::Bool(_) => "boolean",
        J::Arr(_) => "array",
        J::Obj(_) | J::Null => "object",
    };
    s.set("type", J::str(ty));
    if matches!(ty, "string" | "number") && is_money(key.trim(), parent) {
        s.set("format", J::str("decimal"));
    }
    if ty == "array" {
        let mut items = J::obj();
        items.set("type", J::str("object"));
        items.set("properties", J::obj());
        s.set("items", items);
    }
    if ty == "object" {
        s.set("properties", J::obj());
    }
    s.set(
        "description",
        J::str("Not in PayerMax's schema; shown in its example."),
    );
    s
}
