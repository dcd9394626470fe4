//! `payermax call`: any outbound operation through payermax-http's client.

use std::io::Write as _;

use payermax_http::{Client, Environment, Error, RawReply, Reply};
use payermax_types::registry::visit_operations;
use payermax_types::{Operation, OperationInfo, OperationVisitor, Validate};
use serde_json::{Map, Value};

use crate::args::CallArgs;
use crate::catalog::find;
use crate::failure::{Code, Failure, output};
use crate::input::{KeySource, flag_or_env, read_body};

/// What the call prints on success: the reply as JSON (or raw).
type Outcome = Result<Output, Failure>;

/// What a successful call prints.
struct Output {
    /// The reply as pretty JSON, `data` in the SDK's field order.
    summary: String,
    raw: RawReply,
}

/// The JSON of a typed reply.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a, T> {
    operation: &'static str,
    id: &'static str,
    code: &'a str,
    message: &'a str,
    signature_verified: bool,
    attempts: u32,
    data: &'a T,
}

/// The environment named by `--env` or `PAYERMAX_ENV`; there is no default.
fn environment(flag: Option<&str>) -> Result<Environment, Failure> {
    let value = match flag {
        Some(v) => v.to_owned(),
        None => std::env::var("PAYERMAX_ENV")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage(
                    "no environment: pass --env uat|production|URL or set PAYERMAX_ENV \
                     (there is no default)",
                )
            })?,
    };
    match value.trim() {
        "uat" | "UAT" => Ok(Environment::Uat),
        "production" | "PRODUCTION" => Ok(Environment::Production),
        url if url.contains("://") => Ok(Environment::Custom(url.to_owned())),
        other => Err(Failure::usage(format!(
            "--env: {other:?} is not uat, production or a URL"
        ))),
    }
}

/// The client the flags and environment describe.
fn client(args: &CallArgs) -> Result<Client, Failure> {
    let env = environment(args.env.as_deref())?;
    let mut builder = Client::builder(env)
        .private_key(KeySource::merchant("--merchant-key", args.merchant_key.as_deref()).private()?)
        .payermax_public_key(
            KeySource::platform("--platform-key", args.platform_key.as_deref()).public()?,
        );
    let m = &args.merchant;
    if let Some(v) = flag_or_env(&m.app_id, "PAYERMAX_APP_ID") {
        builder = builder.app_id(v);
    }
    if let Some(v) = flag_or_env(&m.merchant_no, "PAYERMAX_MERCHANT_NO") {
        builder = builder.merchant_no(v);
    }
    if let Some(v) = flag_or_env(&m.merchant_id, "PAYERMAX_MERCHANT_ID") {
        builder = builder.merchant_id(v);
    }
    builder
        .build()
        .map_err(|e| Failure::usage(format!("cannot build the client: {e}")))
}

/// The typed request, or every reason it is not one (nothing is sent).
///
/// Read from the exact bytes given, never through an intermediate
/// `serde_json::Value`: a JSON number would pass through `f64` there, and
/// an amount such as `12345678901234567.89` would change.
pub fn request<O: Operation>(info: &OperationInfo, bytes: &[u8]) -> Result<O::Request, Failure> {
    let mut json = serde_json::Deserializer::from_slice(bytes);
    // Trailing characters were refused before (the bytes are one JSON value).
    let request: O::Request = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        let at = wire_path(info, &e.path().to_string());
        let mut message = format!(
            "--data does not fit the request of {} (nothing sent): {at}: {}; \
             `payermax describe {}` lists its fields",
            info.id,
            e.inner(),
            info.id
        );
        // serde stops at the first problem: list every missing member too.
        let missing = crate::example::missing(info, bytes);
        if missing.len() > 1 {
            for m in missing {
                message.push_str(&format!("\n  {m}"));
            }
        }
        Failure::invalid(message)
    })?;
    request.validate().map_err(|errors| {
        let mut message = format!(
            "--data breaks {} rule(s) of {} (nothing sent):",
            errors.violations.len(),
            info.id
        );
        for v in &errors.violations {
            message.push_str(&format!("\n  {v}"));
        }
        Failure::invalid(message)
    })?;
    Ok(request)
}

/// A path of the payload as the SDK's validation names it (`data.x` for the gateway).
fn wire_path(info: &OperationInfo, path: &str) -> String {
    let gateway = info.api == payermax_types::ApiGeneration::Gateway;
    match (path, gateway) {
        (".", true) => "data".to_owned(),
        (".", false) => "the body".to_owned(),
        (p, true) => format!("data.{p}"),
        (p, false) => p.to_owned(),
    }
}

