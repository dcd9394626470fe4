//! The sandbox under load on loopback: requests per second through its full
//! path (verify the request's signature, validate it against the schema,
//! update the order's state, sign the reply) against the RSA limit measured
//! in the same run, OpenSSL's RSA-2048 sign plus verify rate on the same
//! machine (`openssl speed -multi <cores>`); and the process's memory over
//! 100,000 requests. Bounded: 100,000 requests (`LOAD_REQUESTS`) or 180 s.
//!
//! ```text
//! cargo bench -p payermax-tests --bench sandbox_load
//! ```
//!
//! The load client is in the same process: it pre-signs its requests (one
//! `orderQuery` per order, the same `requestTime` on a frozen sandbox clock)
//! and checks each reply's code and `sign` header, so the RSA work per
//! request is the sandbox's: one verify and one sign. Exits non-zero on any
//! error or when memory grows by more than 16 MiB.

use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use payermax_sandbox::{ManualClock, Sandbox, SandboxHandle, format_rfc3339_millis};
use payermax_test_keys::test_keys;
use serde_json::json;

const ORDERS: usize = 32;
const CONNECTIONS: usize = 16;
const TIME_LIMIT: Duration = Duration::from_secs(180);

/// OpenSSL's RSA-2048 (sign/s, verify/s) over `cores` processes.
fn openssl_rates(cores: usize) -> Option<(f64, f64)> {
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", "-mr", "-multi"])
        .arg(cores.to_string())
        .arg("rsa2048")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // `+F2:<n>:2048:<sign/s>:<verify/s>`
    let line = text.lines().find(|l| l.starts_with("+F2:"))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(3)?.parse().ok()?, f.get(4)?.parse().ok()?))
}

/// The process's resident memory, bytes (Linux).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

struct Load {
    sandbox: SandboxHandle,
    /// Pre-signed `(body, sign)` of each order's query.
    queries: Vec<(Bytes, String)>,
}

async fn post(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: &str,
    path: &str,
    body: Bytes,
    sign: &str,
) -> Result<(), String> {
    let req = hyper::Request::post(path)
        .header("host", host)
        .header("content-type", "application/json")
        .header("sign", sign)
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let signed = resp.headers().contains_key("sign");
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let needle = br#""code":"APPLY_SUCCESS","#;
    let ok = body.windows(needle.len()).any(|w| w == needle);
    if signed && ok {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&body).into_owned())
    }
}

async fn connect(
    addr: std::net::SocketAddr,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    sender
}

async fn setup() -> Load {
    let keys = test_keys();
    let now = payermax_sandbox::Clock::now_millis(&payermax_sandbox::SystemClock);
    let sandbox = Sandbox::builder()
        .merchant_public_key(keys.merchant_public.clone())
        .platform_private_key(keys.payermax_private.clone())
        .clock(Arc::new(ManualClock::new(now)))
        .start()
        .await
        .expect("sandbox");
    let time = format_rfc3339_millis(now);
    let host = sandbox.local_addr().to_string();
    let mut sender = connect(sandbox.local_addr()).await;
    let mut queries = Vec::new();
    for i in 0..ORDERS {
        let no = format!("LOAD-{i}");
        let envelope = |data: serde_json::Value| {
            json!({"version": "1.4", "keyVersion": "1", "requestTime": time,
                   "appId": "app-load", "merchantNo": "SP-LOAD", "data": data})
            .to_string()
        };
        let create = envelope(json!({"outTradeNo": no, "integrate": "Hosted_Checkout",
            "subject": "load", "totalAmount": 10.50, "currency": "USD", "userId": "u",
            "frontCallbackUrl": "http://merchant.example/back"}));
        let sign = keys.merchant_private.sign(create.as_bytes()).expect("sign");
        post(
            &mut sender,
            &host,
            "/aggregate-pay/api/gateway/orderAndPay",
            Bytes::from(create),
            &sign,
        )
        .await
        .expect("order created");
        let query = envelope(json!({"outTradeNo": no}));
        let sign = keys.merchant_private.sign(query.as_bytes()).expect("sign");
        queries.push((Bytes::from(query), sign));
    }
    Load { sandbox, queries }
}

/// Sends `count` queries over the connections; returns (elapsed, errors).
async fn run(load: &Load, count: u64) -> (Duration, u64, Option<String>) {
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (next, errors, first_error) = (next.clone(), errors.clone(), first_error.clone());
        let queries = load.queries.clone();
        let addr = load.sandbox.local_addr();
        tasks.push(tokio::spawn(async move {
            let host = addr.to_string();
            let mut sender = connect(addr).await;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || start.elapsed() > TIME_LIMIT {
                    return;
                }
                let (body, sign) = &queries[i as usize % queries.len()];
                if let Err(e) = post(
                    &mut sender,
                    &host,
                    "/aggregate-pay/api/gateway/orderQuery",
                    body.clone(),
                    sign,
                )
                .await
                {
                    errors.fetch_add(1, Ordering::Relaxed);
                    first_error.lock().unwrap().get_or_insert(e);
                    sender = connect(addr).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("load task");
    }
    let done = next.load(Ordering::Relaxed).min(count);
    let elapsed = start.elapsed();
    let err = first_error.lock().unwrap().take();
    // Requests not sent because of the time limit count as errors.
    (
        elapsed,
        errors.load(Ordering::Relaxed) + (count - done),
        err,
    )
}

fn main() -> ExitCode {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let requests: u64 = std::env::var("LOAD_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .enable_all()
        .build()
        .expect("runtime");
    let load = runtime.block_on(setup());

    // OpenSSL before and after the load; the better of the two.
    let before = openssl_rates(cores);
    let warm = runtime.block_on(run(&load, 5_000));
    let rss_start = rss();
    let (elapsed, errors, first_error) = runtime.block_on(run(&load, requests));
    let rss_end = rss();
    let after = openssl_rates(cores);
    let (sign, verify) = match (before, after) {
        (Some(a), Some(b)) => (a.0.max(b.0), a.1.max(b.1)),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => {
            eprintln!("openssl speed is not available: no baseline");
            return ExitCode::FAILURE;
        }
    };
    let limit = 1.0 / (1.0 / sign + 1.0 / verify);
    let rps = requests as f64 / elapsed.as_secs_f64();
    let growth = rss_end as i64 - rss_start as i64;
    println!(
        "sandbox under load on loopback ({cores} cores, {CONNECTIONS} connections, {ORDERS} orders)"
    );
    println!(
        "  requests: {requests} in {:.2} s, errors: {errors} (warm-up errors: {})",
        elapsed.as_secs_f64(),
        warm.1
    );
    println!("  sandbox: {rps:.0} requests/s (verify + validate + state + sign)");
    println!(
        "  OpenSSL RSA-2048 on {cores} cores: {sign:.0} sign/s, {verify:.0} verify/s; sign+verify limit {limit:.0}/s"
    );
    println!(
        "  ratio: {:.2} of the RSA limit (goal >= 0.80)",
        rps / limit
    );
    println!(
        "  memory: {:.1} MiB after warm-up, {:.1} MiB after {requests} requests ({:+.1} MiB)",
        rss_start as f64 / 1048576.0,
        rss_end as f64 / 1048576.0,
        growth as f64 / 1048576.0
    );
    if let Some(e) = first_error.or(warm.2) {
        println!("  first error: {}", &e[..e.len().min(300)]);
    }
    runtime.block_on(load.sandbox.shutdown());
    if errors > 0 || warm.1 > 0 || growth > 16 * 1024 * 1024 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
