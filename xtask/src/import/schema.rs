//! Body schemas (JSON Schema subset) built from table rows, addressed by
//! dotted field paths, and put in canonical key order.

use super::openapi::convert::main_type;
use super::page::Body;
use super::row::{Constraint, Row};
use crate::json::J;

/// Keywords a schema object may hold, in the order they are written.
pub const KEYWORD_ORDER: [&str; 24] = [
    "type",
    "format",
    "maxLength",
    "minLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "enum",
    "x-enum-names",
    "x-enum-aliases",
    "x-aliases",
    "x-accept",
    "x-rust-name",
    "description",
    "x-description-zh",
    "examples",
    "properties",
    "items",
    "required",
    "x-one-of",
    "x-deprecated",
];

/// Keywords an overlay may `set` or `unset` (structure keywords are changed
/// through `add`, `remove` and `required` instead).
pub const SETTABLE: [&str; 15] = [
    "type",
    "format",
    "maxLength",
    "minLength",
    "pattern",
    "enum",
    "x-enum-names",
    "x-enum-aliases",
    "x-aliases",
    "x-accept",
    "x-rust-name",
    "description",
    "examples",
    "x-one-of",
    "x-deprecated",
];

/// The schema of one row, without children.
fn row_schema(row: &Row) -> Result<J, String> {
    let mut s = J::obj();
    s.set("type", J::str(&row.ty));
    for c in &row.constraints {
        match c {
            Constraint::MaxLength(n) => s.set("maxLength", J::Num((*n).into())),
            Constraint::MinLength(n) => s.set("minLength", J::Num((*n).into())),
            Constraint::Pattern(p) => s.set("pattern", J::str(p)),
        }
    }
    if !row.enum_values.is_empty() {
        s.set("enum", enum_values(&row.ty, &row.enum_values)?);
    }
    if !row.description.is_empty() {
        s.set("description", J::str(&row.description));
    }
    Ok(s)
}

/// Enum values typed after the field: numbers for number/integer fields.
fn enum_values(ty: &str, values: &[String]) -> Result<J, String> {
    let typed = values
        .iter()
        .map(|v| match ty {
            "number" | "integer" => {
                // Kept as written: a JSON number token, an integer for integer fields.
                let n = match J::parse(v) {
                    Ok(J::Num(n)) if ty == "number" || n.is_i64() => Some(n),
                    _ => None,
                };
                n.map(J::Num)
                    .ok_or_else(|| format!("enum value `{v}` is not a valid {ty}"))
            }
            "string" => Ok(J::str(v)),
            other => Err(format!("enum values on a field of type {other}")),
        })
        .collect::<Result<Vec<J>, String>>()?;
    Ok(J::Arr(typed))
}

/// One step of a field path: a property name, then whether `[]` follows.
fn segments(path: &str) -> Vec<(&str, bool)> {
    path.split('.')
        .map(|seg| match seg.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (seg, false),
        })
        .collect()
}

/// The schema at `path` (`""` is the root), creating `{type: object}` items
/// for an array whose items are reached first through `a[].b` when
/// `create_items`.
pub fn lookup_mut<'a>(
    root: &'a mut J,
    path: &str,
    create_items: bool,
) -> Result<&'a mut J, String> {
    let mut node = root;
    if path.is_empty() {
        return Ok(node);
    }
    let mut walked = String::new();
    for (name, items) in segments(path) {
        let parent_desc = if walked.is_empty() {
            "the body".to_owned()
        } else {
            format!("`{walked}`")
        };
        let ty = main_type(node).0.unwrap_or("").to_owned();
        if ty == "array" {
            return Err(format!(
                "{parent_desc} is an array: address its items as `{walked}[].{name}`"
            ));
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(name);
        node = match node.get_mut("properties").and_then(|p| p.get_mut(name)) {
            Some(child) => child,
            None => return Err(format!("no field `{walked}` in {parent_desc}")),
        };
        if items {
            walked.push_str("[]");
            if main_type(node).0 != Some("array") {
                return Err(format!("`{walked}`: `{name}` is not an array"));
            }
            if node.get("items").is_none() {
                if !create_items {
                    return Err(format!("`{walked}`: the array has no item schema"));
                }
                let mut items = J::obj();
                items.set("type", J::str("object"));
                node.set("items", items);
            }
            node = node.get_mut("items").expect("just ensured");
        }
    }
    Ok(node)
}

