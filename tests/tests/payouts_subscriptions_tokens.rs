//! The payouts, subscriptions and payment tokens journeys end to end:
//! payermax-http's client against payermax-sandbox over loopback, the
//! notifications received through payermax-webhook's tower
//! `WebhookService`, time moved on the sandbox's `ManualClock` (shared
//! with the client, so that `requestTime` follows it).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use payermax_http::{Client, Error};
use payermax_sandbox::{Clock as _, ManualClock, SandboxHandle, Settlement};
use payermax_test_keys::test_keys;
use payermax_types::{Operation, ResultCode, Timestamp};
use payermax_webhook::{Endpoint, Event, Kind};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DAY: i64 = 24 * 60 * 60 * 1000;

/// The journeys' sandbox on the manual clock (and the merchant portal's notification URL),
/// and a client on the same clock.
async fn sandbox(clock: &Arc<ManualClock>, portal_url: Option<&str>) -> (SandboxHandle, Client) {
    let mut b = common::journeys_sandbox().clock(clock.clone());
    if let Some(url) = portal_url {
        b = b.portal_notify_url(url);
    }
    let sb = b.start().await.unwrap();
    let c = clock.clone();
    let client = common::builder(sb.base_url())
        .clock(move || Timestamp::from_unix_millis(c.now_millis()).unwrap())
        .build()
        .unwrap();
    (sb, client)
}

/// The manual clock at 2026-06-01T00:00:00Z.
fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(1_780_272_000_000))
}

/// Sends a request given as the JSON of its `data`; the reply's data as JSON.
async fn send<O: Operation>(client: &Client, data: Value) -> Result<Value, Error>
where
    O::Request: serde::de::DeserializeOwned,
    O::Response: serde::Serialize,
{
    let request: O::Request = serde_json::from_value(data).expect("a valid request");
    let reply = client.call::<O>(&request).await?;
    assert!(reply.signature_verified);
    Ok(serde_json::to_value(&reply.data).unwrap())
}

/// `POST /_sandbox/control/<journey>/<action>/<id>`: (HTTP status, body).
async fn control(sb: &SandboxHandle, journey: &str, action: &str, id: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(sb.local_addr())
        .await
        .unwrap();
    let req = format!(
        "POST /_sandbox/control/{journey}/{action}/{id} HTTP/1.1\r\nhost: sandbox\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    (status, body.to_owned())
}

/// The next `n` deliveries' bodies as JSON, verified and acknowledged by
/// the tower service, with the events they decoded to.
async fn deliveries(hook: &mut common::Webhook, n: usize) -> Vec<(Event, Value)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let d = hook.next().await;
        let body = serde_json::from_str(d.raw_body()).unwrap();
        out.push((d.into_event(), body));
    }
    out
}

