//! Every outbound operation of the generated data file is served: its
//! documented request examples, freshly timed and signed, get the documented
//! reply (with the request's identifiers where the reply echoes them: the
//! data file's `echo`); the examples the document itself gets wrong (doc issues that leave
//! an example at odds with its schema) get `PARAMS_INVALID` naming the field.
//! The list of operations is the data file's, never one written here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sandbox::{
    APPLY_SUCCESS, LEGACY_BASE_PATH, LEGACY_SUCCESS, STATEFUL_OPERATIONS, Sandbox, SandboxHandle,
    format_rfc3339_millis,
};
use payermax_sign::PrivateKey;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::net::TcpStream;

/// What the sandbox serves: the file `cargo xtask codegen` writes.
const OPERATIONS_JSON: &str = include_str!("../src/generated/operations.json");

/// The appId and merchantNo this test's merchant is configured with.
const APP_ID: &str = "sandbox-test-app";
const MERCHANT_NO: &str = "SP-SANDBOX-TEST";

#[derive(Deserialize)]
struct Data {
    operations: Vec<Operation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operation {
    id: String,
    operation: String,
    api: String,
    direction: String,
    path: Option<String>,
    request_examples: Vec<Box<RawValue>>,
    request_example_issues: Vec<Issue>,
    reply_examples: Vec<Value>,
    reply_data_fallback: Option<Value>,
    #[serde(default)]
    echo: Vec<Echo>,
}

/// A request identifier the reply carries back: request field, reply path.
#[derive(Deserialize)]
struct Echo {
    request: String,
    reply: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    id: String,
    field: String,
    refused_in: Vec<usize>,
}

impl Operation {
    fn legacy(&self) -> bool {
        self.api == "legacy-v2.1"
    }

    fn url_path(&self) -> &str {
        if self.legacy() {
            LEGACY_BASE_PATH
        } else {
            self.path.as_deref().expect("outbound gateway path")
        }
    }

    /// The reply `data` a success carries: the data file's fallback (there
    /// when the document has no reply example or its first does not decode
    /// as documented), else the first reply example's (`None`: no `data`).
    fn reply_data(&self) -> Option<&Value> {
        match &self.reply_data_fallback {
            Some(fallback) => Some(fallback),
            None => self.reply_examples.first().and_then(|e| e.get("data")),
        }
    }

    /// The reply `data` a success to `request` carries: [`Self::reply_data`]
    /// with the request's identifiers where the reply echoes them (where the
    /// reply has the field and the request a value).
    fn reply_data_for(&self, request: &Value) -> Option<Value> {
        let mut data = self.reply_data()?.clone();
        let payload = if self.legacy() {
            request
        } else {
            &request["data"]
        };
        for e in &self.echo {
            let Some(sent) = payload.get(&e.request).filter(|v| !v.is_null()) else {
                continue;
            };
            if let Some(slot) = data.pointer_mut(&format!("/{}", e.reply.replace('.', "/"))) {
                *slot = sent.clone();
            }
        }
        Some(data)
    }

    /// The doc issues that leave request example `i` invalid.
    fn refusing(&self, i: usize) -> Vec<&Issue> {
        self.request_example_issues
            .iter()
            .filter(|issue| issue.refused_in.contains(&i))
            .collect()
    }
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(OPERATIONS_JSON).expect("operations.json"))
}

fn merchant() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate().unwrap())
}

/// The example as sent: every member verbatim but a fresh `requestTime` and
/// the configured `appId`/`merchantNo` where the example has them.
fn request_body(example: &RawValue) -> String {
    let mut members: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(example.get()).expect("a request example is an object");
    let now = format_rfc3339_millis(payermax_sandbox::Clock::now_millis(
        &payermax_sandbox::SystemClock,
    ));
    for (key, value) in [
        ("requestTime", now.as_str()),
        ("appId", APP_ID),
        ("merchantNo", MERCHANT_NO),
    ] {
        if let Some(slot) = members.get_mut(key) {
            *slot = serde_json::value::to_raw_value(value).unwrap();
        }
    }
    serde_json::to_string(&members).unwrap()
}

struct Reply {
    status: StatusCode,
    sign: Option<String>,
    body: Bytes,
}

async fn post(sb: &SandboxHandle, path: &str, body: String) -> Reply {
    let sign = merchant().sign(body.as_bytes()).unwrap();
    let stream = TcpStream::connect(sb.local_addr()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("host", sb.local_addr().to_string())
        .header("content-type", "application/json")
        .header("sign", sign)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status();
    let sign = resp
        .headers()
        .get("sign")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply { status, sign, body }
}

/// A message's field paths with array indices dropped: `a[0].b` -> `a[].b`.
fn without_indices(msg: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in msg.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push(c);
            }
            ']' => {
                in_index = false;
                out.push(c);
            }
            c if in_index && c.is_ascii_digit() => {}
            c => out.push(c),
        }
    }
    out
}

