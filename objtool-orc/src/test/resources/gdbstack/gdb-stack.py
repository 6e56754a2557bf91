# Samples stack states of the GdbStackTest program under gdb and records, at each stop, the
# registers, gdb's own backtrace (from the DWARF CFI) and the stack memory from sp to the top
# of the [stack] mapping (or, where gdb cannot list mappings, as under qemu's gdb stub, to 512
# bytes above main's caller's sp). Written for GdbStackTest and FramePointerLiveTest (x86-64
# natively, arm64 under qemu-aarch64); read by them.
#
# Environment: GDBSTACK_OUT (output directory), GDBSTACK_LO / GDBSTACK_HI (the code range that
# has ORC: stepping stops when the pc leaves it, calls out of it are stepped over),
# GDBSTACK_REMOTE (optional: a port on localhost where a gdb stub holds the program stopped at
# its first instruction, for example qemu-aarch64-static -g PORT).
#
# Output: OUT/stops.txt, a line per record:
#   stop TAG PC SP FP OFFSET LENGTH      (numbers in hex; OFFSET/LENGTH locate the stack bytes;
#                                         FP is rbp or x29)
#   frame PC KIND FP NAME                (innermost first; KIND normal, inline, tailcall, ...;
#                                         FP the frame's rbp or x29 as gdb unwound it, 0 if not)
#   end REASON                           (why gdb's backtrace ended)
# and OUT/stacks.bin, the stack bytes of all stops one after the other.
import os
import re
import gdb

OUT = os.environ["GDBSTACK_OUT"]
LO = int(os.environ["GDBSTACK_LO"], 16)
HI = int(os.environ["GDBSTACK_HI"], 16)

KINDS = {
    gdb.NORMAL_FRAME: "normal",
    gdb.INLINE_FRAME: "inline",
    gdb.TAILCALL_FRAME: "tailcall",
    gdb.SIGTRAMP_FRAME: "sigtramp",
    gdb.DUMMY_FRAME: "dummy",
    gdb.ARCH_FRAME: "arch",
}

ULONG = gdb.lookup_type("unsigned long")
REMOTE = os.environ.get("GDBSTACK_REMOTE")
REGS = None  # (pc, sp, fp) register names, by architecture


def regs():
    global REGS
    if REGS is None:
        arm = "aarch64" in gdb.newest_frame().architecture().name()
        REGS = ("pc", "sp", "x29") if arm else ("rip", "rsp", "rbp")
    return REGS


def reg(frame, name):
    return int(frame.read_register(name).cast(ULONG)) & 0xFFFFFFFFFFFFFFFF


def stack_top():
    try:
        text = gdb.execute("info proc mappings", to_string=True)
    except gdb.error:
        text = ""
    for line in text.splitlines():
        if line.rstrip().endswith("[stack]"):
            return int(line.split()[1], 16)
    return None


def above_main(f):
    """512 bytes above the sp of main's caller: past every frame the tests compare."""
    while f is not None:
        if f.name() == "main" and f.older() is not None:
            return reg(f.older(), regs()[1]) + 512
        f = f.older()
    raise gdb.GdbError("no main in the backtrace")


def unwound_fp(frame):
    try:
        return reg(frame, regs()[2])
    except gdb.error:
        return 0


class Sampler(gdb.Breakpoint):
    """A breakpoint that stops on every EVERY-th hit, LIMIT times; the first stop can step on."""

    def __init__(self, spec, tag, every, limit, steps):
        super().__init__(spec, internal=False)
        self.tag, self.every, self.limit, self.steps = tag, every, limit, steps
        self.seen = 0
        self.taken = 0

    def stop(self):
        self.seen += 1
        if self.taken >= self.limit or (self.seen - 1) % self.every != 0:
            return False
        self.taken += 1
        global pending
        pending = self
        return True


def entry(name):
    return "*" + hex(int(gdb.parse_and_eval("&" + name).cast(ULONG)))


index = open(os.path.join(OUT, "stops.txt"), "w")
stacks = open(os.path.join(OUT, "stacks.bin"), "wb")
offset = 0
top = None
pending = None


# pac-ret programs under qemu-user: qemu's gdb stub has no pointer-authentication registers, so
# gdb cannot strip the PAC of a signed return address and its DWARF unwind stops there. With
# GDBSTACK_PAC_VA (the virtual-address bits) set, each stop first records the raw stack, then
# strips the PAC of every stack word and of x30 that is a signed address in
# [GDBSTACK_TEXT_LO, GDBSTACK_TEXT_HI) (the program's code) for gdb's backtrace, and puts the
# signed values back before the program runs on (its autiasp must see them).
PAC_VA = os.environ.get("GDBSTACK_PAC_VA")
PAC_SCAN = 65536


def pac_strip():
    if not PAC_VA:
        return []
    mask = (1 << int(PAC_VA)) - 1
    lo, hi = int(os.environ["GDBSTACK_TEXT_LO"], 16), int(os.environ["GDBSTACK_TEXT_HI"], 16)

    def signed(w):
        return (w & ~mask) != 0 and (w >> 55) & 1 == 0 and lo <= (w & mask) < hi

    undo = []
    f = gdb.newest_frame()
    x30 = reg(f, "x30")
    if signed(x30):
        undo.append(("x30", x30))
        gdb.execute("set $x30 = %d" % (x30 & mask), to_string=True)
    inf = gdb.selected_inferior()
    addr = reg(f, "sp") & ~7
    end = addr + PAC_SCAN
    while addr < end:
        chunk = min(4096 - (addr & 4095), end - addr)
        try:
            data = inf.read_memory(addr, chunk).tobytes()
        except gdb.MemoryError:
            break
        for k in range(0, len(data) - 7, 8):
            w = int.from_bytes(data[k:k + 8], "little")
            if signed(w):
                undo.append((addr + k, w))
                inf.write_memory(addr + k, (w & mask).to_bytes(8, "little"))
        addr += chunk
    # gdb keeps the frames it unwound before (stepping unwinds the caller): unwind again
    gdb.execute("maintenance flush register-cache", to_string=True)
    return undo


