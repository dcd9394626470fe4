//! The subscriptions journey: `subscriptionCreate` creates a plan
//! `INACTIVE`; it activates by the rule of [`Settlement`] (the payer's
//! first payment: debit 0) or fails to; one debit falls due at the start of
//! each period on the sandbox clock; `subscriptionQuery` and
//! `subscriptionCancel`; the status (`SUBSCRIPTION`) and debit
//! (`SUBSCRIPTION_PAYMENT`) notifications to the plan's `callbackUrl`.
//!
//! Time only moves when the sandbox looks: a query, a cancellation or the
//! control action `tick` carries every subscription it touches up to the
//! sandbox clock, running each debit due meanwhile at the time it fell due.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::gateway::{Origin, is_currency, money_at, notification};
use super::{ControlError, ControlResult, Ctx, Journey, text};
use crate::env::Env;
use crate::notify::{Ack, Outgoing};
use crate::reply::{Members, Reply, json_string};
use crate::server::lock;
use crate::settlement::outcome;
use crate::spec::{Api, OpSpec};
use crate::time::{format_compact, format_rfc3339_millis};

/// A subscription whose `subscriptionRequestId` starts with this activates,
/// but every debit after the first is declined.
pub const DECLINE_PREFIX: &str = "DECLINE";

const DAY: i64 = 24 * 60 * 60 * 1000;

/// 9999-12-31T23:59:59.999Z: the last instant a plan may reach.
const LAST_MILLIS: i64 = 253_402_300_799_999;

/// Where a subscription stands (`subscriptionStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    /// Created, the first payment not made (`INACTIVE`).
    Inactive,
    /// The first payment failed (`ACTIVE_FAILED`).
    ActiveFailed,
    /// Running (`ACTIVE`).
    Active,
    /// Never activated (`EXPIRED`).
    Expired,
    /// Every period paid (`FINISH`).
    Finish,
    /// Cancelled by the merchant (`CANCEL`).
    Cancel,
    /// Ended by a period whose debit failed (`TERMINATE`).
    Terminate,
}

impl SubscriptionStatus {
    /// PayerMax's name for it.
    pub fn name(self) -> &'static str {
        match self {
            SubscriptionStatus::Inactive => "INACTIVE",
            SubscriptionStatus::ActiveFailed => "ACTIVE_FAILED",
            SubscriptionStatus::Active => "ACTIVE",
            SubscriptionStatus::Expired => "EXPIRED",
            SubscriptionStatus::Finish => "FINISH",
            SubscriptionStatus::Cancel => "CANCEL",
            SubscriptionStatus::Terminate => "TERMINATE",
        }
    }
}

/// Where one period's debit stands (`paymentStatus`, `lastPaymentStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DebitStatus {
    /// Not settled: its last attempt failed, the period is still running.
    Pending,
    /// Paid.
    Success,
    /// The period ended unpaid.
    Failed,
}

impl DebitStatus {
    /// PayerMax's name for it.
    pub fn name(self) -> &'static str {
        match self {
            DebitStatus::Pending => "PENDING",
            DebitStatus::Success => "SUCCESS",
            DebitStatus::Failed => "FAILED",
        }
    }
}

/// One period's debit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debit {
    /// `subscriptionIndex`, from 0.
    pub index: u32,
    /// `paymentStatus`.
    pub status: DebitStatus,
    /// The status of its last attempt (`lastPaymentInfo.lastPaymentStatus`).
    pub last_attempt: DebitStatus,
    /// Period start, Unix milliseconds: when the debit fell due.
    pub start_millis: i64,
    /// Period end.
    pub end_millis: i64,
    /// The amount, exact decimal text.
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// `lastPaymentInfo.tradeToken`.
    pub trade_token: String,
}

/// The length of a period: `periodUnit` and `periodCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// `D`, `W`, `M` or `Y`.
    pub unit: char,
    /// How many units.
    pub count: u32,
}

