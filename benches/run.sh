#!/usr/bin/env bash
# Runs every payermax-rs benchmark and OpenSSL's own RSA-2048 figures in one
# run, then prints each figure as a ratio to OpenSSL's sign or verify rate,
# and the targets of BENCHMARKS.md as ratios measured in this same run (the
# goals without RSA, which no same-run baseline does for the SDK, in µs).
#
#   benches/run.sh                 # everything (release build first: slow)
#   ROUNDS=9 benches/run.sh        # more rounds (default 5)
#   benches/run.sh -- --min-time 2 # divan arguments instead of the default
#
# A run is ROUNDS rounds of {openssl speed, every divan bench binary, in an
# order rotated each round} and a last openssl speed. Each figure is the best
# of the rounds (divan: lowest median; OpenSSL: highest rate), so a burst of
# load from other processes on a shared machine, or a slow spell of the
# (virtual) CPU, skews neither side; the worst round is shown too.
#
# Output: the report on stdout, also written to target/bench/report.md; the
# raw divan and openssl output is kept beside it (target/bench/*.txt).
# Needs: cargo, openssl (CLI), awk, sed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${CARGO_TARGET_DIR:-$root/target}/bench"
mkdir -p "$out"

# 150 samples per benchmark and round.
divan_args=(--sample-count 150)
if [[ "${1:-}" == "--" ]]; then
    shift
    divan_args=("$@")
fi

rounds="${ROUNDS:-5}"
features="payermax-sign/rsa,payermax-sign/aws-lc-rs,payermax-http/rsa,payermax-http/aws-lc-rs"
# payermax-http's bench seam (per-client backend, crypto stubbed out, the
# pipeline's halves) exists only under this compiler flag: never a cargo
# feature, so no published build can contain it.
export RUSTFLAGS="${RUSTFLAGS:-} --cfg payermax_bench"
packages=(-p payermax-sign -p payermax-http -p payermax-tests)

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

openssl_speed() {
    # "rsa 2048 bits 0.000373s 0.000019s   2683.9  51367.3" -> "2683.9 51367.3"
    openssl speed -seconds 3 rsa2048 2>/dev/null | tee -a "$out/openssl.txt" |
        awk '$1 == "rsa" && $2 == "2048" { print $6, $7 }'
}

# Wall-clock sign/s of 1 and of 2 OpenSSL processes: what a second thread can
# gain on this machine right now. "1-process-sign 2-process-sign".
openssl_scaling() {
    local one two
    one="$(openssl speed -elapsed -seconds 1 rsa2048 2>/dev/null | awk '$1 == "rsa" && $2 == "2048" { print $6 }')"
    two="$(openssl speed -elapsed -multi 2 -seconds 1 rsa2048 2>/dev/null | awk '$1 == "rsa" && $2 == "2048" { print $6 }')"
    echo "$one $two"
}