/// How the sandbox answered one example.
#[derive(Debug, Default)]
struct Tally {
    /// Answered with the example's own operation's reply data.
    served: usize,
    /// Answered with an earlier variant's reply data (it accepts the example too).
    earlier_variant: usize,
    /// Refused with PARAMS_INVALID, as the doc issues foretell.
    refused: usize,
    /// Refused by its own variant but accepted by another one of its path.
    other_variant: usize,
    /// Answered from the sandbox's state.
    stateful: usize,
}

#[tokio::test]
async fn every_documented_request_example_gets_its_documented_reply() {
    // Refusals signed too, so that every reply is verified.
    let sb = Sandbox::builder()
        .sign_refusals(true)
        .merchant_public_key(merchant().public_key())
        .start()
        .await
        .unwrap();
    let platform = sb.platform_public_key().clone();
    let outbound: Vec<&Operation> = data()
        .operations
        .iter()
        .filter(|o| o.direction == "outbound")
        .collect();
    let mut tally = Tally::default();
    for op in &outbound {
        assert!(
            !op.request_examples.is_empty(),
            "{}: no request example",
            op.id
        );
        // The operations served at the same place, in the data file's order:
        // the sandbox answers with the first whose schema a request satisfies.
        let variants: Vec<&Operation> = outbound
            .iter()
            .copied()
            .filter(|o| {
                o.url_path() == op.url_path() && (!op.legacy() || o.operation == op.operation)
            })
            .collect();
        let k = variants.iter().position(|o| o.id == op.id).unwrap();
        for (i, example) in op.request_examples.iter().enumerate() {
            let at = format!("{} request example {i}", op.id);
            let sent: Value = serde_json::from_str(example.get()).unwrap();
            let reply = post(&sb, op.url_path(), request_body(example)).await;
            assert_eq!(reply.status, StatusCode::OK, "{at}");
            let sign = reply
                .sign
                .as_deref()
                .unwrap_or_else(|| panic!("{at}: unsigned"));
            platform
                .verify(&reply.body, sign)
                .unwrap_or_else(|e| panic!("{at}: signature: {e}"));
            let v: Value = serde_json::from_slice(&reply.body).unwrap();
            let (code, msg) = if op.legacy() {
                (&v["bizCode"], &v["message"])
            } else {
                (&v["code"], &v["msg"])
            };
            let success = if op.legacy() {
                LEGACY_SUCCESS
            } else {
                APPLY_SUCCESS
            };
            let answered_by = |js: Vec<usize>| {
                code == success
                    && js
                        .into_iter()
                        .any(|j| v.get("data") == variants[j].reply_data_for(&sent).as_ref())
            };
            // Past the signature, time and validation checks.
            let got_into_the_operation = |code: &Value| {
                !["PARAMS_INVALID", "SIGN_VERIFY_FAILED", "REQ_TIME_OVER_TIME"]
                    .contains(&code.as_str().unwrap_or_default())
            };
            let refusing = op.refusing(i);
            if !refusing.is_empty() {
                if code == "PARAMS_INVALID" {
                    tally.refused += 1;
                    // The message speaks of the first variant's schema.
                    let msg = without_indices(msg.as_str().unwrap());
                    assert!(
                        k > 0 || refusing.iter().any(|issue| msg.contains(&issue.field)),
                        "{at}: {msg} names none of {:?}",
                        refusing.iter().map(|i| &i.id).collect::<Vec<_>>()
                    );
                } else if STATEFUL_OPERATIONS.contains(&op.operation.as_str()) {
                    // Accepted by another variant and answered by its journey.
                    tally.stateful += 1;
                    assert!(got_into_the_operation(code), "{at}: {v}");
                } else {
                    tally.other_variant += 1;
                    assert!(
                        answered_by((0..variants.len()).filter(|j| *j != k).collect()),
                        "{at}: neither refused nor another variant's reply: {v}"
                    );
                }
            } else if STATEFUL_OPERATIONS.contains(&op.operation.as_str()) {
                // Answered by a journey: the example got past
                // signature, time and validation checks into the operation.
                tally.stateful += 1;
                assert!(got_into_the_operation(code), "{at}: {v}");
            } else if answered_by(vec![k]) {
                tally.served += 1;
                assert_eq!(v.get("data"), op.reply_data_for(&sent).as_ref(), "{at}");
            } else {
                tally.earlier_variant += 1;
                assert!(
                    answered_by((0..k).collect()),
                    "{at}: expected {success} with data {:?}, got {v}",
                    op.reply_data_for(&sent)
                );
            }
        }
    }
    println!("{tally:?}");
    // Journeys (payments, refunds, payouts, subscriptions, tokens) answer
    // from their state, the rest from their examples.
    assert!(tally.served >= 20, "{tally:?}");
    assert!(tally.refused >= 1 && tally.stateful >= 30, "{tally:?}");
}
