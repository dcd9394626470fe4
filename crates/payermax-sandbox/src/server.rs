//! The listener: accepts connections and hands every request to the one
//! pipeline (`pipeline.rs`); and the state the server, its background tasks
//! and the handle share.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use payermax_sign::PublicKey;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::env::Env;
use crate::fault::FaultRules;
use crate::journeys::Journeys;
use crate::pipeline::handle;
use crate::spec::Routes;

/// State shared by the server, its background tasks and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) routes: Routes,
    pub(crate) merchant_key: PublicKey,
    /// Clock, settlement rule, platform key, notifier: what journeys use.
    pub(crate) env: Arc<Env>,
    pub(crate) journeys: Journeys,
    pub(crate) max_request_bytes: usize,
    pub(crate) sign_refusals: bool,
    /// Whether the control API is served (started for testing).
    pub(crate) control: bool,
    pub(crate) faults: Mutex<FaultRules>,
    pub(crate) requests: AtomicU64,
    pub(crate) shutdown: watch::Receiver<bool>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The error that makes hyper close a connection without a reply.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sandbox fault: connection dropped")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _peer)) = accepted else {
            // Transient accept errors (e.g. too many open files): back off briefly.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut shutdown = shared.shutdown.clone();
            let svc_shared = shared.clone();
            let svc = service_fn(move |req| handle(svc_shared.clone(), req));
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = shutdown.wait_for(|s| *s) => {}
                _ = conn => {}
            }
        });
    }
}

/// Binds the listener.
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