/// Finds the operation's descriptor and prepares the call.
struct Dispatch {
    info: &'static OperationInfo,
    /// The exact bytes of `--data`.
    payload: Vec<u8>,
    /// Builds the client once the request is known to be valid.
    client: Option<Box<dyn FnOnce() -> Result<Client, Failure>>>,
    outcome: Option<Outcome>,
}

impl OperationVisitor for Dispatch {
    fn visit<O: Operation>(&mut self, info: &'static OperationInfo) {
        if info.id != self.info.id {
            return;
        }
        let prepared = request::<O>(info, &self.payload).and_then(|request| {
            let build = self.client.take();
            let client =
                build.ok_or_else(|| Failure::new(Code::Failure, "internal: no client"))?()?;
            // The visitor is synchronous and the descriptor type is not
            // 'static: run the call to its end here, on this runtime.
            let call = client.call::<O>(&request);
            let runtime = tokio::runtime::Handle::current();
            tokio::task::block_in_place(|| runtime.block_on(call))
                .map_err(failure)
                .and_then(|reply| summary::<O>(info.id, reply))
        });
        self.outcome = Some(prepared);
    }
}

fn summary<O: Operation>(id: &'static str, reply: Reply<O::Response>) -> Result<Output, Failure> {
    let summary = serde_json::to_string_pretty(&Summary {
        operation: O::NAME,
        id,
        code: reply.code.as_str(),
        message: &reply.message,
        signature_verified: reply.signature_verified,
        attempts: reply.attempts,
        data: &reply.data,
    })
    .map_err(|e| Failure::new(Code::Failure, format!("cannot print the reply: {e}")))?;
    Ok(Output {
        summary,
        raw: reply.raw,
    })
}

/// The exit code and message of a failed call (`--raw` prints refusals' bytes).
fn failure(e: Error) -> Failure {
    let code = match &e {
        Error::Validation(_) | Error::Encode { .. } => Code::Invalid,
        Error::MissingSetting { .. } => Code::Usage,
        Error::Transport { .. } | Error::Timeout { .. } | Error::Status { .. } => Code::Transport,
        Error::BodyTooLarge { .. } => Code::Transport,
        Error::Refused { .. } => Code::Refused,
        Error::UnsignedRefusal { .. } | Error::Signature { .. } => Code::Signature,
        Error::Ambiguous(_) => Code::Ambiguous,
        _ => Code::Failure,
    };
    let mut message = e.to_string();
    if let Error::Ambiguous(outcome) = &e {
        if let Some(s) = outcome.settled_by {
            let data: Map<String, Value> =
                s.by.iter()
                    .filter_map(|k| {
                        outcome
                            .identifier(k.request_field)
                            .map(|v| (k.query_field.to_owned(), Value::String(v.to_owned())))
                    })
                    .collect();
            message.push_str(&format!(
                "\nsettle it: echo '{}' | payermax call {} --data - (same --env and keys)",
                Value::Object(data),
                s.spec
            ));
        }
    }
    let mut failure = Failure::new(code, message);
    if let Error::Refused { raw, .. } | Error::UnsignedRefusal { raw, .. } = e {
        failure.raw = Some(raw);
    }
    failure
}

/// The reply as received: status line, headers (the signature redacted
/// unless asked), a blank line, the exact body bytes.
fn write_raw(raw: &RawReply, show_signature: bool) -> Result<(), Failure> {
    let mut out = Vec::new();
    out.extend_from_slice(format!("HTTP {}\n", raw.status().as_u16()).as_bytes());
    for (name, value) in raw.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        if name
            .as_str()
            .eq_ignore_ascii_case(payermax_sign::SIGN_HEADER)
            && !show_signature
        {
            out.extend_from_slice(b"<redacted>");
        } else {
            out.extend_from_slice(value.as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(raw.body());
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(output)
}

/// Runs `call`.
pub fn run(args: CallArgs) -> Result<(), Failure> {
    let info = find(&args.operation, true)?;
    let bytes = read_body(&args.data)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
        .map_err(|e| Failure::invalid(format!("--data is not valid JSON (nothing sent): {e}")))?;
    let (raw, show_signature) = (args.raw, args.show_signature);
    let mut dispatch = Dispatch {
        info,
        payload: bytes,
        client: Some(Box::new(move || client(&args))),
        outcome: None,
    };
    visit_operations(&mut dispatch);
    let outcome = dispatch
        .outcome
        .ok_or_else(|| Failure::new(Code::Failure, format!("{} is not compiled in", info.id)))?;
    match outcome {
        Ok(out) if raw => write_raw(&out.raw, show_signature),
        Ok(out) => writeln!(std::io::stdout(), "{}", out.summary).map_err(output),
        Err(mut failure) => {
            if let (true, Some(r)) = (raw, failure.raw.take()) {
                write_raw(&r, show_signature)?;
            }
            Err(failure)
        }
    }
}
