//! `payermax-sandbox`: run the local PayerMax for clients in any language.
//!
//! ```text
//! cargo run -p payermax-sandbox -- --port 8585
//! ```
//! See the crate README for every flag.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    payermax_sandbox::cli::run(std::env::args().skip(1).collect()).await
}
