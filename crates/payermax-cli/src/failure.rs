//! The exit codes and the one-line failure every command ends with when
//! it does not succeed.

use std::fmt;
use std::process::ExitCode;

/// The documented exit codes (also in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 1: anything else (an unreadable reply, an output that cannot be written).
    Failure = 1,
    /// 2: bad arguments or configuration: an unknown flag, operation or
    /// kind, a missing setting or environment, a key or input file that
    /// cannot be read or is not a key of the right kind.
    Usage = 2,
    /// 3: the input breaks the rules: not JSON, not the operation's
    /// request, a documented constraint broken (nothing was sent); a
    /// verified notification that does not decode or is another merchant's.
    Invalid = 3,
    /// 4: no usable reply: unreachable host, timeout, non-2xx HTTP status.
    Transport = 4,
    /// 5: PayerMax refused the request in a signed reply.
    Refused = 5,
    /// 6: a write's outcome is unknown; it was not sent again.
    Ambiguous = 6,
    /// 7: a signature is missing or does not hold (an unsigned refusal included).
    Signature = 7,
}

/// The table of exit codes (`--help`, `payermax exit-codes`), as a macro
/// so that `concat!` can use it.
macro_rules! exit_codes {
    () => {
        "\
EXIT CODES:
    0  success
    1  other failure (an unreadable reply, an output that cannot be written)
    2  usage: bad arguments, unknown operation or kind, missing setting or --env,
       a key or input file that cannot be read or holds the wrong kind of key
    3  invalid input: not JSON, not the operation's request, a documented rule
       broken (nothing sent); a verified notification that does not decode
    4  transport: unreachable host, timeout, non-2xx HTTP status (nothing usable came back)
    5  refused: PayerMax refused the request in a signed reply
    6  ambiguous: a write may have reached PayerMax and was not sent again;
       settle it with the query named (see `payermax describe OPERATION`)
    7  signature: a signature is missing or does not hold (an unsigned refusal included)
"
    };
}

/// Why a command failed: an exit code and a message for stderr (one line,
/// or a first line followed by one line per violation).
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: Code,
    /// The message, never holding key material or signatures.
    pub message: String,
    /// The reply of a refusal, for `call --raw`.
    pub raw: Option<Box<payermax_http::RawReply>>,
}

impl Failure {
    /// A failure with `code`.
    pub fn new(code: Code, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            raw: None,
        }
    }

    /// A usage failure.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Code::Usage, message)
    }

    /// An invalid-input failure.
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(Code::Invalid, message)
    }

    /// Prints the message on stderr and returns the exit code.
    pub fn report(self) -> ExitCode {
        for line in self.message.lines() {
            eprintln!("payermax: {line}");
        }
        ExitCode::from(self.code as u8)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Writing to stdout failed: exit 1 (quietly when the reader closed the
/// pipe, as with `payermax operations | head`).
pub fn output(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::new(Code::Failure, "");
    }
    Failure::new(Code::Failure, format!("cannot write the output: {e}"))
}
