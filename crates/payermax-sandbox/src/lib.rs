//! A local, offline PayerMax for tests and for trying the SDK without an
//! account: a hyper server on loopback that serves every outbound operation
//! of the workspace's `spec/` folder.
//!
//! - **Spec-driven, through one data file.** `cargo xtask codegen` derives
//!   `src/generated/operations.json` from `spec/`; the sandbox embeds it and
//!   never reads `spec/` itself. Gateway operations are served at their
//!   path, legacy v2.1 operations at [`LEGACY_BASE_PATH`] chosen by
//!   `bizType`; inbound ones (notifications, sync-callbacks, redirects) are
//!   not routes. Bodies are validated against the request schema
//!   (`PARAMS_INVALID` naming the field) by the sandbox's own validator.
//! - **Variants.** Operations documented several times on one path
//!   (`orderAndPay`, `applyDropinSession`) accept a request valid for any
//!   variant and answer as the first such variant, in the data file's order.
//! - **Documented replies.** Operations without state answer their first
//!   reply example's `data` exactly as written (any JSON value; a minimal
//!   one from the reply schema when the document gives no example).
//! - **One pipeline, signature first.** The merchant's `sign` header is
//!   verified over the raw body with the merchant public key before anything
//!   else, faults included (`SIGN_VERIFY_FAILED`); every success is signed
//!   over its exact bytes with the platform key. Refusals are unsigned, as
//!   PayerMax's, unless [`SandboxBuilder::sign_refusals`].
//! - **Journeys.** Operations whose objects the sandbox keeps state for
//!   ([`STATEFUL_OPERATIONS`]) are answered by their journey, one module
//!   each behind one shape; the others answer their documented example.
//!   A control API for tests drives an object to any state
//!   ([`SandboxBuilder::control_api`], off by default, under
//!   [`SANDBOX_PATH_PREFIX`], outside PayerMax's paths).
//! - **`requestTime` window.** Gateway requests more than two minutes off the
//!   sandbox [`Clock`] get `REQ_TIME_OVER_TIME`.
//! - **The merchant's journeys, deterministic.** Payments (a hosted
//!   checkout page the payer pays or fails on, returning to
//!   `frontCallbackUrl`; direct and drop-in orders settling by rule; expiry
//!   by `expireTime`; a repeated `outTradeNo` is `ORDER_REPEAT`),
//!   authorisations (partial and final captures, cancels), refunds (gateway
//!   `refund` of paid orders: currency, total, one at a time; the legacy
//!   `refundApply`), each with its query and its signed notification. The
//!   rule of [`Settlement`] and the identifier prefixes [`FAIL_PREFIX`] and
//!   [`PENDING_PREFIX`] decide outcomes; the crate README has the table of
//!   every state, rule and control.
//! - **Payouts, subscriptions, payment tokens in memory.** `paymentOrderPay`
//!   / `paymentOrderQry` ([`Payout`], `SUCCESS`, `FAILED` or `BOUNCEBACK`);
//!   `subscriptionCreate` / `Query` / `Cancel` ([`Subscription`], one debit
//!   per period on the sandbox [`Clock`]); `applyPaymentToken` /
//!   `inquirePaymentToken` / `removePaymentToken` ([`PaymentToken`]); each
//!   settles by the same rule and sends its notifications. The crate README
//!   has every state, rule and control action.
//! - **Faults.** Per request with the [`FAULT_HEADER`] header, or per path or
//!   operation with [`SandboxHandle::add_fault`]; see [`Fault`].
//! - **A notification receiver** for the merchant side: [`receiver`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use payermax_sandbox::{Fault, FaultRule, Sandbox};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! println!("PayerMax at {}", sandbox.base_url());
//! // The next two refund applications fail with HTTP 503, then it behaves.
//! sandbox.add_fault(FaultRule::new(Fault::Status(503)).on_operation("refundApply").times(2));
//! assert!(sandbox.refunds().is_empty());
//! sandbox.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod body;
mod checkout;
pub mod cli;
mod control;
mod env;
mod fault;
mod journeys;
mod money;
mod notify;
mod pipeline;
pub mod receiver;
mod reply;
mod schema;
mod server;
mod settlement;
mod spec;
mod time;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payermax_sign::{PrivateKey, PublicKey};
use tokio::sync::watch;

