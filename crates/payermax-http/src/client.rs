//! The client, its builder, and the one pipeline every operation goes through.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use http_body::Body;
use payermax_sign::{PrivateKey, PublicKey, SIGN_HEADER};
use payermax_types::{
    ApiGeneration, Echo, GatewayRequest, LegacyRequest, Operation, OperationRequest,
    RawGatewayReply, RawLegacyReply, ResultCode, RetryClass, SettledBy, Validate,
};
use serde_json::value::RawValue;
use std::time::Instant;
use tracing::Instrument;

use crate::config::{BuildError, Clock, Environment, Setting, SystemClock, check_base_url};
use crate::error::{
    AmbiguousOutcome, BoxError, Error, SignatureProblem, excerpt, is_io_timeout, proves_not_sent,
};
use crate::retry::RetryPolicy;
use crate::timer::{Timer, default_timer, race};
use crate::transport::{ReadError, RequestBody, Transport, read_capped};

/// The default cap on a reply body: 1 MiB.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 1024 * 1024;
/// The default per-attempt timeout (sending and reading the whole reply): 30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default connect timeout of the default transport: 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const USER_AGENT_VALUE: &str = concat!("payermax-rs/", env!("CARGO_PKG_VERSION"));

/// A typed reply: PayerMax accepted the request.
///
/// Acceptance is not the business outcome: a refund in `data` may still be
/// pending or have failed; that is data, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reply<T> {
    /// The operation's reply data.
    pub data: T,
    /// The result code ([`ResultCode::ApplySuccess`] or [`ResultCode::LegacySuccess`]).
    pub code: ResultCode,
    /// The message beside the code.
    pub message: String,
    /// Whether the reply's signature was verified; `false` only for unsigned
    /// replies accepted through [`ClientBuilder::danger_accept_unsigned_replies`].
    pub signature_verified: bool,
    /// How many attempts the call took (1 without retries).
    pub attempts: u32,
    /// Exactly what PayerMax sent: HTTP status, headers and the raw body
    /// (the bytes the signature was verified over), for logs and audits.
    pub raw: RawReply,
}

