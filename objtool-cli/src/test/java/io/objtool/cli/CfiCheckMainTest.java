package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.orc.cfi.CfiCrossCheck;
import io.objtool.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/objtool-cfi-check} on fixtures compiled at test time with the kernel's code model and
 * unwind tables: one fixture per class of disagreement (docs/cfi-check.md), whose functions marked
 * {@code CFI-DISAGREE: FUNC} are exactly the functions that disagree, and one where everything agrees.
 */
class CfiCheckMainTest {
  private static final Oracles.Tally TALLY = Oracles.tally("cfi-check-fixtures", "fixture functions classified");
  static final List<String> KERNEL_FLAGS = List.of("-O2", "-fasynchronous-unwind-tables", "-fno-PIE", "-mcmodel=kernel",
      "-mno-red-zone", "-mpreferred-stack-boundary=3", "-fno-jump-tables", "-fomit-frame-pointer");
  /** The arm64 fixtures' compiler and flags: frame pointers and unwind tables, as an arm64 kernel build with KCFLAGS=-fasynchronous-unwind-tables. */
  static final String ARM64_GCC = "aarch64-linux-gnu-gcc";
  static final List<String> ARM64_FLAGS = List.of("-O2", "-fno-omit-frame-pointer", "-fasynchronous-unwind-tables");
  private static final Oracles.Tally ARM64_TALLY = Oracles.tally("cfi-check-arm64",
      "arm64 fixture instructions whose CFI agrees with gcc's DWARF (CFA, x29, return address)");
  /** The arm64 fixtures' second compiler: clang 14 for arm64, with the same flags. */
  static final String ARM64_CLANG = "clang-14";
  static final List<String> ARM64_CLANG_FLAGS = List.of("--target=aarch64-linux-gnu", "-O2", "-fno-omit-frame-pointer",
      "-fasynchronous-unwind-tables");
  private static final Oracles.Tally ARM64_CLANG_TALLY = Oracles.tally("cfi-check-arm64-clang",
      "arm64 fixture instructions whose CFI agrees with clang 14's DWARF, or differs only in its documented classes"
          + " sync-prologue/sync-epilogue (every call instruction agrees)");
  private static final Pattern LINE = Pattern.compile(
      "^(\\S+): cfi: (\\w+)\\+0x[0-9a-f]+: ours CFA=\\S+ (?:rbp|x29)=\\S+ ra=\\S+, dwarf CFA=\\S+ (?:rbp|x29)=\\S+ ra=\\S+$");
  private static final Pattern SUMMARY = Pattern.compile(
      "^cfi-check: (\\d+) instructions compared, (\\d+) agree \\(([0-9.]+)%\\), (\\d+) disagree, (\\d+) not described by one side$");

  @TempDir Path dir;

  record Run(int rc, String out, String err) { }

