//! Notification delivery for every journey: a body signed once with the
//! platform key, POSTed to the object's notify URL, retried on a schedule
//! until the merchant acknowledges it as documented.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use payermax_sign::{PrivateKey, SIGN_HEADER};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::reply::LEGACY_SUCCESS;
use crate::server::lock;

/// PayerMax's documented delivery schedule: attempts at 0 s, 30 s, 5 min,
/// 10 min, 1 h and 12 h (each the wait before that attempt).
pub const PAYERMAX_SCHEDULE: [Duration; 6] = [
    Duration::ZERO,
    Duration::from_secs(30),
    Duration::from_secs(5 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(12 * 60 * 60),
];

/// How notifications are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// The wait before each attempt; its length is the number of attempts.
    pub schedule: Vec<Duration>,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
    /// Deliver to hosts other than loopback (off by default).
    pub allow_remote: bool,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            schedule: PAYERMAX_SCHEDULE.to_vec(),
            attempt_timeout: Duration::from_secs(5),
            allow_remote: false,
        }
    }
}

/// Which acknowledgement the merchant owes: the one the inbound spec documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ack {
    /// The current gateway: `{"code":"SUCCESS","msg":"Success"}`.
    Gateway,
    /// The legacy v2.1 API: `{"bizCode":"0000","message":"success"}`.
    Legacy,
}

/// Whether an acknowledgement body is the documented one: a JSON object
/// whose `code` is `SUCCESS` (gateway) or whose `bizCode` is `0000` (legacy).
pub(crate) fn is_acknowledgement(ack: Ack, body: &[u8]) -> bool {
    let (key, want) = match ack {
        Ack::Gateway => ("code", "SUCCESS"),
        Ack::Legacy => ("bizCode", LEGACY_SUCCESS),
    };
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get(key).and_then(Value::as_str).map(|c| c == want))
        .unwrap_or(false)
}

/// One notification to deliver: the exact body, signed once, POSTed on the
/// schedule until acknowledged.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    /// The inbound spec id it satisfies (`collect_result_notify`, ...).
    pub(crate) kind: &'static str,
    /// The identifier of the object it is about.
    pub(crate) id: String,
    /// Where it goes.
    pub(crate) url: String,
    /// The exact JSON body.
    pub(crate) body: String,
    /// The acknowledgement expected.
    pub(crate) ack: Ack,
}

/// Delivers notifications and keeps a record of each.
#[derive(Debug)]
pub(crate) struct Notifier {
    config: NotifyConfig,
    records: Arc<Mutex<Vec<NotificationRecord>>>,
    shutdown: watch::Receiver<bool>,
}

impl Notifier {
    pub(crate) fn new(config: NotifyConfig, shutdown: watch::Receiver<bool>) -> Self {
        Self {
            config,
            records: Arc::default(),
            shutdown,
        }
    }

    /// Every delivery started, in order.
    pub(crate) fn records(&self) -> Vec<NotificationRecord> {
        lock(&self.records).clone()
    }

    /// Signs the body with `key` and starts delivery in the background.
    pub(crate) fn send(&self, key: &PrivateKey, n: Outgoing) {
        let sign = key.sign(n.body.as_bytes()).map_err(|e| e.to_string());
        let index = {
            let mut records = lock(&self.records);
            records.push(NotificationRecord {
                kind: n.kind.to_owned(),
                id: n.id.clone(),
                url: n.url.clone(),
                body: n.body.clone(),
                attempts: 0,
                acknowledged: false,
                last_error: None,
            });
            records.len() - 1
        };
        let records = self.records.clone();
        let config = self.config.clone();
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = shutdown.wait_for(|s| *s) => {}
                () = deliver(&config, &records, index, &n, sign) => {}
            }
        });
    }
}

async fn deliver(
    config: &NotifyConfig,
    records: &Mutex<Vec<NotificationRecord>>,
    index: usize,
    n: &Outgoing,
    sign: Result<String, String>,
) {
    for wait in &config.schedule {
        tokio::time::sleep(*wait).await;
        let result = match &sign {
            Ok(sign) => {
                match tokio::time::timeout(
                    config.attempt_timeout,
                    post(&n.url, &n.body, sign, n.ack, config.allow_remote),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err("no acknowledgement before the attempt timeout".to_owned()),
                }
            }
            Err(e) => Err(format!("signing failed: {e}")),
        };
        let mut records = lock(records);
        let Some(rec) = records.get_mut(index) else {
            return;
        };
        rec.attempts += 1;
        match result {
            Ok(()) => {
                rec.acknowledged = true;
                rec.last_error = None;
                return;
            }
            Err(e) => rec.last_error = Some(e),
        }
    }
}

