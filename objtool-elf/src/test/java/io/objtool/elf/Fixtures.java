package io.objtool.elf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles fixture sources with gcc at test time, and runs binutils on the results. */
final class Fixtures {
  private Fixtures() {}

  /** Compiles the classpath resource {@code fixtures/NAME} into {@code dir}; returns the object. */
  static Path compile(Path dir, String name, String... flags) throws IOException {
    Path src = dir.resolve(name);
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) throw new IOException("no fixture " + name);
      Files.copy(in, src);
    }
    return compileFile(src, flags);
  }

  /** Compiles a source file next to itself with {@code gcc -c}. */
  static Path compileFile(Path src, String... flags) throws IOException {
    String base = src.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    Path obj = src.resolveSibling(base + ".o");
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c", "-O2"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    run(cmd);
    return obj;
  }

  /** Runs a command; returns its standard output; fails on a non-zero exit. */
  static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (p.exitValue() != 0) throw new IOException(cmd + " failed: " + out);
    return out;
  }

  static String run(String... cmd) throws IOException {
    return run(List.of(cmd));
  }
}
