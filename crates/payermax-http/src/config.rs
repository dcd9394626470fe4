//! Environments, clocks, settings and the errors of building a client.

use std::fmt;

use payermax_types::Timestamp;

/// Where the client sends requests. Always named by the caller: there is no
/// default, so nothing reaches production by accident.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// PayerMax's test environment, `https://pay-gate-uat.payermax.com`.
    Uat,
    /// PayerMax's production environment, `https://pay-gate.payermax.com`.
    Production,
    /// Any other base URL (scheme and authority, optionally a path prefix),
    /// e.g. a local sandbox at `http://127.0.0.1:8080`. Plain `http://` is
    /// accepted only to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`)
    /// unless the builder opts in with
    /// [`danger_allow_insecure_http`](crate::ClientBuilder::danger_allow_insecure_http).
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash; operation paths are appended to it.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Uat => "https://pay-gate-uat.payermax.com",
            Environment::Production => "https://pay-gate.payermax.com",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// A source of the current time, used to stamp `requestTime` on each attempt.
/// Inject one in tests; closures returning a [`Timestamp`] implement it.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

impl<F> Clock for F
where
    F: Fn() -> Timestamp + Send + Sync + 'static,
{
    fn now(&self) -> Timestamp {
        self()
    }
}

/// A client setting, as named in [`BuildError`] and [`crate::Error::MissingSetting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The merchant's private key ([`crate::ClientBuilder::private_key`]).
    PrivateKey,
    /// PayerMax's public key ([`crate::ClientBuilder::payermax_public_key`]).
    PayerMaxPublicKey,
    /// The gateway `appId` ([`crate::ClientBuilder::app_id`]).
    AppId,
    /// The gateway `merchantNo` ([`crate::ClientBuilder::merchant_no`]).
    MerchantNo,
    /// The legacy `merchantId` ([`crate::ClientBuilder::merchant_id`]).
    MerchantId,
    /// A transport ([`crate::ClientBuilder::transport`]); required when the
    /// `hyper` feature is off.
    Transport,
    /// A timer ([`crate::ClientBuilder::timer`]); required when the `tokio`
    /// feature is off and a request timeout or a retry policy is set.
    Timer,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::PrivateKey => "private_key",
            Setting::PayerMaxPublicKey => "payermax_public_key",
            Setting::AppId => "app_id",
            Setting::MerchantNo => "merchant_no",
            Setting::MerchantId => "merchant_id",
            Setting::Transport => "transport",
            Setting::Timer => "timer",
        })
    }
}

/// Why [`crate::ClientBuilder::build`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required setting was not given.
    #[error("missing setting: {0}")]
    Missing(Setting),
    /// `app_id` and `merchant_no` go together (the gateway envelope needs both),
    /// and one of them, or `merchant_id` for the legacy API, is needed.
    #[error("{given} is set but {missing} is not; the gateway API needs both")]
    Incomplete {
        /// The setting given.
        given: Setting,
        /// The setting it needs beside it.
        missing: Setting,
    },
    /// The custom base URL is not an absolute `http://` or `https://` URL.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Plain `http://` to a host that is not loopback: requests, replies and
    /// refusals would travel unencrypted and unauthenticated by TLS. Use
    /// `https://`, or opt in with
    /// [`danger_allow_insecure_http`](crate::ClientBuilder::danger_allow_insecure_http).
    #[error(
        "refusing plain http:// to {host:?}, which is not loopback (use https://, or danger_allow_insecure_http)"
    )]
    InsecureHttp {
        /// The host named in the base URL.
        host: String,
    },
    /// A setting has a value that cannot be used.
    #[error("invalid value for {setting}: {reason}")]
    Invalid {
        /// The setting.
        setting: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The default transport could not be set up (e.g. no native root certificates).
    #[error("cannot set up the default transport: {0}")]
    Transport(#[source] crate::BoxError),
}

/// Whether `host` (as in a URI authority) is a loopback host.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<(), BuildError> {
    let bad = |reason| {
        Err(BuildError::InvalidBaseUrl {
            url: url.to_owned(),
            reason,
        })
    };
    let uri: http::Uri = match url.parse() {
        Ok(u) => u,
        Err(_) => return bad("not a URL"),
    };
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return bad("the scheme must be http or https"),
    }
    if uri.authority().is_none() {
        return bad("no host");
    }
    if uri.query().is_some() {
        return bad("a base URL cannot have a query");
    }
    let host = uri.host().unwrap_or_default();
    if uri.scheme_str() == Some("http") && !is_loopback_host(host) {
        if !allow_insecure_http {
            return Err(BuildError::InsecureHttp {
                host: host.to_owned(),
            });
        }
        tracing::warn!(
            host,
            "payermax client sending plain http:// to a host that is not loopback (danger_allow_insecure_http)"
        );
    }
    Ok(())
}
