//! Fault injection: switched per request by the `x-sandbox-fault` header, or
//! per path/operation by rules on the [`SandboxHandle`](crate::SandboxHandle)
//! (optionally for the next N matching requests only).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The request header that switches faults on for one request. Real
/// clients never send it. Its value is a comma-separated list of fault names
/// (see [`Fault`]'s `FromStr`), e.g. `x-sandbox-fault: delay=50, bad-signature`.
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// The reply size the `oversized-body` fault uses unless given one: 16 MiB.
pub const DEFAULT_OVERSIZED_BYTES: usize = 16 * 1024 * 1024;
/// The largest size the `oversized-body` fault accepts: 256 MiB.
pub const MAX_OVERSIZED_BYTES: usize = 256 * 1024 * 1024;

/// One injected misbehaviour.
///
/// Faults that refuse the request ([`Fault::Status`], [`Fault::TooManyRequest`],
/// [`Fault::SystemError`]) act *before* the operation runs: the request has no
/// effect. All the others act *after* it ran: a refund applied for is kept even
/// though the reply is delayed, lost or damaged, which is what makes retries
/// dangerous without idempotency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `delay=MS`: wait this long before answering.
    Delay(Duration),
    /// `drop-connection`: close the connection without any reply.
    DropConnection,
    /// `status=NNN` (400..=599, e.g. `status=503`, `status=429`): a bare HTTP
    /// error with a plain-text body and no signature; 429 and 503 carry `Retry-After: 1`.
    Status(u16),
    /// `too-many-request`: HTTP 200, signed reply with code `TOO_MANY_REQUEST`.
    TooManyRequest,
    /// `system-error`: HTTP 200, signed reply with code `SYSTEM_ERROR`.
    SystemError,
    /// `bad-signature`: the normal reply with a `sign` header that does not verify.
    BadSignature,
    /// `missing-signature`: the normal reply without a `sign` header.
    MissingSignature,
    /// `truncated-body`: `Content-Length` announces the whole reply, half of
    /// it is sent, then the connection is closed.
    TruncatedBody,
    /// `unknown-fields`: the normal reply, signed, with extra fields at the
    /// top level and in `data`.
    UnknownFields,
    /// `unknown-enum`: the normal reply, signed, with a refund status value
    /// no documentation lists (`REFUND_REVERSED`, legacy `9`).
    UnknownEnum,
    /// `oversized-body[=BYTES]`: a signed, valid JSON reply padded to at
    /// least BYTES (default 16 MiB, at most [`MAX_OVERSIZED_BYTES`]).
    OversizedBody(usize),
}

impl Fault {
    /// Whether the fault refuses the request before the operation runs.
    pub fn refuses(&self) -> bool {
        matches!(
            self,
            Fault::Status(_) | Fault::TooManyRequest | Fault::SystemError
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Delay(d) => write!(f, "delay={}", d.as_millis()),
            Fault::DropConnection => f.write_str("drop-connection"),
            Fault::Status(s) => write!(f, "status={s}"),
            Fault::TooManyRequest => f.write_str("too-many-request"),
            Fault::SystemError => f.write_str("system-error"),
            Fault::BadSignature => f.write_str("bad-signature"),
            Fault::MissingSignature => f.write_str("missing-signature"),
            Fault::TruncatedBody => f.write_str("truncated-body"),
            Fault::UnknownFields => f.write_str("unknown-fields"),
            Fault::UnknownEnum => f.write_str("unknown-enum"),
            Fault::OversizedBody(n) => write!(f, "oversized-body={n}"),
        }
    }
}

/// A fault name that is not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown sandbox fault {:?} (expected delay=MS, drop-connection, status=NNN, \
             too-many-request, system-error, bad-signature, missing-signature, truncated-body, \
             unknown-fields, unknown-enum, oversized-body[=BYTES])",
            self.0
        )
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || UnknownFault(s.to_owned());
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s, None),
        };
        let name = name.to_ascii_lowercase();
        Ok(match (name.as_str(), arg) {
            ("delay", Some(ms)) => {
                Fault::Delay(Duration::from_millis(ms.parse().map_err(|_| bad())?))
            }
            ("drop-connection", None) => Fault::DropConnection,
            ("status", Some(code)) => {
                let code: u16 = code.parse().map_err(|_| bad())?;
                if !(400..=599).contains(&code) {
                    return Err(bad());
                }
                Fault::Status(code)
            }
            ("too-many-request", None) => Fault::TooManyRequest,
            ("system-error", None) => Fault::SystemError,
            ("bad-signature", None) => Fault::BadSignature,
            ("missing-signature", None) => Fault::MissingSignature,
            ("truncated-body", None) => Fault::TruncatedBody,
            ("unknown-fields", None) => Fault::UnknownFields,
            ("unknown-enum", None) => Fault::UnknownEnum,
            ("oversized-body", None) => Fault::OversizedBody(DEFAULT_OVERSIZED_BYTES),
            ("oversized-body", Some(n)) => {
                let n: usize = n.parse().map_err(|_| bad())?;
                if n > MAX_OVERSIZED_BYTES {
                    return Err(bad());
                }
                Fault::OversizedBody(n)
            }
            _ => return Err(bad()),
        })
    }
}

