#!/usr/bin/env bash
# A real kernel build with bin/objtool in place of tools/objtool/objtool, on demand (not in CI:
# about half an hour on two cores, more on a busy machine).
#
#  1. Unpacks Debian's linux-source-6.12 (installed with apt-get when missing, with the build
#     dependencies) into WORK/linux, configures x86-64 defconfig plus the =m options below, and
#     builds vmlinux and the modules with the tree's own objtool (the C tool), through a wrapper
#     that logs the wall time of every objtool call.
#  2. Saves the reference's ORC: `objtool --dump=orc` of vmlinux.o and of every linked module
#     object (the objects objtool rewrote).
#  3. Deletes vmlinux.o and every linked module object and runs `make` again with the wrapper
#     calling bin/objtool and OBJTOOL_SERVER=auto: Kbuild relinks vmlinux and every module and
#     runs objtool on each exactly as before.
#  4. Compares every module's and vmlinux's ORC dump (made by the C tool in both passes) and
#     prints the time spent in objtool in each pass:
#        kbuild: objtool calls N; ours X s, reference Y s, ratio Z
#        kbuild: ORC identical in M/N objects
#
#   scripts/kbuild-server-bench.sh [WORK]     (default ~/.cache/objtool-kbuild; kept between runs)
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
work=${1:-$HOME/.cache/objtool-kbuild}
jobs=$(nproc)
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME

# options that defconfig leaves out, built as modules: a few dozen modules of every size
MODULES="BTRFS_FS XFS_FS EXT2_FS NFS_FS NFSD CIFS FUSE_FS OVERLAY_FS SQUASHFS ISO9660_FS UDF_FS
  E1000 IGB IXGBE R8169 VIRTIO_NET TUN VETH MACVLAN BRIDGE BONDING WIREGUARD NET_KEY
  CRYPTO_USER CRYPTO_TEST CRYPTO_CHACHA20POLY1305 CRYPTO_SERPENT KVM KVM_INTEL KVM_AMD
  DM_CRYPT DM_THIN_PROVISIONING MD_RAID456 BLK_DEV_NBD BLK_DEV_LOOP ZRAM SCSI_VIRTIO
  USB_STORAGE HID_MULTITOUCH SND_HDA_INTEL DRM_VIRTIO_GPU"

src=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$src" ]; then
  apt-get update -qq && apt-get install -y -qq linux-source-6.12 bc bison flex libelf-dev libssl-dev \
    make gcc dwarves python3 cpio xz-utils >/dev/null || { echo "kbuild: cannot install linux-source-6.12"; exit 1; }
fi
[ -x objtool-cli/target/objtool-client ] || { echo "kbuild: build the project first (mvn package, with a C compiler)"; exit 1; }
mkdir -p "$work"
tree=$work/linux
if [ ! -f "$tree/Makefile" ]; then
  rm -rf "$tree" && mkdir -p "$tree"
  tar -xf "$src" -C "$tree" --strip-components=1 || exit 1
fi
cd "$tree" || exit 1
if [ ! -f .config ]; then
  make -s defconfig || exit 1
  for m in $MODULES; do scripts/config --module "$m"; done
  make -s olddefconfig || exit 1
fi

# tools/objtool/objtool becomes a wrapper that times every call of the tool it names
make -s -j"$jobs" tools/objtool >/dev/null || exit 1
if [ ! -f tools/objtool/objtool.c-tool ]; then
  cp tools/objtool/objtool tools/objtool/objtool.c-tool
fi
cat >tools/objtool/objtool <<'W'
#!/usr/bin/env bash
t0=${EPOCHREALTIME/./}
"$KBUILD_OBJTOOL" "$@"
rc=$?
echo "$((${EPOCHREALTIME/./} - t0)) ${*: -1}" >>"$KBUILD_OBJTOOL_LOG"
exit $rc
W
chmod +x tools/objtool/objtool
touch tools/objtool/objtool

dump_all() { # dir: the ORC dump of vmlinux.o and of every linked module object
  local out=$1
  rm -rf "$out" && mkdir -p "$out"
  # names without a leading ./ (a dump named ._x_y.o.dump would be hidden from the glob below)
  { echo vmlinux.o; find . -name '*.mod' | sed 's/\.mod$/.o/; s,^\./,,'; } | sort | while IFS= read -r o; do
    [ -f "$o" ] || continue
    tools/objtool/objtool.c-tool --dump=orc "$o" >"$out/$(echo "$o" | tr / _).dump" 2>&1
  done
}
relink_all() { # forget vmlinux.o and the linked module objects: make relinks them and runs objtool
  rm -f vmlinux.o vmlinux
  find . -name '*.mod' | sed 's/\.mod$/.o/' | xargs -r rm -f
  find . -name '*.ko' -delete
}
total() { awk '{ s += $1 } END { printf "%.3f", s / 1e6 }' "$1"; }

echo "kbuild: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
# 1. the C tool (a first build compiles everything; objtool's share is logged either way)
export KBUILD_OBJTOOL=$tree/tools/objtool/objtool.c-tool KBUILD_OBJTOOL_LOG=$work/ref.log
make -s -j"$jobs" vmlinux modules >/dev/null 2>"$work/build.err" || { tail "$work/build.err"; exit 1; }
relink_all; : >"$work/ref.log"
t0=${EPOCHREALTIME/./}
make -s -j"$jobs" vmlinux modules >/dev/null 2>"$work/ref.err" || { tail "$work/ref.err"; exit 1; }
ref_wall=$((${EPOCHREALTIME/./} - t0))
dump_all "$work/ref-orc"

# 3. ours, through a server started by the first call
export KBUILD_OBJTOOL=$root/bin/objtool KBUILD_OBJTOOL_LOG=$work/ours.log OBJTOOL_SERVER=auto
export OBJTOOL_SERVER_DIR=$work/server
"$root/bin/objtool-server" stop >/dev/null 2>&1
relink_all; : >"$work/ours.log"
t0=${EPOCHREALTIME/./}
make -s -j"$jobs" vmlinux modules >/dev/null 2>"$work/ours.err" || { tail "$work/ours.err"; exit 1; }
ours_wall=$((${EPOCHREALTIME/./} - t0))
dump_all "$work/ours-orc"
served=$("$root/bin/objtool-server" status | sed -n 's/^requests \([0-9]*\) served.*/\1/p')
"$root/bin/objtool-server" stop >/dev/null 2>&1

# 4. the figures
n=$(wc -l <"$work/ours.log")
same=0; all=0
for f in "$work/ref-orc"/*.dump; do
  all=$((all + 1))
  cmp -s "$f" "$work/ours-orc/$(basename "$f")" && same=$((same + 1))
done
awk -v n="$n" -v o="$(total "$work/ours.log")" -v r="$(total "$work/ref.log")" \
  'BEGIN { printf "kbuild: objtool calls %d; ours %.3f s, reference %.3f s, ratio %.2f\n", n, o, r, o / r }'
echo "kbuild: relink wall (make -j$jobs vmlinux modules): ours $(awk -v u=$ours_wall 'BEGIN{printf "%.1f", u/1e6}') s, reference $(awk -v u=$ref_wall 'BEGIN{printf "%.1f", u/1e6}') s; $served requests served by the server"
echo "kbuild: ORC identical in $same/$all objects"
[ "$same" -eq "$all" ]
