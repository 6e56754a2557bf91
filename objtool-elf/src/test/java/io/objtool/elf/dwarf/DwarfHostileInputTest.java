package io.objtool.elf.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfFile;
import io.objtool.elf.MalformedElfException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile DWARF that costs a naive reader memory or time out of all proportion to its size: each
 * case is a few KB that, read as it was before the limits, built gigabytes (shared operands
 * printed as a tree, rules copied into every row and every remembered state, one long string
 * decoded for every file entry) or overflowed the stack (nested operations). Each must end
 * quickly, allocating at most {@link #BYTES_PER_INPUT_BYTE} bytes per input byte (plus 16 MiB),
 * with the documented result: an opaque term, a {@link MalformedElfException}, or no lines.
 */
class DwarfHostileInputTest {
  static final long BYTES_PER_INPUT_BYTE = 2000;

  // ---- .eh_frame ----

  /** A CIE (zR, pc-relative sdata4 pointers, cfa rsp+8, rip at cfa-8) and one FDE per program. */
  static byte[] ehFrame(byte[]... fdePrograms) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] cieBody = {0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0x0c, 7, 8, (byte) 0x90, 1};
    entry(out, cieBody);
    for (byte[] p : fdePrograms) {
      int idPos = out.size() + 4;
      ByteBuffer b = ByteBuffer.allocate(4 + 4 + 4 + 1 + p.length).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(idPos).putInt(0).putInt(0x1000).put((byte) 0).put(p);
      entry(out, b.array());
    }
    return out.toByteArray();
  }

  private static void entry(ByteArrayOutputStream out, byte[] body) {
    int len = (body.length + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(4 + len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(len).put(body);
    out.writeBytes(b.array());
  }

  private static byte[] uleb(long v) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    do {
      int x = (int) (v & 0x7f);
      v >>>= 7;
      o.write(v != 0 ? x | 0x80 : x);
    } while (v != 0);
    return o.toByteArray();
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) o.writeBytes(p);
    return o.toByteArray();
  }

  private static byte[] repeat(byte[] unit, int n) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) o.writeBytes(unit);
    return o.toByteArray();
  }

  /** The rows of the frame section's FDEs, in the synthetic object, within the allocation bound. */
  private static List<List<CfiRow>> rows(byte[] frame) {
    byte[] obj = DwarfFuzzing.object(false, false, frame, new byte[0], new byte[0]);
    List<List<CfiRow>>[] out = new List[1];
    long bytes = allocated(() -> {
      try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, obj)) {
        out[0] = FrameInfo.read(elf).fdes().stream().map(Fde::rows).toList();
        for (List<CfiRow> rs : out[0]) {
          for (CfiRow r : rs) {
            r.cfa().format(62);
            if (r.regs().size() <= 64) r.regs().values().forEach(v -> v.format(62));
          }
        }
      }
    });
    assertBounded(bytes, obj.length);
    return out[0];
  }

  private static void assertBounded(long allocated, int inputBytes) {
    assertTrue(allocated < BYTES_PER_INPUT_BYTE * inputBytes + (16 << 20),
        allocated + " bytes allocated for " + inputBytes + " input bytes");
  }

  private static long allocated(Runnable r) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    r.run();
    return mx.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void sharedOperandsDoNotPrintAsAnExponentialTree() {
    // cfa = rsp, then 40 times (dup, plus): a term of 2^41 nodes if printed as a tree
    byte[] expr = cat(new byte[] {0x77, 0}, repeat(new byte[] {0x12, 0x22}, 40));
    List<List<CfiRow>> rows = rows(ehFrame(cat(new byte[] {0x0f}, uleb(expr.length), expr)));
    String cfa = rows.getFirst().getLast().cfa().format(62);
    assertTrue(cfa.startsWith("opaque(term of more than"), cfa);
  }

  @Test
  void smallSharedTermsStayExact() {
    // (rsp + rsp) + (rsp + rsp): 7 nodes
    byte[] expr = {0x77, 0, 0x12, 0x22, 0x12, 0x22};
    List<List<CfiRow>> rows = rows(ehFrame(cat(new byte[] {0x0f}, uleb(expr.length), expr)));
    assertEquals("plus(plus(rsp, rsp), plus(rsp, rsp))", rows.getFirst().getLast().cfa().format(62));
  }

  @Test
  void deeplyNestedOperationsDoNotOverflowTheStack() {
    byte[] expr = cat(new byte[] {0x77, 0}, repeat(new byte[] {0x1f}, 50_000)); // neg(neg(...))
    List<List<CfiRow>> rows = rows(ehFrame(cat(new byte[] {0x0f}, uleb(expr.length), expr)));
    assertTrue(rows.getFirst().getLast().cfa().format(62).startsWith("opaque("));
  }

  /** 3,000 register rules: offset_extended r, 1 for r = 17..3016. */
  private static byte[] manyRules() {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int r = 17; r < 3017; r++) o.writeBytes(cat(new byte[] {0x05}, uleb(r), new byte[] {1}));
    return o.toByteArray();
  }

  @Test
  void rowsShareTheRulesTheyDoNotChange() {
    // 3,000 rules, then 40,000 rows and 20,000 remembered states: 180 million rules if each copied them
    byte[] program = cat(manyRules(), repeat(new byte[] {0x41, 0x41, 0x0a}, 20_000));
    List<List<CfiRow>> rows = rows(ehFrame(program));
    assertEquals(40_001, rows.getFirst().size());
    assertEquals(3001, rows.getFirst().getLast().regs().size());
  }

  @Test
  void aProgramThatChangesAHugeStateInEveryRowIsMalformed() {
    // 3,000 rules, then (advance, change one rule) 20,000 times: every row a new copy of 3,000 rules
    byte[] program = cat(manyRules(), repeat(new byte[] {0x41, (byte) 0x83, 2}, 20_000));
    byte[] obj = DwarfFuzzing.object(false, false, ehFrame(program), new byte[0], new byte[0]);
    try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, obj)) {
      Fde f = FrameInfo.read(elf).fdes().getFirst();
      long bytes = allocated(() -> {
        MalformedElfException e = assertThrows(MalformedElfException.class, f::rows);
        assertTrue(e.getMessage().startsWith("fuzz.o: .eh_frame+0x18: CFA program needs more register rules"), e.getMessage());
      });
      assertBounded(bytes, obj.length);
    }
  }

  @Test
  void compilersProgramsAreWellWithinTheRuleLimit() {
    // a gcc-like epilogue pattern with every callee-saved register: remember, pop, restore
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(new byte[] {0x41, 0x0e, 16, (byte) 0x86, 2, 0x41, 0x0e, 24, (byte) 0x83, 3});
    for (int r : new int[] {12, 13, 14, 15}) p.writeBytes(new byte[] {0x41, 0x0e, (byte) (24 + 8 * (r - 11)), (byte) (0x80 | r), (byte) (r - 8)});
    for (int i = 0; i < 50; i++) p.writeBytes(new byte[] {0x41, 0x0a, 0x0e, 8, (byte) 0xc3, (byte) 0xc6, 0x41, 0x0b});
    List<List<CfiRow>> rows = rows(ehFrame(p.toByteArray()));
    assertEquals(107, rows.getFirst().size());
  }

  @Test
  void aCieProgramIsRunOnceForAllItsFdes() {
    // a CIE whose initial instructions are 30,000 nops, shared by 2,000 FDEs
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] cie = cat(new byte[] {0, 0, 0, 0, 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x1b, 0x0c, 7, 8}, new byte[30_000]);
    entry(out, cie);
    for (int i = 0; i < 2000; i++) {
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(out.size() + 4).putInt(0).putInt(16).put((byte) 0).put(new byte[] {0x41, 0x0e, 16});
      entry(out, b.array());
    }
    long t = System.nanoTime();
    List<List<CfiRow>> rows = rows(out.toByteArray());
    assertEquals(2000, rows.size());
    assertTrue(System.nanoTime() - t < 20_000_000_000L, "60 million CIE instructions run?");
  }

  @Test
  void rowsInACieAndBackwardsRowsAreMalformed() {
    byte[] obj = DwarfFuzzing.object(false, false, ehFrame(new byte[] {0x41, 0x01, 0, 0, 0, 0}), new byte[0], new byte[0]);
    try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, obj)) {
      MalformedElfException e = assertThrows(MalformedElfException.class, () -> FrameInfo.read(elf).fdes().getFirst().rows());
      assertTrue(e.getMessage().contains("DW_CFA_set_loc to 0x"), e.getMessage());
    }
  }

  // ---- .debug_line ----

  /** A version 5 unit: one directory and {@code files} files, every name {@code .debug_line_str}'s string at 0; two rows at .text+0. */
  private static byte[] lineUnit(int files) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.writeBytes(new byte[] {1, 1, 1, (byte) 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1}); // min_inst .. standard_opcode_lengths
    h.writeBytes(new byte[] {1, 1, 0x1f});                    // directory format: path, line_strp
    h.writeBytes(uleb(1));
    h.writeBytes(new byte[4]);
    h.writeBytes(new byte[] {2, 1, 0x1f, 2, 0x0b});           // file format: path line_strp, directory index data1
    h.writeBytes(uleb(files));
    for (int i = 0; i < files; i++) h.writeBytes(new byte[] {0, 0, 0, 0, 0});
    byte[] header = h.toByteArray();
    byte[] program = {0, 9, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0x13, 0x21, 0, 1, 1}; // set_address .text, two rows, end_sequence
    ByteBuffer u = ByteBuffer.allocate(4 + 2 + 2 + 4 + header.length + program.length).order(ByteOrder.LITTLE_ENDIAN);
    u.putInt(2 + 2 + 4 + header.length + program.length).putShort((short) 5).put((byte) 8).put((byte) 0)
        .putInt(header.length).put(header).put(program);
    return u.array();
  }

  @Test
  void fileEntriesNamingOneLongStringAreABudgetNotQuadraticMemory() {
    // 20,000 files whose names are one 60,000-byte string: 2.4 GB of names if each were decoded and joined
    byte[] lineStr = new byte[60_001];
    java.util.Arrays.fill(lineStr, 0, 60_000, (byte) 'a');
    byte[] obj = DwarfFuzzing.object(false, false, new byte[0], lineStr, lineUnit(20_000));
    try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, obj)) {
      LineTable[] t = new LineTable[1];
      long bytes = allocated(() -> t[0] = LineTable.of(elf));
      assertBounded(bytes, obj.length);
      assertTrue(t[0].isEmpty(), "a unit past the name budget is malformed: no rows");
    }
    // the same unit with 3 files is read, and its rows name the long path in the long directory
    byte[] small = DwarfFuzzing.object(false, false, new byte[0], lineStr, lineUnit(3));
    try (ElfFile elf = ElfFile.parse(DwarfFuzzing.NAME, small)) {
      LineTable t = LineTable.of(elf);
      LineTable.SourceLine l = t.find(elf.section(".text"), 0);
      assertEquals(2, l.line());
      assertEquals(120_001, l.file().length());
    }
  }
}