/// A reply as received: HTTP status, headers and the exact body bytes.
///
/// `Debug` shows the `sign` header as `<redacted>` and the body as text.
#[derive(Clone, PartialEq, Eq)]
pub struct RawReply {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl RawReply {
    pub(crate) fn new(status: http::StatusCode, headers: http::HeaderMap, body: Bytes) -> Self {
        RawReply {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// Every header, the `sign` header included (its value is marked
    /// sensitive).
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The body exactly as received.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The `sign` header's value, if there was exactly one readable one.
    pub fn sign(&self) -> Option<&str> {
        let mut all = self.headers.get_all(SIGN_HEADER).iter();
        match (all.next(), all.next()) {
            (Some(v), None) => v.to_str().ok(),
            _ => None,
        }
    }
}

impl fmt::Debug for RawReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a http::HeaderMap);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut m = f.debug_map();
                for (k, v) in self.0 {
                    if k.as_str().eq_ignore_ascii_case(SIGN_HEADER) || v.is_sensitive() {
                        m.entry(&k.as_str(), &"<redacted>");
                    } else {
                        m.entry(&k.as_str(), &String::from_utf8_lossy(v.as_bytes()));
                    }
                }
                m.finish()
            }
        }
        f.debug_struct("RawReply")
            .field("status", &self.status.as_u16())
            .field("headers", &Headers(&self.headers))
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl<T> Reply<T> {
    /// The reply data.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// A PayerMax client: cheap to clone, `Send + Sync`, one per merchant
/// configuration.
///
/// Build one with [`Client::builder`]; call any operation with
/// [`Client::call`].
///
/// ```
/// # #[cfg(feature = "test-util")]
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use payermax_http::test_util::ReplayingTransport;
/// use payermax_http::{Client, Environment, PrivateKey};
/// # use payermax_types::{ApiGeneration, Operation, Validate, Violation};
/// # #[derive(serde::Serialize, serde::Deserialize)] struct Query { #[serde(rename = "outRefundNo")] out_refund_no: String }
/// # impl Validate for Query { fn validate_into(&self, _: &str, _: &mut Vec<Violation>) {} }
/// # struct RefundQuery;
/// # impl Operation for RefundQuery {
/// #     const NAME: &'static str = "refundQuery";
/// #     const API: ApiGeneration = ApiGeneration::Gateway;
/// #     const PATH: &'static str = "/aggregate-pay/api/gateway/refundQuery";
/// #     const DEFAULT_VERSION: &'static str = "1.5";
/// #     const KEY_VERSION: Option<&'static str> = Some("1");
/// #     const BIZ_TYPE: Option<&'static str> = None;
/// #     type Request = Query;
/// #     type Response = serde_json::Value;
/// # }
///
/// // Keys made for this test: the merchant's and "PayerMax's".
/// let (merchant, payermax) = (PrivateKey::generate()?, PrivateKey::generate()?);
/// // Answers like PayerMax would, signed with "PayerMax's" key.
/// let transport = ReplayingTransport::signed_with(payermax.clone());
/// transport.push_gateway_success(serde_json::json!({"status": "REFUND_PENDING"}));
///
/// let client = Client::builder(Environment::Custom("http://127.0.0.1:9".into()))
///     .app_id("app-1")
///     .merchant_no("P01010113865434")
///     .private_key(merchant)
///     .payermax_public_key(payermax.public_key())
///     .transport(transport.clone())
///     .build()?;
///
/// let reply = client
///     .call::<RefundQuery>(&Query { out_refund_no: "R-1".into() })
///     .await?;
/// assert_eq!(reply.data["status"], "REFUND_PENDING");
/// assert_eq!(transport.requests().len(), 1);
/// # Ok(()) }
/// # #[cfg(feature = "test-util")]
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    environment: Environment,
    app_id: Option<String>,
    merchant_no: Option<String>,
    merchant_id: Option<String>,
    private_key: PrivateKey,
    public_key: PublicKey,
    versions: HashMap<String, String>,
    clock: Box<dyn Clock>,
    /// Set whenever a request timeout or a retry policy is (checked by `build`).
    timer: Option<Arc<dyn Timer>>,
    transport: Transport,
    request_timeout: Option<Duration>,
    connect_timeout: Duration,
    /// Whether `transport` is the default one, built with `connect_timeout`.
    default_transport: bool,
    max_reply_bytes: usize,
    retry: Option<RetryPolicy>,
    accept_unsigned: bool,
    #[cfg(payermax_bench)]
    bench_crypto: Option<BenchCrypto>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("environment", &i.environment)
            .field("app_id", &i.app_id)
            .field("merchant_no", &i.merchant_no)
            .field("merchant_id", &i.merchant_id)
            .field("private_key", &"<redacted>")
            .field("payermax_public_key", &"<set>")
            .field("versions", &i.versions)
            .field("request_timeout", &i.request_timeout)
            .field("max_reply_bytes", &i.max_reply_bytes)
            .field("retry", &i.retry)
            .field("accept_unsigned", &i.accept_unsigned)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; [`ClientBuilder::build`] names any missing setting.
///
/// Required: [`private_key`](Self::private_key),
/// [`payermax_public_key`](Self::payermax_public_key), and either
/// [`app_id`](Self::app_id) with [`merchant_no`](Self::merchant_no) (the
/// current gateway API), or [`merchant_id`](Self::merchant_id) (the legacy
/// v2.1 API), or all three. Without the `hyper` feature a
/// [`transport`](Self::transport) is required too.
pub struct ClientBuilder {
    environment: Environment,
    app_id: Option<String>,
    merchant_no: Option<String>,
    merchant_id: Option<String>,
    private_key: Option<PrivateKey>,
    public_key: Option<PublicKey>,
    versions: HashMap<String, String>,
    clock: Box<dyn Clock>,
    timer: Option<Arc<dyn Timer>>,
    transport: Option<Transport>,
    #[cfg(feature = "hyper")]
    extra_roots: crate::RootCertificates,
    request_timeout: Option<Duration>,
    connect_timeout: Duration,
    max_reply_bytes: usize,
    retry: Option<RetryPolicy>,
    accept_unsigned: bool,
    allow_insecure_http: bool,
    #[cfg(payermax_bench)]
    bench_crypto: Option<BenchCrypto>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("app_id", &self.app_id)
            .field("merchant_no", &self.merchant_no)
            .field("merchant_id", &self.merchant_id)
            .field(
                "private_key",
                &self.private_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "payermax_public_key",
                &self.public_key.as_ref().map(|_| "<set>"),
            )
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client for `environment`.
    pub fn builder(environment: Environment) -> ClientBuilder {
        ClientBuilder {
            environment,
            app_id: None,
            merchant_no: None,
            merchant_id: None,
            private_key: None,
            public_key: None,
            versions: HashMap::new(),
            clock: Box::new(SystemClock),
            timer: default_timer(),
            transport: None,
            #[cfg(feature = "hyper")]
            extra_roots: crate::RootCertificates::default(),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            retry: None,
            accept_unsigned: false,
            allow_insecure_http: false,
            #[cfg(payermax_bench)]
            bench_crypto: None,
        }
    }

    /// The environment this client talks to.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }
}

impl ClientBuilder {
    /// The gateway `appId`.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The gateway `merchantNo`.
    pub fn merchant_no(mut self, merchant_no: impl Into<String>) -> Self {
        self.merchant_no = Some(merchant_no.into());
        self
    }

    /// The legacy v2.1 `merchantId`.
    pub fn merchant_id(mut self, merchant_id: impl Into<String>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    /// The merchant's private key: every request is signed with it.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// PayerMax's public key: every signed reply is verified with it.
    pub fn payermax_public_key(mut self, key: PublicKey) -> Self {
        self.public_key = Some(key);
        self
    }

    /// Sends `version` instead of `O::DEFAULT_VERSION` for operation `O`.
    pub fn operation_version<O: Operation>(mut self, version: impl Into<String>) -> Self {
        self.versions.insert(version_key::<O>(), version.into());
        self
    }

    /// The clock that stamps `requestTime` (the system clock by default).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// The timer that runs request timeouts, retry waits and the retry
    /// deadline ([`TokioTimer`](crate::TokioTimer) by default with feature
    /// `tokio`). Give one to run the client on another executor, with a
    /// [`transport`](Self::transport) that runs there too.
    pub fn timer(mut self, timer: impl Timer) -> Self {
        self.timer = Some(Arc::new(timer));
        self
    }

    /// The transport: any tower `Service` taking `http::Request<RequestBody>`
    /// and answering `http::Response<B>` for any body `B`, with an error that
    /// converts into a boxed error. It must be `Clone` (wrap one that is not
    /// in `tower::buffer::Buffer`); each call clones it. Replaces the default
    /// hyper transport.
    pub fn transport<S, B>(mut self, service: S) -> Self
    where
        S: tower_service::Service<http::Request<RequestBody>, Response = http::Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: Body + Send + 'static,
        B::Data: Buf + Send,
        B::Error: Into<BoxError>,
    {
        self.transport = Some(Transport::new(service));
        self
    }

    /// Root certificates the default transport trusts beside Mozilla's (and
    /// the system's with `native-roots`): the CA of a corporate proxy that
    /// inspects TLS, a test CA. Adds to any given before. Only for the default
    /// transport: [`build`](Self::build) refuses them beside a
    /// [`transport`](Self::transport) of your own (build that one with
    /// [`HyperTransport::with_extra_roots`](crate::HyperTransport::with_extra_roots)).
    #[cfg(feature = "hyper")]
    pub fn extra_root_certificates(mut self, roots: crate::RootCertificates) -> Self {
        self.extra_roots.extend(roots);
        self
    }

    /// The time one attempt may take, from sending to the end of the reply
    /// body (30 s by default). `None` disables it (then no
    /// [`timer`](Self::timer) is needed unless retries are on).
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The default transport's connect timeout (10 s by default). When the
    /// default transport's connection times out, the call fails with
    /// [`Error::Timeout`] with this duration. (It does not apply to a
    /// [`transport`](Self::transport) of your own: its timeouts are
    /// [`Error::Transport`] with the transport's error as the source, and
    /// [`Error::is_timeout`] true.)
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest reply body read (1 MiB by default); larger is [`Error::BodyTooLarge`].
    pub fn max_reply_bytes(mut self, limit: usize) -> Self {
        self.max_reply_bytes = limit;
        self
    }

    /// Turns retries on with this policy (off by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// **Dangerous**: accept successful replies that carry no `sign` header.
    ///
    /// Such replies are unauthenticated: anyone able to answer in PayerMax's
    /// place can forge them. Replies that carry a signature are still
    /// verified, and a bad signature is still an error. Each accepted
    /// unsigned reply logs a warning and is marked
    /// `signature_verified: false`.
    pub fn danger_accept_unsigned_replies(mut self) -> Self {
        tracing::warn!(
            "payermax client configured to accept unsigned replies: successes will not be authenticated"
        );
        self.accept_unsigned = true;
        self
    }

    /// **Dangerous**: accept a plain `http://` base URL whose host is not
    /// loopback.
    ///
    /// Without it, [`build`](Self::build) refuses one
    /// ([`BuildError::InsecureHttp`]): requests, replies and refusals would
    /// cross the network unencrypted, readable and alterable by anyone on the
    /// path (replies stay signature-checked, refusals are not). Loopback
    /// (`localhost`, `127.0.0.0/8`, `[::1]`) needs no opt-in. Logs a warning
    /// when used.
    pub fn danger_allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let private_key = self
            .private_key
            .ok_or(BuildError::Missing(Setting::PrivateKey))?;
        let public_key = self
            .public_key
            .ok_or(BuildError::Missing(Setting::PayerMaxPublicKey))?;
        match (&self.app_id, &self.merchant_no, &self.merchant_id) {
            (Some(_), None, _) => {
                return Err(BuildError::Incomplete {
                    given: Setting::AppId,
                    missing: Setting::MerchantNo,
                });
            }
            (None, Some(_), _) => {
                return Err(BuildError::Incomplete {
                    given: Setting::MerchantNo,
                    missing: Setting::AppId,
                });
            }
            (None, None, None) => return Err(BuildError::Missing(Setting::AppId)),
            _ => {}
        }
        for (name, value) in [
            ("app_id", &self.app_id),
            ("merchant_no", &self.merchant_no),
            ("merchant_id", &self.merchant_id),
        ] {
            if value.as_deref().is_some_and(str::is_empty) {
                return Err(BuildError::Invalid {
                    setting: name,
                    reason: "empty",
                });
            }
        }
        check_base_url(self.environment.base_url(), self.allow_insecure_http)?;
        if self.max_reply_bytes == 0 {
            return Err(BuildError::Invalid {
                setting: "max_reply_bytes",
                reason: "must be at least 1",
            });
        }
        if self.timer.is_none() && (self.request_timeout.is_some() || self.retry.is_some()) {
            return Err(BuildError::Missing(Setting::Timer));
        }
        let default_transport_used = self.transport.is_none();
        let transport = match self.transport {
            #[cfg(feature = "hyper")]
            Some(_) if !self.extra_roots.is_empty() => {
                return Err(BuildError::Invalid {
                    setting: "extra_root_certificates",
                    reason: "they configure the default transport, and a transport of your own was given (build it with HyperTransport::with_extra_roots)",
                });
            }
            Some(t) => t,
            #[cfg(feature = "hyper")]
            None => Transport::new(crate::HyperTransport::with_extra_roots(
                self.connect_timeout,
                &self.extra_roots,
            )?),
            #[cfg(not(feature = "hyper"))]
            None => return Err(BuildError::Missing(Setting::Transport)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                environment: self.environment,
                app_id: self.app_id,
                merchant_no: self.merchant_no,
                merchant_id: self.merchant_id,
                private_key,
                public_key,
                versions: self.versions,
                clock: self.clock,
                timer: self.timer,
                transport,
                request_timeout: self.request_timeout,
                connect_timeout: self.connect_timeout,
                default_transport: default_transport_used,
                max_reply_bytes: self.max_reply_bytes,
                retry: self.retry,
                accept_unsigned: self.accept_unsigned,
                #[cfg(payermax_bench)]
                bench_crypto: self.bench_crypto,
            }),
        })
    }
}

