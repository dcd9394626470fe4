//! A tiny notification receiver on loopback, for trying and testing the
//! merchant side of notifications against the sandbox.
//!
//! It only does the HTTP plumbing: each request's URI, raw body and `sign`
//! header go to your handler as a [`Delivery`], and your handler's
//! response is sent back. Verifying the signature over the exact bytes
//! received, before parsing them, and answering the acknowledgement are the
//! handler's job, as they are in your real notification endpoint (with
//! `payermax_webhook::Verifier` and the delivery's `acknowledgement()`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use bytes::Bytes;
//! use payermax_sandbox::receiver::{self, Delivery};
//!
//! let receiver = receiver::start(|d: Delivery| async move {
//!     println!("{} signed {:?}: {} bytes", d.uri, d.sign, d.body.len());
//!     http::Response::new(Bytes::from_static(br#"{"bizCode":"0000"}"#))
//! })
//! .await?;
//! let callback_url = receiver.url("/payermax/refund-notify");
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use payermax_sign::SIGN_HEADER;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as the receiver got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The request's path and query.
    pub uri: Uri,
    /// The `sign` header, if present and visible ASCII.
    pub sign: Option<String>,
    /// The raw body, exactly as received (empty if reading it failed).
    pub body: Bytes,
}

/// A running receiver. It stops accepting connections when dropped.
#[derive(Debug)]
pub struct Receiver {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Receiver {
    /// The address it listens on (127.0.0.1, an ephemeral port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` followed by `path_and_query` (which should
    /// start with `/`): a `callbackUrl` pointing at this receiver.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Starts a receiver on 127.0.0.1 (HTTP/1.1) that answers every request
/// with `handler(delivery)`. Must be called inside a tokio runtime.
pub async fn start<F, Fut>(handler: F) -> std::io::Result<Receiver>
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Bytes>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let handler = Arc::new(handler);
    let accept = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = Arc::clone(&handler);
            let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                let handler = Arc::clone(&handler);
                async move {
                    let sign = req
                        .headers()
                        .get(SIGN_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let (parts, body) = req.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let delivery = Delivery {
                        uri: parts.uri,
                        sign,
                        body,
                    };
                    Ok::<_, Infallible>(handler(delivery).await.map(Full::new))
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(Receiver { addr, accept })
}
