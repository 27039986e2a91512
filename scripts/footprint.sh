#!/usr/bin/env bash
# Flash and RAM footprint of the whole blocking client on a Cortex-M4F.
#
# Builds two firmware binaries for thumbv7em-none-eabihf in release (opt-level
# "z", LTO, one codegen unit, panic = "abort"; see firmware/Cargo.toml):
#   footprint  every operation of ml302::blocking::Client<Uart, Clock, 512, 1024, 1, 2>
#              (512-byte topic, 1 KiB message buffers, inbox depth 1, two
#              subscriptions) over the UART0 interrupt ring and SysTick;
#   baseline   the same board code (UART ring, SysTick, semihosting exit) without
#              the driver;
# and prints, as Markdown: the ELF sections of both, their difference (the
# client's own cost) next to the goal (atat 0.25's stock stack for five derived
# commands and a three-variant URC enum), the client's RAM by field, its .text
# by source file (each instruction is charged to the innermost frame of its
# inline chain that is in this repository, else to the library it comes from),
# and the largest symbols. The last line is a JSON object with the totals.
#
# Usage: scripts/footprint.sh [--small] [--write]
#   --small  builds the driver without its digester fast paths (cargo feature
#            `fast-digest` off): the reference machine alone frames every byte;
#   --write  also refreshes the generated part of firmware/FOOTPRINT.md (the
#            default build only). Needs the rustup target thumbv7em-none-eabihf
# and binutils-arm-none-eabi (arm-none-eabi-size, -nm, -objdump, -addr2line).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FW_DIR=$ROOT/firmware
TARGET=thumbv7em-none-eabihf
GOAL_TEXT=19884
GOAL_RODATA=512
GOAL_BSS=4824
WRITE=false
SMALL=false
for arg in "$@"; do
  case $arg in
    --write) WRITE=true ;;
    --small) SMALL=true ;;
    *) echo "usage: scripts/footprint.sh [--small] [--write]" >&2; exit 2 ;;
  esac
done
FEATURES=()
if $SMALL; then
  FEATURES=(--no-default-features)
  WRITE=false
fi

for tool in arm-none-eabi-size arm-none-eabi-nm arm-none-eabi-objdump arm-none-eabi-addr2line; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "footprint: $tool not found (apt-get install binutils-arm-none-eabi)" >&2; exit 2; }
done
if command -v rustup >/dev/null 2>&1; then
  installed_targets=$(rustup target list --installed 2>/dev/null || true)
  grep -qx "$TARGET" <<<"$installed_targets" ||
    { echo "footprint: rust target $TARGET missing (rustup target add $TARGET)" >&2; exit 2; }
fi

