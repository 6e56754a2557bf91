package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input gives the same output bytes and warnings in the same order however it is run: a
 * sample of the corpus (every action of a module build on) through {@code bin/objtool} alone, one
 * process per object, through {@code bin/objtool-batch} with 8 threads, and through the objtool
 * server with all requests in flight at once. Exit statuses, stderr and the written objects are
 * compared byte for byte.
 */
class DeterminismIT {
  private static final List<String> FLAGS = List.of("--hacks=jump_label", "--hacks=noinstr", "--hacks=skylake",
      "--ibt", "--orc", "--retpoline", "--rethunk", "--sls", "--static-call", "--uaccess", "--prefix=16", "--link",
      "--module");
  private static final int SAMPLE = 16;

  @TempDir Path dir;

  /** Every n-th module under 300 KB of the 6.12 annot-stripped corpus, in path order. */
  private static List<Path> sample() throws Exception {
    Path root = Oracles.corpus("6.12/annot-stripped");
    Oracles.require(Files.isDirectory(root), "the 6.12 module corpus (scripts/corpus.sh)");
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.filter(p -> p.toString().endsWith(".ko")).filter(p -> p.toFile().length() < 300_000).sorted().toList();
    }
    assertTrue(all.size() >= SAMPLE, "corpus too small: " + all.size());
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < SAMPLE; i++) out.add(all.get(i * all.size() / SAMPLE));
    return out;
  }

  private List<String> copy(List<Path> modules, Path to) throws Exception {
    Files.createDirectories(to);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < modules.size(); i++) {
      String name = i + "-" + modules.get(i).getFileName();
      Files.copy(modules.get(i), to.resolve(name));
      names.add(name);
    }
    return names;
  }

  private static Process start(Path cwd, List<String> cmd, Map<String, String> env, Path out, Path err) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OBJTOOL_"));
    pb.environment().putAll(env);
    return pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
  }

  private static int finish(Process p) throws Exception {
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "did not finish");
    return p.exitValue();
  }

  @Test
  void aloneInABatchAndThroughTheServerGiveTheSameBytes() throws Exception {
    List<Path> modules = sample();
    Path alone = dir.resolve("alone");
    Path batch = dir.resolve("batch");
    Path server = dir.resolve("server");
    List<String> names = copy(modules, alone);
    copy(modules, batch);
    copy(modules, server);
    String bin = ServerHarness.ROOT.resolve("bin").toString();

    // alone: one process each, no server
    int[] aloneExit = new int[names.size()];
    StringBuilder aloneErr = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      List<String> cmd = new ArrayList<>(List.of(bin + "/objtool"));
      cmd.addAll(FLAGS);
      cmd.add(names.get(i));
      Path err = dir.resolve("alone-" + i + ".err");
      aloneExit[i] = finish(start(alone, cmd, Map.of("OBJTOOL_SERVER", "off"), dir.resolve("alone.out"), err));
      aloneErr.append(Files.readString(err));
    }
    assertTrue(aloneErr.toString().contains("warning: objtool:"), "the sample should warn somewhere: " + names);

    // one batch, 8 threads: each object's block in input order, as alone
    List<String> cmd = new ArrayList<>(List.of(bin + "/objtool-batch", "--jobs", "8", "--no-summary", "--progress", "never", "--"));
    cmd.addAll(FLAGS);
    cmd.add("--");
    cmd.addAll(names);
    int batchExit = finish(start(batch, cmd, Map.of(), dir.resolve("batch.out"), dir.resolve("batch.err")));
    int firstFailure = 0;
    for (int e : aloneExit) if (firstFailure == 0) firstFailure = e;
    assertEquals(firstFailure, batchExit);
    assertEquals(aloneErr.toString(), Files.readString(dir.resolve("batch.err"), StandardCharsets.UTF_8));

    // the server, every request at once
    try (ServerHarness h = new ServerHarness(dir).start()) {
      List<Process> ps = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        List<String> args = new ArrayList<>(FLAGS);
        args.add(names.get(i));
        Map<String, String> env = new HashMap<>(ObjtoolServerIT.REQUIRE);
        ps.add(h.launch(server, args, env, dir.resolve("server-" + i + ".out"), dir.resolve("server-" + i + ".err")));
      }
      StringBuilder serverErr = new StringBuilder();
      for (int i = 0; i < names.size(); i++) {
        assertEquals(aloneExit[i], finish(ps.get(i)), names.get(i));
        serverErr.append(Files.readString(dir.resolve("server-" + i + ".err")));
      }
      assertEquals(aloneErr.toString(), serverErr.toString());
      assertEquals(names.size(), h.served());
    }

    for (String n : names) {
      byte[] want = Files.readAllBytes(alone.resolve(n));
      assertArrayEquals(want, Files.readAllBytes(batch.resolve(n)), n + " written by the batch");
      assertArrayEquals(want, Files.readAllBytes(server.resolve(n)), n + " written through the server");
    }
  }
}
