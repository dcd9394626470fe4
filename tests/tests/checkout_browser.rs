//! The sandbox's hosted checkout page in a real headless browser: Debian's
//! Chromium driven over WebDriver (chromedriver), from the page to the
//! payment notification and the order query.
//!
//! Ignored by default (it needs Chromium): `.ci/run` installs `chromium` and
//! `chromium-driver` and runs it with
//! `cargo test -p payermax-tests --test checkout_browser -- --ignored`.
//! `CHROMEDRIVER` and `CHROMIUM` override the binaries' paths.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sandbox::receiver;
use payermax_types::Amount;
use payermax_types::collect_result_notify::CollectResultNotifyDataStatus;
use payermax_types::order_and_pay_hosted::{
    OrderAndPayHostedRequest, OrderAndPayHostedRequestRequired,
};
use payermax_types::order_query::{OrderQueryRequest, OrderQueryRequestRequired, OrderQueryStatus};
use payermax_webhook::{Event, Kind, PageReturn};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The WebDriver element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver and its browser session: on drop (a failed assertion
/// too) the session is deleted, which closes Chromium, then chromedriver is
/// killed (killing it alone would leave Chromium running).
struct Driver {
    child: Child,
    addr: String,
    session: Option<String>,
    _profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            delete_session(&self.addr, &id);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `DELETE /session/<id>`, blocking (usable in `drop`), best effort.
fn delete_session(addr: &str, id: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut Vec::new());
    }
}

/// A fresh directory, removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One WebDriver command: JSON in, the reply's `value` out.
async fn wd(addr: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert!(
        status.is_success(),
        "WebDriver {method} {path}: {status} {v}"
    );
    v["value"].clone()
}

async fn start_driver() -> (Driver, String) {
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("starting {chromedriver} (apt-get install chromium-driver): {e}")
        });
    // A fresh profile per run, removed with the driver.
    let profile = std::env::temp_dir().join(format!(
        "payermax-checkout-browser-{}-{port}",
        std::process::id()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let mut driver = Driver {
        child,
        addr: format!("127.0.0.1:{port}"),
        session: None,
        _profile: TempDir(profile.clone()),
    };
    // Ready within 10 s.
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(&driver.addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    }}});
    let session = wd(&driver.addr, "POST", "/session", Some(caps)).await;
    let id = session["sessionId"].as_str().unwrap().to_owned();
    driver.session = Some(id.clone());
    (driver, id)
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; .ci/run runs it with --ignored"]
async fn the_payer_pays_on_the_checkout_page_in_a_real_browser() {
    tokio::time::timeout(Duration::from_secs(90), journey())
        .await
        .expect("the browser journey finishes within 90 s");
}

async fn journey() {
    let sb = common::sandbox_with_test_keys().start().await.unwrap();
    let client = common::builder(sb.base_url()).build().unwrap();
    let mut payments = common::webhook(Kind::CollectResult, sb.platform_public_key().clone()).await;

    // The merchant's result page: records each page return.
    let (tx, mut returns) = mpsc::unbounded_channel();
    let merchant = receiver::start(move |d: receiver::Delivery| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(PageReturn::parse(&d.uri, &d.body));
            let mut r = http::Response::new(Bytes::from_static(
                b"<!doctype html><html lang=\"en\"><title>Back at the shop</title><p>Checking your payment.</p></html>",
            ));
            r.headers_mut()
                .insert("content-type", "text/html; charset=utf-8".parse().unwrap());
            r
        }
    })
    .await
    .unwrap();

    let created = client
        .send(
            &OrderAndPayHostedRequest::new(OrderAndPayHostedRequestRequired {
                out_trade_no: "BROWSER-1".into(),
                integrate: "Hosted_Checkout".into(),
                subject: "A <b>bold</b> mouse".into(),
                total_amount: "12.34".parse::<Amount>().unwrap(),
                currency: "USD".into(),
                user_id: "u".into(),
                front_callback_url: merchant.url("/payment/done"),
            })
            .notify_url(payments.url.clone()),
        )
        .await
        .unwrap()
        .data;

    let (driver, session) = start_driver().await;
    let s = format!("/session/{session}");
    let addr = driver.addr.clone();
    wd(
        &addr,
        "POST",
        &format!("{s}/url"),
        Some(json!({"url": created.redirect_url})),
    )
    .await;
    let title = wd(&addr, "GET", &format!("{s}/title"), None).await;
    assert_eq!(title, "PayerMax sandbox checkout");
    let text = |css: &str| {
        let (addr, s, css) = (addr.clone(), s.clone(), css.to_owned());
        async move {
            let el = wd(
                &addr,
                "POST",
                &format!("{s}/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
            let id = el[ELEMENT].as_str().unwrap().to_owned();
            wd(&addr, "GET", &format!("{s}/element/{id}/text"), None).await
        }
    };
    assert_eq!(text("#amount").await, "12.34 USD");
    assert_eq!(text("#out-trade-no").await, "BROWSER-1");
    assert_eq!(text("#status").await, "PENDING");
    // The subject is shown as text, not markup.
    let source = wd(&addr, "GET", &format!("{s}/source"), None).await;
    assert!(
        source
            .as_str()
            .unwrap()
            .contains("A &lt;b&gt;bold&lt;/b&gt; mouse")
    );
    // Accessible: the buttons are named by their text.
    assert_eq!(text("#pay").await, "Pay");

    let pay = wd(
        &addr,
        "POST",
        &format!("{s}/element"),
        Some(json!({"using": "css selector", "value": "#pay"})),
    )
    .await;
    let pay = pay[ELEMENT].as_str().unwrap().to_owned();
    wd(
        &addr,
        "POST",
        &format!("{s}/element/{pay}/click"),
        Some(json!({})),
    )
    .await;

    // The browser lands on the merchant's page with the page return.
    let back = tokio::time::timeout(Duration::from_secs(20), returns.recv())
        .await
        .expect("the browser returns to frontCallbackUrl")
        .unwrap();
    assert_eq!(back.out_trade_no.as_deref(), Some("BROWSER-1"));
    assert_eq!(
        back.trade_token.as_deref(),
        Some(created.trade_token.as_str())
    );
    assert_eq!(back.claimed_status.as_deref(), Some("SUCCESS"));
    for _ in 0..50 {
        if wd(&addr, "GET", &format!("{s}/title"), None).await == "Back at the shop" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = wd(&addr, "GET", &format!("{s}/url"), None).await;
    assert!(
        url.as_str()
            .unwrap()
            .starts_with(&merchant.url("/payment/done?outTradeNo=BROWSER-1")),
        "{url}"
    );

    // The page return proves nothing: the notification and the query do.
    let Event::CollectResult(n) = payments.next().await.into_event() else {
        panic!("not a payment notification")
    };
    assert_eq!(n.data.status, CollectResultNotifyDataStatus::Success);
    let q = client
        .send(&OrderQueryRequest::new(OrderQueryRequestRequired {
            out_trade_no: "BROWSER-1".into(),
        }))
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(q.status, Some(OrderQueryStatus::Success));

    drop(driver); // deletes the session: Chromium closes

    sb.shutdown().await;
}
