//! The refunds journey: the gateway `refund` (only for a paid order, in its
//! currency, never above what is left to refund, one refund in progress per
//! order), the legacy `refundApply` (any order id), both idempotent on the
//! refund id; the gateway `refundQuery`; settlement by the rule of
//! [`Settlement`]; the refund notification when a refund settles (gateway
//! `refund_result_notify` to `refundNotifyUrl`, legacy `legacy_refund_notify`
//! to `callbackUrl`).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::Value;

use super::payments::Orders;
use super::{ControlError, ControlResult, Ctx, Journey, text};
use crate::env::Env;
use crate::money::data_money;
use crate::notify::{Ack, Outgoing};
use crate::reply::{Members, Reply};
use crate::server::lock;
use crate::settlement::{FAIL_PREFIX, Settlement, outcome};
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundStatus {
    /// Applied for, not settled (`REFUND_PENDING`, legacy `0`).
    Pending,
    /// Settled, money returned (`REFUND_SUCCESS`, legacy `1`).
    Success,
    /// Settled, refused (`REFUND_FAILED`, legacy `2`).
    Failed,
}

impl RefundStatus {
    /// The gateway's name for it.
    pub fn gateway_name(self) -> &'static str {
        match self {
            RefundStatus::Pending => "REFUND_PENDING",
            RefundStatus::Success => "REFUND_SUCCESS",
            RefundStatus::Failed => "REFUND_FAILED",
        }
    }

    /// The legacy v2.1 number for it.
    pub fn legacy_code(self) -> u8 {
        match self {
            RefundStatus::Pending => 0,
            RefundStatus::Success => 1,
            RefundStatus::Failed => 2,
        }
    }
}

/// A refund as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The merchant's refund id (legacy `refundId`, gateway `outRefundNo`).
    pub refund_id: String,
    /// The refund number the sandbox assigned (legacy `tradeNo`, gateway `refundTradeNo`).
    pub trade_no: String,
    /// The merchant's original order id.
    pub order_id: String,
    /// The merchant id given when applying.
    pub merchant_id: String,
    /// The amount exactly as sent (a decimal string).
    pub amount: String,
    /// The currency.
    pub currency: String,
    /// The status.
    pub status: RefundStatus,
    /// Where the settlement notification goes.
    pub callback_url: Option<String>,
    /// How many refund queries found it.
    pub queries: u32,
    /// How many apply requests named it (1 + idempotent repeats).
    pub applications: u32,
    /// Creation time, Unix milliseconds (sandbox clock).
    pub created_millis: i64,
    /// Settlement time, Unix milliseconds (sandbox clock).
    pub finished_millis: Option<i64>,
    /// Error code when failed.
    pub error_code: Option<String>,
    /// Error message when failed.
    pub error_msg: Option<String>,
    /// Applied for through the gateway `refund` (`false`: the legacy `refundApply`).
    pub gateway: bool,
    /// `appId` of a gateway application.
    pub app_id: String,
    /// The refunded order's `tradeToken` (gateway refunds).
    pub order_trade_token: Option<String>,
}

/// What an apply request for a refund id led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A new refund.
    Created(Refund),
    /// The same refund id with the same order, amount and currency: the
    /// refund already held, unchanged.
    Repeated(Refund),
    /// The same refund id with a different order, amount or currency.
    Conflict {
        /// The refund already held.
        existing: Refund,
        /// Which fields differ.
        fields: Vec<&'static str>,
    },
}

/// A new refund application.
#[derive(Debug, Clone)]
pub struct Application {
    /// `refundId`.
    pub refund_id: String,
    /// `orderId`.
    pub order_id: String,
    /// `merchantId`.
    pub merchant_id: String,
    /// `amount` text.
    pub amount: String,
    /// `amount` value.
    pub amount_value: Decimal,
    /// `currency`.
    pub currency: String,
    /// `callbackUrl` / `refundNotifyUrl`.
    pub callback_url: Option<String>,
    /// Through the gateway `refund`.
    pub gateway: bool,
    /// `appId` (gateway).
    pub app_id: String,
    /// The order's `tradeToken` (gateway).
    pub order_trade_token: Option<String>,
}

