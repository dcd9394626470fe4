//! A merchant's whole payment journey against a local sandbox: no account,
//! no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! 1. starts the sandbox in-process on a free loopback port, with fresh keys,
//!    and a notification endpoint on loopback (your server's part);
//! 2. creates a hosted-checkout payment (`orderAndPay`);
//! 3. pays it as the payer would: opens the sandbox's checkout page and
//!    presses Pay; the browser is sent back to `frontCallbackUrl`;
//! 4. receives the payment notification and verifies it (payermax-webhook);
//! 5. queries the order (`orderQuery`);
//! 6. refunds part of it (`refund`);
//! 7. queries the refund until it settles (`refundQuery`);
//! 8. receives the refund notification and verifies it.

use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_http::{Client, Environment, PublicKey};
use payermax_sandbox::{Sandbox, Settlement, receiver};
use payermax_types::Amount;
use payermax_types::order_and_pay_hosted::{
    OrderAndPayHostedRequest, OrderAndPayHostedRequestRequired,
};
use payermax_types::order_query::{OrderQueryRequest, OrderQueryRequestRequired};
use payermax_types::refund::{RefundRequest, RefundRequestRequired};
use payermax_types::refund_query::{
    RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
};
use payermax_webhook::{Event, Kind, Verifier};
use tokio::sync::mpsc;

/// Your notification endpoint: verifies each message with PayerMax's (here:
/// the sandbox's) public key over the exact bytes received, forwards the
/// event, answers the documented acknowledgement. The path chooses the kind
/// (one URL per kind, as payermax-webhook recommends); the sandbox's
/// [`receiver`] only does the HTTP plumbing.
async fn notification_endpoint(
    payermax_key: PublicKey,
) -> std::io::Result<(receiver::Receiver, mpsc::UnboundedReceiver<Event>)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let verifier = Verifier::new(payermax_key);
    receiver::start(move |d: receiver::Delivery| {
        let (verifier, tx) = (verifier.clone(), tx.clone());
        async move {
            let kind = match d.uri.path() {
                "/payermax/payment" => Kind::CollectResult,
                _ => Kind::RefundResult,
            };
            match verifier.verify_signed(kind, d.sign.as_deref(), &d.body) {
                Ok(delivery) => {
                    println!("   [endpoint] signature verified: {}", d.uri.path());
                    let ack = delivery.acknowledgement().unwrap_or_default();
                    let _ = tx.send(delivery.into_event());
                    let mut r = Response::new(Bytes::from_static(ack.as_bytes()));
                    r.headers_mut()
                        .insert("content-type", "application/json".parse().expect("static"));
                    r
                }
                Err(e) => {
                    println!("   [endpoint] notification REJECTED: {e}");
                    let mut r = Response::new(Bytes::new());
                    *r.status_mut() = e.status();
                    r
                }
            }
        }
    })
    .await
    .map(|server| (server, rx))
}

