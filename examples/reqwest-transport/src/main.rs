//! reqwest as the client's transport, for services that already carry it:
//! a small tower `Service` adapter around `reqwest::Client`, plugged in with
//! `ClientBuilder::transport`. Runs end to end against the embedded sandbox:
//!
//! ```text
//! cargo run --manifest-path examples/reqwest-transport/Cargo.toml
//! ```
//!
//! The adapter's only duty beyond converting types: report a failure that
//! proves nothing was sent (no connection) as `payermax_http::NotSent`, so
//! that the client may retry even a write after it; anything else may have
//! reached PayerMax.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::BodyExt;
use payermax_http::{BoxError, Client, Environment, NotSent, RequestBody, RetryPolicy};
use payermax_sandbox::Sandbox;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};
use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired, RefundRef};
use tower_service::Service;

/// `reqwest::Client` as a transport. Cheap to clone (reqwest's client is a
/// handle to one connection pool).
#[derive(Clone)]
struct ReqwestTransport(reqwest::Client);

impl Service<http::Request<RequestBody>> for ReqwestTransport {
    type Response = http::Response<reqwest::Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        let client = self.0.clone();
        Box::pin(async move {
            // The body is the exact bytes the client signed, in one chunk.
            let (parts, body) = req.into_parts();
            let bytes = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(never) => match never {},
            };
            let req = reqwest::Request::try_from(http::Request::from_parts(parts, bytes))?;
            match client.execute(req).await {
                Ok(resp) => Ok(http::Response::from(resp)),
                // No connection: the request provably never left.
                Err(e) if e.is_connect() => Err(Box::new(NotSent(e.into())) as BoxError),
                Err(e) => Err(e.into()),
            }
        })
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let merchant_key = sandbox
        .merchant_private_key()
        .ok_or("the sandbox generated no merchant key")?
        .clone();
    println!("sandbox at {}", sandbox.base_url());

    // reqwest's own settings (pool, proxy, TLS roots) stay reqwest's; the
    // PayerMax client keeps its per-attempt timeout and retry policy.
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()?;
    let client = Client::builder(Environment::Custom(sandbox.base_url().to_owned()))
        .app_id("sandbox-app")
        .merchant_no("SP-SANDBOX")
        .merchant_id("SP-SANDBOX")
        .private_key(merchant_key)
        .payermax_public_key(sandbox.platform_public_key().clone())
        .transport(ReqwestTransport(http))
        .request_timeout(Some(Duration::from_secs(10)))
        .retry(RetryPolicy::new())
        .build()?;

    let applied = client
        .send(&LegacyRefundApplyRequest::new(
            LegacyRefundApplyRequestRequired {
                refund_id: "R-REQWEST-1".into(),
                order_id: "ORDER-1001".into(),
                amount: "10.50".parse()?,
                currency: "USD".into(),
            },
        ))
        .await?;
    println!(
        "refundApply over reqwest: {} (signature verified: {}), tradeNo {}",
        applied.code, applied.signature_verified, applied.data.trade_no
    );

    let queried = client
        .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-REQWEST-1".into()),
        }))
        .await?;
    let data = queried.data.ok_or("the query reply has no data")?;
    println!(
        "refundQuery over reqwest: {:?} {:?} {:?}",
        data.status, data.refund_amount, data.refund_currency
    );
    assert!(queried.signature_verified);
    assert_eq!(data.out_refund_no.as_deref(), Some("R-REQWEST-1"));

    sandbox.shutdown().await;
    Ok(())
}
