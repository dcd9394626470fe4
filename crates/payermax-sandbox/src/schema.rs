//! Validation of request bodies against the spec's JSON Schema subset
//! (`type`, also as `["<type>", "null"]`, `properties`, `required`, `items`,
//! `maxLength`/`minLength` in characters, `pattern`, `enum`,
//! `format: decimal|date-time`, `x-one-of`, `x-accept`, `minItems`/`maxItems`,
//! `minProperties`/`maxProperties`). A nullable property may be left out
//! even when required (clients write `None` as nothing). Unknown fields are
//! accepted, as PayerMax's forward-compatible clients expect.

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
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => true,
    }
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

/// `true` for a plain non-negative decimal: digits, optionally a point and digits.
pub fn is_decimal_text(s: &str) -> bool {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn present(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null())
}

fn check(schema: &Value, value: &Value, path: &str, out: &mut Vec<SchemaViolation>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    let shown = if path.is_empty() { "body" } else { path };
    let types = types_of(schema);
    if !types.is_empty() && !types.iter().any(|ty| has_type(value, ty)) {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!(
                "{shown} must be {}, but your input is {}",
                types.join(" or "),
                type_name(value)
            ),
        });
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.iter().any(|a| enum_eq(a, value))
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!(
                "{shown} must be one of {}, but your input is {value}",
                list.join(", ")
            ),
        });
    }
    if let Value::String(s) = value {
        check_string(schema, s, path, shown, out);
    }
    if let Value::Object(obj) = value {
        check_object(schema, obj, path, out);
    }
    if let Value::Array(items) = value {
        count(
            schema,
            ("minItems", "maxItems", "items"),
            items.len(),
            path,
            out,
        );
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(item_schema, item, &format!("{path}[{i}]"), out);
            }
        }
    }
}

/// The JSON types a schema allows: its `type` (one name or a list, `null`
/// included) and, for a string, its `x-accept` types. Empty: any.
fn types_of(schema: &Map<String, Value>) -> Vec<&str> {
    let mut types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if let Some(accept) = schema.get("x-accept").and_then(Value::as_array) {
        types.extend(accept.iter().filter_map(Value::as_str));
    }
    types
}

/// Checks a number of items or members against the schema's `(min, max,
/// noun)` keywords.
fn count(
    schema: &Map<String, Value>,
    (min_key, max_key, noun): (&str, &str, &str),
    n: usize,
    path: &str,
    out: &mut Vec<SchemaViolation>,
) {
    let shown = if path.is_empty() { "body" } else { path };
    let n64 = n as u64;
    if let Some(min) = schema
        .get(min_key)
        .and_then(Value::as_u64)
        .filter(|&m| n64 < m)
    {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!("{shown} must have at least {min} {noun}, but your input has {n}"),
        });
    }
    if let Some(max) = schema
        .get(max_key)
        .and_then(Value::as_u64)
        .filter(|&m| n64 > m)
    {
        out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!("{shown} must have at most {max} {noun}, but your input has {n}"),
        });
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
    match schema.get("format").and_then(Value::as_str) {
        Some("decimal") if !is_decimal_text(s) => out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!("{shown} must be a decimal amount such as 1000.00, but your input is {s:?}"),
        }),
        Some("date-time") if parse_rfc3339_millis(s).is_none() => out.push(SchemaViolation {
            field: path.to_owned(),
            message: format!(
                "{shown} must be an RFC 3339 time such as 2022-01-17T07:01:23.737+00:00, but your input is {s:?}"
            ),
        }),
        _ => {}
    }
}

fn check_object(
    schema: &Map<String, Value>,
    obj: &Map<String, Value>,
    path: &str,
    out: &mut Vec<SchemaViolation>,
) {
    count(
        schema,
        ("minProperties", "maxProperties", "members"),
        obj.len(),
        path,
        out,
    );
    let nullable = |name: &str| {
        schema
            .get("properties")
            .and_then(|p| p.get(name))
            .and_then(Value::as_object)
            .is_some_and(|s| types_of(s).contains(&"null"))
    };
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !present(obj.get(name)) && !nullable(name) {
                let field = join(path, name);
                out.push(SchemaViolation {
                    message: format!("{field} is invalid, because {field} is null"),
                    field,
                });
            }
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
                check(sub, v, &join(path, name), out);
            }
        }
    }
    if let Some(groups) = schema.get("x-one-of").and_then(Value::as_array) {
        for group in groups {
            let fields: Vec<&str> = group
                .get("fields")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let given = fields.iter().filter(|f| present(obj.get(**f))).count();
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
            fields(&json!({"name": "a", "amount": "1e5", "data": {"a": "x"}})),
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
        for ok in ["0", "1", "1000.00", "0.5"] {
            assert!(is_decimal_text(ok), "{ok}");
        }
        for bad in ["", ".5", "5.", "1e3", "-1", "+1", "1,0", " 1", "١"] {
            assert!(!is_decimal_text(bad), "{bad}");
        }
    }

    #[test]
    fn patterns_are_checked_at_load() {
        assert!(check_patterns(&schema()).is_ok());
        assert!(check_patterns(&json!({"properties": {"x": {"pattern": "("}}})).is_err());
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

    #[test]
    fn format_two_keywords() {
        let schema = json!({
            "type": "object",
            "properties": {
                "note": { "type": ["string", "null"], "maxLength": 2 },
                "code": { "type": "string", "x-accept": ["number"] },
                "tags": { "type": "array", "minItems": 1, "maxItems": 2, "items": { "type": "string" } },
                "risk": { "type": "object", "maxProperties": 1 }
            },
            "required": ["note", "code"]
        });
        let check = |v: Value| -> Vec<String> {
            validate(&schema, &v)
                .into_iter()
                .map(|v| v.message)
                .collect()
        };
        // Nullable and required: absent or null is fine.
        assert!(check(json!({"code": 7})).is_empty());
        assert!(
            check(json!({"note": null, "code": "7", "tags": ["a"], "risk": {"a": 1}})).is_empty()
        );
        assert_eq!(
            check(json!({"note": 1, "code": true, "tags": [], "risk": {"a": 1, "b": 2}})),
            [
                "code must be string or number, but your input is boolean",
                "note must be string or null, but your input is integer",
                "risk must have at most 1 members, but your input has 2",
                "tags must have at least 1 items, but your input has 0",
            ]
        );
        assert_eq!(
            check(json!({"tags": ["a", "b", "c"]})),
            [
                "code is invalid, because code is null",
                "tags must have at most 2 items, but your input has 3",
            ]
        );
    }
}