/// All refunds, legacy and gateway.
#[derive(Debug, Default)]
pub(crate) struct Store {
    refunds: HashMap<String, Refund>,
    by_trade_no: HashMap<String, String>,
    /// Refund ids in creation order.
    order: Vec<String>,
    seq: u64,
}

impl Store {
    pub(crate) fn apply(&mut self, app: Application, now: i64) -> Applied {
        if let Some(existing) = self.refunds.get_mut(&app.refund_id) {
            let mut fields = Vec::new();
            if existing.order_id != app.order_id {
                fields.push("orderId");
            }
            if Decimal::from_str(&existing.amount).ok() != Some(app.amount_value) {
                fields.push("amount");
            }
            if existing.currency != app.currency {
                fields.push("currency");
            }
            if fields.is_empty() {
                existing.applications += 1;
                return Applied::Repeated(existing.clone());
            }
            return Applied::Conflict {
                existing: existing.clone(),
                fields,
            };
        }
        self.seq += 1;
        let trade_no = format!("{}TI{:014}", format_compact(now), self.seq);
        let refund = Refund {
            refund_id: app.refund_id.clone(),
            trade_no: trade_no.clone(),
            order_id: app.order_id,
            merchant_id: app.merchant_id,
            amount: app.amount,
            currency: app.currency,
            status: RefundStatus::Pending,
            callback_url: app.callback_url,
            queries: 0,
            applications: 1,
            created_millis: now,
            finished_millis: None,
            error_code: None,
            error_msg: None,
            gateway: app.gateway,
            app_id: app.app_id,
            order_trade_token: app.order_trade_token,
        };
        self.by_trade_no.insert(trade_no, app.refund_id.clone());
        self.order.push(app.refund_id.clone());
        self.refunds.insert(app.refund_id, refund.clone());
        Applied::Created(refund)
    }

    /// Settles a pending refund by the rule; returns it when it changed.
    pub(crate) fn settle(&mut self, refund_id: &str, now: i64) -> Option<Refund> {
        let r = self.refunds.get_mut(refund_id)?;
        if r.status != RefundStatus::Pending {
            return None;
        }
        let succeeds = outcome(r.rule_id())?;
        Some(finish(r, succeeds, now))
    }

    /// Finds a refund by refund id or trade number for a query, counting the
    /// query and settling it when its pending queries are used up. Returns
    /// the refund and whether the query settled it.
    pub(crate) fn query(
        &mut self,
        refund_id: Option<&str>,
        trade_no: Option<&str>,
        rule: &Settlement,
        now: i64,
    ) -> Option<(Refund, bool)> {
        let id = match (refund_id, trade_no) {
            (Some(id), _) => id.to_owned(),
            (None, Some(t)) => self.by_trade_no.get(t)?.clone(),
            (None, None) => return None,
        };
        let r = self.refunds.get_mut(&id)?;
        r.queries = r.queries.saturating_add(1);
        if r.status == RefundStatus::Pending && r.queries > rule.pending_queries {
            if let Some(settled) = self.settle(&id, now) {
                return Some((settled, true));
            }
        }
        self.refunds.get(&id).map(|r| (r.clone(), false))
    }

    pub(crate) fn snapshot(&self) -> Vec<Refund> {
        self.order
            .iter()
            .filter_map(|id| self.refunds.get(id).cloned())
            .collect()
    }
}

impl Refund {
    /// The identifier the settlement rule reads: the legacy `orderId`, the
    /// gateway `outRefundNo` (an order whose `outTradeNo` starts with `FAIL`
    /// is never paid, so never refunded).
    fn rule_id(&self) -> &str {
        if self.gateway {
            &self.refund_id
        } else {
            &self.order_id
        }
    }
}

/// Marks a pending refund settled.
fn finish(r: &mut Refund, succeeds: bool, now: i64) -> Refund {
    if succeeds {
        r.status = RefundStatus::Success;
    } else {
        let field = if r.gateway { "outRefundNo" } else { "orderId" };
        r.status = RefundStatus::Failed;
        r.error_code = Some("REFUND_FAILED".to_owned());
        r.error_msg = Some(format!(
            "sandbox: {field} starts with {FAIL_PREFIX}, so the refund fails"
        ));
    }
    r.finished_millis = Some(now);
    r.clone()
}

