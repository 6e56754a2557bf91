#!/usr/bin/env bash
# Whole-corpus parity of the x86 decoder:
#   objdump: instruction lengths and direct-branch targets, decoding linearly from every function
#            symbol (plus every other objdump instruction start) of every executable section;
#   capstone: control-flow class (jump/call/ret/iret/int) of the same instructions (needs the
#            Debian package libcapstone4).
# Usage: scripts/x86-parity.sh [objdump|capstone|all] [corpus-dir]   (2 threads)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
corpus=${2:-$HOME/.cache/objtool-corpus/6.12/orig}
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
mvn -q -o -pl objtool-api,objtool-x86 install -DskipTests
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -q -o -pl objtool-x86 dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
CP="objtool-x86/target/test-classes:objtool-x86/target/classes:$(cat "$cp_file")"
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP")
rc=0
if [[ $what == objdump || $what == all ]]; then
  "${java[@]}" io.objtool.x86.ObjdumpParity --threads 2 "$corpus" || rc=1
fi
if [[ $what == capstone || $what == all ]]; then
  "${java[@]}" io.objtool.x86.CapstoneParity "$corpus" || rc=1
fi
exit $rc
