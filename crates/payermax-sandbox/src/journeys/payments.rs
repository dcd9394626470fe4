//! The payments journey: `orderAndPay` in each integration mode, `orderQuery`,
//! the payment result notification (`collectResultNotifyUrl`) to the order's
//! `notifyUrl`, the hosted checkout page's payer actions, expiry by
//! `expireTime` on the sandbox clock.
//!
//! - **Hosted checkout** orders wait for the payer: the reply's `redirectUrl`
//!   is the sandbox's own checkout page, where the payer pays or fails (or a
//!   test does it through the control API); unpaid, they close at
//!   `expireTime`.
//! - **Direct API and drop-in** orders settle by the [`Settlement`] rule, an
//!   `outTradeNo` starting with `FAIL` failing and one starting with
//!   `PENDING` never settling.
//! - A repeated `outTradeNo` is refused with `ORDER_REPEAT`, whatever the
//!   rest of the body: PayerMax documents it as unique per merchant and
//!   compared case-insensitively (`AAA` and `AAa` are the same).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::Value;

use super::{ControlError, ControlResult, Ctx, Journey, text};
use crate::env::Env;
use crate::money::{Money, data_money};
use crate::notify::{Ack, Outgoing};
use crate::reply::{Data, Members, Reply, json_string};
use crate::server::lock;
use crate::settlement::{Settlement, outcome};
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// PayerMax's default `expireTime`: 30 minutes.
pub const DEFAULT_EXPIRE_SECONDS: i64 = 30 * 60;
/// The shortest `expireTime` PayerMax documents: 30 minutes.
pub const MIN_EXPIRE_SECONDS: i64 = 30 * 60;
/// The longest `expireTime` PayerMax documents: one day.
pub const MAX_EXPIRE_SECONDS: i64 = 24 * 60 * 60;

/// Where a payment stands (`status` of `orderQuery` and the notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Created, waiting for the payer or the channel (`PENDING`).
    Pending,
    /// Paid (`SUCCESS`).
    Success,
    /// The payment failed (`FAILED`).
    Failed,
    /// Not paid before `expireTime` (`CLOSED`).
    Closed,
}

impl OrderStatus {
    /// PayerMax's name for it.
    pub fn name(self) -> &'static str {
        match self {
            OrderStatus::Pending => "PENDING",
            OrderStatus::Success => "SUCCESS",
            OrderStatus::Failed => "FAILED",
            OrderStatus::Closed => "CLOSED",
        }
    }
}

/// How the order was created (`integrate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Integration {
    /// `Hosted_Checkout`: the payer acts on the checkout page.
    HostedCheckout,
    /// `Direct_Payment`: settles by the rule.
    DirectPayment,
    /// Drop-in (`Drop_In` / payment token): settles by the rule.
    DropIn,
}

/// An order as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The merchant's order number, as first sent.
    pub out_trade_no: String,
    /// PayerMax's order number, assigned by the sandbox (`T` + time + sequence).
    pub trade_token: String,
    /// The spec id of the `orderAndPay` variant that created it.
    pub variant: String,
    /// The integration mode.
    pub integration: Integration,
    /// An authorisation (`captureMode` `MANUAL`, the `orderAndPay` auth
    /// variants): paid means authorised; money moves by `capture`.
    pub manual_capture: bool,
    /// The total captured, as decimal text (authorisations).
    pub captured: String,
    /// A final capture was made: nothing more can be captured.
    pub final_captured: bool,
    /// The uncaptured authorisation was cancelled.
    pub cancelled: bool,
    /// `totalAmount`, the exact decimal text sent.
    pub amount: String,
    /// `currency`.
    pub currency: String,
    /// `country`, when given.
    pub country: Option<String>,
    /// `subject`.
    pub subject: String,
    /// `reference`, when given.
    pub reference: Option<String>,
    /// The status.
    pub status: OrderStatus,
    /// Where the payment notification goes.
    pub notify_url: Option<String>,
    /// Where the payer's browser returns.
    pub front_callback_url: Option<String>,
    /// `appId` of the request that created it.
    pub app_id: String,
    /// `merchantNo` of the request that created it.
    pub merchant_no: String,
    /// Creation time, Unix milliseconds (sandbox clock).
    pub created_millis: i64,
    /// When an unpaid order closes, Unix milliseconds.
    pub expires_millis: i64,
    /// When it stopped being pending.
    pub completed_millis: Option<i64>,
    /// How many `orderQuery` requests found it.
    pub queries: u32,
    /// The total of its successful refunds, as decimal text.
    pub refunded: String,
    /// The refund in progress (its `outRefundNo`), if any.
    pub refund_in_progress: Option<String>,
    pub(crate) amount_value: Decimal,
    pub(crate) captured_value: Decimal,
    pub(crate) refunded_value: Decimal,
    pub(crate) refunding_value: Decimal,
}

