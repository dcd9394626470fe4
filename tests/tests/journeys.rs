//! The sandbox's journeys end to end: payermax-http's client against
//! payermax-sandbox over loopback, notifications received through
//! payermax-webhook's tower `WebhookService`.

mod common;

use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sandbox::{ManualClock, OrderStatus, Sandbox, SandboxHandle};
use payermax_types::collect_result_notify::CollectResultNotifyDataStatus;
use payermax_types::order_and_pay_direct::{
    OrderAndPayDirectRequest, OrderAndPayDirectRequestRequired,
};
use payermax_types::order_and_pay_hosted::{
    OrderAndPayHostedRequest, OrderAndPayHostedRequestRequired,
};
use payermax_types::order_query::{OrderQueryRequest, OrderQueryRequestRequired, OrderQueryStatus};
use payermax_types::refund::{RefundRequest, RefundRequestRequired};
use payermax_types::refund_query::{
    RefundQueryRequest, RefundQueryRequestRequired, RefundQueryStatus, RefundRef,
};
use payermax_types::refund_result_notify::RefundResultNotifyDataStatus;
use payermax_types::{Amount, ResultCode};
use payermax_webhook::{Event, Kind};

fn amount(s: &str) -> Amount {
    s.parse().unwrap()
}

/// A sandbox with the fixed keys, signed refusals (so refusals are typed),
/// refunds and direct payments settling on the second query only, the
/// control API on, and a short notification schedule.
async fn sandbox(clock: Option<Arc<ManualClock>>) -> SandboxHandle {
    let mut b = common::journeys_sandbox();
    if let Some(c) = clock {
        b = b.clock(c);
    }
    b.start().await.unwrap()
}

fn hosted(out_trade_no: &str, total: &str, notify_url: &str) -> OrderAndPayHostedRequest {
    OrderAndPayHostedRequest::new(OrderAndPayHostedRequestRequired {
        out_trade_no: out_trade_no.into(),
        integrate: "Hosted_Checkout".into(),
        subject: "Two mice".into(),
        total_amount: amount(total),
        currency: "USD".into(),
        user_id: "u-1".into(),
        front_callback_url: "http://merchant.example/back?from=payermax".into(),
    })
    .country("US")
    .notify_url(notify_url)
}

fn query(out_trade_no: &str) -> OrderQueryRequest {
    OrderQueryRequest::new(OrderQueryRequestRequired {
        out_trade_no: out_trade_no.into(),
    })
}

fn refund(
    id: &str,
    out_trade_no: &str,
    amount_text: &str,
    currency: &str,
    notify: &str,
) -> RefundRequest {
    RefundRequest::new(RefundRequestRequired {
        out_refund_no: id.into(),
        refund_amount: amount(amount_text),
        refund_currency: currency.into(),
    })
    .out_trade_no(out_trade_no)
    .refund_notify_url(notify)
}

fn refund_query(id: &str) -> RefundQueryRequest {
    RefundQueryRequest::new(RefundQueryRequestRequired {
        refund_ref: RefundRef::OutRefundNo(id.to_owned()),
    })
}

/// A raw HTTP request to the sandbox: (status, `Location`, body).
async fn http(
    sb: &SandboxHandle,
    method: &str,
    path_and_query: &str,
    form: Option<&str>,
) -> (u16, Option<String>, String) {
    let stream = tokio::net::TcpStream::connect(sb.local_addr())
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", sb.local_addr().to_string());
    if form.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let body = Full::new(bytes::Bytes::from(form.unwrap_or_default().to_owned()));
    let resp = sender.send_request(req.body(body).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, location, String::from_utf8(body.to_vec()).unwrap())
}

/// The status `orderQuery` answers.
async fn order_status(
    client: &payermax_http::Client,
    out_trade_no: &str,
) -> Option<OrderQueryStatus> {
    client
        .send(&query(out_trade_no))
        .await
        .unwrap()
        .data
        .unwrap()
        .status
}

/// The refusal code of a gateway refund.
async fn refund_refused(
    client: &payermax_http::Client,
    id: &str,
    out_trade_no: &str,
    amount_text: &str,
    currency: &str,
    notify: &str,
) -> ResultCode {
    common::refused(
        client
            .send(&refund(id, out_trade_no, amount_text, currency, notify))
            .await,
    )
}

