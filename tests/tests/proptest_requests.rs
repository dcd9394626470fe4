//! Property tests over every generated request type, driven by the specs
//! (through the generated operations data, `payermax_sandbox::OPERATIONS_JSON`):
//!
//! * arbitrary valid values (built from the spec's request schema: lengths in
//!   characters with multi-byte text, enums, one-of groups, exact amounts)
//!   decode into the generated type, pass `validate()`, and survive the
//!   envelope serialization the client does, signing, verification and
//!   deserialization unchanged;
//! * `validate()` accepts each constraint's boundary and rejects the boundary
//!   plus one (`maxLength + 1` characters, multi-byte included; `minLength - 1`;
//!   a value outside an `enum`), naming the field and the rule;
//! * amounts round-trip exactly, scale included, at every scale 0..=28.
//!
//! The operations come from the generated registry
//! (`payermax_types::registry::visit_operations`): every outbound spec is
//! covered without a list kept by hand.

use std::borrow::Cow;
use std::str::FromStr;

use payermax_test_keys::test_keys;
use payermax_tests::schema_values::{base_type, minimal, one_of_groups};
use payermax_types::registry::{OPERATIONS, visit_operations};
use payermax_types::{
    Amount, ApiGeneration, GatewayRequest, Kind, LegacyRequest, Operation, OperationInfo,
    OperationVisitor, Rule, Validate,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

/// Envelope fields the library fills, by API generation (generated from the
/// generator's own lists).
use payermax_types::registry::{GATEWAY_ENVELOPE, LEGACY_ENVELOPE};

/// The operations of `spec/`, as xtask writes them for the sandbox and the tests.
fn operations() -> Vec<Value> {
    let data: Value = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).expect("JSON");
    data["operations"].as_array().expect("operations").clone()
}

/// One operation's entry, with its request schema where the spec has it.
fn load_spec(id: &str) -> Value {
    let op = operations()
        .into_iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("no operation {id}"));
    serde_json::json!({ "id": op["id"], "api": op["api"], "request": { "schema": op["requestSchema"] } })
}

/// The payload schema the caller builds, and the path prefix of its fields.
fn payload_schema(spec: &Value) -> (Value, &'static str) {
    let body = &spec["request"]["schema"];
    if spec["api"] == "legacy-v2.1" {
        let mut schema = body.clone();
        let props = schema["properties"].as_object_mut().expect("properties");
        for f in LEGACY_ENVELOPE {
            props.remove(*f);
        }
        let req: Vec<Value> = body["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|f| !LEGACY_ENVELOPE.contains(&f.as_str().unwrap_or("")))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        schema["required"] = Value::Array(req);
        (schema, "")
    } else {
        for f in GATEWAY_ENVELOPE {
            // `merchantAppId` stands for `appId` in a few envelopes
            // (Operation::APP_ID_FIELD).
            let present = body["properties"].get(*f).is_some()
                || (*f == "appId" && body["properties"].get("merchantAppId").is_some());
            assert!(
                present || *f == "merchantNo",
                "gateway envelope field {f} missing from the spec"
            );
        }
        (body["properties"]["data"].clone(), "data.")
    }
}

// ---------------------------------------------------------------------------
// Strategies: JSON text of valid values, from the schema.
// ---------------------------------------------------------------------------

/// Characters for generated text: ASCII and multi-byte (2, 3 and 4 UTF-8
/// bytes), plus characters JSON must escape.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('0', '9'),
        1 => prop::sample::select(vec!['é', 'ß', '退', '款', '😀', '"', '\\', '\n', '<', '&']),
    ]
}

fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(text_char(), min..=max)
        .prop_map(|cs| cs.into_iter().collect())
        .boxed()
}

/// An exact positive amount: any i64 mantissa at scale 0..=8.
fn amount() -> BoxedStrategy<Amount> {
    (1i64..=i64::MAX, 0u32..=8)
        .prop_map(|(m, s)| Amount::new(m, s).expect("in range"))
        .boxed()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string serializes")
}

