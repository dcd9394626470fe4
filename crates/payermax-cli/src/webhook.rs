//! `payermax webhook verify` and `payermax webhook listen`: PayerMax's
//! messages through payermax-webhook's `Verifier` and `WebhookService`.

use std::cell::Cell;
use std::convert::Infallible;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;

use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use payermax_http::HyperTransport;
use payermax_webhook::{
    Delivery, Endpoint, Event, Kind, Reply, Verifier, WebhookError, WebhookService,
};
use tower_service::Service as _;

use crate::args::{WebhookChecks, WebhookListenArgs, WebhookVerifyArgs};
use crate::catalog::print_json;
use crate::failure::{Code, Failure, output};
use crate::input::{KeySource, flag_or_env, read_body};

/// The verifier and endpoint the flags describe.
fn verifier(checks: &WebhookChecks) -> Result<(Verifier, Endpoint), Failure> {
    let key = KeySource::platform("--platform-key", checks.platform_key.as_deref()).public()?;
    let mut verifier = Verifier::new(key);
    let m = &checks.merchant;
    if let Some(no) = flag_or_env(&m.merchant_no, "PAYERMAX_MERCHANT_NO") {
        verifier = verifier.merchant_no(no);
    }
    if let Some(id) = flag_or_env(&m.app_id, "PAYERMAX_APP_ID") {
        verifier = verifier.app_id(id);
    }
    if let Some(id) = flag_or_env(&m.merchant_id, "PAYERMAX_MERCHANT_ID") {
        verifier = verifier.legacy_merchant_id(id);
    }
    let endpoint = match &checks.kind {
        None => Endpoint::ByNotifyType,
        Some(name) => Endpoint::Kind(Kind::from_spec_id(name).ok_or_else(|| {
            let all: Vec<&str> = Kind::ALL.iter().map(|k| k.spec_id()).collect();
            Failure::usage(format!(
                "--kind: unknown kind {name:?}; one of {}",
                all.join(", ")
            ))
        })?),
    };
    Ok((verifier, endpoint))
}

/// The exit code of a rejected message: 7 for the signature, 3 for the rest.
fn rejected(e: &WebhookError) -> Failure {
    let code = if e.status() == StatusCode::UNAUTHORIZED {
        Code::Signature
    } else {
        Code::Invalid
    };
    Failure::new(code, format!("notification rejected: {e}"))
}

/// A delivery as printed: kind, notifyType, idempotency key,
/// acknowledgement and the typed event (payermax-webhook's `Event`
/// serializes as its kind's typed body, or as the verified body for a kind
/// this version does not know).
fn delivery_json(delivery: &Delivery) -> Printed<'_> {
    let kind = delivery.kind();
    Printed {
        kind: kind.map(Kind::spec_id),
        title: kind.map(Kind::title),
        notify_type: delivery.notify_type(),
        idempotency_key: delivery.idempotency_key(),
        acknowledgement: delivery.acknowledgement(),
        event: delivery.event(),
    }
}

/// A verified message as printed.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Printed<'a> {
    kind: Option<&'static str>,
    title: Option<&'static str>,
    notify_type: Option<&'a str>,
    idempotency_key: &'a str,
    acknowledgement: Option<&'static str>,
    event: &'a Event,
}

/// Runs `webhook verify`.
pub fn verify(args: WebhookVerifyArgs) -> Result<(), Failure> {
    let (verifier, endpoint) = verifier(&args.checks)?;
    let body = read_body(&args.body)?;
    let delivery = verifier
        .verify_signed(endpoint, Some(&args.sign), &body)
        .map_err(|e| rejected(&e))?;
    print_json(&delivery_json(&delivery))?;
    eprintln!(
        "notification verified: {}",
        delivery
            .kind()
            .map_or("a kind this version does not know", Kind::spec_id)
    );
    Ok(())
}

