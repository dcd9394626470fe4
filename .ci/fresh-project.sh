#!/usr/bin/env bash
# Every dependency line the READMEs give users (`payermax-<crate> = ...` in
# README.md and crates/*/README.md) builds as written in a fresh project
# outside this workspace, against the crates as they would be published;
# then each published crate with its default features.
#
#   .ci/fresh-project.sh            # against target/package/ (run `cargo package` of the published crates first)
#   .ci/fresh-project.sh --source   # against the source tree instead
#
# The crates are not on crates.io yet, so `[patch.crates-io]` points their
# names at the packaged sources, unpacked from the .crate files `cargo package`
# writes to target/package/ (what a user would download), or at the
# source tree with --source; the lines themselves are copied unchanged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"
mapfile -t crates < <(python3 "$root/.ci/no-keys-in-packages.py" --list)

declare -A src
for c in "${crates[@]}"; do
    if [[ "${1:-}" == "--source" ]]; then
        src[$c]="$(cd "$root" && cargo metadata --no-deps --format-version 1 --locked |
            python3 -c "import json,sys; print([p['manifest_path'] for p in json.load(sys.stdin)['packages'] if p['name'] == '$c'][0].rsplit('/', 1)[0])")"
    else
        # Unpacked here from the .crate file `cargo package` wrote (with
        # --no-verify it leaves no unpacked copy), fresh each run so that a
        # copy left by an earlier package never stands in for this one.
        crate="$target/package/$c-$version.crate"
        [ -f "$crate" ] || {
            echo "$crate missing: run \`cargo package\` of the published crates first (or pass --source)" >&2
            exit 1
        }
        src[$c]="$target/package/unpacked/$c-$version"
        rm -rf "${src[$c]}"
        mkdir -p "$target/package/unpacked"
        tar -xzf "$crate" -C "$target/package/unpacked"
        [ -f "${src[$c]}/Cargo.toml" ] || { echo "$crate holds no $c-$version/Cargo.toml" >&2; exit 1; }
    fi
done

# One small program per crate, using what the crate is for.
program() {
    case "$1" in
    payermax-webhook) cat <<'RS' ;;
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
    payermax-types) cat <<'RS' ;;
fn main() {
    let amount: payermax_types::Amount = "1000.00".parse().unwrap();
    assert_eq!(amount.to_string(), "1000.00");
    println!("ok: {amount}, {} operations", payermax_types::registry::OPERATIONS.len());
}
RS
    *) cat <<'RS' ;;
fn main() {
    println!("ok");
}
RS
    esac
}

# The READMEs' lines, then each published crate with its default features
# (what `cargo package` would verify; CI packages with --no-verify and
# builds here, against the packaged sources, in one shared target directory).
lines=()
for readme in "$root/README.md" "$root"/crates/*/README.md; do
    while IFS= read -r line; do
        lines+=("${readme#"$root"/}|$line")
    done < <(grep -E '^payermax-[a-z-]+ = ' "$readme")
done
[ "${#lines[@]}" -ge 1 ] || { echo "no dependency line in any README"; exit 1; }
for c in "${crates[@]}"; do
    lines+=("default features|$c = \"$version\"")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
for entry in "${lines[@]}"; do
    where="${entry%%|*}"
    line="${entry#*|}"
    crate="${line%% *}"
    dir="$work/fresh-$n"
    n=$((n + 1))
    mkdir -p "$dir/src"
    {
        printf '[package]\nname = "fresh-%s"\nversion = "0.1.0"\nedition = "2024"\n\n' "$n"
        printf '[dependencies]\n%s\nhttp = "1"\n\n[patch.crates-io]\n' "$line"
        for c in "${crates[@]}"; do
            printf '%s = { path = "%s" }\n' "$c" "${src[$c]}"
        done
    } >"$dir/Cargo.toml"
    program "$crate" >"$dir/src/main.rs"
    echo "fresh project ($where): $line"
    (cd "$dir" && CARGO_TARGET_DIR="$target/fresh-project" cargo run --quiet)
done
echo "$n dependency lines (the READMEs', then each published crate's defaults) build in a fresh project"
