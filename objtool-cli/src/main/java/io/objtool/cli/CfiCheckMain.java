package io.objtool.cli;

import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.arch.Arch;
import io.objtool.api.arch.Architectures;
import io.objtool.check.Checker;
import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import io.objtool.elf.dwarf.FrameInfo;
import io.objtool.orc.cfi.CfiCrossCheck;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/objtool-cfi-check} (ours; the reference has nothing like it): walks each object as
 * {@code objtool --orc} does (its walk; nothing is written), and compares the CFI at every instruction
 * with the object's DWARF CFI ({@link CfiCrossCheck}). Prints one line per disagreement,
 * {@code FILE: cfi: FUNC+0xOFF: ours CFA=rsp+16 rbp=cfa-16 ra=cfa-8, dwarf CFA=rsp+24 rbp=cfa-16 ra=cfa-8},
 * then the summary over all files, {@code cfi-check: N instructions compared, M agree (P%), K
 * disagree, U not described by one side} ({@code --shapes}: then the one-sided split by side, the
 * agreement at call instructions and the disagreements by {@link CfiCrossCheck.Shape}). Exit status 0 when everything compared agrees, 1 when
 * something disagrees or a file could not be read, 129 for a bad command line.
 */
public final class CfiCheckMain {
  static final String USAGE = """
      usage: objtool-cfi-check [--module] [--drap] [--shapes] [-q] FILE...
      Compares objtool's CFI after the walk with each object's DWARF CFI (.eh_frame, .debug_frame).
          --module   the objects are parts of a kernel module (as objtool --module)
          --drap     also print how many compared instructions sit in DRAP functions
          --shapes   also print which side the one-sided instructions have, the agreement at call
                     instructions and the disagreements by shape
                     (prologue: DWARF still the entry row; epilogue: the frame pointer restored
                     where DWARF has it saved; other)
          -q         print only the summary (and errors), not each disagreement
      """;

  private CfiCheckMain() { }

  public static void main(String[] args) {
    int rc = run(Arrays.asList(args), System.getenv(), System.out, System.err);
    System.out.flush();
    System.err.flush();
    System.exit(rc);
  }

  /** Runs one command line; returns the exit status. Never throws. */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    boolean module = false, drap = false, shapes = false, quiet = false;
    List<Path> files = new ArrayList<>();
    boolean opts = true;
    for (String a : args) {
      if (opts && a.equals("--")) { opts = false; continue; }
      if (opts && a.startsWith("-")) {
        switch (a) {
          case "--module" -> module = true;
          case "--drap" -> drap = true;
          case "--shapes" -> shapes = true;
          case "-q", "--quiet" -> quiet = true;
          case "-h", "--help" -> { out.print(USAGE); return 0; }
          default -> { err.print("objtool-cfi-check: unknown option " + a + "\n" + USAGE); return 129; }
        }
        continue;
      }
      files.add(Path.of(a));
    }
    if (files.isEmpty()) {
      err.print(USAGE);
      return 129;
    }
    CfiCrossCheck.Summary total = CfiCrossCheck.Summary.EMPTY;
    long[] byShape = new long[CfiCrossCheck.Shape.values().length];
    int status = 0;
    for (Path f : files) {
      try {
        CfiCrossCheck.Result r = checkOne(f, module, env);
        if (r == null) {
          status = 1;
          err.println(f + ": cfi-check: not an x86-64 or AArch64 object");
          continue;
        }
        for (CfiCrossCheck.Disagreement d : r.disagreements()) {
          if (!quiet) out.println(d.line(f.toString()));
          byShape[d.shape().ordinal()]++;
        }
        total = total.plus(r.summary());
        if (r.summary().disagree() > 0) status = 1;
      } catch (ElfException e) {
        status = 1;
        String m = e.getMessage().replace('\n', ' ');
        err.println(m.startsWith(f + ": ") ? f + ": cfi-check: " + m.substring(f.toString().length() + 2) : f + ": cfi-check: " + m);
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        status = 1;
        if (env.containsKey("OBJTOOL_JVM_TRACE")) e.printStackTrace(err);
        err.println(f + ": cfi-check: internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().replace('\n', ' ')));
      }
    }
    out.println(total.line());
    if (drap) out.println(total.drapLine());
    if (shapes) {
      out.println(total.oneSidedLine());
      out.println(total.callLine());
      out.printf("cfi-check: disagreements by shape: %d prologue, %d epilogue, %d other%n",
          byShape[CfiCrossCheck.Shape.PROLOGUE.ordinal()], byShape[CfiCrossCheck.Shape.EPILOGUE.ordinal()],
          byShape[CfiCrossCheck.Shape.OTHER.ordinal()]);
    }
    return status;
  }

  /** The cross-check of one object, or null when it is not code objtool has an architecture for. */
  static CfiCrossCheck.Result checkOne(Path path, boolean module, Map<String, String> env) {
    if (!Files.isRegularFile(path)) throw new ElfException(path + ": " + (Files.exists(path) ? "not a regular file" : "No such file or directory"));
    try (ElfFile elf = ElfFile.open(path)) {
      Arch arch = Architectures.forElfMachine(elf.machine()).orElse(null);
      if (arch == null) return null;
      FrameInfo dwarf = FrameInfo.read(elf);
      Options opts = Options.builder().objectFile(path).set("orc", true).set("module", module)
          .set("link", Main.sourceFiles(elf) > 1).set("dry-run", true).environment(env).build();
      Diagnostics diag = new Diagnostics(path.toString(), false);
      ObjtoolFile file = new ObjtoolFile(elf, opts, arch, diag);
      new Checker(file, Checker.enabledPasses(opts, CfiCheckMain.class.getClassLoader())).run();
      return CfiCrossCheck.check(file, dwarf);
    }
  }
}
