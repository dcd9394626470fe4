//! Shared set-up of the hardening tests: a sandbox on loopback with the fixed
//! test keys, and a client on the real hyper transport pointed at it.
#![allow(dead_code)] // each test binary uses a part

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use payermax_http::{Client, ClientBuilder, Environment, RetryPolicy};
use payermax_sandbox::{FaultRule, Sandbox, SandboxHandle};
use payermax_test_keys::test_keys;
use payermax_types::Amount;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const MERCHANT_ID: &str = "SP12345678";

/// A sandbox builder with the fixed test keys (nothing generated).
pub fn sandbox_with_test_keys() -> payermax_sandbox::SandboxBuilder {
    let keys = test_keys();
    Sandbox::builder()
        .merchant_public_key(keys.merchant_public.clone())
        .platform_private_key(keys.payermax_private.clone())
}

/// A sandbox with the fixed test keys (nothing generated), signed refusals, the given fault
/// rules in force from the start, and refunds that settle only on query.
pub async fn sandbox(faults: Vec<FaultRule>) -> SandboxHandle {
    let keys = test_keys();
    // Signed refusals (PayerMax leaves them unsigned, the sandbox's
    // default), so that these tests see typed, verified refusals.
    let mut b = Sandbox::builder()
        .sign_refusals(true)
        .merchant_public_key(keys.merchant_public.clone())
        .platform_private_key(keys.payermax_private.clone())
        .settlement(payermax_sandbox::Settlement {
            settle_after: None,
            ..Default::default()
        });
    for f in faults {
        b = b.fault(f);
    }
    b.start().await.expect("sandbox starts")
}

/// A client for `base_url` with every setting, on the default hyper transport.
pub fn builder(base_url: &str) -> ClientBuilder {
    let keys = test_keys();
    Client::builder(Environment::Custom(base_url.to_owned()))
        .app_id("app-1")
        .merchant_no("P01010113865434")
        .merchant_id(MERCHANT_ID)
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
}

/// Three attempts, short fixed waits.
pub fn retry() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20))
        .deadline(Duration::from_secs(10))
        .jitter(false)
}

pub fn refund(id: &str) -> LegacyRefundApplyRequest {
    LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
        refund_id: id.into(),
        order_id: "ORDER-1".into(),
        amount: "1000.00".parse::<Amount>().unwrap(),
        currency: "INR".into(),
    })
}

/// A raw HTTP/1.1 server on loopback that reads each request whole and lets
/// `answer` write whatever it likes on the socket (or reset it). Counts
/// requests. Serves at most `limit` connections, then stops.
pub struct RawServer {
    pub base_url: String,
    pub requests: Arc<AtomicUsize>,
}

pub async fn raw_server<F, Fut>(limit: usize, answer: F) -> RawServer
where
    F: Fn(TcpStream, Vec<u8>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    tokio::spawn(async move {
        for _ in 0..limit {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let Some(body) = read_request(&mut stream).await else {
                continue;
            };
            count.fetch_add(1, Ordering::SeqCst);
            answer(stream, body).await;
        }
    });
    RawServer {
        base_url: format!("http://{addr}"),
        requests,
    }
}

/// Reads one request's head and body (by Content-Length).
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf[end + 4..end + 4 + len].to_vec());
        }
    }
}