  static Run run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int rc = CfiCheckMain.run(List.of(args), Map.of(), new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  private Path compile(String fixture, List<String> extra) throws Exception {
    return compile(fixture, "gcc", KERNEL_FLAGS, extra, fixture.replace(".c", ".o"));
  }

  private Path compile(String fixture, String gcc, List<String> flags, List<String> extra, String objName) throws Exception {
    Oracles.require(Oracles.runs(gcc, "--version"), gcc);
    Path src = dir.resolve(fixture);
    if (!Files.exists(src)) {
      try (InputStream in = getClass().getResourceAsStream("/fixtures/cfi/" + fixture)) {
        Files.copy(in, src);
      }
    }
    Path obj = dir.resolve(objName);
    List<String> cmd = new ArrayList<>(List.of(gcc, "-c"));
    cmd.addAll(flags);
    cmd.addAll(extra);
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return obj;
  }

  @ParameterizedTest
  @ValueSource(strings = {"agree.c", "drap-setup.c", "inline-asm-push.c"})
  void eachFixtureDisagreesExactlyWhereMarked(String fixture) throws Exception {
    disagreesExactlyWhereMarked(fixture, compile(fixture, List.of()));
  }

  /**
   * The arm64 fixtures, with and without pointer authentication (pac-ret: {@code paciasp} and
   * gcc's {@code DW_CFA_AARCH64_negate_ra_state}): the marked functions are exactly those that
   * disagree, and every instruction outside them agrees.
   */
  @ParameterizedTest
  @ValueSource(strings = {"arm64-agree.c:none", "arm64-agree.c:pac-ret", "arm64-epilogue-restore.c:none",
      "arm64-epilogue-restore.c:pac-ret"})
  void eachArm64FixtureDisagreesExactlyWhereMarked(String spec) throws Exception {
    String fixture = spec.substring(0, spec.indexOf(':'));
    String bp = spec.substring(spec.indexOf(':') + 1);
    Path obj = compile(fixture, ARM64_GCC, ARM64_FLAGS, List.of("-mbranch-protection=" + bp), fixture.replace(".c", "-" + bp + ".o"));
    disagreesExactlyWhereMarked(fixture, obj);
  }

  /** Over all arm64 fixture objects: the agreement figure, at least 99.9% outside the classified functions (100% today). */
  @Test
  void arm64AgreementFigure() throws Exception {
    List<String> objs = new ArrayList<>();
    for (String bp : List.of("none", "pac-ret", "standard")) {
      objs.add(compile("arm64-agree.c", ARM64_GCC, ARM64_FLAGS, List.of("-mbranch-protection=" + bp), "agree-" + bp + ".o").toString());
    }
    objs.add(compile("arm64-agree.c", ARM64_GCC, List.of("-Os", "-fno-omit-frame-pointer", "-fasynchronous-unwind-tables"),
        List.of(), "agree-Os.o").toString());
    objs.add(0, "-q");
    Run r = run(objs.toArray(String[]::new));
    assertEquals("", r.err());
    Matcher s = SUMMARY.matcher(r.out().trim());
    assertTrue(s.matches(), r.out());
    long compared = Long.parseLong(s.group(1));
    long agree = Long.parseLong(s.group(2));
    assertTrue(compared >= 400, "too little compared: " + r.out());
    assertEquals(0, Long.parseLong(s.group(5)), "every instruction described by both sides: " + r.out());
    ARM64_TALLY.add(compared, agree);
    assertEquals(compared, agree, r.out());
  }

  /**
   * The clang 14 arm64 fixtures, one per class of docs/cfi-check.md (with and without pointer
   * authentication): the marked functions are exactly those that disagree, and the disagreements
   * have exactly the shapes the fixture names ({@code CFI-SHAPES:}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"arm64-clang-sync-prologue.c:none", "arm64-clang-sync-prologue.c:pac-ret",
      "arm64-clang-sync-epilogue.c:none", "arm64-clang-sync-epilogue.c:pac-ret"})
  void eachArm64ClangFixtureDisagreesExactlyWhereMarked(String spec) throws Exception {
    String fixture = spec.substring(0, spec.indexOf(':'));
    String bp = spec.substring(spec.indexOf(':') + 1);
    Path obj = compile(fixture, ARM64_CLANG, ARM64_CLANG_FLAGS, List.of("-mbranch-protection=" + bp),
        fixture.replace(".c", "-clang-" + bp + ".o"));
    disagreesExactlyWhereMarked(fixture, obj);
    Matcher m = Pattern.compile("CFI-SHAPES: ([a-z ]+)").matcher(Files.readString(dir.resolve(fixture)));
    assertTrue(m.find(), fixture + " names no CFI-SHAPES");
    Set<String> declared = new TreeSet<>(List.of(m.group(1).trim().split(" +")));
    Set<String> seen = new TreeSet<>();
    for (CfiCrossCheck.Disagreement d : CfiCheckMain.checkOne(obj, false, Map.of()).disagreements()) {
      seen.add(d.shape().name().toLowerCase(java.util.Locale.ROOT));
    }
    assertEquals(declared, seen, fixture + " (" + bp + ")");
  }

  /**
   * The agreement fixture compiled by clang 14, whose arm64 CFI is synchronous (exact in a
   * function's body only): every instruction is described by both sides, every call instruction
   * agrees, and every disagreement is a prologue or epilogue one (classes sync-prologue and
   * sync-epilogue), a prologue one before the function's first call, an epilogue one after it.
   */
  @Test
  void arm64ClangAgreementFigure() throws Exception {
    List<Path> objs = new ArrayList<>();
    for (String bp : List.of("none", "pac-ret", "standard")) {
      objs.add(compile("arm64-agree.c", ARM64_CLANG, ARM64_CLANG_FLAGS, List.of("-mbranch-protection=" + bp), "agree-clang-" + bp + ".o"));
    }
    List<String> os = new ArrayList<>(ARM64_CLANG_FLAGS);
    os.set(os.indexOf("-O2"), "-Os");
    objs.add(compile("arm64-agree.c", ARM64_CLANG, os, List.of(), "agree-clang-Os.o"));
    CfiCrossCheck.Summary total = CfiCrossCheck.Summary.EMPTY;
    long classified = 0;
    for (Path obj : objs) {
      CfiCrossCheck.Result r = CfiCheckMain.checkOne(obj, false, Map.of());
      total = total.plus(r.summary());
      for (CfiCrossCheck.Disagreement d : r.disagreements()) {
        assertTrue(d.shape() != CfiCrossCheck.Shape.OTHER, "not a documented class: " + d.line(obj.toString()));
        List<Long> calls = objdump(obj).getOrDefault(d.func().name() + " call", List.of());
        List<Long> restores = objdump(obj).getOrDefault(d.func().name() + " restore", List.of());
        boolean where = d.shape() == CfiCrossCheck.Shape.PROLOGUE
            ? calls.stream().allMatch(at -> d.offset() <= at)
            : restores.stream().anyMatch(at -> at < d.offset());
        assertTrue(where, (d.shape() == CfiCrossCheck.Shape.PROLOGUE ? "a prologue disagreement after a call: "
            : "an epilogue disagreement before any ldp x29, x30: ") + d.line(obj.toString()));
        classified++;
      }
    }
    assertEquals(0, total.oneSided(), "every instruction described by both sides: " + total.line());
    assertTrue(total.compared() >= 400 && total.callCompared() >= 50, "too little compared: " + total.line() + "; " + total.callLine());
    assertEquals(total.callCompared(), total.callAgree(), total.callLine());
    assertTrue(classified > 0, "clang 14's DWARF is synchronous: its prologues disagree somewhere");
    List<String> args = new ArrayList<>(List.of("-q", "--shapes"));
    objs.forEach(o -> args.add(o.toString()));
    Run r = run(args.toArray(String[]::new));
    assertEquals(String.join("\n", total.line(), total.oneSidedLine(), total.callLine(), "cfi-check: disagreements by shape: "
        + shapeCounts(objs) + ", 0 other") + "\n", r.out());
    ARM64_CLANG_TALLY.add(total.compared(), total.agree() + classified);
  }

  private static String shapeCounts(List<Path> objs) {
    long p = 0, e = 0;
    for (Path obj : objs) {
      for (CfiCrossCheck.Disagreement d : CfiCheckMain.checkOne(obj, false, Map.of()).disagreements()) {
        if (d.shape() == CfiCrossCheck.Shape.PROLOGUE) p++;
        else if (d.shape() == CfiCrossCheck.Shape.EPILOGUE) e++;
      }
    }
    return p + " prologue, " + e + " epilogue";
  }

  private final Map<Path, Map<String, List<Long>>> objdumps = new java.util.HashMap<>();

  /**
   * By objdump, the offsets in each function FUNC of {@code obj} of its call instructions (bl, blr,
   * blraa, ..., key {@code "FUNC call"}) and of its loads of x29 and x30 ({@code ldp x29, x30},
   * key {@code "FUNC restore"}).
   */
  private Map<String, List<Long>> objdump(Path obj) throws Exception {
    if (objdumps.containsKey(obj)) return objdumps.get(obj);
    Oracles.require(Oracles.runs("aarch64-linux-gnu-objdump", "--version"), "aarch64-linux-gnu-objdump");
    Process p = new ProcessBuilder("aarch64-linux-gnu-objdump", "-d", obj.toString()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), text);
    Map<String, List<Long>> byFunc = new java.util.HashMap<>();
    Pattern head = Pattern.compile("^[0-9a-f]+ <(\\w+)>:$");
    Pattern insn = Pattern.compile("^\\s*([0-9a-f]+):\\s+[0-9a-f]{8}\\s+(?:(blr?(?:a[ab]z?)?)|(ldp\\s+x29, x30,))\\s.*");
    String func = null;
    for (String line : text.split("\n")) {
      Matcher h = head.matcher(line);
      if (h.matches()) func = h.group(1);
      Matcher c = insn.matcher(line);
      if (c.matches() && func != null) {
        byFunc.computeIfAbsent(func + (c.group(2) != null ? " call" : " restore"), k -> new ArrayList<>()).add(Long.parseLong(c.group(1), 16));
      }
    }
    assertTrue(byFunc.keySet().stream().anyMatch(k -> k.endsWith(" call")), "no calls found by objdump in " + obj);
    assertTrue(byFunc.keySet().stream().anyMatch(k -> k.endsWith(" restore")), "no ldp x29, x30 found by objdump in " + obj);
    objdumps.put(obj, byFunc);
    return byFunc;
  }

