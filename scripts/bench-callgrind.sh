#!/usr/bin/env bash
# Instructions per byte of the streaming digester, measured with callgrind.
#
# Generates the benchmark streams a and b (1 MiB each, with the make-stream binary
# of testkit/), builds examples/digest_stream in release mode, checks that its
# counts equal the generator's at every chunk size, and runs it under
# `valgrind --tool=callgrind`
# at chunk sizes 1, 8, 64 and 512 (CHUNKS="..." for others). A run with CHUNK=0 (read the file, digest
# nothing) is the baseline subtracted from each figure. Beside each figure, the
# same measure of examples/line_floor (the same feeding loop around a "framer"
# that only copies bytes into a line buffer and tests them for CR/LF): the least
# a byte-at-a-time framer costs in that loop. The `reference` column is the same
# measure with ROUTE=reference: the digester's reference machine alone, without
# the fast paths of the `fast-digest` feature (the counts are checked there too).
# The `classify/byte` column is the part of instr/byte spent in the count's line
# classification (`Urc::from_frame`, the session's own, callgrind's
# --toggle-collect on it; fast route): instr/byte minus it is the digester alone.
# It works on any build whose example counts through `Urc::from_frame` out of
# line, so BIN=<an older build> compares digesters on equal terms.
#
# usage: scripts/bench-callgrind.sh [MiB]      (default 1)
# env:   CHUNKS="1 8 64 512"  the chunk sizes measured
#        BIN=path   use this digest_stream binary instead of building one
#        FLOOR=path use this line_floor binary instead of building one
#        GEN=path   use this make-stream binary instead of building one
#        CARGO_TARGET_DIR is honoured when building
set -euo pipefail

cd "$(dirname "$0")/.."
mib="${1:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v valgrind >/dev/null || { echo "error: valgrind not found" >&2; exit 1; }

if [[ -z "${BIN:-}" || -z "${FLOOR:-}" ]]; then
    cargo build --quiet --release -p ml302 --example digest_stream --example line_floor
fi
if [[ -z "${GEN:-}" ]]; then
    cargo build --quiet --release -p ml302-testkit --bin make-stream
fi
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/examples/digest_stream}"
FLOOR="${FLOOR:-${CARGO_TARGET_DIR:-target}/release/examples/line_floor}"
GEN="${GEN:-${CARGO_TARGET_DIR:-target}/release/make-stream}"

# Instructions executed by one run (callgrind's "I refs"); extra arguments go
# to valgrind.
irefs() {
    local chunk="$1" file="$2" bin="${3:-$BIN}"
    shift $(($# < 3 ? $# : 3))
    CHUNK="$chunk" ROUTE="${ROUTE:-fast}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$bin" "$file" 2>&1 >/dev/null |
        awk '/I[ ]+refs:/ { gsub(",", "", $NF); print $NF }'
}

printf '%-8s %8s %12s %14s %10s %10s %14s %14s\n' stream chunk bytes instructions instr/byte reference copy+eol/byte classify/byte
for mix in a b; do
    file="$work/$mix.bin"
    want="$("$GEN" "$mix" "$mib" "$file")"
    bytes="$(stat -c %s "$file")"
    base="$(irefs 0 "$file")"
    floor_base="$(irefs 0 "$file" "$FLOOR")"
    for chunk in ${CHUNKS:-1 8 64 512}; do
        for route in fast reference; do
            got="$(CHUNK="$chunk" ROUTE="$route" "$BIN" "$file")"
            # Both print the counts as JSON (ml302_testkit::Counts::to_json),
            # compared without spaces (older builds of the example printed none).
            if [[ "${got// /}" != "${want// /}" ]]; then
                echo "error: stream $mix chunk $chunk, $route route: counts $got differ from make-stream's $want" >&2
                exit 1
            fi
        done
        total="$(irefs "$chunk" "$file")"
        ref="$(ROUTE=reference irefs "$chunk" "$file")"
        floor="$(irefs "$chunk" "$file" "$FLOOR")"
        classify="$(irefs "$chunk" "$file" "$BIN" '--toggle-collect=*Urc::from_frame*')"
        awk -v m="$mix" -v c="$chunk" -v b="$bytes" -v t="$total" -v z="$base" \
            -v r="$ref" -v f="$floor" -v fz="$floor_base" -v k="$classify" \
            'BEGIN { printf "%-8s %8d %12d %14d %10.2f %10.2f %14.2f %14.2f\n", m, c, b, t - z, (t - z) / b, (r - z) / b, (f - fz) / b, k / b }'
    done
done
echo "(baseline: CHUNK=0, reading the file only, subtracted; counts checked against make-stream's;"
echo " copy+eol: examples/line_floor, a framer that only copies bytes and tests them for CR/LF,"
echo " byte by byte, in the same loop: at chunk 1 the least any framer costs there;"
echo " classify: the part of instr/byte spent in the count's Urc::from_frame, the session's line classification)"
