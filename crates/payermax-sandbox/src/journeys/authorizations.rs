//! The authorisation journey: `capture` and `cancel` of an order created by
//! an `orderAndPay` auth variant (`captureMode` `MANUAL`) once the payer
//! authorised it, and their notifications (`captureResultNotifyUrl`,
//! `cancelResultNotifyUrl`) to the merchant portal's notification URL.
//!
//! - Captures add up to at most the authorised amount, in its currency;
//!   several partial captures are allowed until one is final
//!   (`finalCapture: true`, or the whole amount captured).
//! - Only an authorisation nothing was captured of can be cancelled.
//! - Both succeed at once (`status` `SUCCESS`) and are idempotent on
//!   `requestId`: the same request again gets the same answer; the same
//!   `requestId` for a different request is `ORDER_REPEAT`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use super::payments::{Order, Orders};
use super::{Ctx, Journey, text};
use crate::env::Env;
use crate::money::data_money;
use crate::notify::{Ack, Outgoing};
use crate::reply::{Members, Reply};
use crate::server::lock;
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// A capture or cancel already answered, by `requestId`.
#[derive(Debug, Clone)]
struct Answered {
    /// What identifies the request: operation, order, amount, currency, final.
    request: String,
    /// The reply's `data`.
    data: Members,
}

/// The authorisation journey.
#[derive(Debug)]
pub(crate) struct Authorizations {
    orders: Orders,
    answered: Mutex<HashMap<String, Answered>>,
    seq: Mutex<u64>,
}

impl Authorizations {
    /// Captures and cancels of the orders in `orders`.
    pub(crate) fn new(orders: Orders) -> Self {
        Self {
            orders,
            answered: Mutex::default(),
            seq: Mutex::new(0),
        }
    }
}

impl Journey for Authorizations {
    fn name(&self) -> &'static str {
        "authorizations"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[(Api::Gateway, "capture"), (Api::Gateway, "cancel")]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let request_id = text(&data, "requestId").unwrap_or_default();
        let out_trade_no = text(&data, "outTradeNo").unwrap_or_default();
        let capture = op.operation == "capture";
        let (amount, currency, is_final) = if capture {
            let amount = match data_money(cx.raw, "amount") {
                Ok(m) => m,
                Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
            };
            let is_final = data.get("finalCapture").and_then(Value::as_bool) == Some(true);
            let currency = text(&data, "currency").unwrap_or_default().to_owned();
            (Some(amount), currency, is_final)
        } else {
            (None, String::new(), false)
        };
        let request = format!(
            "{} {} {} {currency} {is_final}",
            op.operation,
            out_trade_no.to_ascii_lowercase(),
            amount
                .as_ref()
                .map(|a| a.value.normalize().to_string())
                .unwrap_or_default(),
        );
        let mut answered = lock(&self.answered);
        if let Some(before) = answered.get(request_id) {
            return if before.request == request {
                Reply::success(api, before.data.clone())
            } else {
                Reply::error(
                    api,
                    "ORDER_REPEAT",
                    format!("requestId {request_id} was already used for another request"),
                )
            };
        }
        let done = {
            let mut book = lock(&self.orders);
            match &amount {
                Some(a) => book.capture(out_trade_no, a, &currency, is_final, cx.now),
                None => book.cancel(out_trade_no, cx.now),
            }
        };
        let order = match done {
            Ok(o) => o,
            Err((code, msg)) => return Reply::error(api, code, msg),
        };
        let number = {
            let mut seq = lock(&self.seq);
            *seq += 1;
            format!("{}ED{:020}", format_compact(cx.now), *seq)
        };
        let time = format_rfc3339_millis(cx.now);
        let (no_key, kind, notify_type) = if capture {
            ("captureNo", "capture_result_notify", "CAPTURE")
        } else {
            ("cancelNo", "cancel_result_notify", "CANCEL")
        };
        let mut data = Members::default()
            .str(no_key, &number)
            .str("requestId", request_id)
            .str("outTradeNo", &order.out_trade_no);
        if let Some(a) = &amount {
            data = data
                .raw("amount", a.text.clone())
                .str("currency", &currency);
        }
        data = data.str("status", "SUCCESS");
        if capture {
            data = data.raw("isFinal", order.final_captured.to_string());
        }
        let data = data
            .str("createdTime", &time)
            .str("succeededTime", &time)
            .raw("failedTime", "null")
            .raw("errorCode", "null")
            .raw("errorMsg", "null");
        answered.insert(
            request_id.to_owned(),
            Answered {
                request,
                data: data.clone(),
            },
        );
        drop(answered);
        notify(cx.env, &order, kind, notify_type, &data, cx.now);
        Reply::success(api, data)
    }
}

/// The capture or cancel result notification, to the portal's URL.
fn notify(
    env: &Env,
    order: &Order,
    kind: &'static str,
    notify_type: &str,
    data: &Members,
    now: i64,
) {
    let Some(url) = &env.portal_notify_url else {
        return;
    };
    env.notify(Outgoing {
        kind,
        id: order.out_trade_no.clone(),
        url: url.clone(),
        body: notification_body(order, notify_type, data, now),
        ack: Ack::Gateway,
    });
}

fn notification_body(order: &Order, notify_type: &str, data: &Members, now: i64) -> String {
    super::gateway::envelope((&order.app_id, &order.merchant_no), notify_type, now, data).to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies sent satisfy their notification specs.
    #[test]
    fn notifications_satisfy_their_specs() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let order = crate::journeys::payments::tests_support::order();
        let capture = Members::default()
            .str("captureNo", "C1")
            .str("requestId", "r")
            .str("outTradeNo", "P1")
            .raw("amount", "1.50")
            .str("currency", "USD")
            .str("status", "SUCCESS")
            .raw("isFinal", "true")
            .str("createdTime", "t")
            .str("succeededTime", "t")
            .raw("failedTime", "null")
            .raw("errorCode", "null")
            .raw("errorMsg", "null");
        let cancel = Members::default()
            .str("cancelNo", "C2")
            .str("requestId", "r")
            .str("outTradeNo", "P1")
            .str("status", "SUCCESS")
            .str("createdTime", "t")
            .str("succeededTime", "t")
            .raw("failedTime", "null")
            .raw("errorCode", "null")
            .raw("errorMsg", "null");
        for (id, kind, data) in [
            ("capture_result_notify", "CAPTURE", capture),
            ("cancel_result_notify", "CANCEL", cancel),
        ] {
            let spec = routes.inbound(id).unwrap();
            let body: Value =
                serde_json::from_str(&notification_body(&order, kind, &data, 0)).unwrap();
            assert_eq!(
                crate::schema::validate(&spec.request_schema, &body),
                vec![],
                "{id}"
            );
        }
    }
}
