//! `payermax keygen`: a new RSA-2048 key pair, both halves in PEM and in
//! the one-line base64 form PayerMax's dashboard takes.

use std::io::Write as _;
use std::path::Path;

use payermax_sign::PrivateKey;
use serde::Serialize;

use crate::args::KeygenArgs;
use crate::failure::{Code, Failure, output};

/// The files `--out DIR` writes: (name, secret).
const FILES: [(&str, bool); 4] = [
    ("merchant_public_key.txt", false),
    ("merchant_public_key.pem", false),
    ("merchant_private_key.txt", true),
    ("merchant_private_key.pem", true),
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Half<'a> {
    /// What to do with it.
    role: &'static str,
    base64: Option<&'a str>,
    pem: Option<&'a str>,
    files: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pair<'a> {
    bits: usize,
    public_key: Half<'a>,
    private_key: Half<'a>,
}

const UPLOAD: &str = "upload to PayerMax's merchant dashboard (it verifies your requests with it)";
const KEEP: &str = "keep secret: never upload, share or commit it (it signs your requests)";

/// Runs `keygen`.
pub fn run(args: KeygenArgs) -> Result<(), Failure> {
    let key = PrivateKey::generate()
        .map_err(|e| Failure::new(Code::Failure, format!("cannot generate a key: {e}")))?;
    let public = key.public_key();
    let public_b64 = public.to_spki_base64();
    let public_pem = public.to_pem();
    let private_b64 = key.to_pkcs8_base64();
    let private_pem = key.to_pkcs8_pem();
    let contents = [
        public_b64.as_str(),
        public_pem.as_str(),
        private_b64.as_str(),
        private_pem.as_str(),
    ];
    let pair = match &args.out {
        Some(dir) => {
            let written = write_files(dir, &contents)?;
            let (public_files, private_files) = written.split_at(2);
            Pair {
                bits: key.bits(),
                public_key: Half {
                    role: UPLOAD,
                    base64: Some(&public_b64),
                    pem: Some(&public_pem),
                    files: public_files.to_vec(),
                },
                private_key: Half {
                    role: KEEP,
                    base64: None,
                    pem: None,
                    files: private_files.to_vec(),
                },
            }
        }
        None => Pair {
            bits: key.bits(),
            public_key: Half {
                role: UPLOAD,
                base64: Some(&public_b64),
                pem: Some(&public_pem),
                files: Vec::new(),
            },
            private_key: Half {
                role: KEEP,
                base64: Some(&private_b64),
                pem: Some(&private_pem),
                files: Vec::new(),
            },
        },
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &pair)
        .map_err(|e| output(e.into()))
        .and_then(|()| writeln!(stdout).map_err(output))?;
    eprintln!("New RSA-{} key pair.", key.bits());
    eprintln!(
        "  UPLOAD the public key (publicKey.base64{}) in PayerMax's merchant dashboard.",
        if args.out.is_some() {
            ", merchant_public_key.txt"
        } else {
            ""
        }
    );
    eprintln!(
        "  KEEP the private key{} secret: never upload, share or commit it.",
        if args.out.is_some() {
            " (merchant_private_key.*)"
        } else {
            " (privateKey)"
        }
    );
    eprintln!("  Copy PayerMax's platform public key from the dashboard to verify its replies.");
    eprintln!("  UAT and production use different key pairs: make one per environment.");
    Ok(())
}

/// Writes the four files, refusing to overwrite any (private ones readable
/// by the owner only); returns their paths.
fn write_files(dir: &Path, contents: &[&str; 4]) -> Result<Vec<String>, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::usage(format!("--out: cannot create {}: {e}", dir.display())))?;
    for (name, _) in FILES {
        let path = dir.join(name);
        if path.exists() {
            return Err(Failure::usage(format!(
                "--out: {} exists; keys are never overwritten (choose another directory)",
                path.display()
            )));
        }
    }
    let mut written = Vec::new();
    for ((name, secret), text) in FILES.iter().zip(contents) {
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if *secret {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = secret;
        let mut file = options
            .open(&path)
            .map_err(|e| Failure::usage(format!("--out: cannot create {}: {e}", path.display())))?;
        let line_end = if text.ends_with('\n') { "" } else { "\n" };
        file.write_all(text.as_bytes())
            .and_then(|()| file.write_all(line_end.as_bytes()))
            .map_err(|e| Failure::usage(format!("--out: cannot write {}: {e}", path.display())))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}
