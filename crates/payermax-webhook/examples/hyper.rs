//! A bare hyper 1 server: the payment results' endpoint.
//!
//! The raw-body pitfall avoided: the body is collected as bytes (under a
//! cap) and handed to the service unchanged; nothing parses it before the
//! signature is verified.
//!
//! ```sh
//! PAYERMAX_PUBLIC_KEY="$(cat payermax_pub.pem)" cargo run -p payermax-webhook --example hyper
//! ```

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use payermax_webhook::{
    DEFAULT_MAX_BODY_BYTES, Delivery, Event, Kind, PublicKey, Reply, Verifier, WebhookService,
};
use tower_service::Service as _;

async fn on_payment(delivery: Delivery) -> Result<Reply, Infallible> {
    if let Event::CollectResult(n) = delivery.event() {
        println!(
            "{}: order {} is {:?}",
            delivery.idempotency_key(),
            n.data.out_trade_no,
            n.data.status
        );
    }
    Ok(Reply::Acknowledge)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = PublicKey::parse(&std::env::var("PAYERMAX_PUBLIC_KEY")?)?;
    let service = WebhookService::new(Verifier::new(key), Kind::CollectResult, on_payment);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            let serve = service_fn(move |request: Request<Incoming>| {
                let mut service = service.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let bytes = match Limited::new(body, DEFAULT_MAX_BODY_BYTES).collect().await {
                        Ok(collected) => collected.to_bytes(),
                        Err(_) => {
                            let mut r = Response::new(Full::new(Bytes::new()));
                            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                            return Ok::<_, Infallible>(r);
                        }
                    };
                    let Ok(response) = service.call(Request::from_parts(parts, bytes)).await;
                    Ok(response.map(Full::new))
                }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), serve)
                .await
            {
                eprintln!("connection: {e}");
            }
        });
    }
}
