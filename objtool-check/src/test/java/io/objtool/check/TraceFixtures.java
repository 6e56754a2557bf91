package io.objtool.check;

import io.objtool.api.Diagnostics;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Options;
import io.objtool.api.Pass;
import io.objtool.api.Warning;
import io.objtool.api.arch.Architectures;
import io.objtool.check.trace.Disassembly;
import io.objtool.check.trace.TracePass;
import io.objtool.check.trace.TraceText;
import io.objtool.check.trace.Traces;
import io.objtool.elf.ElfFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The fixtures of {@link FixtureTest} checked with {@code --trace}, for the trace's tests. */
public final class TraceFixtures {
  private TraceFixtures() {}

  /**
   * What a traced check gave.
   *
   * @param warnings the check's warnings
   * @param traces what the recorder recorded (completed)
   * @param text the text of the trace (with objdump's disassembly)
   */
  public record Run(List<Warning> warnings, Traces traces, String text) { }

  /** The fixtures of the index that expect at least one warning. */
  public static List<String> withWarnings() throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : FixtureTest.fixtures().toList()) if (!Fixture.load(n).expected.isEmpty()) out.add(n);
    return out;
  }

  /** Compiles fixture {@code name} in {@code dir} and checks it with its flags and {@code --trace=glob}. */
  public static Run run(String name, String glob, Path dir) throws IOException {
    Fixture f = Fixture.load(name);
    return check(f.compile(dir), f.objtoolFlags, glob);
  }

  /** Compiles the assembly {@code source} as {@code name} in {@code dir} and checks it with {@code flags} and {@code --trace=glob}. */
  public static Run runSource(String name, String source, List<String> flags, String glob, Path dir) throws IOException {
    return check(new Fixture(name, source).compile(dir), flags, glob);
  }

  /** Compiles the assembly {@code source} as {@code name} in {@code dir}; returns the object. */
  public static Path compile(String name, String source, Path dir) throws IOException {
    return new Fixture(name, source).compile(dir);
  }

  private static Run check(Path obj, List<String> flags, String glob) {
    Options opts = Options.of(obj, flags.stream().map(s -> s.replaceFirst("^--", "")).toArray(String[]::new)).toBuilder().trace(glob).build();
    try (ElfFile elf = ElfFile.open(obj)) {
      Diagnostics diag = new Diagnostics(obj.toString(), opts.secAddress());
      ObjtoolFile file = new ObjtoolFile(elf, opts, Architectures.forElfMachine(elf.machine()).orElseThrow(), diag);
      List<Pass> passes = Checker.enabledPasses(opts, TraceFixtures.class.getClassLoader());
      TracePass trace = TracePass.of(opts);
      passes.add(trace);
      new Checker(file, passes).run();
      trace.traces().complete(file);
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
        TraceText.print(trace.traces(), Disassembly.of(obj.toString(), Path.of(""), Map.of("PATH", System.getenv("PATH")), trace.traces().instructions()), ps);
      }
      return new Run(diag.warnings(), trace.traces(), text.toString(StandardCharsets.UTF_8));
    }
  }
}
