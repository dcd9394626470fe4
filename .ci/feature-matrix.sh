#!/usr/bin/env bash
# The feature matrix of the published crates, with `cargo check` (no codegen,
# no linking: cheap). CI otherwise builds everything with `--all-features`,
# which hides a crate that only compiles because another feature is on.
#
#   .ci/feature-matrix.sh            # every combination below
#
# Each row: a published crate without its default features, plus one signing
# backend where it needs one (payermax-sign and what builds on it refuse to
# compile without a backend, by design: a `compile_error!` says so); each
# domain feature of payermax-types alone. A warning is a failure (an unused
# import in one backend's build, say): read from cargo's output, which
# replays the warnings of cached crates, rather than set with RUSTFLAGS,
# which would rebuild every dependency away from the other steps' cache.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=(
    "payermax-types --no-default-features"
    "payermax-sign --no-default-features --features rsa"
    "payermax-sign --no-default-features --features aws-lc-rs"
    "payermax-webhook --no-default-features --features rsa"
    "payermax-webhook --no-default-features --features aws-lc-rs"
    "payermax-http --no-default-features --features rsa"
    "payermax-http --no-default-features --features aws-lc-rs"
    "payermax-http --no-default-features --features hyper,aws-lc-rs"
    "payermax-sandbox --no-default-features"
)
# Each domain of payermax-types alone (the generated feature block lists them).
mapfile -t domains < <(
    sed -n '/^# BEGIN generated/,/^# END generated/p' crates/payermax-types/Cargo.toml |
        sed -n 's/^\([a-z]*\) = .*/\1/p' | grep -vx -e default -e full
)
[ "${#domains[@]}" -ge 1 ] || { echo "no domain features found in crates/payermax-types/Cargo.toml"; exit 1; }
for d in "${domains[@]}"; do
    rows+=("payermax-types --no-default-features --features $d")
done

failed=()
for row in "${rows[@]}"; do
    read -r -a args <<<"$row"
    echo "-- cargo check --locked -p $row"
    if ! out="$(cargo check --locked --message-format short -p "${args[@]}" 2>&1)"; then
        printf '%s\n' "$out" | grep -v '^ *\(Compiling\|Checking\|Finished\|Blocking\|Locking\|Downloaded\|Downloading\|Updating\)' >&2
        failed+=("$row")
    elif printf '%s\n' "$out" | grep -q 'warning'; then
        printf '%s\n' "$out" | grep 'warning' >&2
        failed+=("$row")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'feature matrix: these do not compile cleanly:\n' >&2
    printf '  cargo check -p %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "feature matrix: ${#rows[@]} combinations compile"
