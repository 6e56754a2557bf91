#!/usr/bin/env bash
# Runs bin/objtool the way a 6.12 kernel build runs tools/objtool/objtool, through a symlink in
# a scratch tree, on objects compiled here with gcc:
#
#  1. vmlinux.o (scripts/Makefile.vmlinux_o) and module objects (scripts/Makefile.build, module
#     link) with the full x86-64 defconfig argument lists, and
#  2. the --orc --link --module subset (also --orc --link on the linked "vmlinux.o",
#     OBJTOOL_ARGS=--sec-address, --dry-run),
# each compared with the reference objtool 6.12: stderr, stdout, exit status, the reference's
# --dump=orc of the result and every section either side added or changed (scripts/parity.py),
# with and without OBJTOOL_ARGS.
#
# Every check runs twice: in-process (OBJTOOL_SERVER=off, a JVM per object) and through an
# objtool server of this build (bin/objtool-server, OBJTOOL_SERVER=require: the native client
# must reach it), started in the scratch directory and stopped at the end.
#
#   scripts/kbuild-test.sh [-v]       (needs gcc, ld; the reference from scripts/corpus.sh)
# Exit status: 0 when every check passed, 1 otherwise.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
verbose=0
[ "${1:-}" = -v ] && verbose=1

# scripts/Makefile.vmlinux_o (x86-64 defconfig, CONFIG_NOINSTR_VALIDATION, CONFIG_MITIGATION_*)
VMLINUX_ARGS="--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --static-call --uaccess --prefix=16 --noinstr --unret --link"
# scripts/Makefile.build for a module object after its link (delay-objtool)
MODULE_ARGS="--hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16 --link --module"
ORC_ARGS="--orc --link --module"

ref=${OBJTOOL_REF:-${OBJTOOL_CORPUS:-$HOME/.cache/objtool-corpus}/ref/objtool-6.12}
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME

fail=0
checks=0
ok() { checks=$((checks + 1)); [ $verbose = 1 ] && echo "ok   $*"; return 0; }
bad() { checks=$((checks + 1)); fail=$((fail + 1)); echo "FAIL $*"; }

for tool in gcc ld cmp; do
  command -v $tool >/dev/null || { echo "kbuild-test: needs $tool"; exit 1; }