impl Order {
    /// What can still be refunded: paid, minus refunded, minus in progress.
    pub(crate) fn refundable(&self) -> Decimal {
        let paid = if self.manual_capture {
            self.captured_value
        } else {
            self.amount_value
        };
        paid - self.refunded_value - self.refunding_value
    }
}

/// Every order, by `outTradeNo` compared case-insensitively.
#[derive(Debug, Default)]
pub(crate) struct OrderBook {
    orders: HashMap<String, Order>,
    by_token: HashMap<String, String>,
    created: Vec<String>,
    seq: u64,
}

fn key(out_trade_no: &str) -> String {
    out_trade_no.to_ascii_lowercase()
}

/// Why a refund cannot start: a PayerMax code and message.
pub(crate) type Refusal = (&'static str, String);

impl OrderBook {
    fn find_key(&self, out_trade_no: Option<&str>, token: Option<&str>) -> Option<String> {
        match (out_trade_no, token) {
            (Some(no), _) => Some(key(no)).filter(|k| self.orders.contains_key(k)),
            (None, Some(t)) => self.by_token.get(t).cloned(),
            (None, None) => None,
        }
    }

    /// The order named by its `outTradeNo` or `tradeToken`, closed first if
    /// it expired; with the notification its closing owes.
    fn get(
        &mut self,
        out_trade_no: Option<&str>,
        token: Option<&str>,
        now: i64,
    ) -> Option<(&mut Order, Option<Order>)> {
        let k = self.find_key(out_trade_no, token)?;
        let order = self.orders.get_mut(&k)?;
        let closed = expire(order, now);
        Some((order, closed))
    }

    /// Every order, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<Order> {
        self.created
            .iter()
            .filter_map(|k| self.orders.get(k).cloned())
            .collect()
    }

    /// Starts a refund of `amount` on a paid order: the order's
    /// `(outTradeNo, tradeToken)`, or why not.
    pub(crate) fn start_refund(
        &mut self,
        out_trade_no: Option<&str>,
        token: Option<&str>,
        refund_id: &str,
        amount: &Money,
        currency: &str,
        now: i64,
    ) -> Result<(String, String), Refusal> {
        let Some((order, _)) = self.get(out_trade_no, token, now) else {
            let named = out_trade_no.or(token).unwrap_or_default();
            return Err(("ORDER_NOT_EXIST", format!("no order {named}")));
        };
        if order.status != OrderStatus::Success {
            return Err((
                "REFUND_FAILED",
                format!(
                    "order {} is {}: only a paid order can be refunded",
                    order.out_trade_no,
                    order.status.name()
                ),
            ));
        }
        if let Some(other) = &order.refund_in_progress {
            return Err((
                "REFUND_FAILED",
                format!(
                    "order {} is undergoing another refund ({other}): one refund at a time",
                    order.out_trade_no
                ),
            ));
        }
        if currency != order.currency {
            return Err((
                "CURRENCY_INVALID",
                format!(
                    "refundCurrency must be the order's currency {}, but your input is {currency}",
                    order.currency
                ),
            ));
        }
        if amount.value > order.refundable() {
            return Err((
                "AMOUNT_INVALID",
                format!(
                    "refundAmount {} exceeds the refundable amount {} of order {}",
                    amount.text,
                    Money::from_value(order.refundable()).text,
                    order.out_trade_no
                ),
            ));
        }
        order.refund_in_progress = Some(refund_id.to_owned());
        order.refunding_value = amount.value;
        Ok((order.out_trade_no.clone(), order.trade_token.clone()))
    }

    /// An authorised order, for a capture or a cancel: refused unless it is
    /// an authorisation, authorised, neither cancelled nor finally captured.
    fn authorised(&mut self, out_trade_no: &str, now: i64) -> Result<&mut Order, Refusal> {
        let Some((order, _)) = self.get(Some(out_trade_no), None, now) else {
            return Err(("ORDER_NOT_EXIST", format!("no order {out_trade_no}")));
        };
        if !order.manual_capture {
            return Err((
                "ORDER_STATUS_INVALID",
                format!(
                    "order {} is not an authorisation (captureMode MANUAL)",
                    order.out_trade_no
                ),
            ));
        }
        if order.status != OrderStatus::Success {
            return Err((
                "ORDER_STATUS_INVALID",
                format!(
                    "order {} is {}, not authorised",
                    order.out_trade_no,
                    order.status.name()
                ),
            ));
        }
        if order.cancelled || order.final_captured {
            let what = if order.cancelled {
                "cancelled"
            } else {
                "finally captured"
            };
            return Err((
                "ORDER_CLOSED",
                format!("order {} was {what}", order.out_trade_no),
            ));
        }
        Ok(order)
    }

    /// Captures `amount` of an authorised order: never above what is left,
    /// in its currency; a final capture closes it.
    pub(crate) fn capture(
        &mut self,
        out_trade_no: &str,
        amount: &Money,
        currency: &str,
        is_final: bool,
        now: i64,
    ) -> Result<Order, Refusal> {
        let order = self.authorised(out_trade_no, now)?;
        if currency != order.currency {
            return Err((
                "CURRENCY_INVALID",
                format!(
                    "currency must be the order's currency {}, but your input is {currency}",
                    order.currency
                ),
            ));
        }
        let left = order.amount_value - order.captured_value;
        if amount.value > left {
            return Err((
                "AMOUNT_INVALID",
                format!(
                    "amount {} exceeds what is left to capture: {}",
                    amount.text,
                    Money::from_value(left).text
                ),
            ));
        }
        order.captured_value += amount.value;
        order.captured = Money::from_value(order.captured_value).text;
        order.final_captured = is_final || order.captured_value == order.amount_value;
        Ok(order.clone())
    }

    /// Cancels an authorisation nothing was captured of.
    pub(crate) fn cancel(&mut self, out_trade_no: &str, now: i64) -> Result<Order, Refusal> {
        let order = self.authorised(out_trade_no, now)?;
        if order.captured_value > Decimal::ZERO {
            return Err((
                "ORDER_STATUS_INVALID",
                format!(
                    "order {} has captures ({}): only an uncaptured authorisation can be cancelled",
                    order.out_trade_no, order.captured
                ),
            ));
        }
        order.cancelled = true;
        Ok(order.clone())
    }

    /// Ends the order's refund in progress: counted when it succeeded.
    pub(crate) fn end_refund(&mut self, out_trade_no: &str, refund_id: &str, succeeded: bool) {
        let Some(order) = self.orders.get_mut(&key(out_trade_no)) else {
            return;
        };
        if order.refund_in_progress.as_deref() != Some(refund_id) {
            return;
        }
        if succeeded {
            order.refunded_value += order.refunding_value;
            order.refunded = Money::from_value(order.refunded_value).text;
        }
        order.refunding_value = Decimal::ZERO;
        order.refund_in_progress = None;
    }
}

