#!/usr/bin/env bash
# Cold build times, each in a fresh target directory, with the load average
# before and after each build and the CPU time the build used (user + system,
# all processes): on a busy machine the wall time means little, and
# CPU time / cores is what an idle machine would need at best.
#
#   benches/compile-times.sh            # every row below, debug and release
#   benches/compile-times.sh types      # only rows whose label contains "types"
#
# payermax-types' default feature is `full` (every domain), so its first row
# builds all 59 operations; "refunds only" builds one domain (and the
# registry, which is always compiled).
#
# Prints a Markdown table on stdout. Registry sources must already be
# downloaded (`cargo fetch`); nothing is fetched here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
filter="${1:-}"

rows=(
    "payermax-types (full)|-p payermax-types"
    "payermax-types (refunds only)|-p payermax-types --no-default-features --features refunds"
    "payermax-sign (rsa)|-p payermax-sign"
    "payermax-sign (aws-lc-rs)|-p payermax-sign --no-default-features --features aws-lc-rs"
    "payermax-http (default features)|-p payermax-http"
)

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "| crate | profile | wall s | CPU s | load before | load after | command |"
echo "| --- | --- | ---: | ---: | --- | --- | --- |"
for row in "${rows[@]}"; do
    label="${row%%|*}"
    args="${row#*|}"
    [[ -n "$filter" && "$label" != *"$filter"* ]] && continue
    for profile in debug release; do
        flag=""
        [[ "$profile" == release ]] && flag="--release"
        dir="$(mktemp -d)"
        before="$(load)"
        # shellcheck disable=SC2086
        times="$(CARGO_TARGET_DIR="$dir" /usr/bin/time -f '%e %U %S' \
            cargo build --locked --offline $args $flag 2>&1 >/dev/null | tail -n1)"
        after="$(load)"
        rm -rf "$dir"
        read -r wall user sys <<<"$times"
        printf '| %s | %s | %.1f | %.1f | %s | %s | `CARGO_TARGET_DIR=$(mktemp -d) cargo build %s%s` |\n' \
            "$label" "$profile" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
            "$before" "$after" "$args" "${flag:+ $flag}"
    done
done
