//! End to end, driven by the generated registry: every outbound operation
//! goes through the client (hyper transport, loopback) to the sandbox and
//! its verified reply is decoded into the generated type; every
//! notification is signed as PayerMax signs it, then verified and decoded.
//! No list of operations is kept here: adding a spec adds a case.
//!
//! The request of each call is the document's first request example that
//! decodes as documented (a recorded doc issue may say an example does not:
//! the schema wins), or else a minimal value built from the schema.

mod common;

use payermax_http::Error;
use payermax_http::notification::{acknowledgement, verify_notification};
use payermax_http::test_util::{CannedReply, ReplayingTransport};
use payermax_sandbox::{OPERATIONS_JSON, STATEFUL_OPERATIONS};
use payermax_test_keys::test_keys;
use payermax_tests::schema_values::minimal;
use payermax_types::registry::{visit_notifications, visit_operations};
use payermax_types::{
    ApiGeneration, Notification, NotificationVisitor, Operation, OperationInfo, OperationVisitor,
    ResultCode,
};
use serde_json::Value;

/// Kinds whose decision is "the schema wins, the example does not decode"
/// (or that the sandbox, an independent validator, refuses).
const UNUSABLE: [&str; 4] = [
    "example-wrong",
    "example-incomplete",
    "example-length",
    "example-enum",
];

