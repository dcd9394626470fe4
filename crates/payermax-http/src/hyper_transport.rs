//! The default transport (feature `hyper`): hyper 1 through hyper-util's
//! pooled legacy client, TLS by rustls with the aws-lc-rs provider (TLS 1.2
//! and 1.3), Mozilla's webpki roots (and the operating system's too with
//! feature `native-roots`). Plain `http://` works too, for a sandbox on
//! loopback.

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
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Transport(e.into()))?
        .with_root_certificates(root_certificates())
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
/// `native-roots`. Unreadable system certificates are skipped with a warning.
fn root_certificates() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
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
    roots
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
