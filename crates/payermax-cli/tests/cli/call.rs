//! `call` against an in-process sandbox, and its failures.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use payermax_sandbox::{Fault, FaultRule, Sandbox, SandboxBuilder, SandboxHandle, receiver};

use super::common::{Run, payermax, payermax_env, temp_dir, write};

/// A sandbox and the files and flags to call it.
pub struct Setup {
    pub sandbox: SandboxHandle,
    pub merchant_key: String,
    pub platform_key: String,
    dir: std::path::PathBuf,
}

impl Setup {
    pub async fn start(builder: SandboxBuilder) -> Setup {
        let sandbox = builder.start().await.expect("sandbox");
        let dir = temp_dir("call");
        let merchant = sandbox
            .merchant_private_key()
            .expect("generated merchant key");
        let merchant_key = write(&dir, "merchant.pem", merchant.to_pkcs8_pem().as_bytes());
        let platform_key = write(
            &dir,
            "platform.txt",
            sandbox.platform_public_key().to_spki_base64(),
        );
        Setup {
            sandbox,
            merchant_key,
            platform_key,
            dir,
        }
    }

    /// The key and gateway identity flags (no environment, no merchantId).
    pub fn keys(&self) -> [&str; 8] {
        [
            "--merchant-key",
            &self.merchant_key,
            "--platform-key",
            &self.platform_key,
            "--app-id",
            "app-1",
            "--merchant-no",
            "M-1",
        ]
    }

    /// `payermax call OPERATION --data - ...` with `data` on stdin and every
    /// setting given by flags (plus `extra`).
    pub async fn call(&self, operation: &str, data: &str, extra: &[&str]) -> Run {
        self.call_at(self.sandbox.base_url(), operation, data, extra)
            .await
    }

    /// [`Setup::call`] with another `--env`.
    pub async fn call_at(&self, env: &str, operation: &str, data: &str, extra: &[&str]) -> Run {
        let head = ["call", operation, "--data", "-", "--env", env];
        let tail = ["--merchant-id", "SP-1"];
        let args: Vec<String> = head
            .iter()
            .chain(&self.keys())
            .chain(&tail)
            .chain(extra)
            .map(|s| s.to_string())
            .collect();
        let data = data.as_bytes().to_vec();
        let run = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            payermax_env(&args, &data, &[])
        })
        .await
        .unwrap();
        // Whatever happened, the private key appears in no output.
        let key = std::fs::read_to_string(&self.merchant_key).unwrap();
        let der = self
            .sandbox
            .merchant_private_key()
            .unwrap()
            .to_pkcs8_base64();
        for secret in key.lines().skip(1).take(3).chain([&der[100..160]]) {
            assert!(!run.stdout().contains(secret) && !run.stderr.contains(secret));
        }
        run
    }

    pub fn file(&self, name: &str, contents: &str) -> String {
        write(&self.dir, name, contents)
    }
}

