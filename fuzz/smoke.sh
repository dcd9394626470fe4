#!/usr/bin/env bash
# CI smoke run of every fuzz target: the committed seeds, then
# SMOKE_SECONDS (default 10) seconds of fuzzing each: at most 60 s of
# fuzzing for all targets together. Fails on any crash. The build (release,
# with coverage instrumentation) comes first and is not counted. Last, the
# `reply` target's check is shown able to fail: with the client's
# verification switched off (PAYERMAX_FUZZ_BREAK_VERIFY), an unsigned success
# reply must crash it.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${SMOKE_SECONDS:-10}"
TARGETS=(reply notification keys import_page scalars)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build --sanitizer none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${TARGETS[@]}"; do
    mkdir -p "$work/$t"
    # Each seed must run clean on its own first.
    cargo fuzz run --sanitizer none "$t" "$work/$t" "seeds/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
        -print_final_stats=1 2>"$work/$t.log" || { tail -n 60 "$work/$t.log"; exit 1; }
    echo "fuzz smoke $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$') executions, no crash"
done

# The reply target must catch a client that accepts what PayerMax did not sign.
printf '\000{"code":"APPLY_SUCCESS","msg":"Success.","data":{"outRefundNo":"R-1","status":"REFUND_PENDING"}}' >"$work/unsigned-success"
cargo fuzz run --sanitizer none reply "$work/unsigned-success" >"$work/clean.log" 2>&1 ||
    { tail -n 30 "$work/clean.log"; echo "fuzz smoke: an unsigned success crashed the reply target"; exit 1; }
if PAYERMAX_FUZZ_BREAK_VERIFY=1 cargo fuzz run --sanitizer none reply "$work/unsigned-success" -- \
    -artifact_prefix="$work/" >"$work/broken.log" 2>&1; then
    echo "fuzz smoke: the reply target did not notice a client accepting an unsigned reply"; exit 1
fi
grep -q "the client accepted a reply PayerMax did not sign" "$work/broken.log" ||
    { tail -n 30 "$work/broken.log"; echo "fuzz smoke: the reply target failed for another reason"; exit 1; }
echo "fuzz smoke reply: catches a client that accepts unsigned replies"
