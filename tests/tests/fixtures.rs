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

/// The minimal request: its required members, named.
fn request(order_no: &str, amount: Amount, lookup: Lookup) -> KitchenSinkRequest {
    KitchenSinkRequest::new(KitchenSinkRequestRequired {
        order_no: order_no.into(),
        amount,
        lookup,
    })
}

fn payer(name: &str, city: &str, zip: &str) -> KitchenSinkPayer {
    KitchenSinkPayer::new(KitchenSinkPayerRequired { name: name.into() }).address(
        KitchenSinkPayerAddress::new(KitchenSinkPayerAddressRequired { city: city.into() })
            .zip(zip),
    )
}

fn item(sku: &str, price: Amount) -> KitchenSinkItemsItem {
    KitchenSinkItemsItem::new(KitchenSinkItemsItemRequired {
        sku: sku.into(),
        price,
    })
}

fn full_request() -> KitchenSinkRequest {
    request(
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
    .payer(payer("Ann", "Jakarta", "12345"))
    .items(vec![item("S1", amount("1000"))])
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
    let min = request("ORD1", amount("1"), Lookup::ById("7".into()));
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
    let req = request("ab", amount("1234567890.123"), Lookup::ById("1234".into()))
        .tags(vec!["ok".into(), "toolong".into()])
        .channel(KitchenSinkChannel::from("SWIFT"))
        .priority(KitchenSinkPriority::from(9))
        .payer(payer("Ann", "", "1234"))
        .items(vec![item("S1", amount("1")), item("SKU-1234", amount("1"))]);
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
    let wide = request("ORD1", amount("1"), Lookup::ById("退款单".into()));
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
    let built = SampleNotifyBody::new(SampleNotifyBodyRequired {
        merchant_id: "SP1".into(),
        refund_id: "R1".into(),
        status: SampleNotifyStatus::Success,
        refund_amount: amount("5.10"),
        currency: "INR".into(),
    })
    .error_msg("none");
    assert_eq!(
        serde_json::to_string(&built).unwrap(),
        r#"{"merchantId":"SP1","refundId":"R1","status":1,"refundAmount":"5.10","currency":"INR","errorMsg":"none"}"#
    );
    // A notification body is what PayerMax sends: it has constructors (for
    // tests) but no `Validate`.
    assert_eq!(
        serde_json::from_str::<SampleNotifyBody>(&serde_json::to_string(&built).unwrap()).unwrap(),
        built
    );
}

#[test]
fn legacy_edge_cases() {
    use edge_cases::*;
    assert_eq!(EdgeCases::BIZ_TYPE, Some("edgeCases"));
    assert_eq!(EdgeCases::KEY_VERSION, None);
    assert_eq!(EdgeCases::API, ApiGeneration::LegacyV21);
    let t: Timestamp = "2024-03-01T00:59:59.500Z".parse().unwrap();
    // Nine required members, each named at the call site.
    let req = EdgeCasesRequest::new(EdgeCasesRequestRequired {
        f1: "a".into(),
        f2: "b".into(),
        f3: "c".into(),
        f4: 4,
        f5: true,
        f6: t,
        f7: amount("1"),
        f8: vec![EdgeCasesF8Item::X, EdgeCasesF8Item::from("Z")],
        r#type: Type::ByNumber(amount("12.50")),
    })
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
    // A reply with no `data` schema is any JSON value, or none.
    let any: <EdgeCases as Operation>::Response =
        serde_json::from_str(r#"{"anything":1.50}"#).unwrap();
    assert_eq!(any, Some(serde_json::json!({"anything": 1.50})));
    let none: <EdgeCases as Operation>::Response = serde_json::from_str("null").unwrap();
    assert_eq!(none, None);
}

mod openapi {
    //! The fixtures of spec format 2 (`openapi_shapes`, `bool_reply`,
    //! `sync_callback`, `redirect`).

    use payermax_tests::{bool_reply, openapi_shapes::*, redirect, sync_callback};
    use payermax_types::{
        ApiGeneration, Number, Operation, Redirect, Rule, Text, TextKind, Validate, Violation,
    };
    use serde_json::json;

    fn request() -> OpenapiShapesRequest {
        OpenapiShapesRequest::new(OpenapiShapesRequestRequired {
            order_no: "ORD1".into(),
        })
    }

    fn item(sku: &str) -> OpenapiShapesItemsItem {
        OpenapiShapesItemsItem::new(OpenapiShapesItemsItemRequired { sku: sku.into() })
    }

    fn v(path: &str, rule: Rule) -> Violation {
        Violation {
            path: path.into(),
            rule,
        }
    }

    #[test]
    fn nulls_read_as_none_and_none_is_not_written() {
        let r: OpenapiShapesRequest =
            serde_json::from_str(r#"{"orderNo":"A","note":null,"period":null}"#).unwrap();
        assert_eq!(r.note, None);
        assert_eq!(r.period, None);
        assert_eq!(r, request_with("A"));
        // Required but nullable: absent reads as None too; in a request
        // (what the merchant sends) None is written as `null`, since the
        // member is required.
        let r: OpenapiShapesRequest = serde_json::from_str(r#"{"orderNo":"A"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"orderNo":"A","note":null}"#
        );
        // Not nullable and required: null is an error.
        assert!(serde_json::from_str::<OpenapiShapesRequest>(r#"{"orderNo":null}"#).is_err());
    }

    fn request_with(order_no: &str) -> OpenapiShapesRequest {
        OpenapiShapesRequest::new(OpenapiShapesRequestRequired {
            order_no: order_no.into(),
        })
    }

    #[test]
    fn every_shape_round_trips_exactly() {
        let json = concat!(
            r#"{"orderNo":"ORD1","note":"n","riskParams":{"deep":{"a":[1,"x",null]},"ip":"1.2.3.4"},"#,
            r#""period":30.50,"initalBalance":10.50,"type":"TWO","homepage":"https://m.example/","#,
            r#""items":[{"sku":"S1","detail":{"size":2}},{"sku":"S2","detail":{"color":"red","size":3}}],"#,
            r#""codes":["a",768,"768"]}"#
        );
        // (Free-form members are written in key order: serde_json's map is
        // sorted, as this workspace does not turn on `preserve_order`.)
        let r: OpenapiShapesRequest = serde_json::from_str(json).unwrap();
        // The wire names are misspelt or keywords; the Rust names are not.
        assert_eq!(r.initial_balance.unwrap().to_string(), "10.50");
        assert_eq!(r.kind, Some(OpenapiShapesKind::Two));
        assert_eq!(r.period.unwrap().to_string(), "30.50");
        assert_eq!(
            r.risk_params.as_ref().unwrap()["deep"],
            json!({"a": [1, "x", null]})
        );
        assert_eq!(
            r.items.as_ref().unwrap()[1]
                .detail
                .as_ref()
                .unwrap()
                .color
                .as_deref(),
            Some("red")
        );
        let codes = r.codes.as_ref().unwrap();
        assert_eq!(codes[1].kind(), TextKind::Number);
        assert_eq!(codes[2].kind(), TextKind::String);
        assert_eq!(codes[1].as_str(), codes[2].as_str());
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
        assert_eq!(r.validate(), Ok(()));

        // Built in Rust, it writes the same bytes.
        let mut risk = serde_json::Map::new();
        risk.insert("ip".into(), json!("1.2.3.4"));
        risk.insert("deep".into(), json!({"a": [1, "x", null]}));
        let built = request()
            .note("n")
            .risk_params(risk)
            .period("30.50".parse::<Number>().unwrap())
            .initial_balance("10.50".parse().unwrap())
            .kind(OpenapiShapesKind::Two)
            .homepage("https://m.example/")
            .items(vec![
                item("S1").detail(OpenapiShapesItemsItemDetail::new(
                    OpenapiShapesItemsItemDetailRequired { size: 2 },
                )),
                item("S2").detail(
                    OpenapiShapesItemsItemDetail::new(OpenapiShapesItemsItemDetailRequired {
                        size: 3,
                    })
                    .color("red"),
                ),
            ])
            .codes(vec![
                Text::from("a"),
                serde_json::from_str("768").unwrap(),
                Text::from("768"),
            ]);
        assert_eq!(built, r);
        assert_eq!(serde_json::to_string(&built).unwrap(), json);
    }

    #[test]
    fn item_and_member_counts_are_validated() {
        let mut five = serde_json::Map::new();
        for k in ["a", "b", "c"] {
            five.insert(k.into(), json!(1));
        }
        let req = request()
            .note("long!")
            .risk_params(five)
            .items(vec![item("S1"), item("S2"), item("S1")])
            .codes(vec![Text::from("a"), Text::from("abcd"), Text::from("a")]);
        assert_eq!(
            req.validate().unwrap_err().violations,
            [
                v("data.note", Rule::MaxLength { max: 4, actual: 5 }),
                v("data.riskParams", Rule::MaxProperties { max: 2, actual: 3 }),
                v("data.items", Rule::MaxItems { max: 2, actual: 3 }),
                v(
                    "data.items",
                    Rule::UniqueItems {
                        first: 0,
                        repeat: 2
                    }
                ),
                v(
                    "data.codes",
                    Rule::UniqueItems {
                        first: 0,
                        repeat: 2
                    }
                ),
                v("data.codes[1]", Rule::MaxLength { max: 3, actual: 4 }),
            ]
        );
        let req = request()
            .risk_params(serde_json::Map::new())
            .items(vec![])
            .kind(OpenapiShapesKind::from("THREE"));
        assert_eq!(
            req.validate().unwrap_err().violations,
            [
                v("data.riskParams", Rule::MinProperties { min: 1, actual: 0 }),
                v(
                    "data.type",
                    Rule::Enum {
                        allowed: &["ONE", "TWO"]
                    }
                ),
                v("data.items", Rule::MinItems { min: 1, actual: 0 }),
            ]
        );
        // A text read as a number is measured by its text.
        let req: OpenapiShapesRequest =
            serde_json::from_str(r#"{"orderNo":"A","codes":[1234]}"#).unwrap();
        assert_eq!(
            req.validate().unwrap_err().violations,
            [v("data.codes[0]", Rule::MaxLength { max: 3, actual: 4 })]
        );
    }

    #[test]
    fn replies_keep_sent_json_types_and_read_aliases() {
        assert_eq!(OpenapiShapes::NAME, "openapiShapes");
        let data: <OpenapiShapes as Operation>::Response = serde_json::from_str(
            r#"{"tradeNo":768,"status":"N ","rate":0.0350,"meta":{"a":[1],"b":null},"extra":{"flag":true},"link":null}"#,
        )
        .unwrap();
        let data = data.expect("data");
        assert_eq!(data.trade_no.as_str(), "768");
        assert_eq!(data.trade_no.kind(), TextKind::Number);
        assert_eq!(
            data.status,
            OpenapiShapesStatus::N,
            "the padded alias reads as N"
        );
        assert_eq!(OpenapiShapesStatus::from("N\t"), OpenapiShapesStatus::N);
        assert_eq!(
            OpenapiShapesStatus::from("N  "),
            OpenapiShapesStatus::Unknown("N  ".into())
        );
        assert_eq!(
            data.extra.as_ref().unwrap().flag.as_ref().unwrap().as_str(),
            "true"
        );
        assert_eq!(data.link, None);
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"tradeNo":768,"status":"N","rate":0.0350,"meta":{"a":[1],"b":null},"extra":{"flag":true}}"#
        );
        // `data` may be left out or null.
        let none: <OpenapiShapes as Operation>::Response = serde_json::from_str("null").unwrap();
        assert_eq!(none, None);
        // Replies have constructors too (for users' tests).
        let built = OpenapiShapesResponse::new(OpenapiShapesResponseRequired {
            trade_no: "T1".into(),
            status: OpenapiShapesStatus::Y,
        })
        .rate(Number::from(2_i64));
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"tradeNo":"T1","status":"Y","rate":2}"#
        );
    }

    #[test]
    fn boolean_reply_data() {
        fn reply<O: Operation>(json: &str) -> O::Response {
            serde_json::from_str(json).unwrap()
        }
        let ok: bool = reply::<bool_reply::BoolReply>("true");
        assert!(ok);
        assert!(
            serde_json::from_str::<<bool_reply::BoolReply as Operation>::Response>("null").is_err()
        );
        // No required member: `new()` and `Default`.
        let req = bool_reply::BoolReplyRequest::new().case_id("C1");
        assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"caseId":"C1"}"#);
        assert_eq!(
            bool_reply::BoolReplyRequest::default(),
            bool_reply::BoolReplyRequest::new()
        );
        assert_eq!(req.validate(), Ok(()));
    }

    #[test]
    fn sync_callbacks_read_a_body_and_validate_the_answer() {
        use sync_callback::*;
        type Cb = sync_callback::SyncCallback;
        assert_eq!(<Cb as payermax_types::SyncCallback>::NAME, "sync_callback");
        assert_eq!(
            <Cb as payermax_types::SyncCallback>::API,
            ApiGeneration::Gateway
        );
        let body: <Cb as payermax_types::SyncCallback>::Body =
            serde_json::from_str(r#"{"billNo":123,"amount":10.00}"#).unwrap();
        assert_eq!(body.bill_no.as_str(), "123");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"billNo":123,"amount":10.00}"#
        );
        let answer = SyncCallbackAnswer::new(SyncCallbackAnswerRequired {
            code: "SUCCESS".into(),
            msg: String::new(),
            data: SyncCallbackData::new(SyncCallbackDataRequired { payable: true })
                .due_amount("10.00".parse().unwrap()),
        });
        assert_eq!(answer.validate(), Ok(()));
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"code":"SUCCESS","msg":"","data":{"payable":true,"dueAmount":10.00}}"#
        );
        let bad = SyncCallbackAnswer::new(SyncCallbackAnswerRequired {
            code: "X".repeat(17),
            msg: String::new(),
            data: SyncCallbackData::new(SyncCallbackDataRequired { payable: false }).reasons(vec![
                SyncCallbackDataReasonsItem::Paid,
                SyncCallbackDataReasonsItem::Expired,
                SyncCallbackDataReasonsItem::from("LOST"),
            ]),
        });
        assert_eq!(
            bad.validate().unwrap_err().violations,
            [
                v(
                    "code",
                    Rule::MaxLength {
                        max: 16,
                        actual: 17
                    }
                ),
                v("data.reasons", Rule::MaxItems { max: 2, actual: 3 }),
                v(
                    "data.reasons[2]",
                    Rule::Enum {
                        allowed: &["EXPIRED", "PAID"]
                    }
                ),
            ]
        );
    }

    #[test]
    fn redirects_are_descriptors_only() {
        assert_eq!(<redirect::Redirect as Redirect>::NAME, "redirect");
        assert_eq!(
            <redirect::Redirect as Redirect>::API,
            ApiGeneration::Gateway
        );
    }
}