tokio::task_local! {
    /// Set by the handler of a verified message: whether it waits for an answer.
    static VERIFIED: Cell<Option<bool>>;
}

/// Runs `webhook listen` until Ctrl-C.
pub async fn listen(args: WebhookListenArgs) -> Result<(), Failure> {
    let (verifier, endpoint) = verifier(&args.checks)?;
    let forward = match &args.forward {
        Some(url) => Some(Forward::new(url)?),
        None => None,
    };
    let service = WebhookService::new(verifier, endpoint, |delivery: Delivery| async move {
        let line = serde_json::to_string(&delivery_json(&delivery)).unwrap_or_default();
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
        // Tell the connection the message verified, and whether it waits
        // for an answer (a synchronous callback has no acknowledgement).
        let _ = VERIFIED.try_with(|v| v.set(Some(delivery.acknowledgement().is_none())));
        Ok::<_, Infallible>(Reply::Acknowledge)
    })
    .on_rejection(|e| eprintln!("payermax: notification rejected: {e}"));
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::usage(format!("--port: cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(output)?;
    eprintln!("listening on http://{local}");
    if let Some(f) = &forward {
        eprintln!("forwarding verified requests to {}", f.url);
    }
    let accept = async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (service, forward) = (service.clone(), forward.clone());
            let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
                let (mut service, forward) = (service.clone(), forward.clone());
                async move {
                    let (parts, body) = req.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let request = Request::from_parts(parts, body);
                    let call = service.call(request.clone());
                    let (response, verified) = VERIFIED
                        .scope(Cell::new(None), async {
                            let response = match call.await {
                                Ok(r) => r,
                                Err(never) => match never {},
                            };
                            (response, VERIFIED.with(Cell::get))
                        })
                        .await;
                    // Only verified messages are forwarded; a synchronous
                    // callback is answered with the merchant server's answer.
                    let answer = match (verified, forward) {
                        (Some(waits), Some(f)) => f.send(request).await.filter(|_| waits),
                        _ => None,
                    };
                    Ok::<_, Infallible>(answer.unwrap_or(response).map(Full::new))
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), handler)
                    .await;
            });
        }
    };
    tokio::select! {
        () = accept => Ok(()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// Where verified requests are copied to.
#[derive(Clone)]
struct Forward {
    url: http::Uri,
    transport: HyperTransport,
}

impl Forward {
    fn new(url: &str) -> Result<Forward, Failure> {
        let uri: http::Uri = url
            .parse()
            .map_err(|_| Failure::usage(format!("--forward: {url:?} is not a URL")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
            return Err(Failure::usage(format!(
                "--forward: {url:?} is not an http:// or https:// URL"
            )));
        }
        let transport = HyperTransport::new(std::time::Duration::from_secs(10))
            .map_err(|e| Failure::usage(format!("--forward: {e}")))?;
        Ok(Forward {
            url: uri,
            transport,
        })
    }

    /// POSTs the request's exact body with its headers (the host's excepted);
    /// reports the outcome on stderr and returns the answer.
    async fn send(&self, request: Request<Bytes>) -> Option<Response<Bytes>> {
        let (parts, body) = request.into_parts();
        let mut out = Request::new(Full::new(body));
        *out.method_mut() = parts.method;
        *out.uri_mut() = self.url.clone();
        for (name, value) in &parts.headers {
            if name != http::header::HOST {
                out.headers_mut().append(name, value.clone());
            }
        }
        let mut transport = self.transport.clone();
        let answer = match transport.call(out).await {
            Ok(r) => {
                let (parts, body) = r.into_parts();
                body.collect()
                    .await
                    .map(|b| Response::from_parts(parts, b.to_bytes()))
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        match answer {
            Ok(r) => {
                eprintln!("forwarded to {}: HTTP {}", self.url, r.status().as_u16());
                Some(r)
            }
            Err(e) => {
                eprintln!("payermax: forwarding to {} failed: {e}", self.url);
                None
            }
        }
    }
}