const APPLY: &str = r#"{"refundId":"R-CLI-1","orderId":"O-1","amount":"10.00","currency":"INR"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_applied_then_queried_through_the_sandbox() {
    let s = Setup::start(Sandbox::builder()).await;
    let applied = s.call("legacy_refund_apply", APPLY, &[]).await;
    let applied = applied.expect(0).json();
    assert_eq!(applied["operation"], "refundApply");
    assert_eq!(applied["signatureVerified"], true);
    assert!(applied["data"]["tradeNo"].is_string(), "{applied}");
    let query = s
        .call("refundQuery", r#"{"outRefundNo":"R-CLI-1"}"#, &[])
        .await;
    let query = query.expect(0).json();
    assert_eq!(query["code"], "APPLY_SUCCESS");
    let status = query["data"]["status"].as_str().unwrap();
    assert!(
        ["REFUND_PENDING", "REFUND_SUCCESS"].contains(&status),
        "{query}"
    );
    // The same settings from the environment.
    let env = [
        ("PAYERMAX_ENV", s.sandbox.base_url()),
        ("PAYERMAX_APP_ID", "app-1"),
        ("PAYERMAX_MERCHANT_NO", "M-1"),
        ("PAYERMAX_MERCHANT_KEY", s.merchant_key.as_str()),
        ("PAYERMAX_PLATFORM_KEY", s.platform_key.as_str()),
    ];
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let run = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        payermax_env(
            &["call", "refund_query", "--data", "-"],
            br#"{"outRefundNo":"R-CLI-1"}"#,
            &env,
        )
    })
    .await
    .unwrap();
    assert_eq!(run.expect(0).json()["data"]["outRefundNo"], "R-CLI-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_shows_the_exact_reply_and_redacts_the_signature_unless_asked() {
    // Refusals signed (PayerMax leaves them unsigned; the sandbox can sign
    // them) so that a signed refusal's exit code shows.
    let s = Setup::start(Sandbox::builder().sign_refusals(true)).await;
    let run = s.call("legacy_refund_apply", APPLY, &["--raw"]).await;
    let out = run.expect(0).stdout();
    assert!(out.starts_with("HTTP 200\n"), "{out}");
    assert!(out.contains("\nsign: <redacted>\n"), "{out}");
    let shown = s
        .call("legacy_refund_apply", APPLY, &["--raw", "--show-signature"])
        .await;
    let bytes = shown.expect(0).stdout.clone();
    let split = bytes.windows(2).position(|w| w == b"\n\n").unwrap();
    let (head, body) = (
        String::from_utf8_lossy(&bytes[..split]).into_owned(),
        &bytes[split + 2..],
    );
    let sign = head
        .lines()
        .find_map(|l| l.strip_prefix("sign: "))
        .unwrap()
        .to_owned();
    assert_ne!(sign, "<redacted>");
    // The exact bytes: the shown signature verifies over them.
    let body_file = s.file("reply.json", &String::from_utf8_lossy(body));
    payermax(&[
        "verify",
        "--key",
        &s.platform_key,
        "--sign",
        &sign,
        &body_file,
    ])
    .expect(0);
    // A refusal's reply is shown too, with exit 5.
    let refused = s
        .call("refund_query", r#"{"outRefundNo":"NOPE"}"#, &["--raw"])
        .await;
    refused.fails(5, "ORDER_NOT_EXIST");
    assert!(
        refused.stdout().contains("ORDER_NOT_EXIST")
            && refused.stdout().contains("sign: <redacted>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_before_anything_is_sent() {
    let s = Setup::start(Sandbox::builder()).await;
    // Every broken rule, one line per field, without even an environment.
    let long = "9".repeat(65);
    let data = format!(r#"{{"outRefundNo":"{long}","refundAmount":1,"refundCurrency":"EURO"}}"#);
    let run = payermax_env(&["call", "refund", "--data", "-"], data.as_bytes(), &[]);
    run.fails(3, "breaks 2 rule(s) of refund (nothing sent)");
    assert!(
        run.stderr
            .contains("data.outRefundNo: maxLength 64 exceeded (65 characters)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("data.refundCurrency: maxLength 3 exceeded"),
        "{}",
        run.stderr
    );
    s.call("refund", &data, &[]).await.fails(3, "nothing sent");
    // Not JSON, not the operation's request.
    s.call("refund", "{\"outRefundNo\":", &[])
        .await
        .fails(3, "not valid JSON");
    // serde stops at the first missing member; every one is listed.
    let run = s.call("refund", r#"{"outRefundNo":"R-1"}"#, &[]).await;
    run.fails(3, "data: missing field `refundAmount`");
    assert!(
        run.stderr.contains("data.refundAmount: required, missing"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("data.refundCurrency: required, missing"),
        "{}",
        run.stderr
    );
    s.call(
        "refund",
        r#"{"outRefundNo":"R-1","refundAmount":1.5e300,"refundCurrency":"USD"}"#,
        &[],
    )
    .await
    .fails(3, "data.refundAmount: ");
    // Unknown operation; a legacy call without merchantId.
    s.call("refundz", "{}", &[])
        .await
        .fails(2, "unknown operation");
    let mut args = vec![
        "call",
        "legacy_refund_apply",
        "--data",
        "-",
        "--env",
        s.sandbox.base_url(),
    ];
    args.extend_from_slice(&s.keys());
    let no_id = payermax_env(&args, APPLY.as_bytes(), &[]);
    no_id.fails(2, "merchant_id");
    assert!(s.sandbox.refunds().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_are_named_never_defaulted() {
    let s = Setup::start(Sandbox::builder()).await;
    let data = r#"{"outRefundNo":"R-1"}"#;
    let keys = s.keys();
    let with = |env: &[&str]| {
        let mut args = vec!["call", "refund_query", "--data", "-"];
        args.extend_from_slice(env);
        args.extend_from_slice(&keys);
        payermax_env(&args, data.as_bytes(), &[])
    };
    with(&[]).fails(2, "no environment");
    with(&["--env", "staging"]).fails(2, "not uat, production or a URL");
    with(&["--env", "http://pay-gate-uat.payermax.com"]).fails(2, "refusing plain http://");
    // Unreachable: nothing listens on port 1 of loopback.
    with(&["--env", "http://127.0.0.1:1"]).fails(4, "transport failed");
    let write = [
        "call",
        "refund",
        "--data",
        "-",
        "--env",
        "http://127.0.0.1:1",
    ];
    let refund =
        r#"{"outRefundNo":"R-1","refundAmount":1,"refundCurrency":"USD","outTradeNo":"O-1"}"#;
    let args: Vec<&str> = write.iter().chain(keys.iter()).copied().collect();
    // A refused connection proves nothing was sent: transport, not ambiguous.
    payermax_env(&args, refund.as_bytes(), &[]).fails(4, "transport failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ambiguous_writes_name_their_settling_query() {
    let s = Setup::start(
        Sandbox::builder().fault(FaultRule::new(Fault::Status(503)).on_operation("refund")),
    )
    .await;
    let refund = r#"{"outRefundNo":"R-AMB","refundAmount":"1.00","refundCurrency":"USD","outTradeNo":"O-1"}"#;
    let run = s.call("refund", refund, &[]).await;
    run.fails(6, "the outcome of refund is unknown");
    assert!(
        run.stderr
            .contains(r#"echo '{"outRefundNo":"R-AMB"}' | payermax call refund_query --data -"#),
        "{}",
        run.stderr
    );
    // A read failing the same way is a transport failure.
    let s2 = Setup::start(
        Sandbox::builder().fault(FaultRule::new(Fault::Status(503)).on_operation("refundQuery")),
    )
    .await;
    s2.call("refund_query", r#"{"outRefundNo":"R-1"}"#, &[])
        .await
        .fails(4, "HTTP status 503");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_failures_exit_7() {
    // PayerMax leaves refusals unsigned: they prove nothing.
    let unsigned = Setup::start(Sandbox::builder().sign_refusals(false)).await;
    unsigned
        .call("refund_query", r#"{"outRefundNo":"NOPE"}"#, &[])
        .await
        .fails(7, "unsigned refusal");
    // Replies (refusals included) signed with another key than the one given.
    let mut s = Setup::start(Sandbox::builder().sign_refusals(true)).await;
    let other = Setup::start(Sandbox::builder()).await;
    s.platform_key = other.platform_key.clone();
    s.call("refund_query", r#"{"outRefundNo":"R-1"}"#, &[])
        .await
        .fails(7, "reply signature invalid");
    // For a write, a reply that cannot be trusted leaves the outcome unknown.
    let run = s.call("legacy_refund_apply", APPLY, &[]).await;
    run.fails(6, "the outcome of refundApply is unknown");
    assert!(run.stderr.contains("signature"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_are_sent_exactly_as_written() {
    let s = Setup::start(Sandbox::builder()).await;
    // A server that records what arrives and answers an unsigned `{}`.
    let bodies: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let seen = bodies.clone();
    let server = receiver::start(move |d| {
        seen.lock().unwrap().push(d.body);
        async { http::Response::new(Bytes::from_static(b"{}")) }
    })
    .await
    .unwrap();
    let refund = r#"{"outRefundNo":"R-X","refundAmount":12345678901234567.89,"refundCurrency":"USD","outTradeNo":"O-1"}"#;
    // The unsigned reply leaves the write's outcome unknown.
    s.call_at(&server.url(""), "refund", refund, &[])
        .await
        .fails(6, "unknown");
    let sent = bodies.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let text = String::from_utf8_lossy(&sent[0]).into_owned();
    assert!(
        text.contains(r#""refundAmount":12345678901234567.89"#),
        "{text}"
    );
    // The scale is kept too.
    let refund = refund.replace("12345678901234567.89", "10.10");
    s.call_at(&server.url(""), "refund", &refund, &[])
        .await
        .fails(6, "unknown");
    let text = String::from_utf8_lossy(&bodies.lock().unwrap()[1]).into_owned();
    assert!(text.contains(r#""refundAmount":10.10"#), "{text}");
}