impl Inner {
    /// The timer's current instant (the system's without a timer).
    fn now(&self) -> Instant {
        self.timer.as_ref().map_or_else(Instant::now, |t| t.now())
    }

    /// Signs a request body with the merchant key.
    fn sign(&self, body: &[u8]) -> Result<String, Error> {
        #[cfg(payermax_bench)]
        match &self.bench_crypto {
            Some(BenchCrypto::Backend(backend)) => {
                return self
                    .private_key
                    .sign_with(*backend, body)
                    .map_err(Error::Sign);
            }
            Some(BenchCrypto::DangerStub { signature }) => return Ok(signature.clone()),
            None => {}
        }
        self.private_key.sign(body).map_err(Error::Sign)
    }

    /// Verifies a reply body's signature with PayerMax's key.
    fn verify(&self, body: &[u8], signature: &str) -> Result<(), payermax_sign::VerifyError> {
        #[cfg(payermax_bench)]
        match &self.bench_crypto {
            Some(BenchCrypto::Backend(backend)) => {
                return self.public_key.verify_with(*backend, body, signature);
            }
            Some(BenchCrypto::DangerStub { .. }) => return Ok(()),
            None => {}
        }
        self.public_key.verify(body, signature)
    }
}

/// **Benchmarks only** (`--cfg payermax_bench`, which only `benches/run.sh`
/// sets; never in a published build, not a public API): how a client signs
/// and verifies.
#[cfg(payermax_bench)]
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum BenchCrypto {
    /// Sign and verify with this backend instead of the default one.
    Backend(payermax_sign::Backend),
    /// **Dangerous**: no cryptography. Every request carries `signature`,
    /// every reply signature is accepted unchecked. Measures what the SDK
    /// costs beside RSA.
    DangerStub {
        /// The `sign` header sent with every request.
        signature: String,
    },
}