/// Waits until the sandbox saw `n` acknowledgements.
async fn acknowledged(sb: &SandboxHandle, n: usize) {
    for _ in 0..200 {
        if sb.notifications_acknowledged() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{:#?}", sb.notifications());
}

mod payouts {
    use super::*;
    use payermax_types::payment_order_pay::PaymentOrderPay;
    use payermax_types::payment_order_qry::PaymentOrderQry;

    pub(super) fn pay(id: &str, amount: &str, notify_url: &str) -> Value {
        json!({
            "outTradeNo": id, "country": "ID",
            "trade": {"amount": amount, "currency": "IDR"},
            "payeeInfo": {"paymentMethodType": "WALLET", "targetOrg": "DANA",
                          "accountInfo": {"accountNo": "0812323233332"}},
            "notifyUrl": notify_url, "reference": format!("ref {id}")
        })
    }

    async fn status(client: &Client, id: &str) -> Value {
        let data = send::<PaymentOrderQry>(client, json!({"outTradeNo": id}))
            .await
            .unwrap();
        data["status"].clone()
    }

    /// Success, failure, bounce-back and a payout held pending, each by its
    /// `outTradeNo`; the control API's actions; every change notified.
    #[tokio::test]
    async fn pending_then_settled_by_rule_and_notified() {
        let clock = clock();
        let (sb, client) = sandbox(&clock, None).await;
        let mut hook =
            common::webhook(Kind::DisbursementResult, sb.platform_public_key().clone()).await;

        for id in ["PO-1", "FAIL-PO-2", "BOUNCE-PO-3", "PENDING-PO-4"] {
            let data = send::<PaymentOrderPay>(&client, pay(id, "150000.50", &hook.url))
                .await
                .unwrap();
            assert_eq!(data["status"], "PENDING");
            assert_eq!(data["outTradeNo"], id);
            assert!(data["tradeNo"].as_str().unwrap().contains("PO"), "{data}");
        }
        // PayerMax: ORDER_REPEAT means the outTradeNo already placed a payout.
        let again = send::<PaymentOrderPay>(&client, pay("PO-1", "1", &hook.url)).await;
        assert_eq!(common::refused(again), ResultCode::OrderRepeat);
        let unknown = send::<PaymentOrderQry>(&client, json!({"outTradeNo": "NOPE"})).await;
        assert_eq!(common::refused(unknown), ResultCode::OrderNotExist);
        let zero = send::<PaymentOrderPay>(&client, pay("PO-0", "0", &hook.url)).await;
        assert_eq!(common::refused(zero), ResultCode::AmountInvalid);

        // The first query sees each pending, the second settles it.
        for id in ["PO-1", "FAIL-PO-2", "BOUNCE-PO-3", "PENDING-PO-4"] {
            assert_eq!(status(&client, id).await, "PENDING", "{id}");
        }
        assert_eq!(status(&client, "PO-1").await, "SUCCESS");
        assert_eq!(status(&client, "FAIL-PO-2").await, "FAILED");
        assert_eq!(status(&client, "BOUNCE-PO-3").await, "SUCCESS");
        assert_eq!(status(&client, "PENDING-PO-4").await, "PENDING");
        // A bounce-back is the next step after success, by the same rule.
        assert_eq!(status(&client, "BOUNCE-PO-3").await, "SUCCESS");
        let bounced = send::<PaymentOrderQry>(&client, json!({"outTradeNo": "BOUNCE-PO-3"}))
            .await
            .unwrap();
        assert_eq!(bounced["status"], "BOUNCEBACK");
        assert!(bounced["bounceBackTime"].is_string(), "{bounced}");
        assert_eq!(bounced["trade"]["amount"], "150000.50");

        // The control API: a held payout paid, a paid one bounced back.
        let (code, body) = control(&sb, "payouts", "succeed", "PENDING-PO-4").await;
        assert_eq!(code, 200, "{body}");
        assert!(body.contains(r#""status":"SUCCESS""#), "{body}");
        assert_eq!(control(&sb, "payouts", "bounce-back", "PO-1").await.0, 200);
        assert_eq!(control(&sb, "payouts", "succeed", "FAIL-PO-2").await.0, 409);
        assert_eq!(control(&sb, "payouts", "succeed", "NOPE").await.0, 404);
        assert_eq!(status(&client, "PO-1").await, "BOUNCEBACK");

        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (event, body) in deliveries(&mut hook, 6).await {
            let Event::DisbursementResult(n) = event else {
                panic!("not a disbursement notification")
            };
            assert_eq!(body["notifyType"], "PAYOUT");
            assert_eq!(n.data.trade.amount.to_string(), "150000.50");
            let status = body["data"]["status"].as_str().unwrap().to_owned();
            seen.entry(n.data.out_trade_no).or_default().push(status);
        }
        // Deliveries started close together may arrive in any order.
        seen.values_mut().for_each(|v| v.sort());
        let want: BTreeMap<String, Vec<String>> = [
            ("BOUNCE-PO-3", vec!["BOUNCEBACK", "SUCCESS"]),
            ("FAIL-PO-2", vec!["FAILED"]),
            ("PENDING-PO-4", vec!["SUCCESS"]),
            ("PO-1", vec!["BOUNCEBACK", "SUCCESS"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
        .collect();
        assert_eq!(seen, want);
        acknowledged(&sb, 6).await;
        assert_eq!(sb.payouts().len(), 4);
    }
}

/// A payout whose reply was lost: the client never sends it again; it
/// settles the outcome with `paymentOrderQry`, and the sandbox holds the
/// one payout.
#[tokio::test]
async fn an_ambiguous_payout_is_settled_by_its_query_not_resent() {
    use payermax_sandbox::{Fault, FaultRule};
    use payermax_types::payment_order_pay::{PaymentOrderPay, PaymentOrderPayRequest};
    use payermax_types::payment_order_qry::PaymentOrderQry;

    let clock = clock();
    let (sb, client) = sandbox(&clock, None).await;
    sb.add_fault(
        FaultRule::new(Fault::DropConnection)
            .on_operation("paymentOrderPay")
            .times(1),
    );
    let request: PaymentOrderPayRequest =
        serde_json::from_value(payouts::pay("PO-LOST", "7.00", "http://127.0.0.1:9/n")).unwrap();
    let Err(Error::Ambiguous(outcome)) = client.call::<PaymentOrderPay>(&request).await else {
        panic!("a dropped connection after sending is ambiguous")
    };
    let settled = client.settle::<PaymentOrderQry>(&outcome).await.unwrap();
    let data = serde_json::to_value(&settled.data).unwrap();
    assert_eq!(
        (data["outTradeNo"].as_str(), data["status"].as_str()),
        (Some("PO-LOST"), Some("PENDING"))
    );
    assert_eq!(sb.payouts().len(), 1, "sent once");
}

mod subscriptions {
    use super::*;
    use payermax_types::subscription_cancel::SubscriptionCancel;
    use payermax_types::subscription_create::SubscriptionCreate;
    use payermax_types::subscription_query::SubscriptionQuery;

    fn create(request_id: &str, callback_url: &str, periods: u32) -> Value {
        json!({
            "subscriptionRequestId": request_id, "userId": "u-1", "callbackUrl": callback_url,
            "subscriptionPlan": {
                "subject": "Mice monthly", "totalPeriods": periods,
                "periodRule": {"periodUnit": "M", "periodCount": 1},
                "periodAmount": {"amount": "9.90", "currency": "USD"}
            }
        })
    }

    async fn query(client: &Client, no: &str) -> Value {
        send::<SubscriptionQuery>(client, json!({"subscriptionNo": no}))
            .await
            .unwrap()
    }

    fn debits(q: &Value) -> Vec<(u64, String)> {
        q["subscriptionPaymentDetails"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        let status = d["paymentStatus"].as_str().unwrap().to_owned();
                        (d["subscriptionIndex"].as_u64().unwrap(), status)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the notifications said, sorted (deliveries started at the same
    /// moment may arrive in any order): `SUBSCRIPTION <status>` or
    /// `PAYMENT <index> <paymentStatus>`.
    fn said(ds: &[(Event, Value)]) -> Vec<String> {
        let mut said: Vec<String> = ds
            .iter()
            .map(|(event, body)| {
                let d = &body["data"];
                match event {
                    Event::SubscriptionResult(_) => format!(
                        "SUBSCRIPTION {}",
                        d["subscriptionPlan"]["subscriptionStatus"]
                            .as_str()
                            .unwrap()
                    ),
                    Event::SubscriptionPaymentResult(_) => {
                        let p = &d["subscriptionPaymentDetail"];
                        format!(
                            "PAYMENT {} {}",
                            p["subscriptionIndex"],
                            p["paymentStatus"].as_str().unwrap()
                        )
                    }
                    other => panic!("unexpected {other:?}"),
                }
            })
            .collect();
        said.sort();
        said
    }

    /// Created inactive, activated by the rule (the first payment), one
    /// debit per calendar month on the test's clock, finished after the
    /// last; both notification kinds on one endpoint, told apart by
    /// `notifyType`.
    #[tokio::test]
    async fn a_debit_per_period_on_the_clock_then_finish() {
        let clock = clock();
        let (sb, client) = sandbox(&clock, None).await;
        let mut hook =
            common::webhook(Endpoint::ByNotifyType, sb.platform_public_key().clone()).await;

        let created = send::<SubscriptionCreate>(&client, create("SUB-1", &hook.url, 3))
            .await
            .unwrap();
        assert_eq!(
            created["subscriptionPlan"]["subscriptionStatus"],
            "INACTIVE"
        );
        let no = created["subscriptionPlan"]["subscriptionNo"]
            .as_str()
            .unwrap()
            .to_owned();
        let again = send::<SubscriptionCreate>(&client, create("SUB-1", &hook.url, 3)).await;
        assert_eq!(common::refused(again), ResultCode::OrderRepeat);

        assert_eq!(
            query(&client, &no).await["subscriptionPlan"]["subscriptionStatus"],
            "INACTIVE"
        );
        let q = query(&client, &no).await;
        assert_eq!(q["subscriptionPlan"]["subscriptionStatus"], "ACTIVE");
        assert_eq!(debits(&q), [(0, "SUCCESS".into())]);
        let first = &q["subscriptionPaymentDetails"][0];
        // The amount as the merchant wrote it, never through a float.
        let bodies: Vec<String> = sb.notifications().into_iter().map(|n| n.body).collect();
        assert!(
            bodies
                .iter()
                .any(|b| b.contains(r#""payAmount":{"amount":9.90,"currency":"USD"}"#)),
            "{bodies:?}"
        );
        assert_eq!(first["periodStartTime"], "2026-06-01T00:00:00.000Z");
        assert_eq!(first["periodEndTime"], "2026-07-01T00:00:00.000Z");
        assert_eq!(
            said(&deliveries(&mut hook, 2).await),
            ["PAYMENT 0 SUCCESS", "SUBSCRIPTION ACTIVE"]
        );

        // Nothing falls due before the period ends (30 days: June).
        clock.advance_millis(30 * DAY - 1);
        assert_eq!(debits(&query(&client, &no).await).len(), 1);
        clock.advance_millis(1);
        assert_eq!(
            debits(&query(&client, &no).await),
            [(0, "SUCCESS".into()), (1, "SUCCESS".into())]
        );
        assert_eq!(said(&deliveries(&mut hook, 1).await), ["PAYMENT 1 SUCCESS"]);

        // Two months at once: the last debit, then the end of the plan.
        clock.advance_millis(62 * DAY);
        let q = query(&client, &no).await;
        assert_eq!(q["subscriptionPlan"]["subscriptionStatus"], "FINISH");
        assert_eq!(debits(&q).len(), 3);
        assert_eq!(
            q["subscriptionPaymentDetails"][2]["periodStartTime"],
            "2026-08-01T00:00:00.000Z"
        );
        assert_eq!(
            said(&deliveries(&mut hook, 2).await),
            ["PAYMENT 2 SUCCESS", "SUBSCRIPTION FINISH"]
        );
        let cancel = send::<SubscriptionCancel>(&client, json!({"subscriptionNo": no})).await;
        assert_eq!(common::refused(cancel), ResultCode::OrderClosed);
        acknowledged(&sb, 5).await;
    }

    /// The control API moves a manual sandbox clock, as a test in another
    /// language (which cannot reach the Rust `ManualClock`) needs for the
    /// periods of a subscription; the machine's clock cannot be moved.
    #[tokio::test]
    async fn the_control_api_moves_a_manual_clock_and_the_debits_follow() {
        let clock = clock();
        let (sb, client) = sandbox(&clock, None).await;
        let hook = common::webhook(Endpoint::ByNotifyType, sb.platform_public_key().clone()).await;
        let created = send::<SubscriptionCreate>(&client, create("SUB-CLOCK", &hook.url, 3))
            .await
            .unwrap();
        let no = created["subscriptionPlan"]["subscriptionNo"]
            .as_str()
            .unwrap()
            .to_owned();
        query(&client, &no).await;
        assert_eq!(debits(&query(&client, &no).await).len(), 1);

        let start = clock.now_millis();
        let (status, body) = control(&sb, "clock", "advance", &(30 * DAY).to_string()).await;
        assert_eq!(status, 200, "{body}");
        let now: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(now["now"], start + 30 * DAY);
        assert_eq!(clock.now_millis(), start + 30 * DAY);
        assert_eq!(
            debits(&query(&client, &no).await),
            [(0, "SUCCESS".into()), (1, "SUCCESS".into())]
        );
        assert_eq!(control(&sb, "clock", "advance", "-1000").await.0, 200);
        assert_eq!(clock.now_millis(), start + 30 * DAY - 1000);
        assert_eq!(control(&sb, "clock", "advance", "soon").await.0, 400);
        assert_eq!(control(&sb, "clock", "set", "0").await.0, 404);

        let system = common::journeys_sandbox().start().await.unwrap();
        let (status, body) = control(&system, "clock", "advance", "1000").await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("--clock-offset-ms"), "{body}");
    }

    /// A declined debit: pending (its attempt failed) while the period
    /// runs, then failed and the subscription terminated; cancellation;
    /// a failed activation; the control API's actions.
    #[tokio::test]
    async fn declined_cancelled_and_failed_subscriptions() {
        let clock = clock();
        let (sb, client) = sandbox(&clock, None).await;
        let mut hook =
            common::webhook(Endpoint::ByNotifyType, sb.platform_public_key().clone()).await;
        let mut no = BTreeMap::new();
        for id in ["DECLINE-1", "SUB-2", "FAIL-3"] {
            let created = send::<SubscriptionCreate>(&client, create(id, &hook.url, 12))
                .await
                .unwrap();
            no.insert(
                id,
                created["subscriptionPlan"]["subscriptionNo"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }

        let (code, body) = control(&sb, "subscriptions", "activate", &no["DECLINE-1"]).await;
        assert_eq!(code, 200, "{body}");
        assert_eq!(
            said(&deliveries(&mut hook, 2).await),
            ["PAYMENT 0 SUCCESS", "SUBSCRIPTION ACTIVE"]
        );
        clock.advance_millis(30 * DAY);
        let (code, body) = control(&sb, "subscriptions", "tick", &no["DECLINE-1"]).await;
        assert_eq!(
            (code, body.contains(r#""1:PENDING""#)),
            (200, true),
            "{body}"
        );
        let ds = deliveries(&mut hook, 1).await;
        assert_eq!(said(&ds), ["PAYMENT 1 PENDING"]);
        let last = &ds[0].1["data"]["subscriptionPaymentDetail"]["lastPaymentInfo"];
        assert_eq!(
            (
                last["lastPaymentStatus"].as_str(),
                last["errorCode"].as_str()
            ),
            (Some("FAILED"), Some("BALANCE_INSUFFICIENT"))
        );
        clock.advance_millis(31 * DAY);
        let q = query(&client, &no["DECLINE-1"]).await;
        assert_eq!(q["subscriptionPlan"]["subscriptionStatus"], "TERMINATE");
        assert_eq!(debits(&q)[1], (1, "FAILED".into()));
        assert_eq!(
            said(&deliveries(&mut hook, 2).await),
            ["PAYMENT 1 FAILED", "SUBSCRIPTION TERMINATE"]
        );

        // Cancelled while inactive; cancelling again answers the same.
        for _ in 0..2 {
            let c = send::<SubscriptionCancel>(&client, json!({"subscriptionNo": no["SUB-2"]}))
                .await
                .unwrap();
            assert_eq!(c["subscriptionPlan"]["subscriptionStatus"], "CANCEL");
        }
        assert_eq!(
            said(&deliveries(&mut hook, 1).await),
            ["SUBSCRIPTION CANCEL"]
        );
        assert_eq!(
            control(&sb, "subscriptions", "activate", &no["SUB-2"])
                .await
                .0,
            409
        );

        // The first payment fails by the rule (FAIL...).
        query(&client, &no["FAIL-3"]).await;
        let q = send::<SubscriptionQuery>(&client, json!({"subscriptionRequestId": "FAIL-3"}))
            .await
            .unwrap();
        assert_eq!(q["subscriptionPlan"]["subscriptionStatus"], "ACTIVE_FAILED");
        assert_eq!(
            said(&deliveries(&mut hook, 1).await),
            ["SUBSCRIPTION ACTIVE_FAILED"]
        );

        let unknown = send::<SubscriptionQuery>(&client, json!({"subscriptionNo": "SUB0"})).await;
        assert_eq!(common::refused(unknown), ResultCode::OrderNotExist);
        assert_eq!(control(&sb, "subscriptions", "tick", "SUB0").await.0, 404);
        assert_eq!(
            control(&sb, "subscriptions", "nope", &no["SUB-2"]).await.0,
            404
        );
        acknowledged(&sb, 7).await;
        assert_eq!(sb.subscriptions().len(), 3);
    }
}

mod plans {
    use super::*;
    use payermax_types::subscription_create::SubscriptionCreate;

    /// Plans the sandbox cannot run are refused naming the field and the
    /// rule: beyond the year 9999 (numbers that would overflow included),
    /// more trial periods than periods, an unknown period unit.
    #[tokio::test]
    async fn impossible_plans_are_refused() {
        let clock = clock();
        let (_sb, client) = sandbox(&clock, None).await;
        let plan = |periods: u64, unit: &str, count: u64, trial: Option<u64>| {
            let mut p = json!({"subject": "s", "totalPeriods": periods,
                "periodRule": {"periodUnit": unit, "periodCount": count},
                "periodAmount": {"amount": "1", "currency": "USD"}});
            if let Some(n) = trial {
                p["trialPeriodConfig"] = json!({"trialPeriodCount": n,
                    "trialPeriodAmount": {"amount": "0.50", "currency": "USD"}});
            }
            json!({"subscriptionRequestId": format!("P-{periods}-{unit}-{count}-{trial:?}"),
                   "userId": "u", "callbackUrl": "http://127.0.0.1:9/n", "subscriptionPlan": p})
        };
        for (data, field) in [
            (
                plan(4_294_967_295, "D", 4_294_967_295, None),
                "would end after 9999-12-31",
            ),
            (plan(100_000, "M", 1, None), "would end after 9999-12-31"),
            (
                plan(3, "M", 1, Some(4)),
                "trialPeriodCount must be at most totalPeriods",
            ),
            (
                plan(3, "Q", 1, None),
                "periodUnit must be one of D, W, M, Y",
            ),
        ] {
            let e = send::<SubscriptionCreate>(&client, data).await.unwrap_err();
            assert_eq!(e.refusal_code(), Some(&ResultCode::ParamsInvalid), "{e}");
            assert!(e.to_string().contains(field), "{e}");
        }
        let fine = send::<SubscriptionCreate>(&client, plan(12, "Y", 1, Some(2))).await;
        assert_eq!(
            fine.unwrap()["subscriptionPlan"]["subscriptionStatus"],
            "INACTIVE"
        );
    }
}

mod tokens {
    use super::*;
    use payermax_types::apply_payment_token::ApplyPaymentToken;
    use payermax_types::inquire_payment_token::InquirePaymentToken;
    use payermax_types::remove_payment_token::RemovePaymentToken;

    fn apply(request_id: &str, month: &str, year: &str) -> Value {
        json!({
            "requestId": request_id, "country": "ID", "paymentMethodType": "CARD",
            "userId": "u-1", "frontCallbackUrl": "http://merchant.example/back",
            "tokenScope": "tokenAcq", "mitType": "UNSCHEDULE",
            "cardInfo": {"cardOrg": "VISA", "cardIdentifierNo": "4444333322221111",
                         "cardHolderFullName": "James Smith", "cardExpirationMonth": month,
                         "cardExpirationYear": year, "cvv": "123"}
        })
    }

    async fn listed(client: &Client) -> Vec<(String, String)> {
        let data =
            send::<InquirePaymentToken>(client, json!({"userId": "u-1", "tokenScope": "tokenAcq"}))
                .await
                .unwrap();
        data["tokenList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let id = t["paymentTokenID"].as_str().unwrap().to_owned();
                (id, t["paymentTokenStatus"].as_str().unwrap().to_owned())
            })
            .collect()
    }

    /// (paymentTokenID, requestId, status, paymentTokenStatus) of each notification.
    async fn notified(
        hook: &mut common::Webhook,
        n: usize,
    ) -> Vec<(String, String, String, String)> {
        deliveries(hook, n)
            .await
            .into_iter()
            .map(|(event, body)| {
                let Event::Tokenization(t) = event else {
                    panic!("not a tokenization notification")
                };
                let d = &body["data"];
                let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
                (
                    t.data.payment_token_id,
                    text("requestId"),
                    text("status"),
                    text("paymentTokenStatus"),
                )
            })
            .collect()
    }

    /// Applied for, issued (or refused) by the rule, listed, removed;
    /// expired on the clock at the card's expiry and by the control API;
    /// each outcome notified to the merchant's configured URL.
    #[tokio::test]
    async fn applied_issued_listed_removed_and_expired() {
        let clock = clock();
        let hook_key = test_keys().payermax_public.clone();
        let mut hook = common::webhook(Kind::Tokenization, hook_key).await;
        let (sb, client) = sandbox(&clock, Some(&hook.url)).await;

        for id in ["TOK-1", "FAIL-TOK-2"] {
            let r = send::<ApplyPaymentToken>(&client, apply(id, "03", "30"))
                .await
                .unwrap();
            assert_eq!(r["status"], "PENDING");
            assert_eq!(r["redirectUrl"], "http://merchant.example/back");
        }
        let again = send::<ApplyPaymentToken>(&client, apply("TOK-1", "03", "30")).await;
        assert_eq!(common::refused(again), ResultCode::OrderRepeat);

        // The first inquiry finds the applications pending, the second
        // settles them.
        assert!(listed(&client).await.is_empty());
        let tokens = listed(&client).await;
        assert_eq!(tokens.len(), 1);
        let (token, status) = &tokens[0];
        assert_eq!(status, "Activated");
        let mut got = notified(&mut hook, 2).await;
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            (got[0].1.as_str(), got[0].2.as_str()),
            ("FAIL-TOK-2", "FAILED")
        );
        assert_eq!(
            got[1],
            (
                token.clone(),
                "TOK-1".into(),
                "SUCCESS".into(),
                "Activated".into()
            )
        );
        let data = send::<InquirePaymentToken>(
            &client,
            json!({"userId": "u-1", "tokenScope": "tokenAcq", "paymentTokenID": token}),
        )
        .await
        .unwrap();
        let t = &data["tokenList"][0];
        assert_eq!(
            (
                t["cardInfo"].as_str(),
                t["brand"].as_str(),
                t["ifCVV"].as_str()
            ),
            (Some("444433******1111"), Some("VISA"), Some("Y"))
        );
        assert_eq!(t["paymentTokenExpiry"], "2030-03-31T23:59:59.999Z");

        let removed =
            send::<RemovePaymentToken>(&client, json!({"userId": "u-1", "paymentTokenID": token}))
                .await
                .unwrap();
        assert_eq!(removed["paymentTokenStatus"], "Deleted");
        assert!(listed(&client).await.is_empty());
        assert_eq!(notified(&mut hook, 1).await[0].3, "Deleted");
        let other_user =
            send::<RemovePaymentToken>(&client, json!({"userId": "u-2", "paymentTokenID": token}))
                .await;
        assert_eq!(common::refused(other_user), ResultCode::OrderNotExist);

        // Issued by the control API, expired by it.
        send::<ApplyPaymentToken>(&client, apply("TOK-3", "12", "30"))
            .await
            .unwrap();
        let (code, body) = control(&sb, "tokens", "succeed", "TOK-3").await;
        assert_eq!(code, 200, "{body}");
        let issued = notified(&mut hook, 1).await.remove(0);
        assert_eq!(control(&sb, "tokens", "expire", &issued.0).await.0, 200);
        assert_eq!(notified(&mut hook, 1).await[0].3, "Expired");
        assert_eq!(control(&sb, "tokens", "expire", &issued.0).await.0, 409);
        assert_eq!(control(&sb, "tokens", "fail", "TOK-1").await.0, 409);

        // Expired on the clock: a card valid to January 2027.
        send::<ApplyPaymentToken>(&client, apply("TOK-4", "01", "27"))
            .await
            .unwrap();
        control(&sb, "tokens", "succeed", "TOK-4").await;
        let issued = notified(&mut hook, 1).await.remove(0);
        clock.set_millis(1_801_440_000_000); // 2027-02-01
        let tokens = listed(&client).await;
        assert!(
            tokens.contains(&(issued.0.clone(), "Expired".into())),
            "{tokens:?}"
        );
        assert_eq!(
            notified(&mut hook, 1).await[0],
            (issued.0, "TOK-4".into(), "SUCCESS".into(), "Expired".into())
        );
        acknowledged(&sb, 7).await;
        assert_eq!(sb.payment_tokens().len(), 4);
    }
}

/// With `settle_after`, every journey moves without being queried: a
/// payout succeeds then bounces back, a subscription activates, a token is
/// issued, each notified (the payout, without `notifyUrl`, and the token to
/// the merchant portal's URL).
#[tokio::test]
async fn settle_after_moves_every_journey_without_queries() {
    use payermax_types::apply_payment_token::ApplyPaymentToken;
    use payermax_types::payment_order_pay::PaymentOrderPay;
    use payermax_types::subscription_create::SubscriptionCreate;

    let key = test_keys().payermax_public.clone();
    let mut hook = common::webhook(Endpoint::ByNotifyType, key).await;
    let sb = common::journeys_sandbox()
        .settlement(Settlement {
            pending_queries: 1000,
            settle_after: Some(Duration::from_millis(30)),
        })
        .portal_notify_url(&hook.url)
        .start()
        .await
        .unwrap();
    let client = common::builder(sb.base_url()).build().unwrap();
    let url = hook.url.clone();
    send::<PaymentOrderPay>(
        &client,
        json!({"outTradeNo": "BOUNCE-T", "country": "ID",
               "trade": {"amount": "5", "currency": "IDR"},
               "payeeInfo": {"paymentMethodType": "WALLET", "accountInfo": {"accountNo": "1"}}}),
    )
    .await
    .unwrap();
    send::<SubscriptionCreate>(
        &client,
        json!({"subscriptionRequestId": "S-T", "userId": "u", "callbackUrl": url,
               "subscriptionPlan": {"subject": "s", "totalPeriods": 2,
                   "periodRule": {"periodUnit": "W", "periodCount": 1},
                   "periodAmount": {"amount": "2.00", "currency": "USD"}}}),
    )
    .await
    .unwrap();
    send::<ApplyPaymentToken>(
        &client,
        json!({"requestId": "T-T", "country": "ID", "paymentMethodType": "CARD", "userId": "u",
               "frontCallbackUrl": "http://m/back", "tokenScope": "tokenAcq"}),
    )
    .await
    .unwrap();
    let mut got: Vec<String> = deliveries(&mut hook, 5)
        .await
        .into_iter()
        .map(|(_, body)| {
            let d = &body["data"];
            let status = d["status"]
                .as_str()
                .or(d["subscriptionPlan"]["subscriptionStatus"].as_str())
                .or(d["subscriptionPaymentDetail"]["paymentStatus"].as_str());
            format!(
                "{} {}",
                body["notifyType"].as_str().unwrap(),
                status.unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "PAYOUT BOUNCEBACK",
            "PAYOUT SUCCESS",
            "SUBSCRIPTION ACTIVE",
            "SUBSCRIPTION_PAYMENT SUCCESS",
            "TOKENIZATION SUCCESS"
        ]
    );
    acknowledged(&sb, 5).await;
}
