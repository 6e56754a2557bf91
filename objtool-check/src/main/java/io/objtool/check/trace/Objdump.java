package io.objtool.check.trace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs binutils' objdump once, as a kernel build names it ({@code ${CROSS_COMPILE}objdump}, found
 * on the run's {@code PATH}), and hands its stdout to a consumer line by line (ISO-8859-1, so any
 * byte survives).
 */
public final class Objdump {
  /** The environment variable whose value prefixes {@code objdump}, as in a kernel build. */
  public static final String CROSS_COMPILE = "CROSS_COMPILE";

  private Objdump() {}

  /**
   * What a run gave besides its lines.
   *
   * @param tool the command run ({@code objdump} with its prefix)
   * @param started whether it could be started at all
   * @param stderr what it wrote on stderr
   */
  public record Outcome(String tool, boolean started, byte[] stderr) { }

  /**
   * Runs objdump with {@code args} in {@code cwd} (the empty path: this process's directory),
   * giving each line of its stdout to {@code lines}.
   */
  public static Outcome run(List<String> args, Path cwd, Map<String, String> env, Consumer<String> lines) {
    String tool = env.getOrDefault(CROSS_COMPILE, "") + "objdump";
    String path = env.get("PATH");
    String program = resolve(tool, path, cwd);
    if (program == null) return new Outcome(tool, false, new byte[0]);
    List<String> cmd = new ArrayList<>();
    cmd.add(program);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (!cwd.toString().isEmpty()) pb.directory(cwd.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    if (path != null) pb.environment().put("PATH", path);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Outcome(tool, false, new byte[0]);
    }
    ByteArrayOutputStream diag = new ByteArrayOutputStream();
    Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), diag));
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1))) {
      for (String line; (line = in.readLine()) != null; ) lines.accept(line);
      p.waitFor();
      drain.join();
    } catch (IOException e) {
      p.destroyForcibly();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    return new Outcome(tool, true, diag.toByteArray());
  }

  /**
   * The program {@code tool} names for a run whose {@code PATH} is {@code path} and whose working
   * directory is {@code cwd}, as a shell would find it: a name with a slash as it is (relative to
   * {@code cwd}), else the first executable file of that name in the run's {@code PATH} (an empty
   * entry is {@code cwd}), null when there is none. The JDK would search this process's own
   * {@code PATH}, which in the objtool server is the server's, not the request's. A run without a
   * {@code PATH} gets the name itself (the JDK's default search).
   */
  static String resolve(String tool, String path, Path cwd) {
    if (tool.indexOf('/') >= 0) {
      return cwd.toString().isEmpty() || tool.startsWith("/") ? tool : cwd.resolve(tool).toString();
    }
    if (path == null) return tool;
    for (String dir : path.split(":", -1)) {
      Path d = dir.isEmpty() ? cwd : Path.of(dir);
      if (!d.isAbsolute() && !cwd.toString().isEmpty()) d = cwd.resolve(d);
      Path f = d.resolve(tool);
      if (java.nio.file.Files.isRegularFile(f) && java.nio.file.Files.isExecutable(f)) return f.toAbsolutePath().toString();
    }
    return null;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      // the process went away; what it wrote so far is kept
    }
  }
}
