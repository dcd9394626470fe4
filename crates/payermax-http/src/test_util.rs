//! Transports and keys for tests (feature `test-util`): no network needed.
//!
//! * [`CapturingTransport`] records every request and answers from a closure.
//! * [`ReplayingTransport`] answers with canned replies in order, signing each
//!   with the key it was given (PayerMax's side of a key pair), and records
//!   requests too.
//! * [`CannedReply`] describes one answer: a body with status and headers, a
//!   transport failure, or no answer at all (to test timeouts).
//!
//! No keys ship with this crate: generate a pair per test run
//! (`PrivateKey::generate`), or load your own test keys.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use payermax_sign::{PrivateKey, SIGN_HEADER};
use tower_service::Service;

use crate::error::BoxError;
use crate::transport::RequestBody;

/// A request as the transport received it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CapturedRequest {
    /// The HTTP method.
    pub method: http::Method,
    /// The full URI.
    pub uri: http::Uri,
    /// The headers (the `sign` header is marked sensitive).
    pub headers: http::HeaderMap,
    /// The exact body bytes.
    pub body: Bytes,
}

impl CapturedRequest {
    /// A header's value as text, if present and ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `sign` header's value.
    pub fn sign(&self) -> Option<&str> {
        self.header(SIGN_HEADER)
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
    }
}

#[derive(Clone, Debug)]
enum Canned {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Bytes,
    },
    Fail(String),
    Hang,
    NotSent(String),
}

/// One canned answer.
#[derive(Clone, Debug)]
pub struct CannedReply(Canned);

impl CannedReply {
    /// An answer with this status and body, `Content-Type: application/json`, unsigned.
    pub fn json(status: u16, body: impl Into<Bytes>) -> Self {
        CannedReply(Canned::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        })
    }

    /// Adds a `sign` header: `key`'s signature over the body.
    pub fn signed(self, key: &PrivateKey) -> Self {
        match &self.0 {
            Canned::Respond { body, .. } => {
                let sig = key.sign(body).expect("signing a canned reply");
                self.header(SIGN_HEADER, sig)
            }
            _ => self,
        }
    }

    /// Adds a header (no effect on failures and hangs).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Canned::Respond { headers, .. } = &mut self.0 {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// The transport fails with this message.
    pub fn transport_error(message: impl Into<String>) -> Self {
        CannedReply(Canned::Fail(message.into()))
    }

    /// The transport fails with this message wrapped in [`crate::NotSent`]:
    /// it declares that nothing was sent (a refused connection, say).
    pub fn not_sent(message: impl Into<String>) -> Self {
        CannedReply(Canned::NotSent(message.into()))
    }

    /// The transport never answers (pair with a timeout and Tokio's paused time).
    pub fn hang() -> Self {
        CannedReply(Canned::Hang)
    }

    /// An unsigned gateway envelope `{"code","msg","data"}` with HTTP 200.
    pub fn gateway(code: &str, msg: &str, data: Option<serde_json::Value>) -> Self {
        let mut v = serde_json::json!({ "code": code, "msg": msg });
        if let Some(d) = data {
            v["data"] = d;
        }
        CannedReply::json(200, v.to_string())
    }

    /// An unsigned legacy envelope `{"bizCode","message","data"}` with HTTP 200.
    pub fn legacy(biz_code: &str, message: &str, data: Option<serde_json::Value>) -> Self {
        let mut v = serde_json::json!({ "bizCode": biz_code, "message": message });
        if let Some(d) = data {
            v["data"] = d;
        }
        CannedReply::json(200, v.to_string())
    }

    fn into_future(self) -> ReplyFuture {
        Box::pin(async move {
            match self.0 {
                Canned::Respond {
                    status,
                    headers,
                    body,
                } => {
                    let mut b = http::Response::builder().status(status);
                    for (k, v) in headers {
                        b = b.header(k, v);
                    }
                    Ok(b.body(Full::new(body))?)
                }
                Canned::Fail(msg) => Err(BoxError::from(msg)),
                Canned::NotSent(msg) => {
                    Err(Box::new(crate::NotSent(BoxError::from(msg))) as BoxError)
                }
                Canned::Hang => std::future::pending().await,
            }
        })
    }
}

type ReplyFuture =
    Pin<Box<dyn Future<Output = Result<http::Response<Full<Bytes>>, BoxError>> + Send>>;

