#!/usr/bin/env bash
# End-to-end run of the reference firmware (firmware/) under QEMU against the
# simulated modem, checked by an independent MQTT client.
#
# For each client binary (`nbuart`, `asynch`, then `blocking`):
#   1. `ml302 sim --tcp-listen 127.0.0.1:0` starts the simulated ML302 with its
#      in-process broker and prints `serial: ADDR` and `broker: ADDR`;
#   2. mosquitto_sub subscribes to `ml302/fw/#` on that broker (the script waits
#      until a probe message comes back, so nothing is missed);
#   3. qemu-system-arm boots the firmware on the lm3s6965evb machine with UART0
#      connected to the simulator's socket (`-serial tcp:ADDR`) and semihosting
#      for the firmware's report and exit status;
#   4. when the firmware prints `ready ml302/fw/in` (it has subscribed),
#      mosquitto_pub publishes a binary payload there; the firmware reports it
#      (`rx ...`) and echoes it to `ml302/fw/out/echo`;
#   5. checks: QEMU exits 0 with `result ok`; mosquitto_sub received the QoS 0,
#      1 and 2 publications, the loop-back messages and the echo exactly once and
#      byte-exact (hex compared); the firmware received mosquitto_pub's payload
#      byte-exact; the will was not published (clean disconnect).
# Then the bare-metal example `footprint` (every client operation, no output)
# runs against a fresh simulator; its exit status must be 0.
#
# Output: the QEMU/semihosting transcript of each run, check results, then one
# JSON object per binary — `nbuart` (the blocking client over an
# embedded-hal-nb UART) third from last, `asynch` second to last, `blocking` on
# the LAST line:
#   {"ok": true|false, "text": N, "rodata": N, "data": N, "bss": N, "stack_peak": N}
# Sizes are the ELF sections (`size -A`) of the release build for
# thumbv7m-none-eabi (the build QEMU runs); stack_peak is measured by the
# firmware (stack painted at reset, high-water mark scanned at the end).
# Exit status: 0 when all four runs passed, 1 when one failed, 2 when a
# prerequisite is missing.
#
# Needs (installed by .ci/run, not by this script): qemu-system-arm,
# mosquitto-clients, binutils-arm-none-eabi (or llvm-size / size), the rustup
# target thumbv7m-none-eabi.
# Environment: ML302_BIN=path to a built `ml302` CLI (otherwise it is built with
# cargo, debug profile); CARGO_TARGET_DIR is honoured for both builds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FW_DIR=$ROOT/firmware
FW_TARGET=thumbv7m-none-eabi
BINS=(nbuart asynch blocking) # the last one's JSON is the script's last line
QEMU_TIMEOUT=120
WAIT_S=30 # for the simulator's banner, mosquitto_sub's readiness, the firmware's `ready`

WORK=$(mktemp -d -t ml302-fw-e2e.XXXXXX)
PIDS=()

# shellcheck disable=SC2317 # invoked through the trap
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  PIDS=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'firmware-e2e: %s\n' "$*"; }

json() { # ok text rodata data bss stack_peak
  printf '{"ok": %s, "text": %s, "rodata": %s, "data": %s, "bss": %s, "stack_peak": %s}\n' "$@"
}

all_failed() { # one failed JSON line per binary, then exit with $1
  local _bin
  for _bin in "${BINS[@]}"; do json false 0 0 0 0 0; done
  exit "$1"
}

fail_prereq() {
  printf 'firmware-e2e: missing prerequisite: %s\n' "$*" >&2
  all_failed 2
}

# ---- prerequisites (installed by .ci/run; this script installs nothing) ----
command -v qemu-system-arm >/dev/null 2>&1 || fail_prereq "qemu-system-arm (apt-get install qemu-system-arm)"
command -v mosquitto_sub >/dev/null 2>&1 || fail_prereq "mosquitto_sub (apt-get install mosquitto-clients)"
command -v mosquitto_pub >/dev/null 2>&1 || fail_prereq "mosquitto_pub (apt-get install mosquitto-clients)"
command -v cargo >/dev/null 2>&1 || fail_prereq "cargo"
if command -v rustup >/dev/null 2>&1; then
  installed_targets=$(rustup target list --installed 2>/dev/null || true)
  grep -qx "$FW_TARGET" <<<"$installed_targets" ||
    fail_prereq "rust target $FW_TARGET (rustup target add $FW_TARGET)"
fi
SIZE=""
for tool in arm-none-eabi-size llvm-size size; do
  if command -v "$tool" >/dev/null 2>&1; then SIZE=$tool; break; fi
done
[ -n "$SIZE" ] || fail_prereq "a size tool (apt-get install binutils-arm-none-eabi)"

# ---- builds ----
log "building the firmware (release, $FW_TARGET)"
(cd "$FW_DIR" && cargo build --release --target "$FW_TARGET" --bin nbuart --bin asynch --bin blocking --bin footprint) >&2 ||
  { log "firmware build failed"; all_failed 1; }
