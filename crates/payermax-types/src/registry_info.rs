//! What the generated registry ([`crate::registry`]) says about each
//! spec: [`OperationInfo`], and the visitor traits its `visit_*`
//! functions call once per descriptor compiled in.

use crate::operation::{ApiGeneration, Notification, Operation, Redirect, SyncCallback};

/// The group of operations a spec belongs to; each is a cargo feature of
/// this crate (named by [`Domain::feature`]) that compiles its modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Domain {
    /// Collections: checkout, card and APM payments, queries, closing.
    Payments,
    /// Refunds of collections.
    Refunds,
    /// Disbursements to payees.
    Payouts,
    /// Recurring payment plans.
    Subscriptions,
    /// Stored payment tokens.
    Tokens,
    /// Chargebacks, disputes and RFI material.
    Disputes,
    /// Merchant balances.
    Balance,
    /// Currency exchange.
    Exchange,
    /// Risk control.
    Risk,
    /// The legacy v2.1 API.
    Legacy,
}

impl Domain {
    /// Every domain, in feature order.
    pub const ALL: &'static [Domain] = &[
        Domain::Payments,
        Domain::Refunds,
        Domain::Payouts,
        Domain::Subscriptions,
        Domain::Tokens,
        Domain::Disputes,
        Domain::Balance,
        Domain::Exchange,
        Domain::Risk,
        Domain::Legacy,
    ];

    /// The cargo feature (and spec `domain`) naming it: `payments`, ...
    pub const fn feature(self) -> &'static str {
        match self {
            Domain::Payments => "payments",
            Domain::Refunds => "refunds",
            Domain::Payouts => "payouts",
            Domain::Subscriptions => "subscriptions",
            Domain::Tokens => "tokens",
            Domain::Disputes => "disputes",
            Domain::Balance => "balance",
            Domain::Exchange => "exchange",
            Domain::Risk => "risk",
            Domain::Legacy => "legacy",
        }
    }

    /// Whether this crate was built with the domain's feature, i.e. its
    /// modules and descriptors are compiled in.
    pub const fn is_enabled(self) -> bool {
        match self {
            Domain::Payments => cfg!(feature = "payments"),
            Domain::Refunds => cfg!(feature = "refunds"),
            Domain::Payouts => cfg!(feature = "payouts"),
            Domain::Subscriptions => cfg!(feature = "subscriptions"),
            Domain::Tokens => cfg!(feature = "tokens"),
            Domain::Disputes => cfg!(feature = "disputes"),
            Domain::Balance => cfg!(feature = "balance"),
            Domain::Exchange => cfg!(feature = "exchange"),
            Domain::Risk => cfg!(feature = "risk"),
            Domain::Legacy => cfg!(feature = "legacy"),
        }
    }
}

/// Who sends the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// The merchant calls PayerMax.
    Outbound,
    /// PayerMax calls the merchant (or sends the payer's browser there).
    Inbound,
}

/// What kind of descriptor a spec generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// An outbound call: implements [`Operation`].
    Operation,
    /// PayerMax POSTs, the merchant acknowledges: implements [`Notification`].
    Notification,
    /// PayerMax POSTs and reads a typed answer: implements [`SyncCallback`].
    SyncCallback,
    /// A browser return: implements [`Redirect`].
    Redirect,
}

/// One spec of `spec/`, as the generated registry lists it (every spec,
/// whatever the features).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The spec id, also the module name (`refund_query`).
    pub id: &'static str,
    /// PayerMax's name: the last path segment, the `bizType`, or the spec
    /// id for inbound specs. Several specs may share it (documentation
    /// variants of one endpoint).
    pub name: &'static str,
    /// The doc page's title.
    pub title: &'static str,
    /// The domain, which is also the feature compiling the module.
    pub domain: Domain,
    /// The cargo feature compiling the module (`domain.feature()`).
    pub feature: &'static str,
    /// Who sends the request.
    pub direction: Direction,
    /// The descriptor's kind.
    pub kind: Kind,
    /// The API generation.
    pub api: ApiGeneration,
    /// The request path (outbound only).
    pub path: Option<&'static str>,
    /// The documentation variant (`hosted-checkout`), when the endpoint
    /// has several.
    pub variant: Option<&'static str>,
    /// The module path (`payermax_types::refund_query`).
    pub module: &'static str,
    /// The descriptor type's name inside the module (`RefundQuery`).
    pub descriptor: &'static str,
}

impl OperationInfo {
    /// Whether this crate was built with the feature compiling the module.
    pub const fn is_enabled(&self) -> bool {
        self.domain.is_enabled()
    }

    /// The entry of the spec `id`.
    pub fn find(id: &str) -> Option<&'static OperationInfo> {
        crate::registry::OPERATIONS
            .iter()
            .find(|info| info.id == id)
    }
}

/// Called by [`visit_operations`](crate::registry::visit_operations) once
/// per outbound operation compiled in.
pub trait OperationVisitor {
    /// One operation, with its registry entry.
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo);
}

/// Called by [`visit_notifications`](crate::registry::visit_notifications)
/// once per notification compiled in.
pub trait NotificationVisitor {
    /// One notification, with its registry entry.
    fn visit<N: Notification>(&mut self, info: &'static OperationInfo);
}

/// Called by [`visit_sync_callbacks`](crate::registry::visit_sync_callbacks)
/// once per synchronous callback compiled in.
pub trait SyncCallbackVisitor {
    /// One callback, with its registry entry.
    fn visit<C: SyncCallback>(&mut self, info: &'static OperationInfo);
}

/// Called by [`visit_redirects`](crate::registry::visit_redirects) once per
/// redirect compiled in.
pub trait RedirectVisitor {
    /// One redirect, with its registry entry.
    fn visit<R: Redirect>(&mut self, info: &'static OperationInfo);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{OPERATIONS, visit_notifications, visit_operations};

    struct Seen(Vec<&'static str>);

    impl OperationVisitor for Seen {
        fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
            assert_eq!(info.kind, Kind::Operation);
            assert_eq!(info.name, O::NAME);
            assert_eq!(info.path, Some(O::PATH));
            assert_eq!(info.api, O::API);
            self.0.push(info.id);
        }
    }

    impl NotificationVisitor for Seen {
        fn visit<N: Notification>(&mut self, info: &'static OperationInfo) {
            assert_eq!(info.kind, Kind::Notification);
            assert_eq!(info.name, N::NAME);
            self.0.push(info.id);
        }
    }

    /// Whatever the features: the visitors see exactly the enabled entries.
    #[test]
    fn visitors_see_the_enabled_entries() {
        let mut seen = Seen(Vec::new());
        visit_operations(&mut seen);
        visit_notifications(&mut seen);
        let of = |kind: Kind| {
            OPERATIONS
                .iter()
                .filter(move |i| i.is_enabled() && i.kind == kind)
                .map(|i| i.id)
        };
        let expected: Vec<&str> = of(Kind::Operation).chain(of(Kind::Notification)).collect();
        assert_eq!(seen.0, expected);
        for info in OPERATIONS {
            assert_eq!(info.feature, info.domain.feature());
            assert_eq!(info.module, format!("payermax_types::{}", info.id));
        }
        assert_eq!(Domain::ALL.len(), 10);
    }
}
