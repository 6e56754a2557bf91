package io.objtool.cli;

import io.objtool.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test objects, the reference binary, and running either side. */
final class Fixtures {
  private Fixtures() { }

  /** Exit code and both streams of one run. */
  record Outcome(int exit, String stdout, String stderr) { }

  /** The reference objtool 6.12; skips, or in CI fails, when it was not fetched. */
  static Path reference() {
    return Oracles.requireReference("6.12");
  }

  /**
   * Creates the objects the cases refer to in {@code dir}: obj.o (one function, no STT_FILE
   * symbol), linked.o (two STT_FILE symbols), arm64.o (obj.o for EM_AARCH64), arm.o (obj.o for EM_ARM), busy.o (obj.o
   * whose backup name busy.o.orig is a directory), text.o (not ELF), dir.o (a directory);
   * missing.o is never created.
   */
  static void populate(Path dir) throws IOException {
    Files.write(dir.resolve("obj.o"), relocatable(0));
    Files.write(dir.resolve("arm64.o"), relocatable(0, 183));
    Files.write(dir.resolve("arm.o"), relocatable(0, 40));
    Files.write(dir.resolve("busy.o"), relocatable(0));
    Files.createDirectories(dir.resolve("busy.o.orig"));
    Files.write(dir.resolve("linked.o"), relocatable(2));
    Files.writeString(dir.resolve("text.o"), "hello\n");
    Files.createDirectories(dir.resolve("dir.o"));
  }

  /** A minimal x86-64 relocatable object: .text holding one "ret", and a global function f. */
  static byte[] relocatable(int fileSymbols) {
    return relocatable(fileSymbols, 62);
  }

  /** As {@link #relocatable(int)}, for the ELF machine {@code machine}. */
  static byte[] relocatable(int fileSymbols, int machine) {
    byte[] text = {(byte) 0xc3};
    StringBuilder strtab = new StringBuilder("\0");
    List<long[]> syms = new ArrayList<>(); // name, info, shndx, value, size
    syms.add(new long[] {0, 0, 0, 0, 0});
    for (int i = 0; i < fileSymbols; i++) {
      int name = strtab.length();
      strtab.append("part").append(i).append(".c\0");
      syms.add(new long[] {name, 4, 0xfff1, 0, 0});
    }
    syms.add(new long[] {0, 3, 1, 0, 0});
    int firstGlobal = syms.size();
    int fname = strtab.length();
    strtab.append("f\0");
    syms.add(new long[] {fname, (1 << 4) | 2, 1, 0, 1});
    String shstr = "\0.text\0.symtab\0.strtab\0.shstrtab\0";
    byte[] strBytes = strtab.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] shstrBytes = shstr.getBytes(StandardCharsets.US_ASCII);

    int textOff = 64;
    int symOff = align(textOff + text.length, 8);
    int symSize = syms.size() * 24;
    int strOff = symOff + symSize;
    int shstrOff = strOff + strBytes.length;
    int shOff = align(shstrOff + shstrBytes.length, 8);
    int shnum = 5;
    ByteBuffer b = ByteBuffer.allocate(shOff + shnum * 64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.position(16);
    b.putShort((short) 1).putShort((short) machine).putInt(1).putLong(0).putLong(0).putLong(shOff);
    b.putInt(0).putShort((short) 64).putShort((short) 0).putShort((short) 0);
    b.putShort((short) 64).putShort((short) shnum).putShort((short) 4);
    b.position(textOff);
    b.put(text);
    b.position(symOff);
    for (long[] s : syms) {
      b.putInt((int) s[0]).put((byte) s[1]).put((byte) 0).putShort((short) s[2]).putLong(s[3]).putLong(s[4]);
    }
    b.position(strOff);
    b.put(strBytes);
    b.position(shstrOff);
    b.put(shstrBytes);
    b.position(shOff + 64);
    section(b, 1, 1, 6, textOff, text.length, 0, 0, 16, 0);
    section(b, 7, 2, 0, symOff, symSize, 3, firstGlobal, 8, 24);
    section(b, 15, 3, 0, strOff, strBytes.length, 0, 0, 1, 0);
    section(b, 23, 3, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0);
    return b.array();
  }

  private static void section(ByteBuffer b, int name, int type, long flags, long off, long size,
      int link, int info, long align, long entsize) {
    b.putInt(name).putInt(type).putLong(flags).putLong(0).putLong(off).putLong(size);
    b.putInt(link).putInt(info).putLong(align).putLong(entsize);
  }

  private static int align(int v, int a) {
    return (v + a - 1) / a * a;
  }

  /** Our CLI in this JVM as {@link Main#main} sets it up (every pass on the class path); OBJTOOL_ARGS only when given. */
  static Outcome runOurs(List<String> args, String envArgs) {
    Map<String, String> env = envArgs == null ? Map.of() : Map.of(CommandLine.ENV_VAR, envArgs);
    return run(Main.standard(Fixtures.class.getClassLoader()), args, env);
  }

  /** Runs ours with {@code env} as the environment (PATH is added from this process's). */
  static Outcome runOursWithEnv(List<String> args, Map<String, String> env) {
    Map<String, String> e = new java.util.HashMap<>(env);
    e.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return run(Main.create(Fixtures.class.getClassLoader(), WarningListener.NONE, RunContext.inProcess(e)), args, e);
  }

  /** As {@link #runOurs(List, String)} without OBJTOOL_ARGS. */
  static Outcome runOurs(List<String> args) {
    return runOurs(args, null);
  }

  private static Outcome run(Main main, List<String> args, Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = main.run(args, env, o, e);
    }
    return new Outcome(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs the reference binary in {@code cwd}; OBJTOOL_ARGS is set only when given. */
  static Outcome runReference(Path ref, Path cwd, List<String> args, String envArgs)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ref.toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().remove(CommandLine.ENV_VAR);
    if (envArgs != null) pb.environment().put(CommandLine.ENV_VAR, envArgs);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile("ref-out", ".txt");
    Path err = Files.createTempFile("ref-err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("reference timed out on " + args);
      }
      return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
          Files.readString(err, StandardCharsets.ISO_8859_1));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
