//! The default transport over real TLS: a CA and a server certificate made
//! here (rcgen), a rustls server on loopback. The CA is trusted only through
//! `ClientBuilder::extra_root_certificates`; without it the handshake fails
//! on the certificate.
#![cfg(feature = "hyper")]

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{Query, query};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use payermax_http::test_util::ReplayingTransport;
use payermax_http::{
    BuildError, Client, Environment, Error, HyperTransport, RootCertificateError, RootCertificates,
};
use payermax_test_keys::test_keys;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA, and a server certificate it issued for `names`.
struct Pki {
    ca_pem: String,
    ca_der: Vec<u8>,
    server_cert: Vec<u8>,
    server_key: Vec<u8>,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "payermax-rs test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let server = CertificateParams::new(names)
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
        server_cert: server.der().to_vec(),
        server_key: server_key.serialize_der(),
    }
}

async fn handle(
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let reply = serde_json::json!({
        "code": "APPLY_SUCCESS", "msg": "",
        "data": {"outRefundNo": v["data"]["outRefundNo"], "status": "REFUND_SUCCESS"},
    })
    .to_string();
    let sign = test_keys().payermax_private.sign(reply.as_bytes()).unwrap();
    Ok(http::Response::builder()
        .header("content-type", "application/json")
        .header("sign", sign)
        .body(Full::new(Bytes::from(reply)))
        .unwrap())
}

/// An HTTPS server on loopback presenting `pki`'s server certificate.
async fn https_server(pki: &Pki) -> SocketAddr {
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![pki.server_cert.clone().into()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone())),
    )
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client refusing the certificate ends the handshake.
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service_fn(handle))
                    .await;
            });
        }
    });
    addr
}

fn builder(addr: SocketAddr) -> payermax_http::ClientBuilder {
    let keys = test_keys();
    Client::builder(Environment::Custom(format!("https://{addr}")))
        .app_id("app-1")
        .merchant_no("P01010113865434")
        .private_key(keys.merchant_private.clone())
        .payermax_public_key(keys.payermax_public.clone())
        .request_timeout(Some(Duration::from_secs(10)))
}

/// The error and every source below it, as one line.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

#[tokio::test]
async fn a_ca_given_as_extra_root_is_trusted_pem_or_der() {
    let pki = pki(&["127.0.0.1"]);
    let addr = https_server(&pki).await;
    for roots in [
        RootCertificates::from_pem(pki.ca_pem.as_bytes()).unwrap(),
        RootCertificates::from_der(pki.ca_der.clone()).unwrap(),
    ] {
        assert_eq!(roots.len(), 1);
        let client = builder(addr)
            .extra_root_certificates(roots)
            .build()
            .unwrap();
        let reply = client.call::<Query>(&query("R-TLS")).await.unwrap();
        assert_eq!(reply.data.out_refund_no, "R-TLS");
        assert!(reply.signature_verified);
    }
    // A transport of one's own, built the same way.
    let transport = HyperTransport::with_extra_roots(
        Duration::from_secs(5),
        &RootCertificates::from_pem(pki.ca_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let client = builder(addr).transport(transport).build().unwrap();
    client.call::<Query>(&query("R-TLS")).await.unwrap();
}

#[tokio::test]
async fn without_the_extra_root_the_certificate_is_refused() {
    let pki = pki(&["127.0.0.1"]);
    let addr = https_server(&pki).await;
    let client = builder(addr).build().unwrap();
    let err = client.call::<Query>(&query("R-TLS")).await.unwrap_err();
    let text = chain(&err);
    assert!(matches!(err, Error::Transport { .. }), "{text}");
    assert!(text.contains("certificate"), "{text}");
    assert!(text.contains("UnknownIssuer"), "{text}");
}

#[tokio::test]
async fn a_trusted_ca_does_not_vouch_for_another_name() {
    let pki = pki(&["payermax.example"]);
    let addr = https_server(&pki).await;
    let roots = RootCertificates::from_pem(pki.ca_pem.as_bytes()).unwrap();
    let client = builder(addr)
        .extra_root_certificates(roots)
        .build()
        .unwrap();
    let err = client.call::<Query>(&query("R-TLS")).await.unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("invalid peer certificate: certificate not valid for name"),
        "{text}"
    );
}

#[test]
fn unreadable_root_certificates_are_typed_errors() {
    assert!(matches!(
        RootCertificates::from_pem(b"nothing here"),
        Err(RootCertificateError::NoCertificate)
    ));
    let key_only = KeyPair::generate().unwrap().serialize_pem();
    assert!(matches!(
        RootCertificates::from_pem(key_only.as_bytes()),
        Err(RootCertificateError::NoCertificate)
    ));
    let err = RootCertificates::from_der(b"not DER".to_vec()).unwrap_err();
    assert!(
        matches!(err, RootCertificateError::Invalid { index: 0, .. }),
        "{err}"
    );
    let bad_base64 = "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        RootCertificates::from_pem(bad_base64.as_bytes()),
        Err(RootCertificateError::Pem(_))
    ));
}

#[test]
fn extra_roots_beside_a_transport_of_ones_own_are_refused() {
    let pki = pki(&["127.0.0.1"]);
    let roots = RootCertificates::from_pem(pki.ca_pem.as_bytes()).unwrap();
    let err = builder("127.0.0.1:9".parse().unwrap())
        .transport(ReplayingTransport::unsigned())
        .extra_root_certificates(roots)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::Invalid {
                setting: "extra_root_certificates",
                ..
            }
        ),
        "{err}"
    );
}
