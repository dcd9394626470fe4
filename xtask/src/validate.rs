//! A small JSON Schema 2020-12 validator for the keywords
//! spec/schema/spec.schema.json uses, so that `cargo test -p xtask` checks
//! every spec file against it without a heavy validator crate.
//!
//! Supported: `type`, `const`, `enum`, `properties`, `required`,
//! `additionalProperties`, `propertyNames`, `minProperties`,
//! `maxProperties`, `items`, `minItems`, `maxItems`, `uniqueItems`,
//! `contains`, `minLength`, `maxLength`, `pattern`,
//! `minimum`, `allOf`, `anyOf`, `not`, `if`/`then`/`else`, local `$ref`
//! (`#/$defs/name`), and the annotations `$schema`, `$id`, `$defs`,
//! `title`, `description`. Any other keyword in the schema is an error, so
//! the validator never silently ignores a rule.

use crate::json::J;

/// Validates `value` against `schema` (whose `$defs` serve `$ref`s).
/// Returns every violation as `path: rule`.
pub fn validate(schema: &J, value: &J) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    Validator { root: schema }.check(schema, value, "$", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

struct Validator<'a> {
    root: &'a J,
}

fn type_matches(ty: &str, v: &J) -> bool {
    match (ty, v) {
        ("null", J::Null)
        | ("boolean", J::Bool(_))
        | ("string", J::Str(_))
        | ("array", J::Arr(_))
        | ("object", J::Obj(_))
        | ("number", J::Num(_)) => true,
        ("integer", J::Num(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

/// JSON equality where 1 and 1.0 are equal.
fn json_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Num(x), J::Num(y)) => x == y || x.as_f64() == y.as_f64(),
        (J::Arr(x), J::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (J::Obj(x), J::Obj(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && json_eq(v, v2)))
        }
        _ => a == b,
    }
}

fn as_count(j: &J) -> Option<usize> {
    match j {
        J::Num(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        _ => None,
    }
}

impl Validator<'_> {
    fn is_valid(&self, schema: &J, value: &J) -> bool {
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors);
        errors.is_empty()
    }

    fn resolve(&self, reference: &str) -> Option<&J> {
        let name = reference.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    fn check(&self, schema: &J, value: &J, at: &str, errors: &mut Vec<String>) {
        let pairs = match schema {
            J::Bool(true) => return,
            J::Bool(false) => {
                errors.push(format!("{at}: not allowed here"));
                return;
            }
            J::Obj(pairs) => pairs,
            other => {
                errors.push(format!(
                    "schema error at {at}: a schema is an object, not {}",
                    other.kind()
                ));
                return;
            }
        };
        for (key, rule) in pairs {
            match key.as_str() {
                "$schema" | "$id" | "$defs" | "title" | "description" | "then" | "else" => {}
                "type" => {
                    let types: Vec<&str> = match rule {
                        J::Str(t) => vec![t.as_str()],
                        J::Arr(list) => list.iter().filter_map(J::as_str).collect(),
                        _ => Vec::new(),
                    };
                    if !types.iter().any(|t| type_matches(t, value)) {
                        errors.push(format!(
                            "{at}: is {}, expected {}",
                            value.kind(),
                            types.join(" or ")
                        ));
                    }
                }
                "const" => {
                    if !json_eq(rule, value) {
                        errors.push(format!(
                            "{at}: must be {}",
                            serde_json::to_string(rule).unwrap_or_default()
                        ));
                    }
                }
                "enum" => {
                    if !rule
                        .as_arr()
                        .unwrap_or(&[])
                        .iter()
                        .any(|v| json_eq(v, value))
                    {
                        errors.push(format!(
                            "{at}: {} is not one of {}",
                            serde_json::to_string(value).unwrap_or_default(),
                            serde_json::to_string(rule).unwrap_or_default()
                        ));
                    }
                }
                "properties" => {
                    if let (J::Obj(props), J::Obj(fields)) = (rule, value) {
                        for (name, sub) in props {
                            if let Some((_, v)) = fields.iter().find(|(k, _)| k == name) {
                                self.check(sub, v, &format!("{at}.{name}"), errors);
                            }
                        }
                    }
                }
                "required" => {
                    if let J::Obj(fields) = value {
                        for name in rule.as_arr().unwrap_or(&[]).iter().filter_map(J::as_str) {
                            if !fields.iter().any(|(k, _)| k == name) {
                                errors.push(format!("{at}: `{name}` is missing"));
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let J::Obj(fields) = value {
                        let known = schema.get("properties").and_then(J::as_obj).unwrap_or(&[]);
                        for (k, v) in fields {
                            if !known.iter().any(|(p, _)| p == k) {
                                if *rule == J::Bool(false) {
                                    errors.push(format!("{at}: unknown key `{k}`"));
                                } else {
                                    self.check(rule, v, &format!("{at}.{k}"), errors);
                                }
                            }
                        }
                    }
                }
                "propertyNames" => {
                    if let J::Obj(fields) = value {
                        for (k, _) in fields {
                            self.check(rule, &J::str(k), &format!("{at} key `{k}`"), errors);
                        }
                    }
                }
                "minProperties" => {
                    if let (J::Obj(fields), Some(n)) = (value, as_count(rule))
                        && fields.len() < n
                    {
                        errors.push(format!("{at}: needs at least {n} keys"));
                    }
                }
                "maxProperties" => {
                    if let (J::Obj(fields), Some(n)) = (value, as_count(rule))
                        && fields.len() > n
                    {
                        errors.push(format!("{at}: has more than {n} keys"));
                    }
                }
                "items" => {
                    if let J::Arr(items) = value {
                        for (i, v) in items.iter().enumerate() {
                            self.check(rule, v, &format!("{at}[{i}]"), errors);
                        }
                    }
                }
                "minItems" => {
                    if let (J::Arr(items), Some(n)) = (value, as_count(rule))
                        && items.len() < n
                    {
                        errors.push(format!("{at}: needs at least {n} items"));
                    }
                }
                "maxItems" => {
                    if let (J::Arr(items), Some(n)) = (value, as_count(rule))
                        && items.len() > n
                    {
                        errors.push(format!("{at}: has more than {n} items"));
                    }
                }
                "contains" => {
                    if let J::Arr(items) = value
                        && !items.iter().any(|v| self.is_valid(rule, v))
                    {
                        errors.push(format!("{at}: no item matches `contains`"));
                    }
                }
                "uniqueItems" => {
                    if let (J::Arr(items), J::Bool(true)) = (value, rule) {
                        for (i, a) in items.iter().enumerate() {
                            if items[..i].iter().any(|b| json_eq(a, b)) {
                                errors.push(format!("{at}[{i}]: repeats an earlier item"));
                            }
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let (J::Str(s), Some(n)) = (value, as_count(rule)) {
                        let len = s.chars().count();
                        if (key == "minLength" && len < n) || (key == "maxLength" && len > n) {
                            errors.push(format!("{at}: length {len} breaks {key} {n}"));
                        }
                    }
                }
                "pattern" => {
                    if let J::Str(s) = value {
                        match regex_lite::Regex::new(rule.as_str().unwrap_or_default()) {
                            Ok(re) if re.is_match(s) => {}
                            Ok(_) => errors.push(format!(
                                "{at}: `{s}` does not match {}",
                                rule.as_str().unwrap_or_default()
                            )),
                            Err(e) => {
                                errors.push(format!("schema error at {at}: bad pattern: {e}"))
                            }
                        }
                    }
                }
                "minimum" => {
                    if let (J::Num(n), J::Num(min)) = (value, rule)
                        && n.as_f64() < min.as_f64()
                    {
                        errors.push(format!("{at}: {n} is below the minimum {min}"));
                    }
                }
                "allOf" => {
                    for sub in rule.as_arr().unwrap_or(&[]) {
                        self.check(sub, value, at, errors);
                    }
                }
                "anyOf" => {
                    if !rule
                        .as_arr()
                        .unwrap_or(&[])
                        .iter()
                        .any(|s| self.is_valid(s, value))
                    {
                        errors.push(format!("{at}: matches none of the anyOf schemas"));
                    }
                }
                "not" => {
                    if self.is_valid(rule, value) {
                        errors.push(format!("{at}: matches a schema it must not match"));
                    }
                }
                "if" => {
                    let branch = if self.is_valid(rule, value) {
                        "then"
                    } else {
                        "else"
                    };
                    if let Some(sub) = schema.get(branch) {
                        self.check(sub, value, at, errors);
                    }
                }
                "$ref" => match rule.as_str().and_then(|r| self.resolve(r)) {
                    Some(sub) => self.check(sub, value, at, errors),
                    None => errors.push(format!(
                        "schema error at {at}: cannot resolve $ref {rule:?}"
                    )),
                },
                other => errors.push(format!(
                    "schema error at {at}: keyword `{other}` is not supported by this validator"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn meta_schema() -> J {
        let path = crate::import::spec_dir().join("schema/spec.schema.json");
        J::parse(&fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_spec_file_validates_against_the_schema() {
        let schema = meta_schema();
        let dir = crate::import::spec_dir();
        let mut count = 0;
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let spec = J::parse(&fs::read_to_string(&path).unwrap()).unwrap();
                if let Err(e) = validate(&schema, &spec) {
                    panic!("{} does not validate:\n{}", path.display(), e.join("\n"));
                }
                count += 1;
            }
        }
        assert!(count >= 3, "only {count} spec files found");
    }

    fn seed() -> J {
        let path = crate::import::spec_dir().join("refund_query.json");
        J::parse(&fs::read_to_string(path).unwrap()).unwrap()
    }

    fn errors_of(spec: &J) -> String {
        validate(&meta_schema(), spec).unwrap_err().join("\n")
    }

    #[test]
    fn schema_rejects_keywords_outside_the_subset() {
        let mut spec = seed();
        let code = spec
            .get_mut("request")
            .and_then(|r| r.get_mut("schema"))
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut("version"))
            .unwrap();
        code.set("oneOf", J::Arr(vec![]));
        let e = errors_of(&spec);
        assert!(
            e.contains("$.request.schema.properties.version: unknown key `oneOf`"),
            "{e}"
        );
    }

    #[test]
    fn schema_rejects_inbound_with_path_and_outbound_without() {
        let mut spec = seed();
        spec.set("direction", J::str("inbound"));
        assert!(errors_of(&spec).contains("matches a schema it must not match"));
        let mut spec = seed();
        spec.remove("path");
        assert!(errors_of(&spec).contains("`path` is missing"));
    }

    #[test]
    fn schema_rejects_decimal_booleans_and_bad_ids() {
        let mut spec = seed();
        spec.set("id", J::str("Refund-Query"));
        let money = spec
            .get_mut("responses")
            .and_then(|r| r.get_mut("200"))
            .and_then(|r| r.get_mut("schema"))
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut("data"))
            .and_then(|d| d.get_mut("properties"))
            .and_then(|p| p.get_mut("refundAmount"))
            .unwrap();
        money.set("type", J::str("boolean"));
        let e = errors_of(&spec);
        assert!(e.contains("$.id: `Refund-Query` does not match"), "{e}");
        assert!(
            e.contains("refundAmount.type: \"boolean\" is not one of [\"string\",\"number\","),
            "{e}"
        );
    }

    #[test]
    fn validator_refuses_unknown_schema_keywords() {
        let schema = J::parse(r#"{"type": "object", "dependentRequired": {}}"#).unwrap();
        let e = validate(&schema, &J::obj()).unwrap_err().join("\n");
        assert!(
            e.contains("keyword `dependentRequired` is not supported"),
            "{e}"
        );
    }

    #[test]
    fn validator_basics() {
        let schema = J::parse(
            r##"{"$defs": {"n": {"type": "integer", "minimum": 1}},
                "type": "object", "additionalProperties": {"$ref": "#/$defs/n"},
                "propertyNames": {"pattern": "^[a-z]+$"}, "minProperties": 1}"##,
        )
        .unwrap();
        assert!(validate(&schema, &J::parse(r#"{"a": 1, "b": 2.0}"#).unwrap()).is_ok());
        let e = validate(&schema, &J::parse(r#"{"A": 0, "b": 1.5}"#).unwrap()).unwrap_err();
        let e = e.join("\n");
        assert!(e.contains("$ key `A`: `A` does not match"), "{e}");
        assert!(e.contains("$.A: 0 is below the minimum 1"), "{e}");
        assert!(e.contains("$.b: is number, expected integer"), "{e}");
        assert!(validate(&schema, &J::obj()).unwrap_err()[0].contains("at least 1 keys"));
        let schema =
            J::parse(r#"{"type": "array", "maxItems": 2, "contains": {"const": "null"}}"#).unwrap();
        assert!(validate(&schema, &J::parse(r#"["a", "null"]"#).unwrap()).is_ok());
        let e = validate(&schema, &J::parse(r#"["a", "b", "c"]"#).unwrap()).unwrap_err();
        assert_eq!(
            e,
            ["$: has more than 2 items", "$: no item matches `contains`"]
        );
        let schema = J::parse(r#"{"maxProperties": 1}"#).unwrap();
        let e = validate(&schema, &J::parse(r#"{"a": 1, "b": 2}"#).unwrap()).unwrap_err();
        assert_eq!(e, ["$: has more than 1 keys"]);
    }

    /// The properties of the seed's request `data`.
    fn data_properties(spec: &mut J) -> &mut J {
        spec.get_mut("request")
            .and_then(|r| r.get_mut("schema"))
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut("data"))
            .and_then(|d| d.get_mut("properties"))
            .unwrap()
    }

    #[test]
    fn schema_accepts_format_two_keywords_and_refuses_misplaced_ones() {
        let mut spec = seed();
        spec.set("formatVersion", J::Num(2.into()));
        let data = data_properties(&mut spec);
        data.set(
            "extra",
            J::parse(
                r#"{"type": ["object", "null"], "maxProperties": 3, "x-rust-name": "extra_params"}"#,
            )
            .unwrap(),
        );
        data.set(
            "list",
            J::parse(r#"{"type": "array", "items": {"type": "string", "x-accept": ["number"]}, "minItems": 1, "uniqueItems": true}"#)
                .unwrap(),
        );
        assert_eq!(validate(&meta_schema(), &spec.clone()), Ok(()));
        let data = data_properties(&mut spec);
        data.set(
            "bad",
            J::parse(r#"{"type": ["string", "integer"]}"#).unwrap(),
        );
        data.set(
            "bad2",
            J::parse(r#"{"type": "integer", "x-accept": ["number"]}"#).unwrap(),
        );
        data.set(
            "bad3",
            J::parse(r#"{"type": "string", "minItems": 1}"#).unwrap(),
        );
        let e = errors_of(&spec);
        assert!(
            e.contains(
                "$.request.schema.properties.data.properties.bad.type: matches none of the anyOf"
            ),
            "{e}"
        );
        assert!(e.contains("bad2.type: \"integer\" is not one of"), "{e}");
        assert!(e.contains("bad3.type: \"string\" is not one of"), "{e}");
        spec.remove("domain");
        assert!(errors_of(&spec).contains("`domain` is missing"));
    }
}
