//! The generator's fixture specs (`xtask/tests/fixtures/*.json`), compiled
//! from their committed snapshots and exercised: every construct the
//! generator emits is built, validated, written and read here.

use payermax_tests::{edge_cases, kitchen_sink, sample_notify};

use kitchen_sink::*;
use payermax_types::{
    Amount, ApiGeneration, Notification, Operation, OperationRequest, Rule, Timestamp, Validate,
    Violation,
};
use sample_notify::*;

fn amount(s: &str) -> Amount {
    s.parse().unwrap()
}

fn full_request() -> KitchenSinkRequest {
    KitchenSinkRequest::new(
        "ORD1",
        amount("1234567.89"),
        Lookup::ByAmount(amount("10.00")),
    )
    .fee(amount("0.50"))
    .quantity(3)
    .gift(false)
    .tags(vec!["a".into(), "bb".into()])
    .channel(KitchenSinkChannel::BankTransfer)
    .priority(KitchenSinkPriority::Minus1)
    .payer(
        KitchenSinkPayer::new("Ann").address(KitchenSinkPayerAddress::new("Jakarta").zip("12345")),
    )
    .items(vec![KitchenSinkItemsItem::new("S1", amount("1000"))])
    .created_at("2023-10-20T03:28:23.092Z".parse::<Timestamp>().unwrap())
    .r#type("t")
}

#[test]
fn descriptor_constants() {
    assert_eq!(KitchenSink::NAME, "kitchenSink");
    assert_eq!(KitchenSink::API, ApiGeneration::Gateway);
    assert_eq!(KitchenSink::PATH, "/aggregate-pay/api/gateway/kitchenSink");
    assert_eq!(KitchenSink::DEFAULT_VERSION, "1.5");
    assert_eq!(KitchenSink::KEY_VERSION, Some("1"));
    assert_eq!(KitchenSink::BIZ_TYPE, None);
    fn op_of<R: OperationRequest>(_: &R) -> &'static str {
        R::Operation::NAME
    }
    assert_eq!(op_of(&full_request()), "kitchenSink");
}

#[test]
fn writes_every_field_in_its_wire_form() {
    let json = serde_json::to_string(&full_request()).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"{"orderNo":"ORD1","amount":1234567.89,"fee":"0.50","quantity":3,"gift":false,"#,
            r#""tags":["a","bb"],"channel":"bank-transfer","priority":-1,"#,
            r#""payer":{"name":"Ann","address":{"city":"Jakarta","zip":"12345"}},"#,
            r#""items":[{"sku":"S1","price":1000}],"byAmount":"10.00","#,
            r#""createdAt":"2023-10-20T03:28:23.092+00:00","type":"t"}"#
        )
    );
    let back: KitchenSinkRequest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, full_request());
    // Optional fields left out are not written at all.
    let min = KitchenSinkRequest::new("ORD1", amount("1"), Lookup::ById("7".into()));
    assert_eq!(
        serde_json::to_string(&min).unwrap(),
        r#"{"orderNo":"ORD1","amount":1,"byId":"7"}"#
    );
}

#[test]
fn valid_request_has_no_violations() {
    assert_eq!(full_request().validate(), Ok(()));
}

#[test]
fn every_violation_is_reported_with_its_wire_path() {
    let req = KitchenSinkRequest::new("ab", amount("1234567890.123"), Lookup::ById("1234".into()))
        .tags(vec!["ok".into(), "toolong".into()])
        .channel(KitchenSinkChannel::from("SWIFT"))
        .priority(KitchenSinkPriority::from(9))
        .payer(KitchenSinkPayer::new("Ann").address(KitchenSinkPayerAddress::new("").zip("1234")))
        .items(vec![
            KitchenSinkItemsItem::new("S1", amount("1")),
            KitchenSinkItemsItem::new("SKU-1234", amount("1")),
        ]);
    let errors = req.validate().unwrap_err().violations;
    let v = |path: &str, rule: Rule| Violation {
        path: path.into(),
        rule,
    };
    assert_eq!(
        errors,
        vec![
            v("data.orderNo", Rule::MinLength { min: 4, actual: 2 }),
            v(
                "data.orderNo",
                Rule::Pattern {
                    pattern: "^[A-Z0-9]+$"
                }
            ),
            v("data.tags[1]", Rule::MaxLength { max: 5, actual: 7 }),
            v(
                "data.channel",
                Rule::Enum {
                    allowed: &["CARD", "WALLET", "bank-transfer"]
                }
            ),
            v(
                "data.priority",
                Rule::Enum {
                    allowed: &["-1", "0", "1"]
                }
            ),
            v(
                "data.payer.address.city",
                Rule::MinLength { min: 1, actual: 0 }
            ),
            v(
                "data.payer.address.zip",
                Rule::Pattern {
                    pattern: "^[0-9]{5}$"
                }
            ),
            v("data.items[1].sku", Rule::MaxLength { max: 6, actual: 8 }),
            v("data.byId", Rule::MaxLength { max: 3, actual: 4 }),
        ]
    );
    // Lengths are counted in characters.
    let wide = KitchenSinkRequest::new("ORD1", amount("1"), Lookup::ById("退款单".into()));
    assert_eq!(wide.validate(), Ok(()));
}

