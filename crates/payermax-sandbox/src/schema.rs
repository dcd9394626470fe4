//! Validation of request bodies against the operations' JSON Schema subset,
//! written independently of the generated Rust types so that it can serve as
//! an oracle for the SDK.
//!
//! Keywords: `type` (one name, or several such as `["string", "null"]`:
//! `null` is then accepted), `properties`, `required`, `items`,
//! `maxLength`/`minLength` in characters, `pattern`, `enum` (with
//! `x-enum-aliases`, other spellings of a value), `format: decimal` (money:
//! a JSON number or a decimal string, whatever the declared form),
//! `format: date-time`, plain `number` (a JSON number or a numeric string),
//! `x-accept` (further JSON types a field may arrive as), `x-aliases` (other
//! names of a property), `x-one-of`, `minItems`/`maxItems`/`uniqueItems` and
//! `minProperties`/`maxProperties`. An object without `properties` is
//! free-form. Unknown fields are accepted, as PayerMax's forward-compatible
//! clients expect; `null` for an optional field reads as absent; other
//! keywords (`description`, `examples`, `x-deprecated`, `format: uri`, ...)
//! are ignored.

use serde_json::{Map, Value};

use crate::time::parse_rfc3339_millis;

/// One broken rule, with the dotted path of the field on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// Dotted field path, e.g. `data.outRefundNo`.
    pub field: String,
    /// What is wrong, in words that name the field.
    pub message: String,
}

/// Validates `value` against `schema`; every violation, in field order.
pub fn validate(schema: &Value, value: &Value) -> Vec<SchemaViolation> {
    let mut out = Vec::new();
    check(schema, value, "", &mut out);
    out
}

/// Checks that every `pattern` in `schema` compiles.
pub fn check_patterns(schema: &Value) -> Result<(), String> {
    match schema {
        Value::Object(map) => {
            if let Some(p) = map.get("pattern").and_then(Value::as_str) {
                regex_lite::Regex::new(p).map_err(|e| format!("pattern {p:?}: {e}"))?;
            }
            map.values().try_for_each(check_patterns)
        }
        Value::Array(items) => items.iter().try_for_each(check_patterns),
        _ => Ok(()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        _ => true,
    }
}

/// The names in a keyword holding one string or an array of them.
fn names<'a>(schema: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    match schema.get(key) {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a schema accepts `null` (an array `type` naming it).
fn nullable(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(|s| names(s, "type").contains(&"null"))
}

fn enum_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                // Enum members are small status codes, never money.
                _ => x.as_f64() == y.as_f64(),
            },
        },
        _ => a == b,
    }
}

/// `true` for a non-negative decimal in the grammar of the SDK's `Amount`.
pub fn is_decimal_text(s: &str) -> bool {
    // One grammar with the SDK: what `payermax_types::Amount` reads (the
    // JSON number grammar: no leading zeros, so the text is always a valid
    // JSON number where the sandbox writes it back), not negative.
    s.parse::<payermax_types::Amount>()
        .is_ok_and(|a| !a.is_sign_negative())
}

/// `true` for a decimal number as text, optionally negative: `-1.5`, `20`.
fn is_numeric_text(s: &str) -> bool {
    is_decimal_text(s.strip_prefix('-').unwrap_or(s))
}

/// A member of `obj` by the property's name or, failing that, one of its
/// `x-aliases`.
fn lookup<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    schema: Option<&Value>,
) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        let aliases = schema
            .and_then(Value::as_object)
            .map(|s| names(s, "x-aliases"));
        aliases?.into_iter().find_map(|a| obj.get(a))
    })
}

/// Given: present and not `null`, or `null` where the schema allows it.
fn given(v: Option<&Value>, schema: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null() || schema.is_some_and(nullable))
}

/// Whether `value`'s JSON type is one `schema` accepts.
fn type_accepted(schema: &Map<String, Value>, types: &[&str], value: &Value) -> bool {
    if types.is_empty() || types.iter().any(|t| has_type(value, t)) {
        return true;
    }
    if names(schema, "x-accept").iter().any(|t| has_type(value, t)) {
        return true;
    }
    let decimal = schema.get("format").and_then(Value::as_str) == Some("decimal");
    // Money travels as a number or a decimal string, whatever the declared
    // form; plain numbers may arrive as numeric strings.
    (decimal && (value.is_number() || value.is_string()))
        || (types.contains(&"number") && value.is_string())
}

fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<SchemaViolation>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    let shown = if path.is_empty() { "body" } else { path };
    let mut violation = |message: String| {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message,
        })
    };
    let types = names(schema, "type");
    if !type_accepted(schema, &types, value) {
        violation(format!(
            "{shown} must be {}, but your input is {}",
            types.join(" or "),
            type_name(value)
        ));
        return;
    }
    if value.is_null() {
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        let aliases = schema.get("x-enum-aliases").and_then(Value::as_object);
        let alias = |v: &Value| {
            aliases.is_some_and(|a| {
                a.values()
                    .filter_map(Value::as_array)
                    .any(|spellings| spellings.contains(v))
            })
        };
        if !allowed.iter().any(|a| enum_eq(a, value)) && !alias(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            violation(format!(
                "{shown} must be one of {}, but your input is {value}",
                list.join(", ")
            ));
        }
    }
    let decimal = schema.get("format").and_then(Value::as_str) == Some("decimal");
    match value {
        Value::String(s) if decimal && !is_decimal_text(s) => violation(format!(
            "{shown} must be a decimal amount such as 1000.00, but your input is {s:?}"
        )),
        Value::Number(n) if decimal && n.as_f64().is_some_and(|f| f < 0.0) => violation(format!(
            "{shown} must be a decimal amount of at least 0, but your input is {n}"
        )),
        Value::String(s)
            if !decimal
                && !types.contains(&"string")
                && types.contains(&"number")
                && !is_numeric_text(s) =>
        {
            violation(format!("{shown} must be a number, but your input is {s:?}"))
        }
        Value::String(s) => check_string(schema, s, path, shown, out),
        Value::Array(items) => check_array(schema, items, path, shown, out),
        Value::Object(obj) => check_object(schema, obj, path, shown, out),
        _ => {}
    }
}

/// `minX`/`maxX` of a schema against a count: the message when it breaks them.
fn count_violation(
    schema: &Map<String, Value>,
    (min_key, max_key): (&str, &str),
    what: &str,
    shown: &str,
    n: usize,
) -> Option<String> {
    let min = schema.get(min_key).and_then(Value::as_u64);
    let max = schema.get(max_key).and_then(Value::as_u64);
    let n64 = n as u64;
    if let Some(max) = max.filter(|m| n64 > *m) {
        return Some(format!(
            "{shown} must have at most {max} {what}, but your input has {n}"
        ));
    }
    min.filter(|m| n64 < *m)
        .map(|min| format!("{shown} must have at least {min} {what}, but your input has {n}"))
}

fn check_array(
    schema: &Map<String, Value>,
    items: &[Value],
    path: &str,
    shown: &str,
    out: &mut Vec<SchemaViolation>,
) {
    let mut violation = |message: String| {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message,
        })
    };
    if let Some(m) = count_violation(
        schema,
        ("minItems", "maxItems"),
        "items",
        shown,
        items.len(),
    ) {
        violation(m);
    }
    if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        let repeated = items
            .iter()
            .enumerate()
            .find(|(i, a)| items[..*i].contains(a));
        if let Some((i, v)) = repeated {
            violation(format!(
                "{shown} items must be unique, but item {i} repeats {v}"
            ));
        }
    }
    if let Some(item_schema) = schema.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{path}[{i}]"), out);
        }
    }
}

fn check_string(
    schema: &Map<String, Value>,
    s: &str,
    path: &str,
    shown: &str,
    out: &mut Vec<SchemaViolation>,
) {
    let len = s.chars().count();
    let max = schema.get("maxLength").and_then(Value::as_u64);
    let min = schema.get("minLength").and_then(Value::as_u64);
    let too_long = max.is_some_and(|m| len as u64 > m);
    let too_short = min.is_some_and(|m| (len as u64) < m);
    if too_long || too_short {
        let message = match (min, max) {
            (Some(min), Some(max)) => format!(
                "{shown} length must be between {min} and {max}, but your input value length is {len}"
            ),
            (_, Some(max)) if too_long => format!(
                "{shown} length must be at most {max}, but your input value length is {len}"
            ),
            (Some(min), _) => format!(
                "{shown} length must be at least {min}, but your input value length is {len}"
            ),
            _ => format!("{shown} has an invalid length {len}"),
        };
        out.push(SchemaViolation {
            field: path.to_owned(),
            message,
        });
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str)
        && let Ok(re) = regex_lite::Regex::new(p)
        && !re.is_match(s)
    {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!("{shown} does not match pattern {p}"),
        });
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && parse_rfc3339_millis(s).is_none()
    {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!(
                "{shown} must be an RFC 3339 time such as 2022-01-17T07:01:23.737+00:00, but your input is {s:?}"
            ),
        });
    }
}