def pac_restore(undo):
    inf = gdb.selected_inferior()
    for where, w in undo:
        if where == "x30":
            gdb.execute("set $x30 = %d" % w, to_string=True)
        else:
            inf.write_memory(where, w.to_bytes(8, "little"))
    gdb.execute("maintenance flush register-cache", to_string=True)


def record(tag):
    global offset, top
    if top is None and not REMOTE:
        top = stack_top()
    if PAC_VA:
        # the raw (signed) stack is what the check reads: record it before stripping for gdb
        f = gdb.newest_frame()
        rip, rsp, rbp = (reg(f, r) for r in regs())
        raw = bytearray()
        a = rsp
        while a < rsp + PAC_SCAN:
            n = min(4096 - (a & 4095), rsp + PAC_SCAN - a)
            try:
                raw += gdb.selected_inferior().read_memory(a, n).tobytes()
            except gdb.MemoryError:
                break
            a += n
        undo = pac_strip()
        try:
            end = above_main(gdb.newest_frame())
            record_stop(tag, gdb.newest_frame(), rip, rsp, rbp, bytes(raw[:max(0, min(len(raw), end - rsp))]))
        finally:
            pac_restore(undo)
        return
    f = gdb.newest_frame()
    rip, rsp, rbp = (reg(f, r) for r in regs())
    end = top if top is not None else above_main(f)
    data = gdb.selected_inferior().read_memory(rsp, end - rsp).tobytes()
    record_stop(tag, f, rip, rsp, rbp, data)


def record_stop(tag, f, rip, rsp, rbp, data):
    """Writes a stop: its registers, its stack bytes and gdb's backtrace from frame F."""
    global offset
    index.write("stop %s %x %x %x %x %x\n" % (tag, rip, rsp, rbp, offset, len(data)))
    stacks.write(data)
    offset += len(data)
    fr = f
    depth = 0
    while fr is not None and depth < 500:
        index.write("frame %x %s %x %s\n" % (fr.pc(), KINDS.get(fr.type(), "other"), unwound_fp(fr), fr.name() or "??"))
        last = fr
        fr = fr.older()
        depth += 1
    index.write("end %s\n" % gdb.frame_stop_reason_string(last.unwind_stop_reason()).replace(" ", "_"))


CALL = re.compile(r"^(?:call[q]?|bl)\s+(0x[0-9a-f]+)")


def step_sample(tag, count):
    """Steps COUNT instructions from here, recording each stop inside the ORC range."""
    arch = gdb.newest_frame().architecture()
    for _ in range(count):
        pc = gdb.newest_frame().pc()
        asm = arch.disassemble(pc)[0]["asm"]
        m = CALL.match(asm)
        out_call = m is not None and not (LO <= int(m.group(1), 16) < HI)
        gdb.execute("nexti" if out_call else "stepi", to_string=True)
        if not gdb.selected_inferior().pid:
            return
        pc = gdb.newest_frame().pc()
        if not (LO <= pc < HI):
            return
        record(tag)


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set startup-with-shell off")
    gdb.execute("set backtrace past-main on")
    samplers = [
        # (location, tag, every, limit, steps)
        ("deep", "deep", 2, 9, 0),
        (entry("fib"), "fib-entry", 9, 12, 0),
        ("fib", "fib", 7, 10, 40),
        ("leaf_b", "leaf_b", 5, 10, 0),
        (entry("leaf_a"), "leaf_a", 3, 8, 0),
        (entry("vla_rec"), "vla_rec", 1, 12, 160),
        ("walk_a", "walk_a", 1, 10, 0),
        (entry("walk_b"), "walk_b", 2, 4, 90),
        ("many_args", "many_args", 1, 4, 0),
        (entry("pass_many"), "pass_many", 1, 2, 120),
        (entry("alloca_frame"), "alloca_frame", 1, 3, 140),
        (entry("aligned_frame"), "aligned_frame", 1, 1, 120),
        (entry("arr_frame"), "arr_frame", 1, 3, 60),
        (entry("dispatch"), "dispatch", 1, 1, 60),
        (entry("tail_to_aligned"), "tail", 1, 1, 8),
        (entry("finish"), "finish", 1, 1, 24),
    ]
    bps = [Sampler(*s) for s in samplers]
    global pending
    if REMOTE:
        gdb.execute("target remote localhost:" + REMOTE, to_string=True)
        gdb.execute("continue", to_string=True)
    else:
        gdb.execute("run", to_string=True)
    while gdb.selected_inferior().pid:
        s = pending
        pending = None
        if s is None:
            raise gdb.GdbError("stopped, but not by a sampler")
        record(s.tag)
        if s.steps:
            for b in bps:
                b.enabled = False
            step_sample(s.tag + "+step", s.steps)
            s.steps = 0
            for b in bps:
                b.enabled = True
            if not gdb.selected_inferior().pid:
                break
        gdb.execute("continue", to_string=True)
    index.close()
    stacks.close()


main()
