//! `operations`, `describe` and `example`.

use payermax_types::registry::{OPERATIONS, visit_operations};
use payermax_types::{Operation, OperationInfo, OperationVisitor, Validate};

use super::common::payermax;

#[test]
fn operations_lists_every_spec_with_domain_and_title() {
    let run = payermax(&["operations"]);
    let list = run.expect(0).json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), OPERATIONS.len());
    let refund = list.iter().find(|o| o["id"] == "refund").unwrap();
    assert_eq!(refund["domain"], "refunds");
    assert_eq!(refund["kind"], "operation");
    assert_eq!(
        refund["title"],
        OPERATIONS.iter().find(|i| i.id == "refund").unwrap().title
    );
    assert!(
        list.iter()
            .any(|o| o["id"] == "refund_result_notify" && o["kind"] == "notification")
    );
}

#[test]
fn describe_shows_fields_types_required_bounds_and_enums() {
    let d = payermax(&["describe", "refund"]).expect(0).json();
    assert_eq!(d["name"], "refund");
    assert_eq!(d["retry"], "write");
    assert_eq!(d["settledBy"], "refund_query");
    let field = |name: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .cloned()
            .unwrap()
    };
    let no = field("data.outRefundNo");
    assert_eq!(
        (
            no["type"].as_str(),
            no["required"].as_bool(),
            no["maxLength"].as_u64()
        ),
        (Some("string"), Some(true), Some(64))
    );
    assert_eq!(field("data.comments")["required"], false);
    // In the documentation's order, not alphabetical.
    let order: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        order[..4],
        [
            "data.outRefundNo",
            "data.refundAmount",
            "data.refundCurrency",
            "data.outTradeNo"
        ]
    );
    // The legacy API: the fields other than the envelope the client fills.
    let legacy = payermax(&["describe", "legacy_refund_apply"])
        .expect(0)
        .json();
    let names: Vec<&str> = legacy["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(names[..2], ["refundId", "orderId"]);
    assert!(
        !names.contains(&"bizType") && !names.contains(&"merchantId"),
        "{names:?}"
    );
    assert_eq!(field("data.refundAmount")["format"], "decimal");
    // By PayerMax's name; one-of groups; enum values.
    let q = payermax(&["describe", "refundQuery"]).expect(0).json();
    assert_eq!(
        q["oneOf"][0]["fields"],
        serde_json::json!(["outRefundNo", "refundTradeNo"])
    );
    let any_enum = OPERATIONS
        .iter()
        .filter(|i| i.kind == payermax_types::Kind::Operation)
        .any(|i| {
            let d = payermax(&["describe", i.id]).expect(0).json();
            d["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["enum"].is_array())
        });
    assert!(any_enum, "no enum shown in any operation");
    // Notifications are described too.
    payermax(&["describe", "refund_result_notify"]).expect(0);
}

#[test]
fn unknown_and_ambiguous_operations_are_usage_errors() {
    payermax(&["describe", "refundz"]).fails(2, "unknown operation or notification \"refundz\"");
    payermax(&["example", "RefundQuery"]).fails(2, "did you mean refund_query");
    payermax(&["example", "orderAndPay"]).fails(2, "order_and_pay_hosted");
    payermax(&["example", "refund_result_notify"]).fails(2, "unknown operation");
}

/// Every outbound operation's example is a valid request of it.
struct Examples(Vec<String>);

impl OperationVisitor for Examples {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        let run = payermax(&["example", info.id]);
        run.expect(0);
        let checked = serde_json::from_slice::<O::Request>(&run.stdout)
            .map_err(|e| e.to_string())
            .and_then(|r| r.validate().map_err(|e| e.to_string()));
        if let Err(e) = checked {
            self.0.push(format!("{}: {e}", info.id));
        }
    }
}

#[test]
fn every_example_is_a_valid_request() {
    let mut examples = Examples(Vec::new());
    visit_operations(&mut examples);
    assert_eq!(examples.0, Vec::<String>::new());
    // A documented example that fails validation is completed, and says so.
    let run = payermax(&["example", "expire_paybylink"]);
    assert!(
        run.expect(0).stderr.contains("placeholders"),
        "{}",
        run.stderr
    );
    assert!(payermax(&["example", "refund"]).expect(0).stderr.is_empty());
}
