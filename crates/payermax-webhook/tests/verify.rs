//! Every inbound example of PayerMax's document verifies and decodes into
//! its kind; every way a message can be wrong is its typed error.

mod common;

use std::time::Duration;

use common::{examples, fresh_key, pretty, sample_key};
use http::HeaderMap;
use payermax_types::Timestamp;
use payermax_webhook::{
    Endpoint, Event, GATEWAY_ACKNOWLEDGEMENT, Kind, LEGACY_ACKNOWLEDGEMENT, PrivateKey, PublicKey,
    Verifier, WebhookError,
};

fn headers(sign: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("sign", sign.parse().unwrap());
    h
}

fn signed(key: &PrivateKey, body: &[u8]) -> HeaderMap {
    headers(&key.sign(body).unwrap())
}

fn verifier(key: &PrivateKey) -> Verifier {
    Verifier::new(key.public_key())
}

/// The collect result example, compact.
fn payment_example() -> String {
    examples()
        .into_iter()
        .find(|e| e.kind == Kind::CollectResult)
        .unwrap()
        .compact
}

#[test]
fn every_documented_kind_has_an_example() {
    let seen: Vec<Kind> = examples().iter().map(|e| e.kind).collect();
    for kind in Kind::ALL {
        assert!(seen.contains(kind), "{kind:?} has no example");
    }
    assert_eq!(Kind::ALL.len(), 18); // 16 notifications, the legacy refund one, bill payment validation
}

#[test]
fn every_example_verifies_and_decodes_into_its_kind_with_both_keys_compact_and_pretty() {
    let mut checked = 0;
    for (key_name, key) in [("fresh", fresh_key()), ("sample", sample_key())] {
        let v = verifier(key);
        for ex in examples() {
            let mut keys = Vec::new();
            for body in [ex.compact.clone(), pretty(&ex.compact)] {
                let d = v
                    .verify(ex.kind, &signed(key, body.as_bytes()), body.as_bytes())
                    .unwrap_or_else(|e| panic!("{} ({key_name} key): {e}", ex.name()));
                assert_eq!(d.kind(), Some(ex.kind), "{}", ex.name());
                assert_eq!(d.event().kind(), Some(ex.kind), "{}", ex.name());
                assert!(!matches!(d.event(), Event::Unknown { .. }), "{}", ex.name());
                assert_eq!(d.raw_body(), body);
                assert!(
                    d.idempotency_key().starts_with(ex.kind.spec_id()),
                    "{}",
                    d.idempotency_key()
                );
                assert!(
                    !d.idempotency_key().contains("body-fnv1a64"),
                    "{}: no identifier found: {}",
                    ex.name(),
                    d.idempotency_key()
                );
                keys.push(d.idempotency_key().to_owned());
                checked += 1;
            }
            // The same message, whatever its whitespace, has one key.
            assert_eq!(keys[0], keys[1], "{}", ex.name());
        }
    }
    assert!(checked >= 4 * 18, "{checked}");
}

#[test]
fn the_sample_key_pair_is_payermax_published_one() {
    let public = PublicKey::parse(common::SAMPLE_PUBLIC_PEM).unwrap();
    assert_eq!(sample_key().public_key(), public);
    // Beside the repository, where the docs are checked out, the same bytes.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|p| p.join("shared/payermax-docs/sample-keys/sample_priv.pem"))
        .find(|p| p.is_file());
    if let Some(path) = shared {
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            common::SAMPLE_PRIVATE_PEM
        );
    }
}

#[test]
fn dispatch_by_notify_type_where_unambiguous() {
    let key = fresh_key();
    let v = verifier(key);
    for ex in examples() {
        let body = ex.compact.as_bytes();
        let r = v.verify(Endpoint::ByNotifyType, &signed(key, body), body);
        let documented = ex.kind.notify_types();
        match r {
            Ok(d) => {
                assert_eq!(d.kind(), Some(ex.kind), "{}", ex.name());
                assert_eq!(Kind::by_notify_type(d.notify_type().unwrap()), [ex.kind]);
            }
            Err(WebhookError::UndeterminedKind {
                notify_type,
                candidates,
            }) => match notify_type.as_deref() {
                // PAYMENT: payment and authorisation results.
                Some("PAYMENT") => {
                    assert_eq!(candidates, [Kind::AuthResult, Kind::CollectResult]);
                }
                // No notifyType: RFI, legacy refund, bill payment validation.
                None => assert!(documented.is_empty(), "{}", ex.name()),
                Some(other) => panic!("{}: {other} undetermined", ex.name()),
            },
            Err(e) => panic!("{}: {e}", ex.name()),
        }
    }
    assert_eq!(Kind::by_notify_type("CAPTURE"), [Kind::CaptureResult]);
    assert_eq!(Kind::by_notify_type("CANCEL"), [Kind::CancelResult]);
    assert_eq!(Kind::by_notify_type("REFUND"), [Kind::RefundResult]);
    assert!(Kind::Rfi.notify_types().is_empty());
}

