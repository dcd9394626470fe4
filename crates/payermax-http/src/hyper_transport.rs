//! The default transport (feature `hyper`): hyper 1 through hyper-util's
//! pooled legacy client, TLS by rustls with the aws-lc-rs provider (TLS 1.2
//! and 1.3), Mozilla's webpki roots (and the operating system's too with
//! feature `native-roots`), plus any extra roots the caller gives
//! ([`RootCertificates`]: a corporate TLS-inspecting proxy's CA, a test CA).
//! Plain `http://` works too, for a sandbox on loopback.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tower_service::Service;

use crate::config::BuildError;
use crate::error::BoxError;
use crate::transport::RequestBody;

/// The default transport, a tower `Service` you may wrap in layers and hand
/// back to [`crate::ClientBuilder::transport`] (see
/// `examples/custom_transport.rs`). Cheap to clone; clones share one
/// connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    client: HyperClient<HttpsConnector<HttpConnector>, RequestBody>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport whose connections (TCP and TLS handshake) must be up
    /// within `connect_timeout`. Needs a Tokio runtime when used.
    pub fn new(connect_timeout: Duration) -> Result<Self, BuildError> {
        Self::with_extra_roots(connect_timeout, &RootCertificates::default())
    }

    /// Like [`new`](Self::new), trusting `extra` beside the usual roots
    /// (what [`ClientBuilder::extra_root_certificates`](crate::ClientBuilder::extra_root_certificates)
    /// does for the default transport).
    pub fn with_extra_roots(
        connect_timeout: Duration,
        extra: &RootCertificates,
    ) -> Result<Self, BuildError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Transport(e.into()))?
        .with_root_certificates(root_certificates(extra)?)
        .with_no_client_auth();
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
        let https = builder.https_or_http().enable_http1().wrap_connector(http);
        let client = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        Ok(HyperTransport { client })
    }
}

/// Mozilla's roots (webpki-roots), plus the operating system's with feature
/// `native-roots`, plus `extra`. Unreadable system certificates are skipped
/// with a warning; `extra` were checked when they were read.
fn root_certificates(extra: &RootCertificates) -> Result<rustls::RootCertStore, BuildError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in &extra.certs {
        roots
            .add(cert.clone())
            .map_err(|e| BuildError::Transport(e.into()))?;
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            tracing::warn!(%error, "cannot load system root certificates");
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, ignored, "system root certificates");
    }
    Ok(roots)
}

/// Root certificates to trust beside the default ones, e.g. the CA of a
/// corporate proxy that inspects TLS, or a test CA. Read from PEM
/// (`-----BEGIN CERTIFICATE-----` sections) or DER; each is checked to be a
/// usable trust anchor when read.
///
/// ```
/// use payermax_http::RootCertificates;
///
/// let err = RootCertificates::from_pem(b"no certificate here").unwrap_err();
/// assert_eq!(err.to_string(), "root certificates: no CERTIFICATE section in the PEM input");
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let roots = RootCertificates::from_pem(&std::fs::read("/etc/corp/proxy-ca.pem")?)?;
/// let client = payermax_http::Client::builder(payermax_http::Environment::Uat)
///     .extra_root_certificates(roots)
///     // ... keys and ids ...
/// #   ;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct RootCertificates {
    certs: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for RootCertificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootCertificates")
            .field("count", &self.certs.len())
            .finish()
    }
}

/// Why root certificates could not be read ([`RootCertificates`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootCertificateError {
    /// The PEM input is malformed.
    #[error("root certificates: malformed PEM: {0}")]
    Pem(String),
    /// The PEM input holds no `CERTIFICATE` section.
    #[error("root certificates: no CERTIFICATE section in the PEM input")]
    NoCertificate,
    /// Certificate number `index` (0-based, in input order) is not a usable
    /// trust anchor (not an X.509 certificate rustls can read).
    #[error("root certificates: certificate {index} is not a usable trust anchor: {reason}")]
    Invalid {
        /// Its position in the input.
        index: usize,
        /// What rustls found wrong.
        reason: String,
    },
}

impl RootCertificates {
    /// Every `CERTIFICATE` section of a PEM file (other sections, such as
    /// keys, are skipped); at least one is required.
    pub fn from_pem(pem: &[u8]) -> Result<Self, RootCertificateError> {
        let mut roots = RootCertificates::default();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| RootCertificateError::Pem(e.to_string()))?;
            roots.push(cert)?;
        }
        if roots.certs.is_empty() {
            return Err(RootCertificateError::NoCertificate);
        }
        Ok(roots)
    }

    /// One DER-encoded certificate.
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<Self, RootCertificateError> {
        let mut roots = RootCertificates::default();
        roots.push(CertificateDer::from(der.into()))?;
        Ok(roots)
    }

    /// Adds the certificates of `other`.
    pub fn extend(&mut self, other: RootCertificates) {
        self.certs.extend(other.certs);
    }

    /// How many certificates it holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    fn push(&mut self, cert: CertificateDer<'static>) -> Result<(), RootCertificateError> {
        rustls::RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| RootCertificateError::Invalid {
                index: self.certs.len(),
                reason: e.to_string(),
            })?;
        self.certs.push(cert);
        Ok(())
    }
}

type ResponseFuture = Pin<
    Box<dyn Future<Output = Result<http::Response<BoxBody<Bytes, BoxError>>, BoxError>> + Send>,
>;

impl Service<http::Request<RequestBody>> for HyperTransport {
    type Response = http::Response<BoxBody<Bytes, BoxError>>;
    type Error = BoxError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::<http::Request<RequestBody>>::poll_ready(&mut self.client, cx).map_err(Into::into)
    }

    fn call(&mut self, req: http::Request<RequestBody>) -> Self::Future {
        let fut = self.client.request(req);
        Box::pin(async move {
            let resp = fut.await.map_err(BoxError::from)?;
            Ok(resp.map(|b| b.map_err(BoxError::from).boxed()))
        })
    }
}
