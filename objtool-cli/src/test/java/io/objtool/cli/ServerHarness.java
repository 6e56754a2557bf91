package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;

/**
 * The objtool server as a kernel build meets it, for the server's tests: the checkout's
 * {@code bin/objtool-server} and {@code bin/objtool} (the packaged jars and the native client), a
 * socket directory of the test's own, objects compiled by gcc, plug-in jars built with javac.
 */
final class ServerHarness implements AutoCloseable {
  static final Path ROOT = realRoot();
  static final Path CLIENT = ROOT.resolve("objtool-cli/target/objtool-client");
  /** A 6.12 module's code-generation flags (scripts/example.sh). */
  static final List<String> KERNEL_CFLAGS = List.of("-O2", "-mcmodel=kernel", "-mno-red-zone", "-mno-sse",
      "-mno-mmx", "-mno-sse2", "-mno-avx", "-fno-pic", "-fno-asynchronous-unwind-tables", "-fno-jump-tables",
      "-fcf-protection=branch", "-mindirect-branch=thunk-extern", "-mindirect-branch-register",
      "-mfunction-return=thunk-extern", "-fno-stack-protector", "-fomit-frame-pointer", "-fno-strict-aliasing",
      "-fno-common", "-ffunction-sections");

  final Path dir;
  final Path sockDir;
  final Map<String, String> env = new HashMap<>();
  private final Path root;
  private Process server;

  /** A harness for the checkout at {@code root} whose socket directory is {@code dir}/sock. */
  ServerHarness(Path root, Path dir) {
    this.root = root;
    this.dir = dir;
    this.sockDir = dir.resolve("sock");
    env.put("OBJTOOL_SERVER_DIR", sockDir.toString());
  }

  ServerHarness(Path dir) {
    this(ROOT, dir);
  }

  private static Path realRoot() {
    try {
      return Path.of("..").toRealPath();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  String key() throws IOException {
    return ServerFiles.buildKey(root);
  }

  Path log() throws IOException {
    return ServerFiles.log(sockDir, key());
  }

  List<String> logLines() throws IOException {
    Path l = log();
    return Files.exists(l) ? Files.readAllLines(l) : List.of();
  }

  /** Starts {@code bin/objtool-server serve} and waits until it answers. */
  ServerHarness start(Map<String, String> extraEnv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/objtool-server").toString(), "serve");
    pb.environment().putAll(env);
    pb.environment().putAll(extraEnv);
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile());
    server = pb.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      if (status() != null) return this;
      if (!server.isAlive()) fail("the server exited: " + Files.readString(dir.resolve("server.out")));
      Thread.sleep(50);
    }
    fail("the server did not answer within 60 s");
    return this;
  }

  ServerHarness start() throws Exception {
    return start(Map.of());
  }

  Process process() {
    return server;
  }

  /** The server's status text, or null when none answers. */
  String status() throws IOException {
    return ServerMain.ask(sockDir, key(), ServerProtocol.STATUS);
  }

  long served() throws IOException {
    String s = status();
    if (s == null) return -1;
    for (String line : s.split("\n")) {
      if (line.startsWith("requests ")) return Long.parseLong(line.split(" ")[1]);
    }
    throw new AssertionError(s);
  }

  /** What a run printed and returned. */
  record Result(int exit, String stdout, String stderr) { }