#[cfg(payermax_bench)]
impl ClientBuilder {
    /// **Benchmarks only** (`--cfg payermax_bench`): choose a backend, or no
    /// cryptography at all ([`BenchCrypto::DangerStub`]).
    #[doc(hidden)]
    pub fn bench_crypto(mut self, crypto: BenchCrypto) -> Self {
        self.bench_crypto = Some(crypto);
        self
    }
}

#[cfg(payermax_bench)]
impl Client {
    /// **Benchmarks only** (`--cfg payermax_bench`): the request one attempt
    /// of [`Client::call`] would send: validated, enveloped, serialized,
    /// signed.
    #[doc(hidden)]
    pub fn bench_prepare<O: Operation>(
        &self,
        request: &O::Request,
    ) -> Result<http::Request<RequestBody>, Error> {
        let prepared = self.prepare::<O>(request)?;
        self.build_request(&prepared)
    }

    /// **Benchmarks only** (`--cfg payermax_bench`): what [`Client::call`]
    /// does with a 2xx reply: verify the signature over `body`, classify,
    /// decode.
    #[doc(hidden)]
    pub fn bench_accept<O: Operation>(
        &self,
        headers: &http::HeaderMap,
        body: Bytes,
    ) -> Result<Reply<O::Response>, Error> {
        self.verify_and_classify(O::API, http::StatusCode::OK, headers, body)
            .and_then(decode::<O::Response>)
    }
}

fn version_key<O: Operation>() -> String {
    format!("{}\u{0}{}", O::PATH, O::NAME)
}

/// What the operation-independent part of the pipeline needs.
struct Prepared {
    api: ApiGeneration,
    uri: String,
    body: BodyTemplate,
    /// `O::NAME`.
    operation: &'static str,
    /// `O::RETRY`.
    retry: RetryClass,
    /// `O::SETTLED_BY`.
    settled_by: Option<SettledBy>,
    /// `O::ECHO`.
    echo: &'static [Echo],
}

/// Whether a failed attempt may have reached PayerMax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    /// Provably not: nothing was written (not built, or no connection).
    No,
    /// It may have been, and processed.
    Maybe,
}

/// The request fields reported for a write no query settles, when present.
const REFERENCE_FIELDS: &[&str] = &[
    "outTradeNo",
    "outRefundNo",
    "refundId",
    "orderId",
    "requestId",
    "merchantLinkId",
    "subscriptionRequestId",
    "subscriptionNo",
    "paymentTokenID",
    "caseId",
    "rfiNo",
    "tradeToken",
    "referenceNo",
    "userId",
];

