#!/usr/bin/env bash
# Fetches the reference objtool binaries and the Debian module corpus, and prepares
# stripped inputs for the parity harness.
#
#   scripts/corpus.sh [--with-6.1-modules] [--with-arm64-modules]
#
# Cache: $OBJTOOL_CORPUS (default ~/.cache/objtool-corpus). Layout after a run:
#   ref/objtool-6.12, ref/objtool-6.1            reference binaries
#   6.12/orig/**.ko                             modules as Debian ships them (ORC inside)
#   6.12/stripped/**.ko                         same, minus .orc_unwind .orc_unwind_ip .rela.orc_unwind_ip
#   6.12/list.txt                               relative paths of all modules, sorted
#   6.12/annot-stripped/**.ko                   stripped further of the sections objtool's other
#                                               actions write (.retpoline_sites .return_sites
#                                               .call_sites .static_call_sites .ibt_endbr_seal
#                                               .cfi_sites and their .rela): inputs for the
#                                               module build's full flag set
#   arm64-6.12/orig/**.ko, arm64-6.12/list.txt   with --with-arm64-modules: Debian's arm64 6.12
#                                               modules (linux-image-6.12.*-arm64-unsigned:arm64,
#                                               fetched after dpkg --add-architecture arm64),
#                                               decompressed, nothing removed (arm64 builds run no
#                                               objtool, so they carry no ORC)
# Every step is skipped when its output already exists, so a second run costs nothing.
set -euo pipefail

CACHE=${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}
mkdir -p "$CACHE/debs" "$CACHE/ref"
WITH61=0
WITHARM64=0
for arg in "$@"; do
  case "$arg" in
    --with-6.1-modules) WITH61=1 ;;
    --with-arm64-modules) WITHARM64=1 ;;
    *) echo "usage: scripts/corpus.sh [--with-6.1-modules] [--with-arm64-modules]" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

newest() { # newest package whose name matches the extended regex $1
  apt-cache search --names-only "$1" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1
}

need_apt_lists() {
  [ -n "$(newest '^linux-kbuild-6\.12\.')" ] || as_root apt-get update -qq
}

fetch() { # fetch package $1 (of architecture $2, default the machine's) into debs/, echo the .deb path
  local pkg=$1 arch=${2:-} deb
  deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    (cd "$CACHE/debs" && apt-get download -qq "$pkg${arch:+:$arch}" >&2)
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n 1)
  fi
  echo "$deb"
}

extract() { # extract .deb $1 into directory $2 once
  [ -e "$2/.done" ] && return 0
  rm -rf "$2"; mkdir -p "$2"
  dpkg-deb -x "$1" "$2"
  touch "$2/.done"
}

for tool in objcopy xz dpkg-deb apt-get; do
  command -v "$tool" >/dev/null || { echo "corpus.sh: $tool is missing" >&2; exit 1; }
done
need_apt_lists

KB612=$(newest '^linux-kbuild-6\.12\.[0-9]+\+deb12$')
KB61=$(newest '^linux-kbuild-6\.1$')
[ -n "$KB61" ] || KB61=linux-kbuild-6.1
IMG612=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$')
IMG61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')

extract "$(fetch "$KB612")" "$CACHE/pkg/$KB612"
extract "$(fetch "$KB61")" "$CACHE/pkg/$KB61"
ln -sfn "$(ls "$CACHE/pkg/$KB612"/usr/lib/linux-kbuild-*/tools/objtool/objtool.real-x86)" "$CACHE/ref/objtool-6.12"
ln -sfn "$(ls "$CACHE/pkg/$KB61"/usr/lib/linux-kbuild-*/tools/objtool/objtool)" "$CACHE/ref/objtool-6.1"
echo "$KB612" > "$CACHE/ref/objtool-6.12.version"
echo "$KB61" > "$CACHE/ref/objtool-6.1.version"

