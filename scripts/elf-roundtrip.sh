#!/usr/bin/env bash
# Proves the ELF layer on the module corpus (scripts/corpus.sh prepares it):
#  1. read + unmodified write of every module is byte-identical;
#  2. the ORC sections of every shipped module, written by our writer into the stripped module,
#     give the same reference `--dump=orc` text as the shipped module, and `ld -r` accepts the file.
#   scripts/elf-roundtrip.sh [--sample N]
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}
C=$CACHE/6.12
REF=$CACHE/ref/objtool-6.12
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -e "$C/.done" ] || bash scripts/corpus.sh >/dev/null
[ -d objtool-elf/target/test-classes ] || { echo "elf-roundtrip.sh: build first (mvn -pl objtool-elf test-compile)" >&2; exit 1; }
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
LIST=$WORK/list.txt
if [ "${1:-}" = "--sample" ]; then
  awk -v n="$2" -v total="$(wc -l < "$C/list.txt")" 'BEGIN{step=total/n} NR==int(k*step)+1 && k<n {print; k++}' "$C/list.txt" > "$LIST"
else
  cp "$C/list.txt" "$LIST"
fi
CP=objtool-elf/target/classes:objtool-elf/target/test-classes
sed "s|^|$C/orig/|" "$LIST" > "$WORK/paths.txt"
"$JAVA_HOME/bin/java" -cp "$CP" io.objtool.elf.CorpusRoundTrip identity "$WORK/id" $(cat "$WORK/paths.txt") | tail -n 20
"$JAVA_HOME/bin/java" -cp "$CP" io.objtool.elf.CorpusRoundTrip re-add-orc "$WORK/out" "$C/orig" "$C/stripped" "$LIST" > "$WORK/readd.txt"
grep -v '^NOORC' "$WORK/readd.txt" | tail -n 20
grep '^NOORC' "$WORK/readd.txt" | sed 's/^NOORC //' > "$WORK/noorc.txt" || true
grep -vxF -f "$WORK/noorc.txt" "$LIST" > "$WORK/withorc.txt" || true
export REF C WORK
xargs -P "$(nproc)" -n 50 sh -c '
  for rel in "$@"; do
    if "$REF" --dump=orc "$C/orig/$rel" > "$WORK/a.$$" 2>&1 && "$REF" --dump=orc "$WORK/out/$rel" > "$WORK/b.$$" 2>&1 && cmp -s "$WORK/a.$$" "$WORK/b.$$"; then
      echo "dump-ok $rel"
    else
      echo "dump-diff $rel"
    fi
    if ld -r -o "$WORK/ld.$$.o" "$WORK/out/$rel" 2>/dev/null; then echo "ld-ok $rel"; else echo "ld-fail $rel"; fi
  done' sh < "$WORK/withorc.txt" > "$WORK/check.txt"
n=$(wc -l < "$WORK/withorc.txt")
grep -E '^(dump-diff|ld-fail)' "$WORK/check.txt" | head -n 20 || true
echo "elf re-add-orc dump: $(grep -c '^dump-ok' "$WORK/check.txt")/$n identical (reference --dump=orc of ours vs of the shipped module)"
echo "elf re-add-orc ld -r: $(grep -c '^ld-ok' "$WORK/check.txt")/$n accepted"
