//! The payouts journey: `paymentOrderPay` creates a payout `PENDING`, it
//! settles by the rule of [`Settlement`] (`SUCCESS`, `FAILED`, or
//! `SUCCESS` then `BOUNCEBACK`), each change is sent as the disbursement
//! notification (`notifyType` `PAYOUT`), and `paymentOrderQry` finds it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::gateway::{Origin, is_currency, money_at, notification};
use super::{ControlError, ControlResult, Ctx, Journey, text};
use crate::env::Env;
use crate::notify::{Ack, Outgoing};
use crate::reply::{Members, Reply};
use crate::server::lock;
use crate::settlement::{FAIL_PREFIX, Settlement, outcome};
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// A payout whose `outTradeNo` starts with this succeeds, then bounces
/// back (`BOUNCEBACK`) at its next settlement step.
pub const BOUNCE_PREFIX: &str = "BOUNCE";

/// Where a payout stands (`status` of `paymentOrderQry` and of the
/// disbursement notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayoutStatus {
    /// Accepted, not settled.
    Pending,
    /// Paid out.
    Success,
    /// Refused.
    Failed,
    /// Paid out, then returned by the payee's bank or wallet (退票).
    Bounceback,
}

impl PayoutStatus {
    /// PayerMax's name for it.
    pub fn name(self) -> &'static str {
        match self {
            PayoutStatus::Pending => "PENDING",
            PayoutStatus::Success => "SUCCESS",
            PayoutStatus::Failed => "FAILED",
            PayoutStatus::Bounceback => "BOUNCEBACK",
        }
    }
}

/// A payout as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The merchant's order number (`outTradeNo`).
    pub out_trade_no: String,
    /// The number the sandbox assigned (`tradeNo`, `yyyyMMddHHmmssPO` + 14 digits).
    pub trade_no: String,
    /// `trade.amount`, the exact decimal text sent.
    pub amount: String,
    /// `trade.currency`.
    pub currency: String,
    /// `country`.
    pub country: String,
    /// The status.
    pub status: PayoutStatus,
    /// `notifyUrl`: where the disbursement notifications go (without one,
    /// the merchant portal's URL).
    pub notify_url: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// The merchant it came from.
    pub origin: Origin,
    /// Queries since its last change (the rule counts them).
    pub queries: u32,
    /// Creation time, Unix milliseconds (sandbox clock).
    pub created_millis: i64,
    /// When it became `SUCCESS` or `FAILED`.
    pub finished_millis: Option<i64>,
    /// When it bounced back.
    pub bounce_back_millis: Option<i64>,
    /// `responseCode` of a failure or bounce-back.
    pub response_code: Option<String>,
    /// `responseMsg` of a failure or bounce-back.
    pub response_msg: Option<String>,
    /// Changes so far (a settlement timer only acts if none happened since
    /// it was set).
    version: u32,
}

impl Payout {
    /// The next state the rule moves it to: `None` when it stays.
    fn next_by_rule(&self) -> Option<PayoutStatus> {
        match self.status {
            PayoutStatus::Pending => Some(match outcome(&self.out_trade_no)? {
                true => PayoutStatus::Success,
                false => PayoutStatus::Failed,
            }),
            PayoutStatus::Success if self.out_trade_no.starts_with(BOUNCE_PREFIX) => {
                Some(PayoutStatus::Bounceback)
            }
            _ => None,
        }
    }

    /// Moves it to `to` at `now`.
    fn change(&mut self, to: PayoutStatus, now: i64) -> Payout {
        self.status = to;
        self.queries = 0;
        self.version += 1;
        match to {
            PayoutStatus::Success => self.finished_millis = Some(now),
            PayoutStatus::Failed => {
                self.finished_millis = Some(now);
                self.response_code = Some("PAYOUT_FAILED".to_owned());
                self.response_msg = Some(format!(
                    "sandbox: outTradeNo starts with {FAIL_PREFIX}, so the payout fails"
                ));
            }
            PayoutStatus::Bounceback => {
                self.bounce_back_millis = Some(now);
                self.response_code = Some("BOUNCEBACK".to_owned());
                self.response_msg =
                    Some("sandbox: the payee's account returned the payout".to_owned());
            }
            PayoutStatus::Pending => {}
        }
        self.clone()
    }

    /// `data` of `paymentOrderQry` and of the disbursement notification.
    fn data(&self) -> Members {
        let money = |with_rate: bool| {
            let m = Members::default()
                .str("amount", &self.amount)
                .str("currency", &self.currency);
            if !with_rate {
                return m.to_json();
            }
            m.str("exchangeRate", "1")
                .str("fee", "0")
                .str("feeCurrency", &self.currency)
                .str("tax", "0")
                .str("taxCurrency", &self.currency)
                .to_json()
        };
        let time = |t: Option<i64>| t.map(format_rfc3339_millis);
        Members::default()
            .str("outTradeNo", &self.out_trade_no)
            .str("tradeNo", &self.trade_no)
            .str("status", self.status.name())
            .str(
                "transactionUtcTime",
                &format_rfc3339_millis(self.created_millis),
            )
            .opt_str("payFinishTime", time(self.finished_millis).as_deref())
            .opt_str("bounceBackTime", time(self.bounce_back_millis).as_deref())
            .raw("trade", money(false))
            .raw("source", money(true))
            .raw("destination", money(true))
            .opt_str("reference", self.reference.as_deref())
            .str("responseCode", self.response_code.as_deref().unwrap_or(""))
            .str("responseMsg", self.response_msg.as_deref().unwrap_or(""))
    }
}

