//! Opt-in retries with capped exponential backoff, jitter and a deadline.

use std::time::Duration;

/// When and how often to try a call again. Off unless given to
/// [`crate::ClientBuilder::retry`].
///
/// For a **read** (`Operation::RETRY` is `RetryClass::Read`), errors for
/// which [`crate::Error::is_retryable`] is true are retried: transport
/// failures, timeouts, HTTP 5xx and 429, and the refusals `SYSTEM_ERROR` and
/// `TOO_MANY_REQUEST`. A **write** is retried only after a failure proving
/// nothing was processed (no connection or TLS handshake, a signed
/// `TOO_MANY_REQUEST`); any other failure of a write is
/// [`crate::Error::Ambiguous`], never re-sent, whatever this policy says.
/// Every attempt sends the same payload with a fresh `requestTime` and
/// signature. A `Retry-After` of a number of seconds on a 429 or 503 makes
/// the wait at least that long; a retry that would start past the deadline
/// is not made.
///
/// The wait before retry `n` (1-based) is `min(max_backoff, initial_backoff × 2^(n-1))`,
/// with jitter drawn uniformly from its upper half. No attempt starts, and
/// none runs, past `deadline` measured from the start of the call.
///
/// ```
/// use std::time::Duration;
/// use payermax_http::RetryPolicy;
///
/// let policy = RetryPolicy::new()
///     .max_attempts(4)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2))
///     .deadline(Duration::from_secs(20));
/// assert_eq!(policy.get_max_attempts(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new()
    }
}

impl RetryPolicy {
    /// Three attempts in all, backoff from 200 ms capped at 5 s, jitter on,
    /// overall deadline 30 s.
    pub fn new() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
            jitter: true,
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The wait before the first retry.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest wait between attempts.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The overall time budget of a call, all attempts and waits included.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// Whether to randomise waits (on by default; turn off for exact waits).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Attempts in all.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The overall deadline.
    pub fn get_deadline(&self) -> Duration {
        self.deadline
    }

    /// The wait before retry number `retry` (1 for the first retry), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The wait before retry number `retry`, jitter applied.
    pub(crate) fn wait(&self, retry: u32) -> Duration {
        let base = self.backoff(retry);
        if !self.jitter || base.is_zero() {
            return base;
        }
        let half = base / 2;
        let span = (base - half).as_nanos() as u64;
        half + Duration::from_nanos(random_u64() % span.max(1))
    }
}

fn random_u64() -> u64 {
    use rand_core::RngCore;
    rand_core::OsRng.next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(700));
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(400));
        assert_eq!(p.backoff(4), Duration::from_millis(700));
        assert_eq!(p.backoff(60), Duration::from_millis(700));
        assert_eq!(p.backoff(u32::MAX), Duration::from_millis(700));
    }

    #[test]
    fn jitter_stays_in_upper_half() {
        let p = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        for retry in 1..6 {
            let base = p.backoff(retry);
            for _ in 0..50 {
                let w = p.wait(retry);
                assert!(w >= base / 2 && w <= base, "{w:?} vs {base:?}");
            }
        }
        assert_eq!(p.clone().jitter(false).wait(2), Duration::from_millis(200));
        assert_eq!(RetryPolicy::new().max_attempts(0).get_max_attempts(), 1);
    }
}
