//! An axum app receiving every kind of message PayerMax sends, one URL per
//! kind (`/payermax/<spec id>`), plus the browser's page return.
//!
//! The raw-body pitfall avoided: the route takes the whole `Request` and
//! reads the body as bytes. Extractors such as `Json<T>` (or anything that
//! parses and re-serialises) change the bytes, and the signature, made over
//! the bytes PayerMax sent, would no longer verify.
//!
//! ```sh
//! PAYERMAX_PUBLIC_KEY="$(cat payermax_pub.pem)" cargo run -p payermax-webhook --example axum
//! ```

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use payermax_webhook::{
    DEFAULT_MAX_BODY_BYTES, Delivery, Event, Kind, PageReturn, PublicKey, Reply, Verifier,
    WebhookService, bill_payment,
};
use tower_service::Service as _;

/// The merchant's handler: one typed event per verified message.
async fn on_message(delivery: Delivery) -> Result<Reply, std::io::Error> {
    // PayerMax delivers again until acknowledged: process each key once.
    println!("{} ({:?})", delivery.idempotency_key(), delivery.kind());
    match delivery.event() {
        Event::CollectResult(n) => println!("order {} is {:?}", n.data.out_trade_no, n.data.status),
        Event::RefundResult(n) => println!("refund {:?}", n.data),
        Event::BillPaymentValidation(v) => {
            let answer = bill_payment::approve(&v.reference_no, v.amount, v.amount, &v.currency);
            return Reply::answer(&answer).map_err(std::io::Error::other);
        }
        Event::Unknown {
            notify_type, body, ..
        } => {
            println!("a kind this version does not know ({notify_type:?}): {body}");
        }
        other => println!("{:?}", other.kind()),
    }
    Ok(Reply::Acknowledge)
}

/// The route of one kind: the raw body, under a cap, into the service.
fn endpoint(verifier: &Verifier, kind: Kind) -> MethodRouter {
    let service = WebhookService::new(verifier.clone(), kind, on_message)
        .on_rejection(|e| eprintln!("rejected: {e}"));
    post(move |request: Request| {
        let mut service = service.clone();
        async move {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, DEFAULT_MAX_BODY_BYTES).await else {
                return StatusCode::PAYLOAD_TOO_LARGE.into_response();
            };
            let Ok(response) = service
                .call(axum::http::Request::from_parts(parts, bytes))
                .await;
            response.map(Body::from).into_response()
        }
    })
}

/// The browser's return: proves nothing about the payment.
async fn page_return(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let r = PageReturn::parse(&parts.uri, &bytes);
    format!(
        "Thank you. We are checking the payment of order {} and will email you.",
        r.out_trade_no.as_deref().unwrap_or("?")
    )
    .into_response()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = PublicKey::parse(&std::env::var("PAYERMAX_PUBLIC_KEY")?)?;
    let verifier = Verifier::new(key);
    let mut app = Router::new().route("/payermax/return", axum::routing::any(page_return));
    for kind in Kind::ALL {
        app = app.route(
            &format!("/payermax/{}", kind.spec_id()),
            endpoint(&verifier, *kind),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
