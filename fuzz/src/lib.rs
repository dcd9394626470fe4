//! The bodies of the fuzz targets, shared by the libFuzzer binaries in
//! `fuzz_targets/`. Each function takes arbitrary bytes and must neither
//! panic nor break the invariant it asserts, whatever the input.
//!
//! Input layout of the targets that take a header and a body: byte 0 selects
//! the variant, then the `sign` header value up to the first `\n`, then the
//! body (see `split`).

use std::str::FromStr;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use payermax_http::test_util::{CannedReply, ReplayingTransport};
use payermax_http::{Client, Environment};
use payermax_sign::{Backend, PrivateKey, PublicKey};
use payermax_test_keys::test_keys;
use payermax_types::legacy_refund_apply::{
    LegacyRefundApplyRequest, LegacyRefundApplyRequestRequired, LegacyRefundApplyResponse,
};
use payermax_types::legacy_refund_notify::{LegacyRefundNotify, LegacyRefundNotifyBody};
use payermax_types::refund_query::{
    RefundQueryRequest, RefundQueryRequestRequired, RefundQueryResponse, RefundRef,
};
use payermax_types::{Amount, RawGatewayReply, RawLegacyReply, ResultCode, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Splits `data` into (selector, sign header, body).
fn split(data: &[u8]) -> Option<(u8, Option<&str>, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
        return Some((selector, None, rest));
    };
    let header = &rest[..nl];
    let body = &rest[nl + 1..];
    // An HTTP header value that is not visible ASCII never reaches the
    // verifier as text (`HeaderValue::to_str` fails): model it as absent.
    let header = std::str::from_utf8(header).ok();
    Some((selector, header, body))
}

fn payermax_public() -> &'static PublicKey {
    &test_keys().payermax_public
}

/// Decodes `json` as `T`; if that works, serializing and decoding again must
/// give the same value (unknown fields dropped, unknown enum values kept).
fn decode_roundtrip<T>(json: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = serde_json::from_slice::<T>(json) {
        let again = serde_json::to_vec(&v).expect("a decoded value serializes");
        let back: T = serde_json::from_slice(&again).expect("a serialized value decodes");
        assert_eq!(v, back, "decode/encode/decode changed the value");
    }
}

/// The client of the `reply` target: payermax-http's own `Client`, whose
/// transport answers each call with the fuzz input (a `ReplayingTransport`
/// of its `test-util` feature), and a current-thread runtime to drive it.
struct ReplyHarness {
    runtime: tokio::runtime::Runtime,
    transport: ReplayingTransport,
    /// Verifies every reply (the default).
    strict: Client,
    /// `danger_accept_unsigned_replies`: an unsigned success is accepted, so
    /// that arbitrary bodies reach the client's decoders too.
    lenient: Client,
}

fn harness() -> &'static ReplyHarness {
    static HARNESS: OnceLock<ReplyHarness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let transport = ReplayingTransport::unsigned();
        let keys = test_keys();
        let builder = || {
            Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
                .app_id("app")
                .merchant_no("P01010113842047")
                .merchant_id("SP11018326")
                .private_key(keys.merchant_private.clone())
                .payermax_public_key(keys.payermax_public.clone())
                .transport(transport.clone())
        };
        // The mutation check of this harness (fuzz/smoke.sh): with this
        // variable set, the "strict" client accepts unsigned replies like
        // the lenient one, and the target must crash on an unsigned success.
        let strict = if std::env::var_os("PAYERMAX_FUZZ_BREAK_VERIFY").is_some() {
            builder().danger_accept_unsigned_replies()
        } else {
            builder()
        };
        ReplyHarness {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread runtime"),
            strict: strict.build().expect("the strict client builds"),
            lenient: builder()
                .danger_accept_unsigned_replies()
                .build()
                .expect("the lenient client builds"),
            transport,
        }
    })
}

/// What an outcome of `Client::send` says about the reply's signature.
enum Outcome {
    /// `Ok(reply)`: the reply's own claim (`signature_verified`) and its raw body.
    Accepted { verified: bool, body: Vec<u8> },
    /// `Error::Refused`: PayerMax's signed word, and its raw body.
    Refused { body: Vec<u8> },
    /// Anything else (unsigned refusal, bad signature, decode error, ambiguous...).
    Rejected,
}