FW_OUT=$(cd "$FW_DIR" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
FW_OUT=${FW_OUT:-$FW_DIR/target}/$FW_TARGET/release

if [ -z "${ML302_BIN:-}" ]; then
  log "building the simulator (ml302 CLI)"
  (cd "$ROOT" && cargo build -p ml302-cli --bin ml302) >&2 ||
    { log "simulator build failed"; all_failed 1; }
  HOST_OUT=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  ML302_BIN=${HOST_OUT:-$ROOT/target}/debug/ml302
fi
[ -x "$ML302_BIN" ] || fail_prereq "the ml302 CLI at $ML302_BIN"

# ---- what must arrive (mirrors firmware/src/script.rs) ----
hex() { od -An -v -tx1 | tr -d ' \n'; }
HEX_Q0=$(printf '%s' 'qos 0 from the ml302 firmware' | hex)
HEX_Q1=$(printf 'qos 1, "quoted", line\r\nend' | hex)
HEX_Q2=$(for i in $(seq 0 255); do printf '%02x' "$i"; done)
HEX_LOOP=$(printf 'round trip,\r\n\000\377' | hex)
HEX_AFTER=$(printf '%s' 'after unsubscribe' | hex)
# What mosquitto_pub sends to the firmware: quotes, commas, CR LF, NUL, 0xFF.
printf 'from mosquitto_pub, "quoted",\r\n\000\001\377 end' >"$WORK/inbound.bin"
HEX_IN=$(hex <"$WORK/inbound.bin")

wait_for() { # file pattern seconds [pid]: poll until a line matches
  local file=$1 pattern=$2 deadline=$((SECONDS + $3)) pid=${4:-}
  while [ "$SECONDS" -lt "$deadline" ]; do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      grep -qE "$pattern" "$file" 2>/dev/null && return 0
      return 1
    fi
    sleep 0.1
  done
  return 1
}

count_line() { grep -cxF -- "$2" "$1" 2>/dev/null || true; }

declare -A RESULT
run_one() { # bin
  local bin=$1 elf=$FW_OUT/$1 dir=$WORK/$1 ok=true
  mkdir -p "$dir"
  log "=== $bin"

  # 1. simulator + broker
  timeout $((QEMU_TIMEOUT + 60)) "$ML302_BIN" sim --tcp-listen 127.0.0.1:0 \
    >"$dir/sim.out" 2>"$dir/sim.err" &
  local sim=$!
  PIDS+=("$sim")
  if ! wait_for "$dir/sim.out" '^broker: ' "$WAIT_S" "$sim" ||
    ! wait_for "$dir/sim.out" '^serial: ' 1 "$sim"; then
    log "$bin: the simulator did not start"; sed 's/^/  sim: /' "$dir/sim.err" >&2 || true
    RESULT[$bin]=false; return
  fi
  local serial broker
  serial=$(awk '/^serial: / { print $2; exit }' "$dir/sim.out")
  broker=$(awk '/^broker: / { print $2; exit }' "$dir/sim.out")
  local bhost=${broker%:*} bport=${broker##*:}
  log "$bin: simulator serial $serial, broker $broker"

  # 2. the independent subscriber, ready once its probe comes back
  timeout $((QEMU_TIMEOUT + 60)) mosquitto_sub -h "$bhost" -p "$bport" -q 2 -i "fw-e2e-sub-$bin" \
    -t 'ml302/fw/#' -F '%t %x' >"$dir/sub.out" 2>"$dir/sub.err" &
  local sub=$!
  PIDS+=("$sub")
  local probe_hex deadline=$((SECONDS + WAIT_S))
  probe_hex=$(printf 'probe' | hex)
  until grep -qxF "ml302/fw/probe $probe_hex" "$dir/sub.out" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$sub" 2>/dev/null; then
      log "$bin: mosquitto_sub did not get ready"; cat "$dir/sub.err" >&2 || true
      RESULT[$bin]=false; return
    fi
    mosquitto_pub -h "$bhost" -p "$bport" -q 1 -t ml302/fw/probe -m probe >/dev/null 2>&1 || true
    sleep 0.2
  done

  # 3. the firmware
  timeout "$QEMU_TIMEOUT" qemu-system-arm -machine lm3s6965evb -cpu cortex-m3 \
    -display none -monitor none -semihosting-config enable=on,target=native \
    -serial "tcp:$serial" -kernel "$elf" >"$dir/qemu.out" 2>"$dir/qemu.err" &
  local qemu=$!
  PIDS+=("$qemu")

  # 4. publish to the firmware once it has subscribed
  if wait_for "$dir/qemu.out" '^ready ml302/fw/in$' "$QEMU_TIMEOUT" "$qemu"; then
    mosquitto_pub -h "$bhost" -p "$bport" -q 1 -i "fw-e2e-pub-$bin" -t ml302/fw/in \
      -f "$WORK/inbound.bin" || { log "$bin: mosquitto_pub failed"; ok=false; }
  else
    log "$bin: the firmware never reported 'ready ml302/fw/in'"; ok=false
  fi
  local rc=0
  wait "$qemu" || rc=$?
  sed "s/^/  [$bin] /" "$dir/qemu.out"
  if [ "$rc" -ne 0 ]; then
    log "$bin: QEMU exited with $rc (124: time-out)"; ok=false
    sed "s/^/  qemu: /" "$dir/qemu.err" >&2 || true
  fi
  grep -qx 'result ok' "$dir/qemu.out" || { log "$bin: no 'result ok'"; ok=false; }

  # 5. what the independent client saw (the last publication preceded the
  #    firmware's 1 s quiet period, so it has arrived)
  sleep 0.3
  kill "$sub" 2>/dev/null || true
  wait "$sub" 2>/dev/null || true
  local check what want n
  for check in "QoS 0 publication|ml302/fw/out/q0 $HEX_Q0" \
    "QoS 1 publication|ml302/fw/out/q1 $HEX_Q1" \
    "QoS 2 publication (256 binary bytes)|ml302/fw/out/q2 $HEX_Q2" \
    "loop-back publication|ml302/fw/loop $HEX_LOOP" \
    "publication after the unsubscribe|ml302/fw/loop $HEX_AFTER" \
    "echo of mosquitto_pub's message|ml302/fw/out/echo $HEX_IN"; do
    what=${check%%|*}
    want=${check#*|}
    n=$(count_line "$dir/sub.out" "$want")
    if [ "$n" = 1 ]; then
      log "$bin: ok   $what: arrived once, byte-exact (${want%% *})"
    else
      log "$bin: FAIL $what: expected payload on ${want%% *} seen $n times"; ok=false
    fi
  done
  if grep -q '^ml302/fw/will ' "$dir/sub.out"; then
    log "$bin: FAIL the will was published although the firmware disconnected cleanly"; ok=false
  else
    log "$bin: ok   no will after the clean disconnect"
  fi
  if grep -qxF "rx ml302/fw/in $HEX_IN" "$dir/qemu.out"; then
    log "$bin: ok   mosquitto_pub's payload reached the firmware byte-exact"
  else
    log "$bin: FAIL the firmware did not report mosquitto_pub's payload byte-exact"; ok=false
  fi
  if [ "$ok" != true ]; then
    sed 's/^/  sub: /' "$dir/sub.out" | cut -c1-200 >&2 || true
    tail -n 40 "$dir/sim.err" | sed 's/^/  sim: /' >&2 || true
  fi

  kill "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
  RESULT[$bin]=$ok
}

smoke() { # bin: boot it against a fresh simulator; only its exit status counts
  local bin=$1 elf=$FW_OUT/$1 dir=$WORK/$1
  mkdir -p "$dir"
  log "=== $bin (bare-metal example: every client operation, result = exit status)"
  timeout $((QEMU_TIMEOUT + 60)) "$ML302_BIN" sim --tcp-listen 127.0.0.1:0 \
    >"$dir/sim.out" 2>"$dir/sim.err" &
  local sim=$!
  PIDS+=("$sim")
  if ! wait_for "$dir/sim.out" '^serial: ' "$WAIT_S" "$sim"; then
    log "$bin: the simulator did not start"; SMOKE_OK=false; return
  fi
  local rc=0
  timeout "$QEMU_TIMEOUT" qemu-system-arm -machine lm3s6965evb -cpu cortex-m3 \
    -display none -monitor none -semihosting-config enable=on,target=native \
    -serial "tcp:$(awk '/^serial: / { print $2; exit }' "$dir/sim.out")" -kernel "$elf" \
    >"$dir/qemu.out" 2>"$dir/qemu.err" || rc=$?
  if [ "$rc" -eq 0 ]; then
    log "$bin: ok   exited 0"
  else
    log "$bin: FAIL QEMU exited with $rc (1: an operation failed, 124: time-out)"; SMOKE_OK=false
    tail -n 40 "$dir/sim.err" | sed 's/^/  sim: /' >&2 || true
  fi
  kill "$sim" 2>/dev/null || true
  wait "$sim" 2>/dev/null || true
}

summary() { # bin -> JSON line
  local bin=$1 elf=$FW_OUT/$1 dir=$WORK/$1
  local sizes text rodata data bss peak
  sizes=$({ "$SIZE" -A "$elf" 2>/dev/null || true; } |
    awk '$1==".text"{t=$2} $1==".rodata"{r=$2} $1==".data"{d=$2} $1==".bss"{b=$2}
         END{printf "%d %d %d %d", t, r, d, b}')
  read -r text rodata data bss <<<"${sizes:-0 0 0 0}"
  peak=""
  [ -f "$dir/qemu.out" ] && peak=$(awk '/^stack_peak [0-9]+/ { v = $2 } END { print v }' "$dir/qemu.out")
  json "${RESULT[$bin]:-false}" "$text" "$rodata" "$data" "$bss" "${peak:-0}"
}

for bin in "${BINS[@]}"; do
  run_one "$bin"
done
SMOKE_OK=true
smoke footprint

status=0
[ "$SMOKE_OK" = true ] || status=1
for bin in "${BINS[@]}"; do
  [ "${RESULT[$bin]:-false}" = true ] || status=1
  log "$bin: $([ "${RESULT[$bin]:-false}" = true ] && echo passed || echo FAILED)"
done
for bin in "${BINS[@]}"; do
  summary "$bin"
done
exit "$status"