#[test]
fn acknowledgements_are_the_documented_ones() {
    for kind in Kind::ALL {
        match kind {
            Kind::BillPaymentValidation => assert_eq!(kind.acknowledgement(), None),
            Kind::LegacyRefund => assert_eq!(kind.acknowledgement(), Some(LEGACY_ACKNOWLEDGEMENT)),
            _ => {
                let ack: serde_json::Value =
                    serde_json::from_str(kind.acknowledgement().unwrap()).unwrap();
                assert_eq!(ack["code"], "SUCCESS", "{kind:?}");
                assert!(ack.get("data").is_none(), "{kind:?}");
            }
        }
    }
    assert_eq!(
        Kind::RefundResult.acknowledgement(),
        Some(GATEWAY_ACKNOWLEDGEMENT)
    );
    assert_eq!(
        Kind::BillPayment.acknowledgement(),
        Some(r#"{"code":"SUCCESS","msg":"Success"}"#)
    );
    assert_eq!(
        payermax_webhook::acknowledgement::<payermax_types::bill_payment_notify::BillPaymentNotify>(
        ),
        GATEWAY_ACKNOWLEDGEMENT.as_bytes()
    );
}

#[test]
fn a_tampered_byte_is_an_invalid_signature() {
    let key = fresh_key();
    let body = payment_example();
    let h = signed(key, body.as_bytes());
    let mut tampered = body.clone().into_bytes();
    let i = tampered.iter().position(|b| *b == b'1').unwrap();
    tampered[i] = b'2';
    let e = verifier(key)
        .verify(Kind::CollectResult, &h, &tampered)
        .unwrap_err();
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
    assert_eq!(e.status(), 401);
    assert!(!e.is_verified());
    // Another key's signature.
    let e = verifier(key)
        .verify(
            Kind::CollectResult,
            &signed(sample_key(), body.as_bytes()),
            body.as_bytes(),
        )
        .unwrap_err();
    assert!(matches!(e, WebhookError::InvalidSignature(_)), "{e}");
}

#[test]
fn missing_repeated_and_any_case_sign_headers() {
    let key = fresh_key();
    let body = payment_example();
    let sig = key.sign(body.as_bytes()).unwrap();
    let v = verifier(key);
    let e = v
        .verify(Kind::CollectResult, &HeaderMap::new(), body.as_bytes())
        .unwrap_err();
    assert!(matches!(e, WebhookError::MissingSignature), "{e}");
    let mut twice = headers(&sig);
    twice.append("Sign", sig.parse().unwrap());
    let e = v
        .verify(Kind::CollectResult, &twice, body.as_bytes())
        .unwrap_err();
    assert!(
        matches!(e, WebhookError::RepeatedSignature { count: 2 }),
        "{e}"
    );
    for name in ["SIGN", "Sign", "sign"] {
        let request = http::Request::builder()
            .header(name, &sig)
            .body(())
            .unwrap();
        v.verify(Kind::CollectResult, request.headers(), body.as_bytes())
            .unwrap();
    }
    let e = v
        .verify_signed(Kind::CollectResult, None, body.as_bytes())
        .unwrap_err();
    assert!(matches!(e, WebhookError::MissingSignature), "{e}");
}

#[test]
fn a_foreign_merchant_is_rejected_and_ours_accepted() {
    let key = fresh_key();
    let body = payment_example();
    let object: serde_json::Value = serde_json::from_str(&body).unwrap();
    let (merchant, app) = (
        object["merchantNo"].as_str().unwrap(),
        object["appId"].as_str().unwrap(),
    );
    let h = signed(key, body.as_bytes());
    verifier(key)
        .merchant_no(merchant)
        .app_id(app)
        .verify(Kind::CollectResult, &h, body.as_bytes())
        .unwrap();
    let e = verifier(key)
        .merchant_no("SOMEONE-ELSE")
        .verify(Kind::CollectResult, &h, body.as_bytes())
        .unwrap_err();
    assert!(
        matches!(&e, WebhookError::ForeignMerchant { field: "merchantNo", found } if found == merchant),
        "{e}"
    );
    assert_eq!(e.status(), 403);
    assert!(e.is_verified());
    let e = verifier(key)
        .app_id("another-app")
        .verify(Kind::CollectResult, &h, body.as_bytes())
        .unwrap_err();
    assert!(
        matches!(e, WebhookError::ForeignMerchant { field: "appId", .. }),
        "{e}"
    );
    let legacy = br#"{"merchantId":"M-2","refundId":"R-1","status":1}"#;
    let e = verifier(key)
        .legacy_merchant_id("M-1")
        .verify(Kind::LegacyRefund, &signed(key, legacy), legacy)
        .unwrap_err();
    assert!(
        matches!(
            e,
            WebhookError::ForeignMerchant {
                field: "merchantId",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn an_unknown_kind_keeps_its_verified_body_or_is_an_error_when_asked() {
    let key = fresh_key();
    let body = br#"{"code":"APPLY_SUCCESS","msg":"","merchantNo":"M","notifyType":"SOMETHING_NEW","data":{"x":1.10}}"#;
    let h = signed(key, body);
    let d = verifier(key)
        .verify(Endpoint::ByNotifyType, &h, body)
        .unwrap();
    assert_eq!(d.kind(), None);
    assert_eq!(d.acknowledgement(), Some(GATEWAY_ACKNOWLEDGEMENT));
    match d.event() {
        Event::Unknown {
            kind: None,
            notify_type: Some(t),
            body: raw,
        } => {
            assert_eq!(t, "SOMETHING_NEW");
            assert_eq!(raw.as_bytes(), body);
        }
        other => panic!("{other:?}"),
    }
    let e = verifier(key)
        .reject_unknown_kinds(true)
        .verify(Endpoint::ByNotifyType, &h, body)
        .unwrap_err();
    assert!(
        matches!(&e, WebhookError::UnknownKind { notify_type } if notify_type == "SOMETHING_NEW"),
        "{e}"
    );
    assert_eq!(e.status(), 400);
}

#[test]
fn a_body_of_2_mib_is_refused_before_anything_else() {
    let key = fresh_key();
    let mut body = payment_example().into_bytes();
    body.resize(2 << 20, b' ');
    let e = verifier(key)
        .verify(Kind::CollectResult, &signed(key, &body), &body)
        .unwrap_err();
    assert!(
        matches!(e, WebhookError::BodyTooLarge { limit, len } if limit == 1 << 20 && len == 2 << 20),
        "{e}"
    );
    assert_eq!(e.status(), 413);
    // Even unsigned: the cap comes first.
    let e = verifier(key)
        .verify(Kind::CollectResult, &HeaderMap::new(), &body)
        .unwrap_err();
    assert!(matches!(e, WebhookError::BodyTooLarge { .. }), "{e}");
    // A larger cap accepts it (trailing whitespace is valid JSON).
    verifier(key)
        .max_body_bytes(4 << 20)
        .verify(Kind::CollectResult, &signed(key, &body), &body)
        .unwrap();
}

#[test]
fn invalid_utf8_is_refused_after_verification() {
    let key = fresh_key();
    let body = b"{\"notifyType\":\"REFUND\",\"msg\":\"\xff\xfe\"}";
    let e = verifier(key)
        .verify(Kind::RefundResult, &signed(key, body), body)
        .unwrap_err();
    assert!(
        matches!(e, WebhookError::InvalidUtf8 { valid_up_to: 30 }),
        "{e}"
    );
    assert!(e.is_verified());
    let e = verifier(key)
        .verify(Kind::RefundResult, &HeaderMap::new(), body)
        .unwrap_err();
    assert!(matches!(e, WebhookError::MissingSignature), "{e}");
}

#[test]
fn a_body_that_is_not_its_kind_is_a_decode_error() {
    let key = fresh_key();
    for body in [&b"[1,2]"[..], b"{\"data\":7}", b"not json"] {
        let e = verifier(key)
            .verify(Kind::RefundResult, &signed(key, body), body)
            .unwrap_err();
        assert!(matches!(e, WebhookError::Decode { .. }), "{e}");
    }
}

#[test]
fn the_freshness_window_is_off_by_default_and_checks_notify_time_when_set() {
    let key = fresh_key();
    let body = payment_example();
    let object: serde_json::Value = serde_json::from_str(&body).unwrap();
    let sent: Timestamp = object["notifyTime"].as_str().unwrap().parse().unwrap();
    let later = |secs: i64| Timestamp::from_unix_millis(sent.unix_millis() + secs * 1000).unwrap();
    let h = signed(key, body.as_bytes());
    // Off: years later still verifies (the document's example is old).
    verifier(key)
        .verify(Kind::CollectResult, &h, body.as_bytes())
        .unwrap();
    let v = verifier(key).freshness(Duration::from_secs(13 * 3600));
    // The last redelivery, 12 h later, is inside a 13 h window.
    v.verify_at(Kind::CollectResult, &h, body.as_bytes(), later(12 * 3600))
        .unwrap();
    let e = v
        .verify_at(Kind::CollectResult, &h, body.as_bytes(), later(14 * 3600))
        .unwrap_err();
    assert!(
        matches!(e, WebhookError::Stale { age_seconds, .. } if age_seconds == 14 * 3600),
        "{e}"
    );
    let e = v
        .verify_at(Kind::CollectResult, &h, body.as_bytes(), later(-14 * 3600))
        .unwrap_err();
    assert!(matches!(e, WebhookError::Stale { .. }), "{e}");
    let odd = br#"{"notifyTime":"yesterday","notifyType":"REFUND"}"#;
    let e = v
        .verify(Kind::RefundResult, &signed(key, odd), odd)
        .unwrap_err();
    assert!(matches!(e, WebhookError::InvalidNotifyTime { .. }), "{e}");
}

#[test]
fn no_error_prints_the_signature_or_key_material() {
    let key = fresh_key();
    let body = payment_example();
    let sig = key.sign(body.as_bytes()).unwrap();
    let public_b64 = key.public_key().to_spki_base64();
    let private_b64 = key.to_pkcs8_base64();
    let mut tampered = body.clone().into_bytes();
    tampered[10] ^= 1;
    let big = vec![b' '; 2 << 20];
    let mut errors = vec![
        verifier(key)
            .verify(Kind::CollectResult, &headers(&sig), &tampered)
            .unwrap_err(),
        verifier(key)
            .verify(
                Kind::CollectResult,
                &headers("not base64!"),
                body.as_bytes(),
            )
            .unwrap_err(),
        verifier(key)
            .merchant_no("X")
            .verify(Kind::CollectResult, &headers(&sig), body.as_bytes())
            .unwrap_err(),
        verifier(key)
            .verify(Kind::CollectResult, &headers(&sig), &big)
            .unwrap_err(),
    ];
    let not_json = b"{\"notifyType\":";
    errors.push(
        verifier(key)
            .verify(Kind::RefundResult, &signed(key, not_json), not_json)
            .unwrap_err(),
    );
    for e in &errors {
        for text in [e.to_string(), format!("{e:?}")] {
            assert!(!text.contains(&sig), "{text}");
            assert!(!text.contains(&sig[..40]), "{text}");
            assert!(!text.contains(&public_b64[30..90]), "{text}");
            assert!(!text.contains(&private_b64[30..90]), "{text}");
        }
    }
}

#[test]
fn the_low_level_function_verifies_one_known_type() {
    use payermax_types::legacy_refund_notify::LegacyRefundNotify;
    let key = fresh_key();
    let body = br#"{"merchantId":"M","refundId":"R-1","tradeNo":"T","orderId":"O","status":1,"refundAmount":"10.00","currency":"INR"}"#;
    let sig = key.sign(body).unwrap();
    let n = payermax_webhook::verify_notification::<LegacyRefundNotify>(
        &key.public_key(),
        body,
        Some(&sig),
    )
    .unwrap();
    assert_eq!(n.refund_id, "R-1");
    assert_eq!(
        payermax_webhook::acknowledgement::<LegacyRefundNotify>(),
        LEGACY_ACKNOWLEDGEMENT.as_bytes()
    );
    assert!(matches!(
        payermax_webhook::verify_notification::<LegacyRefundNotify>(&key.public_key(), body, None),
        Err(WebhookError::MissingSignature)
    ));
}

#[test]
fn an_event_serializes_as_its_typed_body_and_an_unknown_one_as_received() {
    let key = fresh_key();
    let v = verifier(key);
    // A known kind: the typed body, amounts exact.
    let body = payment_example().replacen(
        r#""totalAmount":"#,
        r#""totalAmount":12345678901234567.89,"ignored":"#,
        1,
    );
    let d = v
        .verify(
            Kind::CollectResult,
            &signed(key, body.as_bytes()),
            body.as_bytes(),
        )
        .unwrap();
    let json = serde_json::to_string(d.event()).unwrap();
    assert!(
        json.contains(r#""totalAmount":12345678901234567.89"#),
        "{json}"
    );
    let typed = match d.event() {
        Event::CollectResult(n) => serde_json::to_string(n).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(json, typed);
    // An unknown kind: the verified body, byte for byte.
    let unknown = r#"{"notifyType":"SOMETHING_NEW","amount":100.10,"z":1,"a":2}"#;
    let d = v
        .verify(
            Endpoint::ByNotifyType,
            &signed(key, unknown.as_bytes()),
            unknown.as_bytes(),
        )
        .unwrap();
    assert_eq!(serde_json::to_string(d.event()).unwrap(), unknown);
}
