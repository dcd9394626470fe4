use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired, RefundRef};

fn main() {
    // Both `outRefundNo` and `refundTradeNo`: there is one slot ...
    let _ = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R1".into()),
        refund_trade_no: RefundRef::RefundTradeNo("T1".into()),
    });
    // ... and no setter for the other one.
    let _ = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R1".into()),
    })
    .refund_trade_no("T1");
}