pub use fault::{
    DEFAULT_OVERSIZED_BYTES, FAULT_HEADER, Fault, FaultRule, FaultScope, MAX_OVERSIZED_BYTES,
    UnknownFault, parse_fault_list,
};
pub use journeys::STATEFUL_OPERATIONS;
pub use journeys::gateway::Origin;
pub use journeys::payments::{
    DEFAULT_EXPIRE_SECONDS, Integration, MAX_EXPIRE_SECONDS, MIN_EXPIRE_SECONDS, Order, OrderStatus,
};
pub use journeys::payouts::{BOUNCE_PREFIX, Payout, PayoutStatus};
pub use journeys::refunds::{Refund, RefundStatus};
pub use journeys::subscriptions::{
    DECLINE_PREFIX, Debit, DebitStatus, Period, Subscription, SubscriptionStatus,
};
pub use journeys::tokens::{ApplicationStatus, PaymentToken, TokenStatus};
pub use notify::{NotificationRecord, NotifyConfig, PAYERMAX_SCHEDULE};
pub use pipeline::{REQUEST_TIME_WINDOW_MILLIS, SANDBOX_PATH_PREFIX};
pub use reply::{APPLY_SUCCESS, LEGACY_SUCCESS};
pub use settlement::{FAIL_PREFIX, PENDING_PREFIX, Settlement};
pub use spec::{LEGACY_BASE_PATH, OPERATIONS_JSON};
pub use time::{Clock, ManualClock, SystemClock, format_rfc3339_millis, parse_rfc3339_millis};

use server::{Shared, lock};

/// Why the sandbox could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum SandboxError {
    /// Binding the listener failed.
    Bind(std::io::Error),
    /// An operation (embedded or given to [`SandboxBuilder::operation`])
    /// could not be read.
    Operation(String),
    /// Generating a key pair failed.
    Key(String),
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::Bind(e) => write!(f, "binding the sandbox listener: {e}"),
            SandboxError::Operation(e) => write!(f, "loading the operations: {e}"),
            SandboxError::Key(e) => write!(f, "generating a sandbox key: {e}"),
        }
    }
}

impl std::error::Error for SandboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SandboxError::Bind(e) => Some(e),
            _ => None,
        }
    }
}

/// The sandbox server. Start one with [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with the defaults: 127.0.0.1, an ephemeral port, freshly
    /// generated keys, the system clock, [`Settlement::default`], PayerMax's
    /// notification schedule.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Configures and starts a [`Sandbox`].
#[derive(Debug)]
pub struct SandboxBuilder {
    ip: IpAddr,
    port: u16,
    merchant_public_key: Option<PublicKey>,
    platform_private_key: Option<PrivateKey>,
    clock: Arc<dyn Clock>,
    settlement: Settlement,
    notify: NotifyConfig,
    max_request_bytes: usize,
    sign_refusals: bool,
    control_api: bool,
    portal_notify_url: Option<String>,
    faults: Vec<FaultRule>,
    extra_operations: Vec<String>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        Self {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            merchant_public_key: None,
            platform_private_key: None,
            clock: Arc::new(SystemClock),
            settlement: Settlement::default(),
            notify: NotifyConfig::default(),
            max_request_bytes: 1024 * 1024,
            sign_refusals: false,
            control_api: false,
            portal_notify_url: None,
            faults: Vec::new(),
            extra_operations: Vec::new(),
        }
    }
}

