package io.objtool.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the whole command line (every action on, the object written back) on mutated
 * objects, seeded with small corpus modules and compiled fixtures. The input's length picks one of
 * three flag sets. A run ends with an exit status and one-line messages, or the object's ORC is
 * then dumped; a bug escapes as its exception (the run goes through {@link Main#runUnguarded}, not
 * the net that turns bugs into "internal error" lines). Runs past libFuzzer's {@code -timeout} or
 * the fuzzing JVM's heap are findings too. {@code scripts/fuzz.sh check SECONDS} fuzzes it.
 */
class CheckFuzzTest {
  static final List<List<String>> FLAG_SETS = List.of(
      List.of("--hacks=jump_label", "--hacks=noinstr", "--hacks=skylake", "--ibt", "--orc", "--retpoline",
          "--rethunk", "--sls", "--static-call", "--uaccess", "--prefix=16", "--link", "--module"),
      List.of("--stackval", "--uaccess", "--noinstr", "--ibt", "--mcount", "--mnop", "--cfi", "--unret",
          "--link", "--module", "--stats"),
      List.of("--orc", "--stackval", "--retpoline", "--sls", "--link", "--backtrace", "--sec-address"));

  private static final Path DIR = tempDir();
  private static final Main MAIN = Main.create(CheckFuzzTest.class.getClassLoader(), WarningListener.NONE,
      RunContext.inProcess(Map.of()));

  private static Path tempDir() {
    try {
      Path shm = Path.of("/dev/shm");
      Path d = Files.isDirectory(shm) && Files.isWritable(shm)
          ? Files.createTempDirectory(shm, "objtool-fuzz") : Files.createTempDirectory("objtool-fuzz");
      d.toFile().deleteOnExit();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entry point of the standalone fuzzer. */
  public static void fuzzerTestOneInput(byte[] data) {
    Path obj = DIR.resolve("fuzz.o");
    try {
      Files.write(obj, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> args = new ArrayList<>(FLAG_SETS.get(data.length % FLAG_SETS.size()));
    args.add(obj.toString());
    int rc = run(args);
    if (rc != 0 && rc != 1 && rc != CheckAction.WRITE_FAILED) throw new AssertionError("exit status " + rc + " from " + args);
    if (rc == 0 && args.contains("--orc")) {
      int dump = run(List.of("--dump=orc", obj.toString()));
      if (dump != 0 && dump != 255) throw new AssertionError("exit status " + dump + " from --dump=orc");
    }
  }

  private static int run(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, false, StandardCharsets.UTF_8)) {
      rc = MAIN.runUnguarded(args, Map.of(), o, e, new Path[1]);
    }
    // (no look at the text: the fuzzer would learn to spell what it looked for into symbol names)
    return rc;
  }

  @TempDir Path tmp;

  /**
   * The seeds scripts/fuzz.sh starts from, made at test time: the example compiled with a module's
   * flags and small corpus modules, under each flag set.
   */
  @Test
  void seeds() throws Exception {
    ServerHarness.compile(ServerHarness.ROOT.resolve("examples/example.c"), tmp.resolve("example.o"));
    List<byte[]> seeds = new ArrayList<>(List.of(Files.readAllBytes(tmp.resolve("example.o"))));
    for (String m : List.of("6.12/stripped/net/6lowpan/nhc_ipv6.ko", "6.12/stripped/crypto/crc32_generic.ko")) {
      seeds.add(Files.readAllBytes(io.objtool.testkit.Oracles.requireCorpusFile(m)));
    }
    for (byte[] seed : seeds) {
      for (int pad = 0; pad < FLAG_SETS.size(); pad++) {
        fuzzerTestOneInput(java.util.Arrays.copyOf(seed, seed.length + pad)); // the length picks the flags
      }
    }
  }

  @FuzzTest
  void check(byte[] data) {
    fuzzerTestOneInput(data);
  }
}
