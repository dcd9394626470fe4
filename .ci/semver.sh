#!/usr/bin/env bash
# Semver of the published crates against the last release, and of the
# bumps `cargo xtask diff` predicts:
#  1. cargo-semver-checks on payermax-types, payermax-sign, payermax-http,
#     payermax-webhook and payermax-sandbox against the commit in .ci/semver-baseline (built
#     from this repository's history, offline). It fails when the versions
#     in Cargo.toml do not allow a change the compiler sees as breaking.
#  2. `cargo test -p xtask -- --ignored semver`: on fixture crates generated
#     from xtask/tests/diff/, the bump `cargo xtask diff` predicts is the one
#     cargo-semver-checks requires.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.51.0
if ! command -v cargo-semver-checks >/dev/null; then
    echo "installing cargo-semver-checks $version (a few minutes on 2 cores)"
    cargo install cargo-semver-checks --locked --version "$version"
fi
cargo semver-checks --version

baseline=$(grep -Ev '^[[:space:]]*(#|$)' .ci/semver-baseline | head -n 1)
if ! git cat-file -e "${baseline}^{commit}" 2>/dev/null; then
    echo ".ci/semver-baseline names $baseline, which this clone does not have (a shallow clone?): fetch the history first" >&2
    exit 1
fi
cargo semver-checks check-release --baseline-rev "$baseline" \
    -p payermax-types -p payermax-sign -p payermax-http -p payermax-webhook -p payermax-sandbox

cargo test -p xtask -- --ignored semver