fn value_strategy(schema: &Value) -> BoxedStrategy<String> {
    let ty = base_type(schema).unwrap_or("string");
    let format = schema["format"].as_str();
    if let Some(values) = schema["enum"].as_array() {
        let texts: Vec<String> = values.iter().map(Value::to_string).collect();
        return prop::sample::select(texts).boxed();
    }
    match (ty, format) {
        ("string", Some("decimal")) => match schema["maxLength"].as_u64() {
            // A money string's maxLength bounds its text: fewer than
            // max - 2 digits and a scale no larger give at most `max`
            // characters (`d.ddd` or `0.0ddd`).
            Some(max) => {
                let k = (max.saturating_sub(2)).clamp(1, 18) as u32;
                (1i64..10i64.pow(k), 0u32..=k.min(8))
                    .prop_map(|(m, s)| json_str(&Amount::new(m, s).expect("in range").to_string()))
                    .boxed()
            }
            None => amount().prop_map(|a| json_str(&a.to_string())).boxed(),
        },
        ("number", Some("decimal")) => amount().prop_map(|a| a.to_string()).boxed(),
        ("string", Some("date-time")) => (0i64..4_102_444_800_000)
            .prop_map(|ms| {
                json_str(
                    &payermax_types::Timestamp::from_unix_millis(ms)
                        .expect("in range")
                        .to_string(),
                )
            })
            .boxed(),
        ("string", _) => {
            let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
            let max = schema["maxLength"]
                .as_u64()
                .map_or(min + 40, |m| m as usize);
            if let Some(p) = schema["pattern"].as_str() {
                // `^<class>+$`: the class repeated within the length bounds.
                let class = p
                    .strip_prefix('^')
                    .and_then(|p| p.strip_suffix("+$"))
                    .filter(|c| c.starts_with('[') && c.ends_with(']'))
                    .unwrap_or_else(|| {
                        panic!("no strategy for pattern {p}: extend value_strategy")
                    });
                let re = format!("{class}{{{},{max}}}", min.max(1));
                return proptest::string::string_regex(&re)
                    .expect("a valid regex")
                    .prop_map(|s| json_str(&s))
                    .boxed();
            }
            text(min, max).prop_map(|s| json_str(&s)).boxed()
        }
        ("integer", _) | ("number", _) => (0i64..1_000_000).prop_map(|n| n.to_string()).boxed(),
        ("boolean", _) => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        ("object", _) => object_strategy(schema),
        ("array", _) => {
            // Within minItems..=maxItems, at most two over the minimum; distinct
            // items where `uniqueItems` asks for them.
            let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
            let max = schema["maxItems"]
                .as_u64()
                .map_or(min + 2, |m| (m as usize).min(min + 2));
            let items = value_strategy(&schema["items"]);
            if schema["uniqueItems"] == true {
                prop::collection::btree_set(items, min..=max)
                    .prop_map(|set| format!("[{}]", set.into_iter().collect::<Vec<_>>().join(",")))
                    .boxed()
            } else {
                prop::collection::vec(items, min..=max)
                    .prop_map(|items| format!("[{}]", items.join(",")))
                    .boxed()
            }
        }
        (other, _) => panic!("no strategy for type {other}"),
    }
}