#[test]
fn one_of_is_enforced_when_reading() {
    let neither = serde_json::from_str::<KitchenSinkRequest>(r#"{"orderNo":"ORD1","amount":1}"#)
        .unwrap_err()
        .to_string();
    assert!(
        neither.contains("exactly one of `byId`, `byAmount`"),
        "{neither}"
    );
    assert!(neither.contains("none was given"), "{neither}");
    let both = serde_json::from_str::<KitchenSinkRequest>(
        r#"{"orderNo":"ORD1","amount":1,"byId":"1","byAmount":2}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(both.contains("2 were given"), "{both}");
    let one: KitchenSinkRequest =
        serde_json::from_str(r#"{"orderNo":"ORD1","amount":1,"byAmount":2.50}"#).unwrap();
    assert_eq!(one.lookup, Lookup::ByAmount(amount("2.50")));
    assert_eq!(
        one.lookup,
        Lookup::ByAmount(amount("2.5")),
        "amounts compare numerically"
    );
}

#[test]
fn required_fields_are_required_when_reading() {
    let err = serde_json::from_str::<KitchenSinkRequest>(r#"{"amount":1,"byId":"1"}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `orderNo`"), "{err}");
    let err = serde_json::from_str::<KitchenSinkRequest>(
        r#"{"orderNo":"A","amount":1.5e400,"byId":"1"}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
    let err =
        serde_json::from_str::<KitchenSinkRequest>(r#"{"orderNo":"A","amount":"NaN","byId":"1"}"#)
            .unwrap_err();
    assert!(err.to_string().contains("not a decimal"), "{err}");
}

#[test]
fn replies_keep_unknown_values_and_accept_unknown_fields() {
    let json = r#"{"orderNo":"ORD1","status":"SOMETHING_NEW","state":7,"totalAmount":10000.50,
        "finishedAt":"2023-10-20T03:28:23Z","items":[{"sku":"S1","price":"1000.00"}],"extra":{"x":[1,2]}}"#;
    let r: KitchenSinkResponse = serde_json::from_str(json).unwrap();
    assert_eq!(r.status, KitchenSinkStatus::Unknown("SOMETHING_NEW".into()));
    assert_eq!(r.state, Some(KitchenSinkState::Unknown(7)));
    assert_eq!(r.total.unwrap().to_string(), "10000.50");
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"orderNo":"ORD1","status":"SOMETHING_NEW","state":7,"total":10000.50,"finishedAt":"2023-10-20T03:28:23.000+00:00","items":[{"sku":"S1","price":1000.00}]}"#
    );
    let known: KitchenSinkResponse =
        serde_json::from_str(r#"{"orderNo":"O","status":"DONE","state":1}"#).unwrap();
    assert_eq!(known.status, KitchenSinkStatus::Done);
    assert_eq!(known.state, Some(KitchenSinkState::Closed));
    assert_eq!(KitchenSinkState::Open.value(), 0);
    assert_eq!(KitchenSinkStatus::Pending.as_str(), "PENDING");
    assert_eq!(
        KitchenSinkStatus::from("DONE".to_string()),
        KitchenSinkStatus::Done
    );
    assert_eq!(KitchenSinkStatus::from("X".to_string()).to_string(), "X");
    assert_eq!(KitchenSinkStatus::VALUES, &["DONE", "PENDING"]);
    assert_eq!(KitchenSinkState::VALUES, &[0, 1]);
    // A reply is decoded even when it breaks the documented constraints.
    let long: KitchenSinkResponse =
        serde_json::from_str(r#"{"orderNo":"MUCH-TOO-LONG","status":"DONE"}"#).unwrap();
    assert_eq!(long.order_no, "MUCH-TOO-LONG");
    // Undecodable replies are errors: a required field missing, a float state.
    assert!(serde_json::from_str::<KitchenSinkResponse>(r#"{"status":"DONE"}"#).is_err());
    assert!(
        serde_json::from_str::<KitchenSinkResponse>(
            r#"{"orderNo":"O","status":"DONE","state":1.5}"#
        )
        .is_err()
    );
}

#[test]
fn notifications() {
    assert_eq!(SampleNotify::NAME, "sample_notify");
    assert_eq!(SampleNotify::API, ApiGeneration::LegacyV21);
    assert_eq!(
        SampleNotify::ACKNOWLEDGEMENT,
        r#"{"bizCode":"0000","message":"success"}"#
    );
    let body: <SampleNotify as Notification>::Body = serde_json::from_str(
        r#"{"merchantId":"SP1","refundId":"R1","status":2,"refundAmount":"1000.00","currency":"INR","new":1}"#,
    )
    .unwrap();
    assert_eq!(body.status, SampleNotifyStatus::Failed);
    assert_eq!(body.refund_amount.to_string(), "1000.00");
    assert_eq!(body.error_msg, None);
    let built = SampleNotifyBody::new(
        "SP1",
        "R1",
        SampleNotifyStatus::Success,
        amount("5.10"),
        "INR",
    )
    .error_msg("none");
    assert_eq!(
        serde_json::to_string(&built).unwrap(),
        r#"{"merchantId":"SP1","refundId":"R1","status":1,"refundAmount":"5.10","currency":"INR","errorMsg":"none"}"#
    );
    assert_eq!(built.validate(), Ok(()));
}

#[test]
fn legacy_edge_cases() {
    use edge_cases::*;
    assert_eq!(EdgeCases::BIZ_TYPE, Some("edgeCases"));
    assert_eq!(EdgeCases::KEY_VERSION, None);
    assert_eq!(EdgeCases::API, ApiGeneration::LegacyV21);
    let t: Timestamp = "2024-03-01T00:59:59.500Z".parse().unwrap();
    // Eight required members: a plain constructor still, one argument each.
    let req = EdgeCasesRequest::new(
        "a",
        "b",
        "c",
        4,
        true,
        t,
        amount("1"),
        vec![EdgeCasesF8Item::X, EdgeCasesF8Item::from("Z")],
        Type::ByNumber(amount("12.50")),
    )
    .with_new("n")
    .with_validate("v");
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"f1":"a","f2":"b","f3":"c","f4":4,"f5":true,"f6":"2024-03-01T00:59:59.500+00:00","f7":"1","f8":["X","Z"],"new":"n","validate":"v","byNumber":12.50}"#
    );
    // Legacy paths have no `data.` prefix; array items are indexed.
    let v = |path: &str, rule: Rule| Violation {
        path: path.into(),
        rule,
    };
    assert_eq!(
        req.validate().unwrap_err().violations,
        [
            v("f7", Rule::MinLength { min: 3, actual: 1 }),
            v(
                "f8[1]",
                Rule::Enum {
                    allowed: &["X", "Y"]
                }
            ),
            v("validate", Rule::MinLength { min: 2, actual: 1 }),
        ]
    );
    // The whole legacy body decodes: the envelope fields are ignored.
    let full: EdgeCasesRequest = serde_json::from_str(
        r#"{"merchantId":"SP1","bizType":"edgeCases","version":"2.1","f1":"a","f2":"b","f3":"c","f4":4,"f5":true,
            "f6":"2024-03-01T00:59:59.5Z","f7":"1.5","f8":["X","Z"],"byCode":7}"#,
    )
    .unwrap();
    assert_eq!(full.r#type, Type::ByCode(7));
    let three = serde_json::from_str::<EdgeCasesRequest>(
        r#"{"f1":"a","f2":"b","f3":"c","f4":4,"f5":true,"f6":"2024-03-01T00:59:59.5Z","f7":"1.5","f8":[],
            "byCode":7,"byText":"x","byNumber":1}"#,
    )
    .unwrap_err();
    assert!(three.to_string().contains("3 were given"), "{three}");
    // A reply with no `data` schema is an empty struct that accepts anything.
    let empty: EdgeCasesResponse = serde_json::from_str(r#"{"anything":1}"#).unwrap();
    assert_eq!(empty, EdgeCasesResponse::new());
    assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
}