fn outcome<T>(r: Result<payermax_http::Reply<T>, payermax_http::Error>) -> Outcome {
    match r {
        Ok(reply) => Outcome::Accepted {
            verified: reply.signature_verified,
            body: reply.raw.body().to_vec(),
        },
        Err(payermax_http::Error::Refused { raw, .. }) => Outcome::Refused {
            body: raw.body().to_vec(),
        },
        Err(e) => {
            // Errors render without panicking.
            let _ = e.to_string();
            Outcome::Rejected
        }
    }
}

/// The `sign` header as the transport can send it (an HTTP header value
/// that is not visible ASCII cannot be sent: modelled as absent).
fn header(sign: Option<&str>) -> Option<&str> {
    sign.filter(|s| http::HeaderValue::from_str(s).is_ok())
}

/// Sends one request of the operation byte 0 picks through `client`, whose
/// transport answers with `status`, the `sign` header and `body`.
fn send(
    h: &ReplyHarness,
    client: &Client,
    selector: u8,
    status: u16,
    sign: Option<&str>,
    body: &[u8],
) -> Outcome {
    let mut reply = CannedReply::json(status, body.to_vec());
    if let Some(s) = header(sign) {
        reply = reply.header(payermax_sign::SIGN_HEADER, s);
    }
    h.transport.push_raw(reply);
    let result = if selector % 2 == 0 {
        let query = RefundQueryRequest::new(RefundQueryRequestRequired {
            refund_ref: RefundRef::OutRefundNo("R-1".into()),
        });
        outcome(h.runtime.block_on(client.send(&query)))
    } else {
        let apply = LegacyRefundApplyRequest::new(LegacyRefundApplyRequestRequired {
            refund_id: "R-1".into(),
            order_id: "ORDER-1".into(),
            amount: "10.00".parse::<Amount>().expect("an amount"),
            currency: "USD".into(),
        });
        outcome(h.runtime.block_on(client.send(&apply)))
    };
    // One reply per call: no retry policy, so nothing is sent twice.
    assert_eq!(
        h.transport.pending(),
        0,
        "the canned reply was not consumed"
    );
    result
}

/// A reply as the client takes it, through `payermax_http::Client::send`
/// itself: byte 0 picks the operation (bit 0: the gateway `refundQuery` or
/// the legacy `refundApply`, a write), the client (bit 1: the default one or
/// the one with `danger_accept_unsigned_replies`) and the HTTP status (bits
/// 2-3: 200, 200, 400, 502); then the `sign` header and the body.
///
/// Invariants: the default client returns a reply or a signed refusal only
/// when the `sign` header is PayerMax's signature over exactly the bytes
/// received, and keeps those bytes; the client with
/// `danger_accept_unsigned_replies` accepts an unsigned success but never a
/// wrong signature, and says which it was (`signature_verified`); decoded
/// data re-encodes and decodes to itself.
pub fn reply(data: &[u8]) {
    let Some((selector, sign, body)) = split(data) else {
        return;
    };
    let status = [200, 200, 400, 502][usize::from(selector >> 2) % 4];
    let h = harness();
    // Checked apart from the client: PayerMax's key over the exact bytes.
    let genuine = header(sign).is_some_and(|s| payermax_public().verify(body, s.trim()).is_ok());

    // One call per input (each call signs its request: RSA dominates).
    if selector & 2 == 0 {
        match send(h, &h.strict, selector, status, sign, body) {
            Outcome::Accepted {
                verified,
                body: kept,
            } => {
                assert!(genuine, "the client accepted a reply PayerMax did not sign");
                assert!(verified, "a verified reply does not say so");
                assert_eq!(kept, body, "the reply does not keep the bytes received");
            }
            Outcome::Refused { body: kept } => {
                assert!(
                    genuine,
                    "an unsigned refusal was reported as PayerMax's (Error::Refused)"
                );
                assert_eq!(kept, body, "the refusal does not keep the bytes received");
            }
            Outcome::Rejected => {}
        }
    } else {
        match send(h, &h.lenient, selector, status, sign, body) {
            Outcome::Accepted {
                verified,
                body: kept,
            } => {
                assert_eq!(verified, genuine, "signature_verified is wrong");
                assert!(
                    genuine || header(sign).is_none(),
                    "a wrong signature was accepted (the danger_ opt-out only skips a missing one)"
                );
                assert_eq!(kept, body, "the reply does not keep the bytes received");
            }
            Outcome::Refused { .. } => {
                assert!(
                    genuine,
                    "an unsigned refusal was reported as PayerMax's (Error::Refused)"
                );
            }
            Outcome::Rejected => {}
        }
    }

    // The response types' decoders on the body and on its `data`, whatever
    // the signature: decoded values re-encode and decode to themselves.
    if selector % 2 == 0 {
        let data = serde_json::from_slice::<RawGatewayReply>(body)
            .ok()
            .and_then(|r| r.data);
        decode_roundtrip::<RefundQueryResponse>(
            data.as_deref().map_or("null", |d| d.get()).as_bytes(),
        );
        decode_roundtrip::<RefundQueryResponse>(body);
    } else {
        let data = serde_json::from_slice::<RawLegacyReply>(body)
            .ok()
            .and_then(|r| r.data);
        decode_roundtrip::<LegacyRefundApplyResponse>(
            data.as_deref().map_or("null", |d| d.get()).as_bytes(),
        );
        decode_roundtrip::<LegacyRefundApplyResponse>(body);
    }
    // The envelopes with any JSON as data: decoding only (a `Value` holding
    // floats does not round-trip exactly, which is serde_json's, not ours).
    let _ = serde_json::from_slice::<payermax_types::GatewayReply<serde_json::Value>>(body);
    let _ = serde_json::from_slice::<payermax_types::LegacyReply<serde_json::Value>>(body);
}

