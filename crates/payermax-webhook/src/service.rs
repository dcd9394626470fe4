//! [`WebhookService`]: a `tower_service::Service` over `http::Request`s
//! with the raw body.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use payermax_sign::PrivateKey;

use crate::{Delivery, Endpoint, Reply, Verifier, WebhookError};

/// The future of `WebhookService::call` (`tower_service::Service::call`).
pub type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<Response<Bytes>, Infallible>> + Send + 'static>>;

type OnRejection = Arc<dyn Fn(&WebhookError) + Send + Sync>;

/// One endpoint as a `tower_service::Service<http::Request<B>>`: verifies
/// the raw body (`B` is anything holding the bytes exactly as received:
/// `Bytes`, `Vec<u8>`, `String`), decodes it, calls the merchant's async
/// handler with the [`Delivery`], and answers:
///
/// | outcome | status | body |
/// | --- | --- | --- |
/// | handler returned [`Reply::Acknowledge`] | 200 | the kind's acknowledgement |
/// | handler returned [`Reply::Answer`] | 200 | the answer |
/// | handler failed, or acknowledged a synchronous callback | 500 | `text/plain` |
/// | rejected message ([`WebhookError`]) | [`WebhookError::status`] (401, 403, 413, 400) | `text/plain`, the error |
/// | not a `POST` | 405 | empty |
///
/// It never answers 2xx to a message whose signature did not verify, and
/// never calls the handler for one: PayerMax then delivers the message
/// again. The handler should be idempotent
/// ([`Delivery::idempotency_key`]).
///
/// The body must reach the service unparsed: a framework that decodes
/// JSON and re-serialises it changes the bytes and the signature no longer
/// verifies (see the crate's examples).
pub struct WebhookService<H> {
    verifier: Arc<Verifier>,
    endpoint: Endpoint,
    handler: H,
    on_rejection: Option<OnRejection>,
    answer_signer: Option<PrivateKey>,
}

impl<H: Clone> Clone for WebhookService<H> {
    fn clone(&self) -> Self {
        WebhookService {
            verifier: self.verifier.clone(),
            endpoint: self.endpoint,
            handler: self.handler.clone(),
            on_rejection: self.on_rejection.clone(),
            answer_signer: self.answer_signer.clone(),
        }
    }
}

impl<H> fmt::Debug for WebhookService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookService")
            .field("verifier", &self.verifier)
            .field("endpoint", &self.endpoint)
            .field(
                "answer_signer",
                &self.answer_signer.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl<H> WebhookService<H> {
    /// The service of `endpoint`, calling `handler` with each verified
    /// [`Delivery`]. `handler` is an async function or closure
    /// `Fn(Delivery) -> impl Future<Output = Result<Reply, E>>`.
    pub fn new(verifier: Verifier, endpoint: impl Into<Endpoint>, handler: H) -> Self {
        WebhookService {
            verifier: Arc::new(verifier),
            endpoint: endpoint.into(),
            handler,
            on_rejection: None,
            answer_signer: None,
        }
    }

    /// Calls `f` with every rejection (to log it: the error's `Display`
    /// holds no key material and no signature).
    pub fn on_rejection(mut self, f: impl Fn(&WebhookError) + Send + Sync + 'static) -> Self {
        self.on_rejection = Some(Arc::new(f));
        self
    }

    /// Adds a `sign` header (SHA256WithRSA with the merchant's key over the
    /// exact bytes) to every [`Reply::Answer`]. PayerMax documents none (see
    /// `crate::bill_payment`); acknowledgements are never signed.
    pub fn sign_answers_with(mut self, merchant_key: PrivateKey) -> Self {
        self.answer_signer = Some(merchant_key);
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Bytes> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    if !r.body().is_empty() {
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    r
}

fn text(status: StatusCode, message: String) -> Response<Bytes> {
    response(status, "text/plain; charset=utf-8", Bytes::from(message))
}

impl<B, H, F, E> tower_service::Service<Request<B>> for WebhookService<H>
where
    B: AsRef<[u8]>,
    H: Fn(Delivery) -> F,
    F: Future<Output = Result<Reply, E>> + Send + 'static,
{
    type Response = Response<Bytes>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        if request.method() != Method::POST {
            let r = response(StatusCode::METHOD_NOT_ALLOWED, "", Bytes::new());
            return Box::pin(std::future::ready(Ok(r)));
        }
        let delivery =
            match self
                .verifier
                .verify(self.endpoint, request.headers(), request.body().as_ref())
            {
                Ok(d) => d,
                Err(e) => {
                    if let Some(f) = &self.on_rejection {
                        f(&e);
                    }
                    let r = text(e.status(), format!("{e}\n"));
                    return Box::pin(std::future::ready(Ok(r)));
                }
            };
        let ack = delivery.acknowledgement();
        let signer = self.answer_signer.clone();
        let handled = (self.handler)(delivery);
        Box::pin(async move {
            let r = match handled.await {
                Ok(Reply::Acknowledge) => match ack {
                    Some(a) => response(
                        StatusCode::OK,
                        "application/json",
                        Bytes::from_static(a.as_bytes()),
                    ),
                    None => text(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "a synchronous callback needs an answer, not an acknowledgement\n".into(),
                    ),
                },
                Ok(Reply::Answer(body)) => {
                    let sign = match &signer {
                        Some(key) => match key.sign(&body) {
                            Ok(s) => Some(s),
                            Err(_) => {
                                return Ok(text(
                                    StatusCode::INTERNAL_SERVER_ERROR,
                                    "cannot sign the answer\n".into(),
                                ));
                            }
                        },
                        None => None,
                    };
                    let mut r = response(StatusCode::OK, "application/json", body);
                    if let Some(v) = sign.and_then(|s| HeaderValue::from_str(&s).ok()) {
                        r.headers_mut().insert(payermax_sign::SIGN_HEADER, v);
                    }
                    r
                }
                Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "handler failed\n".into()),
            };
            Ok(r)
        })
    }
}
