#!/usr/bin/env bash
# The project's test command (README, and .ci/run calls it):
#  1. installs what the tests need from Debian (gcc, binutils, xz, libcapstone4) when missing;
#  2. builds and runs every module's unit tests (mvn verify);
#  3. fetches the reference objtool and the module corpus (scripts/corpus.sh; cached);
#  4. the ELF layer's corpus checks (scripts/elf-roundtrip.sh), and bin/objtool run the way a
#     kernel build runs it (scripts/kbuild-test.sh);
#  5. the parity harness on a sample of the corpus (the ORC flags and the validation-pass
#     flags), failing below the checked-in baseline.
#   scripts/test.sh [--quick]     --quick: steps 1-2 only
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
[ -x "$JAVA_HOME/bin/java" ] || { echo "test.sh: JDK 25 not found; set JAVA_HOME" >&2; exit 1; }

need=()
for pair in gcc:gcc objdump:binutils xz:xz-utils python3:python3; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
ldconfig -p 2>/dev/null | grep -q 'libcapstone\.so' || need+=(libcapstone4)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

mvn -B -ntp verify
[ "${1:-}" = "--quick" ] && exit 0

bash scripts/corpus.sh --with-6.1-modules >/dev/null
bash scripts/elf-roundtrip.sh
bash scripts/kbuild-test.sh
python3 scripts/parity.py --sample 300 --baseline scripts/parity-baseline.txt
python3 scripts/parity.py --sample 300 --baseline scripts/parity-baseline.txt \
  --flags "--stackval --uaccess --noinstr --link --module"
# the module build's full flag set (every action), on modules without the sections they write
python3 scripts/parity.py --sample 300 --baseline scripts/parity-baseline.txt \
  --flags "--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16 --link --module" \
  --dir "${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}/6.12/annot-stripped"
# objtool 6.1 and its older ORC format, on Debian's 6.1 modules
OBJTOOL_ORC_FORMAT=6.1 python3 scripts/parity.py --sample 300 --baseline scripts/parity-baseline.txt \
  --ref "${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}/ref/objtool-6.1" \
  --dir "${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}/6.1/stripped"
