//! `webhook verify` and `webhook listen`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use bytes::Bytes;
use payermax_sandbox::{Sandbox, receiver};

use super::call::Setup;
use super::common::{OpensslKeys, Run, payermax, payermax_env, temp_dir, write};

/// PayerMax's documented example of what it sends for `id`, compact.
fn documented(id: &str) -> String {
    let all: serde_json::Value = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).unwrap();
    let spec = all["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap();
    spec["requestExamples"][0].to_string()
}

/// PayerMax's documented refund notification, compact.
fn refund_notification() -> String {
    documented("refund_result_notify")
}

/// `payermax webhook verify --platform-key KEY --sign SIGN EXTRA... -`
/// with `body` on stdin and `env`.
fn verify(key: &str, sign: &str, extra: &[&str], body: &str, env: &[(&str, &str)]) -> Run {
    let mut args = vec!["webhook", "verify", "--platform-key", key, "--sign", sign];
    args.extend_from_slice(extra);
    args.push("-");
    payermax_env(&args, body.as_bytes(), env)
}

#[test]
fn verify_decodes_a_signed_notification_and_rejects_a_changed_byte() {
    let dir = temp_dir("webhook-verify");
    let keys = OpensslKeys::new(&dir);
    let key = keys.public_pem.as_str();
    let body = refund_notification();
    let sign = keys.sign(&dir, body.as_bytes());
    for kind in [&["--kind", "refund_result_notify"][..], &[]] {
        let out = verify(key, &sign, kind, &body, &[]).expect(0).json();
        assert_eq!(out["kind"], "refund_result_notify");
        assert_eq!(out["notifyType"], "REFUND");
        assert_eq!(
            out["acknowledgement"],
            r#"{"code":"SUCCESS","msg":"Success"}"#
        );
        assert_eq!(out["event"]["data"]["outRefundNo"], "R1642411016202");
        assert_eq!(out["event"]["data"]["status"], "REFUND_SUCCESS");
        let idempotency = out["idempotencyKey"].as_str().unwrap();
        assert!(
            idempotency.starts_with("refund_result_notify:"),
            "{idempotency}"
        );
    }
    // The body from a file.
    let file = write(&dir, "n.json", &body);
    payermax(&[
        "webhook",
        "verify",
        "--platform-key",
        key,
        "--sign",
        &sign,
        &file,
    ])
    .expect(0);
    // Changed byte, missing key, unknown kind, another merchant's, not JSON.
    let changed = body.replacen("R1642411016202", "R1642411016203", 1);
    verify(key, &sign, &[], &changed, &[]).fails(7, "signature");
    payermax(&["webhook", "verify", "--sign", &sign, &file]).fails(2, "PAYERMAX_PLATFORM_KEY");
    verify(key, &sign, &["--kind", "refund"], &body, &[]).fails(2, "unknown kind");
    verify(key, &sign, &["--merchant-no", "OTHER"], &body, &[]).fails(3, "merchantNo");
    verify(key, &sign, &[], &body, &[("PAYERMAX_MERCHANT_NO", "OTHER")]).fails(3, "merchantNo");
    let not_json = "not json";
    let sign2 = keys.sign(&dir, not_json.as_bytes());
    verify(key, &sign2, &[], not_json, &[]).fails(3, "rejected");
}

/// A running `payermax webhook listen`: its address and its stdout lines.
struct Listener {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
}

impl Listener {
    fn start(args: &[&str]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payermax"))
            .args(["webhook", "listen", "--port", "0"])
            .args(args)
            .env_remove("PAYERMAX_MERCHANT_NO")
            .env_remove("PAYERMAX_APP_ID")
            .env_remove("PAYERMAX_MERCHANT_ID")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Listener { child, url, lines }
    }

