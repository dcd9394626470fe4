//! The transport seam: any tower `Service` from `http::Request<RequestBody>`
//! to `http::Response<B>` plugs in, and is erased behind a cloneable handle.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::{Buf, Bytes};
use http_body::Body;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use tower_service::Service;

use crate::error::BoxError;

/// The body of every request the client hands to its transport: the exact
/// bytes that were signed, in one chunk.
pub type RequestBody = http_body_util::Full<Bytes>;

pub(crate) type ResponseBody = UnsyncBoxBody<Bytes, BoxError>;
type SendFuture =
    Pin<Box<dyn Future<Output = Result<http::Response<ResponseBody>, BoxError>> + Send>>;

/// The object-safe face of a transport.
pub(crate) trait ErasedTransport: Send + Sync + 'static {
    fn send(&self, req: http::Request<RequestBody>) -> SendFuture;
}

/// Holds a `Service` behind a mutex so that only `Send` is required of it;
/// each call clones the service and drives its own clone to readiness.
struct ServiceTransport<S> {
    service: Mutex<S>,
}

impl<S, B> ErasedTransport for ServiceTransport<S>
where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Buf + Send,
    B::Error: Into<BoxError>,
{
    fn send(&self, req: http::Request<RequestBody>) -> SendFuture {
        let mut service = match self.service.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        Box::pin(async move {
            poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            let resp = service.call(req).await.map_err(Into::into)?;
            Ok(resp.map(|body| {
                body.map_frame(|frame| frame.map_data(|mut d| d.copy_to_bytes(d.remaining())))
                    .map_err(Into::into)
                    .boxed_unsync()
            }))
        })
    }
}

/// A cloneable, type-erased transport.
#[derive(Clone)]
pub(crate) struct Transport(Arc<dyn ErasedTransport>);

impl Transport {
    pub(crate) fn new<S, B>(service: S) -> Self
    where
        S: Service<http::Request<RequestBody>, Response = http::Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: Body + Send + 'static,
        B::Data: Buf + Send,
        B::Error: Into<BoxError>,
    {
        Transport(Arc::new(ServiceTransport {
            service: Mutex::new(service),
        }))
    }

    pub(crate) fn send(&self, req: http::Request<RequestBody>) -> SendFuture {
        self.0.send(req)
    }
}

/// Why a body could not be read.
pub(crate) enum ReadError {
    TooLarge,
    Transport(BoxError),
}

/// Reads a whole body, refusing to hold more than `limit` bytes.
pub(crate) async fn read_capped(
    mut body: ResponseBody,
    content_length: Option<u64>,
    limit: usize,
) -> Result<Bytes, ReadError> {
    if content_length.is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(ReadError::Transport)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(ReadError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}
