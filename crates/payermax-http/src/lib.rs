//! The PayerMax client: composes `payermax-types` (typed operations and
//! envelopes) and `payermax-sign` (SHA256WithRSA) into calls, behind a
//! tower-style transport seam.
//!
//! One pipeline serves every operation, driven by its
//! [`Operation`](payermax_types::Operation) descriptor: validate, fill the
//! envelope (`requestTime` stamped per attempt), serialize once, sign those
//! exact bytes, send with `Content-Type: application/json` and `sign`, read
//! the reply under a size cap, verify its signature over the exact bytes
//! received, check that it answers this request (the identifiers the reply
//! echoes, `Operation::ECHO`), decode, and return the typed data in a
//! [`Reply`].
//!
//! * [`Client`] / [`ClientBuilder`]: configuration; the environment is always
//!   named by the caller ([`Environment`]).
//! * [`Error`]: one variant per outcome, with [`Error::is_retryable`];
//!   [`Error::Ambiguous`] for a write whose outcome is unknown, settled by
//!   [`Client::settle`]; [`Error::EchoMismatch`] for a signed reply that
//!   answers another request (a replayed one).
//! * [`RetryPolicy`]: opt-in retries with backoff, jitter and a deadline.
//! * [`Timer`]: what timeouts and retry waits run on; [`TokioTimer`] by
//!   default (feature `tokio`), any executor's through [`ClientBuilder::timer`].
//! * [`notification`]: verifying notifications PayerMax sends to the merchant.
//! * [`test_util`] (feature `test-util`): capturing and replaying transports.
//!
//! # Quickstart
//! ```no_run
//! use payermax_http::{Client, Environment, Error, PrivateKey, PublicKey, RetryPolicy};
//! use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired, RefundRef};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(Environment::Uat) // or Environment::Custom("http://127.0.0.1:8080".into())
//!     .app_id("your-app-id")
//!     .merchant_no("your-merchant-no")
//!     .private_key(PrivateKey::parse(&std::env::var("PAYERMAX_MERCHANT_KEY")?)?)
//!     .payermax_public_key(PublicKey::parse(&std::env::var("PAYERMAX_PUBLIC_KEY")?)?)
//!     .retry(RetryPolicy::new())
//!     .build()?;
//!
//! let request = RefundQueryRequest::new(RefundQueryRequestRequired {
//!     refund_ref: RefundRef::OutRefundNo("R-1".into()),
//! });
//! match client.send(&request).await {
//!     Ok(reply) => println!("refund status: {:?}", reply.data.and_then(|d| d.status)),
//!     // Only a signed refusal is PayerMax's word.
//!     Err(Error::Refused { code, message, .. }) => println!("refused: {code} {message}"),
//!     // An unsigned one proves nothing: anyone on the path could send it.
//!     Err(e @ Error::UnsignedRefusal { .. }) => return Err(e.into()),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Transports
//! Any `tower_service::Service<http::Request<RequestBody>>` answering
//! `http::Response<B>` (any `http_body::Body` with `Buf` data) with an error
//! convertible into [`BoxError`] plugs in through
//! [`ClientBuilder::transport`]. Without one, the `hyper` feature's
//! [`HyperTransport`] is used: hyper 1 with hyper-util's pooled client and
//! rustls (aws-lc-rs provider, TLS 1.2+, webpki roots, plus the system's with
//! `native-roots`, plus any given to [`ClientBuilder::extra_root_certificates`]
//! as [`RootCertificates`], e.g. a corporate proxy's CA); plain `http://` works for a local sandbox on loopback (any
//! other host needs [`ClientBuilder::danger_allow_insecure_http`]).
//!
//! # Features
//! * `hyper` (default): the default transport. It always uses rustls's
//!   aws-lc-rs provider, whichever signing backend is chosen.
//! * `tokio` (default, implied by `hyper`): [`TokioTimer`], the default
//!   timer. Without it, a client with a request timeout (30 s by default) or
//!   retries needs [`ClientBuilder::timer`]; `build` says so
//!   ([`Setting::Timer`]).
//! * `aws-lc-rs` (default): signing with aws-lc-rs.
//! * `rsa`: signing with the pure-Rust `rsa` crate. With both signing
//!   features on, `payermax-sign` picks one; nothing breaks.
//! * `native-roots`: trust the operating system's roots as well as webpki's.
//! * `test-util`: [`test_util`].
//!
//! No feature skips verification: the only opt-outs are the documented
//! `danger_` methods of [`ClientBuilder`]. (The workspace's benchmarks stub
//! the cryptography out behind `--cfg payermax_bench`, a compiler flag that
//! only `benches/run.sh` sets, never a cargo feature that a dependency could
//! turn on.)
//!
//! ```compile_fail
//! // The bench seam's stub does not exist in a build without the flag,
//! // whatever features are on (this doc test fails where it compiles).
//! # fn with(b: payermax_http::ClientBuilder) -> payermax_http::ClientBuilder {
//! b.bench_crypto(payermax_http::BenchCrypto::DangerStub { signature: String::new() })
//! # }
//! ```
//!
//! # Tracing
//! Each call runs in a `payermax.call` span (`operation`, `api`, `attempts`,
//! `code`, `outcome`, `duration_ms`) with one `payermax.attempt` span per
//! attempt (`attempt`, `status`, `outcome`, `duration_ms`). No key material,
//! signature or body is ever recorded.
#![deny(missing_docs)]

mod client;
mod config;
mod echo;
mod error;
#[cfg(feature = "hyper")]
mod hyper_transport;
pub mod notification;
mod retry;
#[cfg(feature = "test-util")]
pub mod test_util;
mod timer;
mod transport;

#[cfg(payermax_bench)]
#[doc(hidden)]
pub use client::BenchCrypto;
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REPLY_BYTES,
    DEFAULT_REQUEST_TIMEOUT, RawReply, Reply,
};
pub use config::{BuildError, Clock, Environment, Setting, SystemClock};
pub use error::{AmbiguousOutcome, BODY_EXCERPT_LIMIT, BoxError, Error, NotSent, SignatureProblem};
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, RootCertificateError, RootCertificates};
pub use notification::{NotificationError, verify_notification};
pub use retry::RetryPolicy;
#[cfg(feature = "tokio")]
pub use timer::TokioTimer;
pub use timer::{Sleep, Timer};
pub use transport::RequestBody;

pub use payermax_sign::{PrivateKey, PublicKey};
pub use payermax_types::ResultCode;
