use payermax_types::refund_query::{RefundQueryRequest, RefundRef};

fn main() {
    // Both `outRefundNo` and `refundTradeNo`: there is no second slot ...
    let _ = RefundQueryRequest::new(
        RefundRef::OutRefundNo("R1".into()),
        RefundRef::RefundTradeNo("T1".into()),
    );
    // ... and no setter for the other one.
    let _ = RefundQueryRequest::new(RefundRef::OutRefundNo("R1".into())).refund_trade_no("T1");
}
