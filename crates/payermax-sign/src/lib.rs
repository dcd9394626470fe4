#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(not(any(feature = "rsa", feature = "aws-lc-rs")))]
compile_error!(
    "payermax-sign needs a crypto backend: enable feature `rsa` (pure Rust) or `aws-lc-rs` \
     (constant-time, needs a C compiler); see the crate README"
);

#[cfg(feature = "aws-lc-rs")]
mod backend_aws;
#[cfg(feature = "rsa")]
mod backend_rsa;
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
mod der;
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
mod error;
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
mod key;
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
mod text;

#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
pub use error::{KeyError, KeyFormat, KeyKind, SignError, VerifyError};
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
pub use key::{PrivateKey, PublicKey};

/// The HTTP header that carries the signature of a PayerMax request, reply or notification.
pub const SIGN_HEADER: &str = "sign";

/// A crypto backend compiled into this build.
///
/// Normal code never names one: [`PrivateKey::sign`] and [`PublicKey::verify`]
/// use [`Backend::DEFAULT`]. [`PrivateKey::sign_with`] and
/// [`PublicKey::verify_with`] pick one explicitly, e.g. to check that both
/// backends agree.
#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// RustCrypto's pure-Rust `rsa` crate (feature `rsa`).
    #[cfg(feature = "rsa")]
    Rsa,
    /// AWS-LC through `aws-lc-rs` (feature `aws-lc-rs`).
    #[cfg(feature = "aws-lc-rs")]
    AwsLcRs,
}

#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
impl Backend {
    /// The backend this build uses: `AwsLcRs` when feature `aws-lc-rs` is on, else `Rsa`.
    #[cfg(feature = "aws-lc-rs")]
    pub const DEFAULT: Backend = Backend::AwsLcRs;
    /// The backend this build uses: `AwsLcRs` when feature `aws-lc-rs` is on, else `Rsa`.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const DEFAULT: Backend = Backend::Rsa;

    /// Every backend compiled into this build.
    pub const ALL: &'static [Backend] = &[
        #[cfg(feature = "rsa")]
        Backend::Rsa,
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLcRs,
    ];

    /// The feature name of the backend (`"rsa"` or `"aws-lc-rs"`).
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "rsa")]
            Backend::Rsa => "rsa",
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLcRs => "aws-lc-rs",
        }
    }
}

#[cfg(any(feature = "rsa", feature = "aws-lc-rs"))]
impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