async fn capture(req: http::Request<RequestBody>) -> CapturedRequest {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(never) => match never {},
    };
    CapturedRequest {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    }
}

type Responder = dyn Fn(&CapturedRequest) -> CannedReply + Send + Sync;

/// Records every request and answers from a closure.
///
/// ```
/// use payermax_http::test_util::{CannedReply, CapturingTransport};
/// let t = CapturingTransport::new(|_req| CannedReply::gateway("SYSTEM_ERROR", "busy", None));
/// assert!(t.requests().is_empty());
/// ```
#[derive(Clone)]
pub struct CapturingTransport {
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    respond: Arc<Responder>,
}

impl std::fmt::Debug for CapturingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapturingTransport")
            .field("requests", &lock(&self.requests).len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CapturingTransport {
    /// Answers each request with `respond(&request)`.
    pub fn new(respond: impl Fn(&CapturedRequest) -> CannedReply + Send + Sync + 'static) -> Self {
        CapturingTransport {
            requests: Arc::default(),
            respond: Arc::new(respond),
        }
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        lock(&self.requests).clone()
    }
}

impl Service<http::Request<RequestBody>> for CapturingTransport {
    type Response = http::Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = ReplyFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let captured = capture(req).await;
            let reply = (this.respond)(&captured);
            lock(&this.requests).push(captured);
            reply.into_future().await
        })
    }
}

/// Answers with canned replies in order, signing each reply queued with
/// [`push`](Self::push) with the key it was given; records requests. When no
/// reply is left, the transport fails.
#[derive(Clone)]
pub struct ReplayingTransport {
    key: Option<PrivateKey>,
    replies: Arc<Mutex<VecDeque<CannedReply>>>,
    /// Records the requests; its responder pops `replies`.
    inner: CapturingTransport,
}

impl std::fmt::Debug for ReplayingTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayingTransport")
            .field("signed", &self.key.is_some())
            .field("pending", &lock(&self.replies).len())
            .field("requests", &lock(&self.inner.requests).len())
            .finish_non_exhaustive()
    }
}

impl ReplayingTransport {
    fn with_key(key: Option<PrivateKey>) -> Self {
        let replies: Arc<Mutex<VecDeque<CannedReply>>> = Arc::default();
        let queue = Arc::clone(&replies);
        ReplayingTransport {
            key,
            replies,
            inner: CapturingTransport::new(move |_| {
                lock(&queue).pop_front().unwrap_or_else(|| {
                    CannedReply::transport_error("ReplayingTransport: no canned reply left")
                })
            }),
        }
    }

    /// Replies pushed with [`push`](Self::push) and the `push_*` helpers are
    /// signed with `key` (PayerMax's private key in the test).
    pub fn signed_with(key: PrivateKey) -> Self {
        ReplayingTransport::with_key(Some(key))
    }

    /// Replies are sent as pushed, without adding signatures.
    pub fn unsigned() -> Self {
        ReplayingTransport::with_key(None)
    }

    /// Queues a reply, signed with the transport's key if it has one.
    pub fn push(&self, reply: CannedReply) -> &Self {
        let reply = match &self.key {
            Some(k) => reply.signed(k),
            None => reply,
        };
        lock(&self.replies).push_back(reply);
        self
    }

    /// Queues a reply exactly as given (never signed by the transport).
    pub fn push_raw(&self, reply: CannedReply) -> &Self {
        lock(&self.replies).push_back(reply);
        self
    }

    /// Queues a signed gateway `APPLY_SUCCESS` reply carrying `data`.
    pub fn push_gateway_success(&self, data: serde_json::Value) -> &Self {
        self.push(CannedReply::gateway(
            "APPLY_SUCCESS",
            "Success.",
            Some(data),
        ))
    }

    /// Queues a signed legacy `0000` reply carrying `data`.
    pub fn push_legacy_success(&self, data: serde_json::Value) -> &Self {
        self.push(CannedReply::legacy("0000", "success", Some(data)))
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.inner.requests()
    }

    /// How many queued replies are left.
    pub fn pending(&self) -> usize {
        lock(&self.replies).len()
    }
}

impl Service<http::Request<RequestBody>> for ReplayingTransport {
    type Response = http::Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = ReplyFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        self.inner.call(req)
    }
}
