package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write is atomic: {@code bin/objtool --orc} killed with SIGKILL at moments spread over its run
 * (while reading, checking, and writing the object back) leaves the object either exactly as it
 * was or exactly as a finished run writes it, never in between.
 */
class KillDuringWriteIT {
  private static final List<String> FLAGS = List.of("--orc", "--link", "--module");

  @TempDir Path dir;

  private static Process start(Path obj) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ServerHarness.ROOT.resolve("bin/objtool").toString()));
    cmd.addAll(FLAGS);
    cmd.add(obj.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("OBJTOOL_"));
    pb.environment().putAll(Map.of("OBJTOOL_SERVER", "off"));
    return pb.start();
  }

  @Test
  void aKilledRunLeavesTheOldOrTheNewObject() throws Exception {
    Path module = Oracles.requireCorpusFile("6.12/stripped/net/mac80211/mac80211.ko");
    byte[] before = Files.readAllBytes(module);
    Path done = dir.resolve("done.ko");
    Files.write(done, before);
    long t0 = System.nanoTime();
    Process whole = start(done);
    assertTrue(whole.waitFor(300, TimeUnit.SECONDS));
    long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(0, whole.exitValue());
    byte[] after = Files.readAllBytes(done);
    assertTrue(!Arrays.equals(before, after), "--orc changes the object");

    int untouched = 0, written = 0;
    for (int i = 0; i < 12; i++) {
      Path obj = dir.resolve("k" + i + ".ko");
      Files.write(obj, before);
      Process p = start(obj);
      // from early in the run to just past its usual end, where the write happens
      Thread.sleep(runMillis * (i + 1) / 12 + (i % 3) * 7);
      p.destroyForcibly();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      byte[] now = Files.readAllBytes(obj);
      if (Arrays.equals(now, before)) untouched++;
      else if (Arrays.equals(now, after)) written++;
      else throw new AssertionError("run " + i + " killed after " + runMillis * (i + 1) / 12
          + " ms left a partial object of " + now.length + " bytes");
    }
    assertEquals(12, untouched + written);
    assertTrue(untouched > 0, "no run was killed before its write");
  }
}