/// Closes a pending order whose time is up; returns it when it changed.
fn expire(order: &mut Order, now: i64) -> Option<Order> {
    (order.status == OrderStatus::Pending && now >= order.expires_millis)
        .then(|| finish(order, OrderStatus::Closed, order.expires_millis))
}

/// Ends a pending order.
fn finish(order: &mut Order, status: OrderStatus, now: i64) -> Order {
    order.status = status;
    order.completed_millis = Some(now);
    order.clone()
}

/// The shared order book: the payments journey writes it, the refunds
/// journey reads and reserves from it.
pub(crate) type Orders = Arc<Mutex<OrderBook>>;

/// The payments journey.
#[derive(Debug, Default)]
pub(crate) struct Payments {
    orders: Orders,
}

/// The path of an order's hosted checkout page, under the sandbox prefix.
pub(crate) fn checkout_path(trade_token: &str) -> String {
    format!(
        "{}checkout/{trade_token}",
        crate::pipeline::SANDBOX_PATH_PREFIX
    )
}

impl Payments {
    /// The order book, for the journeys that depend on orders.
    pub(crate) fn orders(&self) -> Orders {
        self.orders.clone()
    }

    /// Every order, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<Order> {
        lock(&self.orders).snapshot()
    }

    /// The order behind a checkout page, closed first if it expired.
    pub(crate) fn checkout(&self, env: &Env, token: &str) -> Option<Order> {
        let mut book = lock(&self.orders);
        let (order, closed) = book.get(None, Some(token), env.now())?;
        let order = order.clone();
        drop(book);
        if let Some(c) = closed {
            notify_payment(env, &c);
        }
        Some(order)
    }

    /// The payer pays (`true`) or fails (`false`) on the checkout page.
    pub(crate) fn payer_acts(
        &self,
        env: &Env,
        token: &str,
        pays: bool,
    ) -> Result<Order, ControlError> {
        self.act(env, None, Some(token), if pays { "pay" } else { "fail" })
    }

    fn act(
        &self,
        env: &Env,
        out_trade_no: Option<&str>,
        token: Option<&str>,
        action: &str,
    ) -> Result<Order, ControlError> {
        let now = env.now();
        let mut book = lock(&self.orders);
        let named = out_trade_no.or(token).unwrap_or_default();
        let Some((order, closed)) = book.get(out_trade_no, token, now) else {
            return Err(ControlError::NotFound(format!("no order {named}")));
        };
        let result = if order.status != OrderStatus::Pending {
            Err(ControlError::Conflict(format!(
                "order {} is already {}",
                order.out_trade_no,
                order.status.name()
            )))
        } else {
            let status = match action {
                "pay" => OrderStatus::Success,
                "fail" => OrderStatus::Failed,
                _ => OrderStatus::Closed,
            };
            Ok(finish(order, status, now))
        };
        drop(book);
        if let Some(c) = &closed {
            notify_payment(env, c);
        }
        if let Ok(o) = &result {
            notify_payment(env, o);
        }
        result
    }
}