/// What the payer's browser does: one request, no redirect followed.
/// Returns the status, the `Location` header and the body.
async fn browser(
    method: &str,
    url: &str,
    form: Option<&str>,
) -> Result<(u16, Option<String>, String), Box<dyn Error>> {
    let uri: Uri = url.parse()?;
    let authority = uri.authority().ok_or("no host")?.to_string();
    let stream = tokio::net::TcpStream::connect(&authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("host", authority);
    if form.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let body = Full::new(Bytes::from(form.unwrap_or_default().to_owned()));
    let resp = sender.send_request(req.body(body)?).await?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

async fn next(events: &mut mpsc::UnboundedReceiver<Event>) -> Result<Event, Box<dyn Error>> {
    Ok(tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await?
        .ok_or("the endpoint stopped")?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!("1. Starting the PayerMax sandbox and your notification endpoint on loopback...");
    let sandbox = Sandbox::builder()
        // Refunds settle on their second query (deterministic), not on a timer.
        .settlement(Settlement {
            pending_queries: 1,
            settle_after: None,
        })
        .notification_schedule(vec![Duration::ZERO, Duration::from_millis(200)])
        .start()
        .await?;
    let merchant_key = sandbox
        .merchant_private_key()
        .ok_or("the sandbox generated no merchant key")?
        .clone();
    let payermax_key = sandbox.platform_public_key().clone();
    let (endpoint, mut events) = notification_endpoint(payermax_key.clone()).await?;
    println!("   sandbox at {} (sandbox-only keys)", sandbox.base_url());
    println!("   endpoint at {}", endpoint.url("/payermax/"));

    let client = Client::builder(Environment::Custom(sandbox.base_url().to_owned()))
        .app_id("sandbox-app")
        .merchant_no("SP-SANDBOX")
        .private_key(merchant_key)
        .payermax_public_key(payermax_key)
        .request_timeout(Some(Duration::from_secs(5)))
        .build()?;

    let order = "ORDER-1001";
    let total: Amount = "10.50".parse()?;
    println!(
        "2. Creating a hosted-checkout payment of {total} USD (orderAndPay, outTradeNo {order})..."
    );
    let created = client
        .send(
            &OrderAndPayHostedRequest::new(OrderAndPayHostedRequestRequired {
                out_trade_no: order.into(),
                integrate: "Hosted_Checkout".into(),
                subject: "Two mice".into(),
                total_amount: total,
                currency: "USD".into(),
                user_id: "user-42".into(),
                front_callback_url: "https://shop.example/payment/done".into(),
            })
            .country("US")
            .notify_url(endpoint.url("/payermax/payment")),
        )
        .await?
        .data;
    println!(
        "   {}: tradeToken {}; send the payer to {}",
        created.status, created.trade_token, created.redirect_url
    );

    println!("3. Paying as the payer would, on the checkout page...");
    let (status, _, page) = browser("GET", &created.redirect_url, None).await?;
    println!(
        "   GET the page: HTTP {status}, {} bytes of HTML with a Pay button: {}",
        page.len(),
        page.contains("value=\"pay\"")
    );
    let (status, back_to, _) = browser("POST", &created.redirect_url, Some("action=pay")).await?;
    println!(
        "   pressed Pay: HTTP {status}, browser sent back to {}",
        back_to.as_deref().unwrap_or("-")
    );

    println!("4. Waiting for the payment notification...");
    let Event::CollectResult(paid) = next(&mut events).await? else {
        return Err("not a payment notification".into());
    };
    println!(
        "   order {} is {:?}: {} {}",
        paid.data.out_trade_no, paid.data.status, paid.data.total_amount, paid.data.currency
    );

    println!("5. Querying the order (orderQuery)...");
    let queried = client
        .send(&OrderQueryRequest::new(OrderQueryRequestRequired {
            out_trade_no: order.into(),
        }))
        .await?
        .data
        .ok_or("the query reply has no data")?;
    println!(
        "   status {:?}, {} {}",
        queried.status, queried.total_amount, queried.currency
    );

    let refund_no = "REFUND-1001-1";
    let part: Amount = "4.00".parse()?;
    println!("6. Refunding {part} USD of it (refund, outRefundNo {refund_no})...");
    let applied = client
        .send(
            &RefundRequest::new(RefundRequestRequired {
                out_refund_no: refund_no.into(),
                refund_amount: part,
                refund_currency: "USD".into(),
            })
            .out_trade_no(order)
            .refund_notify_url(endpoint.url("/payermax/refund")),
        )
        .await?
        .data;
    println!(
        "   accepted: refundTradeNo {}, status {:?}",
        applied.refund_trade_no, applied.status
    );

    println!("7. Querying the refund (refundQuery) until it settles...");
    let mut settled = None;
    for attempt in 1..=10 {
        let data = client
            .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
                refund_ref: RefundRef::OutRefundNo(refund_no.into()),
            }))
            .await?
            .data
            .ok_or("the query reply has no data")?;
        println!("   query {attempt}: status {:?}", data.status);
        if data
            .status
            .as_ref()
            .is_some_and(|s| *s != RefundQueryStatus::RefundPending)
        {
            settled = Some(data);
            break;
        }
    }
    settled.ok_or("the refund did not settle")?;

    println!("8. Waiting for the refund notification...");
    let Event::RefundResult(refunded) = next(&mut events).await? else {
        return Err("not a refund notification".into());
    };
    println!(
        "   refund {} of order {} is {:?}: {} {}",
        refunded.data.out_refund_no,
        refunded.data.out_trade_no,
        refunded.data.status,
        refunded.data.refund_amount,
        refunded.data.refund_currency
    );
    for _ in 0..50 {
        if sandbox.notifications_acknowledged() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held = sandbox.order(order).ok_or("the sandbox lost the order")?;
    println!(
        "Done: order {} {:?}, {} of {} USD refunded; {} notification(s) acknowledged.",
        held.out_trade_no,
        held.status,
        held.refunded,
        held.amount,
        sandbox.notifications_acknowledged()
    );
    sandbox.shutdown().await;
    Ok(())
}