impl Period {
    /// `millis` moved forward by `n` periods (months and years by the
    /// calendar, the day clamped to the month's last); `None` past the
    /// year 9999.
    pub fn after(self, millis: i64, n: u32) -> Option<i64> {
        let n = i64::from(self.count).checked_mul(i64::from(n))?;
        let t = match self.unit {
            'D' => millis.checked_add(n.checked_mul(DAY)?)?,
            'W' => millis.checked_add(n.checked_mul(7 * DAY)?)?,
            'Y' => add_months(millis, n.checked_mul(12)?)?,
            _ => add_months(millis, n)?,
        };
        (t <= LAST_MILLIS).then_some(t)
    }
}

/// A subscription as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// `subscriptionRequestId`.
    pub request_id: String,
    /// `subscriptionNo`, assigned by the sandbox (`SUB` + `yyyyMMddHHmmss` + 9 digits).
    pub subscription_no: String,
    /// `userId`.
    pub user_id: String,
    /// `callbackUrl`: both notifications go there.
    pub callback_url: String,
    /// The merchant it came from.
    pub origin: Origin,
    /// `totalPeriods`.
    pub total_periods: u32,
    /// `periodRule`.
    pub period: Period,
    /// `periodAmount.amount`, exact decimal text.
    pub amount: String,
    /// `periodAmount.currency`.
    pub currency: String,
    /// `trialPeriodConfig`: the first this many periods cost `trial_amount`.
    pub trial_periods: u32,
    /// `trialConfig.trialDays`: a trial period of this many days before
    /// the first regular period, costing `trial_amount`.
    pub trial_days: Option<u32>,
    /// The trial's amount, exact decimal text.
    pub trial_amount: Option<String>,
    /// The status.
    pub status: SubscriptionStatus,
    /// Creation time, Unix milliseconds (sandbox clock).
    pub created_millis: i64,
    /// Activation time: the start of period 0.
    pub activated_millis: Option<i64>,
    /// The debits made so far, by period.
    pub debits: Vec<Debit>,
    /// Queries since creation (the activation rule counts them).
    pub queries: u32,
    /// The next debit is declined (control `decline-next`).
    pub decline_next: bool,
    version: u32,
}

/// A notification to send after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// The subscription's status changed.
    Status,
    /// Period `n`'s debit changed.
    Debit(usize),
}

impl Subscription {
    /// How many periods in all, the trial-days period included.
    fn periods(&self) -> u32 {
        self.total_periods
            .saturating_add(u32::from(self.trial_days.is_some()))
    }

    /// When period `k` starts (`None` before activation, or past the year 9999).
    fn start(&self, k: u32) -> Option<i64> {
        self.start_if_activated_at(self.activated_millis?, k)
    }

    /// When period `k` would start for an activation at `at`.
    fn start_if_activated_at(&self, at: i64, k: u32) -> Option<i64> {
        match (self.trial_days, k) {
            (Some(_), 0) => Some(at),
            (Some(days), k) => self
                .period
                .after(at.checked_add(i64::from(days) * DAY)?, k - 1),
            (None, k) => self.period.after(at, k),
        }
    }

    fn amount_of(&self, k: u32) -> &str {
        let trial = match self.trial_days {
            Some(_) => k == 0,
            None => k < self.trial_periods,
        };
        match (&self.trial_amount, trial) {
            (Some(a), true) => a,
            _ => &self.amount,
        }
    }

    /// Debits period `k` at its start; declined when the rule or the
    /// control says so.
    fn debit(&mut self, k: u32) -> usize {
        let start = self.start(k).unwrap_or(self.created_millis);
        let declined = k > 0 && (self.decline_next || self.request_id.starts_with(DECLINE_PREFIX));
        self.decline_next &= !declined;
        let status = if declined {
            DebitStatus::Pending
        } else {
            DebitStatus::Success
        };
        self.debits.push(Debit {
            index: k,
            status,
            last_attempt: if declined {
                DebitStatus::Failed
            } else {
                DebitStatus::Success
            },
            start_millis: start,
            end_millis: self.start(k + 1).unwrap_or(LAST_MILLIS),
            amount: self.amount_of(k).to_owned(),
            currency: self.currency.clone(),
            trade_token: format!("T{}{:04}", format_compact(start), k),
        });
        self.debits.len() - 1
    }

