use payermax_types::refund_query::{RefundQueryRequest, RefundRef};

fn main() {
    // Generated structs are `#[non_exhaustive]`: built through `new`, so a
    // field added by a later spec is not a breaking change.
    let _ = RefundQueryRequest {
        refund_ref: RefundRef::OutRefundNo("R1".into()),
    };
}
