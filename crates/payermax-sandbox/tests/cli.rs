//! The standalone binary, as a non-Rust client would use it: start it, read
//! the URL and keys it prints, call it over loopback, stop it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sign::{PrivateKey, PublicKey};
use serde_json::{Value, json};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_payermax-sandbox");

/// A running sandbox process, killed on drop.
struct Running {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sandbox binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut running = Running {
            child,
            lines: Vec::new(),
        };
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the sandbox prints its banner");
            let done = line.starts_with("Press Ctrl-C");
            running.lines.push(line);
            if done {
                return running;
            }
        }
    }

    /// The value after `label` on the line that contains it.
    fn value(&self, label: &str) -> String {
        let line = self
            .lines
            .iter()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no line with {label:?} in {:#?}", self.lines));
        line.rsplit(' ').next().unwrap().to_owned()
    }
}

async fn post(base: &str, path: &str, body: &str, key: &PrivateKey) -> (http::HeaderMap, Bytes) {
    let addr = base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = Request::post(path)
        .header("host", addr)
        .header("content-type", "application/json")
        .header("sign", key.sign(body.as_bytes()).unwrap())
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    (parts.headers, body.collect().await.unwrap().to_bytes())
}

fn verified(key: &PublicKey, (headers, body): (http::HeaderMap, Bytes)) -> Value {
    key.verify(&body, headers["sign"].to_str().unwrap())
        .expect("signed by the printed platform key");
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn generated_keys_are_printed_and_work() {
    let sb = Running::start(&[
        "--port",
        "0",
        "--settle-after-ms",
        "never",
        "--fault",
        "system-error",
        "--fault-operation",
        "refundQuery",
        "--fault-times",
        "1",
    ]);
    assert!(sb.lines.iter().any(|l| l.contains("SANDBOX-ONLY")));
    let base = sb.value("listening on");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let platform = PublicKey::parse(&sb.value("platform public key")).unwrap();
    let merchant = PrivateKey::parse(&sb.value("merchant private key")).unwrap();

    let apply = json!({"merchantId": "SP1", "bizType": "refundApply", "version": "2.1",
        "refundId": "R-cli", "orderId": "O-cli", "amount": "9.99", "currency": "EUR"})
    .to_string();
    let r = verified(
        &platform,
        post(&base, "/aggregate-pay-gate/api/gateway", &apply, &merchant).await,
    );
    assert_eq!(r["bizCode"], "0000", "{r}");

    let now = payermax_sandbox::format_rfc3339_millis(payermax_sandbox::Clock::now_millis(
        &payermax_sandbox::SystemClock,
    ));
    let query = json!({"version": "1.5", "keyVersion": "1", "requestTime": now, "appId": "a",
        "data": {"outRefundNo": "R-cli"}})
    .to_string();
    let path = "/aggregate-pay/api/gateway/refundQuery";
    let (headers, body) = post(&base, path, &query, &merchant).await;
    assert!(
        headers.get("sign").is_none(),
        "refusals are unsigned by default, as PayerMax's"
    );
    let first: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(first["code"], "SYSTEM_ERROR", "the --fault rule, once");
    let second = verified(&platform, post(&base, path, &query, &merchant).await);
    assert_eq!(second["code"], "APPLY_SUCCESS");
    assert_eq!(second["data"]["status"], "REFUND_PENDING");
}

#[tokio::test]
async fn keys_from_files() {
    let merchant = PrivateKey::generate().unwrap();
    let platform = PrivateKey::generate().unwrap();
    let dir = std::env::temp_dir().join(format!("payermax-sandbox-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let merchant_pub = dir.join("merchant_public.pem");
    let platform_priv = dir.join("platform_private.pem");
    std::fs::write(&merchant_pub, merchant.public_key().to_pem()).unwrap();
    std::fs::write(&platform_priv, platform.to_pkcs8_pem().as_bytes()).unwrap();
    let sb = Running::start(&[
        "--merchant-public-key",
        merchant_pub.to_str().unwrap(),
        "--platform-private-key",
        platform_priv.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        sb.value("platform public key"),
        platform.public_key().to_spki_base64()
    );
    assert!(!sb.lines.iter().any(|l| l.contains("merchant private key")));
    let base = sb.value("listening on");
    let apply = json!({"merchantId": "SP1", "bizType": "refundApply", "version": "2.1",
        "refundId": "R-f", "orderId": "O-f", "amount": "1", "currency": "EUR"})
    .to_string();
    let r = verified(
        &platform.public_key(),
        post(&base, "/aggregate-pay-gate/api/gateway", &apply, &merchant).await,
    );
    assert_eq!(r["bizCode"], "0000", "{r}");
}

#[test]
fn bad_flags_exit_with_usage_error() {
    let out = Command::new(BIN).args(["--port", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--fault-times"));
}

/// The payouts, subscriptions and tokens journeys and their control API
/// from the binary, as a client in another language drives them; the
/// token notification reaches the URL given on the command line.
#[tokio::test]
async fn journeys_and_their_control_api() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let receiver =
        payermax_sandbox::receiver::start(move |d: payermax_sandbox::receiver::Delivery| {
            let _ = tx.send(d);
            async {
                http::Response::new(Bytes::from_static(br#"{"code":"SUCCESS","msg":"Success"}"#))
            }
        })
        .await
        .unwrap();
    let url = receiver.url("/tokens");
    let sb = Running::start(&[
        "--control",
        "--settle-after-ms",
        "never",
        "--portal-notify-url",
        &url,
    ]);
    let base = sb.value("listening on");
    let platform = PublicKey::parse(&sb.value("platform public key")).unwrap();
    let merchant = PrivateKey::parse(&sb.value("merchant private key")).unwrap();
    let now = payermax_sandbox::format_rfc3339_millis(payermax_sandbox::Clock::now_millis(
        &payermax_sandbox::SystemClock,
    ));
    let call = |op: &str, data: Value| {
        let body = json!({"version": "1.5", "keyVersion": "1", "requestTime": now,
            "appId": "a", "merchantNo": "M1", "data": data})
        .to_string();
        let (base, merchant, platform) = (base.clone(), merchant.clone(), platform.clone());
        let path = format!("/aggregate-pay/api/gateway/{op}");
        async move {
            let r = verified(&platform, post(&base, &path, &body, &merchant).await);
            assert_eq!(r["code"], "APPLY_SUCCESS", "{r}");
            r["data"].clone()
        }
    };
    let control = |path: String| {
        let (base, merchant) = (base.clone(), merchant.clone());
        async move {
            let (_, body) = post(&base, &format!("/_sandbox/control/{path}"), "", &merchant).await;
            serde_json::from_slice::<Value>(&body).unwrap()
        }
    };

    call(
        "paymentOrderPay",
        json!({"outTradeNo": "PO-cli", "country": "ID",
        "trade": {"amount": "10.50", "currency": "IDR"},
        "payeeInfo": {"paymentMethodType": "WALLET", "accountInfo": {"accountNo": "1"}}}),
    )
    .await;
    assert_eq!(
        control("payouts/succeed/PO-cli".into()).await["status"],
        "SUCCESS"
    );
    let payout = call("paymentOrderQry", json!({"outTradeNo": "PO-cli"})).await;
    assert_eq!(
        (
            payout["status"].as_str(),
            payout["trade"]["amount"].as_str()
        ),
        (Some("SUCCESS"), Some("10.50"))
    );

    let sub = call(
        "subscriptionCreate",
        json!({"subscriptionRequestId": "S-cli", "userId": "u",
        "callbackUrl": "http://127.0.0.1:9/none", "subscriptionPlan": {"subject": "s",
        "totalPeriods": 2, "periodRule": {"periodUnit": "D", "periodCount": 1},
        "periodAmount": {"amount": 1.50, "currency": "USD"}}}),
    )
    .await;
    let no = sub["subscriptionPlan"]["subscriptionNo"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        control(format!("subscriptions/activate/{no}")).await["status"],
        "ACTIVE"
    );
    let q = call("subscriptionQuery", json!({"subscriptionNo": no})).await;
    let first = &q["subscriptionPaymentDetails"][0];
    assert_eq!(
        (
            first["paymentStatus"].as_str(),
            first["payAmount"]["amount"].as_f64()
        ),
        (Some("SUCCESS"), Some(1.5))
    );

    call(
        "applyPaymentToken",
        json!({"requestId": "T-cli", "country": "ID",
        "paymentMethodType": "CARD", "userId": "u", "frontCallbackUrl": "http://m/back",
        "tokenScope": "tokenAcq"}),
    )
    .await;
    assert_eq!(
        control("tokens/succeed/T-cli".into()).await["status"],
        "Activated"
    );
    // The payout (no notifyUrl) and the token go to the portal URL.
    let mut got = Vec::new();
    for _ in 0..2 {
        let d = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        platform
            .verify(&d.body, d.sign.as_deref().unwrap())
            .unwrap();
        let n: Value = serde_json::from_slice(&d.body).unwrap();
        let id = n["data"]["requestId"]
            .as_str()
            .or(n["data"]["outTradeNo"].as_str());
        got.push(format!(
            "{} {}",
            n["notifyType"].as_str().unwrap(),
            id.unwrap()
        ));
    }
    got.sort();
    assert_eq!(got, ["PAYOUT PO-cli", "TOKENIZATION T-cli"]);
}