impl Journey for Payments {
    fn name(&self) -> &'static str {
        "payments"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[(Api::Gateway, "orderAndPay"), (Api::Gateway, "orderQuery")]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        match op.operation.as_str() {
            "orderAndPay" => self.create(cx, op, body),
            _ => self.query(cx, op, body),
        }
    }

    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, _body: &Value) -> Option<ControlResult> {
        if !self.control_actions().contains(&action) {
            return None;
        }
        let by_no = self.act(cx.env, Some(id), None, action);
        let result = match by_no {
            Err(ControlError::NotFound(_)) => self.act(cx.env, None, Some(id), action),
            other => other,
        };
        Some(result.map(|o| order_state(&o)))
    }

    fn control_actions(&self) -> &'static [&'static str] {
        &["pay", "fail", "close"]
    }
}

/// An order's state as the control API and the checkout page show it.
pub(crate) fn order_state(o: &Order) -> String {
    Members::default()
        .str("outTradeNo", &o.out_trade_no)
        .str("tradeToken", &o.trade_token)
        .str("status", o.status.name())
        .raw("totalAmount", o.amount.clone())
        .str("currency", &o.currency)
        .raw("refunded", o.refunded.clone())
        .to_json()
}

fn integration(body: &Value) -> Integration {
    match body
        .get("data")
        .and_then(|d| text(d, "integrate"))
        .unwrap_or_default()
    {
        "Hosted_Checkout" => Integration::HostedCheckout,
        "Direct_Payment" => Integration::DirectPayment,
        _ => Integration::DropIn,
    }
}

