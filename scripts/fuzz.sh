#!/usr/bin/env bash
# Runs every cargo-fuzz target of the driver for a while and prints how many inputs
# each executed.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 10)
#
# Environment:
#   FUZZ_TARGETS       targets to run (default: all of fuzz/Cargo.toml)
#   CARGO_TARGET_DIR   where to build (default fuzz/target)
#   FUZZ_SANITIZER     cargo-fuzz sanitizer: none (default: the crates under test
#                      are safe Rust, and uninstrumented runs are ~2x faster) or address
#   ML302_FUZZ_ALLOW   comma-separated names of known, reported findings the targets
#                      waive (see fuzz/README.md); empty by default
#
# It installs cargo-fuzz if missing, regenerates the seed corpora
# (scripts/fuzz-seeds.py), builds the targets with debug assertions, runs each with
# -max_total_time, -rss_limit_mb=2048 and -timeout=10, and exits non-zero if any
# target found a crash, a hang or an out-of-memory (the input is in
# fuzz/artifacts/<target>/, the log in fuzz/artifacts/logs/<target>.log).
set -euo pipefail

secs="${1:-10}"
case "$secs" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

if ! cargo +nightly --version > /dev/null 2>&1; then
    echo "fuzz.sh: the nightly toolchain is needed (cargo +nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version > /dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

python3 "$root/scripts/fuzz-seeds.py"

targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
build_flags=(-O --debug-assertions --sanitizer "${FUZZ_SANITIZER:-none}")
cargo +nightly fuzz build "${build_flags[@]}"

logs="$root/fuzz/artifacts/logs"
mkdir -p "$logs"
declare -A execs status
failed=0
for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    echo "fuzz.sh: $t for ${secs}s"
    set +e
    cargo +nightly fuzz run "${build_flags[@]}" "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -dict="$root/fuzz/ml302.dict" -print_final_stats=1 \
        > "$logs/$t.log" 2>&1
    rc=$?
    set -e
    n="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$logs/$t.log" | tail -n1)"
    if [ -z "$n" ]; then
        n="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/$t.log" | tail -n1)"
    fi
    execs[$t]="${n:-0}"
    if [ "$rc" -eq 0 ]; then
        status[$t]="ok"
    else
        status[$t]="FAILED (exit $rc)"
        failed=$((failed + 1))
        grep -E "panicked at|ERROR: libFuzzer|SUMMARY|artifact_prefix|Test unit written" "$logs/$t.log" | head -n 8 >&2 || true
    fi
done

total=0
printf '\n%-12s %15s  %s\n' target executions status
for t in $targets; do
    printf '%-12s %15s  %s\n' "$t" "${execs[$t]}" "${status[$t]}"
    total=$((total + ${execs[$t]}))
done
printf '%-12s %15s\n' total "$total"
count=$(echo "$targets" | wc -w)
echo "fuzz: $((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
