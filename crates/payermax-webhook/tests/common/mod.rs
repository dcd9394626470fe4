//! Shared by the webhook tests: keys and the document's inbound examples.
#![allow(dead_code)]

use std::sync::OnceLock;

use payermax_webhook::{Kind, PrivateKey};
use serde::Deserialize;
use serde_json::value::RawValue;

/// PayerMax's published sample key pair (the copy vendored for
/// payermax-sign's tests; the same bytes as `payermax-docs/sample-keys`).
pub const SAMPLE_PRIVATE_PEM: &str =
    include_str!("../../../payermax-sign/tests/fixtures/payermax-sample/sample_priv.pem");
pub const SAMPLE_PUBLIC_PEM: &str =
    include_str!("../../../payermax-sign/tests/fixtures/payermax-sample/sample_pub.pem");

pub fn fresh_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate().unwrap())
}

pub fn sample_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::parse(SAMPLE_PRIVATE_PEM).unwrap())
}

#[derive(Deserialize)]
struct Data {
    operations: Vec<Op>,
}

#[derive(Deserialize)]
struct Op {
    id: String,
    direction: String,
    kind: Option<String>,
    #[serde(rename = "requestExamples")]
    request_examples: Vec<Box<RawValue>>,
}

/// One example of an inbound message of the document.
pub struct Example {
    pub kind: Kind,
    pub index: usize,
    /// Compact JSON, numbers and key order exactly as documented.
    pub compact: String,
}

impl Example {
    pub fn name(&self) -> String {
        format!("{}#{}", self.kind.spec_id(), self.index)
    }
}

/// Every example of every notification and sync callback, read from the
/// generated operations data (never from spec/).
pub fn examples() -> Vec<Example> {
    let data: Data = serde_json::from_str(payermax_sandbox::OPERATIONS_JSON).unwrap();
    let mut out = Vec::new();
    for op in data.operations {
        if op.direction != "inbound" || op.kind.as_deref() == Some("redirect") {
            continue;
        }
        let kind = Kind::from_spec_id(&op.id).unwrap_or_else(|| panic!("no kind for {}", op.id));
        for (index, raw) in op.request_examples.iter().enumerate() {
            out.push(Example {
                kind,
                index,
                compact: compact(raw.get()),
            });
        }
    }
    out
}

/// Removes the whitespace outside strings.
pub fn compact(raw: &str) -> String {
    layout(raw, false)
}

/// Pretty-prints JSON (two spaces, a line per member), keeping every
/// value's text.
pub fn pretty(raw: &str) -> String {
    layout(raw, true)
}

/// JSON text without the whitespace outside strings, then, when `pretty`,
/// with a line per member; strings and numbers keep their exact text.
fn layout(raw: &str, pretty: bool) -> String {
    let mut out = String::with_capacity(raw.len() * 2);
    let (mut in_string, mut escaped, mut depth) = (false, false, 0usize);
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    for c in raw.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            c if c.is_whitespace() => {}
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                depth += 1;
                out.push(c);
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' if pretty => out.push_str(": "),
            _ => out.push(c),
        }
    }
    if pretty {
        out.push('\n');
    }
    out
}
