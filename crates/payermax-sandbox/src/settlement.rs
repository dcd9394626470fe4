//! The deterministic rule every journey settles its pending objects by.

use std::time::Duration;

/// An order or refund identifier starting with this settles as failed.
pub const FAIL_PREFIX: &str = "FAIL";
/// An identifier starting with this stays pending forever.
pub const PENDING_PREFIX: &str = "PENDING";

/// When a pending object settles. Whichever comes first: the query after
/// its first `pending_queries` queries, or `settle_after` since it was
/// created. Then it fails if its identifier (refunds: the `orderId` /
/// `outTradeNo` of the order refunded) starts with [`FAIL_PREFIX`], else it
/// succeeds; one starting with [`PENDING_PREFIX`] never settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settlement {
    /// How many queries answer pending before the object settles
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

/// How a pending object with this identifier settles: `None` never,
/// `Some(false)` failed, `Some(true)` succeeded.
pub(crate) fn outcome(id: &str) -> Option<bool> {
    if id.starts_with(PENDING_PREFIX) {
        None
    } else {
        Some(!id.starts_with(FAIL_PREFIX))
    }
}