/// The hosted checkout journey: create, the payer pays on the sandbox's
/// page, the payment notification, the page return, the query; then
/// partial refunds of the paid order with their rules and notifications.
#[tokio::test]
async fn hosted_payment_paid_on_the_checkout_page_then_refunded_in_parts() {
    let sb = sandbox(None).await;
    let client = common::builder(sb.base_url()).build().unwrap();
    let mut payments = common::webhook(Kind::CollectResult, sb.platform_public_key().clone()).await;
    let mut refunds = common::webhook(Kind::RefundResult, sb.platform_public_key().clone()).await;

    let created = client
        .send(&hosted("J1-PAY", "10.50", &payments.url))
        .await
        .unwrap()
        .data;
    assert_eq!(created.out_trade_no, "J1-PAY");
    let token = created.trade_token.clone();
    let redirect = created.redirect_url.clone();
    let prefix = format!("{}/_sandbox/checkout/", sb.base_url());
    assert!(redirect.starts_with(&prefix), "{redirect}");
    let page_path = &redirect[sb.base_url().len()..];

    // PayerMax documents outTradeNo as unique, compared case-insensitively.
    assert_eq!(
        common::refused(client.send(&hosted("j1-pay", "1", &payments.url)).await),
        ResultCode::OrderRepeat
    );
    // Nothing to refund before it is paid.
    assert_eq!(
        refund_refused(&client, "J1-R0", "J1-PAY", "1", "USD", &refunds.url).await,
        ResultCode::RefundFailed
    );
    let q = client.send(&query("J1-PAY")).await.unwrap().data.unwrap();
    assert_eq!(q.status, Some(OrderQueryStatus::Pending));

    // The payer opens the page and pays.
    let (status, _, html) = http(&sb, "GET", page_path, None).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("10.50 USD") && html.contains("J1-PAY"),
        "{html}"
    );
    let (status, location, _) = http(&sb, "POST", page_path, Some("action=pay")).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(
            format!(
                "http://merchant.example/back?from=payermax&outTradeNo=J1-PAY&tradeToken={token}&status=SUCCESS"
            )
            .as_str()
        )
    );
    // Paying twice is refused; the page says why.
    let (status, _, _) = http(&sb, "POST", page_path, Some("action=pay")).await;
    assert_eq!(status, 409);

    let delivery = payments.next().await;
    let Event::CollectResult(n) = delivery.event() else {
        panic!("{:?}", delivery.event())
    };
    assert_eq!(n.data.status, CollectResultNotifyDataStatus::Success);
    assert_eq!(n.data.total_amount, amount("10.50"));
    assert_eq!(n.data.trade_token, token);
    let q = client.send(&query("J1-PAY")).await.unwrap().data.unwrap();
    assert_eq!(q.status, Some(OrderQueryStatus::Success));
    assert_eq!(q.total_amount.to_string(), "10.50");

    // Partial refunds: the currency, one at a time, never above what is left.
    assert_eq!(
        refund_refused(&client, "J1-R1", "J1-PAY", "4", "EUR", &refunds.url).await,
        ResultCode::CurrencyInvalid
    );
    assert_eq!(
        refund_refused(&client, "J1-R1", "J1-PAY", "10.51", "USD", &refunds.url).await,
        ResultCode::AmountInvalid
    );
    let r1 = client
        .send(&refund("J1-R1", "J1-PAY", "4.00", "USD", &refunds.url))
        .await
        .unwrap()
        .data;
    assert_eq!(r1.out_refund_no, "J1-R1");
    assert_eq!(
        refund_refused(&client, "J1-R2", "J1-PAY", "1", "USD", &refunds.url).await,
        ResultCode::RefundFailed,
        "one refund in progress at a time"
    );
    let pending = client
        .send(&refund_query("J1-R1"))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(pending.status, Some(RefundQueryStatus::RefundPending));
    let settled = client
        .send(&refund_query("J1-R1"))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(settled.status, Some(RefundQueryStatus::RefundSuccess));
    let delivery = refunds.next().await;
    let Event::RefundResult(n) = delivery.event() else {
        panic!("{:?}", delivery.event())
    };
    assert_eq!(n.data.status, RefundResultNotifyDataStatus::RefundSuccess);
    assert_eq!(
        (
            n.data.out_refund_no.as_str(),
            n.data.refund_amount.to_string().as_str()
        ),
        ("J1-R1", "4.00")
    );

    // 6.50 is left: 6.51 is too much, 6.50 is fine.
    assert_eq!(
        refund_refused(&client, "J1-R2", "J1-PAY", "6.51", "USD", &refunds.url).await,
        ResultCode::AmountInvalid
    );
    client
        .send(&refund("J1-R2", "J1-PAY", "6.50", "USD", &refunds.url))
        .await
        .unwrap();
    assert_eq!(
        sb.order("J1-PAY").unwrap().refund_in_progress.as_deref(),
        Some("J1-R2")
    );
    let control = sb.control_url().unwrap();
    let (status, _, state) = http(
        &sb,
        "POST",
        &format!("{}/refunds/succeed/J1-R2", &control[sb.base_url().len()..]),
        None,
    )
    .await;
    assert_eq!(status, 200, "{state}");
    let Event::RefundResult(n) = refunds.next().await.into_event() else {
        panic!("not a refund notification")
    };
    assert_eq!(n.data.out_refund_no, "J1-R2");
    assert_eq!(sb.order("J1-PAY").unwrap().refunded, "10.50");
    assert_eq!(
        refund_refused(&client, "J1-R3", "J1-PAY", "0.01", "USD", &refunds.url).await,
        ResultCode::AmountInvalid,
        "fully refunded"
    );
    sb.shutdown().await;
}

