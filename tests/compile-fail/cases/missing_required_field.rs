use payermax_types::Amount;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};

fn main() {
    let amount: Amount = "1000.00".parse().unwrap();
    // `currency` is required: a `Required` literal must name it.
    let _ = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: "R1".into(),
        order_id: "O1".into(),
        amount,
    });
}
