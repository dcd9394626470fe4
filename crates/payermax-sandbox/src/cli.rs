//! The sandbox binary's command line: [`USAGE`] and [`run`], shared by
//! `payermax-sandbox` and `payermax sandbox`.

use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::{FaultRule, LEGACY_BASE_PATH, ManualClock, Sandbox, Settlement, parse_fault_list};
use payermax_sign::{PrivateKey, PublicKey};

/// The `--help` text of the sandbox binary (and of `payermax sandbox`).
pub const USAGE: &str = "\
payermax-sandbox: a local, offline PayerMax (SANDBOX ONLY: never use its keys with the real PayerMax)

USAGE:
    payermax-sandbox [OPTIONS]

OPTIONS:
    --port N                      Port to listen on (default 0: a free port, printed at start)
    --host IP                     Address to listen on (default 127.0.0.1)
    --merchant-public-key FILE    Verify requests with this key (PEM or one-line base64 SPKI);
                                  default: generate a merchant key pair and print its private key
    --platform-private-key FILE   Sign replies and notifications with this key (PEM or one-line
                                  base64 PKCS#8); default: generate one
    --pending-queries N           Queries answered REFUND_PENDING before a refund settles (default 1)
    --settle-after-ms MS|never    Settle refunds this long after creation (default 200)
    --notify-schedule-ms LIST     Waits before each notification attempt, comma-separated
                                  (default PayerMax's: 0,30000,300000,600000,3600000,43200000)
    --notify-timeout-ms MS        Time limit of one notification attempt (default 5000)
    --allow-remote-callbacks      Deliver notifications to non-loopback hosts too
    --signed-refusals             Sign refusals and the 400/404/405/413 answers too (default:
                                  unsigned, as PayerMax: its SDKs verify successes only)
    --unsigned-refusals           The default; accepted for older scripts
    --portal-notify-url URL       The merchant portal's notification URL: capture and cancel
                                  results, and payment results of orders without notifyUrl
    --control                     Serve the control API under /_sandbox/control/ (for tests:
                                  drive an order, refund, ... to any state; never PayerMax's)
    --clock-offset-ms MS          Run the sandbox clock this far from the system clock (frozen
                                  at start + offset; for requestTime-window tests; with
                                  --control, POST /_sandbox/control/clock/advance/<ms> moves it)
    --fault LIST                  Inject faults (same names as the x-sandbox-fault header) into
                                  every request, or as scoped by the two flags after it:
    --fault-path PATH               only requests to PATH
    --fault-operation NAME          only this operation (spec id or PayerMax name)
    --fault-times N                 only the next N matching requests
    -h, --help                    This text
";

fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))
}

fn parse_ms(flag: &str, v: &str) -> Result<Duration, String> {
    v.trim()
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{flag}: {v:?} is not a number of milliseconds"))
}

fn parse(args: Vec<String>) -> Result<Option<Config>, String> {
    let mut cfg = Config::default();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        if flag == "--allow-remote-callbacks" {
            cfg.allow_remote = true;
            continue;
        }
        if flag == "--unsigned-refusals" || flag == "--signed-refusals" {
            cfg.signed_refusals = flag == "--signed-refusals";
            continue;
        }
        if flag == "--control" {
            cfg.control = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value (see --help)"))?;
        match flag.as_str() {
            "--port" => cfg.port = value.parse().map_err(|_| format!("--port: {value:?}"))?,
            "--host" => {
                cfg.host = Some(
                    value
                        .parse::<IpAddr>()
                        .map_err(|_| format!("--host: {value:?} is not an IP address"))?,
                );
            }
            "--merchant-public-key" => {
                let text = read_file(&value)?;
                cfg.merchant = Some(
                    PublicKey::parse(&text).map_err(|e| format!("--merchant-public-key: {e}"))?,
                );
            }
            "--platform-private-key" => {
                let text = read_file(&value)?;
                cfg.platform = Some(
                    PrivateKey::parse(&text).map_err(|e| format!("--platform-private-key: {e}"))?,
                );
            }
            "--pending-queries" => {
                cfg.settlement.pending_queries = value
                    .parse()
                    .map_err(|_| format!("--pending-queries: {value:?}"))?;
            }
            "--settle-after-ms" => {
                cfg.settlement.settle_after = if value == "never" {
                    None
                } else {
                    Some(parse_ms(&flag, &value)?)
                };
            }
            "--notify-schedule-ms" => {
                cfg.schedule = Some(
                    value
                        .split(',')
                        .map(|v| parse_ms(&flag, v))
                        .collect::<Result<_, _>>()?,
                );
            }
            "--portal-notify-url" => cfg.portal_notify_url = Some(value),
            "--notify-timeout-ms" => cfg.notify_timeout = Some(parse_ms(&flag, &value)?),
            "--clock-offset-ms" => {
                cfg.clock_offset = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--clock-offset-ms: {value:?}"))?,
                );
            }
            "--fault" => {
                let faults = parse_fault_list(&value).map_err(|e| e.to_string())?;
                let mut rule =
                    FaultRule::new(faults.first().cloned().ok_or("--fault: empty fault list")?);
                for f in faults.into_iter().skip(1) {
                    rule = rule.and(f);
                }
                cfg.faults.push(rule);
            }
            "--fault-path" | "--fault-operation" | "--fault-times" => {
                let rule = cfg
                    .faults
                    .pop()
                    .ok_or_else(|| format!("{flag} must follow a --fault"))?;
                let rule = match flag.as_str() {
                    "--fault-path" => rule.on_path(value),
                    "--fault-operation" => rule.on_operation(value),
                    _ => rule.times(
                        value
                            .parse()
                            .map_err(|_| format!("--fault-times: {value:?}"))?,
                    ),
                };
                cfg.faults.push(rule);
            }
            other => return Err(format!("unknown option {other} (see --help)")),
        }
    }
    Ok(Some(cfg))
}