/// All payouts.
#[derive(Debug, Default)]
pub(crate) struct Store {
    payouts: HashMap<String, Payout>,
    order: Vec<String>,
    seq: u64,
}

impl Store {
    fn snapshot(&self) -> Vec<Payout> {
        self.order
            .iter()
            .filter_map(|id| self.payouts.get(id).cloned())
            .collect()
    }

    /// A query: counts it, and moves the payout by the rule once its
    /// pending queries are used up. Returns it and whether it changed.
    fn query(&mut self, id: &str, rule: &Settlement, now: i64) -> Option<(Payout, bool)> {
        let p = self.payouts.get_mut(id)?;
        p.queries = p.queries.saturating_add(1);
        if p.queries > rule.pending_queries {
            if let Some(to) = p.next_by_rule() {
                return Some((p.change(to, now), true));
            }
        }
        Some((p.clone(), false))
    }
}

/// The payouts journey.
#[derive(Debug, Default)]
pub(crate) struct Payouts {
    store: Arc<Mutex<Store>>,
}

impl Payouts {
    /// Every payout, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<Payout> {
        lock(&self.store).snapshot()
    }

    /// After a change, the settlement timer of the next step, if the rule
    /// has one: it acts only if the payout has not changed meanwhile.
    fn schedule(store: &Arc<Mutex<Store>>, env: &Arc<Env>, p: &Payout) {
        let (Some(after), Some(_)) = (env.settlement.settle_after, p.next_by_rule()) else {
            return;
        };
        let (store, env2, id, version) = (
            store.clone(),
            env.clone(),
            p.out_trade_no.clone(),
            p.version,
        );
        env.spawn(async move {
            tokio::time::sleep(after).await;
            let changed = {
                let mut s = lock(&store);
                let p = s.payouts.get_mut(&id).filter(|p| p.version == version);
                p.and_then(|p| p.next_by_rule().map(|to| p.change(to, env2.now())))
            };
            if let Some(p) = changed {
                Self::changed(&store, &env2, &p);
            }
        });
    }

    /// Notifies a change (to `notifyUrl`, else the merchant portal's URL)
    /// and sets the timer of the next one.
    fn changed(store: &Arc<Mutex<Store>>, env: &Arc<Env>, p: &Payout) {
        if let Some(url) = p.notify_url.as_ref().or(env.portal_notify_url.as_ref()) {
            env.notify(Outgoing {
                kind: "disbursement_result_notify",
                id: p.out_trade_no.clone(),
                url: url.clone(),
                body: notification_body(p, env.now()),
                ack: Ack::Gateway,
            });
        }
        Self::schedule(store, env, p);
    }

    fn pay(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let amount = match money_at(cx.raw, &["data", "trade", "amount"], false) {
            Ok(m) => m,
            Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
        };
        let currency = data
            .get("trade")
            .and_then(|t| text(t, "currency"))
            .unwrap_or_default();
        if !is_currency(currency) {
            return Reply::error(
                api,
                "CURRENCY_INVALID",
                format!("data.trade.currency {currency:?} is not a currency code"),
            );
        }
        let out_trade_no = text(&data, "outTradeNo").unwrap_or_default().to_owned();
        let created = {
            let mut s = lock(&self.store);
            if let Some(p) = s.payouts.get(&out_trade_no) {
                return Reply::error(
                    api,
                    "ORDER_REPEAT",
                    format!(
                        "outTradeNo {out_trade_no} already placed payout {} ({}): wait for its notification or query it",
                        p.trade_no,
                        p.status.name()
                    ),
                );
            }
            s.seq += 1;
            let p = Payout {
                out_trade_no: out_trade_no.clone(),
                trade_no: format!("{}PO{:014}", format_compact(cx.now), s.seq),
                amount: amount.text,
                currency: currency.to_owned(),
                country: text(&data, "country").unwrap_or_default().to_owned(),
                status: PayoutStatus::Pending,
                notify_url: text(&data, "notifyUrl").map(str::to_owned),
                reference: text(&data, "reference").map(str::to_owned),
                origin: Origin::of(body),
                queries: 0,
                created_millis: cx.now,
                finished_millis: None,
                bounce_back_millis: None,
                response_code: None,
                response_msg: None,
                version: 0,
            };
            s.order.push(out_trade_no.clone());
            s.payouts.insert(out_trade_no, p.clone());
            p
        };
        Self::schedule(&self.store, cx.env, &created);
        Reply::success(
            api,
            Members::default()
                .str("tradeNo", &created.trade_no)
                .str("outTradeNo", &created.out_trade_no)
                .str("status", created.status.name()),
        )
    }

    fn query(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let id = text(&data, "outTradeNo").unwrap_or_default();
        let found = lock(&self.store).query(id, &cx.env.settlement, cx.now);
        let Some((p, changed)) = found else {
            return Reply::error(api, "ORDER_NOT_EXIST", "The order does not exist.");
        };
        if changed {
            Self::changed(&self.store, cx.env, &p);
        }
        Reply::success(api, p.data())
    }
}

