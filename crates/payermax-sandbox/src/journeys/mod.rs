//! The journeys: PayerMax objects the sandbox keeps state for, each in its
//! own module behind the one [`Journey`] shape, registered in [`Journeys`].
//!
//! Every request reaches a journey through the one pipeline
//! (`pipeline.rs`: routing, signature, faults, validation, `requestTime`,
//! signing); a journey only answers a request already authenticated and
//! valid against its schema, and never signs anything itself.
//!
//! Adding a journey: a new module implementing [`Journey`], one field of
//! [`Journeys`] and one entry of [`Journeys::all`].

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::env::Env;
use crate::reply::Reply;
use crate::spec::{Api, OpSpec};

pub(crate) mod authorizations;
pub(crate) mod gateway;
pub(crate) mod payments;
pub(crate) mod payouts;
pub(crate) mod refunds;
pub(crate) mod subscriptions;
pub(crate) mod tokens;

/// The operations answered from the sandbox's state rather than from their
/// documented reply example (PayerMax names): the journeys' operations.
pub const STATEFUL_OPERATIONS: [&str; 15] = [
    "applyPaymentToken",
    "cancel",
    "capture",
    "inquirePaymentToken",
    "orderAndPay",
    "orderQuery",
    "paymentOrderPay",
    "paymentOrderQry",
    "refund",
    "refundApply",
    "refundQuery",
    "removePaymentToken",
    "subscriptionCancel",
    "subscriptionCreate",
    "subscriptionQuery",
];

/// What a journey is given for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// Clock, settlement rule, notifier, timers.
    pub(crate) env: &'a Arc<Env>,
    /// The sandbox clock when the request arrived, Unix milliseconds.
    pub(crate) now: i64,
    /// The request body exactly as received (money is read from it, never
    /// from a float; see `money.rs`).
    pub(crate) raw: &'a [u8],
}

/// The answer to a control request: the JSON text of the object's new
/// state, or why the action is refused.
pub(crate) type ControlResult = Result<String, ControlError>;

/// Why a control request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ControlError {
    /// No object with that identifier (HTTP 404).
    NotFound(String),
    /// The action does not apply to the object's state, or the body lacks
    /// a field (HTTP 409 / 400).
    Conflict(String),
}

/// One journey: its state, its state machine, its settlement rules and the
/// notifications it emits.
pub(crate) trait Journey: Send + Sync + fmt::Debug {
    /// Its name in the control API's paths (`/_sandbox/control/<name>/...`).
    fn name(&self) -> &'static str;

    /// The operations it answers, by API generation and PayerMax name.
    fn operations(&self) -> &'static [(Api, &'static str)];

    /// Answers one authenticated, schema-valid request for one of its
    /// operations (`body` is the whole request: the gateway envelope, or
    /// the legacy body).
    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply;

    /// Drives one of its objects for a test: `action` on the object named
    /// by `id`, with the control request's JSON body. `None`: no such action.
    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, body: &Value) -> Option<ControlResult> {
        let _ = (cx, action, id, body);
        None
    }

    /// The actions [`Journey::control`] knows, for the error of an unknown one.
    fn control_actions(&self) -> &'static [&'static str] {
        &[]
    }
}

/// Every journey, built once per sandbox.
#[derive(Debug)]
pub(crate) struct Journeys {
    pub(crate) payments: payments::Payments,
    pub(crate) authorizations: authorizations::Authorizations,
    pub(crate) refunds: refunds::Refunds,
    pub(crate) payouts: payouts::Payouts,
    pub(crate) subscriptions: subscriptions::Subscriptions,
    pub(crate) tokens: tokens::Tokens,
}

impl Journeys {
    pub(crate) fn new() -> Self {
        let payments = payments::Payments::default();
        let authorizations = authorizations::Authorizations::new(payments.orders());
        let refunds = refunds::Refunds::new(payments.orders());
        Self {
            payments,
            authorizations,
            refunds,
            payouts: payouts::Payouts::default(),
            subscriptions: subscriptions::Subscriptions::default(),
            tokens: tokens::Tokens::default(),
        }
    }

    /// Every journey, in registration order.
    pub(crate) fn all(&self) -> [&dyn Journey; 6] {
        [
            &self.payments,
            &self.authorizations,
            &self.refunds,
            &self.payouts,
            &self.subscriptions,
            &self.tokens,
        ]
    }

    /// The journey answering this operation, if any.
    pub(crate) fn for_operation(&self, api: Api, operation: &str) -> Option<&dyn Journey> {
        self.all()
            .into_iter()
            .find(|j| j.operations().contains(&(api, operation)))
    }

    /// The journey with this control name.
    pub(crate) fn by_name(&self, name: &str) -> Option<&dyn Journey> {
        self.all().into_iter().find(|j| j.name() == name)
    }
}

/// A string member of a JSON object.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::NotFound(m) | ControlError::Conflict(m) => f.write_str(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each operation belongs to one journey at most, and every operation a
    /// journey claims is one the sandbox serves.
    #[test]
    fn operations_are_claimed_once_and_exist() {
        let journeys = Journeys::new();
        let specs = crate::spec::embedded().unwrap();
        let mut seen = Vec::new();
        for j in journeys.all() {
            for op in j.operations() {
                assert!(!seen.contains(op), "{op:?} claimed twice");
                seen.push(*op);
                assert!(
                    specs.iter().any(|s| s.api == op.0 && s.operation == op.1),
                    "{op:?} is not in operations.json"
                );
            }
        }
        let mut stateful: Vec<&str> = seen.iter().map(|(_, name)| *name).collect();
        stateful.sort_unstable();
        let mut declared = STATEFUL_OPERATIONS.to_vec();
        declared.sort_unstable();
        assert_eq!(
            stateful, declared,
            "STATEFUL_OPERATIONS lists every journey operation"
        );
    }
}