impl Payments {
    fn create(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let amount = match data_money(cx.raw, "totalAmount") {
            Ok(m) => m,
            Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
        };
        let currency = text(&data, "currency").unwrap_or_default();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Reply::error(
                api,
                "CURRENCY_INVALID",
                format!("currency is invalid, because currency {currency:?} is not defined"),
            );
        }
        let expire_seconds = match text(&data, "expireTime") {
            None => DEFAULT_EXPIRE_SECONDS,
            Some(t) => match t.parse::<i64>() {
                Ok(s) if (MIN_EXPIRE_SECONDS..=MAX_EXPIRE_SECONDS).contains(&s) => s,
                _ => {
                    return Reply::error(
                        api,
                        "PARAMS_INVALID",
                        format!(
                            "data.expireTime must be a number of seconds from {MIN_EXPIRE_SECONDS} to {MAX_EXPIRE_SECONDS}, but your input is {t:?}"
                        ),
                    );
                }
            },
        };
        let out_trade_no = text(&data, "outTradeNo").unwrap_or_default().to_owned();
        let integration = integration(body);
        let mut book = lock(&self.orders);
        if let Some(existing) = book.orders.get(&key(&out_trade_no)) {
            return Reply::error(
                api,
                "ORDER_REPEAT",
                format!(
                    "outTradeNo {out_trade_no} was already used (by order {}, status {}): each order needs a new outTradeNo",
                    existing.out_trade_no,
                    existing.status.name()
                ),
            );
        }
        book.seq += 1;
        let trade_token = format!("T{}{:08}", format_compact(cx.now), book.seq);
        let order = Order {
            out_trade_no: out_trade_no.clone(),
            trade_token: trade_token.clone(),
            variant: op.id.clone(),
            integration,
            amount: amount.text.clone(),
            currency: currency.to_owned(),
            country: text(&data, "country").map(str::to_owned),
            subject: text(&data, "subject").unwrap_or_default().to_owned(),
            reference: text(&data, "reference").map(str::to_owned),
            status: OrderStatus::Pending,
            notify_url: text(&data, "notifyUrl").map(str::to_owned),
            front_callback_url: text(&data, "frontCallbackUrl").map(str::to_owned),
            app_id: text(body, "appId").unwrap_or_default().to_owned(),
            merchant_no: text(body, "merchantNo").unwrap_or_default().to_owned(),
            created_millis: cx.now,
            expires_millis: cx.now.saturating_add(expire_seconds * 1000),
            completed_millis: None,
            queries: 0,
            refunded: "0".to_owned(),
            // The auth variants' schemas accept plain requests too: an
            // authorisation is the request that says `captureMode: MANUAL`.
            manual_capture: text(&data, "captureMode") == Some("MANUAL"),
            captured: "0".to_owned(),
            final_captured: false,
            cancelled: false,
            captured_value: Decimal::ZERO,
            refund_in_progress: None,
            amount_value: amount.value,
            refunded_value: Decimal::ZERO,
            refunding_value: Decimal::ZERO,
        };
        let k = key(&out_trade_no);
        book.by_token.insert(trade_token.clone(), k.clone());
        book.created.push(k.clone());
        book.orders.insert(k, order.clone());
        drop(book);

        // The order closes at its expiry even if nobody looks (with a
        // manual clock, whoever looks next closes it).
        let wait = Duration::from_millis((expire_seconds * 1000) as u64);
        self.later(cx.env, out_trade_no.clone(), wait, |order, now| {
            expire(order, now)
        });
        if integration != Integration::HostedCheckout {
            if let Some(after) = cx.env.settlement.settle_after {
                self.later(cx.env, out_trade_no, after, |order, now| {
                    settle_by_rule(order, now)
                });
            }
        }

