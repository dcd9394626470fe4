//! `payermax sign` and `payermax verify`: the `sign` header over exact bytes.

use std::io::Write as _;

use crate::args::{SignArgs, VerifyArgs};
use crate::failure::{Code, Failure, output};
use crate::input::{KeySource, read_body};

/// Runs `sign`: the signature on stdout, followed by a newline.
pub fn sign(args: SignArgs) -> Result<(), Failure> {
    let key = KeySource::merchant("--key", args.key.as_deref()).private()?;
    let body = read_body(&args.body)?;
    let signature = key
        .sign(&body)
        .map_err(|e| Failure::new(Code::Failure, format!("cannot sign: {e}")))?;
    writeln!(std::io::stdout(), "{signature}").map_err(output)
}

/// Runs `verify`: exit 0 when the signature holds, 7 with the reason when not.
pub fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let key = KeySource::platform("--key", args.key.as_deref()).public()?;
    let body = read_body(&args.body)?;
    key.verify(&body, &args.sign).map_err(|e| {
        Failure::new(
            Code::Signature,
            format!(
                "signature does not hold over the {} bytes given: {e}",
                body.len()
            ),
        )
    })?;
    eprintln!("signature OK over the {} bytes given", body.len());
    Ok(())
}