fn object_strategy(schema: &Value) -> BoxedStrategy<String> {
    let props = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let groups = one_of_groups(schema);
    let mut parts: Vec<BoxedStrategy<Option<String>>> = Vec::new();
    for (name, sub) in &props {
        if groups.iter().any(|g| g.contains(name)) {
            continue;
        }
        let key = json_str(name);
        let v = value_strategy(sub).prop_map(move |v| format!("{key}:{v}"));
        if required.contains(name) {
            parts.push(v.prop_map(Some).boxed());
        } else {
            parts.push(prop::option::of(v).boxed());
        }
    }
    for group in groups {
        let choices: Vec<BoxedStrategy<Option<String>>> = group
            .iter()
            .map(|name| {
                let key = json_str(name);
                value_strategy(&props[name])
                    .prop_map(move |v| Some(format!("{key}:{v}")))
                    .boxed()
            })
            .collect();
        parts.push(proptest::strategy::Union::new(choices).boxed());
    }
    parts
        .prop_map(|fields| {
            let inner: Vec<String> = fields.into_iter().flatten().collect();
            format!("{{{}}}", inner.join(","))
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Round trip: decode, validate, envelope, sign, verify, decode.
// ---------------------------------------------------------------------------

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn roundtrip<O: Operation>(id: &str) {
    let spec = load_spec(id);
    let (schema, _) = payload_schema(&spec);
    let keys = test_keys();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&object_strategy(&schema), |json| {
            let request: O::Request = serde_json::from_str(&json)
                .map_err(|e| TestCaseError::fail(format!("{id}: valid {json} rejected: {e}")))?;
            prop_assert!(
                request.validate().is_ok(),
                "{id}: validate() rejected {json}: {:?}",
                request.validate()
            );
            // Wrap and serialize exactly as payermax-http does.
            let body = match O::API {
                ApiGeneration::LegacyV21 => serde_json::to_vec(&LegacyRequest {
                    merchant_id: Cow::Borrowed("SP12345678"),
                    biz_type: Cow::Borrowed(O::BIZ_TYPE.unwrap_or(O::NAME)),
                    version: Cow::Borrowed(O::DEFAULT_VERSION),
                    payload: &request,
                }),
                _ => serde_json::to_vec(&GatewayRequest {
                    version: Cow::Borrowed(O::DEFAULT_VERSION),
                    key_version: Cow::Borrowed("1"),
                    request_time: Cow::Borrowed("2026-01-02T03:04:05.678+00:00"),
                    app_id: Cow::Borrowed("app-1"),
                    app_id_field: O::APP_ID_FIELD,
                    merchant_no: Some(Cow::Borrowed("P01010113865434")),
                    data: &request,
                }),
            }
            .expect("a valid request serializes");
            let sign = keys.merchant_private.sign(&body).expect("signs");
            prop_assert!(keys.merchant_public.verify(&body, &sign).is_ok());
            let back: O::Request = match O::API {
                ApiGeneration::LegacyV21 => {
                    LegacyRequest::<O::Request>::from_json_slice(&body)
                        .expect("decodes")
                        .payload
                }
                _ => {
                    serde_json::from_slice::<GatewayRequest<'_, O::Request>>(&body)
                        .expect("decodes")
                        .data
                }
            };
            // Compared in their exact wire form (the types need not be `PartialEq`).
            prop_assert_eq!(
                serde_json::to_string(&back).expect("encodes"),
                serde_json::to_string(&request).expect("encodes")
            );
            // Any change to the bytes breaks the signature.
            let mut tampered = body.clone();
            let last = tampered.len() - 2;
            tampered[last] ^= 1;
            prop_assert!(keys.merchant_public.verify(&tampered, &sign).is_err());
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{id}: {e}"));
}

#[test]
fn requests_survive_serialize_sign_verify_deserialize() {
    struct RoundTrips(usize);
    impl OperationVisitor for RoundTrips {
        fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
            roundtrip::<O>(info.id);
            self.0 += 1;
        }
    }
    let mut v = RoundTrips(0);
    visit_operations(&mut v);
    assert!(v.0 >= 2, "only {} operations visited", v.0);
}

// ---------------------------------------------------------------------------
// Boundaries: each constraint's limit accepted, limit + 1 rejected by name.
// ---------------------------------------------------------------------------

/// One constrained field: its path inside the payload and its schema.
fn constrained_fields(schema: &Value, prefix: &[String], out: &mut Vec<(Vec<String>, Value)>) {
    for (name, sub) in schema["properties"].as_object().into_iter().flatten() {
        let mut path = prefix.to_vec();
        path.push(name.clone());
        if base_type(sub) == Some("object") {
            constrained_fields(sub, &path, out);
        }
        let constrained = sub.get("maxLength").is_some()
            || sub.get("minLength").is_some()
            || (sub.get("enum").is_some() && base_type(sub) == Some("string"));
        if constrained && sub["format"] != "decimal" {
            out.push((path, sub.clone()));
        }
    }
}

/// Sets `path` in `payload` to `value`, dropping the other members of a
/// one-of group it belongs to.
fn set_field(payload: &mut Value, schema: &Value, path: &[String], value: Value) {
    let (head, rest) = path.split_first().expect("non-empty path");
    if rest.is_empty() {
        for g in one_of_groups(schema) {
            if g.contains(head) {
                for other in g.iter().filter(|f| *f != head) {
                    payload.as_object_mut().expect("object").remove(other);
                }
            }
        }
        payload[head.as_str()] = value;
    } else {
        if payload.get(head).is_none() {
            payload[head.as_str()] = minimal(&schema["properties"][head]);
        }
        set_field(
            &mut payload[head.as_str()],
            &schema["properties"][head],
            rest,
            value,
        );
    }
}

fn check_boundaries<O: Operation>(id: &str) -> usize {
    let spec = load_spec(id);
    let (schema, prefix) = payload_schema(&spec);
    let base = minimal(&schema);
    let decode = |v: &Value| -> O::Request {
        serde_json::from_value(v.clone())
            .unwrap_or_else(|e| panic!("{id}: {v} does not decode: {e}"))
    };
    decode(&base)
        .validate()
        .unwrap_or_else(|e| panic!("{id}: the minimal payload {base} is invalid: {e}"));
    let mut fields = Vec::new();
    constrained_fields(&schema, &[], &mut fields);
    let mut checked = 0;
    for (path, sub) in fields {
        let wire_path = format!("{prefix}{}", path.join("."));
        let with = |v: Value| {
            let mut p = base.clone();
            set_field(&mut p, &schema, &path, v);
            decode(&p)
        };
        let expect_rule = |v: Value, rule: Rule| {
            let shown = v.to_string();
            let err = with(v)
                .validate()
                .expect_err(&format!("{id}: {wire_path} = {shown} accepted"));
            assert!(
                err.violations
                    .iter()
                    .any(|x| x.path == wire_path && x.rule == rule),
                "{id}: {wire_path} = {shown}: expected {rule:?}, got {err}"
            );
            // The message names the field.
            assert!(err.to_string().contains(&wire_path), "{err}");
        };
        // An enum's values are its only valid strings: its length bounds
        // cannot be reached on their own.
        if let Some(max) = sub["maxLength"]
            .as_u64()
            .map(|m| m as usize)
            .filter(|_| sub.get("enum").is_none())
        {
            // Multi-byte characters count as one, except where a pattern
            // allows only ASCII.
            let chars: &[char] = if sub.get("pattern").is_some() {
                &['a']
            } else {
                &['a', '退', '😀']
            };
            for &c in chars {
                let at = c.to_string().repeat(max);
                with(Value::from(at.clone()))
                    .validate()
                    .unwrap_or_else(|e| panic!("{id}: {wire_path} at maxLength {max} ({c}): {e}"));
                let over = c.to_string().repeat(max + 1);
                expect_rule(
                    Value::from(over),
                    Rule::MaxLength {
                        max,
                        actual: max + 1,
                    },
                );
            }
            checked += 1;
        }
        if let Some(min) = sub["minLength"]
            .as_u64()
            .map(|m| m as usize)
            .filter(|_| sub.get("enum").is_none())
        {
            let c = if sub.get("pattern").is_some() {
                "a"
            } else {
                "退"
            };
            with(Value::from(c.repeat(min)))
                .validate()
                .unwrap_or_else(|e| panic!("{id}: {wire_path} at minLength {min}: {e}"));
            if min > 0 {
                expect_rule(
                    Value::from(c.repeat(min - 1)),
                    Rule::MinLength {
                        min,
                        actual: min - 1,
                    },
                );
            }
            checked += 1;
        }
        if let Some(values) = sub["enum"].as_array()
            && base_type(&sub) == Some("string")
        {
            for v in values {
                with(v.clone())
                    .validate()
                    .unwrap_or_else(|e| panic!("{id}: {wire_path} = {v}: {e}"));
            }
            let err = with(Value::from("NOT_A_DOCUMENTED_VALUE"))
                .validate()
                .expect_err("an undocumented enum value is rejected");
            assert!(
                err.violations
                    .iter()
                    .any(|x| x.path == wire_path && matches!(x.rule, Rule::Enum { .. })),
                "{err}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn validate_accepts_limits_and_rejects_limit_plus_one() {
    struct Boundaries(usize);
    impl OperationVisitor for Boundaries {
        fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
            self.0 += check_boundaries::<O>(info.id);
        }
    }
    let mut v = Boundaries(0);
    visit_operations(&mut v);
    let total = v.0;
    // refund_query: outRefundNo, refundTradeNo; legacy_refund_apply:
    // refundId, orderId, currency, callbackUrl, comments, email.
    assert!(total >= 8, "only {total} constraints checked");
}

#[test]
fn every_outbound_spec_is_covered() {
    let mut outbound: Vec<String> = operations()
        .iter()
        .filter(|o| o["direction"] != "inbound")
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect();
    outbound.sort();
    // The registry lists them, and every one is compiled in (the tests
    // build payermax-types with all its features), so the visitors above
    // reached each of them.
    let listed: Vec<String> = OPERATIONS
        .iter()
        .filter(|i| i.kind == Kind::Operation && i.is_enabled())
        .map(|i| i.id.to_owned())
        .collect();
    assert_eq!(listed, outbound);
}

// ---------------------------------------------------------------------------
// Amounts: exact at every scale.
// ---------------------------------------------------------------------------

#[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
struct Wire {
    #[serde(with = "payermax_types::amount::as_number")]
    number: Amount,
    #[serde(with = "payermax_types::amount::as_string")]
    string: Amount,
    plain: Amount,
}

/// Any 96-bit mantissa (the range of `Decimal`), either sign.
fn mantissa() -> impl Strategy<Value = i128> {
    let max = (1i128 << 96) - 1;
    prop_oneof![-max..=max, -1000i128..=1000, Just(max), Just(-max), Just(0)]
}

fn check_amount(m: i128, scale: u32) -> Result<(), TestCaseError> {
    let d = Decimal::from_i128_with_scale(m, scale);
    let a = Amount::from(d);
    prop_assert_eq!(a.scale(), scale);
    let text = a.to_string();
    let back = Amount::from_str(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
    prop_assert_eq!(back.as_decimal(), d);
    prop_assert_eq!(back.scale(), scale, "{}", text);
    prop_assert_eq!(back.to_string(), text.clone());
    let wire = Wire {
        number: a,
        string: a,
        plain: a,
    };
    let json = serde_json::to_string(&wire).expect("serializes");
    let decoded: Wire = serde_json::from_str(&json).expect("decodes");
    prop_assert_eq!(decoded.number.to_string(), text.clone(), "{}", json);
    prop_assert_eq!(decoded.string.to_string(), text.clone(), "{}", json);
    prop_assert_eq!(decoded.plain.to_string(), text.clone(), "{}", json);
    prop_assert_eq!(decoded, wire);
    Ok(())
}

#[test]
fn amounts_round_trip_exactly_at_every_scale() {
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    for scale in 0..=28u32 {
        runner
            .run(&mantissa(), |m| check_amount(m, scale))
            .unwrap_or_else(|e| panic!("scale {scale}: {e}"));
        // The extremes of every scale, always.
        let max = (1i128 << 96) - 1;
        for m in [0, 1, -1, max, -max] {
            check_amount(m, scale).unwrap_or_else(|e| panic!("{m} at scale {scale}: {e}"));
        }
    }
    // i64 constructor at every scale.
    for scale in 0..=28u32 {
        for m in [i64::MIN, -1, 0, 1, i64::MAX] {
            let a = Amount::new(m, scale).expect("in range");
            assert_eq!(a.scale(), scale);
            assert_eq!(Amount::from_str(&a.to_string()).unwrap(), a);
        }
    }
}