/// The refunds journey.
#[derive(Debug)]
pub(crate) struct Refunds {
    store: Arc<Mutex<Store>>,
    orders: Orders,
}

impl Refunds {
    /// Refunds of the orders in `orders`.
    pub(crate) fn new(orders: Orders) -> Self {
        Self {
            store: Arc::default(),
            orders,
        }
    }

    /// Every refund, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<Refund> {
        lock(&self.store).snapshot()
    }
}

impl Journey for Refunds {
    fn name(&self) -> &'static str {
        "refunds"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[
            (Api::Gateway, "refund"),
            (Api::Legacy, "refundApply"),
            (Api::Gateway, "refundQuery"),
        ]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        match (op.api, op.operation.as_str()) {
            (Api::Legacy, _) => self.apply(cx, body),
            (_, "refund") => self.refund(cx, body),
            _ => self.query(cx, body),
        }
    }

    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, _body: &Value) -> Option<ControlResult> {
        let succeeds = match action {
            "succeed" => true,
            "fail" => false,
            _ => return None,
        };
        let mut store = lock(&self.store);
        let Some(r) = store.refunds.get_mut(id) else {
            return Some(Err(ControlError::NotFound(format!(
                "no refund with id {id}"
            ))));
        };
        if r.status != RefundStatus::Pending {
            return Some(Err(ControlError::Conflict(format!(
                "refund {id} is already {}",
                r.status.gateway_name()
            ))));
        }
        let settled = finish(r, succeeds, cx.now);
        drop(store);
        let state = refund_state(&settled);
        settled_now(&self.orders, cx.env, &settled);
        Some(Ok(state))
    }

    fn control_actions(&self) -> &'static [&'static str] {
        &["succeed", "fail"]
    }
}

/// A refund's state as the control API shows it.
fn refund_state(r: &Refund) -> String {
    Members::default()
        .str("id", &r.refund_id)
        .str("tradeNo", &r.trade_no)
        .str("status", r.status.gateway_name())
        .to_json()
}

fn legacy_refund_data(r: &Refund) -> Members {
    Members::default()
        .str("refundId", &r.refund_id)
        .str("tradeNo", &r.trade_no)
        .str("orderId", &r.order_id)
        .raw("status", r.status.legacy_code().to_string())
        .opt_str("errorCode", r.error_code.as_deref())
        .opt_str("errorMsg", r.error_msg.as_deref())
}

