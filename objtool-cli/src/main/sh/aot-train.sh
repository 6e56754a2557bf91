#!/usr/bin/env bash
# Makes objtool-cli/target/objtool.aot, the JDK 25 AOT cache bin/objtool uses to start faster:
# one training run of `--orc --link --module` on objects compiled with gcc from src/main/aot/*.c
# and, when the corpus is present, on a module of it; then objtool-server.aot, the objtool
# server's cache, from a server trained on the same objects. Run by Maven at package time (after
# the native client is built); never fails the build: without gcc or corpus, or on any error, it
# says why and leaves no cache (bin/objtool and the server then start without one).
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

# The server's cache (bin/objtool-server maps it): a server of this build, started with the
# server's JVM options, trained through the native client on the same objects, with the flags of
# a module link as Kbuild passes them and with the plain ones; the JVM writes the cache as the
# server stops. Needs the client (build-client.sh runs first).
rm -f "$target/objtool-server.aot"
client=$target/objtool-client
if [ ! -x "$client" ]; then
  echo "aot-train: no native client: no server AOT cache (the server starts without one)"
  exit 0
fi
sdir=$work/server
mkdir -m 700 "$sdir"
export OBJTOOL_SERVER_DIR=$sdir
if OBJTOOL_SERVER_AOT_TRAIN=$work/objtool-server.aot OBJTOOL_SERVER_IDLE=300 "$root/bin/objtool-server" start >"$work/server-train.log" 2>&1; then
  pid=$("$root/bin/objtool-server" status | sed -n 's/^pid //p')
  ok=1
  for flags in "--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16 --link --module" \
               "--orc --link --module"; do
    for o in "${objs[@]}"; do
      cp "$o" "$work/server-input.o"
      # shellcheck disable=SC2086
      OBJTOOL_SERVER=require "$client" $flags "$work/server-input.o" >>"$work/server-train.log" 2>&1
    done
  done
  # a request the server did not run says so in one line
  grep -q '^objtool: OBJTOOL_SERVER=require' "$work/server-train.log" && ok=0
  "$root/bin/objtool-server" stop >>"$work/server-train.log" 2>&1
  # the cache is written as the JVM exits
  for ((i = 0; i < 600 && ${pid:-0} > 0; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if [ $ok = 1 ] && [ -s "$work/objtool-server.aot" ] && ! kill -0 "${pid:-0}" 2>/dev/null; then
    mv "$work/objtool-server.aot" "$target/objtool-server.aot"
    echo "aot-train: wrote $target/objtool-server.aot ($(( $(stat -c %s "$target/objtool-server.aot") / 1048576 )) MiB, the server's)"
    exit 0
  fi
fi
echo "aot-train: server training failed (see $work/server-train.log): no server AOT cache"
exit 0