    /// Ends the inactive subscription with `to` at `now`: `ACTIVE` makes
    /// the first payment (debit 0).
    fn activate(&mut self, to: SubscriptionStatus, now: i64) -> Vec<Notice> {
        self.status = to;
        self.version += 1;
        if to != SubscriptionStatus::Active {
            return vec![Notice::Status];
        }
        self.activated_millis = Some(now);
        let d = self.debit(0);
        vec![Notice::Status, Notice::Debit(d)]
    }

    /// Carries an active subscription up to `now`: ends a period whose
    /// debit is still pending (`FAILED`, the subscription `TERMINATE`),
    /// debits each period that started, and finishes it after its last.
    fn catch_up(&mut self, now: i64) -> Vec<Notice> {
        let mut notices = Vec::new();
        while self.status == SubscriptionStatus::Active {
            let periods = self.periods();
            let Some(last) = self.debits.len().checked_sub(1) else {
                break;
            };
            let d = &mut self.debits[last];
            if now < d.end_millis {
                break;
            }
            let index = d.index;
            if d.status == DebitStatus::Pending {
                d.status = DebitStatus::Failed;
                self.status = SubscriptionStatus::Terminate;
                notices.extend([Notice::Debit(last), Notice::Status]);
            } else if index + 1 >= periods {
                self.status = SubscriptionStatus::Finish;
                notices.push(Notice::Status);
            } else {
                let next = self.debit(index + 1);
                notices.push(Notice::Debit(next));
            }
        }
        if !notices.is_empty() {
            self.version += 1;
        }
        notices
    }

    fn plan(&self) -> String {
        Members::default()
            .str("subscriptionNo", &self.subscription_no)
            .str("subscriptionStatus", self.status.name())
            .to_json()
    }

    fn debit_detail(&self, d: &Debit) -> String {
        let last = Members::default()
            .str("tradeToken", &d.trade_token)
            .str("lastPaymentStatus", d.last_attempt.name())
            .str("payTime", &format_rfc3339_millis(d.start_millis));
        let last = if d.last_attempt == DebitStatus::Failed {
            last.str("errorCode", "BALANCE_INSUFFICIENT").str(
                "errorMsg",
                "sandbox: the debit is declined (subscriptionRequestId or control decline-next)",
            )
        } else {
            last
        };
        Members::default()
            .raw("subscriptionIndex", d.index.to_string())
            .str("paymentStatus", d.status.name())
            .str("periodStartTime", &format_rfc3339_millis(d.start_millis))
            .str("periodEndTime", &format_rfc3339_millis(d.end_millis))
            .raw(
                "payAmount",
                Members::default()
                    .raw("amount", d.amount.clone())
                    .str("currency", &d.currency)
                    .to_json(),
            )
            .str("paymentMethodType", "CARD")
            .str("cardOrg", "VISA")
            .raw("lastPaymentInfo", last.to_json())
            .to_json()
    }

    fn head(&self) -> Members {
        Members::default()
            .str("subscriptionRequestId", &self.request_id)
            .str("userId", &self.user_id)
    }

    /// The notification body of one notice.
    fn notification(&self, notice: Notice, now: i64) -> (&'static str, String) {
        let ok = ("APPLY_SUCCESS", "");
        match notice {
            Notice::Status => {
                let data = self.head().raw("subscriptionPlan", self.plan());
                let body = notification(self.origin.pair(), "SUBSCRIPTION", ok, now, &data);
                ("subscription_result_notify", body)
            }
            Notice::Debit(i) => {
                let plan = Members::default().str("subscriptionNo", &self.subscription_no);
                let data = self.head().raw("subscriptionPlan", plan.to_json()).raw(
                    "subscriptionPaymentDetail",
                    self.debit_detail(&self.debits[i]),
                );
                let body = notification(self.origin.pair(), "SUBSCRIPTION_PAYMENT", ok, now, &data);
                ("subscription_payment_result_notify", body)
            }
        }
    }
}

