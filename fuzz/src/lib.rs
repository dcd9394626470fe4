//! The bodies of the fuzz targets, shared by the libFuzzer binaries in
//! `fuzz_targets/`. Each function takes arbitrary bytes and must neither
//! panic nor break the invariant it asserts, whatever the input.
//!
//! Input layout of the targets that take a header and a body: byte 0 selects
//! the variant, then the `sign` header value up to the first `\n`, then the
//! body (see `split`).

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use payermax_http::test_util::test_keys;
use payermax_sign::{Backend, PrivateKey, PublicKey};
use payermax_types::legacy_refund_apply::LegacyRefundApplyResponse;
use payermax_types::legacy_refund_notify::{LegacyRefundNotify, LegacyRefundNotifyBody};
use payermax_types::refund_query::RefundQueryResponse;
use payermax_types::{
    Amount, ApiGeneration, RawGatewayReply, RawLegacyReply, ResultCode, Timestamp,
};
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

/// What the client does with a reply of one operation: verify the `sign`
/// header over the exact body bytes, decode the envelope, and decode `data`
/// as the operation's response type. The decoding steps run whether or not
/// the signature verified (the fuzzer cannot forge one), so that every
/// decoder sees arbitrary input.
fn reply_of<R>(api: ApiGeneration, sign: Option<&str>, body: &[u8])
where
    R: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let verified = match sign {
        None => false,
        Some(s) => payermax_public().verify(body, s.trim()).is_ok(),
    };
    assert!(!verified || sign.is_some());
    let data = match api {
        ApiGeneration::LegacyV21 => match serde_json::from_slice::<RawLegacyReply>(body) {
            Ok(r) => {
                let _ = r.is_success();
                r.data
            }
            Err(_) => None,
        },
        _ => match serde_json::from_slice::<RawGatewayReply>(body) {
            Ok(r) => {
                let _ = r.is_success();
                r.data
            }
            Err(_) => None,
        },
    };
    let json = data.as_deref().map_or("null", |d| d.get());
    decode_roundtrip::<R>(json.as_bytes());
    // The data object alone, so the fuzzer reaches the response decoder
    // without having to build an envelope first.
    decode_roundtrip::<R>(body);
}

/// Reply verification and decoding for every operation (byte 0 picks it).
pub fn reply(data: &[u8]) {
    let Some((selector, sign, body)) = split(data) else {
        return;
    };
    match selector % 2 {
        0 => reply_of::<RefundQueryResponse>(ApiGeneration::Gateway, sign, body),
        _ => reply_of::<LegacyRefundApplyResponse>(ApiGeneration::LegacyV21, sign, body),
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
