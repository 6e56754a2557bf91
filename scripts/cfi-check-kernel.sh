#!/usr/bin/env bash
# The x86 figure of the DWARF cross-check (docs/cfi-check.md): compiles kernel sources with the
# kernel build's own gcc command line (taken from a configured, prepared tree's .cmd file) plus
# -fasynchronous-unwind-tables, into OUT (never into the tree), and runs bin/objtool-cfi-check.
#   scripts/cfi-check-kernel.sh [-k KERNEL_TREE] [-o OUT] [FILE.c ...]
# KERNEL_TREE defaults to ~/.cache/objtool-kbuild/linux (it must hold kernel/sched/.build_policy.o.cmd).
set -euo pipefail
tree=$HOME/.cache/objtool-kbuild/linux
out=${TMPDIR:-/tmp}/cfi-check-kernel
while getopts k:o: o; do
  case $o in k) tree=$OPTARG ;; o) out=$OPTARG ;; *) exit 129 ;; esac
done
shift $((OPTIND - 1))
root=$(cd "$(dirname "$0")/.." && pwd)
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(kernel/sched/core.c kernel/sched/fair.c kernel/sched/build_policy.c kernel/sched/build_utility.c
    kernel/fork.c kernel/exit.c kernel/signal.c kernel/sys.c kernel/workqueue.c
    mm/page_alloc.c mm/slub.c mm/vmscan.c mm/memory.c mm/mmap.c mm/filemap.c mm/gup.c mm/rmap.c mm/swap.c mm/truncate.c mm/util.c
    fs/ext4/inode.c fs/ext4/namei.c fs/ext4/super.c fs/ext4/extents.c fs/ext4/balloc.c fs/ext4/dir.c fs/ext4/file.c
    fs/ext4/ialloc.c fs/ext4/mballoc.c fs/ext4/xattr.c
    net/ipv4/tcp.c net/ipv4/tcp_input.c net/ipv4/tcp_output.c net/ipv4/ip_output.c net/ipv4/route.c net/ipv4/udp.c
    net/ipv4/af_inet.c net/ipv4/arp.c net/ipv4/devinet.c net/ipv4/icmp.c)
fi
cmdfile=$tree/kernel/sched/.build_policy.o.cmd
[ -f "$cmdfile" ] || { echo "cfi-check-kernel: no $cmdfile (configure and start a build of the tree first)" >&2; exit 1; }
# the compiler command: first line, up to the first ';', without the dependency file, the output,
# the source, the per-file names and -Werror
base=$(sed -n '1{s/^savedcmd_[^=]*:= //;s/;.*//;p}' "$cmdfile" | tr ' ' '\n' |
  grep -v -e '^-Wp,-MMD' -e '^-Werror$' -e '^-DKBUILD_BASENAME=' -e '^-DKBUILD_MODNAME=' -e '^-DKBUILD_MODFILE=' -e '^-D__KBUILD_MODNAME=' -e '^-c$' -e '\.c$' -e '\.o$' -e '^-o$' |
  tr '\n' ' ')
mkdir -p "$out"
objs=()
for f in "${files[@]}"; do
  name=$(basename "$f" .c)
  o=$out/${f%.c}.o
  mkdir -p "$(dirname "$o")"
  # shellcheck disable=SC2086
  if (cd "$tree" && nice $base -fasynchronous-unwind-tables -DKBUILD_BASENAME="\"$name\"" -DKBUILD_MODNAME="\"$name\"" \
      -D__KBUILD_MODNAME="kmod_$name" -DKBUILD_MODFILE="\"${f%.c}\"" -c "$f" -o "$o") 2>"$o.err"; then
    objs+=("$o")
  else
    echo "cfi-check-kernel: $f did not compile (see $o.err)" >&2
  fi
done
echo "cfi-check-kernel: ${#objs[@]} objects" >&2
nice "$root/bin/objtool-cfi-check" --drap "${objs[@]}"
