use payermax_types::Amount;
use payermax_types::order_and_pay_hosted::{OrderAndPayHostedRequest, OrderAndPayHostedRequestRequired};

fn main() {
    let total: Amount = "100.00".parse().unwrap();
    // The hosted checkout needs `frontCallbackUrl`: the literal must name it.
    let _ = OrderAndPayHostedRequest::new(OrderAndPayHostedRequestRequired {
        out_trade_no: "ORDER-1".into(),
        integrate: "Hosted_Checkout".into(),
        subject: "Two mice".into(),
        total_amount: total,
        currency: "USD".into(),
        user_id: "U-1".into(),
    });
}