/// The merchant's identifiers in a write's request: the fields its settling
/// query takes, or else the usual reference fields present. Read from the
/// payload bytes already serialized, and only when an outcome is ambiguous
/// (the success path never pays for it).
fn identifiers(payload: &[u8], settled_by: Option<&SettledBy>) -> Vec<(&'static str, String)> {
    let Ok(map) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(payload)
    else {
        return Vec::new();
    };
    let fields: Vec<&'static str> = match settled_by {
        Some(s) => s.by.iter().map(|k| k.request_field).collect(),
        None => REFERENCE_FIELDS.to_vec(),
    };
    fields
        .into_iter()
        .filter_map(|f| {
            let v = match map.get(f)? {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((f, v))
        })
        .collect()
}

impl Prepared {
    /// The payload as serialized: the gateway's `data`, or the legacy body.
    fn payload(&self) -> &[u8] {
        match &self.body {
            BodyTemplate::Gateway { data, .. } => data.get().as_bytes(),
            BodyTemplate::Legacy { body } => body,
        }
    }
}

/// Refuses a reply whose `data` carries back one of the request's
/// identifiers with another value ([`Error::EchoMismatch`]; see
/// [`crate::echo`]). The payload (serialized once already) is read only
/// here, for an accepted reply of an operation that declares echoes:
/// preparing a request never pays for it.
fn check_echo(p: &Prepared, accepted: Accepted) -> Result<Accepted, Error> {
    let Some(data) = accepted.data.as_deref().filter(|_| !p.echo.is_empty()) else {
        return Ok(accepted);
    };
    let Ok(payload) = std::str::from_utf8(p.payload()) else {
        return Ok(accepted);
    };
    match crate::echo::check(p.echo, payload, data.get()) {
        Ok(()) => Ok(accepted),
        Err(m) => {
            tracing::warn!(
                operation = p.operation,
                field = m.echo.reply_field,
                "signed reply answers another request; refused"
            );
            Err(Error::EchoMismatch {
                operation: p.operation,
                request_field: m.echo.request_field,
                reply_field: m.echo.reply_field,
                sent: m.sent,
                received: m.received,
                raw: Box::new(accepted.raw),
            })
        }
    }
}

/// What to do with a failed attempt of a write.
enum WriteDecision {
    /// Nothing was processed: the policy may retry it.
    MayRetry,
    /// A definite outcome: return the error as it is.
    Final,
    /// It may have been processed: report the ambiguous outcome.
    Ambiguous,
}

fn decide_write(err: &Error, sent: Sent, attempt: u32) -> WriteDecision {
    match err {
        _ if sent == Sent::No => WriteDecision::MayRetry,
        // Nothing was sent for these.
        Error::Validation(_)
        | Error::MissingSetting { .. }
        | Error::Encode { .. }
        | Error::Sign(_) => WriteDecision::Final,
        // A signed refusal is PayerMax's word: rate limiting proves nothing
        // was processed; a duplicate number after an earlier attempt means
        // that attempt was (or may have been) processed; SYSTEM_ERROR says
        // nothing about what was done.
        Error::Refused { code, .. } => match code {
            ResultCode::TooManyRequest => WriteDecision::MayRetry,
            ResultCode::OrderRepeat if attempt > 1 => WriteDecision::Ambiguous,
            ResultCode::SystemError => WriteDecision::Ambiguous,
            _ => WriteDecision::Final,
        },
        // Timeouts, connections lost after sending, 5xx and every other
        // non-2xx status, unsigned refusals, bad or missing signatures,
        // unreadable or oversized replies.
        _ => WriteDecision::Ambiguous,
    }
}

enum BodyTemplate {
    /// The payload serialized once; the envelope is filled per attempt.
    Gateway {
        version: String,
        key_version: &'static str,
        app_id: String,
        /// `appId`, or the operation's own name for it.
        app_id_field: &'static str,
        merchant_no: Option<String>,
        data: Box<RawValue>,
    },
    /// No per-attempt field: the body is serialized once.
    Legacy { body: Bytes },
}

/// A reply PayerMax accepted, data still undecoded.
struct Accepted {
    code: ResultCode,
    message: String,
    data: Option<Box<RawValue>>,
    raw: RawReply,
    verified: bool,
    attempts: u32,
}

