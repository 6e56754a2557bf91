package io.objtool.orc;

import io.objtool.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** The reference objtool binaries and corpus, and a side-by-side run of {@code --dump=orc}. */
final class Reference {
  private Reference() {}

  /** What one {@code --dump=orc} run printed. */
  record Run(String out, String err, int status) {
    @Override
    public String toString() {
      return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Path cache() {
    return Oracles.corpus();
  }

  /** The reference binary for a format, or null when it is not installed. */
  static Path binary(OrcFormat format) {
    return Oracles.reference(format.version());
  }

  /**
   * The module tree of a kernel version: {@code VERSION/orig}, or for 6.1 (whose Debian modules
   * are not xz-compressed, so corpus.sh leaves orig empty) the unpacked image package.
   */
  static Path modules(String version) throws IOException {
    Path orig = cache().resolve(version + "/orig");
    if (Files.isDirectory(orig) && hasKo(orig)) return orig;
    Path pkg = cache().resolve("pkg");
    if (!Files.isDirectory(pkg)) return null;
    try (Stream<Path> s = Files.list(pkg)) {
      for (Path p : s.filter(d -> d.getFileName().toString().startsWith("linux-image-" + version + ".")).toList()) {
        for (String lib : List.of("lib/modules", "usr/lib/modules")) {
          Path m = p.resolve(lib);
          if (!Files.isDirectory(m)) continue;
          try (Stream<Path> k = Files.list(m)) {
            for (Path kv : k.toList()) if (Files.isDirectory(kv.resolve("kernel"))) return kv.resolve("kernel");
          }
        }
      }
    }
    return null;
  }

  private static boolean hasKo(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.anyMatch(p -> p.toString().endsWith(".ko"));
    }
  }

  /** All {@code .ko} files under {@code root}, sorted. */
  static List<Path> listModules(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".ko") && Files.isRegularFile(p)).sorted().toList();
    }
  }

  /** Runs the reference's {@code --dump=orc} on {@code file} (given as {@code shown}, relative to {@code cwd}). */
  static Run reference(Path binary, Path cwd, String shown) {
    try {
      Process p = new ProcessBuilder(binary.toString(), "--dump=orc", shown).directory(cwd.toFile()).start();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      byte[] out = p.getInputStream().readAllBytes();
      int status = p.waitFor();
      return new Run(new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8), status);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs our dump the same way. */
  static Run ours(OrcFormat format, Path cwd, String shown) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, false, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, false, StandardCharsets.UTF_8)) {
      status = OrcDumpCommand.run(cwd.resolve(shown), shown, format, o, e);
    }
    return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status);
  }

  /** Both runs on one file: null when identical, else a short description of the first difference. */
  static String compare(Path binary, OrcFormat format, Path cwd, String shown) {
    Run ref = reference(binary, cwd, shown);
    Run ours = ours(format, cwd, shown);
    if (ref.equals(ours)) return null;
    List<String> diffs = new ArrayList<>();
    if (ref.status() != ours.status()) diffs.add("status " + ref.status() + " vs " + ours.status());
    if (!ref.err().equals(ours.err())) diffs.add("stderr [" + ref.err().strip() + "] vs [" + ours.err().strip() + "]");
    if (!ref.out().equals(ours.out())) diffs.add("stdout " + firstDifference(ref.out(), ours.out()));
    return String.join("; ", diffs);
  }

  private static String firstDifference(String a, String b) {
    String[] x = a.split("\n", -1);
    String[] y = b.split("\n", -1);
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      String l = i < x.length ? x[i] : "<eof>";
      String r = i < y.length ? y[i] : "<eof>";
      if (!l.equals(r)) return "line " + (i + 1) + ": [" + l + "] vs [" + r + "]";
    }
    return "?";
  }
}
