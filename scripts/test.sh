#!/usr/bin/env bash
# The project's test command (README, and .ci/run calls it). On a fresh machine it:
#  1. installs what the tests need from Debian when missing (gcc, binutils, gdb, xz-utils,
#     the aarch64 cross gcc and binutils, clang-14 (the arm64 DWARF cross-check's second
#     compiler), gdb-multiarch and qemu-user-static (the arm64 live
#     stacks), python3, libcapstone4, gawk, which the reference's --verbose runs, and graphviz
#     and chromium, with which --explain's pages are laid out and then rendered in a headless
#     browser);
#  2. fetches the reference objtool binaries and the module corpora, Debian's arm64 modules
#     included (scripts/corpus.sh; cached);
#  3. builds and runs every module's tests (mvn verify) with -Dobjtool.requireOracles=true:
#     a test that compares with an oracle (the reference objtool, the corpus, gdb, objdump,
#     capstone) fails when the oracle is missing instead of skipping; then requires 0 skipped
#     tests in every module's Surefire summary;
#  4. the ELF layer's corpus checks (scripts/elf-roundtrip.sh), and bin/objtool run the way a
#     kernel build runs it (scripts/kbuild-test.sh);
#  5. coverage-guided fuzzing of every target for 60 s each, with a fixed libFuzzer seed
#     (scripts/fuzz.sh --seed 20261201 --all 60, so a finding reproduces with that seed): any
#     finding fails the run;
#  6. the parity harness on the whole corpora: the three 6.12 flag sets (4,230 modules each) and
#     objtool 6.1 with its ORC format (4,023 modules), failing below scripts/parity-baseline.txt;
#  7. prints one line per oracle-backed check with what it compared (and one per fuzz target:
#     executions, edges, findings), and each stage's time.
#
#   scripts/test.sh            all of the above
#   scripts/test.sh --quick    steps 1 and 3 only, without fetching: an oracle that is missing
#                              skips its tests, and the skipped tests are listed by name
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -x "$JAVA_HOME/bin/java" ] || { echo "test.sh: JDK 25 not found; set JAVA_HOME" >&2; exit 1; }

CACHE=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}
ORACLES=$root/target/oracles
stages=()
stage_start=$SECONDS
stage() { # ends the running stage, named $1
  stages+=("$(printf '%-34s %5ds' "$1" $((SECONDS - stage_start)))")
  stage_start=$SECONDS
}
report() {
  echo
  echo "== oracle checks (what was compared with a real tool), fuzz targets (scripts/fuzz.sh)"
  if compgen -G "$ORACLES/*.txt" >/dev/null; then cat "$ORACLES"/*.txt | sort; else echo "(none ran)"; fi
  echo "== stage times"
  printf '%s\n' "${stages[@]}"
  printf '%-34s %5ds\n' "total" "$SECONDS"
}

# 1. tools from Debian
need=()
for pair in gcc:gcc objdump:binutils as:binutils ld:binutils xz:xz-utils python3:python3 gdb:gdb gawk:gawk gdb-multiarch:gdb-multiarch qemu-aarch64-static:qemu-user-static \
    aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu aarch64-linux-gnu-objdump:binutils-aarch64-linux-gnu \
    aarch64-linux-gnu-as:binutils-aarch64-linux-gnu clang-14:clang-14 dot:graphviz chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
ldconfig -p 2>/dev/null | grep -q 'libcapstone\.so\.4' || need+=(libcapstone4)
if [ ${#need[@]} -gt 0 ]; then
  need=($(printf '%s\n' "${need[@]}" | sort -u))
  echo "test.sh: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    [ $quick = 1 ] || { echo "test.sh: could not install ${need[*]} (needed by the oracle tests)" >&2; exit 1; }
    echo "test.sh: could not install ${need[*]}; their tests will skip (--quick)" >&2
  fi
fi
stage "install tools"

# 2. the reference and the corpora
rm -rf "$ORACLES"
if [ $quick = 0 ]; then
  if ! bash scripts/corpus.sh --with-6.1-modules --with-arm64-modules >"$root/target.corpus.log" 2>&1; then
    tail -n 20 "$root/target.corpus.log" >&2
    echo "test.sh: could not fetch the reference objtool and the module corpus (scripts/corpus.sh);" \
      "the oracle tests cannot run without them" >&2
    rm -f "$root/target.corpus.log"
    exit 1
  fi
  rm -f "$root/target.corpus.log"
  for f in ref/objtool-6.12 ref/objtool-6.1; do
    [ -x "$CACHE/$f" ] || { echo "test.sh: missing $CACHE/$f after scripts/corpus.sh" >&2; exit 1; }
  done
  stage "fetch reference and corpus"
fi

# 3. unit and oracle tests
require=true; [ $quick = 1 ] && require=false
mvn -B -ntp verify -Dobjtool.requireOracles=$require
# binary compatibility of the exported API with the baseline (scripts/api-baseline.txt)
bash scripts/api-compat.sh
stage "mvn verify"
python3 scripts/surefire-summary.py $([ $quick = 0 ] && echo --no-skips) .
if [ $quick = 1 ]; then report; exit 0; fi

# 4. corpus checks of the ELF layer, and a kernel build's use of bin/objtool
bash scripts/elf-roundtrip.sh | tee "$root/target/elf-roundtrip.txt"
grep -E '^elf ' "$root/target/elf-roundtrip.txt" | sed 's/^elf /oracle elf-/' > "$ORACLES/elf-roundtrip.txt" || true
stage "ELF round trip (corpus)"
bash scripts/kbuild-test.sh | tee "$root/target/kbuild-test.txt"
grep -E 'checks passed' "$root/target/kbuild-test.txt" | sed 's/^kbuild-test: /oracle kbuild-test: /' > "$ORACLES/kbuild-test.txt" || true
stage "kbuild test"

# 5. coverage-guided fuzzing: every target for a bounded time, seeded from the fixtures and corpus,
#    with a fixed seed: the same input sequence as `scripts/fuzz.sh --seed 20261201 TARGET 60` here
FUZZ_SEED=20261201
bash scripts/fuzz.sh --seed "$FUZZ_SEED" --all 60 | tee "$root/target/fuzz.txt"
grep -E '^fuzz [a-z0-9]+: ' "$root/target/fuzz.txt" > "$ORACLES/fuzz.txt" || true
stage "fuzz (60 s per target)"

# 6. parity with the reference on the whole corpora
parity() { # $1 = stage name, the rest: parity.py arguments
  local name=$1; shift
  local log=$root/target/parity-${#stages[@]}.txt
  python3 scripts/parity.py --baseline scripts/parity-baseline.txt "$@" | tee "$log"
  local st=${PIPESTATUS[0]}
  printf 'oracle parity %s: %s\n' "$name" \
    "$(grep -E '^parity [a-z-]+: ' "$log" | sed 's/^parity //; s/ identical$//' | paste -sd, - | sed 's/,/, /g') identical" \
    > "$ORACLES/parity-${#stages[@]}.txt"
  stage "parity $name"
  return "$st"
}
parity "6.12 --orc --link --module" --flags "--orc --link --module"
parity "6.12 --stackval --uaccess --noinstr" --flags "--stackval --uaccess --noinstr --link --module"
parity "6.12 module-build flags (annot-stripped)" \
  --flags "--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16 --link --module" \
  --dir "$CACHE/6.12/annot-stripped"
OBJTOOL_ORC_FORMAT=6.1 parity "6.1 (OBJTOOL_ORC_FORMAT=6.1) --orc --link --module" \
  --ref "$CACHE/ref/objtool-6.1" --dir "$CACHE/6.1/stripped"

report