impl Client {
    /// Calls operation `O`: validates `request`, wraps it in `O`'s envelope,
    /// signs the exact bytes, sends them, verifies the reply's signature over
    /// the exact bytes received, and decodes the reply.
    ///
    /// # Signature rule
    /// A reply carrying `sign` is always verified; a bad signature is
    /// [`Error::Signature`] whatever the reply says. A signed refusal is
    /// [`Error::Refused`]; a reply without `sign` is read only as a refusal,
    /// reported as [`Error::UnsignedRefusal`] (PayerMax leaves error replies
    /// unsigned; it proves nothing); an unsigned success is
    /// [`Error::Signature`] with [`SignatureProblem::Missing`] unless the
    /// client was built with [`ClientBuilder::danger_accept_unsigned_replies`].
    ///
    /// # Writes
    /// An operation whose `RETRY` is [`RetryClass::Write`] is never sent
    /// again after a failure where it may have reached PayerMax, whatever
    /// the [`RetryPolicy`]: such a failure is [`Error::Ambiguous`], naming
    /// the query that settles it ([`Client::settle`]). Only failures that
    /// prove nothing was processed (no connection or TLS handshake, a signed
    /// `TOO_MANY_REQUEST`) are retried for writes.
    ///
    /// A reply with a non-2xx HTTP status is [`Error::Status`] whatever its
    /// body says; its signature is not looked at.
    ///
    /// The returned future is `Send` and does not borrow `request` or the client.
    pub fn call<O: Operation>(
        &self,
        request: &O::Request,
    ) -> impl Future<Output = Result<Reply<O::Response>, Error>> + Send + use<O> {
        let prepared = self.prepare::<O>(request);
        let client = self.clone();
        let span = tracing::info_span!(
            "payermax.call",
            operation = O::NAME,
            api = ?O::API,
            attempts = tracing::field::Empty,
            code = tracing::field::Empty,
            outcome = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        async move {
            let started = client.inner.now();
            let result = match prepared {
                Ok(p) => client.run(p).await.and_then(decode::<O::Response>),
                Err(e) => Err(e),
            };
            let span = tracing::Span::current();
            span.record(
                "duration_ms",
                client.inner.now().duration_since(started).as_millis() as u64,
            );
            match &result {
                Ok(reply) => {
                    span.record("outcome", "ok");
                    span.record("code", reply.code.as_str());
                    span.record("attempts", reply.attempts);
                }
                Err(e) => {
                    span.record("outcome", e.kind());
                    if let Some(code) = e.refusal_code() {
                        span.record("code", code.as_str());
                    }
                }
            }
            result
        }
        .instrument(span)
    }

    /// Like [`Client::call`], the operation found from the request's type
    /// (every generated request type names its operation).
    ///
    /// ```no_run
    /// # async fn demo(client: payermax_http::Client) -> Result<(), payermax_http::Error> {
    /// use payermax_types::refund_query::{RefundQueryRequest, RefundQueryRequestRequired, RefundRef};
    ///
    /// let request = RefundQueryRequest::new(RefundQueryRequestRequired {
    ///     refund_ref: RefundRef::OutRefundNo("R-1".into()),
    /// });
    /// let reply = client.send(&request).await?;
    /// // `data` is optional in refundQuery's reply.
    /// println!("{:?}", reply.data.and_then(|d| d.status));
    /// # Ok(()) }
    /// ```
    pub fn send<R>(
        &self,
        request: &R,
    ) -> impl Future<Output = Result<Reply<<R::Operation as Operation>::Response>, Error>> + Send + use<R>
    where
        R: OperationRequest,
    {
        self.call::<R::Operation>(request)
    }

    /// Settles an ambiguous outcome ([`Error::Ambiguous`]): runs the query
    /// `Q` that the write names (`Operation::SETTLED_BY`) with the write's
    /// own identifiers, and returns its reply. The reply says what became of
    /// the write (for a refund: `refundQuery`'s status, or a refusal such as
    /// `ORDER_NOT_EXIST` when PayerMax never received it).
    ///
    /// `Q` must be the write's settling query, otherwise
    /// [`Error::NotTheSettlingQuery`]. The query is a read: the client's
    /// retry policy applies to it.
    ///
    /// ```no_run
    /// # async fn demo(client: payermax_http::Client, refund: payermax_types::refund::RefundRequest) -> Result<(), payermax_http::Error> {
    /// use payermax_http::Error;
    /// use payermax_types::refund_query::RefundQuery;
    ///
    /// match client.send(&refund).await {
    ///     Ok(reply) => println!("accepted: {:?}", reply.data),
    ///     Err(Error::Ambiguous(outcome)) => {
    ///         // Never refund again under a new number: ask what happened.
    ///         let settled = client.settle::<RefundQuery>(&outcome).await?;
    ///         println!("refund status: {:?}", settled.data.and_then(|d| d.status));
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn settle<Q: Operation>(
        &self,
        outcome: &AmbiguousOutcome,
    ) -> impl Future<Output = Result<Reply<Q::Response>, Error>> + Send + use<Q> {
        let request = match outcome.settled_by {
            Some(s) if s.operation == Q::NAME && s.path == Q::PATH => {
                let mut data = serde_json::Map::new();
                for key in s.by {
                    if let Some(v) = outcome.identifier(key.request_field) {
                        data.insert(
                            key.query_field.to_owned(),
                            serde_json::Value::String(v.to_owned()),
                        );
                    }
                }
                serde_json::from_value::<Q::Request>(serde_json::Value::Object(data))
                    .map_err(|e| Error::Encode { source: e.into() })
            }
            _ => Err(Error::NotTheSettlingQuery {
                operation: outcome.operation,
                expected: outcome.settled_by.map(|s| s.operation),
                given: Q::NAME,
            }),
        };
        let call = request.map(|r| self.call::<Q>(&r));
        async move { call?.await }
    }

    fn prepare<O: Operation>(&self, request: &O::Request) -> Result<Prepared, Error> {
        request.validate()?;
        let inner = &self.inner;
        let version = inner
            .versions
            .get(&version_key::<O>())
            .cloned()
            .unwrap_or_else(|| O::DEFAULT_VERSION.to_owned());
        let encode = |e: serde_json::Error| Error::Encode { source: e.into() };
        let body = match O::API {
            ApiGeneration::LegacyV21 => {
                let merchant_id = inner.merchant_id.as_deref().ok_or(Error::MissingSetting {
                    setting: Setting::MerchantId,
                })?;
                let envelope = LegacyRequest {
                    merchant_id: Cow::Borrowed(merchant_id),
                    biz_type: Cow::Borrowed(O::BIZ_TYPE.unwrap_or(O::NAME)),
                    version: Cow::Owned(version),
                    payload: request,
                };
                BodyTemplate::Legacy {
                    body: Bytes::from(serde_json::to_vec(&envelope).map_err(encode)?),
                }
            }
            // The current gateway, and any generation added later that this
            // version does not know (it would fail on PayerMax's side, loudly).
            _ => {
                let app_id = inner.app_id.clone().ok_or(Error::MissingSetting {
                    setting: Setting::AppId,
                })?;
                BodyTemplate::Gateway {
                    version,
                    key_version: O::KEY_VERSION.unwrap_or("1"),
                    app_id,
                    app_id_field: O::APP_ID_FIELD,
                    merchant_no: inner.merchant_no.clone(),
                    data: serde_json::value::to_raw_value(request).map_err(encode)?,
                }
            }
        };
        Ok(Prepared {
            api: O::API,
            uri: format!("{}{}", inner.environment.base_url(), O::PATH),
            body,
            operation: O::NAME,
            retry: O::RETRY,
            settled_by: O::SETTLED_BY,
            echo: O::ECHO,
        })
    }

    /// Runs the attempts, retrying as the policy allows.
    async fn run(&self, p: Prepared) -> Result<Accepted, Error> {
        let inner = &self.inner;
        let started = inner.now();
        let deadline = inner.retry.as_ref().map(|r| started + r.get_deadline());
        let max_attempts = inner.retry.as_ref().map_or(1, |r| r.get_max_attempts());
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let mut timeout = inner.request_timeout;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(inner.now());
                timeout = Some(timeout.map_or(left, |t| t.min(left)));
            }
            let span = tracing::debug_span!(
                "payermax.attempt",
                attempt,
                status = tracing::field::Empty,
                outcome = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let attempt_started = inner.now();
            let result = self.attempt(&p, timeout).instrument(span.clone()).await;
            span.record(
                "duration_ms",
                inner.now().duration_since(attempt_started).as_millis() as u64,
            );
            span.record(
                "outcome",
                match &result {
                    Ok(_) => "ok",
                    Err((e, _)) => e.kind(),
                },
            );
            tracing::Span::current().record("attempts", attempt);
            let (err, sent) = match result {
                Ok(mut accepted) => {
                    accepted.attempts = attempt;
                    return Ok(accepted);
                }
                Err(e) => e,
            };
            if p.retry != RetryClass::Read {
                match decide_write(&err, sent, attempt) {
                    WriteDecision::MayRetry => {}
                    WriteDecision::Final => return Err(err),
                    WriteDecision::Ambiguous => {
                        tracing::warn!(
                            attempt,
                            error = err.kind(),
                            "payermax write failed with an unknown outcome; not sending it again"
                        );
                        return Err(Error::Ambiguous(Box::new(AmbiguousOutcome {
                            operation: p.operation,
                            identifiers: identifiers(p.payload(), p.settled_by.as_ref()),
                            settled_by: p.settled_by,
                            attempts: attempt,
                            cause: err,
                        })));
                    }
                }
            }
            let (Some(policy), Some(timer)) = (&inner.retry, &inner.timer) else {
                return Err(err);
            };
            if !err.is_retryable() || attempt >= max_attempts {
                return Err(err);
            }
            // A `Retry-After` (429, 503) is honoured: never sooner, and not
            // at all past the deadline.
            let wait = policy
                .wait(attempt)
                .max(err.retry_after().unwrap_or_default());
            if let Some(deadline) = deadline
                && timer.now() + wait >= deadline
            {
                tracing::debug!(attempt, "retry deadline reached");
                return Err(err);
            }
            tracing::info!(
                attempt,
                error = err.kind(),
                wait_ms = wait.as_millis() as u64,
                "payermax call failed, retrying"
            );
            timer.sleep(wait).await;
        }
    }

