#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer (libFuzzer for the JVM).
#
#   scripts/fuzz.sh [--seed N] TARGET SECONDS   fuzz one target for SECONDS
#   scripts/fuzz.sh [--seed N] --all SECONDS    fuzz every target in turn, SECONDS each
#   scripts/fuzz.sh --list                      the targets
#
# --seed N is libFuzzer's -seed=N (N > 0): the run's random choices are N's, so a run of SECONDS
# explores the first part of the input sequence a longer run with the same seed explores, from
# the same seeds and Inputs directories (the corpus kept in target/fuzz/TARGET/corpus is moved
# aside for the run: it would change the sequence). CI (scripts/test.sh) fuzzes with a fixed
# seed, so a finding there reproduces locally: `scripts/fuzz.sh --seed N TARGET SECONDS` with
# CI's N and at least CI's SECONDS (a time-bounded run reaches as far as the machine's speed
# allows: a finding after S seconds in CI needs about S seconds here, more on a slower machine).
# Without --seed each run takes a random seed (libFuzzer prints it: "INFO: Seed: N") and starts
# from the corpus kept so far: campaigns.
#
# Targets (each a @FuzzTest class beside the code it fuzzes; `mvn verify` runs the inputs kept in
# its module's src/test/resources/<package>/<Class>Inputs/<method>/ in regression mode):
#   elf     the ELF reader: open, then read every section, symbol, relocation, group, string
#   x86     the x86-64 decoder on 1-15 bytes: fast path, general decoder and length pass agree
#   check   the whole command line, every action on, on mutated objects (and --dump=orc after)
#   orc     --dump=orc and the ORC table loader, with the fast lookup checked against the table
#   unwind  the ORC unwinder over a hostile table and hostile stack memory
#   server  the objtool server's wire protocol (requests and reply frames)
#   arm64   the AArch64 decoder on byte runs at every offset: never throws, 4 bytes or truncated,
#           branch targets, types and stack ops as the word's encoding says
#   dwarf   the DWARF readers on mutated objects: .eh_frame/.debug_frame (CIEs, FDEs, every CFA
#           program and expression run) and .debug_line (the line of code offsets)
#   dwarfraw  the same readers on raw frame and line section bytes in a generated object
#
# Seeds are made at run time (no binaries in git): the fixtures compiled with gcc, eight corpus
# modules under 12 KB (~/.cache/objtool-corpus, when present), and for `orc` those objects with
# ORC written by this build; for `dwarf` the fixture dwarf/frames.c compiled with -g and unwind
# tables under five gcc flag sets (and the aarch64 cross gcc's, when installed), for `dwarfraw`
# their frame and line sections, for `arm64` the words of the decoder's tests. The corpus grows in target/fuzz/TARGET/corpus and is kept between
# runs; a finding (crash-*, timeout-*, oom-*) is written to target/fuzz/TARGET/ and makes the exit
# status 1: copy it into the target's Inputs directory once fixed, so the test suite replays it.
#
# Each target runs in a JVM of its own, niced, with a 1 GiB heap (an input that makes the tool
# allocate more is an out-of-memory finding) and a 30 s limit per input (a timeout finding; the
# first inputs also pay for loading and instrumenting the classes).
# Prints one line per target:  fuzz TARGET: N executions, E edges, F findings (S s)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
CACHE=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}
OUT=$root/target/fuzz

targets="elf x86 check orc unwind server arm64 dwarf dwarfraw"
module_of() {
  case $1 in
    elf|dwarf|dwarfraw) echo objtool-elf ;; x86) echo objtool-x86 ;; orc|unwind) echo objtool-orc ;;
    check|server) echo objtool-cli ;; arm64) echo objtool-arm64 ;; *) return 1 ;;
  esac
}
class_of() {
  case $1 in
    elf) echo io.objtool.elf.ElfReaderFuzzTest ;; x86) echo io.objtool.x86.DecoderFuzzTest ;;
    check) echo io.objtool.cli.CheckFuzzTest ;; orc) echo io.objtool.orc.OrcDumpFuzzTest ;;
    unwind) echo io.objtool.orc.unwind.UnwinderFuzzTest ;; server) echo io.objtool.cli.ServerProtocolFuzzTest ;;
    arm64) echo io.objtool.arm64.Arm64DecoderFuzzTest ;; dwarf) echo io.objtool.elf.dwarf.DwarfFuzzTest ;;
    dwarfraw) echo io.objtool.elf.dwarf.DwarfSectionsFuzzTest ;;
  esac
}
method_of() {
  case $1 in
    elf) echo elf ;; x86) echo decode ;; check) echo check ;; orc) echo dump ;; unwind) echo unwind ;; server) echo request ;;
    arm64) echo decode ;; dwarf) echo dwarf ;; dwarfraw) echo sections ;;
  esac
}

