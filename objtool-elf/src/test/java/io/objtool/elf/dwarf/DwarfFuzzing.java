package io.objtool.elf.dwarf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import io.objtool.elf.MalformedElfException;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the DWARF fuzz targets share: the seeds (objects gcc compiles at fuzz time with {@code -g}
 * and unwind tables, and their frame and line sections as raw inputs), the synthetic object the
 * raw-section target wraps its bytes in, and the checks run on whatever the readers return.
 */
final class DwarfFuzzing {
  /** The name every fuzzed object is read under: messages must start with it. */
  static final Path NAME = Path.of("fuzz.o");
  /** Where the synthetic object's {@code .text} (NOBITS) starts, and how long it is. */
  static final long TEXT_ADDR = 0x10000, TEXT_SIZE = 0x100000;
  /** Where the synthetic object's {@code .eh_frame} is loaded (pc-relative pointers are relative to it). */
  static final long EH_ADDR = 0x200000;
  /** Longest text the readers may make of one rule: the expression terms are bounded. */
  static final int MAX_RULE_TEXT = 8192;

  /** gcc flag sets of the seeds: unwind tables and line tables of every shape the readers handle. */
  static final List<List<String>> FLAGS = List.of(
      List.of("-O2", "-g", "-fasynchronous-unwind-tables"),
      List.of("-O2", "-g", "-fasynchronous-unwind-tables", "-fno-omit-frame-pointer", "-ffunction-sections"),
      List.of("-O2", "-g", "-fasynchronous-unwind-tables", "-mno-red-zone", "-mpreferred-stack-boundary=3", "-mstackrealign"),
      List.of("-O2", "-gdwarf-4", "-fasynchronous-unwind-tables", "-fexceptions"),
      List.of("-O0", "-gdwarf-5", "-fno-asynchronous-unwind-tables", "-fno-exceptions"));
  /** The cross compiler's flag set (when it is installed): return-address signing in the CFI. */
  static final List<String> ARM64_FLAGS = List.of("-O2", "-g", "-fasynchronous-unwind-tables", "-mbranch-protection=standard");
  static final String ARM64_GCC = "aarch64-linux-gnu-gcc";

  private DwarfFuzzing() {}

  // ---- seeds ----

