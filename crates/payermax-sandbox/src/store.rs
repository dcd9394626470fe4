//! Refunds kept in memory, and the deterministic settlement rule.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;

use crate::time::format_compact;

/// An `orderId` starting with this makes the refund settle as failed.
pub const FAIL_PREFIX: &str = "FAIL";
/// An `orderId` starting with this keeps the refund pending forever.
pub const PENDING_PREFIX: &str = "PENDING";

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

/// When a pending refund settles. Whichever comes first:
/// the query after its first `pending_queries` queries, or `settle_after`
/// since it was created. Then it fails if its `orderId` starts with
/// [`FAIL_PREFIX`], else it succeeds; an `orderId` starting with
/// [`PENDING_PREFIX`] never settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// How many queries answer `REFUND_PENDING` before the refund settles
    /// (default 1: the first query sees it pending, the second settled).
    pub pending_queries: u32,
    /// Settle this long after creation even without queries (default
    /// 200 ms); `None`: only queries settle it.
    pub settle_after: Option<Duration>,
}

impl Default for Settlement {
    fn default() -> Self {
        Self {
            pending_queries: 1,
            settle_after: Some(Duration::from_millis(200)),
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
    /// `callbackUrl`.
    pub callback_url: Option<String>,
}

/// A record of notification delivery for one refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The refund's `refundId`.
    pub refund_id: String,
    /// Where it was POSTed.
    pub url: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Whether the merchant acknowledged it as documented.
    pub acknowledged: bool,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// All refunds.
#[derive(Debug, Default)]
pub(crate) struct Store {
    refunds: HashMap<String, Refund>,
    by_trade_no: HashMap<String, String>,
    /// Refund ids in creation order.
    order: Vec<String>,
    seq: u64,
    pub(crate) notifications: Vec<NotificationRecord>,
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
        };
        self.by_trade_no.insert(trade_no, app.refund_id.clone());
        self.order.push(app.refund_id.clone());
        self.refunds.insert(app.refund_id, refund.clone());
        Applied::Created(refund)
    }

    /// Settles a pending refund by the rule; returns it when it changed.
    pub(crate) fn settle(&mut self, refund_id: &str, now: i64) -> Option<Refund> {
        let r = self.refunds.get_mut(refund_id)?;
        if r.status != RefundStatus::Pending || r.order_id.starts_with(PENDING_PREFIX) {
            return None;
        }
        if r.order_id.starts_with(FAIL_PREFIX) {
            r.status = RefundStatus::Failed;
            r.error_code = Some("REFUND_FAILED".to_owned());
            r.error_msg = Some(format!(
                "sandbox: orderId starts with {FAIL_PREFIX}, so the refund fails"
            ));
        } else {
            r.status = RefundStatus::Success;
        }
        r.finished_millis = Some(now);
        Some(r.clone())
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
        }
    }

    const NOW: i64 = 1_642_402_883_737;

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