  private void disagreesExactlyWhereMarked(String fixture, Path obj) throws Exception {
    Set<String> marked = new TreeSet<>();
    Matcher m = Pattern.compile("CFI-DISAGREE: (\\w+)").matcher(Files.readString(dir.resolve(fixture)));
    while (m.find()) marked.add(m.group(1));
    Run r = run(obj.toString());
    assertEquals("", r.err());
    String[] lines = r.out().split("\n");
    Set<String> disagreeing = new TreeSet<>();
    for (int i = 0; i < lines.length - 1; i++) {
      Matcher l = LINE.matcher(lines[i]);
      assertTrue(l.matches(), "not a disagreement line: " + lines[i]);
      assertEquals(obj.toString(), l.group(1));
      disagreeing.add(l.group(2));
    }
    Matcher s = SUMMARY.matcher(lines[lines.length - 1]);
    assertTrue(s.matches(), "not a summary line: " + lines[lines.length - 1]);
    assertTrue(Long.parseLong(s.group(1)) >= 8, "too little compared: " + lines[lines.length - 1]);
    assertEquals(lines.length - 1, Integer.parseInt(s.group(4)), "disagree count");
    assertEquals(marked.isEmpty() ? 0 : 1, r.rc());
    TALLY.compare(() -> assertEquals(marked, disagreeing, r.out()));
  }

