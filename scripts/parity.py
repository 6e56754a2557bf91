#!/usr/bin/env python3
"""Parity harness: runs the reference objtool and ours on identical copies of each object and
compares what they print, their exit codes, the ORC tables they produce and the sections they
add or change.

    scripts/parity.py [--sample N | --dir D | --list FILE] [--flags "--orc --link --module"]
                      [--ref PATH] [--ours PATH] [-j N] [--report FILE]
                      [--baseline FILE [--update-baseline]] [--ours-mode batch|process]

Objects default to the stripped 6.12 corpus in $OBJTOOL_CORPUS (~/.cache/objtool-corpus), made
by scripts/corpus.sh. Python 3 standard library only.

Ours runs all objects of a run in one JVM (bin/objtool-batch, per-object records read from its
--records file); --ours-mode process runs one bin/objtool per object instead. The reference
always runs one process per object.

Aspects compared per object:
  warnings  stderr lines, temp path replaced by the object's name, as a multiset
  exit      exit codes (a timeout or a signal counts as a distinct code)
  orc-dump  the reference's --dump=orc of both output files
  sections  bytes of every section the reference added or changed (relocation sections as
            (offset, type, symbol or section name, addend) tuples, .symtab as a symbol multiset),
            plus every section only ours added or changed
  file      the whole output file, byte for byte (layout and padding included)
"""

import argparse
import collections
import concurrent.futures
import json
import os
import shlex
import shutil
import signal
import struct
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASPECTS = ("warnings", "exit", "orc-dump", "sections", "file")
DEFAULT_FLAGS = "--orc --link --module"
LIST_CAP = 20


# ---------------------------------------------------------------------------------------------
# Running a tool


class Run:
    """Outcome of one process: exit code (or 'timeout' / 'signal N'), output, time, peak RSS."""

    def __init__(self, code, stdout, stderr, wall, maxrss_kb):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.wall = wall
        self.maxrss_kb = maxrss_kb


def run_process(argv, timeout, cwd=None):
    """Runs argv with output to temp files; never raises for a failing or hanging child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        try:
            pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ], setsid=True)
        except OSError as e:
            return Run("spawn failed: %s" % e.strerror, b"", str(e).encode(), 0.0, 0)
        code = None
        rss = 0
        while True:
            wpid, status, usage = os.wait4(pid, os.WNOHANG)
            if wpid == pid:
                rss = usage.ru_maxrss
                if os.WIFEXITED(status):
                    code = os.WEXITSTATUS(status)
                else:
                    code = "signal %d" % os.WTERMSIG(status)
                break
            if time.monotonic() - start > timeout:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                _, status, usage = os.wait4(pid, 0)
                rss = usage.ru_maxrss
                code = "timeout"
                break
            time.sleep(0.005)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(code, out.read(), err.read(), wall, rss)


def run_reference(ref, flags, obj, timeout):
    return run_process([ref] + flags + [obj], timeout)


def run_ours(ours, flags, obj, timeout):
    """Our objtool on one object, one JVM per object (--ours-mode process)."""
    return run_process([ours] + flags + [obj], timeout)


def batch_tool(ours):
    """bin/objtool-batch beside bin/objtool."""
    return os.path.join(os.path.dirname(os.path.abspath(ours)), "objtool-batch")


def run_ours_batch(ours, flags, objs, timeout, jobs):
    """Our objtool on all objects in one JVM (--ours-mode batch, the default): objtool-batch
    reads the paths on stdin and writes one JSON record per object (exit code, stderr lines,
    wall time) to a file. Returns ({path: Run}, Run of the batch process, batch summary)."""
    with tempfile.TemporaryDirectory(prefix="parity-batch-") as tmp:
        listing = os.path.join(tmp, "objects.txt")
        records = os.path.join(tmp, "records.jsonl")
        with open(listing, "w") as f:
            f.write("".join(o + "\n" for o in objs))
        argv = [batch_tool(ours), "--jobs", str(max(1, jobs)), "--records", records,
                "--timeout", "%g" % timeout, "--progress", "never", "--no-summary",
                "--"] + flags + ["--", "-"]
        whole = run_process_stdin(argv, listing, timeout * max(1, len(objs)))
        out, summary = {}, None
        if os.path.exists(records):
            with open(records) as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if "summary" in rec:
                        summary = rec["summary"]
                        continue
                    code = rec["exit"]
                    if code == "timeout":
                        code = "timeout"
                    stderr = "".join(l + "\n" for l in rec["stderr"]).encode("utf-8")
                    out[rec["file"]] = Run(code, rec["stdout"].encode("utf-8"), stderr,
                                           rec["wall_s"], None)
        for o in objs:  # the batch died before reporting these
            if o not in out:
                out[o] = Run("batch %s" % whole.code, b"", whole.stderr, 0.0, None)
        return out, whole, summary


def run_process_stdin(argv, stdin_path, timeout):
    """run_process with stdin read from a file."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        try:
            pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, stdin_path, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ], setsid=True)
        except OSError as e:
            return Run("spawn failed: %s" % e.strerror, b"", str(e).encode(), 0.0, 0)
        deadline = start + timeout
        while True:
            wpid, status, usage = os.wait4(pid, os.WNOHANG)
            if wpid == pid:
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else \
                    "signal %d" % os.WTERMSIG(status)
                break
            if time.monotonic() > deadline:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                _, status, usage = os.wait4(pid, 0)
                code = "timeout"
                break
            time.sleep(0.02)
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Run(code, out.read(), err.read(), wall, usage.ru_maxrss)


