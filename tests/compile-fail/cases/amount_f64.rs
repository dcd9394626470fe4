use payermax_types::Amount;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};

fn main() {
    // Money is never a float.
    let _ = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: "R1".into(),
        order_id: "O1".into(),
        amount: 1000.00,
        currency: "INR".into(),
    });
    let _ = Amount::from(10.5_f64);
}
