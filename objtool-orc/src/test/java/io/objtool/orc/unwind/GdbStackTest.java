package io.objtool.orc.unwind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.Elf;
import io.objtool.testkit.Oracles;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.orc.Fixtures;
import io.objtool.orc.OrcDump;
import io.objtool.orc.OrcEntry;
import io.objtool.orc.OrcFormat;
import io.objtool.orc.OrcType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unwinder on real stacks, checked against gdb. A small C program (resources
 * {@code gdbstack/stack-a.c}, {@code stack-b.c}: deep and recursive chains, leaves, alloca, a VLA,
 * a realigned frame, stack arguments, sibling and indirect calls) is compiled with
 * {@code -O2 -fomit-frame-pointer}; our {@code --orc --link} (the check and the ORC generator, in
 * process) adds ORC to each object
 * (and must agree with the reference objtool when it is installed); the objects are linked
 * {@code -no-pie}. gdb runs the program with {@code gdbstack/gdb-stack.py}, which stops at
 * breakpoints and steps instruction by instruction from some of them, and records at each stop
 * rip, rsp, rbp, the stack bytes from rsp to the top and gdb's backtrace (gdb unwinds with the
 * DWARF CFI that {@code -g -fasynchronous-unwind-tables} put in the objects, which objtool leaves
 * alone). Our side unwinds each snapshot with the executable's ORC table only, and must give
 * gdb's frames, pc for pc and function for function, up to main and main's return address
 * into libc, where the unwind has to stop (libc has no ORC).
 */
class GdbStackTest {
  static final OrcFormat FORMAT = OrcFormat.CURRENT;
  static final List<String> SOURCES = List.of("stack-a.c", "stack-b.c");
  static final List<String> CFLAGS = List.of("-O2", "-fomit-frame-pointer", "-g", "-fasynchronous-unwind-tables",
      "-fno-stack-protector", "-fcf-protection=none", "-fno-stack-clash-protection");

  @TempDir static Path dir;

  static List<Path> objects = new ArrayList<>();
  /** What our objtool printed on stderr for each object. */
  static Map<Path, String> warnings = new HashMap<>();
  static Path exe;
  static OrcTable table;
  static List<Stop> stops;
  private static final Oracles.Tally GDB_OBJECTS = Oracles.tally("gdb-program-orc",
      "objects' ORC and warnings (objtool 6.12, the gdb test program)");
  static byte[] stackBytes;

  /** One frame of gdb's backtrace, with the frame pointer (rbp, x29) gdb unwound for it (0 when it could not). */
  record GdbFrame(long pc, String kind, long fp, String name) {}

  /** One stop: where, the stack bytes (at offset/length in stacks.bin), and gdb's backtrace. */
  record Stop(String tag, long rip, long rsp, long rbp, int offset, int length, List<GdbFrame> frames, String end) {
    byte[] stack() {
      byte[] b = new byte[length];
      System.arraycopy(stackBytes, offset, b, 0, length);
      return b;
    }
  }