fn operation_data(id: &str) -> Value {
    let data: Value = serde_json::from_str(OPERATIONS_JSON).expect("JSON");
    data["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .find(|o| o["id"] == id)
        .unwrap_or_else(|| panic!("{id}: not in the operations data"))
        .clone()
}

/// The request payload the caller builds: from a usable example, or minimal.
fn payload(op: &Value, api: ApiGeneration) -> (Value, &'static str) {
    let unusable: Vec<u64> = op["requestExampleIssues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| UNUSABLE.contains(&i["kind"].as_str().unwrap_or("")))
        .flat_map(|i| i["refusedIn"].as_array().cloned().unwrap_or_default())
        .filter_map(|n| n.as_u64())
        .collect();
    let example = op["requestExamples"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .find(|(i, _)| !unusable.contains(&(*i as u64)))
        .map(|(_, e)| e.clone());
    let strip = |mut body: Value| match api {
        ApiGeneration::LegacyV21 => {
            for f in payermax_types::registry::LEGACY_ENVELOPE {
                body.as_object_mut().expect("object").remove(*f);
            }
            body
        }
        _ => body["data"].clone(),
    };
    match example {
        Some(e) => (strip(e), "example"),
        None => {
            let schema = &op["requestSchema"];
            let built = match api {
                ApiGeneration::LegacyV21 => minimal(schema),
                _ => serde_json::json!({ "data": minimal(&schema["properties"]["data"]) }),
            };
            (strip(built), "minimal")
        }
    }
}

struct Calls {
    client: payermax_http::Client,
    runtime: tokio::runtime::Handle,
    sent: Vec<(&'static str, &'static str)>,
    failures: Vec<String>,
}

impl OperationVisitor for Calls {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        let op = operation_data(info.id);
        let (payload, source) = payload(&op, O::API);
        let request: O::Request = match serde_json::from_value(payload.clone()) {
            Ok(r) => r,
            Err(e) => {
                self.failures.push(format!(
                    "{}: the {source} payload does not decode: {e}",
                    info.id
                ));
                return;
            }
        };
        let client = self.client.clone();
        let result =
            tokio::task::block_in_place(|| self.runtime.block_on(client.call::<O>(&request)));
        match result {
            Ok(reply) => {
                assert!(reply.signature_verified, "{}", info.id);
                assert!(
                    matches!(
                        reply.code,
                        ResultCode::ApplySuccess | ResultCode::LegacySuccess
                    ),
                    "{}",
                    info.id
                );
                // What the sandbox answered is the document's reply example
                // (the refund calls are answered from its store instead):
                // the decoded data says the same.
                // (The data file's minimal reply where the document has no
                // example or its example does not decode as documented.)
                let mut expected = match op.get("replyDataFallback") {
                    Some(fallback) => fallback.clone(),
                    None => op["replyExamples"][0]["data"].clone(),
                };
                // ... with the request's identifiers where the reply echoes
                // them (`Operation::ECHO`): the client checked they match.
                for e in O::ECHO {
                    let pointer = format!("/{}", e.reply_field.replace('.', "/"));
                    if let (Some(sent), Some(slot)) = (
                        payload.get(e.request_field).filter(|v| !v.is_null()),
                        expected.pointer_mut(&pointer),
                    ) {
                        *slot = sent.clone();
                    }
                }
                if !expected.is_null() && !STATEFUL_OPERATIONS.contains(&O::NAME) {
                    let expected: O::Response =
                        serde_json::from_value(expected).expect("the served reply decodes");
                    assert_eq!(
                        serde_json::to_value(&reply.data).unwrap(),
                        serde_json::to_value(&expected).unwrap(),
                        "{}",
                        info.id
                    );
                }
                self.sent.push((info.id, source));
            }
            // The refund calls are answered from the sandbox's store: an
            // unknown refund is a signed refusal, still a verified reply.
            Err(Error::Refused { .. }) if STATEFUL_OPERATIONS.contains(&O::NAME) => {
                self.sent.push((info.id, source));
            }
            Err(e) => self
                .failures
                .push(format!("{} ({source} payload {payload}): {e}", info.id)),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_through_the_client_to_the_sandbox() {
    let sandbox = common::sandbox(Vec::new()).await;
    let client = common::builder(sandbox.base_url()).build().expect("client");
    let mut calls = Calls {
        client,
        runtime: tokio::runtime::Handle::current(),
        sent: Vec::new(),
        failures: Vec::new(),
    };
    visit_operations(&mut calls);
    assert!(calls.failures.is_empty(), "{}", calls.failures.join("\n"));
    let outbound = payermax_types::registry::OPERATIONS
        .iter()
        .filter(|i| i.kind == payermax_types::Kind::Operation)
        .count();
    assert_eq!(
        calls.sent.len(),
        outbound,
        "every outbound operation was sent"
    );
    // The 39 calls of the document (orderAndPay in its 6 documentation modes
    // and applyDropinSession in its 2, one request type each) and the legacy
    // refundApply.
    assert_eq!(outbound, 40);
    let minimal: Vec<&str> = calls
        .sent
        .iter()
        .filter(|(_, s)| *s == "minimal")
        .map(|(id, _)| *id)
        .collect();
    eprintln!(
        "{} operations sent; from a minimal payload (no example decodes as documented): {minimal:?}",
        calls.sent.len()
    );
    sandbox.shutdown().await;
}

struct Notifications {
    checked: Vec<&'static str>,
    failures: Vec<String>,
}

impl NotificationVisitor for Notifications {
    fn visit<N: Notification>(&mut self, info: &'static OperationInfo) {
        let keys = test_keys();
        let op = operation_data(info.id);
        let example = op["requestExamples"][0].clone();
        let body = serde_json::to_vec(&example).expect("serializes");
        let sign = keys.payermax_private.sign(&body).expect("signs");
        match verify_notification::<N>(&keys.payermax_public, &body, Some(&sign)) {
            Ok(decoded) => {
                // Decoding what PayerMax sent loses nothing the schema knows.
                let again = serde_json::to_vec(&decoded).expect("serializes");
                let twice: N::Body = serde_json::from_slice(&again).expect("decodes again");
                assert_eq!(
                    serde_json::to_value(&twice).unwrap(),
                    serde_json::to_value(&decoded).unwrap(),
                    "{}",
                    info.id
                );
            }
            Err(e) => self.failures.push(format!("{}: {e}", info.id)),
        }
        // A body changed after signing is refused before anything is parsed.
        let mut tampered = body.clone();
        tampered.push(b' ');
        if verify_notification::<N>(&keys.payermax_public, &tampered, Some(&sign)).is_ok() {
            self.failures
                .push(format!("{}: tampered body accepted", info.id));
        }
        if verify_notification::<N>(&keys.payermax_public, &body, None).is_ok() {
            self.failures
                .push(format!("{}: unsigned body accepted", info.id));
        }
        // The acknowledgement is the document's, without `data`: only the
        // bill payment notification's example has one, the crediting
        // confirmation of a sample order, which its page says is optional
        // (payermax-webhook's `Kind::acknowledgement` leaves it out).
        let mut documented: Value = op["replyExamples"][0].clone();
        if let Some(members) = documented.as_object_mut() {
            members.remove("data");
        }
        let ack: Value = serde_json::from_slice(acknowledgement::<N>()).expect("JSON");
        if ack != documented {
            self.failures.push(format!(
                "{}: acknowledgement {ack} is not the documented {documented}",
                info.id
            ));
        }
        self.checked.push(info.id);
    }
}

#[test]
fn every_notification_is_verified_then_decoded() {
    let mut n = Notifications {
        checked: Vec::new(),
        failures: Vec::new(),
    };
    visit_notifications(&mut n);
    assert!(n.failures.is_empty(), "{}", n.failures.join("\n"));
    // 16 notifications of the document and the legacy refund notification.
    assert_eq!(n.checked.len(), 17, "{:?}", n.checked);
}

/// Whether the document leaves the reply's `data` optional (not required,
/// or nullable), as the sandbox's data file (derived from the spec) says.
fn data_is_optional(op: &Value) -> bool {
    let schema = &op["replySchema"];
    let required = schema["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|f| f == "data"));
    let nullable = schema["properties"]["data"]["type"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "null"));
    !required || nullable
}

struct DataShapes {
    runtime: tokio::runtime::Handle,
    optional: Vec<&'static str>,
    failures: Vec<String>,
}

impl OperationVisitor for DataShapes {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        let keys = test_keys();
        let op = operation_data(info.id);
        let (payload, _) = payload(&op, O::API);
        let Ok(request) = serde_json::from_value::<O::Request>(payload) else {
            return; // reported by every_operation_through_the_client_to_the_sandbox
        };
        let optional = data_is_optional(&op);
        if optional {
            self.optional.push(info.id);
        }
        let (absent, null) = match O::API {
            ApiGeneration::LegacyV21 => (
                r#"{"bizCode":"0000","message":"ok"}"#,
                r#"{"bizCode":"0000","message":"ok","data":null}"#,
            ),
            _ => (
                r#"{"code":"APPLY_SUCCESS","msg":"Success."}"#,
                r#"{"code":"APPLY_SUCCESS","msg":"Success.","data":null}"#,
            ),
        };
        for (shape, body) in [("absent", absent), ("null", null)] {
            let t = ReplayingTransport::unsigned();
            t.push(CannedReply::json(200, body).signed(&keys.payermax_private));
            let client = common::builder("http://127.0.0.1:9")
                .transport(t)
                .build()
                .expect("client");
            let result =
                tokio::task::block_in_place(|| self.runtime.block_on(client.call::<O>(&request)));
            match (optional, result) {
                // Optional data: a success without it decodes, as "no data".
                (true, Ok(reply)) => {
                    if serde_json::to_value(&reply.data).unwrap() != Value::Null {
                        self.failures
                            .push(format!("{}: data {shape} is not None", info.id));
                    }
                }
                (true, Err(e)) => self
                    .failures
                    .push(format!("{}: data {shape} does not decode: {e}", info.id)),
                // Required data: a decoding error (for a write, the cause of
                // its ambiguous outcome).
                (false, Err(e)) => {
                    let cause = match &e {
                        Error::Ambiguous(a) => &a.cause,
                        other => other,
                    };
                    if !matches!(cause, Error::Decode { .. }) {
                        self.failures
                            .push(format!("{}: data {shape}: {e:?}", info.id));
                    }
                }
                (false, Ok(_)) => self.failures.push(format!(
                    "{}: data {shape} accepted where the document requires it",
                    info.id
                )),
            }
        }
    }
}

/// A success reply whose `data` is absent or `null` decodes (as `None`) for
/// every operation whose document leaves `data` optional, and is a decoding
/// error where the document requires it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_data_absent_or_null_decodes_where_optional() {
    let mut shapes = DataShapes {
        runtime: tokio::runtime::Handle::current(),
        optional: Vec::new(),
        failures: Vec::new(),
    };
    visit_operations(&mut shapes);
    assert!(shapes.failures.is_empty(), "{}", shapes.failures.join("\n"));
    shapes.optional.sort_unstable();
    assert_eq!(
        shapes.optional,
        [
            "apply_ddc",
            "cancel",
            "capture",
            "create_paybylink",
            "expire_paybylink",
            "inquire_payment_token",
            "order_and_pay_auth_direct",
            "order_and_pay_auth_drop_in",
            "order_and_pay_direct",
            "order_and_pay_drop_in",
            "order_confirm",
            "order_query",
            "payment_order_pay",
            "payment_order_qry",
            "put_rfi_material_list",
            "query_paybylink",
            "refund_query",
        ]
    );
}