  /** Starts {@code bin/objtool args} in {@code cwd} with the harness's environment plus {@code extra}. */
  Process launch(Path cwd, List<String> args, Map<String, String> extra, Path out, Path err) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("bin/objtool").toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OBJTOOL_"));
    pb.environment().putAll(env);
    pb.environment().putAll(extra);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    return pb.start();
  }

  /** Runs {@code bin/objtool args} in {@code cwd} to the end. */
  Result run(Path cwd, List<String> args, Map<String, String> extra) throws Exception {
    Path out = Files.createTempFile(dir, "out", "");
    Path err = Files.createTempFile(dir, "err", "");
    Process p = launch(cwd, args, extra, out, err);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("bin/objtool " + args + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Runs the command line in this JVM as an in-process run does, in {@code cwd}. */
  static Result inJvm(Path cwd, List<String> args, Map<String, String> env, ClassLoader loader) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = Main.runCommand(args, new RunContext(cwd, env, () -> false), loader, o, e);
    }
    return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Compiles {@code src} (C) with the kernel's flags into {@code obj}. */
  static void compile(Path src, Path obj, String... more) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("gcc", "-c"));
    cmd.addAll(KERNEL_CFLAGS);
    cmd.addAll(List.of(more));
    cmd.addAll(List.of(src.toString(), "-o", obj.toString()));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertEquals(0, p.waitFor(), "gcc " + src);
  }

  /**
   * A plug-in jar of two passes: {@code --slow} sleeps {@code millis} before the walk (a request
   * that takes its time), {@code --boom} throws.
   */
  static Path testPlugins(Path dir, long millis) throws IOException {
    Path src = dir.resolve("plugsrc/t");
    Files.createDirectories(src);
    Files.writeString(src.resolve("SlowPass.java"), """
        package t;
        public final class SlowPass implements io.objtool.api.Pass {
          @Override public String option() { return "slow"; }
          @Override public String help() { return "sleep before the walk"; }
          @Override public boolean enabled(io.objtool.api.Options o) { return o.has("slow"); }
          @Override public io.objtool.api.BranchVisitor visitor(io.objtool.api.ObjtoolFile f, io.objtool.api.BranchVisitor next) {
            try { Thread.sleep(%d); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            return next;
          }
        }
        """.formatted(millis));
    Files.writeString(src.resolve("BoomPass.java"), """
        package t;
        public final class BoomPass implements io.objtool.api.Pass {
          @Override public String option() { return "boom"; }
          @Override public boolean enabled(io.objtool.api.Options o) { return o.has("boom"); }
          @Override public io.objtool.api.BranchVisitor visitor(io.objtool.api.ObjtoolFile f, io.objtool.api.BranchVisitor next) {
            throw new IllegalStateException("boom");
          }
        }
        """);
    Files.writeString(src.resolve("OverflowPass.java"), """
        package t;
        public final class OverflowPass implements io.objtool.api.Pass {
          @Override public String option() { return "overflow"; }
          @Override public boolean enabled(io.objtool.api.Options o) { return o.has("overflow"); }
          @Override public io.objtool.api.BranchVisitor visitor(io.objtool.api.ObjtoolFile f, io.objtool.api.BranchVisitor next) {
            return new io.objtool.api.BranchVisitor(io.objtool.api.BranchVisitor.LATEST, next) {
              // what a walk too deep for the check thread's stack ends in (without filling 1 GiB)
              @Override public void visitInsnStart(io.objtool.api.Func func, io.objtool.api.Instruction insn, io.objtool.api.InsnState state) {
                throw new StackOverflowError();
              }
            };
          }
        }
        """);
    Path classes = dir.resolve("plugclasses");
    Files.createDirectories(classes);
    String cp = io.objtool.api.Pass.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "25", "-cp", cp, "-d",
        classes.toString(), src.resolve("SlowPass.java").toString(), src.resolve("BoomPass.java").toString(),
        src.resolve("OverflowPass.java").toString());
    assertEquals(0, rc, "javac");
    Path jar = dir.resolve("test-plugins.jar");
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String c : List.of("SlowPass", "BoomPass", "OverflowPass", "OverflowPass$1")) {
        j.putNextEntry(new JarEntry("t/" + c + ".class"));
        j.write(Files.readAllBytes(classes.resolve("t/" + c + ".class")));
      }
      j.putNextEntry(new JarEntry("META-INF/services/io.objtool.api.Pass"));
      j.write("t.SlowPass\nt.BoomPass\nt.OverflowPass\n".getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  /** Makes {@code p} and its parents up to {@code upTo} enterable by everybody (the foreign-uid test). */
  static void openUp(Path p, String perms) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }

  @Override
  public void close() throws Exception {
    if (server != null && server.isAlive()) {
      ServerMain.ask(sockDir, key(), ServerProtocol.STOP);
      if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }
}