/// The payer fails, or abandons until `expireTime` passes on the sandbox
/// clock: `FAILED` and `CLOSED`, each notified and queried.
#[tokio::test]
async fn failed_and_abandoned_payments() {
    let start = payermax_sandbox::Clock::now_millis(&payermax_sandbox::SystemClock);
    let clock = Arc::new(ManualClock::new(start));
    let sb = sandbox(Some(clock.clone())).await;
    let client = common::builder(sb.base_url()).build().unwrap();
    let mut payments = common::webhook(Kind::CollectResult, sb.platform_public_key().clone()).await;

    let failed = client
        .send(&hosted("J2-FAIL", "3", &payments.url))
        .await
        .unwrap()
        .data;
    let page = failed.redirect_url[sb.base_url().len()..].to_owned();
    let (status, location, _) = http(&sb, "POST", &page, Some("action=fail")).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().ends_with("status=FAILED"));
    let Event::CollectResult(n) = payments.next().await.into_event() else {
        panic!()
    };
    assert_eq!(
        (n.data.out_trade_no.as_str(), &n.data.status),
        ("J2-FAIL", &CollectResultNotifyDataStatus::Failed)
    );

    // Abandoned: open until expireTime (1800 s, the shortest documented),
    // then closed; the requestTime window follows the same clock.
    client
        .send(&hosted("J2-GONE", "3", &payments.url).expire_time("1800"))
        .await
        .unwrap();
    clock.advance_millis(1_799_000);
    let c = clock.clone();
    let client = common::builder(sb.base_url())
        .clock(move || {
            let ms = payermax_sandbox::Clock::now_millis(&*c);
            payermax_types::Timestamp::from_unix_millis(ms).unwrap()
        })
        .build()
        .unwrap();
    let q = client.send(&query("J2-GONE")).await.unwrap().data.unwrap();
    assert_eq!(q.status, Some(OrderQueryStatus::Pending));
    clock.advance_millis(1_000);
    let q = client.send(&query("J2-GONE")).await.unwrap().data.unwrap();
    assert_eq!(q.status, Some(OrderQueryStatus::Closed));
    let Event::CollectResult(n) = payments.next().await.into_event() else {
        panic!()
    };
    assert_eq!(n.data.status, CollectResultNotifyDataStatus::Closed);
    assert_eq!(sb.order("J2-GONE").unwrap().status, OrderStatus::Closed);
    // Out of the documented range.
    assert_eq!(
        common::refused(
            client
                .send(&hosted("J2-BAD", "3", &payments.url).expire_time("60"))
                .await
        ),
        ResultCode::ParamsInvalid
    );
    sb.shutdown().await;
}

