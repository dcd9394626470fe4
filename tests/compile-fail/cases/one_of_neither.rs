use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired};

fn main() {
    // Neither `outRefundNo` nor `refundTradeNo`.
    let _ = RefundQueryRequest::new(RefundQueryRequestRequired {});
}
