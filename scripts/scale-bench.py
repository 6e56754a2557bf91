#!/usr/bin/env python3
"""How cost grows with the input: wall time and peak RSS of one cold process per object, ours
(bin/objtool, in-process: OBJTOOL_SERVER=off) and the reference objtool 6.12, side by side in one
run, over corpus modules of increasing size and (when built) the defconfig vmlinux.o.

    scripts/scale-bench.py [--count 20] [--repeat 3] [--flags "--orc --link --module"]
                           [--no-vmlinux] [--table FILE.md] [--svg FILE.svg]

Objects: --count modules of the stripped 6.12 corpus ($OBJTOOL_CORPUS, scripts/corpus.sh) at
evenly spaced quantiles of their .text size, the largest (amdgpu.ko) always included; vmlinux.o
from ../shared/corpus/build-vmlinux.sh ($OBJTOOL_CORPUS/vmlinux) with the kernel's own arguments
(objtool-args.txt). Each side runs on its own fresh copy; each figure is the best wall time and
the largest peak RSS of --repeat runs. The instruction count is the reference's own (--stats
nr_insns, from one extra run). Prints a table (markdown) and writes an SVG plot of both
measures against the instruction count (log-log). Python 3 standard library only.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("OBJTOOL_CORPUS", os.path.expanduser("~/.cache/objtool-corpus"))


def run(argv, env=None):
    """Runs argv; returns (exit code, wall seconds, peak RSS in MiB, stdout bytes)."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
        out.seek(0)
        return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024.0, out.read()