impl SandboxBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default 127.0.0.1). Keep it on loopback:
    /// the sandbox accepts anyone who has the merchant key.
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = ip;
        self
    }

    /// The merchant public key requests are verified with. Without one, a
    /// merchant key pair is generated and its private half is available
    /// from [`SandboxHandle::merchant_private_key`].
    pub fn merchant_public_key(mut self, key: PublicKey) -> Self {
        self.merchant_public_key = Some(key);
        self
    }

    /// The platform private key replies and notifications are signed with.
    /// Without one, a key is generated.
    pub fn platform_private_key(mut self, key: PrivateKey) -> Self {
        self.platform_private_key = Some(key);
        self
    }

    /// The clock `requestTime` is checked against (and refund times come from).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The settlement rule.
    pub fn settlement(mut self, settlement: Settlement) -> Self {
        self.settlement = settlement;
        self
    }

    /// The notification delivery schedule: the wait before each attempt.
    /// Tests use short ones, e.g. `[0 ms, 20 ms, 20 ms]`.
    pub fn notification_schedule(mut self, schedule: Vec<Duration>) -> Self {
        self.notify.schedule = schedule;
        self
    }

    /// How long one notification attempt may take (default 5 s).
    pub fn notification_timeout(mut self, timeout: Duration) -> Self {
        self.notify.attempt_timeout = timeout;
        self
    }

    /// Deliver notifications to non-loopback hosts too (default: loopback only).
    pub fn allow_remote_callbacks(mut self, allow: bool) -> Self {
        self.notify.allow_remote = allow;
        self
    }

    /// The largest request body accepted (default 1 MiB); larger gets HTTP 413.
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// Whether refusals are signed: replies whose code is not a success,
    /// and the plain-text 400, 404, 405 and 413 answers. Default `false`,
    /// as PayerMax: its docs and official SDKs verify `sign` only on
    /// `APPLY_SUCCESS` replies, and its refusals come unsigned. `true` signs
    /// every answer (injected `status=NNN` faults excepted), for clients
    /// that want to verify refusals too.
    pub fn sign_refusals(mut self, sign: bool) -> Self {
        self.sign_refusals = sign;
        self
    }

    /// The notification URL configured in PayerMax's merchant portal: where
    /// the notifications without a per-request URL go (capture and cancel
    /// results; payment results of an order without `notifyUrl`). Default
    /// none: those are not sent.
    pub fn portal_notify_url(mut self, url: impl Into<String>) -> Self {
        self.portal_notify_url = Some(url.into());
        self
    }

    /// Serves the control API under `/_sandbox/control/` (default off):
    /// for tests that drive an object to a state (pay an order, settle a
    /// refund) without waiting for the settlement rule. It is a test
    /// double's door, never part of PayerMax's API; see the crate README.
    pub fn control_api(mut self, on: bool) -> Self {
        self.control_api = on;
        self
    }

    /// A fault rule in force from the start.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Serves one more operation beside the embedded ones, given as one
    /// entry of the data file `cargo xtask codegen` writes
    /// (`src/generated/operations.json`: `id`, `operation`, `api`,
    /// `direction`, `path`, `requiredHeaders`, `requestSchema`,
    /// `replyExamples`, ...); one with the id of an embedded operation
    /// replaces it. For trying an operation before it is in `spec/`; `start`
    /// fails on one it cannot read.
    pub fn operation(mut self, json: impl Into<String>) -> Self {
        self.extra_operations.push(json.into());
        self
    }

    /// Binds the listener and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        let error = |e: spec::SpecError| SandboxError::Operation(e.to_string());
        let mut specs = spec::embedded().map_err(error)?;
        for json in &self.extra_operations {
            let extra = spec::parse_operation(json).map_err(error)?;
            match specs.iter_mut().find(|s| s.id == extra.id) {
                Some(same) => *same = extra,
                None => specs.push(extra),
            }
        }
        for s in &specs {
            schema::check_patterns(&s.request_schema)
                .map_err(|e| SandboxError::Operation(format!("{}: {e}", s.id)))?;
        }
        let (merchant_public_key, merchant_private_key) = match self.merchant_public_key {
            Some(k) => (k, None),
            None => {
                let k = PrivateKey::generate().map_err(|e| SandboxError::Key(e.to_string()))?;
                (k.public_key(), Some(k))
            }
        };
        let platform_key = match self.platform_private_key {
            Some(k) => k,
            None => PrivateKey::generate().map_err(|e| SandboxError::Key(e.to_string()))?,
        };
        let platform_public_key = platform_key.public_key();
        let listener = server::bind(SocketAddr::new(self.ip, self.port))
            .await
            .map_err(SandboxError::Bind)?;
        let local_addr = listener.local_addr().map_err(SandboxError::Bind)?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut rules = fault::FaultRules::default();
        for r in self.faults {
            rules.add(r);
        }
        let env = Arc::new(env::Env {
            base_url: format!("http://{local_addr}"),
            portal_notify_url: self.portal_notify_url,
            clock: self.clock,
            settlement: self.settlement,
            platform_key,
            notifier: notify::Notifier::new(self.notify, shutdown_rx.clone()),
            shutdown: shutdown_rx.clone(),
        });
        let shared = Arc::new(Shared {
            routes: spec::Routes::new(specs),
            merchant_key: merchant_public_key.clone(),
            env,
            journeys: journeys::Journeys::new(),
            max_request_bytes: self.max_request_bytes,
            sign_refusals: self.sign_refusals,
            control: self.control_api,
            faults: Mutex::new(rules),
            requests: AtomicU64::new(0),
            shutdown: shutdown_rx,
        });
        let task = tokio::spawn(server::serve(shared.clone(), listener));
        Ok(SandboxHandle {
            shared,
            local_addr,
            base_url: format!("http://{local_addr}"),
            platform_public_key,
            merchant_public_key,
            merchant_private_key,
            shutdown: shutdown_tx,
            task: Some(task),
        })
    }
}