    fn next_event(&self) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(10))
            .expect("an event line");
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POSTs `body` with `sign` to `url` (plain HTTP/1.1); status and body.
fn post(url: &str, path: &str, sign: &str, body: &str) -> (u16, String) {
    let addr = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nsign: {sign}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let status = reply[9..12].parse().unwrap();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_prints_acknowledges_and_forwards() {
    let dir = temp_dir("webhook-listen");
    let keys = OpensslKeys::new(&dir);
    let forwarded: Arc<Mutex<Vec<receiver::Delivery>>> = Arc::default();
    let seen = forwarded.clone();
    let target = receiver::start(move |d| {
        seen.lock().unwrap().push(d);
        async { http::Response::new(Bytes::from_static(b"merchant ok")) }
    })
    .await
    .unwrap();
    let forward_url = target.url("/payermax/refunds");
    let listener = Listener::start(&[
        "--platform-key",
        &keys.public_pem,
        "--forward",
        &forward_url,
    ]);
    let body = refund_notification();
    let sign = keys.sign(&dir, body.as_bytes());
    let (url, s, b) = (listener.url.clone(), sign.clone(), body.clone());
    let (status, ack) = tokio::task::spawn_blocking(move || post(&url, "/notify", &s, &b))
        .await
        .unwrap();
    assert_eq!(
        (status, ack.as_str()),
        (200, r#"{"code":"SUCCESS","msg":"Success"}"#)
    );
    let event = listener.next_event();
    assert_eq!(event["kind"], "refund_result_notify");
    assert_eq!(event["event"]["data"]["outRefundNo"], "R1642411016202");
    // Forwarded: exact body and sign header.
    for _ in 0..100 {
        if !forwarded.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    {
        let got = forwarded.lock().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, body.as_bytes());
        assert_eq!(got[0].sign.as_deref(), Some(sign.as_str()));
        assert_eq!(got[0].uri.path(), "/payermax/refunds");
    }
    // A bad signature: refused, not printed, not forwarded.
    let tampered = body.replacen("REFUND_SUCCESS", "REFUND_FAILED", 1);
    let url = listener.url.clone();
    let (status, _) = tokio::task::spawn_blocking(move || post(&url, "/notify", &sign, &tampered))
        .await
        .unwrap();
    assert_eq!(status, 401);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(forwarded.lock().unwrap().len(), 1);
    assert!(listener.lines.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_receives_the_sandboxs_refund_notification() {
    let s = Setup::start(Sandbox::builder()).await;
    let listener = Listener::start(&[
        "--platform-key",
        &s.platform_key,
        "--kind",
        "legacy_refund_notify",
    ]);
    let apply = format!(
        r#"{{"refundId":"R-LISTEN","orderId":"O-1","amount":"10.00","currency":"INR","callbackUrl":"{}/refunds"}}"#,
        listener.url
    );
    s.call("legacy_refund_apply", &apply, &[]).await.expect(0);
    // Queries move the refund on; the sandbox then notifies.
    for _ in 0..3 {
        s.call("refund_query", r#"{"outRefundNo":"R-LISTEN"}"#, &[])
            .await
            .expect(0);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let event = tokio::task::spawn_blocking(move || {
        let e = listener.next_event();
        drop(listener);
        e
    })
    .await
    .unwrap();
    assert_eq!(event["kind"], "legacy_refund_notify");
    assert_eq!(event["event"]["refundId"], "R-LISTEN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_answers_a_synchronous_callback_with_the_forwarded_answer() {
    let dir = temp_dir("webhook-sync");
    let keys = OpensslKeys::new(&dir);
    let body = documented("bill_payment_validation");
    let sign = keys.sign(&dir, body.as_bytes());
    const ANSWER: &[u8] = br#"{"code":"SUCCESS","msg":"Success","data":{"billAmount":"10.00"}}"#;
    let target = receiver::start(|_| async { http::Response::new(Bytes::from_static(ANSWER)) })
        .await
        .unwrap();
    let kind = ["--kind", "bill_payment_validation"];
    let forwarding = Listener::start(
        &[
            &[
                "--platform-key",
                &keys.public_pem,
                "--forward",
                &target.url("/bills"),
            ][..],
            &kind,
        ]
        .concat(),
    );
    let alone = Listener::start(&[&["--platform-key", &keys.public_pem][..], &kind].concat());
    let (a, b, s, body2) = (
        forwarding.url.clone(),
        alone.url.clone(),
        sign.clone(),
        body.clone(),
    );
    let (answered, unanswered) = tokio::task::spawn_blocking(move || {
        (
            post(&a, "/bills", &s, &body2),
            post(&b, "/bills", &s, &body2),
        )
    })
    .await
    .unwrap();
    assert_eq!(
        answered,
        (200, String::from_utf8_lossy(ANSWER).into_owned())
    );
    // Without a server to answer, the callback is printed and answered 500.
    assert_eq!(unanswered.0, 500);
    for listener in [forwarding, alone] {
        let event = tokio::task::spawn_blocking(move || listener.next_event())
            .await
            .unwrap();
        assert_eq!(event["kind"], "bill_payment_validation");
        assert_eq!(event["acknowledgement"], serde_json::Value::Null);
    }
}
