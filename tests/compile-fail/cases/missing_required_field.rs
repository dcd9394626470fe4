use payermax_types::Amount;
use payermax_types::legacy_refund_apply::LegacyRefundApplyRequest;

fn main() {
    let amount: Amount = "1000.00".parse().unwrap();
    // `currency` is required: there is no way to build the request without it.
    let _ = LegacyRefundApplyRequest::new("R1", "O1", amount);
}