impl Refunds {
    fn apply(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Legacy;
        let amount = text(body, "amount").unwrap_or_default();
        let amount_value = match Decimal::from_str(amount) {
            Ok(v) if v > Decimal::ZERO => v,
            Ok(_) => {
                return Reply::error(
                    api,
                    "AMOUNT_INVALID",
                    format!("amount must be greater than 0, but your input is {amount}"),
                );
            }
            Err(_) => {
                return Reply::error(
                    api,
                    "AMOUNT_INVALID",
                    format!("amount {amount} is out of range"),
                );
            }
        };
        let currency = text(body, "currency").unwrap_or_default();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Reply::error(
                api,
                "CURRENCY_INVALID",
                format!("currency is invalid, because currency {currency:?} is not defined"),
            );
        }
        let app = Application {
            refund_id: text(body, "refundId").unwrap_or_default().to_owned(),
            order_id: text(body, "orderId").unwrap_or_default().to_owned(),
            merchant_id: text(body, "merchantId").unwrap_or_default().to_owned(),
            amount: amount.to_owned(),
            amount_value,
            currency: currency.to_owned(),
            callback_url: text(body, "callbackUrl").map(str::to_owned),
            gateway: false,
            app_id: String::new(),
            order_trade_token: None,
        };
        let applied = lock(&self.store).apply(app, cx.now);
        match applied {
            Applied::Created(r) => {
                if let Some(after) = cx.env.settlement.settle_after {
                    self.settle_later(cx.env, r.refund_id.clone(), after);
                }
                Reply::success(api, legacy_refund_data(&r))
            }
            Applied::Repeated(r) => Reply::success(api, legacy_refund_data(&r)),
            Applied::Conflict { existing, fields } => Reply::error(
                api,
                "ORDER_REPEAT",
                format!(
                    "refundId {} was already used for a refund with a different {}",
                    existing.refund_id,
                    fields.join(", ")
                ),
            ),
        }
    }

    fn settle_later(&self, env: &Arc<Env>, refund_id: String, after: Duration) {
        let store = self.store.clone();
        let orders = self.orders.clone();
        let env2 = env.clone();
        env.spawn(async move {
            tokio::time::sleep(after).await;
            let settled = lock(&store).settle(&refund_id, env2.now());
            if let Some(r) = settled {
                settled_now(&orders, &env2, &r);
            }
        });
    }

    /// The gateway `refund`: a refund of a paid order.
    fn refund(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let amount = match data_money(cx.raw, "refundAmount") {
            Ok(m) => m,
            Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
        };
        let refund_id = text(&data, "outRefundNo").unwrap_or_default();
        let currency = text(&data, "refundCurrency").unwrap_or_default();
        let out_trade_no = text(&data, "outTradeNo");
        let token = text(&data, "tradeToken");
        let mut store = lock(&self.store);
        let (order_id, order_token) = match store.refunds.get(refund_id) {
            // A repeat: compared with the refund held, no new reservation.
            Some(existing) => (
                existing.order_id.clone(),
                existing.order_trade_token.clone().unwrap_or_default(),
            ),
            None => {
                let started = lock(&self.orders).start_refund(
                    out_trade_no,
                    token,
                    refund_id,
                    &amount,
                    currency,
                    cx.now,
                );
                match started {
                    Ok(ids) => ids,
                    Err((code, msg)) => return Reply::error(api, code, msg),
                }
            }
        };
        let app = Application {
            refund_id: refund_id.to_owned(),
            order_id,
            merchant_id: text(body, "merchantNo").unwrap_or_default().to_owned(),
            amount: amount.text,
            amount_value: amount.value,
            currency: currency.to_owned(),
            callback_url: text(&data, "refundNotifyUrl").map(str::to_owned),
            gateway: true,
            app_id: text(body, "appId").unwrap_or_default().to_owned(),
            order_trade_token: Some(order_token),
        };
        let applied = store.apply(app, cx.now);
        drop(store);
        let r = match applied {
            Applied::Created(r) => {
                if let Some(after) = cx.env.settlement.settle_after {
                    self.settle_later(cx.env, r.refund_id.clone(), after);
                }
                r
            }
            Applied::Repeated(r) => r,
            Applied::Conflict { existing, fields } => {
                return Reply::error(
                    api,
                    "ORDER_REPEAT",
                    format!(
                        "outRefundNo {} was already used for a refund with a different {}",
                        existing.refund_id,
                        fields.join(", ")
                    ),
                );
            }
        };
        let data = Members::default()
            .str("outRefundNo", &r.refund_id)
            .str(
                "tradeOrderNo",
                r.order_trade_token.as_deref().unwrap_or_default(),
            )
            .str("refundTradeNo", &r.trade_no)
            .str("status", r.status.gateway_name());
        Reply::success(api, data)
    }

    fn query(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let out_refund_no = text(&data, "outRefundNo");
        let trade_no = text(&data, "refundTradeNo");
        let found = lock(&self.store).query(out_refund_no, trade_no, &cx.env.settlement, cx.now);
        let Some((r, settled_now)) = found else {
            return match (out_refund_no, trade_no) {
                (Some(id), _) => Reply::error(
                    api,
                    "ORDER_NOT_EXIST",
                    format!("no refund with outRefundNo {id}"),
                ),
                (None, t) => Reply::error(
                    api,
                    "REFUND_NO_INVALID",
                    format!("no refund with refundTradeNo {}", t.unwrap_or_default()),
                ),
            };
        };
        if settled_now {
            self::settled_now(&self.orders, cx.env, &r);
        }
        let data = Members::default()
            .str("outRefundNo", &r.refund_id)
            .str("refundTradeNo", &r.trade_no)
            // The exact decimal text, written as a JSON number.
            .raw("refundAmount", r.amount.clone())
            .str("refundCurrency", &r.currency)
            .str("outTradeNo", &r.order_id)
            .str("status", r.status.gateway_name())
            .opt_str(
                "resultMsg",
                (r.status == RefundStatus::Failed)
                    .then_some(r.error_msg.as_deref())
                    .flatten(),
            )
            .opt_str(
                "refundFinishTime",
                r.finished_millis.map(format_rfc3339_millis).as_deref(),
            );
        Reply::success(api, data)
    }
}

