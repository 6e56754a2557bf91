package io.objtool.orc.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfFile;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcType;
import io.objtool.orc.unwind.FramePointerCheck.FpFrame;
import io.objtool.orc.unwind.FramePointerCheck.Reason;
import io.objtool.orc.unwind.FramePointerCheck.Regs;
import io.objtool.orc.unwind.FramePointerCheck.Report;
import io.objtool.orc.unwind.FramePointerCheck.Verdict;
import io.objtool.orc.unwind.GdbStackTest.GdbFrame;
import io.objtool.orc.unwind.GdbStackTest.Result;
import io.objtool.orc.unwind.GdbStackTest.Stop;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-time frame-pointer check on live stacks, checked against gdb. The {@code gdbstack}
 * program (deep and recursive chains, leaves, alloca, a VLA, a realigned frame, sibling and
 * indirect calls) is compiled with {@code -O2 -fno-omit-frame-pointer}, our {@code --orc --link}
 * (in process) adds ORC to each object, and gdb stops it at breakpoints and steps it instruction
 * by instruction through prologues and epilogues ({@code gdbstack/gdb-stack.py}), recording the
 * registers, the stack bytes and its DWARF backtrace with each frame's frame pointer. At every
 * stop the check walks the frame-pointer chain from the registers; for each frame it judges
 * (until the first unreliable one, in our code) it must call the frame reliable exactly when the
 * next frame of the chain, pc and frame pointer, is gdb's next frame. Subclasses give the
 * architecture: arm64 under {@code qemu-aarch64-static -g} with {@code gdb-multiarch},
 * x86-64 natively.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FramePointerLiveTest {
  static final OrcFormat FORMAT = OrcFormat.CURRENT;
  static final int MAX_FRAMES = 256;

  Path dir;
  OrcTable table;
  List<Stop> stops;
  byte[] stackBytes;
  Path exe;
  /** The program's functions in the code with ORC: start address to end address. */
  TreeMap<Long, Long> functions = new TreeMap<>();

  /** The compiler, e.g. {@code gcc}. */
  abstract String cc();

  /** Flags for compiling the objects (besides -c). */
  abstract List<String> cflags();

  /** Flags for linking. */
  abstract List<String> ldflags();

  abstract FramePointerCheck.Arch arch();

  /** The tally's name and text. */
  abstract Oracles.Tally tally();

  /** Requires the tools, runs the program under gdb; returns gdb's result. */
  abstract Result runGdb(Path script, Map<String, String> env) throws IOException;

  @BeforeAll
  void build(@TempDir Path tmp) throws IOException {
    dir = tmp;
    Oracles.require(Oracles.runs(cc(), "--version"), cc());
    for (String r : List.of("stack-a.c", "stack-b.c", "gdb-stack.py")) {
      try (InputStream in = FramePointerLiveTest.class.getResourceAsStream("/gdbstack/" + r)) {
        assertNotNull(in, r);
        Files.copy(in, dir.resolve(r), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<String> link = new ArrayList<>(List.of(cc()));
    link.addAll(ldflags());
    for (String src : List.of("stack-a.c", "stack-b.c")) {
      Path o = dir.resolve(src.replace(".c", ".o"));
      List<String> c = new ArrayList<>(List.of(cc(), "-c"));
      c.addAll(cflags());
      c.addAll(List.of(dir.resolve(src).toString(), "-o", o.toString()));
      io.objtool.orc.Fixtures.run(c);
      GdbStackTest.generateOrc(o);
      link.add(o.toString());
    }
    exe = dir.resolve("stack-prog");
    link.addAll(List.of("-o", exe.toString()));
    io.objtool.orc.Fixtures.run(link);
    long textLo = Long.MAX_VALUE, textHi = 0;
    try (ElfFile f = GdbStackTest.openImage(exe)) {
      table = OrcTableLoader.load(f, FORMAT);
      for (io.objtool.elf.Section sec : f.sections()) {
        if (!sec.isExecutable()) continue;
        textLo = Math.min(textLo, sec.addr());
        textHi = Math.max(textHi, sec.addr() + sec.size());
        for (io.objtool.elf.Symbol fn : sec.symbols().functions()) {
          if (Long.compareUnsigned(fn.value() - table.ip(0), table.ip(table.size() - 1) - table.ip(0)) < 0) {
            functions.put(fn.value(), fn.value() + fn.size());
          }
        }
      }
    }
    Path out = Files.createDirectories(dir.resolve("gdb-out"));
    Map<String, String> env = new java.util.HashMap<>(Map.of("GDBSTACK_OUT", out.toString(),
        "GDBSTACK_LO", Long.toHexString(table.ip(0)), "GDBSTACK_HI", Long.toHexString(table.ip(table.size() - 1))));
    if (pacRet()) {
      // gdb-stack.py strips the PACs for gdb's own unwind (qemu's stub gives gdb no PAC mask)
      env.putAll(Map.of("GDBSTACK_PAC_VA", Integer.toString(FramePointerCheck.DEFAULT_VA_BITS),
          "GDBSTACK_TEXT_LO", Long.toHexString(textLo), "GDBSTACK_TEXT_HI", Long.toHexString(textHi)));
    }
    Result g = runGdb(dir.resolve("gdb-stack.py"), env);
    String all = g.out() + g.err();
    Oracles.require(!all.contains("ptrace: Operation not permitted") && !all.contains("Could not trace the inferior"),
        "a gdb that may trace processes here: " + all);
    assertTrue(g.status() == 0 && !all.contains("Python Exception") && !all.contains("Error occurred in Python"),
        "gdb script failed:\n" + g);
    stops = GdbStackTest.parse(Files.readAllLines(out.resolve("stops.txt")));
    stackBytes = Files.readAllBytes(out.resolve("stacks.bin"));
  }

  /** What comparing the check with gdb found over all stops. */
  record Tally(int stops, int frames, int agreed, int reliable, int pastEnd, int signed, Map<String, Integer> unreliable,
      List<String> bad) {}

  /** Whether the program is built with pointer authentication: its saved return addresses must carry a PAC. */
  boolean pacRet() {
    return false;
  }

  /** The heart of it: reliable exactly where the frame-pointer unwind gives gdb's next frame. */
  @Test
  void reliableExactlyWhereTheFramePointerUnwindAgreesWithGdb() {
    Tally t = compare(table);
    System.out.printf("%s: %d stops, %d frames judged, %d agree with gdb, %d reliable (%d returning past their"
        + " function's end); %d PAC-signed return addresses read; unreliable: %s%n", getClass().getSimpleName(), t.stops,
        t.frames, t.agreed, t.reliable, t.pastEnd, t.signed, t.unreliable);
    if (pacRet()) {
      assertTrue(t.signed >= t.stops, "only " + t.signed + " return addresses with a PAC at " + t.stops + " stops");
    } else {
      assertEquals(0, t.signed, "return addresses with bits above the address");
    }
    assertTrue(t.stops >= 300, "only " + t.stops + " stops");
    assertTrue(t.frames >= 2000, "only " + t.frames + " frames");
    // both verdicts occur, for several reasons (prologue, epilogue, leaf)
    assertTrue(t.reliable >= t.frames / 2 && t.frames - t.reliable >= 50, t.toString());
    assertTrue(t.unreliable.size() >= 3, "reasons " + t.unreliable);
    assertTrue(t.pastEnd >= 5, t.pastEnd + " frames returning past a noreturn call at their function's end");
    tally().add(t.frames, t.agreed);
    assertEquals(t.frames, t.agreed, "disagreements:\n" + String.join("\n", t.bad));
  }

  /** The comparison notices a wrong table: every call frame's sp offset 16 too large. */
  @Test
  void aWrongTableDisagrees() {
    Tally t = compare(mapEntries(table, e -> e.kind() == OrcType.CALL && e.spOffset() != 0
        ? new OrcEntry(FORMAT, (short) (e.spOffset() + 16), e.bpOffset(), e.flags()) : e));
    assertTrue(t.frames - t.agreed > t.stops / 4, (t.frames - t.agreed) + " disagreements at " + t.stops + " stops");
  }

  static OrcTable mapEntries(OrcTable t, UnaryOperator<OrcEntry> f) {
    long[] ips = new long[t.size()];
    OrcEntry[] entries = new OrcEntry[t.size()];
    for (int i = 0; i < t.size(); i++) {
      ips[i] = t.ip(i);
      entries[i] = f.apply(t.entry(i));
    }
    return OrcTable.of(FORMAT, ips, entries);
  }

  Tally compare(OrcTable t) {
    FramePointerCheck check = new FramePointerCheck(t, arch());
    long lo = t.ip(0), hi = t.ip(t.size() - 1);
    int frames = 0, agreed = 0, reliable = 0, pastEnd = 0, signed = 0;
    Map<String, Integer> unreliable = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    for (Stop s : stops) {
      byte[] bytes = Arrays.copyOfRange(stackBytes, s.offset(), s.offset() + s.length());
      ByteArrayMemory mem = new ByteArrayMemory().add(s.rsp(), bytes);
      List<FpFrame> chain = check.chain(mem, s.rip(), s.rbp(), MAX_FRAMES);
      for (int k = 1; k < chain.size(); k++) {
        long saved = mem.read64(chain.get(k - 1).bp() + 8);
        if (saved != chain.get(k).ip()) signed++; // a return address that carried a PAC
      }
      Report r = check.check(new Regs(s.rip(), s.rsp(), s.rbp()), mem, MAX_FRAMES);
      List<GdbFrame> real = s.frames().stream().filter(f -> f.kind().equals("normal")).toList();
      for (int k = 0; k < r.verdicts().size(); k++) {
        Verdict v = r.verdicts().get(k);
        assertEquals(chain.get(k), v.frame(), s.tag() + ": the check's frame " + k + " is the walk's");
        long pc = v.frame().ip();
        // outside our code (libc, no ORC); a return address may be just past its call's function
        if (Long.compareUnsigned((k == 0 ? pc : pc - 1) - lo, hi - lo) >= 0) break;
        frames++;
        Map.Entry<Long, Long> fn = functions.floorEntry(pc - 1);
        if (k > 0 && fn != null && fn.getValue() == pc) pastEnd++; // a noreturn call ends the caller
        boolean agree = k + 1 < chain.size() && k + 1 < real.size() && chain.get(k + 1).ip() == real.get(k + 1).pc()
            && chain.get(k + 1).bp() == real.get(k + 1).fp() && real.get(k).pc() == pc;
        if (v.reliable()) reliable++;
        else unreliable.merge(v.why() + " " + (k == 0 ? position(t, pc) : "caller"), 1, Integer::sum);
        if (agree == v.reliable()) {
          agreed++;
        } else if (bad.size() < 10) {
          bad.add("  " + s.tag() + " pc 0x" + Long.toHexString(s.rip()) + " frame " + k + ": check says "
              + (v.reliable() ? "reliable" : v.reason()) + ", fp unwind " + (agree ? "agrees" : "disagrees")
              + "; gdb " + real.subList(Math.min(real.size(), k), Math.min(real.size(), k + 2)) + ", chain "
              + chain.subList(k, Math.min(chain.size(), k + 2)));
        }
      }
    }
    return new Tally(stops.size(), frames, agreed, reliable, pastEnd, signed, unreliable, bad);
  }

  /**
   * Where in its function a stop is, by the function's entries: its first instruction, a leaf
   * (no entry saves the caller's frame pointer), the prologue (before the first entry with the
   * cfa fp-based) or the epilogue (after one).
   */
  String position(OrcTable t, long pc) {
    Map.Entry<Long, Long> fn = functions.floorEntry(pc);
    if (fn == null || Long.compareUnsigned(pc, fn.getValue()) >= 0) return "outside a function";
    if (pc == fn.getKey()) return "function entry";
    boolean saves = false, fpBasedBefore = false;
    for (int i = Math.max(0, t.find(fn.getKey())); i < t.size() && Long.compareUnsigned(t.ip(i), fn.getValue()) < 0; i++) {
      OrcEntry e = t.entry(i);
      if (e.kind() != OrcType.CALL) continue;
      saves |= e.bpReg() == io.objtool.orc.OrcReg.PREV_SP;
      // arm64's FP (3) and x86's BP (4) codes
      boolean fpBased = e.spReg() != null && e.spReg().code() == (arch() == FramePointerCheck.Arch.ARM64 ? 3 : 4);
      if (fpBased && Long.compareUnsigned(t.ip(i), pc) <= 0) fpBasedBefore = true;
    }
    return !saves ? "leaf" : fpBasedBefore ? "epilogue" : "prologue";
  }
}
