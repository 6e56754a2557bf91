package io.objtool.elf.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the CFA programs of objects gcc compiles at test time and compares every row, every
 * column, with {@code readelf --debug-dump=frames-interp}; the expressions (which readelf's
 * table shows as {@code exp}) are compared with readelf's raw dump, evaluated the same way.
 */
class FrameInfoReadelfTest {
  private static final Oracles.Tally ROWS = Oracles.tally("dwarf-cfi-readelf", "CFI rows");
  private static final Oracles.Tally EXPRS = Oracles.tally("dwarf-cfi-expressions", "CFI expressions");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      "-O2 -fasynchronous-unwind-tables",
      "-O2 -fasynchronous-unwind-tables -fno-omit-frame-pointer",
      "-O2 -fasynchronous-unwind-tables -mno-red-zone -mpreferred-stack-boundary=3 -mstackrealign",
      "-O2 -fexceptions",
      "-O0 -fasynchronous-unwind-tables",
      "-O2 -g -fno-asynchronous-unwind-tables -fno-exceptions"})
  void everyRowAsReadelf(String flags) throws Exception {
    Oracles.require(Oracles.runs("gcc", "--version"), "gcc");
    Oracles.require(Oracles.runs("readelf", "--version"), "readelf (binutils)");
    Path src = dir.resolve("frames.c");
    try (InputStream in = getClass().getResourceAsStream("/fixtures/dwarf/frames.c")) {
      Files.copy(in, src);
    }
    Path obj = dir.resolve("frames.o");
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c"));
    cmd.addAll(List.of(flags.split(" ")));
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    run(cmd);
    String interp = run(List.of("readelf", "--debug-dump=frames-interp", obj.toString()));
    String raw = run(List.of("readelf", "--debug-dump=frames", obj.toString()));
    try (ElfFile elf = ElfFile.open(obj)) {
      FrameInfo info = FrameInfo.read(elf);
      assertFalse(info.fdes().isEmpty(), "no FDEs read");
      compareTables(elf, info, interp);
      compareExpressions(elf, info, raw);
      if (flags.contains("-mstackrealign")) {
        boolean sawDrap = info.fdes().stream().flatMap(f -> f.rows().stream())
            .anyMatch(r -> r.cfa().isExpression() && r.cfa().format(Elf.EM_X86_64).matches("deref\\(rbp-\\d+\\)"));
        assertTrue(sawDrap, "the DRAP function's CFA expression was not evaluated to deref(rbp-N)");
      }
      if (flags.contains("-fexceptions")) {
        assertTrue(info.cies().stream().anyMatch(c -> c.augmentation().equals("zPLR")), "no zPLR CIE");
      }
    }
  }

  private static final Pattern HEADER = Pattern.compile("^([0-9a-f]{8,16}) ([0-9a-f]+) ([0-9a-f]+) (CIE|FDE)(.*)$");
  private static final Pattern PC = Pattern.compile("pc=([0-9a-f]+)\\.\\.([0-9a-f]+)");
  private static final Pattern CONTENTS = Pattern.compile("^Contents of the (\\S+) section:");

  private static void compareTables(ElfFile elf, FrameInfo info, String interp) {
    String[] lines = interp.split("\n");
    String section = null;
    int fdesSeen = 0;
    for (int i = 0; i < lines.length; i++) {
      Matcher cm = CONTENTS.matcher(lines[i]);
      if (cm.find()) { section = cm.group(1); continue; }
      Matcher h = HEADER.matcher(lines[i]);
      if (!h.matches() || !h.group(4).equals("FDE")) continue;
      long off = Long.parseLong(h.group(1), 16);
      Matcher pc = PC.matcher(h.group(5));
      assertTrue(pc.find(), lines[i]);
      String sec = section;
      Fde fde = info.fdes().stream().filter(f -> f.section().name().equals(sec) && f.offset() == off).findFirst().orElse(null);
      assertNotNull(fde, "readelf's FDE at " + sec + "+0x" + h.group(1) + " was not read");
      fdesSeen++;
      assertEquals(Long.parseLong(pc.group(1), 16), fde.start(), "start of " + fde);
      assertEquals(Long.parseLong(pc.group(2), 16), fde.end(), "end of " + fde);
      String[] cols = lines[++i].trim().split("\\s+");
      List<String[]> rows = new ArrayList<>();
      while (i + 1 < lines.length && !lines[i + 1].isBlank()) rows.add(lines[++i].trim().split("\\s+"));
      List<CfiRow> mine = fde.rows();
      assertEquals(rows.size(), mine.size(), "rows of " + fde);
      for (int r = 0; r < rows.size(); r++) {
        String[] want = rows.get(r);
        CfiRow got = mine.get(r);
        String[] have = new String[cols.length];
        have[0] = String.format("%016x", got.offset());
        for (int k = 1; k < cols.length; k++) have[k] = column(elf, fde, got, cols[k]);
        ROWS.compare(() -> assertEquals(String.join(" ", want), String.join(" ", have), "row " + got.offset() + " of " + fde));
      }
    }
    assertEquals(info.fdes().size(), fdesSeen, "FDEs read that readelf does not list");
  }

  /** One cell as readelf prints it. */
  private static String column(ElfFile elf, Fde fde, CfiRow row, String col) {
    int machine = elf.machine();
    if (col.equals("CFA")) {
      CfaRule c = row.cfa();
      return c.isExpression() ? "exp" : DwarfRegs.name(machine, c.reg()) + (c.offset() >= 0 ? "+" : "") + c.offset();
    }
    int reg = col.equals("ra") ? fde.cie().raColumn() : regNumber(col);
    RegRule rule = row.reg(reg);
    if (rule == null) return "u";
    return switch (rule.kind()) {
      case UNDEFINED -> "u";
      case SAME_VALUE -> "s";
      case OFFSET -> "c" + (rule.offset() >= 0 ? "+" : "") + rule.offset();
      case VAL_OFFSET -> "v" + (rule.offset() >= 0 ? "+" : "") + rule.offset();
      case REGISTER -> DwarfRegs.name(machine, rule.reg());
      case EXPRESSION -> "exp";
      case VAL_EXPRESSION -> "vexp";
    };
  }

  private static int regNumber(String name) {
    for (int r = 0; r < 17; r++) if (DwarfRegs.name(Elf.EM_X86_64, r).equals(name)) return r;
    throw new AssertionError("readelf column " + name + " is not an x86-64 register this test knows");
  }

  private static final Pattern EXPR = Pattern.compile(
      "DW_CFA_(def_cfa_expression|expression|val_expression)(?:: r(\\d+) \\(\\w+\\))? \\((.*)\\)$");

  /** Every expression of readelf's raw dump, evaluated from its text, against the value of the same rule in our rows. */
  private static void compareExpressions(ElfFile elf, FrameInfo info, String raw) {
    List<String> want = new ArrayList<>();
    for (String line : raw.split("\n")) {
      Matcher m = EXPR.matcher(line.trim());
      if (!m.matches()) continue;
      boolean cfa = m.group(1).equals("def_cfa_expression");
      String v = evalText(m.group(3), !cfa);
      want.add((cfa ? "CFA=" : m.group(1).equals("val_expression") ? "r" + m.group(2) + "==" : "r" + m.group(2) + "@") + v);
    }
    // ours: each expression rule as it first appears in an FDE's rows (a program sets it once)
    List<String> got = new ArrayList<>();
    for (Fde f : info.fdes()) {
      java.util.Set<String> seen = new java.util.LinkedHashSet<>();
      Object prevCfa = null;
      java.util.Map<Integer, RegRule> prev = new java.util.HashMap<>();
      for (CfiRow r : f.rows()) {
        if (r.cfa().isExpression() && !r.cfa().equals(prevCfa)) seen.add("CFA=" + r.cfa().expr().value());
        prevCfa = r.cfa();
        for (var e : r.regs().entrySet()) {
          RegRule rr = e.getValue();
          if (rr.expr() != null && !rr.equals(prev.get(e.getKey()))) {
            seen.add("r" + e.getKey() + (rr.kind() == RegRule.Kind.VAL_EXPRESSION ? "==" : "@") + rr.expr().value());
          }
        }
        prev = new java.util.HashMap<>(r.regs());
      }
      got.addAll(seen);
    }
    java.util.Set<String> wantSet = new java.util.TreeSet<>(want);
    java.util.Set<String> gotSet = new java.util.TreeSet<>(got);
    for (String w : wantSet) EXPRS.compare(() -> assertTrue(gotSet.contains(w), "expression " + w + " not found among " + gotSet));
    assertEquals(wantSet, gotSet);
  }

  /** readelf's text of an expression ("DW_OP_breg6 (rbp): -8; DW_OP_deref"), evaluated as {@link DwarfExpr} does. */
  private static String evalText(String ops, boolean pushCfa) {
    Deque<String> st = new ArrayDeque<>();
    if (pushCfa) st.push("cfa");
    for (String op : ops.split("; ")) {
      Matcher b = Pattern.compile("DW_OP_breg(\\d+) \\(\\w+\\): (-?\\d+)").matcher(op);
      if (b.matches()) {
        long o = Long.parseLong(b.group(2));
        st.push("r" + b.group(1) + (o == 0 ? "" : o > 0 ? "+" + o : Long.toString(o)));
      } else if (op.equals("DW_OP_deref")) {
        st.push("deref(" + st.pop() + ")");
      } else {
        throw new AssertionError("the test does not know " + op);
      }
    }
    return st.peek();
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
    assertEquals(0, p.exitValue(), cmd + ": " + out);
    return out;
  }
}
