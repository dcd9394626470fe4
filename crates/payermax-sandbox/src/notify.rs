//! Refund notifications: POSTed to the refund's `callbackUrl` when it
//! settles, signed with the platform key, retried on a schedule until the
//! merchant acknowledges them as documented.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use payermax_sign::SIGN_HEADER;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::reply::{LEGACY_SUCCESS, Members};
use crate::server::{Shared, lock};
use crate::store::{NotificationRecord, Refund};

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

/// The legacy refund notification body for a settled refund (spec
/// `legacy_refund_notify`): `merchantId, refundId, tradeNo, orderId, status,
/// refundAmount, currency, errorCode, errorMsg` (the last two empty on success).
pub(crate) fn notification_body(r: &Refund) -> String {
    Members::default()
        .str("merchantId", &r.merchant_id)
        .str("refundId", &r.refund_id)
        .str("tradeNo", &r.trade_no)
        .str("orderId", &r.order_id)
        .raw("status", r.status.legacy_code().to_string())
        .str("refundAmount", &r.amount)
        .str("currency", &r.currency)
        // Documented as empty strings when the refund succeeded.
        .str("errorCode", r.error_code.as_deref().unwrap_or_default())
        .str("errorMsg", r.error_msg.as_deref().unwrap_or_default())
        .to_json()
}

/// Whether an acknowledgement body is the documented one: a JSON object
/// whose `bizCode` is `0000`.
pub(crate) fn is_acknowledgement(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("bizCode")
                .and_then(Value::as_str)
                .map(|c| c == LEGACY_SUCCESS)
        })
        .unwrap_or(false)
}

/// Starts delivery for a refund that just settled, if it has a callback URL.
pub(crate) fn on_settled(shared: &Arc<Shared>, refund: Refund) {
    let Some(url) = refund.callback_url.clone() else {
        return;
    };
    let index = {
        let mut store = lock(&shared.store);
        store.notifications.push(NotificationRecord {
            refund_id: refund.refund_id.clone(),
            url: url.clone(),
            attempts: 0,
            acknowledged: false,
            last_error: None,
        });
        store.notifications.len() - 1
    };
    let shared = shared.clone();
    let mut shutdown = shared.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.wait_for(|s| *s) => {}
            () = deliver(&shared, index, &url, &refund) => {}
        }
    });
}

async fn deliver(shared: &Arc<Shared>, index: usize, url: &str, refund: &Refund) {
    let body = notification_body(refund);
    let sign = shared.platform_key.sign(body.as_bytes());
    for wait in &shared.notify.schedule {
        tokio::time::sleep(*wait).await;
        let result = match &sign {
            Ok(sign) => {
                match tokio::time::timeout(
                    shared.notify.attempt_timeout,
                    post(url, &body, sign, shared.notify.allow_remote),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err("no acknowledgement before the attempt timeout".to_owned()),
                }
            }
            Err(e) => Err(format!("signing failed: {e}")),
        };
        let mut store = lock(&shared.store);
        let Some(rec) = store.notifications.get_mut(index) else {
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

async fn post(url: &str, body: &str, sign: &str, allow_remote: bool) -> Result<(), String> {
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
    let ack = Limited::new(resp.into_body(), 64 * 1024)
        .collect()
        .await
        .map_err(|e| format!("reading the acknowledgement: {e}"))?
        .to_bytes();
    if status != StatusCode::OK {
        return Err(format!("acknowledgement with HTTP status {status}"));
    }
    if !is_acknowledgement(&ack) {
        return Err(format!(
            "not the documented acknowledgement: {}",
            String::from_utf8_lossy(&ack[..ack.len().min(200)])
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RefundStatus;

    #[test]
    fn acknowledgement_is_checked() {
        assert!(is_acknowledgement(
            br#"{"bizCode":"0000","message":"success"}"#
        ));
        assert!(is_acknowledgement(br#"{"message":"ok","bizCode":"0000"}"#));
        assert!(!is_acknowledgement(br#"{"bizCode":"0001"}"#));
        assert!(!is_acknowledgement(
            br#"{"code":"SUCCESS","msg":"Success"}"#
        ));
        assert!(!is_acknowledgement(b"OK"));
        assert!(!is_acknowledgement(b""));
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

    /// The body the sandbox sends satisfies the notification spec.
    #[test]
    fn body_satisfies_the_notification_spec() {
        let routes = crate::spec::Routes::new(crate::spec::embedded().unwrap());
        let spec = routes
            .inbound("legacy_refund_notify")
            .expect("spec/legacy_refund_notify.json");
        for status in [RefundStatus::Success, RefundStatus::Failed] {
            let mut r = refund();
            r.status = status;
            if status == RefundStatus::Success {
                r.error_code = None;
                r.error_msg = None;
            }
            let body: Value = serde_json::from_str(&notification_body(&r)).unwrap();
            assert_eq!(crate::schema::validate(&spec.request_schema, &body), vec![]);
        }
        let ack = spec
            .reply_example
            .as_ref()
            .expect("the spec documents the acknowledgement");
        assert!(is_acknowledgement(ack.to_string().as_bytes()));
    }

    fn refund() -> Refund {
        Refund {
            refund_id: "R1".into(),
            trade_no: "T1".into(),
            order_id: "FAIL-1".into(),
            merchant_id: "SP1".into(),
            amount: "10.50".into(),
            currency: "USD".into(),
            status: RefundStatus::Failed,
            callback_url: None,
            queries: 0,
            applications: 1,
            created_millis: 0,
            finished_millis: Some(1),
            error_code: Some("REFUND_FAILED".into()),
            error_msg: Some("no".into()),
        }
    }

    #[test]
    fn body_matches_the_notify_fields() {
        let r = refund();
        assert_eq!(
            notification_body(&r),
            r#"{"merchantId":"SP1","refundId":"R1","tradeNo":"T1","orderId":"FAIL-1","status":2,"refundAmount":"10.50","currency":"USD","errorCode":"REFUND_FAILED","errorMsg":"no"}"#
        );
    }
}