/// `millis` moved forward by `months` calendar months, the day of the
/// month clamped to the target month's last, the time of day kept.
/// `None` past the year 9999.
fn add_months(millis: i64, months: i64) -> Option<i64> {
    let (days, ms) = (millis.div_euclid(DAY), millis.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    let total = (y * 12 + (m - 1)).checked_add(months)?;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    if y > 9999 {
        return None;
    }
    let m_days = days_from_civil(y, m + 1, 1) - days_from_civil(y, m, 1);
    Some(days_from_civil(y, m, d.min(m_days)) * DAY + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (`m` may be 13: the
/// next year's January).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let (y, m) = if m > 12 { (y + 1, m - 12) } else { (y, m) };
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// All subscriptions.
#[derive(Debug, Default)]
pub(crate) struct Store {
    subs: HashMap<String, Subscription>,
    by_request_id: HashMap<String, String>,
    order: Vec<String>,
    seq: u64,
}

impl Store {
    fn find(&mut self, no: Option<&str>, request_id: Option<&str>) -> Option<&mut Subscription> {
        let no = match (no, request_id) {
            (Some(no), _) => no.to_owned(),
            (None, Some(r)) => self.by_request_id.get(r)?.clone(),
            (None, None) => return None,
        };
        self.subs.get_mut(&no)
    }
}

/// The subscriptions journey.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    store: Arc<Mutex<Store>>,
}

/// A positive whole number from a JSON number or numeric string.
fn whole(v: Option<&Value>) -> Option<u32> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .and_then(|n| u32::try_from(n).ok())
    .filter(|n| *n > 0)
}

impl Subscriptions {
    /// Every subscription, in creation order.
    pub(crate) fn snapshot(&self) -> Vec<Subscription> {
        let s = lock(&self.store);
        s.order
            .iter()
            .filter_map(|no| s.subs.get(no).cloned())
            .collect()
    }

    fn send(env: &Env, sub: &Subscription, notices: &[Notice], now: i64) {
        for n in notices {
            let (kind, body) = sub.notification(*n, now);
            env.notify(Outgoing {
                kind,
                id: sub.subscription_no.clone(),
                url: sub.callback_url.clone(),
                body,
                ack: Ack::Gateway,
            });
        }
    }

    /// Runs `change` on one subscription under the lock, then sends the
    /// notifications it returned.
    fn with(
        &self,
        env: &Arc<Env>,
        no: Option<&str>,
        request_id: Option<&str>,
        change: impl FnOnce(&mut Subscription) -> Vec<Notice>,
    ) -> Option<Subscription> {
        let (sub, notices) = {
            let mut s = lock(&self.store);
            let sub = s.find(no, request_id)?;
            let notices = change(sub);
            (sub.clone(), notices)
        };
        Self::send(env, &sub, &notices, env.now());
        Some(sub)
    }

    /// The activation timer of the rule (`settle_after` after creation).
    fn schedule_activation(&self, env: &Arc<Env>, sub: &Subscription) {
        let Some(after) = env.settlement.settle_after else {
            return;
        };
        if sub.status != SubscriptionStatus::Inactive || outcome(&sub.request_id).is_none() {
            return;
        }
        let (store, env2) = (self.store.clone(), env.clone());
        let (no, version) = (sub.subscription_no.clone(), sub.version);
        env.spawn(async move {
            tokio::time::sleep(after).await;
            let this = Subscriptions { store };
            this.with(&env2, Some(&no), None, |s| {
                if s.version != version {
                    return Vec::new();
                }
                activate_by_rule(s, env2.now())
            });
        });
    }

    fn create(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let invalid = |msg: String| Reply::error(api, "PARAMS_INVALID", msg);
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let plan = data.get("subscriptionPlan").cloned().unwrap_or(Value::Null);
        let Some(total_periods) = whole(plan.get("totalPeriods")) else {
            return invalid(
                "data.subscriptionPlan.totalPeriods must be a whole number above 0".into(),
            );
        };
        let rule = plan.get("periodRule").cloned().unwrap_or(Value::Null);
        let unit = match text(&rule, "periodUnit") {
            Some(u @ ("D" | "W" | "M" | "Y")) => u.chars().next().unwrap_or('M'),
            other => {
                return invalid(format!(
                    "data.subscriptionPlan.periodRule.periodUnit must be one of D, W, M, Y, but your input is {other:?}"
                ));
            }
        };
        let Some(count) = whole(rule.get("periodCount")) else {
            return invalid(
                "data.subscriptionPlan.periodRule.periodCount must be a whole number above 0"
                    .into(),
            );
        };
        let amount_path = ["data", "subscriptionPlan", "periodAmount", "amount"];
        let amount = match money_at(cx.raw, &amount_path, false) {
            Ok(m) => m,
            Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
        };
        let currency = plan
            .get("periodAmount")
            .and_then(|a| text(a, "currency"))
            .unwrap_or_default()
            .to_owned();
        if !is_currency(&currency) {
            return Reply::error(
                api,
                "CURRENCY_INVALID",
                format!(
                    "data.subscriptionPlan.periodAmount.currency {currency:?} is not a currency code"
                ),
            );
        }
        // Trials: `trialPeriodConfig` (the first periods at another
        // amount) or `trialConfig` (a trial of some days first).
        let (mut trial_periods, mut trial_days, mut trial_amount) = (0, None, None);
        for (config, amount_key, count_key) in [
            ("trialPeriodConfig", "trialPeriodAmount", "trialPeriodCount"),
            ("trialConfig", "trialAmount", "trialDays"),
        ] {
            let Some(c) = plan.get(config).filter(|c| c.is_object()) else {
                continue;
            };
            let path = ["data", "subscriptionPlan", config, amount_key, "amount"];
            match money_at(cx.raw, &path, true) {
                Ok(m) => trial_amount = Some(m.text),
                Err(msg) => return Reply::error(api, "AMOUNT_INVALID", msg),
            }
            let n = whole(c.get(count_key).or_else(|| c.get("trailDays")));
            let Some(n) = n else {
                return invalid(format!(
                    "data.subscriptionPlan.{config}.{count_key} must be a whole number above 0"
                ));
            };
            if config == "trialConfig" {
                trial_days = Some(n);
            } else if n > total_periods {
                return invalid(format!(
                    "data.subscriptionPlan.trialPeriodConfig.trialPeriodCount must be at most totalPeriods ({total_periods}), but your input is {n}"
                ));
            } else {
                trial_periods = n;
            }
        }
        let request_id = text(&data, "subscriptionRequestId")
            .unwrap_or_default()
            .to_owned();
        let sub = {
            let mut s = lock(&self.store);
            if let Some(no) = s.by_request_id.get(&request_id) {
                return Reply::error(
                    api,
                    "ORDER_REPEAT",
                    format!(
                        "subscriptionRequestId {request_id} already created subscription {no}: query it"
                    ),
                );
            }
            s.seq += 1;
            let no = format!("SUB{}{:09}", format_compact(cx.now), s.seq);
            let sub = Subscription {
                request_id: request_id.clone(),
                subscription_no: no.clone(),
                user_id: text(&data, "userId").unwrap_or_default().to_owned(),
                callback_url: text(&data, "callbackUrl").unwrap_or_default().to_owned(),
                origin: Origin::of(body),
                total_periods,
                period: Period { unit, count },
                amount: amount.text,
                currency,
                trial_periods,
                trial_days,
                trial_amount,
                status: SubscriptionStatus::Inactive,
                created_millis: cx.now,
                activated_millis: None,
                debits: Vec::new(),
                queries: 0,
                decline_next: false,
                version: 0,
            };
            if sub.start_if_activated_at(cx.now, sub.periods()).is_none() {
                return invalid(format!(
                    "data.subscriptionPlan: {total_periods} periods of {count} {unit} would end after 9999-12-31"
                ));
            }
            s.by_request_id.insert(request_id, no.clone());
            s.order.push(no.clone());
            s.subs.insert(no, sub.clone());
            sub
        };
        self.schedule_activation(cx.env, &sub);
        Reply::success(
            api,
            Members::default()
                .str("subscriptionRequestId", &sub.request_id)
                .raw("subscriptionPlan", sub.plan()),
        )
    }

    fn query(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let (no, request_id) = (
            text(&data, "subscriptionNo"),
            text(&data, "subscriptionRequestId"),
        );
        if no.is_none() && request_id.is_none() {
            return Reply::error(
                api,
                "PARAMS_INVALID",
                "data.subscriptionNo and data.subscriptionRequestId are both null: give one",
            );
        }
        let rule = cx.env.settlement;
        let found = self.with(cx.env, no, request_id, |s| {
            s.queries = s.queries.saturating_add(1);
            let mut notices = Vec::new();
            if s.queries > rule.pending_queries {
                notices = activate_by_rule(s, cx.now);
            }
            notices.extend(s.catch_up(cx.now));
            notices
        });
        let Some(sub) = found else {
            return Reply::error(api, "ORDER_NOT_EXIST", "The subscription does not exist.");
        };
        let details: Vec<String> = sub.debits.iter().map(|d| sub.debit_detail(d)).collect();
        Reply::success(
            api,
            Members::default()
                .str("subscriptionRequestId", &sub.request_id)
                .str("merchantNo", &sub.origin.merchant_no)
                .str("userId", &sub.user_id)
                .raw("subscriptionPlan", sub.plan())
                .raw(
                    "subscriptionPaymentDetails",
                    format!("[{}]", details.join(",")),
                ),
        )
    }

    fn cancel(&self, cx: Ctx<'_>, body: &Value) -> Reply {
        let api = Api::Gateway;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let no = text(&data, "subscriptionNo");
        let mut refused = None;
        let found = self.with(cx.env, no, None, |s| {
            let mut notices = s.catch_up(cx.now);
            match s.status {
                SubscriptionStatus::Inactive | SubscriptionStatus::Active => {
                    s.status = SubscriptionStatus::Cancel;
                    s.version += 1;
                    notices.push(Notice::Status);
                }
                SubscriptionStatus::Cancel => {}
                other => refused = Some(other),
            }
            notices
        });
        let Some(sub) = found else {
            return Reply::error(api, "ORDER_NOT_EXIST", "The subscription does not exist.");
        };
        if let Some(status) = refused {
            return Reply::error(
                api,
                "ORDER_CLOSED",
                format!(
                    "subscription {} is {}: it can no longer be cancelled",
                    sub.subscription_no,
                    status.name()
                ),
            );
        }
        Reply::success(api, sub.head().raw("subscriptionPlan", sub.plan()))
    }
}

/// Activates an inactive subscription by the identifier rule.
fn activate_by_rule(s: &mut Subscription, now: i64) -> Vec<Notice> {
    if s.status != SubscriptionStatus::Inactive {
        return Vec::new();
    }
    match outcome(&s.request_id) {
        Some(true) => s.activate(SubscriptionStatus::Active, now),
        Some(false) => s.activate(SubscriptionStatus::ActiveFailed, now),
        None => Vec::new(),
    }
}

impl Journey for Subscriptions {
    fn name(&self) -> &'static str {
        "subscriptions"
    }

    fn operations(&self) -> &'static [(Api, &'static str)] {
        &[
            (Api::Gateway, "subscriptionCreate"),
            (Api::Gateway, "subscriptionQuery"),
            (Api::Gateway, "subscriptionCancel"),
        ]
    }

    fn answer(&self, cx: Ctx<'_>, op: &OpSpec, body: &Value) -> Reply {
        match op.operation.as_str() {
            "subscriptionCreate" => self.create(cx, body),
            "subscriptionQuery" => self.query(cx, body),
            _ => self.cancel(cx, body),
        }
    }

    fn control(&self, cx: Ctx<'_>, action: &str, id: &str, _body: &Value) -> Option<ControlResult> {
        if !self.control_actions().contains(&action) {
            return None;
        }
        let mut conflict = None;
        let found = self.with(cx.env, Some(id), None, |s| {
            let from_inactive = |s: &mut Subscription, to| {
                if s.status == SubscriptionStatus::Inactive {
                    Ok(s.activate(to, cx.now))
                } else {
                    Err(format!(
                        "subscription {id} is {}, not INACTIVE",
                        s.status.name()
                    ))
                }
            };
            let r = match action {
                "activate" => from_inactive(s, SubscriptionStatus::Active),
                "fail-activation" => from_inactive(s, SubscriptionStatus::ActiveFailed),
                "expire" => from_inactive(s, SubscriptionStatus::Expired),
                "decline-next" if s.status == SubscriptionStatus::Active => {
                    s.decline_next = true;
                    Ok(Vec::new())
                }
                "decline-next" => Err(format!(
                    "subscription {id} is {}, not ACTIVE",
                    s.status.name()
                )),
                _ => Ok(s.catch_up(cx.now)),
            };
            r.unwrap_or_else(|e| {
                conflict = Some(e);
                Vec::new()
            })
        });
        let Some(sub) = found else {
            return Some(Err(ControlError::NotFound(format!(
                "no subscription with subscriptionNo {id}"
            ))));
        };
        if let Some(msg) = conflict {
            return Some(Err(ControlError::Conflict(msg)));
        }
        let debits: Vec<String> = sub
            .debits
            .iter()
            .map(|d| format!("{}:{}", d.index, d.status.name()))
            .collect();
        Some(Ok(Members::default()
            .str("id", &sub.subscription_no)
            .str("status", sub.status.name())
            .raw(
                "debits",
                format!(
                    "[{}]",
                    debits
                        .iter()
                        .map(|d| json_string(d))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            )
            .to_json()))
    }

    fn control_actions(&self) -> &'static [&'static str] {
        &[
            "activate",
            "fail-activation",
            "expire",
            "decline-next",
            "tick",
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_642_402_883_737; // 2022-01-17T07:01:23.737Z

    fn sub(request_id: &str) -> Subscription {
        Subscription {
            request_id: request_id.into(),
            subscription_no: "SUB1".into(),
            user_id: "u1".into(),
            callback_url: "http://127.0.0.1:1/n".into(),
            origin: Origin::default(),
            total_periods: 3,
            period: Period {
                unit: 'M',
                count: 1,
            },
            amount: "9.90".into(),
            currency: "USD".into(),
            trial_periods: 0,
            trial_days: None,
            trial_amount: None,
            status: SubscriptionStatus::Inactive,
            created_millis: NOW,
            activated_millis: None,
            debits: Vec::new(),
            queries: 0,
            decline_next: false,
            version: 0,
        }
    }

    fn day(y: i64, m: i64, d: i64) -> i64 {
        days_from_civil(y, m, d) * DAY
    }

    #[test]
    fn calendar_months_clamp_the_day() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(add_months(day(2024, 1, 31), 1), Some(day(2024, 2, 29)));
        assert_eq!(add_months(day(2023, 1, 31), 1), Some(day(2023, 2, 28)));
        assert_eq!(
            add_months(day(2023, 12, 15) + 5, 1),
            Some(day(2024, 1, 15) + 5)
        );
        assert_eq!(add_months(day(2023, 3, 31), 12), Some(day(2024, 3, 31)));
        let m = Period {
            unit: 'M',
            count: 1,
        };
        assert_eq!(m.after(day(2024, 12, 31), 2), Some(day(2025, 2, 28)));
        let y = Period {
            unit: 'Y',
            count: 1,
        };
        assert_eq!(y.after(day(2024, 2, 29), 1), Some(day(2025, 2, 28)));
        let w = Period {
            unit: 'W',
            count: 2,
        };
        assert_eq!(w.after(NOW, 1), Some(NOW + 14 * DAY));
        // Past the year 9999, or beyond any integer: no date, no panic.
        let huge = Period {
            unit: 'D',
            count: u32::MAX,
        };
        assert_eq!(huge.after(NOW, u32::MAX), None);
        assert_eq!(
            Period {
                unit: 'Y',
                count: u32::MAX
            }
            .after(NOW, u32::MAX),
            None
        );
        assert_eq!(
            Period {
                unit: 'M',
                count: 1
            }
            .after(NOW, 96_000),
            None
        );
        assert!(
            Period {
                unit: 'M',
                count: 1
            }
            .after(NOW, 12 * 7000)
            .is_some()
        );
    }

    #[test]
    fn a_debit_per_period_then_finish() {
        let mut s = sub("S-1");
        assert_eq!(
            s.activate(SubscriptionStatus::Active, NOW),
            [Notice::Status, Notice::Debit(0)]
        );
        assert!(s.catch_up(NOW + DAY).is_empty());
        let feb = s.start(1).unwrap();
        assert_eq!(format_rfc3339_millis(feb), "2022-02-17T07:01:23.737Z");
        // Two months at once: both debits, in order, at their due times.
        let mar = s.start(2).unwrap();
        assert_eq!(s.catch_up(mar), [Notice::Debit(1), Notice::Debit(2)]);
        assert_eq!(s.debits[2].start_millis, mar);
        assert_eq!(s.status, SubscriptionStatus::Active);
        assert_eq!(s.catch_up(s.start(3).unwrap()), [Notice::Status]);
        assert_eq!(s.status, SubscriptionStatus::Finish);
        assert!(s.debits.iter().all(|d| d.status == DebitStatus::Success));
    }

    #[test]
    fn a_declined_debit_terminates_at_the_period_end() {
        let mut s = sub("DECLINE-1");
        s.activate(SubscriptionStatus::Active, NOW);
        assert_eq!(
            s.debits[0].status,
            DebitStatus::Success,
            "the first payment is made"
        );
        let feb = s.start(1).unwrap();
        assert_eq!(s.catch_up(feb), [Notice::Debit(1)]);
        assert_eq!(
            (s.debits[1].status, s.debits[1].last_attempt),
            (DebitStatus::Pending, DebitStatus::Failed)
        );
        assert_eq!(
            s.catch_up(s.start(2).unwrap()),
            [Notice::Debit(1), Notice::Status]
        );
        assert_eq!(s.status, SubscriptionStatus::Terminate);
        assert_eq!(s.debits[1].status, DebitStatus::Failed);
    }

    #[test]
    fn trials_cost_their_amount() {
        let mut s = sub("S-1");
        s.trial_days = Some(7);
        s.trial_amount = Some("0".into());
        s.activate(SubscriptionStatus::Active, NOW);
        assert_eq!(s.start(1), Some(NOW + 7 * DAY));
        s.catch_up(s.start(1).unwrap());
        assert_eq!(
            (s.debits[0].amount.as_str(), s.debits[1].amount.as_str()),
            ("0", "9.90")
        );
        assert_eq!(s.periods(), 4);

        let mut s = sub("S-2");
        s.trial_periods = 2;
        s.trial_amount = Some("1.00".into());
        s.activate(SubscriptionStatus::Active, NOW);
        s.catch_up(s.start(2).unwrap());
        let amounts: Vec<&str> = s.debits.iter().map(|d| d.amount.as_str()).collect();
        assert_eq!(amounts, ["1.00", "1.00", "9.90"]);
    }

    /// Both notifications satisfy the inbound specs they claim to.
    #[test]
    fn notifications_satisfy_their_specs() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let mut s = sub("DECLINE-1");
        s.activate(SubscriptionStatus::Active, NOW);
        s.catch_up(s.start(1).unwrap());
        for notice in [Notice::Status, Notice::Debit(0), Notice::Debit(1)] {
            let (kind, body) = s.notification(notice, NOW);
            let spec = routes.inbound(kind).unwrap();
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                crate::schema::validate(&spec.request_schema, &body),
                vec![],
                "{kind}"
            );
        }
        let (_, body) = s.notification(Notice::Debit(0), NOW);
        assert!(
            body.contains(r#""payAmount":{"amount":9.90,"currency":"USD"}"#),
            "{body}"
        );
    }
}
