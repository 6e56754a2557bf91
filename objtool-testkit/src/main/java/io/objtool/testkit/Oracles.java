package io.objtool.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

/**
 * The oracles that tests compare with: the reference objtool binaries and Debian's module corpus
 * (fetched by {@code scripts/corpus.sh} into {@code $OBJTOOL_CORPUS}, default
 * {@code ~/.cache/objtool-corpus}), and tools such as gdb, gcc, GNU as and objdump.
 *
 * <p>A test that needs an oracle calls {@link #require}: without the oracle it is skipped, unless
 * the system property {@code objtool.requireOracles} is true (as {@code scripts/test.sh} sets it in
 * CI), in which case it fails naming what is missing. A test that compared something with an
 * oracle records what it compared in a {@link Tally}; {@code scripts/test.sh} prints those lines at
 * the end of the run ({@code oracle NAME: 568/568 stops identical}).
 */
public final class Oracles {
  /** The system property that turns a missing oracle into a failure. */
  public static final String REQUIRE = "objtool.requireOracles";
  /** The system property naming the directory that collects the oracle lines. */
  public static final String REPORT_DIR = "objtool.oracleDir";

  private Oracles() { }

  /** The corpus cache: {@code $OBJTOOL_CORPUS}, or {@code ~/.cache/objtool-corpus}. */
  public static Path corpus() {
    String env = System.getenv("OBJTOOL_CORPUS");
    if (env != null && !env.isEmpty()) return Path.of(env);
    return Path.of(System.getProperty("user.home"), ".cache", "objtool-corpus");
  }

  /** A path inside the corpus cache, for example {@code corpus("6.12/stripped/net/key/af_key.ko")}. */
  public static Path corpus(String relative) {
    return corpus().resolve(relative);
  }

  /** The reference objtool of {@code version} ("6.12" or "6.1"), or null when it was not fetched. */
  public static Path reference(String version) {
    Path p = corpus().resolve("ref").resolve("objtool-" + version);
    return Files.isExecutable(p) ? p : null;
  }

  /** The reference objtool 6.12, or null when it was not fetched. */
  public static Path reference() {
    return reference("6.12");
  }

  /** The reference objtool of {@code version}; skips (or, when required, fails) without it. */
  public static Path requireReference(String version) {
    Path p = reference(version);
    require(p != null, "the reference objtool " + version + " (" + corpus().resolve("ref/objtool-" + version)
        + "; scripts/corpus.sh fetches it)");
    return p;
  }

  /** A file of the module corpus; skips (or, when required, fails) when it is absent. */
  public static Path requireCorpusFile(String relative) {
    Path p = corpus(relative);
    require(Files.isRegularFile(p), "the module corpus (" + p + "; scripts/corpus.sh fetches it)");
    return p;
  }

  /** Whether a missing oracle fails the test rather than skipping it. */
  public static boolean required() {
    return Boolean.getBoolean(REQUIRE);
  }

  /**
   * Goes on when {@code present}; otherwise skips the test, or fails it when oracles are
   * {@link #required()}. {@code what} names the missing oracle and how to get it.
   */
  public static void require(boolean present, String what) {
    if (present) return;
    if (required()) {
      throw new AssertionFailedError("oracle missing: " + what + " (-D" + REQUIRE + "=true: a comparison may not be skipped)");
    }
    Assumptions.abort("oracle missing: " + what);
  }

  /** Whether {@code command} runs and exits 0 (for tools such as gdb or objdump). */
  public static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A new tally for the oracle check {@code name}; {@code what} says what one unit is. */
  public static Tally tally(String name, String what) {
    return new Tally(name, what);
  }

  /**
   * What one oracle-backed check compared: how many units were compared and how many were
   * identical. Each change rewrites the check's line, {@code oracle NAME: I/C WHAT identical}, in
   * the directory named by {@value #REPORT_DIR} (nothing is written when it is unset).
   */
  public static final class Tally {
    private final String name;
    private final String what;
    private long compared;
    private long identical;

    private Tally(String name, String what) {
      this.name = name;
      this.what = what;
    }

    /** Runs one comparison: it counts as compared, and as identical when it does not throw. */
    public synchronized <T extends Throwable> void compare(Comparison<T> c) throws T {
      compared++;
      try {
        c.run();
        identical++;
      } finally {
        write();
      }
    }

    /** Adds {@code n} comparisons of which {@code same} were identical (for checks that count themselves). */
    public synchronized void add(long n, long same) {
      compared += n;
      identical += same;
      write();
    }

    /** The line printed at the end of CI. */
    public synchronized String line() {
      return String.format(Locale.ROOT, "oracle %s: %d/%d %s identical", name, identical, compared, what);
    }

    private void write() {
      String dir = System.getProperty(REPORT_DIR);
      if (dir == null || dir.isEmpty()) return;
      try {
        Path d = Files.createDirectories(Path.of(dir));
        Path tmp = Files.createTempFile(d, name, ".tmp");
        Files.writeString(tmp, line() + "\n");
        Files.move(tmp, d.resolve(name + ".txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot record oracle line " + name, e);
      }
    }
  }

  /** One comparison with an oracle. */
  @FunctionalInterface
  public interface Comparison<T extends Throwable> {
    void run() throws T;
  }
}
