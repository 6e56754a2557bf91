#!/usr/bin/env bash
# The main job on the bundled example: build the project, compile examples/example.c with a
# 6.12 kernel module's code-generation flags, and run bin/objtool on it as a module link does.
#   scripts/example.sh [OBJTOOL ARGS...]     (default: --orc --link --module)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
if [ ! -e objtool-cli/target/lib ] || [ -n "$(find objtool-*/src pom.xml objtool-*/pom.xml -newer objtool-cli/target/lib -print -quit 2>/dev/null)" ]; then
  mvn -q -B package -DskipTests
fi
out=${TMPDIR:-/tmp}/objtool-example
mkdir -p "$out"
# code generation as in a 6.12 x86-64 defconfig module build
gcc -c -O2 -mcmodel=kernel -mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx \
    -fno-pic -fno-asynchronous-unwind-tables -fno-jump-tables -fcf-protection=branch \
    -mindirect-branch=thunk-extern -mindirect-branch-register -mfunction-return=thunk-extern \
    -fno-stack-protector -fomit-frame-pointer \
    -fno-strict-aliasing -fno-common -fno-delete-null-pointer-checks -ffunction-sections \
    examples/example.c -o "$out/example.o"
[ $# -gt 0 ] || set -- --orc --link --module
echo "+ bin/objtool $* $out/example.o"
set +e
bin/objtool "$@" "$out/example.o"
rc=$?
set -e
echo "exit code: $rc"
if [ $rc -eq 0 ] && command -v readelf >/dev/null; then
  readelf -SW "$out/example.o" | grep -E 'orc|Name' || true
  if [ -n "$(readelf -SW "$out/example.o" | grep -F .orc_unwind)" ]; then
    echo "+ bin/objtool --dump=orc $out/example.o | head"
    # (to a file first: with pipefail, a dump cut short by head would fail the script)
    bin/objtool --dump=orc "$out/example.o" >"$out/example.orc.txt"
    head -n 12 "$out/example.orc.txt"
  fi
fi
exit $rc
