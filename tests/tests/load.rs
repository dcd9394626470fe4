//! A bounded load test on loopback: many concurrent calls through one client
//! (the real hyper transport) against the sandbox, in rounds.
//!
//! * zero errors;
//! * no file-descriptor growth: `/proc/self/fd` counted after each round may
//!   exceed the count after the warm-up round by at most [`FD_SLACK`]
//!   (the sandbox runs in this process too, so both ends of every pooled
//!   connection are counted);
//! * memory flat: RSS (`/proc/self/statm`) after each round may exceed the
//!   RSS after the warm-up round by at most [`RSS_SLACK`].
//!
//! Where `/proc` cannot be read, the test fails naming the path: a check
//! that cannot measure never passes (`measurements_fail_without_proc`).
//!
//! Sizes: [`ROUNDS`] rounds of [`CALLS`] calls with [`IN_FLIGHT`] in flight.
//! Every call is signed by the client, verified and signed by the sandbox and
//! verified again; in a debug build that RSA work bounds the size.
//! `PAYERMAX_LOAD_CALLS` overrides the calls per round (e.g. 2000 in release).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use common::{builder, open_fds, open_fds_in, refund, rss_bytes, rss_bytes_in, sandbox};
use payermax_types::legacy_refund_apply::LegacyRefundApply;
use payermax_types::refund_query::{
    RefundQuery, RefundQueryRequest, RefundQueryRequestRequired, RefundRef,
};

const ROUNDS: usize = 8;
const CALLS: usize = 200;
const IN_FLIGHT: usize = 64;
/// Descriptors allowed above the warm-up count.
const FD_SLACK: usize = 8;
/// Resident memory allowed above the warm-up RSS.
const RSS_SLACK: u64 = 8 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_leak_nothing() {
    let calls: usize = std::env::var("PAYERMAX_LOAD_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CALLS);
    let sb = sandbox(vec![]).await;
    let client = builder(sb.base_url()).build().expect("client");
    client
        .call::<LegacyRefundApply>(&refund("R-LOAD"))
        .await
        .expect("refund applied");
    let query = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("R-LOAD".into()),
    });

    let mut baseline: Option<(usize, u64)> = None;
    let mut report = Vec::new();
    let started = Instant::now();
    for round in 0..ROUNDS {
        let t = Instant::now();
        let next = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(AtomicUsize::new(0));
        let mut workers = Vec::new();
        for _ in 0..IN_FLIGHT {
            let client = client.clone();
            let query = query.clone();
            let next = next.clone();
            let errors = errors.clone();
            workers.push(tokio::spawn(async move {
                while next.fetch_add(1, Ordering::SeqCst) < calls {
                    match client.call::<RefundQuery>(&query).await {
                        Ok(r) => assert_eq!(
                            r.data.and_then(|d| d.out_refund_no).as_deref(),
                            Some("R-LOAD")
                        ),
                        Err(e) => {
                            eprintln!("call failed: {e}");
                            errors.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            }));
        }
        for w in workers {
            w.await.expect("worker");
        }
        let fds = open_fds().unwrap_or_else(|e| panic!("{e}"));
        let rss = rss_bytes().unwrap_or_else(|e| panic!("{e}"));
        let line = format!(
            "round {round}: {calls} calls, {IN_FLIGHT} in flight, {:?}, fds {fds}, rss {:.1} MiB",
            t.elapsed(),
            rss as f64 / 1048576.0
        );
        eprintln!("{line}");
        report.push(line);
        assert_eq!(errors.load(Ordering::SeqCst), 0, "round {round} had errors");
        match baseline {
            None => baseline = Some((fds, rss)),
            Some((fd0, rss0)) => {
                assert!(
                    fds <= fd0 + FD_SLACK,
                    "descriptors grew: {fd0} after warm-up, {fds} after round {round}\n{}",
                    report.join("\n")
                );
                assert!(
                    rss <= rss0 + RSS_SLACK,
                    "memory grew: {rss0} after warm-up, {rss} after round {round}\n{}",
                    report.join("\n")
                );
            }
        }
    }
    let refund = sb.refund("R-LOAD").expect("refund");
    assert_eq!(
        refund.queries as usize,
        ROUNDS * calls,
        "every query arrived"
    );
    assert_eq!(sb.refunds().len(), 1);
    eprintln!("{} calls in {:?}", ROUNDS * calls + 1, started.elapsed());
    sb.shutdown().await;
}

/// The measurements the load test relies on fail where they cannot measure
/// (before, a missing `/proc` counted as 0 descriptors and 0 bytes, and the
/// growth checks passed without measuring anything).
#[test]
fn measurements_fail_without_proc() {
    let missing = std::path::Path::new("/nonexistent-proc/self");
    let e = open_fds_in(missing).unwrap_err();
    assert!(e.contains("/nonexistent-proc/self/fd"), "{e}");
    let e = rss_bytes_in(missing).unwrap_err();
    assert!(e.contains("/nonexistent-proc/self/statm"), "{e}");

    // Readable but empty: still no measurement.
    let dir = std::env::temp_dir().join(format!("payermax-load-proc-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("fd")).unwrap();
    std::fs::write(dir.join("statm"), "0 0 0 0 0 0 0\n").unwrap();
    let fds = open_fds_in(&dir);
    let rss = rss_bytes_in(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(fds.unwrap_err().contains("lists none"));
    assert!(rss.unwrap_err().contains("no resident page count"));

    // Where /proc exists (Linux), the real figures are plausible.
    if std::path::Path::new("/proc/self/statm").exists() {
        assert!(open_fds().unwrap() >= 3);
        assert!(rss_bytes().unwrap() > 1024 * 1024);
    }
}
