#!/usr/bin/env bash
# The dependency lines of crates/payermax-webhook/README.md compile as
# written in a fresh project (outside this workspace). The crates are not
# published yet, so `[patch.crates-io]` points the names at this checkout;
# the lines themselves are copied from the README unchanged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
readme="$root/crates/payermax-webhook/README.md"
mapfile -t lines < <(grep -E '^payermax-webhook = ' "$readme")
[ "${#lines[@]}" -ge 1 ] || { echo "no dependency line in $readme"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in "${!lines[@]}"; do
    dir="$work/fresh-$i"
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "fresh-$i"
version = "0.1.0"
edition = "2024"

[dependencies]
${lines[$i]}
http = "1"

[patch.crates-io]
payermax-webhook = { path = "$root/crates/payermax-webhook" }
payermax-types = { path = "$root/crates/payermax-types" }
payermax-sign = { path = "$root/crates/payermax-sign" }
TOML
    cat >"$dir/src/main.rs" <<'RS'
use payermax_webhook::{Endpoint, Verifier, WebhookError};

fn main() {
    let key = payermax_webhook::PrivateKey::generate().unwrap();
    let verifier = Verifier::new(key.public_key());
    let e = verifier
        .verify(Endpoint::ByNotifyType, &http::HeaderMap::new(), b"{}")
        .unwrap_err();
    assert!(matches!(e, WebhookError::MissingSignature));
    println!("ok: {e}");
}
RS
    echo "fresh project $i: ${lines[$i]}"
    (cd "$dir" && cargo run --quiet)
done