  /** Compiles the fixture {@code dwarf/frames.c} under every flag set into {@code dir}; returns the objects. */
  static List<Path> compileSeeds(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path src = dir.resolve("frames.c");
    try (InputStream in = DwarfFuzzing.class.getResourceAsStream("/fixtures/dwarf/frames.c")) {
      Files.copy(in, src, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < FLAGS.size(); i++) out.add(compile("gcc", FLAGS.get(i), src, dir.resolve("frames-" + i + ".o")));
    if (Oracles.runs(ARM64_GCC, "--version")) out.add(compile(ARM64_GCC, ARM64_FLAGS, src, dir.resolve("frames-arm64.o")));
    return out;
  }

  private static Path compile(String cc, List<String> flags, Path src, Path obj) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(cc, "-c"));
    cmd.addAll(flags);
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + log);
    return obj;
  }

  /** The raw-section inputs of {@code obj}: one per frame section it has, with its line sections. */
  static List<byte[]> rawSeeds(Path obj) {
    List<byte[]> out = new ArrayList<>();
    try (ElfFile elf = ElfFile.open(obj)) {
      boolean arm64 = elf.machine() == 183;
      byte[] line = relocated(elf.section(".debug_line"), 0);
      byte[] lineStr = relocated(elf.section(".debug_line_str"), 0);
      for (String frame : new String[] {".eh_frame", ".debug_frame"}) {
        Section s = elf.section(frame);
        if (s == null) continue;
        boolean debug = frame.equals(".debug_frame");
        out.add(raw(debug, arm64, relocated(s, debug ? 0 : EH_ADDR), lineStr, line));
      }
    }
    return out;
  }

  /**
   * The bytes of {@code s} with its relocations applied as a link would, every code section
   * placed at {@link #TEXT_ADDR} and {@code s} at {@code addr}: the synthetic object has no
   * relocations, so the addresses must be in the bytes.
   */
  private static byte[] relocated(Section s, long addr) {
    if (s == null) return new byte[0];
    byte[] b = s.data().toArray(JAVA_BYTE);
    Relocations r = s.relocations();
    if (r == null) return b;
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < r.count(); i++) {
      Symbol sym = r.symbol(i);
      long value = sym.value() + (sym.section() != null && sym.section().isExecutable() ? TEXT_ADDR : 0) + r.addend(i);
      long at = r.offset(i);
      switch (r.type(i)) {
        case 1, 257 -> { if (at + 8 <= b.length) bb.putLong((int) at, value); }                 // R_X86_64_64, R_AARCH64_ABS64
        case 10, 11, 258 -> { if (at + 4 <= b.length) bb.putInt((int) at, (int) value); }       // R_X86_64_32(S), R_AARCH64_ABS32
        case 2, 261 -> { if (at + 4 <= b.length) bb.putInt((int) at, (int) (value - addr - at)); } // R_X86_64_PC32, R_AARCH64_PREL32
        default -> { }
      }
    }
    return b;
  }

  /** Writes the seeds into {@code args[0]} (objects) and {@code args[1]} (raw sections): scripts/fuzz.sh. */
  public static void main(String[] args) throws Exception {
    Path objects = Path.of(args[0]);
    Path raws = Path.of(args[1]);
    Files.createDirectories(raws);
    for (Path o : compileSeeds(objects)) {
      int i = 0;
      for (byte[] r : rawSeeds(o)) Files.write(raws.resolve(o.getFileName() + "-" + i++), r);
    }
    Files.deleteIfExists(objects.resolve("frames.c"));
  }

  // ---- the raw-section input ----

  /**
   * A raw-section input: a selector byte (bit 0: the frame section is {@code .debug_frame}, else
   * {@code .eh_frame}; bit 1: an AArch64 object, else x86-64), the lengths of the frame section
   * and of {@code .debug_line_str} (16 bits each, little-endian), those two sections' bytes, and
   * {@code .debug_line}'s: the rest.
   */
  static byte[] raw(boolean debugFrame, boolean arm64, byte[] frame, byte[] lineStr, byte[] line) {
    int f = Math.min(frame.length, 0xffff);
    int l = Math.min(lineStr.length, 0xffff);
    ByteBuffer b = ByteBuffer.allocate(5 + f + l + line.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) ((debugFrame ? 1 : 0) | (arm64 ? 2 : 0))).putShort((short) f).putShort((short) l);
    b.put(frame, 0, f).put(lineStr, 0, l).put(line);
    return b.array();
  }

  /** The synthetic object of a raw-section input, or null when the input is too short. */
  static byte[] objectOf(byte[] data) {
    if (data.length < 5) return null;
    boolean debugFrame = (data[0] & 1) != 0;
    boolean arm64 = (data[0] & 2) != 0;
    int at = 5;
    int f = Math.min((data[1] & 0xff) | (data[2] & 0xff) << 8, data.length - at);
    byte[] frame = java.util.Arrays.copyOfRange(data, at, at + f);
    at += f;
    int l = Math.min((data[3] & 0xff) | (data[4] & 0xff) << 8, data.length - at);
    byte[] lineStr = java.util.Arrays.copyOfRange(data, at, at + l);
    at += l;
    byte[] line = java.util.Arrays.copyOfRange(data, at, data.length);
    return object(debugFrame, arm64, frame, lineStr, line);
  }

  /**
   * A relocatable object of sections {@code .text} (NOBITS at {@link #TEXT_ADDR}), the frame
   * section ({@code .eh_frame} allocated at {@link #EH_ADDR}, or {@code .debug_frame}),
   * {@code .debug_line}, {@code .debug_line_str} and {@code .shstrtab}.
   */
  static byte[] object(boolean debugFrame, boolean arm64, byte[] frame, byte[] lineStr, byte[] line) {
    String frameName = debugFrame ? ".debug_frame" : ".eh_frame";
    String names = "\0.text\0" + frameName + "\0.debug_line\0.debug_line_str\0.shstrtab\0";
    byte[] shstr = names.getBytes(StandardCharsets.ISO_8859_1);
    int[] nameAt = new int[6];
    int k = 1;
    for (int i = 1; i < 6; i++) {
      nameAt[i] = k;
      k = names.indexOf('\0', k) + 1;
    }
    byte[][] data = {null, null, frame, line, lineStr, shstr};
    long dataEnd = 64;
    long[] off = new long[6];
    for (int i = 2; i < 6; i++) {
      off[i] = dataEnd;
      dataEnd += data[i].length;
    }
    long shoff = (dataEnd + 7) & ~7L;
    ByteBuffer b = ByteBuffer.allocate((int) shoff + 6 * 64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
    b.putShort((short) 1).putShort((short) (arm64 ? 183 : 62)).putInt(1).putLong(0).putLong(0).putLong(shoff)
        .putInt(0).putShort((short) 64).putShort((short) 0).putShort((short) 0).putShort((short) 64)
        .putShort((short) 6).putShort((short) 5);
    for (int i = 2; i < 6; i++) b.put((int) off[i], data[i]);
    b.position((int) shoff);
    b.put(new byte[64]);
    header(b, nameAt[1], 8, 6, TEXT_ADDR, off[2], TEXT_SIZE, 16, 0);                       // .text: NOBITS, AX
    header(b, nameAt[2], 1, debugFrame ? 0 : 2, debugFrame ? 0 : EH_ADDR, off[2], frame.length, 8, 0);
    header(b, nameAt[3], 1, 0, 0, off[3], line.length, 1, 0);
    header(b, nameAt[4], 1, 0x30, 0, off[4], lineStr.length, 1, 1);                         // MS
    header(b, nameAt[5], 3, 0, 0, off[5], shstr.length, 1, 0);
    return b.array();
  }

  private static void header(ByteBuffer b, int name, int type, long flags, long addr, long off, long size, long align, long entsize) {
    b.putInt(name).putInt(type).putLong(flags).putLong(addr).putLong(off).putLong(size).putInt(0).putInt(0)
        .putLong(align).putLong(entsize);
  }

  // ---- the checks ----

  /** Opens {@code bytes} as {@link #NAME} and reads its DWARF; a refused object must say so in one line. */
  static void readObject(byte[] bytes) {
    ElfFile elf;
    try {
      elf = ElfFile.parse(NAME, bytes);
    } catch (MalformedElfException e) {
      checkOneLine(e);
      return;
    }
    try (elf) {
      readAll(elf);
    }
  }

  /** What the readers found (for the seeds' tests): FDEs, their rows, whether a code offset had a line, whether anything was malformed. */
  record Found(int fdes, int rows, boolean lines, boolean malformed) { }

  /**
   * Reads every FDE's rows and looks up the line of every 4th byte of the code sections' first
   * 4 KiB (and their ends). Malformed frame sections and programs must raise
   * {@link MalformedElfException} in one line naming the file; the line table never throws for
   * its own sections.
   */
  static Found readAll(ElfFile elf) {
    int machine = elf.machine();
    int fdes = 0, rows = 0;
    boolean malformed = false;
    FrameInfo info = null;
    try {
      info = FrameInfo.read(elf);
    } catch (MalformedElfException e) {
      checkOneLine(e);
      malformed = true;
    }
    if (info != null) {
      for (Fde f : info.fdes()) {
        fdes++;
        List<CfiRow> r;
        try {
          r = f.rows();
        } catch (MalformedElfException e) {
          checkOneLine(e);
          malformed = true;
          continue;
        }
        rows += r.size();
        checkRows(f, r, machine);
      }
      for (Cie c : info.cies()) {
        if (c.augmentation().length() > c.section().size()) throw new AssertionError("augmentation longer than its section");
      }
    }
    LineTable lines;
    try {
      lines = LineTable.of(elf);
    } catch (MalformedElfException e) {
      // the object's relocations, refused by the ELF reader
      checkOneLine(e);
      return new Found(fdes, rows, false, true);
    }
    boolean any = false;
    for (Section s : elf.sections()) {
      if (!s.isExecutable()) continue;
      long size = s.size();
      for (long off = 0; off < Math.min(size, 4096); off += 4) any |= lines.find(s, off) != null;
      for (long off : new long[] {size - 1, size, -1, Long.MAX_VALUE, Long.MIN_VALUE}) lines.find(s, off);
    }
    if (any && lines.isEmpty()) throw new AssertionError("an empty line table found a line");
    return new Found(fdes, rows, any, malformed);
  }

  private static void checkRows(Fde f, List<CfiRow> rows, int machine) {
    if (rows.isEmpty()) throw new AssertionError(f + ": no rows");
    if (rows.getFirst().offset() != f.start()) throw new AssertionError(f + ": the first row is at 0x" + Long.toHexString(rows.getFirst().offset()));
    long prev = f.start();
    for (CfiRow r : rows) {
      if (Long.compareUnsigned(r.offset(), prev) < 0) throw new AssertionError(f + ": rows go backwards at 0x" + Long.toHexString(r.offset()));
      prev = r.offset();
      text(f, r.cfa().format(machine));
      if (r.cfa().isExpression()) text(f, r.cfa().expr().toString());
      r.regs().forEach((reg, rule) -> {
        if (reg < 0 || reg > 0xffff) throw new AssertionError(f + ": register " + reg);
        text(f, rule.format(machine));
      });
      if (Long.compareUnsigned(r.offset() - f.start(), f.length()) < 0) {
        CfiRow at = f.rowAt(r.offset());
        if (at == null || at.offset() != r.offset()) throw new AssertionError(f + ": rowAt(0x" + Long.toHexString(r.offset()) + ") is " + at);
      }
    }
    if (f.rowAt(f.start() - 1) != null) throw new AssertionError(f + ": a row before its start");
    if (f.rowAt(f.end()) != null) throw new AssertionError(f + ": a row at its end");
  }

  private static void text(Fde f, String s) {
    if (s.length() > MAX_RULE_TEXT || s.indexOf('\n') >= 0) throw new AssertionError(f + ": a rule of " + s.length() + " characters");
  }

  static void checkOneLine(ElfException e) {
    String m = e.getMessage();
    if (m == null || !m.startsWith(NAME + ": ") || m.indexOf('\n') >= 0) {
      throw new AssertionError("not a one-line message naming the file: " + m);
    }
  }

  /** Reads a file, unchecked. */
  static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
