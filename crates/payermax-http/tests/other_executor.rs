//! The client off Tokio: a hand-written executor, a transport that needs no
//! runtime and a timer that is not Tokio's. Timeouts fire and retry waits run
//! on that timer; nothing touches `tokio::time` (which panics outside a Tokio
//! runtime).

mod common;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use common::{Query, builder, query};
use payermax_http::test_util::{CannedReply, ReplayingTransport};
use payermax_http::{Error, RetryPolicy, Sleep, Timer};
use payermax_test_keys::test_keys;

/// The smallest executor: polls one future on this thread, parking between
/// wake-ups.
fn block_on<F: Future>(fut: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// A timer of threads: each sleep is a thread that wakes the task. Counts
/// the sleeps it hands out.
#[derive(Clone, Default)]
struct ThreadTimer {
    sleeps: Arc<Mutex<Vec<Duration>>>,
}

impl Timer for ThreadTimer {
    fn sleep(&self, duration: Duration) -> Sleep {
        self.sleeps.lock().unwrap().push(duration);
        let state = Arc::new(Mutex::new((false, None::<Waker>)));
        let fired = state.clone();
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            let mut s = fired.lock().unwrap();
            s.0 = true;
            if let Some(w) = s.1.take() {
                w.wake();
            }
        });
        Box::pin(std::future::poll_fn(move |cx| {
            let mut s = state.lock().unwrap();
            if s.0 {
                return Poll::Ready(());
            }
            s.1 = Some(cx.waker().clone());
            Poll::Pending
        }))
    }
}

fn signed_replayer() -> ReplayingTransport {
    ReplayingTransport::signed_with(test_keys().payermax_private.clone())
}

#[test]
fn a_call_runs_on_another_executor_with_its_timer() {
    let t = signed_replayer();
    t.push_gateway_success(serde_json::json!({"outRefundNo": "R-1", "status": "REFUND_PENDING"}));
    let timer = ThreadTimer::default();
    let client = builder()
        .transport(t.clone())
        .timer(timer.clone())
        .request_timeout(Some(Duration::from_secs(5)))
        .build()
        .unwrap();
    let reply = block_on(client.call::<Query>(&query("R-1"))).unwrap();
    assert_eq!(reply.data.status, "REFUND_PENDING");
    // The attempt ran under a timeout of the custom timer.
    assert_eq!(*timer.sleeps.lock().unwrap(), [Duration::from_secs(5)]);
}

#[test]
fn a_timeout_fires_and_a_read_is_retried_on_the_custom_timer() {
    let t = signed_replayer();
    t.push_raw(CannedReply::hang());
    t.push_gateway_success(serde_json::json!({"outRefundNo": "R-1", "status": "REFUND_SUCCESS"}));
    let timer = ThreadTimer::default();
    let client = builder()
        .transport(t.clone())
        .timer(timer.clone())
        .request_timeout(Some(Duration::from_millis(50)))
        .retry(
            RetryPolicy::new()
                .jitter(false)
                .initial_backoff(Duration::from_millis(20))
                .deadline(Duration::from_secs(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let reply = block_on(client.call::<Query>(&query("R-1"))).unwrap();
    assert_eq!(reply.attempts, 2);
    assert_eq!(reply.data.status, "REFUND_SUCCESS");
    assert!(started.elapsed() >= Duration::from_millis(70));
    // First attempt's timeout, the retry wait, the second attempt's timeout.
    assert_eq!(
        *timer.sleeps.lock().unwrap(),
        [
            Duration::from_millis(50),
            Duration::from_millis(20),
            Duration::from_millis(50)
        ]
    );
}

#[test]
fn a_hanging_transport_times_out_without_tokio() {
    let t = signed_replayer();
    t.push_raw(CannedReply::hang());
    let polls = Arc::new(AtomicUsize::new(0));
    let timer = ThreadTimer::default();
    let client = builder()
        .transport(t)
        .timer(timer)
        .request_timeout(Some(Duration::from_millis(30)))
        .build()
        .unwrap();
    let call = client.call::<Query>(&query("R-1"));
    let counted = {
        let polls = polls.clone();
        let mut call = Box::pin(call);
        std::future::poll_fn(move |cx| {
            polls.fetch_add(1, Ordering::Relaxed);
            call.as_mut().poll(cx)
        })
    };
    let err = block_on(counted).unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(30)),
        "{err:?}"
    );
    // Woken by the timer, not spun: a handful of polls.
    assert!(polls.load(Ordering::Relaxed) <= 3, "{polls:?}");
}