/// Direct API orders settle by the rule: on the second query, `FAIL…`
/// failing; the control API drives one at once.
#[tokio::test]
async fn direct_payments_settle_by_rule_or_control() {
    let sb = sandbox(None).await;
    let client = common::builder(sb.base_url()).build().unwrap();
    let mut payments = common::webhook(Kind::CollectResult, sb.platform_public_key().clone()).await;
    let notify_url = payments.url.clone();
    let direct = |no: &str| {
        let mut r = OrderAndPayDirectRequest::new(OrderAndPayDirectRequestRequired {
            out_trade_no: no.into(),
            integrate: "Direct_Payment".into(),
            subject: "s".into(),
            total_amount: amount("7"),
            currency: "USD".into(),
            country: "US".into(),
            user_id: "u".into(),
            payment_detail: serde_json::from_value(
                serde_json::json!({"paymentMethodType": "CARD", "buyerInfo": {"clientIp": "127.0.0.1", "userAgent": "test"}}),
            )
            .unwrap(),
            terminal_type: "WEB".into(),
        });
        r.notify_url = Some(notify_url.clone());
        r
    };
    for (no, want) in [
        ("J3-OK", OrderQueryStatus::Success),
        ("FAIL-J3", OrderQueryStatus::Failed),
    ] {
        let created = client.send(&direct(no)).await.unwrap().data.unwrap();
        assert_eq!(created.out_trade_no, no);
        assert_eq!(
            order_status(&client, no).await,
            Some(OrderQueryStatus::Pending)
        );
        assert_eq!(order_status(&client, no).await, Some(want));
        let Event::CollectResult(n) = payments.next().await.into_event() else {
            panic!()
        };
        assert_eq!(n.data.out_trade_no, no);
    }
    client.send(&direct("PENDING-J3")).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            order_status(&client, "PENDING-J3").await,
            Some(OrderQueryStatus::Pending)
        );
    }
    let control = &sb.control_url().unwrap()[sb.base_url().len()..];
    let (status, _, state) = http(
        &sb,
        "POST",
        &format!("{control}/payments/pay/PENDING-J3"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(state.contains(r#""status":"SUCCESS""#), "{state}");
    let (status, _, _) = http(
        &sb,
        "POST",
        &format!("{control}/payments/pay/PENDING-J3"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    let (status, _, _) = http(&sb, "POST", &format!("{control}/payments/pay/nope"), None).await;
    assert_eq!(status, 404);
    assert_eq!(
        order_status(&client, "PENDING-J3").await,
        Some(OrderQueryStatus::Success)
    );
    sb.shutdown().await;
}

/// The control API is off unless the sandbox is started for testing.
#[tokio::test]
async fn the_control_api_is_off_by_default() {
    let sb = Sandbox::builder().start().await.unwrap();
    assert!(sb.control_url().is_none());
    let (status, _, _) = http(&sb, "POST", "/_sandbox/control/payments/pay/X", None).await;
    assert_eq!(status, 404);
    sb.shutdown().await;
}

/// Authorise, capture (partial, then final), cancel: an authorisation paid
/// by the payer, captures up to the authorised amount, refunds up to what
/// was captured, a cancel of an uncaptured authorisation; the auth result
/// to the order's `notifyUrl`, capture and cancel results to the merchant
/// portal's URL.
#[tokio::test]
async fn authorisations_captured_in_parts_or_cancelled() {
    use payermax_types::cancel::{CancelRequest, CancelRequestRequired};
    use payermax_types::capture::{CaptureRequest, CaptureRequestRequired};
    use payermax_types::order_and_pay_auth_hosted::{
        OrderAndPayAuthHostedRequest, OrderAndPayAuthHostedRequestRequired,
    };
    use payermax_webhook::Endpoint;

    let key = payermax_test_keys::test_keys().payermax_public.clone();
    let mut auths = common::webhook(Kind::AuthResult, key.clone()).await;
    let mut portal = common::webhook(Endpoint::ByNotifyType, key).await;
    let sb = common::sandbox_with_test_keys()
        .sign_refusals(true)
        .control_api(true)
        .portal_notify_url(portal.url.clone())
        .start()
        .await
        .unwrap();
    let client = common::builder(sb.base_url()).build().unwrap();
    let auth_url = auths.url.clone();
    let authorise = |no: &str| {
        OrderAndPayAuthHostedRequest::new(OrderAndPayAuthHostedRequestRequired {
            out_trade_no: no.into(),
            integrate: "Hosted_Checkout".into(),
            subject: "A hotel night".into(),
            total_amount: amount("10.00"),
            currency: "USD".into(),
            user_id: "u".into(),
            front_callback_url: "http://merchant.example/back".into(),
        })
        .capture_mode("MANUAL")
        .authorization_type("FINAL_AUTH")
        .notify_url(auth_url.clone())
    };
    let capture = |id: &str, no: &str, a: &str, is_final: bool| {
        CaptureRequest::new(CaptureRequestRequired {
            request_id: id.into(),
            out_trade_no: no.into(),
            currency: "USD".into(),
            amount: amount(a),
        })
        .final_capture(is_final)
    };
    let cancel = |id: &str, no: &str| {
        CancelRequest::new(CancelRequestRequired {
            request_id: id.into(),
            out_trade_no: no.into(),
        })
    };
    let control = sb.control_url().unwrap()[sb.base_url().len()..].to_owned();

    client.send(&authorise("J4-AUTH")).await.unwrap();
    assert_eq!(
        common::refused(client.send(&capture("C0", "J4-AUTH", "1", false)).await),
        ResultCode::Unknown("ORDER_STATUS_INVALID".into()),
        "not authorised yet"
    );
    let (status, _, _) = http(
        &sb,
        "POST",
        &format!("{control}/payments/pay/J4-AUTH"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let Event::AuthResult(n) = auths.next().await.into_event() else {
        panic!("not an auth result")
    };
    assert_eq!(n.data.out_trade_no, "J4-AUTH");

    let first = client
        .send(&capture("C1", "J4-AUTH", "3.00", false))
        .await
        .unwrap()
        .data
        .unwrap();
    let again = client
        .send(&capture("C1", "J4-AUTH", "3.00", false))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        first.capture_no, again.capture_no,
        "idempotent on requestId"
    );
    assert_eq!(
        common::refused(client.send(&capture("C1", "J4-AUTH", "4", false)).await),
        ResultCode::OrderRepeat
    );
    let Event::CaptureResult(n) = portal.next().await.into_event() else {
        panic!("not a capture result")
    };
    assert_eq!(n.data.capture_no, first.capture_no);
    assert_eq!(
        common::refused(client.send(&capture("C2", "J4-AUTH", "7.01", false)).await),
        ResultCode::AmountInvalid
    );
    assert_eq!(
        common::refused(client.send(&cancel("X1", "J4-AUTH")).await),
        ResultCode::Unknown("ORDER_STATUS_INVALID".into()),
        "captured: no cancel"
    );
    client
        .send(&capture("C2", "J4-AUTH", "2.00", true))
        .await
        .unwrap();
    portal.next().await;
    assert_eq!(
        common::refused(client.send(&capture("C3", "J4-AUTH", "1", false)).await),
        ResultCode::OrderClosed,
        "after the final capture"
    );
    assert_eq!(sb.order("J4-AUTH").unwrap().captured, "5.00");
    // Refunds: up to what was captured.
    assert_eq!(
        refund_refused(&client, "J4-R1", "J4-AUTH", "5.01", "USD", &portal.url).await,
        ResultCode::AmountInvalid
    );

    // An uncaptured authorisation cancelled.
    client.send(&authorise("J4-VOID")).await.unwrap();
    http(
        &sb,
        "POST",
        &format!("{control}/payments/pay/J4-VOID"),
        None,
    )
    .await;
    auths.next().await;
    client.send(&cancel("X2", "J4-VOID")).await.unwrap();
    let Event::CancelResult(n) = portal.next().await.into_event() else {
        panic!("not a cancel result")
    };
    assert_eq!(n.data.out_trade_no, "J4-VOID");
    assert_eq!(
        common::refused(client.send(&capture("C4", "J4-VOID", "1", false)).await),
        ResultCode::OrderClosed
    );
    assert!(sb.order("J4-VOID").unwrap().cancelled);
    sb.shutdown().await;
}
