//! Makes a new RSA-2048 key pair for PayerMax and prints both halves in the
//! one-line base64 forms PayerMax's merchant dashboard uses.
//!
//! ```text
//! cargo run -p payermax-sign --example keygen
//! cargo run -p payermax-sign --example keygen -- --pem   # also print PEM
//! ```

use payermax_sign::{PrivateKey, SIGN_HEADER};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pem = std::env::args().skip(1).any(|a| a == "--pem");
    let key = PrivateKey::generate()?;
    let public = key.public_key();

    println!("# New RSA-{} key pair for PayerMax.", key.bits());
    println!("#");
    println!("# 1. UPLOAD this public key (X.509 SubjectPublicKeyInfo, base64) in PayerMax's");
    println!("#    merchant dashboard; PayerMax uses it to verify your `{SIGN_HEADER}` header.");
    println!("MERCHANT_PUBLIC_KEY={}", public.to_spki_base64());
    println!("#");
    println!("# 2. KEEP this private key (PKCS#8, base64) secret in your own configuration.");
    println!("#    Never upload it, never commit it. Load it with PrivateKey::parse.");
    println!("MERCHANT_PRIVATE_KEY={}", key.to_pkcs8_base64().as_str());
    println!("#");
    println!("# 3. From the dashboard, copy PayerMax's platform public key into your");
    println!("#    configuration to verify replies and notifications (PublicKey::parse).");
    println!("#    UAT and production use different key pairs: run this once per environment.");
    if pem {
        println!();
        print!("{}", public.to_pem());
        print!("{}", key.to_pkcs8_pem().as_str());
    }
    Ok(())
}
