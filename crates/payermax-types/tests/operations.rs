//! The generated operations of `spec/`, as payermax-http and the sandbox use
//! them.
#![cfg(all(feature = "refunds", feature = "legacy"))]

use payermax_types::legacy_refund_apply::{
    LegacyRefundApply, LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
    LegacyRefundApplyResponse, LegacyRefundApplyStatus,
};
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundQueryResponse,
    RefundQueryStatus, RefundRef,
};
use payermax_types::{Amount, ApiGeneration, Operation, Rule, Validate, Violation};

#[test]
fn descriptors() {
    assert_eq!(RefundQuery::NAME, "refundQuery");
    assert_eq!(RefundQuery::API, ApiGeneration::Gateway);
    assert_eq!(RefundQuery::DEFAULT_VERSION, "1.5");
    assert_eq!(RefundQuery::KEY_VERSION, Some("1"));
    assert_eq!(RefundQuery::BIZ_TYPE, None);
    assert_eq!(LegacyRefundApply::NAME, "refundApply");
    assert_eq!(LegacyRefundApply::API, ApiGeneration::LegacyV21);
    assert_eq!(LegacyRefundApply::PATH, "/aggregate-pay-gate/api/gateway");
    assert_eq!(LegacyRefundApply::DEFAULT_VERSION, "2.1");
    assert_eq!(LegacyRefundApply::KEY_VERSION, None);
    assert_eq!(LegacyRefundApply::BIZ_TYPE, Some("refundApply"));
}

#[test]
fn refund_query_request() {
    let req = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::RefundTradeNo("T1".into()),
    });
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"refundTradeNo":"T1"}"#
    );
    assert_eq!(req.validate(), Ok(()));
    let back: RefundQueryRequest = serde_json::from_str(r#"{"refundTradeNo":"T1"}"#).unwrap();
    assert_eq!(back, req);
    let both =
        serde_json::from_str::<RefundQueryRequest>(r#"{"outRefundNo":"R","refundTradeNo":"T"}"#)
            .unwrap_err();
    assert!(
        both.to_string().contains("`outRefundNo`, `refundTradeNo`"),
        "{both}"
    );
    assert!(serde_json::from_str::<RefundQueryRequest>("{}").is_err());
}

#[test]
fn refund_query_reply() {
    let r: RefundQueryResponse = serde_json::from_str(
        r#"{"outRefundNo":"R1","totalAmount":10000,"status":"REFUND_PENDING ","refundFinishTime":"2023-10-20T03:28:23.092Z"}"#,
    )
    .unwrap();
    assert_eq!(
        r.refund_amount.map(|a| a.to_string()).as_deref(),
        Some("10000")
    );
    // The trailing-tab / trailing-space variant of a status is kept, not an error.
    assert_eq!(
        r.status,
        Some(RefundQueryStatus::Unknown("REFUND_PENDING ".into()))
    );
    assert_eq!(
        r.refund_finish_time.unwrap().unix_millis(),
        1_697_772_503_092
    );
    let empty: RefundQueryResponse = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, RefundQueryResponse::new());
}