    /// One attempt: stamp, sign, send, read, verify, classify.
    async fn attempt(
        &self,
        p: &Prepared,
        timeout: Option<Duration>,
    ) -> Result<Accepted, (Error, Sent)> {
        let inner = &self.inner;
        let request = self.build_request(p).map_err(|e| (e, Sent::No))?;
        tracing::debug!(uri = %p.uri, "sending");
        let maybe = |e| (e, Sent::Maybe);

        let exchange = async {
            let response = inner.transport.send(request).await.map_err(|e| {
                let sent = if proves_not_sent(&*e) {
                    Sent::No
                } else {
                    Sent::Maybe
                };
                (self.transport_error(e), sent)
            })?;
            let (parts, body) = response.into_parts();
            let content_length = parts
                .headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let bytes = read_capped(body, content_length, inner.max_reply_bytes)
                .await
                .map_err(|e| match e {
                    ReadError::TooLarge => Error::BodyTooLarge {
                        limit: inner.max_reply_bytes,
                    },
                    ReadError::Transport(e) => self.transport_error(e),
                })
                .map_err(maybe)?;
            Ok::<_, (Error, Sent)>((parts, bytes))
        };
        let (parts, bytes) = match (timeout, &inner.timer) {
            (Some(after), Some(timer)) => race(exchange, timer.sleep(after))
                .await
                .ok_or_else(|| maybe(Error::Timeout { after }))??,
            // `build` refuses a timeout without a timer.
            _ => exchange.await?,
        };
        tracing::Span::current().record("status", parts.status.as_u16());
        if !parts.status.is_success() {
            return Err(maybe(Error::Status {
                status: parts.status.as_u16(),
                body: excerpt(&bytes),
                retry_after: retry_after(&parts.headers),
            }));
        }
        self.verify_and_classify(p.api, parts.status, &parts.headers, bytes)
            .and_then(|accepted| check_echo(p, accepted))
            .map_err(maybe)
    }