/// A running sandbox. Dropping it stops the server (use
/// [`SandboxHandle::shutdown`] to wait until it has stopped).
#[derive(Debug)]
pub struct SandboxHandle {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    base_url: String,
    platform_public_key: PublicKey,
    merchant_public_key: PublicKey,
    merchant_private_key: Option<PrivateKey>,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`: the base URL to give a client
    /// (operation paths are appended to it).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The platform public key: verify replies and notifications with it.
    pub fn platform_public_key(&self) -> &PublicKey {
        &self.platform_public_key
    }

    /// The merchant public key requests are verified with.
    pub fn merchant_public_key(&self) -> &PublicKey {
        &self.merchant_public_key
    }

    /// The generated merchant private key (sign requests with it), when no
    /// merchant public key was configured.
    pub fn merchant_private_key(&self) -> Option<&PrivateKey> {
        self.merchant_private_key.as_ref()
    }

    /// Adds a fault rule; rules are tried in the order added.
    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.shared.faults).add(rule);
    }

    /// Replaces every fault rule with this one.
    pub fn set_fault(&self, rule: FaultRule) {
        let mut rules = lock(&self.shared.faults);
        rules.clear();
        rules.add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// `http://127.0.0.1:<port>/_sandbox/control`: the control API's base
    /// URL when the sandbox serves it ([`SandboxBuilder::control_api`]).
    pub fn control_url(&self) -> Option<String> {
        self.shared
            .control
            .then(|| format!("{}{SANDBOX_PATH_PREFIX}control", self.base_url))
    }

    /// Every refund held, in creation order.
    pub fn refunds(&self) -> Vec<Refund> {
        self.shared.journeys.refunds.snapshot()
    }

    /// Every order held, in creation order.
    pub fn orders(&self) -> Vec<Order> {
        self.shared.journeys.payments.snapshot()
    }

    /// The order with this `outTradeNo` (compared case-insensitively, as
    /// PayerMax does).
    pub fn order(&self, out_trade_no: &str) -> Option<Order> {
        self.orders()
            .into_iter()
            .find(|o| o.out_trade_no.eq_ignore_ascii_case(out_trade_no))
    }

    /// The refund with this `refundId`.
    pub fn refund(&self, refund_id: &str) -> Option<Refund> {
        self.refunds()
            .into_iter()
            .find(|r| r.refund_id == refund_id)
    }

    /// Every payout held, in creation order.
    pub fn payouts(&self) -> Vec<Payout> {
        self.shared.journeys.payouts.snapshot()
    }

    /// Every subscription held, in creation order.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.shared.journeys.subscriptions.snapshot()
    }

    /// Every payment token application (and the token it issued), in
    /// creation order.
    pub fn payment_tokens(&self) -> Vec<PaymentToken> {
        self.shared.journeys.tokens.snapshot()
    }

    /// Every notification delivery started, with its attempts so far.
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.shared.env.notifier.records()
    }

    /// How many notifications the merchant acknowledged as documented.
    pub fn notifications_acknowledged(&self) -> usize {
        self.notifications()
            .iter()
            .filter(|n| n.acknowledged)
            .count()
    }

    /// How many HTTP requests the server received.
    pub fn requests_received(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Stops accepting, closes connections, cancels settlement timers and
    /// notification deliveries, and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
