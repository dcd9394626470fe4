//! Running the binary and `openssl`, temporary folders, key files.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every environment variable the tool reads: cleared for each run.
const ENV: &[&str] = &[
    "PAYERMAX_ENV",
    "PAYERMAX_APP_ID",
    "PAYERMAX_MERCHANT_NO",
    "PAYERMAX_MERCHANT_ID",
    "PAYERMAX_MERCHANT_KEY",
    "PAYERMAX_PLATFORM_KEY",
];

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout(),
                self.stderr
            )
        })
    }

    /// Asserts the exit code, and that stderr is short, names no panic and
    /// each of its lines is the tool's.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            code,
            "exit code; stderr:\n{}\nstdout:\n{}",
            self.stderr,
            self.stdout()
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{}", self.stderr);
        self
    }

    /// Asserts a failure: `code`, and a first stderr line `payermax: ...`
    /// containing `needle`.
    #[track_caller]
    pub fn fails(&self, code: i32, needle: &str) -> &Run {
        self.expect(code);
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("payermax: "), "stderr: {}", self.stderr);
        assert!(
            first.contains(needle),
            "{needle:?} not in the first line: {}",
            self.stderr
        );
        self
    }
}

/// Runs `payermax args` with `stdin` and the given environment variables
/// (the tool's others cleared).
pub fn payermax_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_payermax"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in ENV {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run payermax");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait");
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs `payermax args` with empty stdin.
pub fn payermax(args: &[&str]) -> Run {
    payermax_env(args, b"", &[])
}

/// Runs `openssl args`, feeding `stdin`; its stdout. Panics (naming the
/// package to install) when openssl is missing: CI installs it.
pub fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("these tests need the openssl command line (Debian: apt-get install openssl)");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("wait for openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A fresh empty folder under the system's temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "payermax-cli-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `contents` to `dir/name`; its path as a string.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write file");
    path.display().to_string()
}

/// An OpenSSL-made key pair, as PayerMax's docs make them: the private key
/// in PKCS#8 PEM, the public key in X.509 SPKI PEM.
pub struct OpensslKeys {
    pub private_pem: String,
    pub public_pem: String,
}

impl OpensslKeys {
    pub fn new(dir: &Path) -> OpensslKeys {
        let pkcs1 = openssl(&["genrsa", "2048"], b"");
        let pkcs8 = openssl(&["pkcs8", "-topk8", "-nocrypt"], &pkcs1);
        let private_pem = write(dir, "private.pem", &pkcs8);
        let public = openssl(&["pkey", "-in", &private_pem, "-pubout"], b"");
        let public_pem = write(dir, "public.pem", &public);
        OpensslKeys {
            private_pem,
            public_pem,
        }
    }

    /// OpenSSL's SHA256WithRSA signature of `body`, in base64 on one line.
    pub fn sign(&self, dir: &Path, body: &[u8]) -> String {
        let file = write(dir, "to-sign.bin", body);
        let raw = openssl(&["dgst", "-sha256", "-sign", &self.private_pem, &file], b"");
        base64_one_line(&raw)
    }
}

/// Standard base64 with padding (via openssl), on one line.
pub fn base64_one_line(bytes: &[u8]) -> String {
    let text = openssl(&["base64", "-A"], bytes);
    String::from_utf8(text)
        .expect("base64 is ASCII")
        .trim()
        .to_owned()
}
