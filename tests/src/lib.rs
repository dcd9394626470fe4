//! Workspace-level tests: end to end over loopback, doc-example conformance,
//! generated-fixture tests. The README's code examples are compiled here.
#![doc = include_str!("../../README.md")]

// The generator's fixture specs (`xtask/tests/fixtures/*.json`), compiled
// once here from their committed snapshots, for the `fixtures`,
// `conformance` and `schema_agreement` tests.

#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/bool_reply.rs"]
pub mod bool_reply;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/edge_cases.rs"]
pub mod edge_cases;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/kitchen_sink.rs"]
pub mod kitchen_sink;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/openapi_shapes.rs"]
pub mod openapi_shapes;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/redirect.rs"]
pub mod redirect;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/sample_notify.rs"]
pub mod sample_notify;
#[rustfmt::skip]
#[allow(dead_code)] // not every generated helper is used
#[path = "../../xtask/tests/fixtures/sync_callback.rs"]
pub mod sync_callback;
