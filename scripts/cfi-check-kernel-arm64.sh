#!/usr/bin/env bash
# The arm64 figure of the DWARF cross-check (docs/cfi-check.md#arm64): builds a few Linux objects
# for arm64 (defconfig, gcc's cross compiler, KCFLAGS=-fasynchronous-unwind-tables so that each
# object keeps its DWARF CFI) in a kernel source tree of its own, and runs bin/objtool-cfi-check.
#   scripts/cfi-check-kernel-arm64.sh -k TREE [-o OUT] [OBJ.o ...]
# TREE: an extracted linux-source tree used only for this (it is configured and built in place),
# e.g. tar xf /usr/src/linux-source-6.12.tar.xz -C /tmp/a64k. OUT gets copies of the objects.
set -euo pipefail
tree=
out=${TMPDIR:-/tmp}/cfi-check-kernel-arm64
while getopts k:o: o; do
  case $o in k) tree=$OPTARG ;; o) out=$OPTARG ;; *) exit 129 ;; esac
done
shift $((OPTIND - 1))
[ -n "$tree" ] && [ -f "$tree/Makefile" ] || { echo "cfi-check-kernel-arm64: -k TREE (an extracted kernel source tree) is required" >&2; exit 129; }
root=$(cd "$(dirname "$0")/.." && pwd)
objs=("$@")
if [ ${#objs[@]} -eq 0 ]; then
  objs=(kernel/fork.o kernel/exit.o kernel/signal.o kernel/sched/core.o kernel/sched/fair.o mm/page_alloc.o mm/memory.o
    mm/slub.o fs/ext4/inode.o net/ipv4/tcp.o net/ipv4/tcp_input.o arch/arm64/kernel/process.o arch/arm64/kernel/traps.o
    lib/string.o)
fi
make=(make -C "$tree" -j2 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
[ -f "$tree/.config" ] || nice "${make[@]}" defconfig >&2
nice "${make[@]}" prepare >&2
nice "${make[@]}" KCFLAGS=-fasynchronous-unwind-tables "${objs[@]}" >&2
copies=()
for o in "${objs[@]}"; do
  mkdir -p "$out/$(dirname "$o")"
  cp "$tree/$o" "$out/$o"
  copies+=("$out/$o")
done
echo "cfi-check-kernel-arm64: ${#copies[@]} objects" >&2
nice "$root/bin/objtool-cfi-check" "${copies[@]}"
