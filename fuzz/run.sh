#!/usr/bin/env bash
# Long fuzzing runs: every target (or those named) for RUNS executions each
# (default 10 000 000), on the committed seeds plus a growing corpus in
# fuzz/corpus/<target>/ (not committed). Crashes land in fuzz/artifacts/.
# Per-target logs and a summary line (executions, seconds) go to fuzz/logs/.
#
#   fuzz/run.sh                       # every target, 10M runs each, one after another
#   RUNS=1000000 fuzz/run.sh reply    # one target, 1M runs
#   JOBS=2 fuzz/run.sh                # two targets at a time
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). Only a stable
# toolchain is assumed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly
# flags, and `--sanitizer none` avoids needing a sanitizer runtime.
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${RUNS:-10000000}"
JOBS="${JOBS:-1}"
ALL=(reply notification keys import_page scalars)
TARGETS=("${@:-${ALL[@]}}")
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build --sanitizer none
mkdir -p logs

run_one() {
    local t="$1"
    mkdir -p "corpus/$t"
    local start end rc=0
    start=$(date +%s)
    cargo fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" -- \
        -runs="$RUNS" -print_final_stats=1 -rss_limit_mb=2048 \
        >"logs/$t.log" 2>&1 || rc=$?
    end=$(date +%s)
    local execs
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    echo "$t: exit $rc, $execs executions in $((end - start)) s" | tee -a logs/summary.txt
    return $rc
}

status=0
if [ "$JOBS" -le 1 ]; then
    for t in "${TARGETS[@]}"; do run_one "$t" || status=1; done
else
    pids=()
    for t in "${TARGETS[@]}"; do
        run_one "$t" & pids+=($!)
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 1; done
    done
    for p in "${pids[@]}"; do wait "$p" || status=1; done
fi
exit $status