fn host_allowed(host: &str, allow_remote: bool) -> bool {
    if allow_remote {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn post(
    url: &str,
    body: &str,
    sign: &str,
    ack: Ack,
    allow_remote: bool,
) -> Result<(), String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("callbackUrl {url:?}: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!(
            "callbackUrl {url:?}: the sandbox delivers over plain http only"
        ));
    }
    let host = uri
        .host()
        .ok_or_else(|| format!("callbackUrl {url:?}: no host"))?;
    if !host_allowed(host, allow_remote) {
        return Err(format!(
            "callbackUrl {url:?}: not a loopback host (enable remote callbacks to allow it)"
        ));
    }
    let port = uri.port_u16().unwrap_or(80);
    let addr_host = host.trim_start_matches('[').trim_end_matches(']');
    let stream = TcpStream::connect((addr_host, port))
        .await
        .map_err(|e| format!("connecting to {url}: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake with {url}: {e}"))?;
    tokio::spawn(conn);
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_else(|| host.to_owned());
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let req = Request::post(path)
        .header(HOST, authority)
        .header(CONTENT_TYPE, "application/json;charset=utf-8")
        .header(SIGN_HEADER, sign)
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|e| format!("building the request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = resp.status();
    let answer = Limited::new(resp.into_body(), 64 * 1024)
        .collect()
        .await
        .map_err(|e| format!("reading the acknowledgement: {e}"))?
        .to_bytes();
    if status != StatusCode::OK {
        return Err(format!("acknowledgement with HTTP status {status}"));
    }
    if !is_acknowledgement(ack, &answer) {
        return Err(format!(
            "not the documented acknowledgement: {}",
            String::from_utf8_lossy(&answer[..answer.len().min(200)])
        ));
    }
    Ok(())
}

/// A record of one notification's delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The inbound spec id the body satisfies (`collect_result_notify`,
    /// `refund_result_notify`, `legacy_refund_notify`, ...).
    pub kind: String,
    /// The identifier of the object it is about (`outTradeNo`,
    /// `outRefundNo`, legacy `refundId`).
    pub id: String,
    /// Where it was POSTed.
    pub url: String,
    /// The exact body sent.
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Whether the merchant acknowledged it as documented.
    pub acknowledged: bool,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledgement_is_checked() {
        let legacy = |b: &[u8]| is_acknowledgement(Ack::Legacy, b);
        assert!(legacy(br#"{"bizCode":"0000","message":"success"}"#));
        assert!(legacy(br#"{"message":"ok","bizCode":"0000"}"#));
        assert!(!legacy(br#"{"bizCode":"0001"}"#));
        assert!(!legacy(br#"{"code":"SUCCESS","msg":"Success"}"#));
        assert!(!legacy(b"OK"));
        assert!(!legacy(b""));
        let gateway = |b: &[u8]| is_acknowledgement(Ack::Gateway, b);
        assert!(gateway(br#"{"code":"SUCCESS","msg":"Success"}"#));
        assert!(!gateway(br#"{"bizCode":"0000","message":"success"}"#));
        assert!(!gateway(br#"{"code":"FAIL"}"#));
    }

    /// The acknowledgements checked are the ones the inbound specs document.
    #[test]
    fn acknowledgements_are_the_documented_ones() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        for (id, ack) in [
            ("legacy_refund_notify", Ack::Legacy),
            ("collect_result_notify", Ack::Gateway),
            ("refund_result_notify", Ack::Gateway),
        ] {
            let example = routes.inbound(id).and_then(|s| s.reply_example.as_ref());
            let example = example.unwrap_or_else(|| panic!("{id}: no documented acknowledgement"));
            assert!(
                is_acknowledgement(ack, example.to_string().as_bytes()),
                "{id}"
            );
        }
    }

    #[test]
    fn only_loopback_unless_allowed() {
        assert!(host_allowed("127.0.0.1", false));
        assert!(host_allowed("[::1]", false));
        assert!(host_allowed("LOCALHOST", false));
        assert!(!host_allowed("example.com", false));
        assert!(!host_allowed("10.0.0.1", false));
        assert!(host_allowed("example.com", true));
    }
}
