//! Plugging a different transport into the client: the default hyper
//! transport wrapped in a tower layer that stamps an `x-request-id` header
//! and logs each exchange (method, URI, status, time; never the `sign` header).
//!
//! Any `tower_service::Service<http::Request<RequestBody>>` works the same
//! way: a tower stack, or a small adapter around another HTTP client.
//!
//! Run it against a local PayerMax sandbox:
//!
//! ```text
//! cargo run -p payermax-http --example custom_transport -- \
//!     http://127.0.0.1:8080 merchant_private.pem payermax_public.pem
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use payermax_http::{
    Client, Environment, HyperTransport, PrivateKey, PublicKey, RequestBody, RetryPolicy,
};
use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired, RefundRef};
use tower_layer::Layer;
use tower_service::Service;

/// Adds `x-request-id: <n>` to every request and logs the exchange.
#[derive(Clone, Default)]
struct RequestIdLayer {
    next: Arc<AtomicU64>,
}

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestId {
            inner,
            next: self.next.clone(),
        }
    }
}

#[derive(Clone)]
struct RequestId<S> {
    inner: S,
    next: Arc<AtomicU64>,
}

impl<S, B> Service<http::Request<RequestBody>> for RequestId<S>
where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<RequestBody>) -> Self::Future {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        req.headers_mut().insert("x-request-id", id.into());
        let line = format!("#{id} {} {}", req.method(), req.uri());
        let started = Instant::now();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let result = fut.await;
            match &result {
                Ok(resp) => eprintln!("{line} -> {} in {:?}", resp.status(), started.elapsed()),
                Err(_) => eprintln!("{line} -> transport error in {:?}", started.elapsed()),
            }
            result
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, private_pem, public_pem] = args.as_slice() else {
        eprintln!(
            "usage: custom_transport <base_url> <merchant_private.pem> <payermax_public.pem>"
        );
        return Ok(());
    };
    let private_key = PrivateKey::parse(&std::fs::read_to_string(private_pem)?)?;
    let public_key = PublicKey::parse(&std::fs::read_to_string(public_pem)?)?;

    // The default transport, wrapped in our layer.
    let transport = RequestIdLayer::default().layer(HyperTransport::new(Duration::from_secs(5))?);

    let client = Client::builder(Environment::Custom(base_url.clone()))
        .app_id("example-app")
        .merchant_no("P01010113865434")
        .private_key(private_key)
        .payermax_public_key(public_key)
        .transport(transport)
        .request_timeout(Some(Duration::from_secs(10)))
        .retry(RetryPolicy::new())
        .build()?;

    let request = RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo("example-refund-1".into()),
    });
    match client.send(&request).await {
        Ok(reply) => println!("{} {:?}", reply.code, reply.data),
        Err(e) => println!("error: {e}"),
    }
    Ok(())
}