/// Parses a comma-separated list of faults (the header's and the CLI's form).
pub fn parse_fault_list(s: &str) -> Result<Vec<Fault>, UnknownFault> {
    s.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// Which requests a [`FaultRule`] applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultScope {
    /// Every request.
    Any,
    /// Requests to this exact path (e.g. `/aggregate-pay/api/gateway/refundQuery`).
    Path(String),
    /// Requests for this operation: its spec id (`legacy_refund_apply`) or
    /// PayerMax name (`refundApply`, `refundQuery`).
    Operation(String),
}

/// Faults for the requests a scope matches, optionally only the next N.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// The faults applied together.
    pub faults: Vec<Fault>,
    /// Which requests.
    pub scope: FaultScope,
    /// How many more matching requests get the faults; `None` = all.
    pub remaining: Option<u32>,
}

impl FaultRule {
    /// `fault` on every request, until cleared.
    pub fn new(fault: Fault) -> Self {
        Self {
            faults: vec![fault],
            scope: FaultScope::Any,
            remaining: None,
        }
    }

    /// Adds another fault applied together with the first.
    pub fn and(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Only requests to this path.
    pub fn on_path(mut self, path: impl Into<String>) -> Self {
        self.scope = FaultScope::Path(path.into());
        self
    }

    /// Only requests for this operation (spec id or PayerMax name).
    pub fn on_operation(mut self, operation: impl Into<String>) -> Self {
        self.scope = FaultScope::Operation(operation.into());
        self
    }

    /// Only the next `n` matching requests, then behave.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }
}

/// The rules in force, in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct FaultRules {
    rules: Vec<FaultRule>,
}

impl FaultRules {
    pub(crate) fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Takes the faults of the first rule whose scope matches, counting the
    /// request against it; a rule used up is removed. `op_names` are the
    /// operation's spec id and PayerMax name (empty when unknown, e.g. a
    /// legacy request without a known `bizType`).
    pub(crate) fn take(&mut self, path: &str, op_names: &[&str]) -> Vec<Fault> {
        let pos = self.rules.iter().position(|r| match &r.scope {
            FaultScope::Any => true,
            FaultScope::Path(p) => p == path,
            FaultScope::Operation(o) => op_names.iter().any(|n| n == o),
        });
        let Some(pos) = pos else {
            return Vec::new();
        };
        let rule = &mut self.rules[pos];
        let faults = rule.faults.clone();
        if let Some(n) = rule.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.rules.remove(pos);
            }
        }
        faults
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in [
            Fault::Delay(Duration::from_millis(25)),
            Fault::DropConnection,
            Fault::Status(503),
            Fault::Status(429),
            Fault::TooManyRequest,
            Fault::SystemError,
            Fault::BadSignature,
            Fault::MissingSignature,
            Fault::TruncatedBody,
            Fault::UnknownFields,
            Fault::UnknownEnum,
            Fault::OversizedBody(1000),
        ] {
            assert_eq!(f.to_string().parse::<Fault>(), Ok(f));
        }
        assert_eq!(
            "oversized-body".parse::<Fault>(),
            Ok(Fault::OversizedBody(DEFAULT_OVERSIZED_BYTES))
        );
    }

    #[test]
    fn lists_and_bad_names() {
        assert_eq!(
            parse_fault_list(" delay=5 , Bad-Signature,"),
            Ok(vec![
                Fault::Delay(Duration::from_millis(5)),
                Fault::BadSignature
            ])
        );
        for bad in [
            "nope",
            "delay",
            "delay=x",
            "status=200",
            "status=600",
            "drop-connection=1",
        ] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
    }

    #[test]
    fn next_n_then_behave() {
        let mut rules = FaultRules::default();
        rules.add(
            FaultRule::new(Fault::Status(503))
                .on_operation("refundApply")
                .times(2),
        );
        assert!(
            rules
                .take("/x", &["refund_query", "refundQuery"])
                .is_empty()
        );
        assert_eq!(rules.take("/y", &["refundApply"]), vec![Fault::Status(503)]);
        assert_eq!(rules.take("/y", &["refundApply"]), vec![Fault::Status(503)]);
        assert!(rules.take("/y", &["refundApply"]).is_empty());
        rules.add(FaultRule::new(Fault::SystemError).on_path("/p"));
        for _ in 0..3 {
            assert_eq!(rules.take("/p", &[]), vec![Fault::SystemError]);
        }
        rules.clear();
        assert!(rules.take("/p", &[]).is_empty());
    }
}