/// Notification verification (payermax-http's `verify_notification`, the
/// function a webhook handler calls) and decoding.
pub fn notification(data: &[u8]) {
    let Some((_, sign, body)) = split(data) else {
        return;
    };
    let r = payermax_http::verify_notification::<LegacyRefundNotify>(payermax_public(), body, sign);
    if sign.is_none() {
        assert!(matches!(
            r,
            Err(payermax_http::NotificationError::MissingSignature)
        ));
    }
    if let Err(e) = &r {
        // Errors render without panicking.
        let _ = e.to_string();
    }
    decode_roundtrip::<LegacyRefundNotifyBody>(body);
    webhook(data, sign, body);
}

/// The webhook layer (payermax-webhook's `Verifier`, what the tower
/// service runs): the selector's next bits pick the endpoint (each kind,
/// or by `notifyType`), merchant checks and the freshness window.
fn webhook(data: &[u8], sign: Option<&str>, body: &[u8]) {
    use payermax_webhook::{Endpoint, Kind, Verifier, WebhookError};
    let selector = usize::from(data.first().copied().unwrap_or(0));
    let endpoint = match Kind::ALL.get(selector % (Kind::ALL.len() + 1)) {
        Some(kind) => Endpoint::Kind(*kind),
        None => Endpoint::ByNotifyType,
    };
    let mut verifier = Verifier::new(payermax_public().clone());
    if selector & 0x40 != 0 {
        verifier = verifier.merchant_no("P01010113842047").app_id("app");
    }
    if selector & 0x80 != 0 {
        verifier = verifier
            .freshness(std::time::Duration::from_secs(3600))
            .reject_unknown_kinds(true);
    }
    let mut headers = http::HeaderMap::new();
    if let Some(v) = sign.and_then(|s| http::HeaderValue::from_str(s).ok()) {
        headers.insert("sign", v);
    }
    match verifier.verify(endpoint, &headers, body) {
        Ok(d) => {
            // Verified: its key and acknowledgement are always there (but
            // for the bill payment validation, answered by the merchant).
            assert!(!d.idempotency_key().is_empty());
            assert!(d.acknowledgement().is_some() || d.kind() == Some(Kind::BillPaymentValidation));
        }
        Err(e) => {
            if headers.is_empty() && body.len() <= payermax_webhook::DEFAULT_MAX_BODY_BYTES {
                assert!(matches!(e, WebhookError::MissingSignature));
            }
            assert!(!e.status().is_success());
            let _ = e.to_string();
        }
    }
}

fn message() -> &'static [u8] {
    b"{\"fuzz\":true}"
}

fn check_private(k: PrivateKey) {
    // A parsed key re-encodes to PKCS#8 that parses to the same key.
    let der = k.to_pkcs8_der();
    let again = PrivateKey::from_pkcs8_der(&der).expect("own PKCS#8 parses");
    assert_eq!(
        again.public_key().to_spki_der(),
        k.public_key().to_spki_der()
    );
    let _ = format!("{k:?}");
    // Differential: PKCS#1 v1.5 signatures are deterministic, so every
    // backend that accepts the key must produce the same bytes, and they
    // verify under the key's public half with every backend.
    let signatures: Vec<String> = Backend::ALL
        .iter()
        .filter_map(|&b| k.sign_with(b, message()).ok())
        .collect();
    if let Some(first) = signatures.first() {
        assert!(signatures.iter().all(|s| s == first), "backends disagree");
        let public = k.public_key();
        for &b in Backend::ALL {
            if let Err(e) = public.verify_with(b, message(), first) {
                panic!("{b} rejects its own key's signature: {e}");
            }
        }
    }
}

