use payermax_types::Amount;
use payermax_types::apply_ddc::{ApplyDdcRequest, ApplyDdcRequestRequired, CardRef};

fn main() {
    let amount: Amount = "10.00".parse().unwrap();
    // Neither the card number nor the token: the group is required ...
    let _ = ApplyDdcRequest::new(ApplyDdcRequestRequired {
        payment_method_type: "CARD".into(),
        payment_amount: amount,
        payment_currency: "USD".into(),
        user_id: "U-1".into(),
    });
    // ... and there is no setter for the other side of the group.
    let _ = ApplyDdcRequest::new(ApplyDdcRequestRequired {
        payment_method_type: "CARD".into(),
        payment_amount: amount,
        payment_currency: "USD".into(),
        user_id: "U-1".into(),
        card_ref: CardRef::CardIdentifierNo("4000000000000002".into()),
    })
    .payment_token_id("T-1");
}