done
[ -x "$ref" ] || { echo "kbuild-test: no reference objtool at $ref (run scripts/corpus.sh)"; exit 1; }
if [ ! -d objtool-cli/target/lib ]; then
  mvn -q -o install -DskipTests || { echo "kbuild-test: build failed"; exit 1; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kbuild-test.XXXXXX")
export OBJTOOL_SERVER_DIR=$work/server
trap 'bin/objtool-server stop >/dev/null 2>&1; rm -rf "$work"' EXIT

# a kernel tree as far as objtool is concerned: tools/objtool/objtool is our launcher
tree=$work/linux
mkdir -p "$tree/tools/objtool" "$tree/obj"
ln -s "$root/bin/objtool" "$tree/tools/objtool/objtool"
objtool=$tree/tools/objtool/objtool

# --- objects ---------------------------------------------------------------------------------
KFLAGS="-O2 -mcmodel=kernel -mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-avx -fno-pic
  -fno-asynchronous-unwind-tables -fno-jump-tables -fcf-protection=branch
  -mindirect-branch=thunk-extern -mindirect-branch-register -mfunction-return=thunk-extern
  -fno-stack-protector -fno-strict-aliasing -fno-common -fno-delete-null-pointer-checks
  -ffunction-sections -fpatchable-function-entry=16,16"
cat >"$work/extra.c" <<'C'
extern int report(const char *what, long v);
struct node { struct node *left, *right; long key; };
long depth(const struct node *n)
{
	long l, r;
	if (!n)
		return 0;
	l = depth(n->left);
	r = depth(n->right);
	return 1 + (l > r ? l : r);
}
int walk(struct node *n, long key)
{
	while (n) {
		if (n->key == key)
			return report("found", key);
		n = key < n->key ? n->left : n->right;
	}
	return -1;
}
static long table[64];
long fill(int count, long seed)
{
	int i;
	for (i = 0; i < count && i < 64; i++) {
		seed = seed * 6364136223846793005L + 1442695040888963407L;
		table[i] = seed >> 17;
	}
	return table[count & 63];
}
C
cat >"$work/warn.c" <<'C'
extern void halt_now(const char *why) __attribute__((noreturn));
extern long poll_once(void);
long wait_ready(long tries)
{
	while (tries-- > 0)
		if (poll_once())
			return 0;
	halt_now("device never ready");
}
C
build() { # name, source, extra flags...
  local name=$1 src=$2; shift 2
  # shellcheck disable=SC2086
  gcc -c $KFLAGS "$@" "$src" -o "$tree/obj/$name" 2>"$work/gcc.log" ||
    { echo "kbuild-test: gcc failed for $name:"; cat "$work/gcc.log"; exit 1; }
}
build example.o examples/example.c -fomit-frame-pointer
build train.o objtool-cli/src/main/aot/train.c -fomit-frame-pointer
build extra.o "$work/extra.c" -fomit-frame-pointer
build extra-fp.o "$work/extra.c" -fno-omit-frame-pointer
build extra-os.o "$work/extra.c" -Os -fomit-frame-pointer
build warn.o "$work/warn.c" -fomit-frame-pointer   # a noreturn callee objtool cannot know: a warning
# a module linked from several objects (ld -r, as the module link does) and a "vmlinux.o"
ld -r -o "$tree/obj/module.o" "$tree/obj/example.o" "$tree/obj/extra.o"
ld -r -o "$tree/obj/vmlinux.o" "$tree/obj/train.o" "$tree/obj/extra-fp.o" "$tree/obj/example.o"

# --- 2. compared with the reference ------------------------------------------------------------
compare_with_reference() { # label, object, OBJTOOL_ARGS (or -), args...
  local label=$1 obj=$2 env=$3; shift 3
  local d
  for d in ref ours; do mkdir -p "$work/$d"; cp "$tree/obj/$obj" "$work/$d/$obj"; done
  local envset=()
  [ "$env" = - ] || envset=(OBJTOOL_ARGS="$env")
  (cd "$work/ref" && env "${envset[@]}" "$ref" "$@" "$obj") >"$work/ref.out" 2>"$work/ref.err"
  local rrc=$?
  (cd "$work/ours" && env "${envset[@]}" "$objtool" "$@" "$obj") >"$work/ours.out" 2>"$work/ours.err"
  local orc=$?
  "$ref" --dump=orc "$work/ref/$obj" 2>&1 | sed "s|$work/ref/||" >"$work/ref.dump"
  "$ref" --dump=orc "$work/ours/$obj" 2>&1 | sed "s|$work/ours/||" >"$work/ours.dump"
  local why=
  [ $rrc -eq $orc ] || why="exit ref $rrc ours $orc"
  [ -n "$why" ] || cmp -s "$work/ref.err" "$work/ours.err" || why="stderr differs"
  [ -n "$why" ] || cmp -s "$work/ref.out" "$work/ours.out" || why="stdout differs"
  [ -n "$why" ] || cmp -s "$work/ref.dump" "$work/ours.dump" || why="--dump=orc of the result differs"
  if [ -z "$why" ]; then # every section either side added or changed (scripts/parity.py)
    mkdir -p "$work/one" && cp "$tree/obj/$obj" "$work/one/$obj"
    env "${envset[@]}" python3 scripts/parity.py --dir "$work/one" --flags "$*" --ref "$ref" \
      --ours "$objtool" --ours-mode process -j 1 --quiet >"$work/parity.out" 2>&1
    grep -q "^parity sections: 1/1 identical" "$work/parity.out" ||
      why="sections differ: $(grep -m1 '^  ' "$work/parity.out" || tail -1 "$work/parity.out")"
    rm -rf "$work/one"
  fi
  if [ -z "$why" ]; then
    ok "$label: as the reference (exit $rrc, $(wc -l <"$work/ref.err") stderr lines, $(wc -l <"$work/ref.dump") dump lines)"
  else
    bad "$label: $why"
    diff "$work/ref.err" "$work/ours.err" | head -5 | sed 's/^/       /'
    diff "$work/ref.dump" "$work/ours.dump" | head -5 | sed 's/^/       /'
  fi
  rm -rf "$work/ref" "$work/ours"
}

run_checks() { # the label of the way bin/objtool runs
  local how=$1
  # shellcheck disable=SC2086
  {
  compare_with_reference "$how: vmlinux.o rule" vmlinux.o - $VMLINUX_ARGS
  compare_with_reference "$how: vmlinux.o rule, OBJTOOL_ARGS=--backtrace" vmlinux.o "--backtrace" $VMLINUX_ARGS
  for obj in module.o example.o extra-fp.o; do
    compare_with_reference "$how: module rule on $obj" $obj - $MODULE_ARGS
  done
  compare_with_reference "$how: module rule on module.o, OBJTOOL_ARGS='--sec-address --no-unreachable'" module.o \
    "--sec-address --no-unreachable" $MODULE_ARGS
  for obj in module.o example.o train.o extra.o extra-fp.o extra-os.o warn.o; do
    compare_with_reference "$how: $ORC_ARGS on $obj" $obj - $ORC_ARGS
  done
  compare_with_reference "$how: --orc --link on vmlinux.o" vmlinux.o - --orc --link
  compare_with_reference "$how: $ORC_ARGS on module.o, OBJTOOL_ARGS=--sec-address" module.o "--sec-address" $ORC_ARGS
  compare_with_reference "$how: $ORC_ARGS --dry-run on module.o" module.o - $ORC_ARGS --dry-run
  }
}

OBJTOOL_SERVER=off run_checks "in-process"
if [ ! -x objtool-cli/target/objtool-client ]; then
  bad "through the server: the build made no native client (objtool-cli/target/objtool-client)"
elif ! bin/objtool-server start >"$work/server-start.log" 2>&1; then
  bad "through the server: bin/objtool-server start failed:"; sed 's/^/       /' "$work/server-start.log"
else
  before=$(bin/objtool-server status | sed -n 's/^requests \([0-9]*\) served.*/\1/p')
  OBJTOOL_SERVER=require run_checks "through the server"
  after=$(bin/objtool-server status | sed -n 's/^requests \([0-9]*\) served.*/\1/p')
  if [ "$((after - before))" -gt 0 ]; then
    ok "through the server: $((after - before)) requests served by $(bin/objtool-server status | sed -n 's/^pid //p' | head -1)"
  else
    bad "through the server: the server served no request"
  fi
fi

echo "kbuild-test: $((checks - fail))/$checks checks passed"
[ $fail -eq 0 ]
