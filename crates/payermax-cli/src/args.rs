//! The command line: every command, flag and environment variable, with
//! the examples `--help` shows.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The top-level `--help` text after the command list (a macro, so that
/// `concat!` can add the exit codes).
macro_rules! after_help {
    () => {
        "\
ENVIRONMENT:
    PAYERMAX_ENV            uat, production or a base URL (no default: `call` needs it or --env)
    PAYERMAX_APP_ID         the gateway appId            (call; webhook checks)
    PAYERMAX_MERCHANT_NO    the gateway merchantNo       (call; webhook checks)
    PAYERMAX_MERCHANT_ID    the legacy v2.1 merchantId   (legacy calls; webhook checks)
    PAYERMAX_MERCHANT_KEY   your private key, or the path of a file holding it (sign, call)
    PAYERMAX_PLATFORM_KEY   PayerMax's public key, or the path of a file holding it
                            (verify, webhook, call)
Keys are read in every form PayerMax and its SDKs use: one-line base64
(PKCS#8 / X.509 SPKI, or PKCS#1) and PEM. Secrets are never printed, in
errors included. JSON goes to stdout, messages to stderr.

EXAMPLES:
    payermax keygen --out keys/
    payermax sign --key keys/merchant_private_key.pem body.json
    payermax operations
    payermax example refund_query > query.json
    PAYERMAX_ENV=uat payermax call refundQuery --data query.json
    payermax sandbox --port 8585
"
    };
}

/// `payermax`: PayerMax from the command line.
///
/// Make a key pair, sign and verify exact bytes, check a notification, call
/// any PayerMax operation against UAT, production or the sandbox, see what
/// an operation takes, run the local sandbox.
#[derive(Debug, Parser)]
#[command(
    name = "payermax",
    version,
    after_help = concat!(after_help!(), "\n", exit_codes!())
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make an RSA-2048 key pair: the public half to upload to PayerMax,
    /// the private half to keep.
    #[command(after_help = "\
EXAMPLES:
    payermax keygen              # JSON on stdout: both halves, PEM and one-line base64
    payermax keygen --out keys/  # files (the private ones readable by you only); JSON lists them")]
    Keygen(KeygenArgs),
    /// Print the `sign` header value for the exact bytes of a body.
    #[command(after_help = "\
EXAMPLES:
    payermax sign --key merchant_private_key.pem body.json
    printf '%s' '{\"a\":1}' | payermax sign --key key.txt -
The bytes are signed as they are: no newline is added or removed.")]
    Sign(SignArgs),
    /// Check a `sign` header value over the exact bytes of a body: exit 0
    /// when it holds, 7 with the reason when it does not.
    #[command(after_help = "\
EXAMPLES:
    payermax verify --key payermax_public_key.txt --sign \"$SIGN\" reply.json
    curl -s ... | payermax verify --key merchant_public_key.pem --sign \"$SIGN\" -")]
    Verify(VerifyArgs),
    /// Verify and decode PayerMax's notifications.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Call any outbound operation: validate, sign, send, verify the reply,
    /// print it as JSON.
    #[command(after_help = "\
EXAMPLES:
    payermax example refund_query > query.json
    payermax call refundQuery --data query.json --env uat
    payermax call refund --data refund.json --env http://127.0.0.1:8585 --raw
    echo '{\"outRefundNo\":\"R-1\"}' | payermax call refund_query --data - --env uat
OPERATION is a spec id (`refund_query`, `order_and_pay_hosted`) or PayerMax's
name (`refundQuery`) when only one variant has it. --data holds the request
payload: the `data` object of the gateway API, or the legacy v2.1 fields
other than merchantId, bizType and version. The client adds the envelope.
A write (refund, order...) is never sent twice: when its outcome is unknown,
exit 6 names the query that settles it and the command that runs it.")]
    Call(CallArgs),
    /// List every operation and notification with its domain and title.
    #[command(after_help = "\
EXAMPLES:
    payermax operations
    payermax operations | jq -r '.[] | select(.domain == \"refunds\") | .id'")]
    Operations,
    /// Show an operation's request fields: types, required, bounds, enum values.
    #[command(after_help = "\
EXAMPLES:
    payermax describe refund
    payermax describe refundQuery | jq '.fields[] | select(.required)'")]
    Describe(OperationArg),
    /// Print a valid request payload to start from (the --data of `call`).
    #[command(after_help = "\
EXAMPLES:
    payermax example refund > refund.json
The payload is the first of PayerMax's documented examples that passes the
operation's validation, written as the SDK sends it; where none does, the
first example completed with placeholders for what it lacks.")]
    Example(OperationArg),
    /// Run the local sandbox: the same options as the `payermax-sandbox` binary.
    #[command(
        disable_help_flag = true,
        after_help = "Every option is the sandbox's own: `payermax sandbox --help` lists them."
    )]
    Sandbox(SandboxArgs),
    /// Print a shell completion script.
    #[command(after_help = "\
EXAMPLES:
    payermax completions bash > ~/.local/share/bash-completion/completions/payermax
    payermax completions zsh > \"${fpath[1]}/_payermax\"
    payermax completions fish > ~/.config/fish/completions/payermax.fish")]
    Completions(CompletionsArgs),
    /// Print the exit codes (also at the end of `payermax --help`).
    ExitCodes,
}

