package io.objtool.check;

import io.objtool.testkit.Oracles;
import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Warning;
import io.objtool.api.arch.Architectures;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C or assembly fixture that carries its expectations, in the manner of Error Prone's test
 * helper: a header line {@code objtool: FLAGS} (and optionally {@code cflags: FLAGS}), and a
 * comment {@code WARN: text} on each line whose instruction must be warned about, where text is a
 * part of the warning message. It is compiled with gcc and {@code -g}; each warning's location
 * is mapped back to a source line through the line table. A warning that maps to no source line
 * (one with no location, or located in a data section such as {@code __jump_table}) is expected
 * by a comment {@code WARN-FILE: text} anywhere in the fixture.
 */
final class Fixture {
  /** The reference objtool 6.12 (it may be absent: tests call {@link #requireReference()} first). */
  static final Path REFERENCE = Oracles.corpus("ref/objtool-6.12");

  /** Skips, or in CI fails, when the reference objtool is absent. */
  static void requireReference() {
    Oracles.requireReference("6.12");
  }
  private static final Pattern WARN = Pattern.compile("(?://|#|/\\*)\\s*WARN:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  private static final Pattern WARN_FILE = Pattern.compile("(?://|#|/\\*)\\s*WARN-FILE:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  /** The {@link #expected} key of warnings that map to no source line. */
  static final int NO_LINE = -1;
  private static final Pattern HEADER = Pattern.compile("(?://|#|\\*)\\s*(objtool|cflags):\\s*(.*?)\\s*$");

  final String name;
  final List<String> lines;
  final List<String> objtoolFlags = new ArrayList<>();
  final List<String> cflags = new ArrayList<>();
  /** line number (1-based, or {@link #NO_LINE}) -> expected message parts. */
  final Map<Integer, List<String>> expected = new TreeMap<>();

  Fixture(String name, String text) {
    this.name = name;
    this.lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      Matcher h = HEADER.matcher(l);
      if (h.find() && i < 12) {
        List<String> target = h.group(1).equals("objtool") ? objtoolFlags : cflags;
        target.addAll(Arrays.asList(h.group(2).trim().split("\\s+")));
        continue;
      }
      Matcher fm = WARN_FILE.matcher(l);
      if (fm.find()) {
        expected.computeIfAbsent(NO_LINE, k -> new ArrayList<>()).add(fm.group(1));
        continue;
      }
      Matcher m = WARN.matcher(l);
      if (m.find()) expected.computeIfAbsent(i + 1, k -> new ArrayList<>()).add(m.group(1));
    }
  }

  /** The fixture names listed in {@code fixtures/INDEX} (one a line, {@code #} comments). */
  static java.util.stream.Stream<String> index(String index) throws IOException {
    try (InputStream in = Fixture.class.getResourceAsStream("/fixtures/" + index)) {
      if (in == null) throw new IOException("no fixture index " + index);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList().stream();
    }
  }

  static Fixture load(String name) throws IOException {
    try (InputStream in = Fixture.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) throw new IOException("no fixture " + name);
      return new Fixture(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /**
   * Compiles fixture {@code name} into {@code dir}, checks the object with its flags and asserts
   * that the warnings are where its markers say ({@link #assertWarningsMatch}); {@code machine}
   * is the ELF machine the object must be for.
   */
  static void compileAndMatch(String name, Path dir, int machine) throws IOException {
    Fixture f = load(name);
    org.junit.jupiter.api.Assertions.assertFalse(f.objtoolFlags.isEmpty(), name + " has no 'objtool:' header");
    Path obj = f.compile(dir);
    try (ElfFile elf = ElfFile.open(obj)) {
      org.junit.jupiter.api.Assertions.assertEquals(machine, elf.machine(), name + ": ELF machine");
    }
    f.assertWarningsMatch(obj, check(obj, f.objtoolFlags));
  }

  /**
   * Asserts that {@code ours} (the warnings on this fixture's object {@code obj}) land on exactly
   * the lines marked {@code WARN:}, each with its marked text, and nowhere else.
   */
  void assertWarningsMatch(Path obj, List<Warning> ours) throws IOException {
    Map<Integer, List<String>> got = new TreeMap<>();
    for (Warning w : ours) {
      int line;
      if (w.section() != null && w.offset() >= 0) {
        line = line(obj, w.section(), w.offset());
      } else {
        String[] fn = functionOf(obj, w);
        line = fn == null ? NO_LINE : line(obj, fn[0], Long.parseLong(fn[1]));
      }
      got.computeIfAbsent(line, k -> new ArrayList<>()).add(w.message());
    }
    StringBuilder problems = new StringBuilder();
    for (var e : expected.entrySet()) {
      List<String> msgs = got.getOrDefault(e.getKey(), List.of());
      for (String part : e.getValue()) {
        if (msgs.stream().noneMatch(m -> m.contains(part))) {
          problems.append("\n  line ").append(e.getKey()).append(": expected '").append(part).append("', got ").append(msgs);
        }
      }
    }
    for (var e : got.entrySet()) {
      List<String> want = expected.getOrDefault(e.getKey(), List.of());
      for (String m : e.getValue()) {
        if (want.stream().noneMatch(m::contains)) {
          problems.append("\n  line ").append(e.getKey()).append(": unexpected warning '").append(m).append("'");
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertTrue(problems.isEmpty(),
        name + ":" + problems + "\nall warnings: " + ours.stream().map(Warning::line).toList());
    org.junit.jupiter.api.Assertions.assertEquals(expected.values().stream().mapToInt(List::size).sum(), ours.size(), name + ": " + ours);
  }

  /** The compiler for fixtures whose name starts with {@code arm64-}: gcc's AArch64 cross compiler. */
  static final String ARM64_GCC = "aarch64-linux-gnu-gcc";

  /** Compiles into {@code dir} and returns the object (an {@code arm64-} fixture with {@link #ARM64_GCC}). */
  Path compile(Path dir) throws IOException {
    Path src = dir.resolve(name);
    Files.write(src, String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
    Path obj = dir.resolve(name.replaceFirst("\\.[^.]*$", ".o"));
    String gcc = name.startsWith("arm64-") ? ARM64_GCC : "gcc";
    List<String> cmd = new ArrayList<>(List.of(gcc, "-c", "-g", "-O2", "-fno-asynchronous-unwind-tables"));
    cmd.addAll(cflags);
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    run(cmd);
    return obj;
  }

  /** Our warnings on {@code obj} (run in process). */
  static List<Warning> check(Path obj, List<String> flags) {
    Options opts = Options.of(obj, flags.stream().map(f -> f.replaceFirst("^--", "")).toArray(String[]::new));
    try (ElfFile elf = ElfFile.open(obj)) {
      Diagnostics diag = new Diagnostics(obj.toString(), opts.secAddress());
      ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
      new Checker(file, Checker.enabledPasses(opts, Fixture.class.getClassLoader())).run();
      return diag.warnings();
    }
  }

  /** The source line of {@code sec+offset}, through the object's line table ({@link #NO_LINE} if none). */
  static int line(Path obj, String sec, long offset) throws IOException {
    String out = run(List.of("addr2line", "-e", obj.toString(), "-j", sec, "0x" + Long.toHexString(offset))).trim();
    int colon = out.lastIndexOf(':');
    String num = out.substring(colon + 1).replaceFirst("\\s.*", "");
    try {
      int n = Integer.parseInt(num);
      return n > 0 ? n : NO_LINE; // "??:0": not in the line table
    } catch (NumberFormatException e) {
      return NO_LINE;
    }
  }

  /**
   * Section and offset a location-less warning is about: the start of the function it names
   * ("f() ..."), or the last byte of the section it names ("SEC: ...").
   */
  static String[] functionOf(Path obj, Warning w) {
    Matcher m = Pattern.compile("^(\\S+?)\\(\\)").matcher(w.message());
    Matcher sm = Pattern.compile("^(\\S+): ").matcher(w.message());
    try (ElfFile elf = ElfFile.open(obj)) {
      if (!m.find()) {
        if (!sm.find() || elf.section(sm.group(1)) == null) return null;
        Section sec = elf.section(sm.group(1));
        return new String[] {sec.name(), Long.toString(sec.size() - 1)};
      }
      Symbol s = elf.symbol(m.group(1));
      if (s == null || s.section() == null) return null;
      return new String[] {s.section().name(), Long.toString(s.value())};
    }
  }

  /** The reference's stderr lines for {@code flags} on a copy of {@code obj}, with the copy's name replaced by {@code obj}'s. */
  static List<String> reference(Path obj, List<String> flags) throws IOException {
    Path copy = obj.resolveSibling("ref-" + obj.getFileName());
    Files.copy(obj, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<String> cmd = new ArrayList<>();
    cmd.add(REFERENCE.toString());
    cmd.addAll(flags);
    cmd.add(copy.toString());
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    waitFor(p);
    List<String> out = new ArrayList<>();
    for (String l : err.lines().toList()) out.add(l.replace(copy.toString(), obj.toString()));
    return out;
  }

  static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (waitFor(p) != 0) throw new IOException(cmd + " failed: " + out);
    return out;
  }

  private static int waitFor(Process p) throws IOException {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
