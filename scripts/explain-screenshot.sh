#!/usr/bin/env bash
# Regenerates docs/explain.png, the screenshot of an --explain page shown in README.md and
# docs/explain.md: compiles docs/explain/demo.c with -g as an ORC kernel build would (no frame
# pointer), runs bin/objtool --orc --explain on it, and has headless chromium take the picture.
# Needs gcc, Graphviz's dot, chromium and a built tree (mvn -o package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp docs/explain/demo.c "$tmp/"
cd "$tmp"
gcc -c -g -O2 -fno-asynchronous-unwind-tables -fdebug-prefix-map="$tmp"=. demo.c -o demo.o
"$root/bin/objtool" --orc --dry-run --explain=pages demo.o
page="$tmp/pages/demo.o@demo.html"
[ -f "$page" ] || { echo "explain-screenshot: no page for demo()" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1000 \
  --screenshot="$root/docs/explain.png" "file://$page" 2>/dev/null
echo "explain-screenshot: wrote docs/explain.png from $(basename "$page")"
