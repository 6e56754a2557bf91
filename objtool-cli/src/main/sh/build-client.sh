#!/usr/bin/env bash
# Compiles the native client of the objtool server (src/main/c/objtool-client.c) into
# TARGET/objtool-client with the system C compiler ($CC, else cc, else gcc). Without a compiler
# it says so and succeeds: bin/objtool then always runs in-process. Never fails the build
# because of a missing compiler; a compiler that rejects the source does fail it.
set -u
target=$1
src=$(cd "$(dirname "$0")/../c" && pwd)/objtool-client.c
cc=
for c in "${CC:-}" cc gcc clang; do
  [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
done
if [ -z "$cc" ]; then
  echo "objtool-client: no C compiler found (cc, gcc, clang): bin/objtool will run in-process only"
  rm -f "$target/objtool-client"
  exit 0
fi
mkdir -p "$target"
# static when the C library allows it: no dynamic loader at each of the thousands of calls
if "$cc" -O2 -Wall -Wextra -static -o "$target/objtool-client.tmp" "$src" 2>/dev/null ||
   "$cc" -O2 -Wall -Wextra -o "$target/objtool-client.tmp" "$src"; then
  mv -f "$target/objtool-client.tmp" "$target/objtool-client"
else
  exit 1
fi
