//! Reading what the commands take: bodies (a file or stdin, byte for byte)
//! and keys (a file or an environment variable, in every form
//! `PrivateKey::parse` / `PublicKey::parse` accept).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use payermax_sign::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::failure::Failure;

/// The exact bytes of `source`: a file, or stdin for `-`. Nothing is added
/// or removed (a trailing newline stays).
pub fn read_body(source: &Path) -> Result<Vec<u8>, Failure> {
    if source.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(source)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", source.display())))
}

/// Where a key comes from: a flag naming a file, else an environment
/// variable holding the key itself or the path of a file holding it.
#[derive(Debug, Clone, Copy)]
pub struct KeySource<'a> {
    /// The flag, as shown in messages (`--key`).
    pub flag: &'static str,
    /// The file given with the flag.
    pub file: Option<&'a Path>,
    /// The environment variable read when no file is given.
    pub env: &'static str,
}

impl<'a> KeySource<'a> {
    /// Your private key: `flag FILE`, else `$PAYERMAX_MERCHANT_KEY`.
    pub fn merchant(flag: &'static str, file: Option<&'a Path>) -> Self {
        KeySource {
            flag,
            file,
            env: "PAYERMAX_MERCHANT_KEY",
        }
    }

    /// PayerMax's public key: `flag FILE`, else `$PAYERMAX_PLATFORM_KEY`.
    pub fn platform(flag: &'static str, file: Option<&'a Path>) -> Self {
        KeySource {
            flag,
            file,
            env: "PAYERMAX_PLATFORM_KEY",
        }
    }

    /// The key text and where it came from (for messages: a flag and a
    /// path, or a variable name; never the text).
    fn text(&self) -> Result<(String, String), Failure> {
        if let Some(file) = self.file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Failure::usage(format!(
                    "{}: cannot read {}: {e}",
                    self.flag,
                    file.display()
                ))
            })?;
            return Ok((text, format!("{} {}", self.flag, file.display())));
        }
        match std::env::var(self.env) {
            Ok(value) if !value.trim().is_empty() => {
                let path = PathBuf::from(value.trim());
                if !value.contains('\n') && !value.contains("-----") && path.is_file() {
                    let text = std::fs::read_to_string(&path).map_err(|e| {
                        Failure::usage(format!("{}: cannot read {}: {e}", self.env, path.display()))
                    })?;
                    return Ok((text, format!("{} ({})", self.env, path.display())));
                }
                // Something shaped like a path to a missing file (a key is
                // hundreds of characters long, and never ends in `.pem`).
                let t = value.trim();
                let path_like = t.len() < 200
                    && !t.contains(char::is_whitespace)
                    && (t.starts_with(['/', '.', '~'])
                        || t.ends_with(".pem")
                        || t.ends_with(".txt"));
                if path_like {
                    return Err(Failure::usage(format!(
                        "{}: no file at {t} (it holds a key, or the path of a file holding one)",
                        self.env
                    )));
                }
                Ok((value, self.env.to_owned()))
            }
            _ => Err(Failure::usage(format!(
                "no key: pass {} FILE or set {}",
                self.flag, self.env
            ))),
        }
    }

    /// The private key (any form `PrivateKey::parse` reads).
    pub fn private(&self) -> Result<PrivateKey, Failure> {
        let (text, from) = self.text()?;
        let text = Zeroizing::new(text);
        PrivateKey::parse(&text).map_err(|e| Failure::usage(format!("{from}: {e}")))
    }

    /// The public key (any form `PublicKey::parse` reads).
    pub fn public(&self) -> Result<PublicKey, Failure> {
        let (text, from) = self.text()?;
        PublicKey::parse(&text).map_err(|e| Failure::usage(format!("{from}: {e}")))
    }
}

/// The flag's value, else the environment variable's (when not blank).
pub fn flag_or_env(flag: &Option<String>, env: &str) -> Option<String> {
    flag.clone()
        .or_else(|| std::env::var(env).ok().filter(|v| !v.trim().is_empty()))
}
