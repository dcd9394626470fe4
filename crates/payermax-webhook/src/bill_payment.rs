//! The bill payment validation (`billPaymentValidationUrl`, Philippine Bill
//! Payment only): PayerMax asks whether a bill may be paid and waits for
//! the answer, which it reads from the HTTP reply.
//!
//! The request comes signed like a notification (a `sign` header over the
//! raw body), so it is verified the same way
//! ([`Kind::BillPaymentValidation`](crate::Kind::BillPaymentValidation)),
//! and arrives as
//! [`Event::BillPaymentValidation`](crate::Event::BillPaymentValidation).
//! Answer it with [`approve`] or [`decline`] through
//! [`Reply::answer`](crate::Reply::answer).
//!
//! Signing the answer: PayerMax's page documents a `sign` header on the
//! request it sends and none on the merchant's answer, so answers go out
//! unsigned; [`WebhookService::sign_answers_with`](crate::WebhookService::sign_answers_with)
//! adds a `sign` header over the answer's exact bytes for accounts where
//! PayerMax asks for one.

use payermax_types::Amount;
use payermax_types::bill_payment_validation::{
    BillPaymentValidationAnswer, BillPaymentValidationAnswerRequired, BillPaymentValidationData,
    BillPaymentValidationDataRequired,
};

fn answer(data: BillPaymentValidationData) -> BillPaymentValidationAnswer {
    BillPaymentValidationAnswer::new(BillPaymentValidationAnswerRequired {
        code: "SUCCESS".into(),
        msg: "Success".into(),
    })
    .data(data)
}

/// The bill `reference_no` may be paid, between `min_amount` and
/// `max_amount` in `currency` (`confirmation` `Y`).
pub fn approve(
    reference_no: impl Into<String>,
    min_amount: Amount,
    max_amount: Amount,
    currency: impl Into<String>,
) -> BillPaymentValidationAnswer {
    answer(BillPaymentValidationData::new(
        BillPaymentValidationDataRequired {
            reference_no: reference_no.into(),
            min_amount,
            max_amount,
            currency: currency.into(),
            confirmation: "Y".into(),
        },
    ))
}

/// The bill `reference_no` may not be paid, for `reason` (`confirmation`
/// `N`; PayerMax requires `failureReason` then).
pub fn decline(
    reference_no: impl Into<String>,
    min_amount: Amount,
    max_amount: Amount,
    currency: impl Into<String>,
    reason: impl Into<String>,
) -> BillPaymentValidationAnswer {
    answer(
        BillPaymentValidationData::new(BillPaymentValidationDataRequired {
            reference_no: reference_no.into(),
            min_amount,
            max_amount,
            currency: currency.into(),
            confirmation: "N".into(),
        })
        .failure_reason(reason),
    )
}