        let redirect = format!("{}{}", cx.env.base_url, checkout_path(&trade_token));
        let mut data = match op.reply_data.as_deref().map(Data::from_json) {
            Some(Data::Members(m)) => m,
            _ => Members::default(),
        };
        for (k, v) in [
            ("outTradeNo", json_string(&order.out_trade_no)),
            ("tradeToken", json_string(&order.trade_token)),
            ("status", json_string(order.status.name())),
        ] {
            if !data.set_raw(k, v.clone()) {
                data = data.raw(k, v);
            }
        }
        if integration == Integration::HostedCheckout
            && !data.set_raw("redirectUrl", json_string(&redirect))
        {
            data = data.str("redirectUrl", &redirect);
        }
        Reply::success(api, data)
    }

    /// Runs `change` on the order after `wait`, notifying if it changed it.
    fn later(
        &self,
        env: &Arc<Env>,
        out_trade_no: String,
        wait: Duration,
        change: fn(&mut Order, i64) -> Option<Order>,
    ) {
        let orders = self.orders.clone();
        let env2 = env.clone();
        env.spawn(async move {
            tokio::time::sleep(wait).await;
            let now = env2.now();
            let changed = {
                let mut book = lock(&orders);
                book.get(Some(&out_trade_no), None, now)
                    .and_then(|(order, closed)| closed.or_else(|| change(order, now)))
            };
            if let Some(o) = changed {
                notify_payment(&env2, &o);
            }
        });
    }

    fn query(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let out_trade_no = text(&data, "outTradeNo");
        let rule: Settlement = cx.env.settlement;
        let (order, changed) = {
            let mut book = lock(&self.orders);
            let Some((order, closed)) = book.get(out_trade_no, None, cx.now) else {
                return Reply::error(
                    api,
                    "ORDER_NOT_EXIST",
                    format!(
                        "no order with outTradeNo {}",
                        out_trade_no.unwrap_or_default()
                    ),
                );
            };
            order.queries = order.queries.saturating_add(1);
            let settled = (order.integration != Integration::HostedCheckout
                && order.queries > rule.pending_queries)
                .then(|| settle_by_rule(order, cx.now))
                .flatten();
            (order.clone(), closed.or(settled))
        };
        if let Some(o) = &changed {
            notify_payment(cx.env, o);
        }
        let mut m = match op.reply_data.as_deref().map(Data::from_json) {
            Some(Data::Members(m)) => m,
            _ => Members::default(),
        };
        let result_msg = match order.status {
            OrderStatus::Failed => "sandbox: the payment failed",
            OrderStatus::Closed => "Payment was not completed on time.",
            _ => "",
        };
        let fields = [
            ("outTradeNo", json_string(&order.out_trade_no)),
            ("tradeToken", json_string(&order.trade_token)),
            ("totalAmount", order.amount.clone()),
            ("currency", json_string(&order.currency)),
            ("status", json_string(order.status.name())),
            ("resultMsg", json_string(result_msg)),
        ];
        for (k, v) in fields {
            if !m.set_raw(k, v.clone()) {
                m = m.raw(k, v);
            }
        }
        // `country`: the order's, else the example's (the cashier's choice);
        // `reference`: the order's or none.
        if let Some(c) = &order.country {
            if !m.set_raw("country", json_string(c)) {
                m = m.str("country", c);
            }
        }
        match &order.reference {
            Some(r) => {
                if !m.set_raw("reference", json_string(r)) {
                    m = m.str("reference", r);
                }
            }
            None => m.0.retain(|(name, _)| name != "reference"),
        }
        if order.status != OrderStatus::Success {
            m.set_raw("paymentDetails", "[]");
        }
        Reply::success(api, m)
    }
}

/// Settles a direct or drop-in order by the identifier rule.
fn settle_by_rule(order: &mut Order, now: i64) -> Option<Order> {
    if order.status != OrderStatus::Pending {
        return None;
    }
    match outcome(&order.out_trade_no)? {
        true => Some(finish(order, OrderStatus::Success, now)),
        false => Some(finish(order, OrderStatus::Failed, now)),
    }
}

/// Sends the payment notification of an order that stopped being pending.
fn notify_payment(env: &Env, o: &Order) {
    let Some(url) = o.notify_url.as_ref().or(env.portal_notify_url.as_ref()) else {
        return;
    };
    env.notify(Outgoing {
        kind: if o.manual_capture {
            "auth_result_notify"
        } else {
            "collect_result_notify"
        },
        id: o.out_trade_no.clone(),
        url: url.clone(),
        body: payment_notification_body(o, env.now()),
        ack: Ack::Gateway,
    });
}

