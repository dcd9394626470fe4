//! The client's timer: what per-attempt timeouts, retry waits and deadlines
//! run on. Tokio's is the default (feature `tokio`); any executor's can be
//! plugged in with [`ClientBuilder::timer`](crate::ClientBuilder::timer).

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::{Duration, Instant};

/// A boxed sleep: completes once its duration has passed.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of sleeps and of the current instant for the client.
///
/// The client needs one when a [request
/// timeout](crate::ClientBuilder::request_timeout) or a [retry
/// policy](crate::ClientBuilder::retry) is set. With feature `tokio` (on by
/// default, implied by `hyper`) it is [`TokioTimer`] unless another is
/// given; without it, [`build`](crate::ClientBuilder::build) refuses a
/// client that has a timeout or retries but no timer
/// ([`BuildError::Missing`](crate::BuildError::Missing) with
/// [`Setting::Timer`](crate::Setting::Timer)): the 30 s default timeout is
/// never dropped silently.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::task::{Poll, Waker};
/// use std::time::Duration;
/// use payermax_http::{Sleep, Timer};
///
/// /// A timer for an executor without one: a thread per sleep.
/// struct ThreadTimer;
///
/// impl Timer for ThreadTimer {
///     fn sleep(&self, duration: Duration) -> Sleep {
///         let state = Arc::new(Mutex::new((false, None::<Waker>)));
///         let fired = state.clone();
///         std::thread::spawn(move || {
///             std::thread::sleep(duration);
///             let mut s = fired.lock().unwrap();
///             s.0 = true;
///             if let Some(w) = s.1.take() {
///                 w.wake();
///             }
///         });
///         Box::pin(std::future::poll_fn(move |cx| {
///             let mut s = state.lock().unwrap();
///             if s.0 {
///                 return Poll::Ready(());
///             }
///             s.1 = Some(cx.waker().clone());
///             Poll::Pending
///         }))
///     }
/// }
/// # let _ = ThreadTimer.now();
/// ```
pub trait Timer: Send + Sync + 'static {
    /// A future completing after `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;

    /// The current instant, from which deadlines are measured (the system's
    /// monotonic clock by default; [`TokioTimer`] follows Tokio's clock, so
    /// paused time works in tests).
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// Tokio's timer (`tokio::time`), the default with feature `tokio`. Needs a
/// Tokio runtime with time enabled when the client runs.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioTimer;

#[cfg(feature = "tokio")]
impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// The default timer: [`TokioTimer`] with feature `tokio`, none without.
pub(crate) fn default_timer() -> Option<std::sync::Arc<dyn Timer>> {
    #[cfg(feature = "tokio")]
    {
        Some(std::sync::Arc::new(TokioTimer))
    }
    #[cfg(not(feature = "tokio"))]
    {
        None
    }
}

/// Runs `fut` until it completes (`Some`) or `sleep` does first (`None`).
/// The future is polled first, as `tokio::time::timeout` does.
pub(crate) async fn race<T>(fut: impl Future<Output = T>, mut sleep: Sleep) -> Option<T> {
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}