fn check_public(k: PublicKey) {
    let again = PublicKey::from_der(k.to_spki_der()).expect("own SPKI parses");
    assert_eq!(again.to_spki_der(), k.to_spki_der());
    let again = PublicKey::parse(&k.to_pem()).expect("own PEM parses");
    assert_eq!(again.to_spki_der(), k.to_spki_der());
    // Verification under a parsed key of an arbitrary signature is an error, not a panic.
    let _ = k.verify(message(), "AAAA");
    // Differential: the backends agree on a signature of the right length.
    let sig = STANDARD.encode(vec![0x5a; k.signature_len()]);
    let verdicts: Vec<bool> = Backend::ALL
        .iter()
        .map(|&b| k.verify_with(b, message(), &sig).is_ok())
        .collect();
    assert!(
        verdicts.iter().all(|v| *v == verdicts[0]),
        "backends disagree"
    );
}

/// Key parsing in every format: text (auto-detected, PEM, one-line base64)
/// and DER, private and public.
pub fn keys(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 8 {
        0 => {
            if let Ok(k) = PrivateKey::from_der(rest) {
                check_private(k);
            }
        }
        1 => {
            if let Ok(k) = PrivateKey::from_pkcs8_der(rest) {
                check_private(k);
            }
        }
        2 => {
            if let Ok(k) = PublicKey::from_der(rest) {
                check_public(k);
            }
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            match selector % 8 {
                3 => {
                    if let Ok(k) = PrivateKey::parse(text) {
                        check_private(k);
                    }
                }
                4 => {
                    if let Ok(k) = PrivateKey::from_pem(text) {
                        check_private(k);
                    }
                }
                5 => {
                    if let Ok(k) = PrivateKey::from_pkcs8_base64(text) {
                        check_private(k);
                    }
                }
                6 => {
                    if let Ok(k) = PublicKey::parse(text) {
                        check_public(k);
                    }
                }
                _ => {
                    if let Ok(k) = PublicKey::from_pem(text) {
                        check_public(k);
                    }
                    if let Ok(k) = PublicKey::from_spki_base64(text) {
                        check_public(k);
                    }
                }
            }
        }
    }
}

/// The doc-page importer: page parsing and the whole page-to-spec build.
pub fn import_page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = xtask::import::page::parse(text);
    let built = xtask::import::build_spec("fuzz.txt", text, None);
    if parsed.is_err() {
        assert!(built.is_err(), "a page that does not parse built a spec");
    }
    if let Ok((_, spec)) = built {
        serde_json::from_str::<serde_json::Value>(&spec).expect("a built spec is JSON");
    }
}

/// The scalar parsers of payermax-types: `Amount` (exact decimal, scale
/// kept), `Timestamp` (RFC 3339) and `ResultCode`, text and JSON.
pub fn scalars(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = Amount::from_str(text) {
        let shown = a.to_string();
        let back = Amount::from_str(&shown).expect("a displayed amount parses");
        assert_eq!(back.as_decimal(), a.as_decimal());
        assert_eq!(back.scale(), a.scale(), "scale lost: {text:?} -> {shown:?}");
    }
    if let Ok(a) = serde_json::from_str::<Amount>(text) {
        let json = serde_json::to_string(&a).expect("an amount serializes");
        let back: Amount = serde_json::from_str(&json).expect("a serialized amount decodes");
        assert_eq!(back.to_string(), a.to_string());
    }
    if let Ok(t) = Timestamp::from_str(text) {
        let shown = t.to_string();
        let back = Timestamp::from_str(&shown).expect("a displayed timestamp parses");
        assert_eq!(back.unix_millis(), t.unix_millis());
    }
    if let Ok(t) = serde_json::from_str::<Timestamp>(text) {
        // Serialization keeps every digit read (milliseconds or finer).
        let json = serde_json::to_string(&t).expect("a timestamp serializes");
        let back: Timestamp = serde_json::from_str(&json).expect("a serialized timestamp decodes");
        assert_eq!(back, t, "{text} -> {json}");
    }
    if let Ok(c) = serde_json::from_str::<ResultCode>(text) {
        let json = serde_json::to_string(&c).expect("a code serializes");
        let back: ResultCode = serde_json::from_str(&json).expect("a code decodes");
        assert_eq!(back, c);
    }
}