/// The payment result notification (spec `collect_result_notify`, or
/// `auth_result_notify` for an authorisation).
pub(crate) fn payment_notification_body(o: &Order, now: i64) -> String {
    let (code, msg) = match o.status {
        OrderStatus::Success => ("APPLY_SUCCESS", ""),
        OrderStatus::Closed => ("PAYMENT_FAILED", "Payment was not completed on time."),
        _ => ("PAYMENT_FAILED", "sandbox: the payment failed"),
    };
    let data = Members::default()
        .str("outTradeNo", &o.out_trade_no)
        .str("tradeToken", &o.trade_token)
        .raw("totalAmount", o.amount.clone())
        .str("currency", &o.currency)
        .opt_str("country", o.country.as_deref())
        .str("status", o.status.name())
        .str(
            "completeTime",
            &format_rfc3339_millis(o.completed_millis.unwrap_or(now)),
        )
        .raw("paymentDetails", "[]")
        .opt_str("reference", o.reference.as_deref());
    // An authorisation's result (spec `auth_result_notify`) says how it is captured.
    let data = if o.manual_capture {
        data.str("captureMode", "MANUAL")
            .str("authorizationType", "FINAL_AUTH")
    } else {
        data
    };
    super::gateway::notification(
        (&o.app_id, &o.merchant_no),
        "PAYMENT",
        (code, msg),
        now,
        &data,
    )
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A pending hosted order for unit tests.
    pub(crate) fn order() -> Order {
        Order {
            out_trade_no: "P1".into(),
            trade_token: "T1".into(),
            variant: "order_and_pay_hosted".into(),
            integration: Integration::HostedCheckout,
            amount: "10.50".into(),
            currency: "USD".into(),
            country: Some("US".into()),
            subject: "s".into(),
            reference: None,
            status: OrderStatus::Pending,
            notify_url: None,
            front_callback_url: None,
            app_id: "app".into(),
            merchant_no: "M1".into(),
            created_millis: 0,
            expires_millis: 1000,
            completed_millis: Some(5),
            queries: 0,
            refunded: "0".into(),
            refund_in_progress: None,
            manual_capture: false,
            captured: "0".into(),
            final_captured: false,
            cancelled: false,
            captured_value: Decimal::ZERO,
            amount_value: Decimal::new(1050, 2),
            refunded_value: Decimal::ZERO,
            refunding_value: Decimal::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: OrderStatus) -> Order {
        Order {
            status,
            ..tests_support::order()
        }
    }

    /// The body the sandbox sends satisfies the notification spec.
    #[test]
    fn notification_satisfies_its_spec() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        for (id, manual) in [
            ("collect_result_notify", false),
            ("auth_result_notify", true),
        ] {
            let spec = routes.inbound(id).unwrap();
            for status in [
                OrderStatus::Success,
                OrderStatus::Failed,
                OrderStatus::Closed,
            ] {
                let mut o = order(status);
                o.manual_capture = manual;
                let body: Value = serde_json::from_str(&payment_notification_body(&o, 7)).unwrap();
                assert_eq!(
                    crate::schema::validate(&spec.request_schema, &body),
                    vec![],
                    "{id}"
                );
            }
        }
        assert!(
            payment_notification_body(&order(OrderStatus::Success), 7)
                .contains(r#""totalAmount":10.50"#)
        );
    }

    #[test]
    fn refunds_need_a_paid_order_its_currency_and_a_refundable_amount() {
        let mut book = OrderBook::default();
        let mut o = order(OrderStatus::Pending);
        o.expires_millis = i64::MAX;
        book.orders.insert(key("P1"), o);
        book.by_token.insert("T1".into(), key("P1"));
        let m = |t: &str| Money::parse(t).unwrap();
        let start = |b: &mut OrderBook, id: &str, amount: &str, cur: &str| {
            b.start_refund(Some("p1"), None, id, &m(amount), cur, 0)
                .map_err(|(code, _)| code)
        };
        assert_eq!(start(&mut book, "R0", "1", "USD"), Err("REFUND_FAILED"));
        book.orders.get_mut("p1").unwrap().status = OrderStatus::Success;
        assert_eq!(start(&mut book, "R0", "1", "EUR"), Err("CURRENCY_INVALID"));
        assert_eq!(
            start(&mut book, "R0", "10.51", "USD"),
            Err("AMOUNT_INVALID")
        );
        assert!(start(&mut book, "R1", "10", "USD").is_ok());
        assert_eq!(
            start(&mut book, "R2", "0.5", "USD"),
            Err("REFUND_FAILED"),
            "one at a time"
        );
        book.end_refund("P1", "R1", true);
        assert_eq!(book.orders["p1"].refunded, "10");
        assert_eq!(start(&mut book, "R2", "0.51", "USD"), Err("AMOUNT_INVALID"));
        assert!(start(&mut book, "R2", "0.50", "USD").is_ok());
        book.end_refund("P1", "R2", false);
        assert_eq!(
            book.orders["p1"].refunded, "10",
            "a failed refund gives it back"
        );
        assert!(start(&mut book, "R3", "0.5", "USD").is_ok());
        assert_eq!(
            book.start_refund(Some("nope"), None, "R4", &m("1"), "USD", 0)
                .unwrap_err()
                .0,
            "ORDER_NOT_EXIST"
        );
    }

    #[test]
    fn pending_orders_close_at_their_expiry() {
        let mut o = order(OrderStatus::Pending);
        assert!(expire(&mut o, 999).is_none());
        let closed = expire(&mut o, 1000).unwrap();
        assert_eq!(
            (closed.status, closed.completed_millis),
            (OrderStatus::Closed, Some(1000))
        );
        assert!(expire(&mut o, 2000).is_none(), "closes once");
    }
}
