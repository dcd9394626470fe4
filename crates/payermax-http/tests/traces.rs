//! Tracing: spans per call and attempt, and nothing secret in them. Its own
//! test binary with a global subscriber, since tracing's per-callsite interest
//! cache makes scoped subscribers racy when tests run in parallel.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use payermax_http::RetryPolicy;
use payermax_http::test_util::{CannedReply, ReplayingTransport};
use payermax_test_keys::test_keys;
use serde_json::json;

fn retry_policy() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(100))
        .jitter(false)
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn traces_record_calls_but_never_secrets() {
    let out = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(out.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let t = ReplayingTransport::signed_with(test_keys().payermax_private.clone());
    t.push(CannedReply::gateway("SYSTEM_ERROR", "busy", None));
    t.push_gateway_success(json!({"outRefundNo": "R-1", "status": "REFUND_PENDING"}));
    t.push(CannedReply::gateway("ORDER_NOT_EXIST", "none", None));
    tracing::subscriber::set_global_default(subscriber).unwrap();
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let client = builder()
                .transport(t.clone())
                .retry(retry_policy())
                .danger_accept_unsigned_replies()
                .build()
                .unwrap();
            client.call::<Query>(&query("R-1")).await.unwrap();
            client.call::<Query>(&query("R-2")).await.unwrap_err();
        });
    }
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("payermax.call"), "{text}");
    assert!(text.contains("operation=\"refundQuery\""), "{text}");
    assert!(text.contains("payermax.attempt"), "{text}");
    assert!(text.contains("attempt=2"), "{text}");
    assert!(text.contains("attempts=2"), "{text}");
    assert!(text.contains("code=\"APPLY_SUCCESS\""), "{text}");
    assert!(text.contains("code=\"ORDER_NOT_EXIST\""), "{text}");
    assert!(text.contains("outcome=\"refused\""), "{text}");
    assert!(text.contains("duration_ms="), "{text}");
    assert!(text.contains("danger_accept_unsigned_replies") || text.contains("unsigned"));
    for r in t.requests() {
        assert!(!text.contains(r.sign().unwrap()), "signature leaked");
        assert!(!text.contains("outRefundNo"), "body leaked");
    }
    for line in payermax_test_keys::private_key_lines() {
        assert!(!text.contains(line), "key material in traces");
    }
}