  @BeforeAll
  static void build() throws IOException {
    Oracles.require(Fixtures.haveGcc(), "gcc (Debian: gcc)");
    Oracles.require(works(List.of("gdb", "--version")), "gdb (Debian: gdb)");
    for (String r : List.of("stack-a.c", "stack-b.c", "gdb-stack.py")) {
      try (InputStream in = GdbStackTest.class.getResourceAsStream("/gdbstack/" + r)) {
        assertNotNull(in, r);
        Files.copy(in, dir.resolve(r), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (String src : SOURCES) {
      Path o = dir.resolve(src.replace(".c", ".o"));
      List<String> cc = new ArrayList<>(List.of("gcc", "-c"));
      cc.addAll(CFLAGS);
      cc.addAll(List.of(dir.resolve(src).toString(), "-o", o.toString()));
      Fixtures.run(cc);
      Files.copy(o, dir.resolve("ref-" + o.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      objects.add(o);
      warnings.put(o, generateOrc(o));
    }
    exe = Fixtures.link(dir.resolve("stack-prog"), objects, "-no-pie");
    try (ElfFile f = openImage()) {
      table = OrcTableLoader.load(f, FORMAT);
    }
    Path out = Files.createDirectories(dir.resolve("gdb-out"));
    Result g = run(List.of("gdb", "-nx", "-batch", "-x", dir.resolve("gdb-stack.py").toString(), exe.toString()),
        Map.of("GDBSTACK_OUT", out.toString(), "GDBSTACK_LO", Long.toHexString(table.ip(0)),
            "GDBSTACK_HI", Long.toHexString(table.ip(table.size() - 1))), 240);
    String all = g.out + g.err;
    Oracles.require(!all.contains("ptrace: Operation not permitted") && !all.contains("Could not trace the inferior"),
        "a gdb that may trace processes here: " + all);
    Oracles.require(!all.contains("Python scripting is not supported"), "gdb with Python (Debian: gdb)");
    assertTrue(g.status == 0 && !all.contains("Python Exception") && !all.contains("Error occurred in Python"),
        "gdb script failed:\n" + g);
    stops = parse(Files.readAllLines(out.resolve("stops.txt")));
    stackBytes = Files.readAllBytes(out.resolve("stacks.bin"));
  }

  /**
   * {@code objtool --orc --link} on {@code obj}, in process: the check with the ORC generator,
   * then the object rewritten. Returns the warnings as the command line prints them.
   */
  static String generateOrc(Path obj) {
    io.objtool.api.Options opts = io.objtool.api.Options.of(obj, "orc", "link");
    try (ElfFile elf = ElfFile.open(obj)) {
      io.objtool.api.Diagnostics diag = new io.objtool.api.Diagnostics(obj.toString(), false);
      io.objtool.api.ObjtoolFile file = new io.objtool.api.ObjtoolFile(elf, opts,
          io.objtool.api.arch.Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
      new io.objtool.check.Checker(file, List.of(new io.objtool.check.passes.StackValidationPass(),
          new io.objtool.check.passes.StackStatePass(), new io.objtool.orc.gen.OrcGenerator(FORMAT))).run();
      if (file.changed()) io.objtool.elf.edit.ElfEdit.write(elf, obj);
      StringBuilder w = new StringBuilder();
      for (io.objtool.api.Warning x : diag.warnings()) w.append(x.line()).append('\n');
      return w.toString();
    }
  }

  /** Our ORC (per object) is the reference objtool's, by the reference's own --dump=orc. */
  @Test
  void orcIsTheReferences() throws IOException {
    Path ref = Oracles.requireReference(FORMAT.version());
    for (Path o : objects) {
      Path refObj = o.resolveSibling("ref-" + o.getFileName());
      Result made = run(List.of(ref.toString(), "--orc", "--link", refObj.toString()), Map.of(), 120);
      assertEquals(0, made.status, made.toString());
      assertEquals(made.err.replace(refObj.toString(), o.toString()), warnings.get(o), o + ": warnings");
      Result theirs = run(List.of(ref.toString(), "--dump=orc", refObj.toString()), Map.of(), 120);
      Result ours = run(List.of(ref.toString(), "--dump=orc", o.toString()), Map.of(), 120);
      assertEquals(0, theirs.status, theirs.toString());
      assertTrue(theirs.out.lines().count() > 30, o + ": a short table?\n" + theirs.out);
      assertEquals(theirs.out, ours.out, o + ": orc differs from the reference's");
      try (ElfFile f = ElfFile.open(o)) {
        assertEquals(theirs.out, OrcDump.toString(f, FORMAT), o + ": our --dump=orc");
      }
      GDB_OBJECTS.add(1, 1);
    }
  }

  /**
   * The linker kept both sections and applied the relocations: the executable's table is the
   * union of the objects' tables, each object's code sections at their linked addresses.
   */
  @Test
  void linkedTableIsTheObjectsTables() {
    List<String> expected = new ArrayList<>();
    long orcBytes = 0;
    try (ElfFile img = openImage()) {
      for (Path o : objects) {
        try (ElfFile f = ElfFile.open(o)) {
          orcBytes += f.section(".orc_unwind").size();
          SectionLayout layout = SectionLayout.empty();
          Relocations r = f.section(".orc_unwind_ip").relocations();
          Set<Section> placed = new HashSet<>();
          for (int k = 0; k < r.count(); k++) {
            Section s = r.symbol(k).section();
            if (!placed.add(s)) continue;
            Symbol fn = s.symbols().functions().getFirst();
            layout.place(s, img.symbol(fn.name()).value() - fn.value());
          }
          OrcTable t = OrcTableLoader.relocatable(f, FORMAT, layout);
          for (int i = 0; i < t.size(); i++) expected.add(line(t, i));
        }
      }
      assertEquals(orcBytes, img.section(".orc_unwind").size());
      assertTrue(img.section(".orc_unwind").isAlloc() && img.section(".orc_unwind_ip").isAlloc());
    }
    List<String> actual = new ArrayList<>();
    for (int i = 0; i < table.size(); i++) actual.add(line(table, i));
    expected.sort(null);
    actual.sort(null);
    assertEquals(expected, actual);
    // main (in .text.startup) and fib (in .text of the other object) have their entries
    try (ElfFile img = openImage()) {
      for (String fn : List.of("main", "fib", "leaf_a")) {
        long at = img.symbol(fn).value();
        int i = table.find(at);
        assertTrue(i >= 0 && table.ip(i) == at && table.entry(i).kind() == OrcType.CALL, fn);
      }
    }
  }

  /**
   * The executable for our ELF reader, which takes every SHT_RELA section for one against the
   * symtab: the dynamic relocation sections ({@code .rela.dyn}, {@code .rela.plt}, against
   * {@code .dynsym}) are retyped to PROGBITS in a copy of the bytes; nothing else changes.
   */
  static ElfFile openImage() {
    return openImage(exe);
  }

  /** {@link #openImage()} for any linked executable. */
  static ElfFile openImage(Path exe) {
    try {
      byte[] b = Files.readAllBytes(exe);
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      long shoff = bb.getLong(0x28);
      int shentsize = bb.getShort(0x3a) & 0xffff, shnum = bb.getShort(0x3c) & 0xffff;
      for (int i = 0; i < shnum; i++) {
        int h = Math.toIntExact(shoff + (long) i * shentsize);
        int link = bb.getInt(h + 0x28);
        if (bb.getInt(h + 4) == Elf.SHT_RELA && link < shnum
            && bb.getInt(Math.toIntExact(shoff + (long) link * shentsize) + 4) == SHT_DYNSYM) {
          bb.putInt(h + 4, Elf.SHT_PROGBITS);
        }
      }
      return ElfFile.parse(exe, b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static final int SHT_DYNSYM = 11;

  private static String line(OrcTable t, int i) {
    return Long.toHexString(t.ip(i)) + " " + t.entry(i);
  }

  /** What comparing one stop found. */
  record Check(boolean match, int frames, String why) {}

  /** The heart of it: at every stop our ORC unwind gives gdb's backtrace. */
  @Test
  void unwindMatchesGdbAtEveryStop() {
    FastLookup fast = FastLookup.build(table);
    int compared = 0, matched = 0, frames = 0, virtual = 0, maxDepth = 0;
    Set<Long> rips = new HashSet<>();
    Set<String> shapes = new HashSet<>(); // the cfa rules in force at the stops (sp+8, sp+224, bp+16...)
    List<String> bad = new ArrayList<>();
    Map<StopReason, Integer> reasons = new java.util.TreeMap<>();
    try (ElfFile img = openImage()) {
      for (Stop s : stops) {
        virtual += (int) s.frames.stream().filter(f -> !f.kind.equals("normal")).count();
        ByteArrayMemory mem = new ByteArrayMemory().add(s.rsp, s.stack());
        Frame start = OrcUnwinder.at(s.rip, s.rsp, s.rbp);
        Unwind u = new OrcUnwinder(table, mem).unwind(start);
        assertEquals(u, new OrcUnwinder(fast, mem).unwind(start), "fast lookup at " + s.tag);
        Check c = compare(img, s, u);
        reasons.merge(u.reason(), 1, Integer::sum);
        compared++;
        rips.add(s.rip);
        shapes.add(table.entry(table.find(s.rip)).toString().replaceAll(" signal:.*", ""));
        if (c.match) {
          matched++;
          frames += c.frames;
          maxDepth = Math.max(maxDepth, c.frames);
        } else if (bad.size() < 8) {
          bad.add(c.why);
        }
      }
    }
    System.out.printf("GdbStackTest: %d stops compared, %d matched (%d distinct rips, %d cfa rules, %d frames,"
        + " deepest %d; %d inline/tail-call frames of gdb's skipped; stops %s)%n", compared, matched, rips.size(),
        shapes.size(), frames, maxDepth, virtual, reasons);
    assertTrue(compared >= 100, "only " + compared + " stops");
    assertTrue(rips.size() >= 100, "only " + rips.size() + " distinct rips");
    assertTrue(maxDepth >= 30, "deepest backtrace " + maxDepth);
    assertTrue(shapes.size() >= 10 && shapes.stream().anyMatch(x -> x.contains("sp:bp+")), "cfa rules " + shapes);
    Oracles.tally("gdb-unwind", "stops' backtraces (ORC unwinder vs gdb's DWARF unwind)").add(compared, matched);
    assertEquals(compared, matched, "mismatches:\n" + String.join("\n", bad));
  }

  /** The comparison notices a wrong table: one call-frame offset off by 8 breaks many stops. */
  @Test
  void aWrongTableDoesNotMatch() {
    long[] ips = new long[table.size()];
    OrcEntry[] entries = new OrcEntry[table.size()];
    int changed = 0;
    for (int i = 0; i < table.size(); i++) {
      ips[i] = table.ip(i);
      OrcEntry e = table.entry(i);
      if (e.kind() == OrcType.CALL && e.spOffset() == 16) {
        e = new OrcEntry(FORMAT, (short) 24, e.bpOffset(), e.flags());
        changed++;
      }
      entries[i] = e;
    }
    assertTrue(changed > 5, "changed " + changed);
    OrcTable wrong = OrcTable.of(FORMAT, ips, entries);
    int mismatches = 0;
    try (ElfFile img = openImage()) {
      for (Stop s : stops) {
        Unwind u = new OrcUnwinder(wrong, new ByteArrayMemory().add(s.rsp, s.stack())).unwind(OrcUnwinder.at(s.rip, s.rsp, s.rbp));
        if (!compare(img, s, u).match) mismatches++;
      }
    }
    assertTrue(mismatches > stops.size() / 4, mismatches + " of " + stops.size());
  }

  /**
   * gdb's real frames (inline and tail-call frames are gdb's reconstructions, not on the stack)
   * up to main and one more (main's return into libc) against ours: same pcs, same function
   * names, and our unwind ends right there, in code without ORC.
   */
  static Check compare(ElfFile img, Stop s, Unwind u) {
    List<GdbFrame> real = s.frames.stream().filter(f -> f.kind.equals("normal")).toList();
    int main = -1;
    for (int i = 0; i < real.size(); i++) {
      if (real.get(i).name.equals("main")) {
        main = i;
        break;
      }
    }
    String where = s.tag + " rip 0x" + Long.toHexString(s.rip) + ": ";
    if (main < 0 || main + 1 >= real.size()) return new Check(false, 0, where + "gdb's backtrace has no main and caller: " + real);
    List<GdbFrame> want = real.subList(0, main + 2);
    List<Frame> got = u.frames();
    StringBuilder diff = new StringBuilder();
    for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
      GdbFrame w = i < want.size() ? want.get(i) : null;
      Frame g = i < got.size() ? got.get(i) : null;
      String ours = g == null ? "-" : "0x" + Long.toHexString(g.ip()) + " " + name(img, g.ip(), i > 0);
      String theirs = w == null ? "-" : "0x" + Long.toHexString(w.pc) + " " + w.name;
      boolean same = w != null && g != null && w.pc == g.ip() && (i > main || base(w.name).equals(base(name(img, g.ip(), i > 0))));
      if (!same) diff.append("\n    #").append(i).append(" gdb ").append(theirs).append(" | orc ").append(ours);
    }
    boolean stopped = u.reason() == StopReason.UNDEFINED_ORC || u.reason() == StopReason.NO_ORC_ENTRY;
    if (!stopped) diff.append("\n    stop ").append(u.reason()).append(": ").append(u.message());
    if (diff.isEmpty()) return new Check(true, want.size(), null);
    return new Check(false, want.size(), where + diff);
  }

  /** The function containing {@code pc} (pc - 1 for a return address) in the executable's symtab. */
  static String name(ElfFile img, long pc, boolean returnAddress) {
    long at = returnAddress ? pc - 1 : pc;
    for (Section sec : img.sections()) {
      if (sec.isExecutable() && Long.compareUnsigned(at - sec.addr(), sec.size()) < 0) {
        Symbol f = sec.symbols().functionContaining(at);
        return f == null ? "??" : f.name();
      }
    }
    return "??";
  }

  /** A function's name without a gcc suffix ({@code .cold}, {@code .part.0}, {@code .constprop.0}). */
  static String base(String name) {
    int dot = name.indexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  static List<Stop> parse(List<String> lines) {
    List<Stop> out = new ArrayList<>();
    String[] head = null;
    List<GdbFrame> frames = null;
    for (String l : lines) {
      String[] w = l.split(" ", 5);
      switch (w[0]) {
        case "stop" -> {
          head = l.split(" ");
          frames = new ArrayList<>();
        }
        case "frame" -> frames.add(new GdbFrame(hex(w[1]), w[2], hex(w[3]), w[4]));
        case "end" -> out.add(new Stop(head[1], hex(head[2]), hex(head[3]), hex(head[4]), (int) hex(head[5]),
            (int) hex(head[6]), List.copyOf(frames), w[1]));
        default -> throw new IllegalArgumentException("bad line in stops.txt: " + l);
      }
    }
    return out;
  }

  static long hex(String s) {
    return Long.parseUnsignedLong(s, 16);
  }

  /** A finished process. */
  record Result(int status, String out, String err) {
    @Override
    public String toString() {
      return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws IOException {
    return run(dir, cmd, env, timeoutSeconds);
  }

  /** Runs {@code cmd} in {@code workDir} with {@code env} added, gdb kept from downloading debug info. */
  static Result run(Path workDir, List<String> cmd, Map<String, String> env, int timeoutSeconds) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    pb.environment().putAll(env);
    pb.environment().put(OrcFormat.ENV, FORMAT.version());
    pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("DEBUGINFOD_URLS", ""); // gdb: no downloads of libc's debug info
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    String out = drain(p.getInputStream());
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new Result(p.exitValue(), out, err.join());
  }

  private static String drain(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static boolean works(List<String> cmd) {
    try {
      return run(cmd, Map.of(), 60).status == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
