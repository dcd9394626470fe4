use payermax_types::refund_query::RefundQueryRequest;

fn main() {
    // Neither `outRefundNo` nor `refundTradeNo`.
    let _ = RefundQueryRequest::new();
}
