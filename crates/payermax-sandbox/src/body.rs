//! The reply body type: whole, or deliberately cut short.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// A reply body.
#[derive(Debug)]
pub(crate) enum ReplyBody {
    /// All of it.
    Full(Option<Bytes>),
    /// The first part, then an error that makes hyper close the connection
    /// before the announced length was sent.
    Truncated {
        part: Option<Bytes>,
        announced: u64,
        /// Started once the part is handed over: gives hyper time to flush
        /// the head and the part before the connection is cut.
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
        failed: bool,
    },
}

/// How long a truncated reply waits after its part before cutting.
const TRUNCATE_PAUSE: std::time::Duration = std::time::Duration::from_millis(20);

impl ReplyBody {
    pub(crate) fn full(b: impl Into<Bytes>) -> Self {
        ReplyBody::Full(Some(b.into()))
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            ReplyBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ReplyBody::Truncated {
                part,
                pause,
                failed,
                ..
            } => {
                if let Some(p) = part.take() {
                    *pause = Some(Box::pin(tokio::time::sleep(TRUNCATE_PAUSE)));
                    Poll::Ready(Some(Ok(Frame::data(p))))
                } else if !*failed {
                    if let Some(sleep) = pause.as_mut() {
                        if sleep.as_mut().poll(cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                    *failed = true;
                    Poll::Ready(Some(Err(io::Error::other(
                        "sandbox fault: reply truncated",
                    ))))
                } else {
                    Poll::Ready(None)
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ReplyBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ReplyBody::Full(None) => SizeHint::with_exact(0),
            ReplyBody::Truncated { announced, .. } => SizeHint::with_exact(*announced),
        }
    }
}