impl Journey for Payouts {
    fn name(&self) -> &'static str {
        "payouts"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[
            (Api::Gateway, "paymentOrderPay"),
            (Api::Gateway, "paymentOrderQry"),
        ]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        match op.operation.as_str() {
            "paymentOrderPay" => self.pay(cx, body),
            _ => self.query(cx, body),
        }
    }

    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, _body: &Value) -> Option<ControlResult> {
        let (from, to) = match action {
            "succeed" => (PayoutStatus::Pending, PayoutStatus::Success),
            "fail" => (PayoutStatus::Pending, PayoutStatus::Failed),
            "bounce-back" => (PayoutStatus::Success, PayoutStatus::Bounceback),
            _ => return None,
        };
        let changed = {
            let mut s = lock(&self.store);
            let Some(p) = s.payouts.get_mut(id) else {
                return Some(Err(ControlError::NotFound(format!(
                    "no payout with outTradeNo {id}"
                ))));
            };
            if p.status != from {
                return Some(Err(ControlError::Conflict(format!(
                    "payout {id} is {}; {action} applies to a {} one",
                    p.status.name(),
                    from.name()
                ))));
            }
            p.change(to, cx.now)
        };
        Self::changed(&self.store, cx.env, &changed);
        Some(Ok(Members::default()
            .str("id", &changed.out_trade_no)
            .str("tradeNo", &changed.trade_no)
            .str("status", changed.status.name())
            .to_json()))
    }

    fn control_actions(&self) -> &'static [&'static str] {
        &["succeed", "fail", "bounce-back"]
    }
}

/// The disbursement notification (spec `disbursement_result_notify`).
fn notification_body(p: &Payout, now: i64) -> String {
    notification(
        p.origin.pair(),
        "PAYOUT",
        ("APPLY_SUCCESS", "Success."),
        now,
        &p.data(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_642_402_883_737;

    fn payout(id: &str) -> Payout {
        Payout {
            out_trade_no: id.into(),
            trade_no: "T1".into(),
            amount: "10.50".into(),
            currency: "IDR".into(),
            country: "ID".into(),
            status: PayoutStatus::Pending,
            notify_url: None,
            reference: Some("ref".into()),
            origin: Origin {
                app_id: "app".into(),
                merchant_no: "M1".into(),
            },
            queries: 0,
            created_millis: NOW,
            finished_millis: None,
            bounce_back_millis: None,
            response_code: None,
            response_msg: None,
            version: 0,
        }
    }

    #[test]
    fn the_rule_by_out_trade_no() {
        let steps = |id: &str| {
            let mut p = payout(id);
            let mut seen = vec![];
            while let Some(to) = p.next_by_rule() {
                p.change(to, NOW + 1);
                seen.push(p.status.name());
            }
            seen
        };
        assert_eq!(steps("P-1"), ["SUCCESS"]);
        assert_eq!(steps("FAIL-1"), ["FAILED"]);
        assert_eq!(steps("BOUNCE-1"), ["SUCCESS", "BOUNCEBACK"]);
        assert!(steps("PENDING-1").is_empty());
    }

    #[test]
    fn queries_move_it_after_the_pending_ones() {
        let rule = Settlement {
            pending_queries: 1,
            settle_after: None,
        };
        let mut s = Store::default();
        s.payouts.insert("BOUNCE-1".into(), payout("BOUNCE-1"));
        let mut seen = vec![];
        for t in 0..5 {
            let (p, changed) = s.query("BOUNCE-1", &rule, NOW + t).unwrap();
            seen.push((p.status, changed));
        }
        use PayoutStatus::*;
        assert_eq!(
            seen,
            [
                (Pending, false),
                (Success, true),
                (Success, false),
                (Bounceback, true),
                (Bounceback, false)
            ]
        );
        let p = &s.payouts["BOUNCE-1"];
        assert_eq!(p.finished_millis, Some(NOW + 1));
        assert_eq!(p.bounce_back_millis, Some(NOW + 3));
        assert!(s.query("nope", &rule, NOW).is_none());
    }

    /// The notification satisfies the inbound spec it claims to.
    #[test]
    fn notification_satisfies_its_spec() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let spec = routes.inbound("disbursement_result_notify").unwrap();
        let mut p = payout("BOUNCE-1");
        for to in [PayoutStatus::Success, PayoutStatus::Bounceback] {
            p.change(to, NOW + 5);
            let body: Value = serde_json::from_str(&notification_body(&p, NOW + 6)).unwrap();
            assert_eq!(crate::schema::validate(&spec.request_schema, &body), vec![]);
            assert_eq!(body["data"]["trade"]["amount"], "10.50");
        }
    }
}
