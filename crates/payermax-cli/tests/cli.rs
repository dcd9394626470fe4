//! End to end: the `payermax` binary run as a process, against the
//! `openssl` command line and an in-process sandbox.

mod cli {
    mod call;
    mod catalog;
    pub mod common;
    mod keys;
    mod tools;
    mod webhook;
}
