use payermax_types::Amount;
use payermax_types::legacy_refund_apply::LegacyRefundApplyRequest;

fn main() {
    // Money is never a float.
    let _ = LegacyRefundApplyRequest::new("R1", "O1", 1000.00, "INR");
    let _ = Amount::from(10.5_f64);
}