/// After a refund settled: the order's refund ends (gateway), and the
/// notification goes out if the refund has a notify URL.
fn settled_now(orders: &Orders, env: &Env, r: &Refund) {
    if r.gateway {
        lock(orders).end_refund(&r.order_id, &r.refund_id, r.status == RefundStatus::Success);
    }
    let Some(url) = &r.callback_url else {
        return;
    };
    let (kind, body, ack) = if r.gateway {
        (
            "refund_result_notify",
            gateway_notification_body(r, env.now()),
            Ack::Gateway,
        )
    } else {
        (
            "legacy_refund_notify",
            legacy_notification_body(r),
            Ack::Legacy,
        )
    };
    env.notify(Outgoing {
        kind,
        id: r.refund_id.clone(),
        url: url.clone(),
        body,
        ack,
    });
}

/// The gateway refund notification (spec `refund_result_notify`).
fn gateway_notification_body(r: &Refund, now: i64) -> String {
    let data = Members::default()
        .str("outRefundNo", &r.refund_id)
        .str("refundTradeNo", &r.trade_no)
        .str("outTradeNo", &r.order_id)
        .raw("refundAmount", r.amount.clone())
        .str("refundCurrency", &r.currency)
        .str(
            "refundFinishTime",
            &format_rfc3339_millis(r.finished_millis.unwrap_or(now)),
        )
        .str("status", r.status.gateway_name());
    let (code, msg) = match r.status {
        RefundStatus::Failed => ("REFUND_FAILED", r.error_msg.as_deref().unwrap_or_default()),
        _ => ("APPLY_SUCCESS", "Success."),
    };
    super::gateway::notification(
        (&r.app_id, &r.merchant_id),
        "REFUND",
        (code, msg),
        now,
        &data,
    )
}

