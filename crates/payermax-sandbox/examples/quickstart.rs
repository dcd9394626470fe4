//! The PayerMax refund flow against a local sandbox: no account, no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! 1. starts the sandbox in-process on a free loopback port, with fresh keys;
//! 2. starts a tiny notification receiver on loopback;
//! 3. applies for a refund (legacy `refundApply`) with `callbackUrl` pointing at it;
//! 4. queries the refund (gateway `refundQuery`) until it settles;
//! 5. receives the settlement notification, verifies its signature and
//!    answers the documented acknowledgement.

use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use payermax_http::{Client, Environment, PublicKey};
use payermax_sandbox::{Sandbox, Settlement, receiver};
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired,
};
use payermax_types::legacy_refund_notify::{
    LegacyRefundNotify, LegacyRefundNotifyBody, LegacyRefundNotifyStatus,
};
use payermax_types::refund_query::{
    RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
};
use payermax_types::{Amount, Notification};
use payermax_webhook::{Event, Kind, Verifier};
use tokio::sync::mpsc;

/// Accepts notifications on loopback: verifies each one with PayerMax's
/// (here: the sandbox's) public key, forwards it, acknowledges it. The
/// handler is what your own notification endpoint does; the sandbox's
/// [`receiver`] only does the HTTP plumbing.
async fn notification_receiver(
    payermax_key: PublicKey,
) -> std::io::Result<(
    receiver::Receiver,
    mpsc::UnboundedReceiver<LegacyRefundNotifyBody>,
)> {
    let (tx, rx) = mpsc::unbounded_channel();
    // payermax-webhook: verify, check, decode, acknowledge (no runtime needed).
    let verifier = Verifier::new(payermax_key);
    receiver::start(move |d: receiver::Delivery| {
        let (verifier, tx) = (verifier.clone(), tx.clone());
        async move {
            // Verify the exact bytes received, before parsing them.
            match verifier.verify_signed(Kind::LegacyRefund, d.sign.as_deref(), &d.body) {
                Ok(delivery) => {
                    let ack = delivery.acknowledgement().unwrap_or_default();
                    if let Event::LegacyRefund(n) = delivery.into_event() {
                        println!(
                            "   [receiver] signature verified: refund {} (tradeNo {}) status {:?}, {} {}",
                            n.refund_id, n.trade_no, n.status, n.refund_amount, n.currency
                        );
                        let _ = tx.send(n);
                    }
                    let mut r = Response::new(Bytes::from_static(ack.as_bytes()));
                    r.headers_mut().insert(
                        "content-type",
                        "application/json".parse().expect("static"),
                    );
                    r
                }
                Err(e) => {
                    println!("   [receiver] notification REJECTED: {e}");
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    println!("1. Starting the PayerMax sandbox on loopback (generating sandbox-only RSA keys)...");
    let sandbox = Sandbox::builder()
        .settlement(Settlement {
            pending_queries: 1,
            settle_after: None,
        })
        .notification_schedule(vec![
            Duration::ZERO,
            Duration::from_millis(200),
            Duration::from_secs(1),
        ])
        .start()
        .await?;
    let merchant_key = sandbox
        .merchant_private_key()
        .ok_or("the sandbox generated no merchant key")?
        .clone();
    let payermax_key = sandbox.platform_public_key().clone();
    println!("   sandbox at {}", sandbox.base_url());

    println!("2. Starting a notification receiver on loopback...");
    let (notify_server, mut notifications) = notification_receiver(payermax_key.clone()).await?;
    let callback_url = notify_server.url("/payermax/refund-notify");
    println!("   receiver at {callback_url}");

    let client = Client::builder(Environment::Custom(sandbox.base_url().to_owned()))
        .app_id("sandbox-app")
        .merchant_no("SP-SANDBOX")
        .merchant_id("SP-SANDBOX")
        .private_key(merchant_key)
        .payermax_public_key(payermax_key)
        .request_timeout(Some(Duration::from_secs(5)))
        .build()?;

    let refund_id = "R-QUICKSTART-1";
    let amount: Amount = "10.50".parse()?;
    println!(
        "3. Applying for a refund of {amount} USD (legacy refundApply, refundId {refund_id})..."
    );
    let applied = client
        .send(
            &LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
                refund_id: refund_id.into(),
                order_id: "ORDER-1001".into(),
                amount,
                currency: "USD".into(),
            })
            .callback_url(callback_url.as_str()),
        )
        .await?;
    println!(
        "   accepted ({}): tradeNo {}, status {:?}",
        applied.code, applied.data.trade_no, applied.data.status
    );

    println!("4. Querying the refund (gateway refundQuery) until it settles...");
    let mut settled = None;
    for attempt in 1..=10 {
        let reply = client
            .send(&RefundQueryRequest::new(RefundQueryRequestRequired {
                refund_ref: RefundRef::OutRefundNo(refund_id.into()),
            }))
            .await?;
        let data = reply.data.ok_or("the query reply has no data")?;
        let status = data.status.clone();
        let text = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        println!(
            "   query {attempt}: status {}, amount {} {}, finished at {}",
            text(status.as_ref().map(|s| s.as_str().to_owned())),
            text(data.refund_amount.map(|a| a.to_string())),
            text(data.refund_currency.clone()),
            text(data.refund_finish_time.map(|t| t.to_string())),
        );
        if status.is_some_and(|s| s != RefundQueryStatus::RefundPending) {
            settled = Some(data);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let settled = settled.ok_or("the refund did not settle")?;

    println!("5. Waiting for the settlement notification...");
    let n = tokio::time::timeout(Duration::from_secs(5), notifications.recv())
        .await?
        .ok_or("the receiver stopped")?;
    let outcome = match n.status {
        LegacyRefundNotifyStatus::Success => "success",
        LegacyRefundNotifyStatus::Failed => "failed",
        _ => "unknown",
    };
    println!(
        "   refund {} settled: {outcome}; acknowledged with {}",
        n.refund_id,
        LegacyRefundNotify::ACKNOWLEDGEMENT
    );
    assert_eq!(n.refund_id, refund_id);
    assert_eq!(Some(n.refund_amount), settled.refund_amount);
    // Give the sandbox a moment to record the acknowledgement.
    for _ in 0..50 {
        if sandbox.notifications_acknowledged() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "Done: the sandbox holds {} refund(s); {} notification(s) acknowledged.",
        sandbox.refunds().len(),
        sandbox.notifications_acknowledged()
    );
    sandbox.shutdown().await;
    Ok(())
}
