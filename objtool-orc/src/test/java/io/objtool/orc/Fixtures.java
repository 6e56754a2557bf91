package io.objtool.orc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds test objects with gcc at test time from source text. */
public final class Fixtures {
  private Fixtures() {}

  /** Writes {@code source} to {@code dir/name} and compiles it with {@code gcc -c}; returns the object. */
  public static Path compile(Path dir, String name, String source, String... flags) throws IOException {
    Path src = dir.resolve(name);
    Files.writeString(src, source);
    Path obj = dir.resolve(name.replaceFirst("\\.[^.]*$", "") + ".o");
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    run(cmd);
    return obj;
  }

  /** Links objects with gcc into {@code out} with the given flags. */
  public static Path link(Path out, List<Path> objects, String... flags) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("gcc"));
    cmd.addAll(List.of(flags));
    for (Path o : objects) cmd.add(o.toString());
    cmd.addAll(List.of("-o", out.toString()));
    run(cmd);
    return out;
  }

  /** Runs a command; returns its output; fails on a non-zero exit. */
  public static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
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

  /** Whether gcc can be run. */
  public static boolean haveGcc() {
    try {
      run(List.of("gcc", "--version"));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