fn check_object(
    schema: &Map<String, Value>,
    obj: &Map<String, Value>,
    path: &str,
    shown: &str,
    out: &mut Vec<SchemaViolation>,
) {
    if let Some(message) = count_violation(
        schema,
        ("minProperties", "maxProperties"),
        "members",
        shown,
        obj.len(),
    ) {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message,
        });
    }
    let props = schema.get("properties").and_then(Value::as_object);
    let prop = |name: &str| props.and_then(|p| p.get(name));
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !given(lookup(obj, name, prop(name)), prop(name)) {
                let field = join(path, name);
                out.push(SchemaViolation {
                    message: format!("{field} is invalid, because {field} is null"),
                    field,
                });
            }
        }
    }
    for (name, sub) in props.into_iter().flatten() {
        if let Some(v) = lookup(obj, name, Some(sub)).filter(|v| !v.is_null()) {
            check(sub, v, &join(path, name), out);
        }
    }
    if let Some(groups) = schema.get("x-one-of").and_then(Value::as_array) {
        for group in groups {
            let fields: Vec<&str> = group
                .get("fields")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let given = fields
                .iter()
                .filter(|f| lookup(obj, f, prop(f)).is_some_and(|v| !v.is_null()))
                .count();
            if given != 1 {
                let names: Vec<String> = fields.iter().map(|f| join(path, f)).collect();
                let why = if given == 0 {
                    "none was given"
                } else {
                    "more than one was given"
                };
                out.push(SchemaViolation {
                    field: names.join("|"),
                    message: format!(
                        "exactly one of {} must be given, but {why}",
                        names.join(", ")
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "name": { "type": "string", "maxLength": 3, "pattern": "^[a-zé]+$" },
                "amount": { "type": "string", "format": "decimal" },
                "when": { "type": "string", "format": "date-time" },
                "status": { "type": "number", "enum": [0, 1, 2] },
                "kind": { "type": "string", "enum": ["A", "B"] },
                "data": {
                    "type": "object",
                    "properties": { "a": { "type": "string" }, "b": { "type": "string" } },
                    "x-one-of": [{ "name": "Ref", "fields": ["a", "b"] }]
                }
            },
            "required": ["name", "data"]
        })
    }

    fn fields(v: &Value) -> Vec<String> {
        validate(&schema(), v)
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn valid_body_passes_and_unknown_fields_are_accepted() {
        let v = json!({"name": "éé", "amount": "10.50", "when": "2022-01-17T07:01:23Z",
                       "status": 1, "kind": "A", "data": {"a": "x"}, "extra": true});
        assert_eq!(validate(&schema(), &v), vec![]);
    }

    #[test]
    fn max_length_counts_characters_not_bytes() {
        assert!(fields(&json!({"name": "ééé", "data": {"a": "x"}})).is_empty());
        assert_eq!(
            fields(&json!({"name": "éééé", "data": {"a": "x"}})),
            vec!["name"]
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        assert_eq!(fields(&json!({"data": {"a": "x"}})), vec!["name"]);
        assert_eq!(
            fields(&json!({"name": null, "data": {"a": "x"}})),
            vec!["name"]
        );
        assert_eq!(
            fields(&json!({"name": 5, "data": {"a": "x"}})),
            vec!["name"]
        );
        assert_eq!(
            fields(&json!({"name": "AB", "data": {"a": "x"}})),
            vec!["name"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "amount": "01", "data": {"a": "x"}})),
            vec!["amount"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "amount": "-1", "data": {"a": "x"}})),
            vec!["amount"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "when": "yesterday", "data": {"a": "x"}})),
            vec!["when"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "status": 3, "data": {"a": "x"}})),
            vec!["status"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "kind": "C", "data": {"a": "x"}})),
            vec!["kind"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "data": {}})),
            vec!["data.a|data.b"]
        );
        assert_eq!(
            fields(&json!({"name": "a", "data": {"a": "x", "b": "y"}})),
            vec!["data.a|data.b"]
        );
        assert_eq!(fields(&json!([1])), vec![""]);
        let msg = &validate(&schema(), &json!({"name": "abcd", "data": {"a": "x"}}))[0].message;
        assert!(
            msg.contains("name") && msg.contains('3') && msg.contains('4'),
            "{msg}"
        );
    }

    #[test]
    fn decimal_text() {
        for ok in ["0", "1", "1000.00", "0.5", "1E+3"] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        // Leading zeros (issue #12: "007.50" was accepted, then written into
        // a signed reply as the invalid JSON number 007.50).
        for bad in [
            "", ".5", "5.", "-1", "+1", "1,0", " 1", "١", "007.50", "00", "01",
        ] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
    }

    #[test]
    fn patterns_are_checked_at_load() {
        assert!(check_patterns(&schema()).is_ok());
        assert!(check_patterns(&json!({"properties": {"x": {"pattern": "("}}})).is_err());
    }

    /// The fields `schema` finds at fault in `value`.
    fn faults(schema: &Value, value: &Value) -> Vec<String> {
        validate(schema, value)
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    fn object(props: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": props, "required": required})
    }

    #[test]
    fn nullable_types_accept_null_where_plain_ones_do_not() {
        let s = object(
            json!({"n": {"type": ["string", "null"], "maxLength": 2}, "s": {"type": "string"},
                   "l": {"type": "array", "items": {"type": ["integer", "null"]}},
                   "m": {"type": "array", "items": {"type": "integer"}}}),
            &["n", "s"],
        );
        assert!(faults(&s, &json!({"n": null, "s": "x", "l": [1, null]})).is_empty());
        assert_eq!(faults(&s, &json!({"n": "x", "s": null})), ["s"]);
        assert_eq!(faults(&s, &json!({"s": "x"})), ["n"]);
        assert_eq!(faults(&s, &json!({"n": "xyz", "s": "x"})), ["n"]);
        assert_eq!(faults(&s, &json!({"n": 1, "s": "x"})), ["n"]);
        assert_eq!(
            faults(&s, &json!({"n": null, "s": "x", "m": [1, null]})),
            ["m[1]"]
        );
        assert!(faults(&json!({"type": ["object", "null"]}), &Value::Null).is_empty());
        assert_eq!(faults(&json!({"type": "object"}), &Value::Null), [""]);
    }

    #[test]
    fn x_accept_adds_json_types() {
        let s = object(
            json!({"b": {"type": "string", "x-accept": ["boolean"], "maxLength": 1},
                   "c": {"type": "string"}}),
            &[],
        );
        assert!(faults(&s, &json!({"b": true, "c": "x"})).is_empty());
        assert!(faults(&s, &json!({"b": "t"})).is_empty());
        assert_eq!(faults(&s, &json!({"b": "too long"})), ["b"]);
        assert_eq!(faults(&s, &json!({"b": 1})), ["b"]);
        assert_eq!(faults(&s, &json!({"c": true})), ["c"]);
    }

    #[test]
    fn enum_aliases_are_accepted_spellings() {
        let s = json!({"type": "string", "enum": ["A", "PENDING"],
                       "x-enum-aliases": {"PENDING": ["PENDING\t", " PENDING"]}});
        for ok in ["A", "PENDING", "PENDING\t", " PENDING"] {
            assert!(faults(&s, &json!(ok)).is_empty(), "{ok:?}");
        }
        for bad in ["B", "A\t", "pending"] {
            assert_eq!(faults(&s, &json!(bad)), [""], "{bad:?}");
        }
    }

    #[test]
    fn decimal_money_is_a_number_or_a_decimal_string_whatever_the_declared_form() {
        for declared in ["number", "string"] {
            let s = json!({"type": declared, "format": "decimal"});
            for ok in [json!(10000.5), json!(3), json!("10000.50"), json!("0")] {
                assert!(faults(&s, &ok).is_empty(), "{declared} {ok}");
            }
            // The grammar of the SDK's `Amount` (the JSON number grammar):
            // leading zeros are refused, exponents read exactly.
            for bad in [
                json!("007.50"),
                json!("-1"),
                json!("ten"),
                json!(-0.5),
                json!(true),
                json!({}),
            ] {
                assert_eq!(faults(&s, &bad), [""], "{declared} {bad}");
            }
        }
        // The string form keeps its length limit.
        let s = json!({"type": "string", "format": "decimal", "maxLength": 4});
        assert_eq!(faults(&s, &json!("100.00")), [""]);
        assert!(faults(&s, &json!(100.5)).is_empty());
    }

    #[test]
    fn plain_numbers_are_numbers_or_numeric_strings() {
        let s = json!({"type": "number"});
        for ok in [
            json!(1.5),
            json!(-2),
            json!("1.25"),
            json!("-3"),
            json!("7"),
        ] {
            assert!(faults(&s, &ok).is_empty(), "{ok}");
        }
        for bad in [
            json!("1.2.3"),
            json!("x"),
            json!(""),
            json!(true),
            json!([1]),
        ] {
            assert_eq!(faults(&s, &bad), [""], "{bad}");
        }
        // Integers stay strict.
        assert_eq!(faults(&json!({"type": "integer"}), &json!("7")), [""]);
        assert_eq!(faults(&json!({"type": "integer"}), &json!(7.5)), [""]);
    }

    #[test]
    fn free_form_objects_take_any_members() {
        let s = object(
            json!({"risk": {"type": "object", "properties": {}}}),
            &["risk"],
        );
        assert!(faults(&s, &json!({"risk": {"a": [1, {"b": null}], "c": "d"}})).is_empty());
        assert!(faults(&s, &json!({"risk": {}})).is_empty());
        assert_eq!(faults(&s, &json!({"risk": [1]})), ["risk"]);
    }

    #[test]
    fn item_counts_and_uniqueness() {
        let s = json!({"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": true,
                       "items": {"type": "string"}});
        assert!(faults(&s, &json!(["a", "b", "c"])).is_empty());
        assert_eq!(faults(&s, &json!([])), [""]);
        assert_eq!(faults(&s, &json!(["a", "b", "c", "d"])), [""]);
        assert_eq!(faults(&s, &json!(["a", "b", "a"])), [""]);
        assert!(
            validate(&s, &json!(["a", "a"]))[0]
                .message
                .contains("unique")
        );
        // Without uniqueItems, repeats are fine.
        assert!(faults(&json!({"type": "array"}), &json!([1, 1])).is_empty());
    }

    #[test]
    fn member_counts() {
        let s = json!({"type": "object", "minProperties": 1, "maxProperties": 2, "properties": {}});
        assert!(faults(&s, &json!({"a": 1})).is_empty());
        assert!(faults(&s, &json!({"a": 1, "b": 2})).is_empty());
        assert_eq!(faults(&s, &json!({})), [""]);
        assert_eq!(faults(&s, &json!({"a": 1, "b": 2, "c": 3})), [""]);
        assert!(validate(&s, &json!({}))[0].message.contains("at least 1"));
    }

    #[test]
    fn property_aliases_stand_for_the_property() {
        let s = object(
            json!({"trialDays": {"type": "string", "maxLength": 2, "x-aliases": ["trailDays", "trialDays "]}}),
            &["trialDays"],
        );
        for name in ["trialDays", "trailDays", "trialDays "] {
            assert!(faults(&s, &json!({name: "7"})).is_empty(), "{name}");
            assert_eq!(faults(&s, &json!({name: "700"})), ["trialDays"], "{name}");
        }
        assert_eq!(faults(&s, &json!({"trialDay": "7"})), ["trialDays"]);
    }

    #[test]
    fn documentation_keywords_and_unknown_fields_are_ignored() {
        let s = object(
            json!({"a": {"type": "string", "description": "an A", "x-description-zh": "说明",
                         "examples": [1], "x-deprecated": true, "x-rust-name": "a_field",
                         "format": "uri", "title": "A"}}),
            &["a"],
        );
        assert!(faults(&s, &json!({"a": "not a uri either", "b": {"c": 1}})).is_empty());
        assert_eq!(faults(&s, &json!({"a": 1})), ["a"]);
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,70}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("amount".to_owned()),
                        Just("when".to_owned()),
                        Just("status".to_owned()),
                        Just("data".to_owned()),
                        Just("a".to_owned()),
                        Just("b".to_owned()),
                        "[a-z]{1,3}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any JSON a client sends is validated without panicking, and every
        /// violation names a field (or the body).
        #[test]
        fn any_body_is_checked_without_panicking(v in arb_json()) {
            for violation in validate(&schema(), &v) {
                proptest::prop_assert!(!violation.message.is_empty());
            }
        }

        #[test]
        fn decimal_text_never_panics(s in "\\PC{0,20}") {
            let _ = is_decimal_text(&s);
        }
    }
}
