//! Workspace-level tests: end to end over loopback, doc-example conformance,
//! generated-fixture tests. The README's code examples are compiled here.
#![doc = include_str!("../../README.md")]
