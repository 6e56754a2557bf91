#!/usr/bin/env bash
# The objtool server against the reference objtool, side by side in one run (server start
# included). Prints one line per figure: "NAME: ours X s, reference Y s, ratio Z".
#
#  corpus   one process per module over the 6.12 corpus, --orc --link --module, on copies, the
#           way Kbuild runs objtool (make -j1): ours is bin/objtool with a server this script
#           starts (its start counted), the reference is the C tool
#  af_key   af_key.ko, per call (median of N calls on fresh copies)
#  amdgpu   amdgpu.ko through a warm server (median of 5 after 3 warm-up calls)
#  vmlinux  vmlinux.o with the kernel build's arguments, warm server (when the corpus has one)
#  client   the client's own cost per call: `objtool-client --help` through the server, interleaved
#           with a static no-op (minimum and median of 10 x --calls each), less spawning the no-op
#           and less the server's time on the request (status "busy"); bin/objtool --help (bash +
#           client); the CPU of each
#
# Ours is called as objtool-cli/target/objtool-client (what a kernel tree's tools/objtool/objtool
# links to, see README), or with --via script as bin/objtool (bash, then the client).
#
# --rt runs the client figures at real-time priority (chrt -f 1: this script's calls and the
# server's threads, for those few seconds only), so that on a loaded machine they show what the
# calls cost rather than how long the scheduler kept them waiting (needs the right to use chrt).
#
#   scripts/server-bench.sh [--sample N] [--calls N] [--via client|script] [--rt] [corpus|af_key|amdgpu|vmlinux|client ...]
# Uses OBJTOOL_SERVER_DIR=$work/server (a server of its own, stopped at the end).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
corpus=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}
ref=${OBJTOOL_REF:-$corpus/ref/objtool-6.12}
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
sample=0
calls=30
via=client
rt=0
what=()
while [ $# -gt 0 ]; do
  case $1 in
    --sample) sample=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --via) via=$2; shift 2 ;;
    --rt) rt=1; shift ;;
    corpus|af_key|amdgpu|vmlinux|client) what+=("$1"); shift ;;
    *) echo "usage: scripts/server-bench.sh [--sample N] [--calls N] [--via client|script] [--rt] [corpus|af_key|amdgpu|vmlinux|client ...]" >&2; exit 2 ;;
  esac
done
[ ${#what[@]} -gt 0 ] || what=(client af_key amdgpu vmlinux corpus)
case $via in
  client) ours=$root/objtool-cli/target/objtool-client ;;
  script) ours=$root/bin/objtool ;;
  *) echo "server-bench: --via client or script" >&2; exit 2 ;;