/// Splits `a.b.c` into (`a.b`, `c`).
pub fn split_parent(path: &str) -> (&str, &str) {
    match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Adds `child` as property `name` of `parent` (an object schema).
pub fn add_property(
    parent: &mut J,
    parent_path: &str,
    name: &str,
    child: J,
    required: bool,
) -> Result<(), String> {
    let ty = parent.get("type").and_then(J::as_str).unwrap_or("");
    let shown = if parent_path.is_empty() {
        "the body".to_owned()
    } else {
        format!("`{parent_path}`")
    };
    if ty != "object" {
        return Err(format!(
            "{shown} is of type {ty}, so it cannot hold the field `{name}`"
        ));
    }
    if parent.get("properties").is_none() {
        parent.set("properties", J::obj());
    }
    let props = parent.get_mut("properties").expect("just ensured");
    if props.get(name).is_some() {
        return Err(format!("field `{name}` of {shown} is listed twice"));
    }
    props.set(name, child);
    if required {
        set_required(parent, name, true);
    }
    Ok(())
}

/// Adds `name` to or removes it from `parent.required`; returns whether it
/// changed anything.
pub fn set_required(parent: &mut J, name: &str, required: bool) -> bool {
    if parent.get("required").is_none() {
        parent.set("required", J::Arr(Vec::new()));
    }
    let Some(J::Arr(list)) = parent.get_mut("required") else {
        return false;
    };
    let at = list.iter().position(|v| v.as_str() == Some(name));
    match (required, at) {
        (true, None) => {
            list.push(J::str(name));
            true
        }
        (false, Some(i)) => {
            list.remove(i);
            true
        }
        _ => false,
    }
}

/// The body schema of a table: the rows in order, nested by their paths.
pub fn from_rows(body: &Body) -> Result<J, String> {
    let mut root = J::obj();
    root.set("type", J::str("object"));
    for (no, row) in &body.rows {
        let at = |e: String| format!("line {no}: `{}`: {e}", row.field);
        let schema = row_schema(row).map_err(at)?;
        let (parent_path, last) = split_parent(&row.field);
        let parent = lookup_mut(&mut root, parent_path, true).map_err(at)?;
        match last.strip_suffix("[]") {
            Some(name) => {
                // `a[]` (or `x.a[]`) describes the items of array `a`.
                let array = parent
                    .get_mut("properties")
                    .and_then(|p| p.get_mut(name))
                    .ok_or_else(|| at(format!("no array `{name}` declared above")))?;
                if array.get("type").and_then(J::as_str) != Some("array") {
                    return Err(at(format!("`{name}` is not an array")));
                }
                if array.get("items").is_some() {
                    return Err(at("the items of this array are described twice".into()));
                }
                array.set("items", schema);
            }
            None => add_property(parent, parent_path, last, schema, row.required).map_err(at)?,
        }
    }
    Ok(root)
}

/// Every schema at `path` in the given body schemas.
pub fn find_all<'a>(roots: &'a mut [&mut J], path: &str) -> Vec<&'a mut J> {
    roots
        .iter_mut()
        .filter_map(|r| lookup_mut(r, path, false).ok())
        .collect()
}

/// Adds Enum Reference values to a field's enum (keeping table values first).
pub fn merge_enum(schema: &mut J, values: &[String]) -> Result<(), String> {
    let ty = schema
        .get("type")
        .and_then(J::as_str)
        .unwrap_or("")
        .to_owned();
    let J::Arr(extra) = enum_values(&ty, values)? else {
        unreachable!("enum_values returns an array")
    };
    let mut list = match schema.remove("enum") {
        Some(J::Arr(v)) => v,
        _ => Vec::new(),
    };
    for v in extra {
        if !list.contains(&v) {
            list.push(v);
        }
    }
    schema.set("enum", J::Arr(list));
    Ok(())
}

/// Puts keys in [`KEYWORD_ORDER`], drops empty `required`, recursing into
/// properties and items; and checks what overlays may have broken: unknown
/// keywords, `required`/`x-one-of` names that are not properties,
/// `x-enum-names` without a matching `enum`.
pub fn canonicalize(schema: &mut J, path: &str) -> Result<(), String> {
    let shown = if path.is_empty() { "the body" } else { path };
    let J::Obj(pairs) = schema else {
        return Err(format!("{shown}: a schema must be an object"));
    };
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, _)| !KEYWORD_ORDER.contains(&k.as_str()))
    {
        return Err(format!("{shown}: `{k}` is not an allowed schema keyword"));
    }
    pairs.retain(|(k, v)| !(k == "required" && v.as_arr().is_some_and(<[J]>::is_empty)));
    pairs.sort_by_key(|(k, _)| KEYWORD_ORDER.iter().position(|o| o == k));
    let prop_names: Vec<String> = schema
        .get("properties")
        .and_then(J::as_obj)
        .map(|p| p.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    for name in schema.get("required").and_then(J::as_arr).unwrap_or(&[]) {
        let name = name.as_str().unwrap_or_default();
        if !prop_names.iter().any(|p| p == name) {
            return Err(format!("{shown}: required `{name}` is not a property"));
        }
    }
    for group in schema.get("x-one-of").and_then(J::as_arr).unwrap_or(&[]) {
        for f in group.get("fields").and_then(J::as_arr).unwrap_or(&[]) {
            let f = f.as_str().unwrap_or_default();
            if !prop_names.iter().any(|p| p == f) {
                return Err(format!(
                    "{shown}: x-one-of names `{f}`, which is not a property"
                ));
            }
        }
    }
    if let Some(names) = schema.get("x-enum-names").and_then(J::as_arr) {
        let values = schema.get("enum").and_then(J::as_arr).map_or(0, <[J]>::len);
        if names.len() != values {
            return Err(format!(
                "{shown}: x-enum-names has {} names for {values} enum values",
                names.len()
            ));
        }
    }
    if let Some(J::Obj(props)) = schema.get_mut("properties") {
        for (name, child) in props.iter_mut() {
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            canonicalize(child, &child_path)?;
        }
    }
    if let Some(items) = schema.get_mut("items") {
        canonicalize(items, &format!("{path}[]"))?;
    }
    Ok(())
}
