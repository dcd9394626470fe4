//! [`Reply`]: what the merchant's handler answers a verified message with.

use std::fmt;

use bytes::Bytes;
use payermax_types::{Validate, ValidationErrors};
use serde::Serialize;

/// What the handler of a verified message answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// The kind's documented acknowledgement
    /// ([`Delivery::acknowledgement`](crate::Delivery::acknowledgement)):
    /// PayerMax stops delivering the message. Not an answer to a
    /// synchronous callback, which needs [`Reply::answer`].
    Acknowledge,
    /// A JSON body the merchant built: the answer to a synchronous
    /// callback (the bill payment validation), or the bill payment
    /// notification's acknowledgement with the crediting confirmation in
    /// `data`.
    Answer(Bytes),
}

impl Reply {
    /// The answer `answer`, validated against its documented constraints,
    /// then serialized (for instance a
    /// `payermax_types::bill_payment_validation::BillPaymentValidationAnswer`;
    /// see `crate::bill_payment`).
    pub fn answer<T: Serialize + Validate>(answer: &T) -> Result<Reply, AnswerError> {
        answer.validate().map_err(AnswerError::Invalid)?;
        Reply::json(answer)
    }

    /// Any JSON body, serialized as is (no validation).
    pub fn json<T: Serialize>(body: &T) -> Result<Reply, AnswerError> {
        serde_json::to_vec(body)
            .map(|b| Reply::Answer(Bytes::from(b)))
            .map_err(AnswerError::Serialize)
    }
}

/// Why an answer could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum AnswerError {
    /// The answer breaks a documented constraint (every violation).
    Invalid(ValidationErrors),
    /// The answer cannot be serialized.
    Serialize(serde_json::Error),
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::Invalid(e) => write!(f, "invalid answer: {e}"),
            AnswerError::Serialize(e) => write!(f, "cannot serialize the answer: {e}"),
        }
    }
}

impl std::error::Error for AnswerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AnswerError::Invalid(e) => Some(e),
            AnswerError::Serialize(e) => Some(e),
        }
    }
}
