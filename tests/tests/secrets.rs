//! No key material and no signature in any `Debug`, `Display`, error or
//! tracing output of configs, keys or clients.
//!
//! A full call runs against the sandbox over loopback through the real hyper
//! transport (wrapped to record the `sign` header it sends) while a TRACE
//! level subscriber writes every event and span (with their fields) into a
//! buffer. Then every output is searched for the private key in base64
//! (whole, and each 20-character window of it), its DER in hex, and each
//! signature sent and received (whole, and 20-character windows).

mod common;

use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use common::{builder, refund, sandbox};
use payermax_http::{HyperTransport, RequestBody};
use payermax_sandbox::{Fault, FaultRule};
use payermax_test_keys::test_keys;
use payermax_types::legacy_refund_apply::LegacyRefundApply;
use tower_service::Service;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Where the subscriber writes.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// The default transport, recording the `sign` header of each request and
/// of each reply.
#[derive(Clone)]
struct Recording {
    inner: HyperTransport,
    signs: Arc<Mutex<Vec<String>>>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Service<http::Request<RequestBody>> for Recording {
    type Response = <HyperTransport as Service<http::Request<RequestBody>>>::Response;
    type Error = payermax_http::BoxError;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::<http::Request<RequestBody>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        if let Some(s) = req.headers().get("sign") {
            self.signs
                .lock()
                .unwrap()
                .push(s.to_str().unwrap().to_owned());
        }
        let signs = self.signs.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            if let Some(s) = resp.headers().get("sign") {
                signs.lock().unwrap().push(s.to_str().unwrap().to_owned());
            }
            Ok(resp)
        })
    }
}

/// Every secret, as the needles to look for.
fn needles(signs: &[String]) -> Vec<(String, String)> {
    let keys = test_keys();
    let mut out = Vec::new();
    fn windows(out: &mut Vec<(String, String)>, what: &str, s: &str) {
        out.push((format!("{what} (whole)"), s.to_owned()));
        let chars: Vec<char> = s.chars().collect();
        for start in 0..chars.len().saturating_sub(20) {
            let w: String = chars[start..start + 20].iter().collect();
            out.push((format!("{what} [{start}..{}]", start + 20), w));
        }
    }
    for key in [&keys.merchant_private, &keys.payermax_private] {
        windows(&mut out, "private key base64", &key.to_pkcs8_base64());
        let der = key.to_pkcs8_der();
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        for start in (0..hex.len().saturating_sub(32)).step_by(16) {
            out.push((
                format!("private key hex [{start}]"),
                hex[start..start + 32].to_owned(),
            ));
        }
        // Debug of a byte slice: "[48, 130, 4, ...".
        for start in (0..der.len().saturating_sub(8)).step_by(8) {
            let list: Vec<String> = der[start..start + 8].iter().map(u8::to_string).collect();
            out.push((format!("private key bytes [{start}]"), list.join(", ")));
        }
    }
    for (i, s) in signs.iter().enumerate() {
        windows(&mut out, &format!("signature #{i}"), s);
    }
    out
}

fn assert_clean(what: &str, text: &str, needles: &[(String, String)]) {
    for (name, needle) in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{what} contains {name}: {needle:?}\n--- output ---\n{text}"
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_debug_display_errors_or_traces() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // One call that succeeds, one whose reply signature is bad, one refused,
    // one that times out: every path that logs.
    let sb = sandbox(vec![]).await;
    let signs = Arc::new(Mutex::new(Vec::new()));
    let transport = Recording {
        inner: HyperTransport::new(Duration::from_secs(5)).expect("transport"),
        signs: signs.clone(),
    };
    let builder_value = builder(sb.base_url())
        .transport(transport)
        .request_timeout(Some(Duration::from_millis(300)))
        .retry(common::retry());
    let builder_debug = format!("{builder_value:?}");
    let client = builder_value.build().expect("client");
    let mut outputs: Vec<(String, String)> = vec![
        ("ClientBuilder Debug".into(), builder_debug),
        ("Client Debug".into(), format!("{client:?}")),
        ("Client Debug (alternate)".into(), format!("{client:#?}")),
    ];

    let ok = client
        .call::<LegacyRefundApply>(&refund("R-1"))
        .await
        .expect("success");
    outputs.push(("Reply Debug".into(), format!("{ok:?}")));

    let errors = [
        FaultRule::new(Fault::BadSignature).times(1),
        FaultRule::new(Fault::SystemError).times(3),
        FaultRule::new(Fault::Delay(Duration::from_millis(1000))).times(3),
        FaultRule::new(Fault::MissingSignature).times(1),
    ];
    for (i, rule) in errors.into_iter().enumerate() {
        sb.add_fault(rule);
        let e = client
            .call::<LegacyRefundApply>(&refund(&format!("R-{}", i + 2)))
            .await
            .expect_err("fails");
        outputs.push((format!("error #{i} Display"), e.to_string()));
        outputs.push((format!("error #{i} Debug"), format!("{e:?}")));
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            outputs.push((format!("error #{i} source"), format!("{s} / {s:?}")));
            source = s.source();
        }
        sb.clear_faults();
    }

    // Keys, their errors, and builder errors.
    let keys = test_keys();
    outputs.push(("TestKeys Debug".into(), format!("{keys:?}")));
    outputs.push((
        "PrivateKey Debug".into(),
        format!("{:?} {:#?}", keys.merchant_private, keys.payermax_private),
    ));
    outputs.push(("SandboxHandle Debug".into(), format!("{sb:?}")));
    outputs.push((
        "PublicKey Debug".into(),
        format!("{:?}", keys.payermax_public),
    ));
    let pkcs8 = keys.merchant_private.to_pkcs8_base64();
    let mut damaged = pkcs8.to_string();
    damaged.replace_range(100..104, "!!!!");
    for bad in [damaged.as_str(), &pkcs8[..pkcs8.len() - 8], &pkcs8[8..]] {
        if let Err(e) = payermax_http::PrivateKey::parse(bad) {
            outputs.push(("KeyError".into(), format!("{e} / {e:?}")));
        }
        if let Err(e) = payermax_http::PublicKey::parse(bad) {
            outputs.push(("KeyError (public)".into(), format!("{e} / {e:?}")));
        }
    }
    let build_err = payermax_http::Client::builder(payermax_http::Environment::Custom(
        "http://127.0.0.1:9".into(),
    ))
    .private_key(keys.merchant_private.clone())
    .build()
    .expect_err("incomplete");
    outputs.push(("BuildError".into(), format!("{build_err} / {build_err:?}")));

    drop(_guard);
    let traces = String::from_utf8(buffer.0.lock().unwrap().clone()).expect("utf-8");
    // The capture works: the call's span and fields are there.
    assert!(traces.contains("payermax.call"), "{traces}");
    assert!(traces.contains("payermax.attempt"), "{traces}");
    outputs.push(("TRACE output".into(), traces));

    let signs = signs.lock().unwrap().clone();
    assert!(signs.len() >= 6, "signatures recorded: {}", signs.len());
    let needles = needles(&signs);
    for (what, text) in &outputs {
        assert_clean(what, text, &needles);
    }
    sb.shutdown().await;
}