esac
[ -x "$ref" ] || { echo "server-bench: no reference objtool at $ref (scripts/corpus.sh)"; exit 1; }
[ -x objtool-cli/target/objtool-client ] || { echo "server-bench: no native client (build with a C compiler)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/server-bench.XXXXXX")
export OBJTOOL_SERVER_DIR=$work/server
trap 'bin/objtool-server stop >/dev/null 2>&1; rm -rf "$work"' EXIT
echo "server-bench: ours is $ours; $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, $(date -u +%FT%TZ)"

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
secs() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }
secs4() { awk -v u="$1" 'BEGIN { printf "%.4f", u / 1e6 }'; }
line() { # name, ours us, reference us
  awk -v n="$1" -v o="$2" -v r="$3" 'BEGIN { printf "%s: ours %.4f s, reference %.4f s, ratio %.2f\n", n, o / 1e6, r / 1e6, o / r }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

start_server() {
  local t0; t0=$(now)
  bin/objtool-server start >"$work/start.log" 2>&1 || { cat "$work/start.log"; exit 1; }
  server_start_us=$(($(now) - t0))
}
server_start_us=0
start_server
echo "server-bench: server start (bin/objtool-server start until it answers): $(secs $server_start_us) s"
export OBJTOOL_SERVER=require # every call of ours below goes through the server, or fails

per_call() { # name, file, flags...; prints the median line
  local name=$1 file=$2; shift 2
  local o=() r=() i t0
  for ((i = 0; i < calls; i++)); do
    cp "$file" "$work/o.ko"; cp "$file" "$work/r.ko"
    t0=$(now); "$ours" "$@" "$work/o.ko" >/dev/null 2>"$work/o.err" || { [ -n "${SHOWERR:-}" ] && cat "$work/o.err"; }; o+=($(($(now) - t0)))
    t0=$(now); "$ref" "$@" "$work/r.ko" >/dev/null 2>&1; r+=($(($(now) - t0)))
    cmp -s "$work/o.ko" "$work/r.ko" || echo "server-bench: $name: the written objects differ"
  done
  line "$name per call (median of $calls)" "$(printf '%s\n' "${o[@]}" | median)" "$(printf '%s\n' "${r[@]}" | median)"
}

for w in "${what[@]}"; do
  case $w in
  client)
    # Interleaved calls (a loaded machine slows every process alike): a static no-op (the client is
    # static too; bash's fork and exec are in both) and `objtool-client --help` through the server;
    # minimum and median of each, and the server's own time on the requests (status "busy", from
    # the request read whole to the exit status sent, averaged).
    n=$((calls * 10))
    noop=/bin/true
    if printf 'int main(void) { return 0; }\n' | cc -O2 -static -x c -o "$work/noop" - 2>/dev/null; then noop=$work/noop; fi
    busy() { bin/objtool-server status | awk '/^busy / { printf "%d", $2 * 1e6 }'; }
    stat_of() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%d %d", a[1], a[int((NR + 1) / 2)] }'; }
    for ((i = 0; i < 200; i++)); do objtool-cli/target/objtool-client --help 2>/dev/null; done # the server warm
    pid=$(bin/objtool-server status | awk '/^pid / { print $2 }')
    if [ "$rt" = 1 ]; then
      if chrt -f -p 1 $$ && chrt -a -f -p 1 "$pid"; then echo "client: at real-time priority (chrt -f 1), the server's threads too"
      else echo "client: --rt: chrt refused; at normal priority"; rt=0; fi
    fi
    scpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    b0=$(busy)
    : >"$work/t.noop"; : >"$work/t.client"
    for ((i = 0; i < n; i++)); do
      t0=$(now); "$noop"; echo $(($(now) - t0)) >>"$work/t.noop"
      t0=$(now); objtool-cli/target/objtool-client --help 2>/dev/null; echo $(($(now) - t0)) >>"$work/t.client"
    done
    served=$((($(busy) - b0) / n))
    scpu=$((($(awk '{ print $14 + $15 }' "/proc/$pid/stat") - scpu0) * 1000000 / $(getconf CLK_TCK) / n))
    read -r nmin nmed < <(stat_of "$work/t.noop")
    read -r cmin cmed < <(stat_of "$work/t.client")
    echo "client: wall per call ($n interleaved calls, minimum / median): spawning ${noop##*/} $(secs4 "$nmin") / $(secs4 "$nmed") s; objtool-client --help through the server $(secs4 "$cmin") / $(secs4 "$cmed") s; the server's time on the request (mean) $(secs4 "$served") s, its CPU (mean) $(secs4 "$scpu") s"
    # the client's own wall time: the call, less spawning a process, less the server's time on the
    # request; the minimums' difference counts the server's whole time too (an upper bound)
    echo "client: own wall per call: median $(secs4 $((cmed - nmed - served))) s (call less spawning less the server's time); minimum $(secs4 $((cmin - nmin))) s (call less spawning, the server's time included)"
    t0=$(now); for ((i = 0; i < n; i++)); do bin/objtool --help 2>/dev/null; done; script=$((($(now) - t0) / n))
    t0=$(now); for ((i = 0; i < n; i++)); do "$noop"; done; spawn=$((($(now) - t0) / n))
    echo "client: bin/objtool --help through the server (bash, then the client), mean wall per call $(secs $script) s (over spawning $(secs $((script - spawn))) s)"
    # CPU (user + sys) of the calls, which a loaded machine disturbs less than their wall time
    cpu() { bash -c "for ((i = 0; i < $n; i++)); do $1 2>/dev/null; done; times" | awk 'NR == 2 {
      split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1e6 / '"$n"' }'; }
    ctrue=$(cpu "$noop"); cclient=$(cpu "$root/objtool-cli/target/objtool-client --help"); cscript=$(cpu "$root/bin/objtool --help")
    echo "client: CPU per call: ${noop##*/} $(secs $ctrue) s; objtool-client --help $(secs $cclient) s (overhead $(secs $((cclient - ctrue))) s); bin/objtool --help $(secs $cscript) s (overhead $(secs $((cscript - ctrue))) s)"
    if [ "$rt" = 1 ]; then chrt -o -p 0 $$; chrt -a -o -p 0 "$pid"; fi
    ;;
  af_key)
    f=$corpus/6.12/stripped/net/key/af_key.ko
    for ((i = 0; i < 5; i++)); do cp "$f" "$work/o.ko"; "$ours" --orc --link --module "$work/o.ko" >/dev/null 2>&1; done
    per_call af_key.ko "$f" --orc --link --module
    ;;
  amdgpu)
    f=$corpus/6.12/stripped/drivers/gpu/drm/amd/amdgpu/amdgpu.ko
    for ((i = 0; i < 3; i++)); do cp "$f" "$work/o.ko"; "$ours" --orc --link --module "$work/o.ko" >/dev/null 2>&1; done
    calls=5 per_call "amdgpu.ko warm server" "$f" --orc --link --module
    ;;
  vmlinux)
    f=$corpus/vmlinux/vmlinux.o
    if [ ! -f "$f" ] || [ ! -f "$corpus/vmlinux/objtool-args.txt" ]; then
      echo "vmlinux: not measured ($f absent)"; continue
    fi
    # shellcheck disable=SC2046
    set -- $(cat "$corpus/vmlinux/objtool-args.txt")
    for ((i = 0; i < 2; i++)); do cp "$f" "$work/o.ko"; "$ours" "$@" "$work/o.ko" >/dev/null 2>&1; done
    calls=3 per_call "vmlinux.o warm server" "$f" "$@"
    rm -f "$work/o.ko" "$work/r.ko"
    ;;
  corpus)
    # the server is restarted so that its start counts, as in a build that begins with none
    bin/objtool-server stop >/dev/null 2>&1
    (cd "$corpus/6.12/stripped" && find . -name '*.ko' | sort) >"$work/list"
    if [ "$sample" -gt 0 ]; then awk -v n="$sample" 'NR % int(4230 / n + 1) == 1' "$work/list" >"$work/l2"; mv "$work/l2" "$work/list"; fi
    count=$(wc -l <"$work/list")
    for side in ours ref; do
      mkdir -p "$work/$side"
      (cd "$corpus/6.12/stripped" && xargs -d '\n' cp --parents -t "$work/$side" <"$work/list")
    done
    t0=$(now)
    start_server
    while IFS= read -r f; do "$ours" --orc --link --module "$work/ours/$f" >/dev/null 2>&1; done <"$work/list"
    ours_us=$(($(now) - t0))
    t0=$(now)
    while IFS= read -r f; do "$ref" --orc --link --module "$work/ref/$f" >/dev/null 2>&1; done <"$work/list"
    theirs_us=$(($(now) - t0))
    same=0
    while IFS= read -r f; do cmp -s "$work/ours/$f" "$work/ref/$f" && same=$((same + 1)); done <"$work/list"
    line "corpus, $count modules, one process per module, --orc --link --module (server start $(secs $server_start_us) s included)" "$ours_us" "$theirs_us"
    echo "corpus: $same/$count written modules identical to the reference's"
    rm -rf "$work/ours" "$work/ref"
    ;;
  esac
done
bin/objtool-server status | sed -n 's/^\(requests\|heap\)/server-bench: server &/p'
echo "server-bench: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