def text_size(path):
    """Bytes of executable sections, from readelf's section table (a cheap size measure)."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 7 and parts[0].startswith("[") and "X" in parts[7]:
            try:
                total += int(parts[5], 16)
            except ValueError:
                pass
    return total


def pick_modules(count):
    base = os.path.join(CACHE, "6.12", "stripped")
    with open(os.path.join(CACHE, "6.12", "list.txt")) as f:
        rels = [l.strip() for l in f if l.strip()]
    sized = sorted(((text_size(os.path.join(base, r)), r) for r in rels[:: max(1, len(rels) // 400)]),
                   key=lambda t: t[0])
    sized = [s for s in sized if s[0] > 0]
    picks = []
    for i in range(count - 1):
        picks.append(sized[int(i * (len(sized) - 1) / max(1, count - 2))][1])
    picks.append("drivers/gpu/drm/amd/amdgpu/amdgpu.ko")
    seen = []
    for p in picks:
        if p not in seen:
            seen.append(p)
    return [(p, os.path.join(base, p)) for p in seen]


def measure(tool, flags, src, repeat, env):
    best, rss = None, 0.0
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        for _ in range(repeat):
            obj = os.path.join(tmp, os.path.basename(src))
            shutil.copyfile(src, obj)
            code, wall, mib, _ = run([tool] + flags + [obj], env)
            if code not in (0, 1):
                raise SystemExit("scale-bench: %s exited %d on %s" % (tool, code, src))
            best = wall if best is None else min(best, wall)
            rss = max(rss, mib)
    return best, rss


def insns(ref, flags, src):
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        obj = os.path.join(tmp, os.path.basename(src))
        shutil.copyfile(src, obj)
        _, _, _, out = run([ref] + flags + ["--stats", obj])
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("nr_insns:"):
            return int(line.split()[1])
    return 0


def svg(rows, path):
    """Two log-log panels: wall time and peak RSS against instructions, ours and the reference."""
    w, h, pad = 460, 320, 56
    xs = [r["insns"] for r in rows]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))

    def panel(ox, key_ours, key_ref, title, unit):
        ys = [r[k] for r in rows for k in (key_ours, key_ref)]
        y0, y1 = math.log10(min(ys)), math.log10(max(ys))
        if y1 - y0 < 1e-9:
            y1 = y0 + 1

        def px(x):
            return ox + pad + (math.log10(x) - x0) / (x1 - x0 or 1) * (w - 2 * pad)

        def py(y):
            return h - pad - (math.log10(y) - y0) / (y1 - y0) * (h - 2 * pad)
        parts = ['<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>' % (ox + pad, title)]
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>'
                     % (ox + pad, pad, w - 2 * pad, h - 2 * pad))
        for e in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
            v = 10 ** e
            if min(xs) <= v <= max(xs):
                parts.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">1e%d</text>' % (px(v), h - pad + 14, e))
        for k in range(5):
            v = 10 ** (y0 + (y1 - y0) * k / 4)
            parts.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>'
                         % (ox + pad - 4, py(v) + 3, ("%.3g" % v)))
        parts.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">instructions</text>'
                     % (ox + w / 2, h - 16))
        parts.append('<text x="%d" y="%d" font-size="11" transform="rotate(-90 %d %d)" text-anchor="middle">%s</text>'
                     % (ox + 14, h / 2, ox + 14, h / 2, unit))
        for key, color in ((key_ref, "#d62728"), (key_ours, "#1f77b4")):
            pts = sorted((r["insns"], r[key]) for r in rows)
            parts.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>'
                         % (color, " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in pts)))
            for x, y in pts:
                parts.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>' % (px(x), py(y), color))
        return parts
    body = panel(0, "ours_s", "ref_s", "wall time, one cold process", "seconds")
    body += panel(w, "ours_mib", "ref_mib", "peak RSS", "MiB")
    body.append('<text x="%d" y="%d" font-size="11" fill="#1f77b4">&#9679; ours (bin/objtool)</text>' % (w + pad, h + 16))
    body.append('<text x="%d" y="%d" font-size="11" fill="#d62728">&#9679; reference objtool 6.12</text>' % (w + pad + 130, h + 16))
    with open(path, "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">\n'
                '<rect width="100%%" height="100%%" fill="white"/>\n%s\n</svg>\n' % (2 * w, h + 24, "\n".join(body)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--flags", default="--orc --link --module")
    ap.add_argument("--no-vmlinux", action="store_true")
    ap.add_argument("--ref", default=os.path.join(CACHE, "ref", "objtool-6.12"))
    ap.add_argument("--ours", default=os.path.join(ROOT, "bin", "objtool"))
    ap.add_argument("--table", help="also write the table to this file")
    ap.add_argument("--svg", help="write the plot to this file")
    args = ap.parse_args()
    env = dict(os.environ, OBJTOOL_SERVER="off")
    env.pop("OBJTOOL_ARGS", None)
    objects = [(rel, path, args.flags.split()) for rel, path in pick_modules(args.count)]
    vml = os.path.join(CACHE, "vmlinux")
    if not args.no_vmlinux and os.path.exists(os.path.join(vml, "vmlinux.o")):
        with open(os.path.join(vml, "objtool-args.txt")) as f:
            objects.append(("vmlinux.o (kernel's arguments)", os.path.join(vml, "vmlinux.o"), f.read().split()))
    rows = []
    for name, path, flags in objects:
        n = insns(args.ref, flags, path)
        ref_s, ref_mib = measure(args.ref, flags, path, args.repeat, env)
        ours_s, ours_mib = measure(args.ours, flags, path, args.repeat, env)
        rows.append(dict(name=name, insns=n, ref_s=ref_s, ref_mib=ref_mib, ours_s=ours_s, ours_mib=ours_mib))
        print("scale %-48s %9d insns  ours %7.3f s %7.1f MiB  ref %7.3f s %7.1f MiB  ratio %5.2fx time %5.2fx RSS"
              % (name, n, ours_s, ours_mib, ref_s, ref_mib, ours_s / ref_s, ours_mib / ref_mib), flush=True)
    rows.sort(key=lambda r: r["insns"])
    lines = ["| object | instructions | ours s | reference s | time ratio | ours MiB | reference MiB | RSS ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| %s | %d | %.3f | %.3f | %.2fx | %.1f | %.1f | %.2fx |" % (
            r["name"], r["insns"], r["ours_s"], r["ref_s"], r["ours_s"] / r["ref_s"],
            r["ours_mib"], r["ref_mib"], r["ours_mib"] / r["ref_mib"]))
    print("\n".join(lines))
    if args.table:
        with open(args.table, "w") as f:
            f.write("\n".join(lines) + "\n")
    if args.svg:
        svg(rows, args.svg)
        print("plot: " + args.svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
