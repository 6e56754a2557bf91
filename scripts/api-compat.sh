#!/usr/bin/env bash
# Binary compatibility of the exported API against a baseline commit.
#
#   scripts/api-compat.sh [REF]      # REF: a tag or commit (default: the tag api-baseline, else main)
#
# Builds the jars of the modules with exported packages (objtool-elf, objtool-api, objtool-check,
# objtool-orc) at REF in a scratch directory (git archive; nothing is installed), then builds this
# tree with the api-compat profile: japicmp compares each module's jar with the baseline's and fails
# the build (exit status non-zero, "There is at least one incompatibility") on a binary- or
# source-incompatible change of an exported type. A release makes its tag the next baseline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ref=${1:-}
if [ -z "$ref" ]; then
  if git rev-parse -q --verify refs/tags/api-baseline >/dev/null; then ref=api-baseline; else ref=main; fi
fi
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git archive "$ref" | tar -x -C "$scratch"
base=$root/target/api-baseline
rm -rf "$base" && mkdir -p "$base"
(cd "$scratch" && mvn -q -B -ntp package -DskipTests -Dobjtool.aot.skip=true \
  -pl objtool-elf,objtool-api,objtool-check,objtool-orc -am) >&2
for m in objtool-elf objtool-api objtool-check objtool-orc; do
  cp "$scratch/$m/target/$m-"*[0-9T].jar "$base/$m.jar"
done
echo "api-compat: baseline $ref ($(git rev-parse --short "$ref")) in $base" >&2
mvn -q -B -ntp verify -DskipTests -Dobjtool.aot.skip=true -Dapi.baseline="$base" \
  -pl objtool-elf,objtool-api,objtool-check,objtool-orc -am
echo "api-compat: no incompatible change of the exported API since $ref" >&2
