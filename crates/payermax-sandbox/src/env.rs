//! What every journey may use: the clock, the settlement rule, the
//! platform key and the notifier, and the shutdown signal its timers obey.

use std::future::Future;
use std::sync::Arc;

use payermax_sign::PrivateKey;
use tokio::sync::watch;

use crate::notify::{Notifier, Outgoing};
use crate::settlement::Settlement;
use crate::time::Clock;

/// The services a journey is given.
#[derive(Debug)]
pub(crate) struct Env {
    /// `http://127.0.0.1:<port>`: links to the sandbox's own pages.
    pub(crate) base_url: String,
    /// The notification URL of PayerMax's merchant portal: where
    /// notifications without a per-request URL go (captures, cancels, ...).
    pub(crate) portal_notify_url: Option<String>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settlement: Settlement,
    pub(crate) platform_key: PrivateKey,
    pub(crate) notifier: Notifier,
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl Env {
    /// The sandbox clock, Unix milliseconds.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Signs and sends a notification.
    pub(crate) fn notify(&self, n: Outgoing) {
        self.notifier.send(&self.platform_key, n);
    }

    /// Runs `task` in the background unless the sandbox stops first.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = shutdown.wait_for(|s| *s) => {}
                () = task => {}
            }
        });
    }
}