/// `keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the key files into DIR (created if missing; existing key files
    /// are never overwritten) instead of printing the private key.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Your private key (PEM or one-line base64); default: $PAYERMAX_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The body to sign, `-` for stdin.
    #[arg(value_name = "BODY_FILE|-", default_value = "-")]
    pub body: PathBuf,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The public key that should have signed (PEM or one-line base64);
    /// default: $PAYERMAX_PLATFORM_KEY.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The `sign` header value.
    #[arg(long, value_name = "SIGNATURE")]
    pub sign: String,
    /// The signed body, `-` for stdin.
    #[arg(value_name = "BODY_FILE|-", default_value = "-")]
    pub body: PathBuf,
}

/// `webhook ...`.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Verify and decode one notification: prints its kind and typed event
    /// as JSON; exit 7 (signature) or 3 (content) with the reason otherwise.
    #[command(after_help = "\
EXAMPLES:
    payermax webhook verify --platform-key pm.pem --sign \"$SIGN\" --kind refund_result_notify b.json
    payermax webhook verify --sign \"$SIGN\" - < body.json     # kind from the body's notifyType
KIND is a notification's spec id (`payermax operations` lists them); without
it the kind is the one the body's notifyType names (PAYMENT is ambiguous).")]
    Verify(WebhookVerifyArgs),
    /// Receive notifications on 127.0.0.1: verify, print each event as a JSON
    /// line, acknowledge; optionally forward the verified request.
    #[command(after_help = "\
EXAMPLES:
    payermax webhook listen --port 9000 --platform-key payermax.pem
    payermax webhook listen --port 9000 --forward http://127.0.0.1:3000/notify
Messages that do not verify are refused (401, 403, 400, 413) and never
forwarded; forwarded ones keep their exact body and headers. A synchronous
callback (bill_payment_validation) is answered with your server's answer
(--forward), else HTTP 500.")]
    Listen(WebhookListenArgs),
}

/// What a webhook command checks besides the signature.
#[derive(Debug, Args)]
pub struct WebhookChecks {
    /// PayerMax's public key (PEM or one-line base64); default: $PAYERMAX_PLATFORM_KEY.
    #[arg(long, value_name = "FILE")]
    pub platform_key: Option<PathBuf>,
    /// The kind of message (a notification's spec id, e.g. `refund_result_notify`);
    /// default: the one the body's notifyType names.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// The merchant: a body naming another one is refused.
    #[command(flatten)]
    pub merchant: Merchant,
}

/// The merchant's identifiers (flags, else environment variables).
#[derive(Debug, Args)]
pub struct Merchant {
    /// The gateway appId; default: $PAYERMAX_APP_ID.
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// The gateway merchantNo; default: $PAYERMAX_MERCHANT_NO.
    #[arg(long, value_name = "NO")]
    pub merchant_no: Option<String>,
    /// The legacy v2.1 merchantId; default: $PAYERMAX_MERCHANT_ID.
    #[arg(long, value_name = "ID")]
    pub merchant_id: Option<String>,
}

/// `webhook verify`.
#[derive(Debug, Args)]
pub struct WebhookVerifyArgs {
    /// Key and checks.
    #[command(flatten)]
    pub checks: WebhookChecks,
    /// The `sign` header value.
    #[arg(long, value_name = "SIGNATURE")]
    pub sign: String,
    /// The notification body, `-` for stdin.
    #[arg(value_name = "BODY_FILE|-", default_value = "-")]
    pub body: PathBuf,
}

/// `webhook listen`.
#[derive(Debug, Args)]
pub struct WebhookListenArgs {
    /// Key and checks.
    #[command(flatten)]
    pub checks: WebhookChecks,
    /// The port on 127.0.0.1 (0: a free one, printed on stderr).
    #[arg(long, value_name = "N")]
    pub port: u16,
    /// Also POST each verified request (exact body, sign header) to this URL.
    #[arg(long, value_name = "URL")]
    pub forward: Option<String>,
}

/// `call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The operation: spec id or PayerMax name.
    #[arg(value_name = "OPERATION")]
    pub operation: String,
    /// The request payload (JSON), `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    pub data: PathBuf,
    /// uat, production or a base URL (http:// only to loopback, e.g. the
    /// sandbox); default: $PAYERMAX_ENV. There is no default environment.
    #[arg(long, value_name = "uat|production|URL")]
    pub env: Option<String>,
    /// The merchant.
    #[command(flatten)]
    pub merchant: Merchant,
    /// Your private key; default: $PAYERMAX_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub merchant_key: Option<PathBuf>,
    /// PayerMax's public key; default: $PAYERMAX_PLATFORM_KEY.
    #[arg(long, value_name = "FILE")]
    pub platform_key: Option<PathBuf>,
    /// Print the reply as received: status, headers, then the exact body bytes.
    #[arg(long)]
    pub raw: bool,
    /// With --raw, show the reply's `sign` header instead of `<redacted>`.
    #[arg(long, requires = "raw")]
    pub show_signature: bool,
}

/// An operation named on the command line.
#[derive(Debug, Args)]
pub struct OperationArg {
    /// The operation: spec id or PayerMax name.
    #[arg(value_name = "OPERATION")]
    pub operation: String,
}

/// `sandbox`: everything after it goes to the sandbox.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The sandbox's options (`payermax sandbox --help`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "OPTIONS"
    )]
    pub args: Vec<String>,
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
