#!/usr/bin/env bash
# The arm64 figure of the DWARF cross-check (docs/cfi-check.md#arm64): builds a few Linux objects
# for arm64 (defconfig, KCFLAGS=-fasynchronous-unwind-tables so that each object keeps its DWARF
# CFI) in a kernel source tree of its own, and runs bin/objtool-cfi-check.
#   scripts/cfi-check-kernel-arm64.sh -k TREE [-c gcc|clang-14] [-o OUT] [OBJ.o ...]
# TREE: an extracted linux-source tree used only for this (it is configured and built in place,
# one tree per compiler), e.g. tar xf /usr/src/linux-source-6.12.tar.xz -C /tmp/a64k.
# -c: gcc (default, aarch64-linux-gnu-gcc and binutils) or clang-VERSION (the LLVM toolchain of
# that version: make LLVM=-VERSION). OUT gets copies of the objects.
set -euo pipefail
tree=
cc=gcc
out=
while getopts k:o:c: o; do
  case $o in k) tree=$OPTARG ;; o) out=$OPTARG ;; c) cc=$OPTARG ;; *) exit 129 ;; esac
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
case $cc in
  gcc) make=(make -C "$tree" -j2 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
  clang-[0-9]*)
    command -v "$cc" >/dev/null || { echo "cfi-check-kernel-arm64: $cc not found (apt-get install $cc lld-${cc#clang-} llvm-${cc#clang-})" >&2; exit 1; }
    make=(make -C "$tree" -j2 ARCH=arm64 "LLVM=-${cc#clang-}") ;;
  *) echo "cfi-check-kernel-arm64: -c gcc or -c clang-VERSION, not $cc" >&2; exit 129 ;;
esac
[ -n "$out" ] || out=${TMPDIR:-/tmp}/cfi-check-kernel-arm64-$cc
[ -f "$tree/.config" ] || nice "${make[@]}" defconfig >&2
nice "${make[@]}" prepare >&2
nice "${make[@]}" KCFLAGS=-fasynchronous-unwind-tables "${objs[@]}" >&2
copies=()
for o in "${objs[@]}"; do
  mkdir -p "$out/$(dirname "$o")"
  cp "$tree/$o" "$out/$o"
  copies+=("$out/$o")
done
echo "cfi-check-kernel-arm64: ${#copies[@]} objects ($cc)" >&2
nice "$root/bin/objtool-cfi-check" "${copies[@]}"
