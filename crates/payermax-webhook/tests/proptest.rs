//! Mutated bodies never panic: with the original signature they are
//! rejected (unless unchanged), and signed as mutated they verify or fail
//! with a typed error.

mod common;

use common::{examples, fresh_key};
use http::HeaderMap;
use payermax_webhook::{Endpoint, Kind, Verifier, WebhookError};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(body: &mut Vec<u8>, m: &Mutation) {
    let n = body.len().max(1);
    match *m {
        Mutation::Flip(i, b) if !body.is_empty() => body[i % n] ^= b,
        Mutation::Insert(i, b) => body.insert(i % (body.len() + 1), b),
        Mutation::Remove(i) if !body.is_empty() => {
            body.remove(i % n);
        }
        Mutation::Truncate(i) => body.truncate(i % n),
        _ => {}
    }
}

fn sign(body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("sign", fresh_key().sign(body).unwrap().parse().unwrap());
    h
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bodies_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
        by_notify_type in any::<bool>(),
    ) {
        let all = examples();
        let ex = &all[which.index(all.len())];
        let original = ex.compact.as_bytes().to_vec();
        let mut body = original.clone();
        for m in &mutations {
            apply(&mut body, m);
        }
        let endpoint = if by_notify_type { Endpoint::ByNotifyType } else { Endpoint::Kind(ex.kind) };
        let v = Verifier::new(fresh_key().public_key());

        // The original signature over mutated bytes.
        let r = v.verify(endpoint, &sign(&original), &body);
        if body != original {
            prop_assert!(matches!(r, Err(WebhookError::InvalidSignature(_))), "{r:?}");
        }

        // Signed as mutated: anything but a panic; errors are typed and
        // printable.
        if let Err(e) = v.verify(endpoint, &sign(&body), &body) {
            prop_assert!(e.is_verified(), "{e}");
            let _ = e.to_string();
        }
        let _ = Verifier::new(fresh_key().public_key())
            .merchant_no("X")
            .app_id("Y")
            .verify(Kind::LegacyRefund, &sign(&body), &body);
    }
}