echo "building the benches (release)..." >&2
cargo bench --locked "${packages[@]}" --bench '*' --features "$features" --no-run >&2
mapfile -t benches < <(
    cargo bench --locked "${packages[@]}" --bench '*' --features "$features" --no-run \
        --message-format=json 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p'
)
if [[ ${#benches[@]} -ne 3 ]]; then
    echo "expected 3 bench binaries, found: ${benches[*]}" >&2
    exit 1
fi

# Normalise divan's tree into "bench/path/name<TAB>median-seconds".
parse_divan() {
    sed -e 's/│/|/g' -e 's/├─/+-/g' -e 's/╰─/+-/g' "$1" |
    awk '
    function secs(v,   n, u) {
        n = v; sub(/[^0-9.].*$/, "", n); u = v; sub(/^[0-9.]+ */, "", u)
        if (u == "ns") return n * 1e-9
        if (u == "µs" || u == "us") return n * 1e-6
        if (u == "ms") return n * 1e-3
        if (u == "s") return n
        return -1
    }
    {
        # The tree prefix ("|  ", "   ", "+- ") is 3 characters per level.
        match($0, /^[|+ -]*/)
        prefix = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
        nf = split(rest, col, "|")
        if (nf < 6) next
        split(col[1], w, / +/)
        if (RLENGTH == 0) {                     # a bench binary: "name fastest"
            if (w[2] != "fastest") next
            delete path; path[0] = w[1]; next
        }
        depth = RLENGTH / 3
        path[depth] = w[1]
        median = col[3]; gsub(/^ +| +$/, "", median)
        if (median == "") next
        full = path[0]
        for (i = 1; i <= depth; i++) full = full "/" path[i]
        printf "%s\t%.9g\n", full, secs(median)
    }'
}


started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_before="$(load)"
: >"$out/openssl.txt"
: >"$out/medians.tsv"
speeds=()
scaling=()
for round in $(seq 1 "$rounds"); do
    echo "round $round/$rounds: openssl speed -seconds 3 rsa2048..." >&2
    speeds+=("$(openssl_speed)")
    echo "round $round/$rounds: openssl speed -elapsed [-multi 2] -seconds 1 rsa2048..." >&2
    scaling+=("$(openssl_scaling)")
    : >"$out/divan-$round.txt"
    for i in "${!benches[@]}"; do
        exe="${benches[$(((i + round) % ${#benches[@]}))]}"
        echo "round $round/$rounds: $(basename "$exe")..." >&2
        "$exe" --bench "${divan_args[@]}" | tee -a "$out/divan-$round.txt" >&2
    done
    parse_divan "$out/divan-$round.txt" >>"$out/medians.tsv"
done
echo "openssl speed -seconds 3 rsa2048 (last)..." >&2
speeds+=("$(openssl_speed)")
load_after="$(load)"

awk -v speeds="${speeds[*]}" -v scaling="${scaling[*]}" -v rounds="$rounds" \
    -v started="$started" -v lb="$load_before" -v la="$load_after" \
    -v nproc="$(nproc)" -v cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -n1)" \
    -v rustc="$(rustc --version)" -v commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -v ossl="$(openssl version)" '
    function max(a, b) { return a > b ? a : b }
    function rate(k) { return (k in t) && t[k] > 0 ? 1 / t[k] : 0 }
    function human(s) {
        if (s < 1e-6) return sprintf("%.0f ns", s * 1e9)
        if (s < 1e-3) return sprintf("%.2f µs", s * 1e6)
        if (s < 1) return sprintf("%.3f ms", s * 1e3)
        return sprintf("%.3f s", s)
    }
    function target(label, value, op, goal, unit,   ok) {
        ok = (op == ">=") ? value >= goal : value <= goal
        printf "| %s | %.3f%s | %s %s%s | %s |\n", label, value, unit, op, goal, unit, ok ? "met" : "MISSED"
    }
    {
        if (!($1 in t)) { order[++n] = $1; t[$1] = $2; worst[$1] = $2 }
        if ($2 < t[$1]) t[$1] = $2
        if ($2 > worst[$1]) worst[$1] = $2
    }
    END {
        m = split(speeds, sp, " ")
        sign = 0; verify = 0; runs = ""
        for (i = 1; i < m; i += 2) {
            sign = max(sign, sp[i]); verify = max(verify, sp[i + 1])
            runs = runs sprintf("%s%s/%s", i > 1 ? ", " : "", sp[i], sp[i + 1])
        }
        both = 1 / (1 / sign + 1 / verify)
        # Every figure the targets use must be there: a missing one is an error, not a pass.
        nreq = split("pipeline/prepare/aws_lc_rs pipeline/prepare/rsa pipeline/prepare/raw_rsa_crate_sign pipeline/prepare/no_crypto pipeline/reply/aws_lc_rs pipeline/reply/rsa pipeline/reply/raw_rsa_crate_verify pipeline/reply/no_crypto pipeline/call/aws_lc_rs pipeline/call/no_crypto pipeline/call/sign_and_verify_only pipeline/throughput/shared_client/t=1 pipeline/throughput/shared_client/t=2 pipeline/throughput/batch_64_calls/1 pipeline/throughput/batch_64_calls/2 pipeline/throughput/batch_64_sign_verify/1 pipeline/throughput/batch_64_sign_verify/2 sign_verify/rsa/sign sign_verify/rsa/verify sign_verify/raw_rsa/sign sign_verify/raw_rsa/verify sign_verify/aws_lc_rs/sign sign_verify/aws_lc_rs/verify sign_verify/raw_aws_lc_rs/sign sign_verify/raw_aws_lc_rs/verify loopback/bare_hyper loopback/client loopback/client_no_crypto pipeline/prepare/order_and_pay_direct/aws_lc_rs pipeline/prepare/order_and_pay_direct/no_crypto pipeline/prepare/order_and_pay_direct/validate_only pipeline/prepare/order_and_pay_direct/raw_serde_json pipeline/reply/order_query/aws_lc_rs pipeline/reply/order_query/no_crypto pipeline/reply/order_query/raw_serde_json", req, " ")
        missing = 0
        for (i = 1; i <= nreq; i++) if (!(req[i] in t) || t[req[i]] <= 0) { print "missing benchmark: " req[i] > "/dev/stderr"; missing++ }
        if (missing) exit 1
        m2 = split(scaling, sc, " "); one = 0; two = 0
        for (i = 1; i < m2; i += 2) { one = max(one, sc[i]); two = max(two, sc[i + 1]) }
        print "# payermax-rs benchmarks"
        print ""
        printf "- date: %s; machine: %s CPUs, %s\n", started, nproc, cpu
        printf "- load average (1/5/15 min): %s before, %s after\n", lb, la
        printf "- %s; %s; commit %s\n", rustc, ossl, commit
        printf "- OpenSSL RSA-2048 (`openssl speed -seconds 3 rsa2048`, per CPU second, best of %d runs, one before each round and one after): sign %.1f/s (%s), verify %.1f/s (%s); every run (sign/verify per second): %s\n", m / 2, sign, human(1 / sign), verify, human(1 / verify), runs
        printf "- OpenSSL sign + verify (one of each, back to back): %.1f/s (%s)\n", both, human(1 / both)
        print ""

        printf "Every figure is divan'"'"'s median time per iteration, the lowest of %d rounds (the highest is shown beside it).", rounds
        print " The ratio is the benchmark'"'"'s rate over the OpenSSL rate of the RSA work it does: `sign` (signing, request preparation, key parsing), `verify` (verifying, reply processing) or `sign+verify` (whole calls: the client signs and verifies once each; over loopback the sandbox does too). `batch_*` rows run 64 calls per iteration. Above 1 is faster than OpenSSL."
        print ""
        print "| benchmark | median | worst round | per second | vs OpenSSL |"
        print "| --- | ---: | ---: | ---: | ---: |"
        for (i = 1; i <= n; i++) {
            k = order[i]; r = rate(k)
            op = k; sub(/^[^\/]*\//, "", op)      # drop the bench binary
            if (op ~ /^(call|throughput)\// || k ~ /^loopback\//) { base = both; what = "sign+verify" }
            else if (op ~ /verify|^reply\//) { base = verify; what = "verify" }
            else { base = sign; what = "sign" }
            if (op ~ /batch_/) r = r * 64
            printf "| `%s` | %s | %s | %.1f | %.3fx %s |\n", k, human(t[k]), human(worst[k]), r, r / base, what
        }
        print ""
        print "## Targets (ratios from this run)"
        print ""
        print "| target | measured | goal | |"
        print "| --- | ---: | ---: | --- |"
        target("request preparation, aws-lc-rs / OpenSSL sign", rate("pipeline/prepare/aws_lc_rs") / sign, ">=", 0.95, "x")
        target("request preparation, rsa / rsa crate sign (same key, same binary)", rate("pipeline/prepare/rsa") / rate("pipeline/prepare/raw_rsa_crate_sign"), ">=", 0.95, "x")
        target("reply verify + decode, aws-lc-rs / OpenSSL verify", rate("pipeline/reply/aws_lc_rs") / verify, ">=", 0.90, "x")
        target("SDK overhead without RSA (whole call, in-memory transport)", t["pipeline/call/no_crypto"] * 1e6, "<=", 5, " µs")
        # Absolute goals, like the whole call above: the SDK own work on the largest messages;
        # their ratios to serde_json alone (same binary, same run) follow under "Beside the targets".
        target("largest request (orderAndPay direct, fully populated) preparation without RSA", t["pipeline/prepare/order_and_pay_direct/no_crypto"] * 1e6, "<=", 10, " µs")
        target("largest reply (orderQuery, fully populated) verify + decode without RSA", t["pipeline/reply/order_query/no_crypto"] * 1e6, "<=", 10, " µs")
        # Relative to what the machine gave in the same run: the client 2-thread
        # scaling over that of its RSA work alone (a busy second core lowers both alike).
        target("throughput scaling, 2 threads / 1 thread: the client (64 calls) over its RSA work alone (64 signs + verifies), same run", (t["pipeline/throughput/batch_64_calls/1"] / t["pipeline/throughput/batch_64_calls/2"]) / (t["pipeline/throughput/batch_64_sign_verify/1"] / t["pipeline/throughput/batch_64_sign_verify/2"]), ">=", 0.95, "x")
        target("loopback round trip, client (no crypto) / bare hyper", rate("loopback/client_no_crypto") / rate("loopback/bare_hyper"), ">=", 0.9, "x")
        print ""
        print "Beside the targets:"
        print ""
        printf "- request preparation, aws-lc-rs / aws-lc-rs crate sign: %.3fx\n", rate("pipeline/prepare/aws_lc_rs") / rate("sign_verify/raw_aws_lc_rs/sign")
        printf "- reply verify + decode, aws-lc-rs / aws-lc-rs crate verify: %.3fx\n", rate("pipeline/reply/aws_lc_rs") / rate("sign_verify/raw_aws_lc_rs/verify")
        printf "- reply verify + decode, rsa / rsa crate verify (same key, same binary): %.3fx\n", rate("pipeline/reply/rsa") / rate("pipeline/reply/raw_rsa_crate_verify")
        printf "- payermax-sign over the backend crate alone (`sign_verify`): rsa sign %.3fx, verify %.3fx; aws-lc-rs sign %.3fx, verify %.3fx\n", rate("sign_verify/rsa/sign") / rate("sign_verify/raw_rsa/sign"), rate("sign_verify/rsa/verify") / rate("sign_verify/raw_rsa/verify"), rate("sign_verify/aws_lc_rs/sign") / rate("sign_verify/raw_aws_lc_rs/sign"), rate("sign_verify/aws_lc_rs/verify") / rate("sign_verify/raw_aws_lc_rs/verify")
        printf "- aws-lc-rs crate sign / OpenSSL sign: %.3fx; verify / OpenSSL verify: %.3fx\n", rate("sign_verify/raw_aws_lc_rs/sign") / sign, rate("sign_verify/raw_aws_lc_rs/verify") / verify
        printf "- rsa crate sign / OpenSSL sign: %.3fx; verify / OpenSSL verify: %.3fx\n", rate("sign_verify/raw_rsa/sign") / sign, rate("sign_verify/raw_rsa/verify") / verify
        calls2 = t["pipeline/throughput/batch_64_calls/1"] / t["pipeline/throughput/batch_64_calls/2"]
        crypto2 = t["pipeline/throughput/batch_64_sign_verify/1"] / t["pipeline/throughput/batch_64_sign_verify/2"]
        printf "- throughput, 2 threads / 1 thread, wall clock of 64 calls: %.3fx; of their RSA work alone (`batch_64_sign_verify`): %.3fx; the client'"'"'s scaling over the machine'"'"'s: %.3f; OpenSSL, 2 processes / 1 (`openssl speed -elapsed [-multi 2] -seconds 1 rsa2048`, best of %d): %.3fx\n", calls2, crypto2, calls2 / crypto2, m2 / 2, two / one
        printf "- throughput, 2 threads / 1 thread from divan'"'"'s per-thread medians (noisy: a busy spell in the 1-thread run inflates it): %.3fx\n", 2 * t["pipeline/throughput/shared_client/t=1"] / t["pipeline/throughput/shared_client/t=2"]
        printf "- whole call (in-memory transport, aws-lc-rs) / sign + verify alone: %.3fx\n", rate("pipeline/call/aws_lc_rs") / rate("pipeline/call/sign_and_verify_only")
        printf "- loopback round trip, client (signing and verifying) / bare hyper (pre-signed, unverified): %.3fx\n", rate("loopback/client") / rate("loopback/bare_hyper")
        printf "- SDK overhead without RSA: preparation %s, reply %s, whole call %s\n", human(t["pipeline/prepare/no_crypto"]), human(t["pipeline/reply/no_crypto"]), human(t["pipeline/call/no_crypto"])
        printf "- largest request (orderAndPay direct) without RSA / serde_json alone writing it (same binary): %.3fx (%s against %s; validation alone: %s)\n", rate("pipeline/prepare/order_and_pay_direct/no_crypto") / rate("pipeline/prepare/order_and_pay_direct/raw_serde_json"), human(t["pipeline/prepare/order_and_pay_direct/no_crypto"]), human(t["pipeline/prepare/order_and_pay_direct/raw_serde_json"]), human(t["pipeline/prepare/order_and_pay_direct/validate_only"])
        printf "- largest reply (orderQuery) without RSA / serde_json alone reading it (same binary): %.3fx (%s against %s)\n", rate("pipeline/reply/order_query/no_crypto") / rate("pipeline/reply/order_query/raw_serde_json"), human(t["pipeline/reply/order_query/no_crypto"]), human(t["pipeline/reply/order_query/raw_serde_json"])
        printf "- largest request preparation, aws-lc-rs / OpenSSL sign: %.3fx; largest reply verify + decode, aws-lc-rs / OpenSSL verify: %.3fx\n", rate("pipeline/prepare/order_and_pay_direct/aws_lc_rs") / sign, rate("pipeline/reply/order_query/aws_lc_rs") / verify
    }' "$out/medians.tsv" | tee "$out/report.md"