#[derive(Debug, Default)]
struct Config {
    port: u16,
    host: Option<IpAddr>,
    merchant: Option<PublicKey>,
    platform: Option<PrivateKey>,
    settlement: Settlement,
    schedule: Option<Vec<Duration>>,
    notify_timeout: Option<Duration>,
    allow_remote: bool,
    signed_refusals: bool,
    control: bool,
    portal_notify_url: Option<String>,
    clock_offset: Option<i64>,
    faults: Vec<FaultRule>,
}

/// Runs the sandbox binary with `args` (without the program name): parses
/// the options of [`USAGE`], starts the sandbox, prints its address and keys
/// on stdout and serves until Ctrl-C. Errors go to stderr; the exit code is
/// 2 for bad options, 1 when the sandbox cannot start.
pub async fn run(args: Vec<String>) -> ExitCode {
    let cfg = match parse(args) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("payermax-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let mut b = Sandbox::builder()
        .port(cfg.port)
        .settlement(cfg.settlement)
        .allow_remote_callbacks(cfg.allow_remote)
        .sign_refusals(cfg.signed_refusals)
        .control_api(cfg.control);
    if let Some(url) = cfg.portal_notify_url {
        b = b.portal_notify_url(url);
    }
    if let Some(host) = cfg.host {
        b = b.ip(host);
    }
    if let Some(k) = cfg.merchant {
        b = b.merchant_public_key(k);
    }
    if let Some(k) = cfg.platform {
        b = b.platform_private_key(k);
    }
    if let Some(s) = cfg.schedule {
        b = b.notification_schedule(s);
    }
    if let Some(t) = cfg.notify_timeout {
        b = b.notification_timeout(t);
    }
    if let Some(offset) = cfg.clock_offset {
        let now = crate::SystemClock;
        let start = crate::Clock::now_millis(&now);
        b = b.clock(Arc::new(ManualClock::new(start.saturating_add(offset))));
    }
    for rule in cfg.faults {
        b = b.fault(rule);
    }
    let sandbox = match b.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("payermax-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = sandbox.base_url();
    println!("PayerMax sandbox listening on {base}");
    println!("  gateway operations: POST {base}/aggregate-pay/api/gateway/<operation>");
    println!("  legacy v2.1:        POST {base}{LEGACY_BASE_PATH} (operation chosen by bizType)");
    if let Some(control) = sandbox.control_url() {
        println!(
            "  control API (tests only, not PayerMax's): POST {control}/<journey>/<action>/<id>"
        );
    }
    println!("SANDBOX-ONLY TEST KEYS: never use them with the real PayerMax.");
    println!(
        "  platform public key (verify replies and notifications): {}",
        sandbox.platform_public_key().to_spki_base64()
    );
    match sandbox.merchant_private_key() {
        Some(k) => println!(
            "  merchant private key (generated; sign your requests): {}",
            k.to_pkcs8_base64().as_str()
        ),
        None => println!("  merchant public key: the one given with --merchant-public-key"),
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_flags() {
        let cfg = parse(args(
            "--port 8585 --pending-queries 3 --settle-after-ms never --notify-schedule-ms 0,10 \
             --signed-refusals --control --portal-notify-url http://127.0.0.1:9/n --fault status=503 --fault-operation refundApply --fault-times 2 --fault delay=5",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(cfg.port, 8585);
        assert!(cfg.signed_refusals && cfg.control);
        assert_eq!(
            cfg.portal_notify_url.as_deref(),
            Some("http://127.0.0.1:9/n")
        );
        let plain = parse(args("--signed-refusals --unsigned-refusals"))
            .unwrap()
            .unwrap();
        assert!(
            !plain.signed_refusals && !plain.control,
            "unsigned and no control by default"
        );
        assert_eq!(cfg.settlement.pending_queries, 3);
        assert_eq!(cfg.settlement.settle_after, None);
        assert_eq!(
            cfg.schedule,
            Some(vec![Duration::ZERO, Duration::from_millis(10)])
        );
        assert_eq!(
            cfg.faults,
            vec![
                FaultRule::new(crate::Fault::Status(503))
                    .on_operation("refundApply")
                    .times(2),
                FaultRule::new(crate::Fault::Delay(Duration::from_millis(5))),
            ]
        );
        assert!(parse(args("--help")).unwrap().is_none());
    }

    #[test]
    fn rejects_bad_flags() {
        for bad in [
            "--port",
            "--port x",
            "--nope 1",
            "--fault-times 2",
            "--fault nope",
            "--host example.com",
            "--merchant-public-key /nonexistent/key.pem",
        ] {
            assert!(parse(args(bad)).is_err(), "{bad}");
        }
    }
}
