//! The retry class and settling query each descriptor carries (spec `retry`, `settledBy`).
#![cfg(all(feature = "refunds", feature = "legacy", feature = "payments"))]

use payermax_types::{Operation, RetryClass, SettleKey};

#[test]
fn writes_and_reads_carry_their_retry_class_and_settling_query() {
    use payermax_types::legacy_refund_apply::LegacyRefundApply;
    use payermax_types::order_and_pay_hosted::OrderAndPayHosted;
    use payermax_types::order_query::OrderQuery;
    use payermax_types::refund::Refund;
    use payermax_types::refund_query::RefundQuery;

    assert_eq!(RefundQuery::RETRY, RetryClass::Read);
    assert_eq!(OrderQuery::RETRY, RetryClass::Read);
    assert!(RefundQuery::SETTLED_BY.is_none());

    assert_eq!(Refund::RETRY, RetryClass::Write);
    let s = Refund::SETTLED_BY.expect("refund is settled by refundQuery");
    assert_eq!(
        (s.spec, s.operation, s.path),
        ("refund_query", RefundQuery::NAME, RefundQuery::PATH)
    );
    assert_eq!(
        s.by,
        &[SettleKey {
            query_field: "outRefundNo",
            request_field: "outRefundNo"
        }]
    );

    let s = LegacyRefundApply::SETTLED_BY.expect("refundApply is settled by refundQuery");
    assert_eq!(s.operation, "refundQuery");
    assert_eq!(
        s.by,
        &[SettleKey {
            query_field: "outRefundNo",
            request_field: "refundId"
        }]
    );

    assert_eq!(OrderAndPayHosted::RETRY, RetryClass::Write);
    assert_eq!(
        OrderAndPayHosted::SETTLED_BY.map(|s| s.operation),
        Some(OrderQuery::NAME)
    );
}