    /// Stamps the envelope, serializes it and signs those exact bytes.
    fn build_request(&self, p: &Prepared) -> Result<http::Request<RequestBody>, Error> {
        let inner = &self.inner;
        let body = match &p.body {
            BodyTemplate::Legacy { body } => body.clone(),
            BodyTemplate::Gateway {
                version,
                key_version,
                app_id,
                app_id_field,
                merchant_no,
                data,
            } => {
                let envelope = GatewayRequest {
                    version: Cow::Borrowed(version.as_str()),
                    key_version: Cow::Borrowed(*key_version),
                    request_time: Cow::Owned(inner.clock.now().to_string()),
                    app_id: Cow::Borrowed(app_id.as_str()),
                    app_id_field,
                    merchant_no: merchant_no.as_deref().map(Cow::Borrowed),
                    data: &**data,
                };
                Bytes::from(
                    serde_json::to_vec(&envelope)
                        .map_err(|e| Error::Encode { source: e.into() })?,
                )
            }
        };
        let signature = inner.sign(&body)?;
        let mut sign_value =
            HeaderValue::from_str(&signature).map_err(|e| Error::Encode { source: e.into() })?;
        sign_value.set_sensitive(true);
        http::Request::post(p.uri.as_str())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .header(SIGN_HEADER, sign_value)
            .body(RequestBody::new(body))
            .map_err(|e| Error::Encode { source: e.into() })
    }

    fn transport_error(&self, e: BoxError) -> Error {
        // Only the default transport's connect timeout is known to be
        // `connect_timeout`; any other transport's timeout keeps its own error.
        if self.inner.default_transport && is_io_timeout(&*e) && proves_not_sent(&*e) {
            Error::Timeout {
                after: self.inner.connect_timeout,
            }
        } else {
            Error::Transport { source: e }
        }
    }

    fn verify_and_classify(
        &self,
        api: ApiGeneration,
        status: http::StatusCode,
        headers: &http::HeaderMap,
        raw: Bytes,
    ) -> Result<Accepted, Error> {
        let mut signs = headers.get_all(SIGN_HEADER).iter();
        let verified = match (signs.next(), signs.next()) {
            (None, _) => false,
            (Some(value), None) => {
                let invalid = |source| Error::Signature {
                    problem: SignatureProblem::Invalid,
                    source,
                };
                let sig = value.to_str().map_err(|_| invalid(None))?;
                self.inner
                    .verify(&raw, sig.trim())
                    .map_err(|e| invalid(Some(e)))?;
                true
            }
            (Some(_), Some(_)) => {
                return Err(Error::Signature {
                    problem: SignatureProblem::Invalid,
                    source: None,
                });
            }
        };
        let decode_err = |source| Error::Decode {
            source,
            body: excerpt(&raw),
        };
        // Which code means success is the envelope's knowledge (payermax-types).
        let (success, code, message, data) = match api {
            ApiGeneration::LegacyV21 => {
                let r: RawLegacyReply = serde_json::from_slice(&raw).map_err(decode_err)?;
                (r.is_success(), r.biz_code, r.message, r.data)
            }
            _ => {
                let r: RawGatewayReply = serde_json::from_slice(&raw).map_err(decode_err)?;
                (r.is_success(), r.code, r.msg, r.data)
            }
        };
        let mut kept = headers.clone();
        if let http::header::Entry::Occupied(mut e) = kept.entry(SIGN_HEADER) {
            for v in e.iter_mut() {
                v.set_sensitive(true);
            }
        }
        let reply = RawReply::new(status, kept, raw);
        if !success {
            let raw = Box::new(reply);
            return Err(if verified {
                Error::Refused { code, message, raw }
            } else {
                Error::UnsignedRefusal { code, message, raw }
            });
        }
        if !verified {
            if !self.inner.accept_unsigned {
                return Err(Error::Signature {
                    problem: SignatureProblem::Missing,
                    source: None,
                });
            }
            tracing::warn!("accepting an unsigned success reply (danger_accept_unsigned_replies)");
        }
        Ok(Accepted {
            code,
            message,
            data,
            raw: reply,
            verified,
            attempts: 0,
        })
    }
}

/// `Retry-After` as a number of seconds (an HTTP-date is not read: the
/// policy's backoff applies then). Capped at one day.
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = v.parse::<u64>().unwrap_or(u64::MAX).min(86_400);
    Some(Duration::from_secs(secs))
}

fn decode<T: serde::de::DeserializeOwned>(a: Accepted) -> Result<Reply<T>, Error> {
    let json = a.data.as_deref().map_or("null", RawValue::get);
    let data = serde_json::from_str(json).map_err(|source| Error::Decode {
        source,
        body: excerpt(a.raw.body()),
    })?;
    Ok(Reply {
        data,
        code: a.code,
        message: a.message,
        signature_verified: a.verified,
        attempts: a.attempts,
        raw: a.raw,
    })
}