def dump_orc(ref, obj, timeout):
    return run_process([ref, "--dump=orc", obj], timeout)


# ---------------------------------------------------------------------------------------------
# ELF64 reading (little endian, relocatable objects)


class ElfError(Exception):
    pass


class Elf:
    def __init__(self, data):
        if len(data) < 64 or data[:4] != b"\x7fELF":
            raise ElfError("not an ELF file")
        if data[4] != 2 or data[5] != 1:
            raise ElfError("not ELF64 little endian")
        self.data = data
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        if shoff and shnum == 0:
            shnum = struct.unpack_from("<Q", data, shoff + 0x20)[0]
        if shstrndx == 0xFFFF:
            shstrndx = struct.unpack_from("<I", data, shoff + 0x28)[0]
        if shoff + shnum * 64 > len(data):
            raise ElfError("section headers past the end of the file")
        self.sections = []
        for i in range(shnum):
            (name, typ, flags, addr, off, size, link, info, align,
             entsize) = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64)
            self.sections.append({"name_off": name, "type": typ, "flags": flags, "offset": off,
                                  "size": size, "link": link, "info": info, "align": align,
                                  "entsize": entsize, "index": i})
        strtab = self.sections[shstrndx] if shstrndx < shnum else None
        for s in self.sections:
            s["name"] = self._str(strtab, s["name_off"]) if strtab else ""
        self._symbols = {}

    def _str(self, sec, off):
        base = sec["offset"] + off
        if base >= len(self.data):
            return "<bad name %d>" % off
        end = self.data.find(b"\0", base)
        return self.data[base:end if end >= 0 else len(self.data)].decode("latin-1")

    def content(self, s):
        if s["type"] == 8:  # SHT_NOBITS
            return b""
        return self.data[s["offset"]:s["offset"] + s["size"]]

    def symbols(self, symtab_index):
        if symtab_index not in self._symbols:
            sec = self.sections[symtab_index]
            strtab = self.sections[sec["link"]]
            out = []
            raw = self.content(sec)
            for k in range(len(raw) // 24):
                name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", raw, k * 24)
                out.append((self._str(strtab, name), info, other, shndx, value, size))
            self._symbols[symtab_index] = out
        return self._symbols[symtab_index]

    def section_name(self, index):
        if 0 < index < len(self.sections):
            return self.sections[index]["name"]
        return "<section %d>" % index

    def symbol_key(self, sym):
        name, info, other, shndx, value, size = sym
        if info & 0xF == 3:  # STT_SECTION: named by its section
            return "section " + self.section_name(shndx)
        return name

    def relocations(self, s):
        syms = self.symbols(s["link"]) if s["link"] < len(self.sections) else []
        raw = self.content(s)
        out = []
        for k in range(len(raw) // 24):
            off, info, addend = struct.unpack_from("<QQq", raw, k * 24)
            symi, typ = info >> 32, info & 0xFFFFFFFF
            sym = self.symbol_key(syms[symi]) if symi < len(syms) else "<sym %d>" % symi
            out.append((off, typ, sym, addend))
        return out

    def symbol_multiset(self, s):
        out = collections.Counter()
        for sym in self.symbols(s["index"]):
            name, info, other, shndx, value, size = sym
            out[(self.symbol_key(sym), info, other, self.section_name(shndx) if shndx < 0xFF00
                 else shndx, value, size)] += 1
        return out

    def keyed(self):
        """Sections by (name, n-th of that name)."""
        seen = collections.Counter()
        out = {}
        for s in self.sections[1:]:
            k = (s["name"], seen[s["name"]])
            seen[s["name"]] += 1
            out[k] = s
        return out

    def comparable(self, s):
        """What a section's content means, independent of symbol order and string layout."""
        if s["type"] == 4:  # SHT_RELA
            return ("rela", self.section_name(s["info"]), tuple(self.relocations(s)))
        if s["type"] == 2:  # SHT_SYMTAB
            return ("symtab", self.symbol_multiset(s))
        if s["type"] == 3:  # SHT_STRTAB: follows from names
            return ("strtab",)
        if s["type"] == 8:
            return ("nobits", s["size"])
        return ("bytes", s["type"], s["flags"], self.content(s))


def key_text(k):
    return k[0] if k[1] == 0 else "%s#%d" % k


def changed_sections(before, after):
    """Keys of sections of `after` that are new or differ from `before`."""
    b = before.keyed()
    out = []
    for k, s in after.keyed().items():
        if k not in b or before.comparable(b[k]) != after.comparable(s):
            out.append(k)
    return out


def describe_difference(k, ref, ours, rs, os_):
    if os_ is None:
        return "section %s: missing in ours" % key_text(k)
    if rs is None:
        return "section %s: only ours changed it" % key_text(k)
    a, b = ref.comparable(rs), ours.comparable(os_)
    if a[0] != b[0]:
        return "section %s: kind %s vs %s" % (key_text(k), a[0], b[0])
    if a[0] == "rela":
        ra, rb = a[2], b[2]
        for i in range(min(len(ra), len(rb))):
            if ra[i] != rb[i]:
                return "section %s: reloc %d ref %s ours %s" % (key_text(k), i, ra[i], rb[i])
        return "section %s: %d relocs ref, %d ours" % (key_text(k), len(ra), len(rb))
    if a[0] == "symtab":
        extra_ref = a[1] - b[1]
        extra_ours = b[1] - a[1]
        first = next(iter(extra_ref or extra_ours), None)
        return "section %s: symbol %s %s" % (key_text(k), first,
                                             "missing in ours" if extra_ref else "only in ours")
    if a[0] == "bytes":
        if a[1:3] != b[1:3]:
            return "section %s: type/flags %s vs %s" % (key_text(k), a[1:3], b[1:3])
        da, db = a[3], b[3]
        for i in range(min(len(da), len(db))):
            if da[i] != db[i]:
                return "section %s: byte 0x%x ref %02x ours %02x" % (key_text(k), i, da[i], db[i])
        return "section %s: size %d ref, %d ours" % (key_text(k), len(da), len(db))
    return "section %s: %s vs %s" % (key_text(k), a, b)


def compare_sections(input_path, ref_path, ours_path):
    """None when equal, else the first difference."""
    def load(p, what):
        try:
            with open(p, "rb") as f:
                return Elf(f.read())
        except (OSError, ElfError, struct.error, IndexError) as e:
            raise ElfError("%s unreadable: %s" % (what, e))
    try:
        inp = load(input_path, "input")
        ref = load(ref_path, "reference output")
        ours = load(ours_path, "our output")
        ref_changed = changed_sections(inp, ref)
        ours_changed = changed_sections(inp, ours)
        rk, ok = ref.keyed(), ours.keyed()
        for k in ref_changed:
            if k not in ok or ref.comparable(rk[k]) != ours.comparable(ok[k]):
                return describe_difference(k, ref, ours, rk[k], ok.get(k))
        for k in ours_changed:
            if k not in rk:
                return "section %s: only ours added it" % key_text(k)
            if ref.comparable(rk[k]) != ours.comparable(ok[k]):
                return describe_difference(k, ref, ours, None, ok[k])
        return None
    except (ElfError, struct.error, IndexError, KeyError) as e:
        return "sections: %s" % e


# ---------------------------------------------------------------------------------------------
# One object


def canonical_lines(stderr, tmp_path, name):
    text = stderr.decode("utf-8", "replace").replace(tmp_path, name)
    return [line for line in text.split("\n") if line != ""]


def first_multiset_difference(a, b):
    ca, cb = collections.Counter(a), collections.Counter(b)
    only_ref = ca - cb
    only_ours = cb - ca
    if only_ref:
        return "ref only: %s" % next(iter(only_ref))
    if only_ours:
        return "ours only: %s" % next(iter(only_ours))
    return None


def first_line_difference(a, b):
    la, lb = a.splitlines(), b.splitlines()
    for i in range(min(len(la), len(lb))):
        if la[i] != lb[i]:
            return "line %d: ref %r ours %r" % (i + 1, la[i][:100], lb[i][:100])
    return "ref %d lines, ours %d lines" % (len(la), len(lb))


def prepare_object(path):
    """A temp dir with a copy of the object for each side: (tmp, ref copy, our copy)."""
    tmp = tempfile.mkdtemp(prefix="parity-")
    base = os.path.basename(path)
    refdir, ourdir = os.path.join(tmp, "ref"), os.path.join(tmp, "ours")
    os.mkdir(refdir)
    os.mkdir(ourdir)
    ref_obj, our_obj = os.path.join(refdir, base), os.path.join(ourdir, base)
    shutil.copyfile(path, ref_obj)
    shutil.copyfile(path, our_obj)
    return tmp, ref_obj, our_obj


def compare_outputs(cfg, name, path, ref_obj, our_obj, ref, ours):
    """Per-aspect difference (or None) of two finished runs on the copies."""
    diff = {}
    wr = canonical_lines(ref.stderr, ref_obj, name)
    wo = canonical_lines(ours.stderr, our_obj, name)
    diff["warnings"] = first_multiset_difference(wr, wo)

    diff["exit"] = None if ref.code == ours.code else "exit ref %s ours %s" % (ref.code, ours.code)

    dr = dump_orc(cfg.ref, ref_obj, cfg.timeout)
    do = dump_orc(cfg.ref, our_obj, cfg.timeout)
    tr = dr.stdout.decode("utf-8", "replace").replace(ref_obj, name)
    to = do.stdout.decode("utf-8", "replace").replace(our_obj, name)
    if (tr, dr.code) == (to, do.code):
        diff["orc-dump"] = None
    elif tr != to:
        diff["orc-dump"] = "dump " + first_line_difference(tr, to)
    else:
        diff["orc-dump"] = "dump exit ref %s ours %s" % (dr.code, do.code)

    diff["sections"] = compare_sections(path, ref_obj, our_obj)
    diff["file"] = compare_files(ref_obj, our_obj)
    return diff


def compare_files(ref_path, ours_path):
    """None when the two output files are byte-identical, else where they first differ."""
    with open(ref_path, "rb") as a, open(ours_path, "rb") as b:
        ra, rb = a.read(), b.read()
    if ra == rb:
        return None
    step = 1 << 16
    at = 0
    while at < min(len(ra), len(rb)) and ra[at:at + step] == rb[at:at + step]:
        at += step
    while at < min(len(ra), len(rb)) and ra[at] == rb[at]:
        at += 1
    return "file: %d bytes ref, %d ours, first difference at 0x%x" % (len(ra), len(rb), at)


def compare_object(cfg, name, path):
    """One object, one process per side. Returns (differences, ref Run, ours Run)."""
    tmp, ref_obj, our_obj = prepare_object(path)
    try:
        ref = run_reference(cfg.ref, cfg.flags, ref_obj, cfg.timeout)
        ours = run_ours(cfg.ours, cfg.flags, our_obj, cfg.timeout)
        return compare_outputs(cfg, name, path, ref_obj, our_obj, ref, ours), ref, ours
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Object sets


def corpus_dir():
    return os.environ.get("OBJTOOL_CORPUS") or os.path.expanduser("~/.cache/objtool-corpus")


def find_objects(args):
    """List of (name, path)."""
    if args.dir:
        out = []
        for dirpath, dirnames, filenames in os.walk(args.dir):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(".o") or f.endswith(".ko"):
                    p = os.path.join(dirpath, f)
                    out.append((os.path.relpath(p, args.dir), p))
        out.sort()
    else:
        stripped = os.path.join(corpus_dir(), "6.12", "stripped")
        if args.list:
            with open(args.list) as f:
                names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        else:
            listing = os.path.join(corpus_dir(), "6.12", "list.txt")
            if not os.path.exists(listing):
                sys.exit("parity: no corpus at %s; run scripts/corpus.sh or pass --dir"
                         % corpus_dir())
            with open(listing) as f:
                names = sorted(l.strip() for l in f if l.strip())
        out = []
        for n in names:
            p = n if os.path.isabs(n) else os.path.join(stripped, n)
            if not os.path.exists(p) and os.path.exists(n):
                p = n
            out.append((n, p))
    if args.sample and args.sample < len(out):
        total = len(out)
        out = [out[(i * total) // args.sample] for i in range(args.sample)]
    return out


def set_key(args):
    if args.dir:
        path = os.path.abspath(args.dir)
        cache = os.path.abspath(os.environ.get("OBJTOOL_CORPUS", os.path.expanduser("~/.cache/objtool-corpus")))
        if path.startswith(cache + os.sep):
            key = "corpus:" + os.path.relpath(path, cache)  # the same name on every machine
        else:
            key = "dir:" + path
    elif args.list:
        key = "list:" + args.list
    else:
        key = "corpus-6.12"
    if args.sample:
        key += ":sample%d" % args.sample
    return key


# ---------------------------------------------------------------------------------------------
# Baseline file: lines "flags<TAB>set<TAB>aspect<TAB>minimum identical", '#' comments.


def read_baseline(path):
    entries = collections.OrderedDict()
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4:
                raise SystemExit("parity: bad baseline line: %r" % line)
            entries[(parts[0], parts[1], parts[2])] = int(parts[3])
    return entries


def write_baseline(path, entries):
    with open(path, "w") as f:
        f.write("# Minimum number of identical objects per aspect, written by scripts/parity.py\n"
                "# --update-baseline. Columns: flags, object set, aspect, minimum (tab separated).\n"
                "# The harness fails when a run of the same flags and set falls below a figure, and when\n"
                "# the run's flags and set have no row here. CI (scripts/test.sh) runs the whole corpora:\n"
                "# every module identical on every aspect.\n")
        for (flags, oset, aspect), n in entries.items():
            f.write("%s\t%s\t%s\t%d\n" % (flags, oset, aspect, n))


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="Compare our objtool with the reference.")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--dir", help="compare every .o/.ko under this directory")
    src.add_argument("--list", help="file of object paths (relative to the stripped corpus)")
    ap.add_argument("--sample", type=int, default=0,
                    help="take N objects spread evenly over the sorted list")
    ap.add_argument("--flags", default=DEFAULT_FLAGS, help="objtool flags (default: %(default)s)")
    ap.add_argument("--ref", default=os.path.join(corpus_dir(), "ref", "objtool-6.12"))
    ap.add_argument("--ours", default=os.path.join(ROOT, "bin", "objtool"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    ap.add_argument("--report", help="write every differing object to this file")
    ap.add_argument("--baseline", help="minimum identical counts to hold")
    ap.add_argument("--update-baseline", action="store_true",
                    help="write this run's figures into --baseline")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--ours-mode", choices=("batch", "process"), default="batch",
                    help="batch: all objects in one JVM (bin/objtool-batch, default); "
                         "process: one bin/objtool process per object")
    argv = sys.argv[1:]
    for i in range(len(argv) - 1):  # "--flags --orc" would read as an option of its own
        if argv[i] == "--flags":
            argv[i:i + 2] = ["--flags=" + argv[i + 1]]
            break
    args = ap.parse_args(argv)
    if args.update_baseline and not args.baseline:
        ap.error("--update-baseline needs --baseline")
    for tool in (args.ref, args.ours):
        if not os.access(tool, os.X_OK):
            ap.error("not executable: %s" % tool)

    cfg = argparse.Namespace(ref=os.path.abspath(args.ref), ours=os.path.abspath(args.ours),
                             flags=shlex.split(args.flags), timeout=args.timeout)
    objects = find_objects(args)
    if not objects:
        sys.exit("parity: no objects")

    results = [None] * len(objects)
    done = [0]
    lock = threading.Lock()
    started = time.monotonic()
    batch_info = [None]

    def tick():
        with lock:
            done[0] += 1
            if not args.quiet and sys.stderr.isatty():
                sys.stderr.write("\r%d/%d" % (done[0], len(objects)))
                sys.stderr.flush()

    def failed(e):
        msg = "harness: %s: %s" % (type(e).__name__, e)
        return ({a: msg for a in ASPECTS}, None, None)

    def work(i):
        name, path = objects[i]
        try:
            res = compare_object(cfg, name, path)
        except Exception as e:  # a broken object or tool must not stop the run
            res = failed(e)
        results[i] = res
        tick()

    if args.ours_mode == "process":
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(work, range(len(objects))))
    else:
        # copies for both sides; the reference one process per object, ours one JVM for all
        preps = [prepare_object(path) for _, path in objects]
        refs = [None] * len(objects)
        try:
            def ref_work(i):
                refs[i] = run_reference(cfg.ref, cfg.flags, preps[i][1], cfg.timeout)
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                list(pool.map(ref_work, range(len(objects))))
            ours_runs, whole, summary = run_ours_batch(
                cfg.ours, cfg.flags, [p[2] for p in preps], cfg.timeout, args.jobs)
            batch_info[0] = (whole, summary)

            def cmp_work(i):
                name, path = objects[i]
                tmp, ref_obj, our_obj = preps[i]
                try:
                    d = compare_outputs(cfg, name, path, ref_obj, our_obj, refs[i],
                                        ours_runs[our_obj])
                    results[i] = (d, refs[i], ours_runs[our_obj])
                except Exception as e:
                    results[i] = failed(e)
                tick()
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                list(pool.map(cmp_work, range(len(objects))))
        finally:
            for tmp, _, _ in preps:
                shutil.rmtree(tmp, ignore_errors=True)
    if not args.quiet and sys.stderr.isatty():
        sys.stderr.write("\r")
    elapsed = time.monotonic() - started

    total = len(objects)
    identical = {a: sum(1 for d, _, _ in results if d[a] is None) for a in ASPECTS}
    for a in ASPECTS:
        print("parity %s: %d/%d identical" % (a, identical[a], total))

    differing = [(objects[i][0], d) for i, (d, _, _) in enumerate(results)
                 if any(d[a] is not None for a in ASPECTS)]
    if differing:
        print("differing objects: %d (first difference each%s)" % (
            len(differing), ", first %d shown" % LIST_CAP if len(differing) > LIST_CAP else ""))
        for name, d in differing[:LIST_CAP]:
            a = next(a for a in ASPECTS if d[a] is not None)
            print("  %s: %s: %s" % (name, a, d[a]))
    if args.report:
        with open(args.report, "w") as f:
            f.write("# flags: %s; set: %s\n" % (args.flags, set_key(args)))
            for name, d in differing:
                for a in ASPECTS:
                    if d[a] is not None:
                        f.write("%s\t%s\t%s\n" % (name, a, d[a]))

    def stats(side):
        runs = [r[side] for r in results if r[side] is not None]
        if not runs:
            return "no runs"
        walls = [r.wall for r in runs]
        text = "wall %.1fs total, %.3fs mean, %.3fs max" % (sum(walls), sum(walls) / len(walls),
                                                         max(walls))
        rss = [r.maxrss_kb for r in runs if r.maxrss_kb is not None]
        if rss:
            text += "; peak RSS %.1f MiB max, %.1f MiB mean, %.1f MiB sum" % (
                max(rss) / 1024, sum(rss) / len(rss) / 1024, sum(rss) / 1024)
        return text
    print("totals ref:  %s" % stats(1))
    print("totals ours: %s" % stats(2))
    if batch_info[0] is not None:
        whole, summary = batch_info[0]
        print("ours batch: one JVM, exit %s, wall %.1fs, peak RSS %.1f MiB" % (
            whole.code, whole.wall, (whole.maxrss_kb or 0) / 1024))
    print("harness wall %.1fs with %d jobs (ours: %s)" % (elapsed, args.jobs, args.ours_mode))

    status = 0
    if args.baseline:
        entries = read_baseline(args.baseline)
        oset = set_key(args)
        flags = " ".join(cfg.flags)
        if args.update_baseline:
            for a in ASPECTS:
                entries[(flags, oset, a)] = identical[a]
            write_baseline(args.baseline, entries)
            print("baseline %s updated for [%s] %s" % (args.baseline, flags, oset))
        else:
            missing = [a for a in ASPECTS if (flags, oset, a) not in entries]
            if missing:
                # a run the baseline does not cover proves nothing: fail rather than pass quietly
                print("parity: baseline %s has no figures for [%s] %s (aspects %s); record them with "
                      "--update-baseline" % (args.baseline, flags, oset, ", ".join(missing)))
                status = 1
            for a in ASPECTS:
                floor = entries.get((flags, oset, a))
                if floor is not None and identical[a] < floor:
                    print("parity REGRESSION %s: %d identical, baseline %d" % (a, identical[a], floor))
                    status = 1
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into head and friends
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
