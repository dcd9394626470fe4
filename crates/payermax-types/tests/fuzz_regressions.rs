//! Regression tests for what `fuzz/` found (see fuzz/README.md). Each test
//! names the target and the input that failed.

use payermax_types::Timestamp;

/// fuzz target `reply`: `refundFinishTime` with a sub-millisecond part was
/// written back with milliseconds only, so decoding, encoding and decoding a
/// `RefundQueryResponse` changed the value.
#[test]
fn sub_millisecond_timestamps_survive_serde() {
    for (text, written) in [
        (
            "2023-10-20T03:28:23.0921Z",
            "2023-10-20T03:28:23.092100+00:00",
        ),
        (
            "2023-10-20T03:28:23.092123Z",
            "2023-10-20T03:28:23.092123+00:00",
        ),
        (
            "2023-10-20T03:28:23.092123456Z",
            "2023-10-20T03:28:23.092123456+00:00",
        ),
        (
            "2023-10-20T03:28:23.000000001+08:00",
            "2023-10-19T19:28:23.000000001+00:00",
        ),
        // Whole milliseconds keep the usual form.
        ("2023-10-20T03:28:23.092Z", "2023-10-20T03:28:23.092+00:00"),
        ("2023-10-20T03:28:23Z", "2023-10-20T03:28:23.000+00:00"),
    ] {
        let t: Timestamp = serde_json::from_str(&format!("{text:?}")).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, format!("{written:?}"), "{text}");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t, "{text}");
        assert_eq!(back.subsec_nanos(), t.subsec_nanos(), "{text}");
        // Display stays the wire form of requestTime: exactly three digits.
        assert_eq!(t.to_string().len(), 29, "{t}");
    }
}

#[cfg(feature = "refunds")]
#[test]
fn refund_query_response_round_trips_with_fine_timestamps() {
    use payermax_types::refund_query::RefundQueryResponse;
    let body = r#"{"outRefundNo":"R1","refundFinishTime":"2023-10-20T03:28:23.0921Z"}"#;
    let r: RefundQueryResponse = serde_json::from_str(body).unwrap();
    let again = serde_json::to_string(&r).unwrap();
    let back: RefundQueryResponse = serde_json::from_str(&again).unwrap();
    assert_eq!(back, r);
}