usage() { echo "usage: scripts/fuzz.sh [--seed N] TARGET SECONDS | [--seed N] --all SECONDS | --list   (targets: $targets)" >&2; exit 2; }
seed=
if [ "${1:-}" = --seed ]; then
  [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || usage
  seed=$2
  shift 2
fi
[ $# -ge 1 ] || usage
case $1 in
  --list) printf '%s\n' $targets; exit 0 ;;
  --all) [ $# -eq 2 ] || usage; run_targets=$targets ;;
  *) [ $# -eq 2 ] || usage; module_of "$1" >/dev/null || usage; run_targets=$1 ;;
esac
seconds=$2
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

# build once: every module's classes and test classes, and each module's test class path (the
# project's own modules as their target/classes, resolved in the reactor: nothing from ~/.m2)
mkdir -p "$OUT"
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  nice -n 10 mvn -o -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/fuzz-classpath.txt >"$OUT/build.log" 2>&1 \
    || { tail -n 30 "$OUT/build.log" >&2; echo "fuzz.sh: build failed" >&2; exit 1; }
fi

classpath() {
  local m=$1 cpf=$root/$1/target/fuzz-classpath.txt
  [ -s "$cpf" ] || { echo "fuzz.sh: no class path for $m in $cpf (run without FUZZ_NO_BUILD)" >&2; exit 1; }
  echo "$root/$m/target/test-classes:$root/$m/target/classes:$(cat "$cpf")"
}

# seeds, made once per run into target/fuzz/seeds/{elf,orc,x86,server}
make_seeds() {
  local s=$OUT/seeds f
  rm -rf "$s"
  mkdir -p "$s/elf" "$s/orc" "$s/x86" "$s/server" "$s/arm64" "$s/dwarf" "$s/dwarfraw"
  for f in objtool-elf/src/test/resources/fixtures/*.c objtool-elf/src/test/resources/fixtures/*.s \
           objtool-check/src/test/resources/fixtures/*.s; do
    [ -f "$f" ] || continue
    gcc -c -O2 -fno-asynchronous-unwind-tables "$f" -o "$s/elf/$(basename "${f%.*}").o" 2>/dev/null || true
  done
  if [ -d "$CACHE/6.12/stripped" ]; then
    # (no `| head` here: with pipefail, sort killed by SIGPIPE after head's 8th entry would end
    # the script with status 141, depending on timing)
    local small=()
    mapfile -d '' -t small < <(find "$CACHE/6.12/stripped" -name '*.ko' -size -12k -print0 | sort -z)
    for f in "${small[@]:0:8}"; do cp "$f" "$s/elf/$(basename "$f")"; done
  fi
  # objects with ORC, written by this build
  local cp
  cp=$(classpath objtool-cli)
  cp "$s"/elf/* "$s/orc/"
  nice -n 10 "$JAVA_HOME/bin/java" -cp "$cp" io.objtool.cli.BatchMain --jobs 1 --no-summary --progress never \
    -- --orc --link --module -- "$s/orc" >/dev/null 2>&1 || true
  # x86: common function shapes
  printf '\x55\x48\x89\xe5\x00' >"$s/x86/push-mov"
  printf '\x48\x83\xec\x28\x01' >"$s/x86/sub-rsp"
  printf '\xe8\x00\x00\x00\x00\x01' >"$s/x86/call"
  printf '\xff\x24\xc5\x00\x00\x00\x00\x01' >"$s/x86/jmp-table"
  printf '\xc4\xe2\x79\x18\x05\x00\x00\x00\x00\x01' >"$s/x86/vex"
  printf '\x62\xf1\x7c\x48\x10\x05\x00\x00\x00\x00\x01' >"$s/x86/evex"
  printf '\x66\x0f\x1f\x84\x00\x00\x00\x00\x00\x01' >"$s/x86/nopw"
  # arm64: the words of the decoder's tests; dwarf: frames.c with -g and unwind tables, and its sections
  nice -n 10 "$JAVA_HOME/bin/java" -cp "$(classpath objtool-arm64)" io.objtool.arm64.Arm64DecoderFuzzTest "$s/arm64" \
    || { echo "fuzz.sh: the arm64 seeds were not made" >&2; exit 1; }
  nice -n 10 "$JAVA_HOME/bin/java" -cp "$(classpath objtool-elf)" io.objtool.elf.dwarf.DwarfFuzzing "$s/dwarf" "$s/dwarfraw" \
    || { echo "fuzz.sh: the dwarf seeds were not made" >&2; exit 1; }
  # server: a well-formed request (--help in /)
  python3 - "$s/server/help" <<'EOF'
import struct, sys
body = b"".join(x + b"\0" for x in [b"key", b"/", b"1", b"--help", b"PATH=/bin"])
open(sys.argv[1], "wb").write(b"OBJTOOL1" + struct.pack("<ii", 0, len(body)) + body)
EOF
}
make_seeds

total_findings=0
for t in $run_targets; do
  m=$(module_of "$t")
  cls=$(class_of "$t")
  inputs=$root/$m/src/test/resources/$(tr . / <<<"$cls")Inputs/$(method_of "$t")
  work=$OUT/$t
  mkdir -p "$work/corpus" "$inputs"
  seeds=()
  case $t in
    elf|check) seeds=("$OUT/seeds/elf") ;;
    orc) seeds=("$OUT/seeds/orc") ;;
    x86) seeds=("$OUT/seeds/x86") ;;
    server) seeds=("$OUT/seeds/server") ;;
    arm64) seeds=("$OUT/seeds/arm64") ;;
    dwarf) seeds=("$OUT/seeds/dwarf") ;;
    dwarfraw) seeds=("$OUT/seeds/dwarfraw") ;;
  esac
  # with --seed: the same input sequence every time, so the corpus kept by earlier runs is set aside
  seedopt=()
  corpus=$work/corpus
  if [ -n "$seed" ]; then
    seedopt=(-seed="$seed")
    corpus=$work/corpus-seed
    rm -rf "$corpus"
    mkdir -p "$corpus"
  fi
  # findings: crashes, timeouts (30 s) and out-of-memory; libFuzzer's slow-unit-* notes are not
  before=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  log=$work/fuzz.log
  start=$SECONDS
  cp=$(classpath "$m")
  # libFuzzer's exit status is non-zero on a finding; the findings are counted from the files
  (cd "$work" && nice -n 10 "$JAVA_HOME/bin/java" -Xmx1g -Xss8m -XX:+UseSerialGC -XX:-OmitStackTraceInFastThrow \
      --enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -cp "$cp" \
      com.code_intelligence.jazzer.Jazzer --target_class="$cls" \
      --instrumentation_includes='io.objtool.**' --keep_going=100 \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=262144 \
      -print_final_stats=1 -artifact_prefix="$work/" "${seedopt[@]}" \
      "$corpus" "${seeds[@]}" "$inputs") >"$log" 2>&1 || true
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  edges=$(grep -oE ' cov: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
  after=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  found=$((after - before))
  if [ -z "$runs" ]; then
    tail -n 30 "$log" >&2
    echo "fuzz.sh: $t did not run (log: $log)" >&2
    found=$((found + 1))
    runs=0
  fi
  total_findings=$((total_findings + found))
  printf 'fuzz %s: %s executions, %s edges, %s findings (%ss%s)\n' "$t" "$runs" "${edges:-0}" "$found" $((SECONDS - start)) \
    "${seed:+, seed $seed}"
  if [ "$found" -gt 0 ]; then
    grep -E '^== Java Exception|^(java|io)\.[a-zA-Z.]+(Error|Exception)|Test unit written' "$log" | head -n 20 >&2 || true
  fi
done
[ "$total_findings" -eq 0 ]