#[test]
fn legacy_refund_apply() {
    let amount: Amount = "1000.00".parse().unwrap();
    let req = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: "2018111211260556846".into(),
        order_id: "1535433555559".into(),
        amount,
        currency: "INR".into(),
    })
    .callback_url("https://example.invalid/revMsg")
    .comments("Sales return");
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"refundId":"2018111211260556846","orderId":"1535433555559","amount":"1000.00","currency":"INR","callbackUrl":"https://example.invalid/revMsg","comments":"Sales return"}"#
    );
    assert_eq!(req.validate(), Ok(()));
    let bad = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: "r".repeat(65),
        order_id: "o".into(),
        amount,
        currency: "INRR".into(),
    })
    .email("x".repeat(33));
    assert_eq!(
        bad.validate().unwrap_err().violations,
        [
            Violation {
                path: "refundId".into(),
                rule: Rule::MaxLength {
                    max: 64,
                    actual: 65
                }
            },
            Violation {
                path: "currency".into(),
                rule: Rule::MaxLength { max: 3, actual: 4 }
            },
            Violation {
                path: "email".into(),
                rule: Rule::MaxLength {
                    max: 32,
                    actual: 33
                }
            },
        ]
    );
    let reply: LegacyRefundApplyResponse =
        serde_json::from_str(r#"{"tradeNo":"T","refundId":"R","orderId":"O","status":5}"#).unwrap();
    assert_eq!(reply.status, LegacyRefundApplyStatus::Unknown(5));
    assert_eq!(serde_json::to_string(&reply.status).unwrap(), "5");
    let ok: LegacyRefundApplyResponse =
        serde_json::from_str(r#"{"tradeNo":"T","refundId":"R","orderId":"O","status":1}"#).unwrap();
    assert_eq!(ok.status, LegacyRefundApplyStatus::Success);
}

#[test]
fn legacy_refund_notify() {
    use payermax_types::Notification;
    use payermax_types::legacy_refund_notify::{
        LegacyRefundNotify, LegacyRefundNotifyBody, LegacyRefundNotifyStatus,
    };
    assert_eq!(
        LegacyRefundNotify::ACKNOWLEDGEMENT,
        r#"{"bizCode":"0000","message":"success"}"#
    );
    assert_eq!(LegacyRefundNotify::API, ApiGeneration::LegacyV21);
    let body: LegacyRefundNotifyBody = serde_json::from_str(
        r#"{"merchantId":"SP1","refundId":"R","tradeNo":"T","orderId":"O","status":2,"refundAmount":"1000","currency":"SAR","errorCode":"E1","errorMsg":"failed"}"#,
    )
    .unwrap();
    assert_eq!(body.status, LegacyRefundNotifyStatus::Failed);
    assert_eq!(body.refund_amount.to_string(), "1000");
}

#[test]
fn registry_lists_every_spec_and_visits_the_enabled_ones() {
    use payermax_types::registry::{OPERATIONS, visit_notifications, visit_operations};
    use payermax_types::{
        Domain, Kind, Notification, NotificationVisitor, OperationInfo, OperationVisitor,
    };

    // Every spec: the 57 paths of PayerMax's OpenAPI document and the 2
    // legacy pages, by id, each once.
    let ids: Vec<&str> = OPERATIONS.iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 59, "{ids:?}");
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, ids, "sorted and unique");
    let rq = OperationInfo::find("refund_query").unwrap();
    assert_eq!(rq.name, RefundQuery::NAME);
    assert_eq!(rq.path, Some(RefundQuery::PATH));
    assert_eq!((rq.domain, rq.feature), (Domain::Refunds, "refunds"));
    assert_eq!(rq.module, "payermax_types::refund_query");
    assert!(rq.is_enabled());
    assert_eq!(OperationInfo::find("nope"), None);

    struct Names(Vec<(&'static str, &'static str)>);
    impl OperationVisitor for Names {
        fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
            assert_eq!(info.kind, Kind::Operation);
            self.0.push((O::NAME, info.id));
        }
    }
    impl NotificationVisitor for Names {
        fn visit<N: Notification>(&mut self, info: &'static OperationInfo) {
            assert_eq!(info.kind, Kind::Notification);
            self.0.push((N::NAME, info.id));
        }
    }
    let mut names = Names(Vec::new());
    visit_operations(&mut names);
    visit_notifications(&mut names);
    // The visitors reach exactly the enabled operations and notifications
    // of the registry, operations first, each with its own descriptor.
    let expected: Vec<&str> = [Kind::Operation, Kind::Notification]
        .iter()
        .flat_map(|k| {
            OPERATIONS
                .iter()
                .filter(move |i| i.kind == *k && i.is_enabled())
                .map(|i| i.id)
        })
        .collect();
    let visited: Vec<&str> = names.0.iter().map(|(_, id)| *id).collect();
    assert_eq!(visited, expected);
    assert!(names.0.contains(&("refundQuery", "refund_query")));
    assert!(names.0.contains(&("refundApply", "legacy_refund_apply")));
    assert!(names.0.contains(&("orderAndPay", "order_and_pay_direct")));
}

#[test]
fn inbound_descriptors_carry_payermax_own_names() {
    use payermax_types::bill_payment_validation::BillPaymentValidation;
    use payermax_types::chargeback_notify::ChargebackNotify;
    use payermax_types::collect_result_notify::CollectResultNotify;
    use payermax_types::page_return::PageReturn;
    use payermax_types::{Notification, Redirect, SyncCallback};

    // The spec id names the module; PayerMax's name is the document's path,
    // misspelling included.
    assert_eq!(CollectResultNotify::NAME, "collect_result_notify");
    assert_eq!(CollectResultNotify::PAYERMAX_NAME, "collectResultNotifyUrl");
    assert_eq!(ChargebackNotify::PAYERMAX_NAME, "chargeBaclNotifyUrl");
    assert_eq!(
        payermax_types::legacy_refund_notify::LegacyRefundNotify::PAYERMAX_NAME,
        "refundNotify"
    );
    assert_eq!(
        BillPaymentValidation::PAYERMAX_NAME,
        "billPaymentValidationUrl"
    );
    assert_eq!(PageReturn::PAYERMAX_NAME, "pageReturn");
}
