#!/usr/bin/env bash
# Binary compatibility of the exported API against a baseline commit.
#
#   scripts/api-compat.sh [REF]      # REF: a tag or commit (default: scripts/api-baseline.txt)
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
  ref=$(grep -v '^#' scripts/api-baseline.txt | head -n 1)
fi
git rev-parse -q --verify "$ref^{commit}" >/dev/null || { echo "api-compat: no commit $ref in this clone" >&2; exit 1; }
major() { sed -n 's|^  <version>\([0-9]*\)\..*</version>|\1|p' | head -n 1; }
old_major=$(git show "$ref:pom.xml" | major)
new_major=$(major < pom.xml)
if [ "$new_major" != "$old_major" ]; then
  echo "api-compat: major version $old_major -> $new_major since $ref: incompatible changes are allowed" >&2
  exit 0
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
