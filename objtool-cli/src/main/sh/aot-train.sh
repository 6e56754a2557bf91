#!/usr/bin/env bash
# Makes objtool-cli/target/objtool.aot, the JDK 25 AOT cache bin/objtool uses to start faster:
# one training run of `--orc --link --module` on objects compiled with gcc from src/main/aot/*.c
# and, when the corpus is present, on a module of it. Run by Maven at
# package time; never fails the build: without gcc or corpus, or on any error, it says why
# and leaves no cache (bin/objtool then starts without one).
#   aot-train.sh TARGET_DIR
set -u
target=${1:?usage: aot-train.sh TARGET_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$target/aot-train
rm -rf "$work" "$target/objtool.aot"
mkdir -p "$work"

# gcc-compiled training objects (one with a warning), plus a real module when the corpus has one
objs=()
CFLAGS="-O2 -mcmodel=kernel -mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-avx -fno-pic
  -fno-asynchronous-unwind-tables -fno-jump-tables -fcf-protection=branch
  -mindirect-branch=thunk-extern -mindirect-branch-register -mfunction-return=thunk-extern
  -fno-stack-protector -fomit-frame-pointer -fno-strict-aliasing -fno-common -ffunction-sections"
if command -v gcc >/dev/null 2>&1; then
  for c in train train-warn; do
    # shellcheck disable=SC2086
    gcc -c $CFLAGS "$here/../aot/$c.c" -o "$work/$c.o" 2>>"$work/gcc.log" && objs+=("$work/$c.o")
  done
fi
corpus=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}/6.12/stripped/net/key/af_key.ko
if [ -f "$corpus" ]; then
  cp "$corpus" "$work/af_key.ko" && objs+=("$work/af_key.ko")
fi
if [ ${#objs[@]} -eq 0 ]; then
  echo "aot-train: no gcc and no corpus: no AOT cache (bin/objtool starts without one)"
  exit 0
fi

# One JVM over all of them (the batch entry, one worker): the same class path and JVM options
# as bin/objtool, so the cache fits single runs.
if OBJTOOL_AOT_TRAIN=$work/objtool.aot OBJTOOL_JVM_MAIN=io.objtool.cli.BatchMain "$root/bin/objtool" \
     --jobs 1 --progress never -- --orc --link --module -- "${objs[@]}" >"$work/train.log" 2>&1 &&
   [ -s "$work/objtool.aot" ]; then
  mv "$work/objtool.aot" "$target/objtool.aot"
  echo "aot-train: wrote $target/objtool.aot ($(( $(stat -c %s "$target/objtool.aot") / 1048576 )) MiB, trained on ${#objs[@]} objects)"
else
  echo "aot-train: training failed (see $work/train.log): no AOT cache"
fi
exit 0