# The small build goes to its own target directory, so that the two builds do
# not overwrite each other's binaries.
if $SMALL; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$FW_DIR/target}/small
fi
(cd "$FW_DIR" && cargo build --release --target "$TARGET" "${FEATURES[@]}" --bin footprint --bin baseline) >&2
OUT=$(cd "$FW_DIR" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
OUT=${OUT:-$FW_DIR/target}/$TARGET/release
ELF=$OUT/footprint
BASE=$OUT/baseline

section() { # elf name -> size in bytes (0 if absent)
  arm-none-eabi-size -A "$1" | awk -v s="$2" '$1==s{v=$2} END{print v+0}'
}
sym() { # elf symbol -> its size (demangled name, exact match)
  arm-none-eabi-nm -C -S -t d "$1" |
    awk -v s="$2" '{ n = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", n) } !found && n == s { print $2 + 0; found = 1 }'
}

WORK=$(mktemp -d -t ml302-footprint.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

report() {
  local name fp base delta goal diff
  echo "Target $TARGET, opt-level \"z\", LTO, codegen-units 1, panic = \"abort\";"
  echo "\`Client<_, _, 512, 1024, 1, 2>\` (topic 512 B, message 1 KiB, inbox 1, subscriptions 2)."
  echo
  echo "| section | footprint (whole binary) | baseline (board only) | client = difference | goal (atat 0.25) | client − goal |"
  echo "|---|---:|---:|---:|---:|---:|"
  for name in .vector_table .text .rodata .data .bss; do
    fp=$(section "$ELF" "$name")
    base=$(section "$BASE" "$name")
    delta=$((fp - base))
    case $name in
      .text) goal=$GOAL_TEXT ;;
      .rodata) goal=$GOAL_RODATA ;;
      .bss) goal=$GOAL_BSS ;;
      *) goal= ;;
    esac
    if [ -n "$goal" ]; then diff=$((delta - goal)); printf -v diff '%+d' "$diff"; else goal="–"; diff="–"; fi
    echo "| \`$name\` | $fp | $base | $delta | $goal | $diff |"
  done
  echo
  local client ring
  client=$(sym "$ELF" "footprint::CLIENT")
  ring=$(sym "$ELF" "board::uart::RX")
  echo "RAM: the client (\`footprint::CLIENT\`, one static) is ${client:-?} B of \`.bss\`; the"
  echo "UART receive ring is ${ring:-?} B (board, in the baseline too). The stack is"
  echo "measured by the end-to-end run (\`stack_peak\` of \`scripts/firmware-e2e.sh\`)."
  echo
  echo "\`.text\` of the footprint binary by source file (inlined code charged to the"
  echo "innermost caller in this repository; \`[crate]\` = library code not inlined into it):"
  echo
  echo "| bytes | source |"
  echo "|---:|---|"
  arm-none-eabi-objdump -d --section=.text "$ELF" |
    awk '/^[ ]+[0-9a-f]+:\t/ { split($0, p, "\t"); a = p[1]; gsub(/[ :]/, "", a);
         raw = p[2]; gsub(/ /, "", raw); print a, length(raw) / 2 }' >"$WORK/ins"
  awk '{ print "0x" $1 }' "$WORK/ins" | arm-none-eabi-addr2line -a -i -e "$ELF" >"$WORK/a2l"
  awk -v root="$ROOT/" '
    function hexval(h,   v, i) { v = 0; h = tolower(h)
      for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
      return v }
    function own(f) { return index(f, root) == 1 }
    function flush(   i, pick, f, n, q, j) {
      if (addr == "") return
      pick = ""
      for (i = 1; i <= nf; i++) if (own(fr[i])) { pick = fr[i]; break }
      if (pick == "" && nf > 0) pick = fr[1]
      f = pick; sub(/:[0-9?]+( \(discriminator [0-9]+\))?$/, "", f)
      if (own(f)) f = "`" substr(f, length(root) + 1) "`"
      else if (f ~ /compiler-builtins/) f = "[compiler-builtins] (memcpy, memset, …)"
      else if (f ~ /\/rustc\//) f = "[core] (from_utf8, …)"
      else if (f ~ /registry/) {
        n = split(f, q, "/"); f = "[other]"
        for (j = 1; j <= n; j++) if (q[j] ~ /-[0-9]+\.[0-9]+\.[0-9]+$/) { f = "[" q[j] "]"; break }
      } else f = "[no line info]"
      bytes[f] += size[addr]; nf = 0
    }
    FNR == NR { size[hexval($1)] = $2; next }
    /^0x/ { flush(); addr = hexval(substr($0, 3)); next }
    { fr[++nf] = $0 }
    END { flush(); for (k in bytes) printf "%d\t%s\n", bytes[k], k }
  ' "$WORK/ins" "$WORK/a2l" | sort -rn | awk -F '\t' '{ printf "| %d | %s |\n", $1, $2; t += $1 }
    END { printf "| %d | **total** |\n", t }'
  echo
  echo "Largest symbols (\`nm --size-sort\`, after inlining):"
  echo
  echo "| bytes | kind | symbol |"
  echo "|---:|---|---|"
  arm-none-eabi-nm -C -S -t d --size-sort "$ELF" | sort -k2,2nr | awk 'NR <= 20' |
    awk '{ s = $2 + 0; k = $3; $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, "");
           gsub(/\|/, "\\|"); printf "| %d | %s | `%s` |\n", s, k, $0 }'
}

report | tee "$WORK/report.md"

if [ "$WRITE" = true ]; then
  md=$FW_DIR/FOOTPRINT.md
  begin='<!-- footprint.sh:begin -->'
  end='<!-- footprint.sh:end -->'
  if grep -qF "$begin" "$md" && grep -qF "$end" "$md"; then
    awk -v b="$begin" -v e="$end" -v r="$WORK/report.md" '
      $0 == b { print; while ((getline l < r) > 0) print l; skip = 1; next }
      $0 == e { skip = 0 }
      !skip { print }' "$md" >"$WORK/new.md"
    cp "$WORK/new.md" "$md"
    echo "footprint: refreshed $md" >&2
  else
    echo "footprint: $md has no $begin/$end markers; not written" >&2
  fi
fi

printf '{"target": "%s", "text": %d, "rodata": %d, "data": %d, "bss": %d, "client_text": %d, "client_rodata": %d, "client_bss": %d, "goal_text": %d, "goal_rodata": %d, "goal_bss": %d}\n' \
  "$TARGET" "$(section "$ELF" .text)" "$(section "$ELF" .rodata)" "$(section "$ELF" .data)" \
  "$(section "$ELF" .bss)" \
  "$(($(section "$ELF" .text) - $(section "$BASE" .text)))" \
  "$(($(section "$ELF" .rodata) - $(section "$BASE" .rodata)))" \
  "$(($(section "$ELF" .bss) - $(section "$BASE" .bss)))" \
  "$GOAL_TEXT" "$GOAL_RODATA" "$GOAL_BSS"