/// The legacy refund notification body for a settled refund (spec
/// `legacy_refund_notify`): `merchantId, refundId, tradeNo, orderId, status,
/// refundAmount, currency, errorCode, errorMsg` (the last two empty on success).
fn legacy_notification_body(r: &Refund) -> String {
    Members::default()
        .str("merchantId", &r.merchant_id)
        .str("refundId", &r.refund_id)
        .str("tradeNo", &r.trade_no)
        .str("orderId", &r.order_id)
        .raw("status", r.status.legacy_code().to_string())
        .str("refundAmount", &r.amount)
        .str("currency", &r.currency)
        // Documented as empty strings when the refund succeeded.
        .str("errorCode", r.error_code.as_deref().unwrap_or_default())
        .str("errorMsg", r.error_msg.as_deref().unwrap_or_default())
        .to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, order: &str, amount: &str, currency: &str) -> Application {
        Application {
            refund_id: id.into(),
            order_id: order.into(),
            merchant_id: "SP1".into(),
            amount: amount.into(),
            amount_value: Decimal::from_str(amount).unwrap(),
            currency: currency.into(),
            callback_url: None,
            gateway: false,
            app_id: String::new(),
            order_trade_token: None,
        }
    }

    const NOW: i64 = 1_642_402_883_737;

    /// The body the sandbox sends satisfies the notification spec.
    #[test]
    fn body_satisfies_the_notification_spec() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let spec = routes
            .inbound("legacy_refund_notify")
            .expect("spec/legacy_refund_notify.json");
        for status in [RefundStatus::Success, RefundStatus::Failed] {
            let mut r = refund();
            r.status = status;
            if status == RefundStatus::Success {
                r.error_code = None;
                r.error_msg = None;
            }
            let body: Value = serde_json::from_str(&legacy_notification_body(&r)).unwrap();
            assert_eq!(crate::schema::validate(&spec.request_schema, &body), vec![]);
        }
    }

    fn refund() -> Refund {
        Refund {
            refund_id: "R1".into(),
            trade_no: "T1".into(),
            order_id: "FAIL-1".into(),
            merchant_id: "SP1".into(),
            amount: "10.50".into(),
            currency: "USD".into(),
            status: RefundStatus::Failed,
            callback_url: None,
            queries: 0,
            applications: 1,
            created_millis: 0,
            finished_millis: Some(1),
            error_code: Some("REFUND_FAILED".into()),
            error_msg: Some("no".into()),
            gateway: false,
            app_id: String::new(),
            order_trade_token: None,
        }
    }

    #[test]
    fn body_matches_the_notify_fields() {
        let r = refund();
        assert_eq!(
            legacy_notification_body(&r),
            r#"{"merchantId":"SP1","refundId":"R1","tradeNo":"T1","orderId":"FAIL-1","status":2,"refundAmount":"10.50","currency":"USD","errorCode":"REFUND_FAILED","errorMsg":"no"}"#
        );
    }

    #[test]
    fn apply_is_idempotent_on_refund_id() {
        let mut s = Store::default();
        let Applied::Created(a) = s.apply(app("R1", "O1", "10.00", "USD"), NOW) else {
            panic!("not created")
        };
        assert_eq!(a.trade_no, "20220117070123TI00000000000001");
        // Same value written differently is the same amount.
        let Applied::Repeated(b) = s.apply(app("R1", "O1", "10.0", "USD"), NOW + 5) else {
            panic!("not repeated")
        };
        assert_eq!(b.trade_no, a.trade_no);
        assert_eq!(b.applications, 2);
        match s.apply(app("R1", "O2", "11", "USD"), NOW) {
            Applied::Conflict { fields, .. } => assert_eq!(fields, vec!["orderId", "amount"]),
            other => panic!("{other:?}"),
        }
        match s.apply(app("R1", "O1", "10", "EUR"), NOW) {
            Applied::Conflict { fields, .. } => assert_eq!(fields, vec!["currency"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.snapshot().len(), 1);
    }

    #[test]
    fn queries_settle_after_the_pending_ones() {
        let rule = Settlement {
            pending_queries: 2,
            settle_after: None,
        };
        let mut s = Store::default();
        s.apply(app("R1", "O1", "1", "USD"), NOW);
        s.apply(app("R2", "FAIL-9", "1", "USD"), NOW);
        s.apply(app("R3", "PENDING-9", "1", "USD"), NOW);
        for _ in 0..2 {
            let (r, settled) = s.query(Some("R1"), None, &rule, NOW).unwrap();
            assert_eq!((r.status, settled), (RefundStatus::Pending, false));
        }
        let (r, settled) = s.query(Some("R1"), None, &rule, NOW + 7).unwrap();
        assert_eq!((r.status, settled), (RefundStatus::Success, true));
        assert_eq!(r.finished_millis, Some(NOW + 7));
        let (r, settled) = s.query(None, Some(&r.trade_no), &rule, NOW + 9).unwrap();
        assert_eq!((r.status, settled), (RefundStatus::Success, false));
        assert_eq!(r.finished_millis, Some(NOW + 7));

        let failed = s.settle("R2", NOW).unwrap();
        assert_eq!(failed.status, RefundStatus::Failed);
        assert_eq!(failed.error_code.as_deref(), Some("REFUND_FAILED"));
        assert!(s.settle("R2", NOW).is_none(), "settles once");
        assert!(s.settle("R3", NOW).is_none());
        for _ in 0..5 {
            assert_eq!(
                s.query(Some("R3"), None, &rule, NOW).unwrap().0.status,
                RefundStatus::Pending
            );
        }
        assert!(s.query(Some("nope"), None, &rule, NOW).is_none());
        assert!(s.query(None, Some("nope"), &rule, NOW).is_none());
    }
}