prepare_modules() { # $1 = image package, $2 = corpus dir name, $3 = architecture (default: the machine's)
  local img=$1 dir=$CACHE/$2 arch=${3:-}
  [ -e "$dir/.done" ] && return 0
  extract "$(fetch "$img" "$arch")" "$CACHE/pkg/$img"
  rm -rf "$dir"; mkdir -p "$dir/orig"
  [ -n "$arch" ] || mkdir -p "$dir/stripped"
  local moddir
  moddir=$(ls -d "$CACHE/pkg/$img"/lib/modules/*/kernel 2>/dev/null || ls -d "$CACHE/pkg/$img"/usr/lib/modules/*/kernel)
  # 6.12 ships .ko.xz, 6.1 plain .ko
  (cd "$moddir" && find . \( -name '*.ko.xz' -o -name '*.ko' \) | sed 's|^\./||; s|\.xz$||' | LC_ALL=C sort -u) > "$dir/list.txt"
  echo "$img" > "$dir/version"
  # decompress and strip, two at a time
  export moddir dir arch
  xargs -P "$(nproc)" -n 64 sh -c '
    for rel in "$@"; do
      mkdir -p "$dir/orig/$(dirname "$rel")"
      if [ -e "$moddir/$rel.xz" ]; then xz -dc "$moddir/$rel.xz" > "$dir/orig/$rel"; else cp "$moddir/$rel" "$dir/orig/$rel"; fi
      [ -z "$arch" ] || continue   # a foreign architecture: no ORC to strip (and no objcopy for it)
      mkdir -p "$dir/stripped/$(dirname "$rel")"
      objcopy --remove-section=.orc_unwind --remove-section=.orc_unwind_ip \
              --remove-section=.rela.orc_unwind_ip "$dir/orig/$rel" "$dir/stripped/$rel"
    done' sh < "$dir/list.txt"
  [ -s "$dir/list.txt" ] || { echo "corpus.sh: no modules found in $img" >&2; exit 1; }
  touch "$dir/.done"
  echo "corpus.sh: $(wc -l < "$dir/list.txt") modules from $img in $dir" >&2
}

prepare_modules "$IMG612" 6.12

# inputs for the module build's full objtool flags: without the sections those actions write
annot=$CACHE/6.12/annot-stripped
if [ ! -e "$annot/.done" ]; then
  rm -rf "$annot"
  export annot CACHE
  xargs -P "$(nproc)" -n 64 sh -c '
    for rel in "$@"; do
      mkdir -p "$annot/$(dirname "$rel")"
      objcopy --remove-section=.retpoline_sites --remove-section=.rela.retpoline_sites \
        --remove-section=.return_sites --remove-section=.rela.return_sites \
        --remove-section=.call_sites --remove-section=.rela.call_sites \
        --remove-section=.static_call_sites --remove-section=.rela.static_call_sites \
        --remove-section=.ibt_endbr_seal --remove-section=.rela.ibt_endbr_seal \
        --remove-section=.cfi_sites --remove-section=.rela.cfi_sites \
        "$CACHE/6.12/stripped/$rel" "$annot/$rel"
    done' sh < "$CACHE/6.12/list.txt"
  touch "$annot/.done"
fi
[ "$WITH61" = 1 ] && prepare_modules "$IMG61" 6.1

# Debian's arm64 modules (issue 16, oracle 3): the package is arm64's, so apt needs the architecture
if [ "$WITHARM64" = 1 ] && [ ! -e "$CACHE/arm64-6.12/.done" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    as_root dpkg --add-architecture arm64
    as_root apt-get update -qq
  fi
  IMGARM64=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$')
  if [ -z "$IMGARM64" ]; then
    as_root apt-get update -qq
    IMGARM64=$(newest '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$')
  fi
  [ -n "$IMGARM64" ] || { echo "corpus.sh: no linux-image-6.12.*-arm64-unsigned package in apt's lists" >&2; exit 1; }
  prepare_modules "$IMGARM64" arm64-6.12 arm64
fi
echo "$CACHE"