/// Writes a 200 reply with `body`, signed with the platform test key.
pub async fn write_signed(mut stream: TcpStream, body: &[u8]) {
    let sign = test_keys().payermax_private.sign(body).expect("signs");
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nsign: {sign}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

/// Open file descriptors of this process, counted in `/proc/self/fd`.
///
/// An error naming the path where that cannot be read (no `/proc`, say): a
/// check that cannot measure fails, it never passes on a made-up zero.
pub fn open_fds() -> Result<usize, String> {
    open_fds_in(Path::new("/proc/self"))
}

/// [`open_fds`] with `proc_self` in place of `/proc/self`.
pub fn open_fds_in(proc_self: &Path) -> Result<usize, String> {
    let dir = proc_self.join("fd");
    let n = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot count open descriptors: {}: {e}", dir.display()))?
        .count();
    // A live process has at least stdin, stdout and stderr (and the listing itself).
    if n == 0 {
        return Err(format!(
            "cannot count open descriptors: {} lists none",
            dir.display()
        ));
    }
    Ok(n)
}

/// Resident set size in bytes (`/proc/self/statm`, second field, in pages
/// of 4 KiB); an error naming the path where that cannot be read.
pub fn rss_bytes() -> Result<u64, String> {
    rss_bytes_in(Path::new("/proc/self"))
}

/// [`rss_bytes`] with `proc_self` in place of `/proc/self`.
pub fn rss_bytes_in(proc_self: &Path) -> Result<u64, String> {
    let path = proc_self.join("statm");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot measure memory: {}: {e}", path.display()))?;
    let pages = text
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|&p| p > 0)
        .ok_or_else(|| {
            format!(
                "cannot measure memory: {}: no resident page count in {text:?}",
                path.display()
            )
        })?;
    Ok(pages * 4096)
}

/// A merchant endpoint on loopback: payermax-webhook's tower
/// `WebhookService` for one endpoint behind hyper, verifying with `platform_key`
/// and handing every verified delivery to the test.
pub struct Webhook {
    /// `http://127.0.0.1:<port>/notify`: give it as the notify URL.
    pub url: String,
    /// Every delivery the service verified and acknowledged.
    pub deliveries: tokio::sync::mpsc::UnboundedReceiver<payermax_webhook::Delivery>,
}

impl Webhook {
    /// The next verified delivery (panics after 5 s without one).
    pub async fn next(&mut self) -> payermax_webhook::Delivery {
        tokio::time::timeout(Duration::from_secs(5), self.deliveries.recv())
            .await
            .expect("a notification within 5 s")
            .expect("the endpoint is running")
    }
}

/// Starts a [`Webhook`] for `endpoint` (a `Kind`, or `Endpoint::ByNotifyType`).
pub async fn webhook(
    endpoint: impl Into<payermax_webhook::Endpoint>,
    platform_key: payermax_webhook::PublicKey,
) -> Webhook {
    use http_body_util::{BodyExt, Full};
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use payermax_webhook::{Delivery, Reply, Verifier, WebhookService};
    use tower_service::Service as _;

    let (tx, deliveries) = tokio::sync::mpsc::unbounded_channel();
    let handler = move |d: Delivery| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(d);
            Ok::<_, std::convert::Infallible>(Reply::Acknowledge)
        }
    };
    let service = WebhookService::new(Verifier::new(platform_key), endpoint, handler);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let serve = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut service = service.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let bytes = body.collect().await?.to_bytes();
                        let Ok(resp) = service.call(hyper::Request::from_parts(parts, bytes)).await;
                        Ok::<_, hyper::Error>(resp.map(Full::new))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), serve)
                    .await;
            });
        }
    });
    Webhook { url, deliveries }
}

/// The sandbox of the journeys' tests: the fixed keys, signed refusals (so
/// refusals are typed), the control API on, pending objects settling on
/// the second query only, a short notification schedule.
pub fn journeys_sandbox() -> payermax_sandbox::SandboxBuilder {
    sandbox_with_test_keys()
        .sign_refusals(true)
        .control_api(true)
        .settlement(payermax_sandbox::Settlement {
            pending_queries: 1,
            settle_after: None,
        })
        .notification_schedule(vec![Duration::ZERO, Duration::from_millis(20)])
}

/// The code of a typed refusal (panics on anything else).
pub fn refused(
    r: Result<impl std::fmt::Debug, payermax_http::Error>,
) -> payermax_types::ResultCode {
    match r {
        Err(e) => e
            .refusal_code()
            .cloned()
            .unwrap_or_else(|| panic!("not a refusal: {e:?}")),
        Ok(v) => panic!("accepted: {v:?}"),
    }
}