  @Test
  void drapFunctionsAreComparedThroughTheirExpressions() throws Exception {
    Path obj = compile("drap-setup.c", List.of());
    Run r = run("--drap", "-q", obj.toString());
    String[] lines = r.out().split("\n");
    assertEquals(2, lines.length, r.out());
    Matcher d = Pattern.compile("^cfi-check: (\\d+) instructions in DRAP functions \\(([0-9.]+)% of compared\\), (\\d+) agree$").matcher(lines[1]);
    assertTrue(d.matches(), lines[1]);
    long drap = Long.parseLong(d.group(1));
    assertTrue(drap > 10, lines[1]);
    assertEquals(drap - 1, Long.parseLong(d.group(3)), "all but the drap-setup instruction agree: " + lines[1]);
  }

  @Test
  void badInputIsOneLineAndStatus1() throws Exception {
    Path junk = dir.resolve("junk.o");
    Files.write(junk, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0});
    Run r = run(junk.toString(), dir.resolve("missing.o").toString());
    assertEquals(1, r.rc());
    String[] err = r.err().split("\n");
    assertEquals(2, err.length, r.err());
    assertTrue(err[0].startsWith(junk + ": cfi-check: "), err[0]);
    assertTrue(err[1].startsWith(dir.resolve("missing.o") + ": cfi-check: "), err[1]);
    assertTrue(SUMMARY.matcher(r.out().trim()).matches(), r.out());
  }

  @Test
  void usage() {
    assertEquals(129, run().rc());
    Run r = run("--bogus", "x.o");
    assertEquals(129, r.rc());
    assertTrue(r.err().startsWith("objtool-cfi-check: unknown option --bogus"), r.err());
    assertEquals(0, run("--help").rc());
  }
}
