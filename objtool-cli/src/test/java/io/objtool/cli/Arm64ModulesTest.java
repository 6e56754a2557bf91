package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's third oracle in CI: Debian's arm64 6.12 modules ({@code scripts/corpus.sh
 * --with-arm64-modules} puts them in {@code arm64-6.12/orig}), every 20th of the sorted list,
 * copied and run in batch mode with {@code --stackval --orc --link --module}. Each must decode and
 * walk: exit status 0, no internal error, and no warning of a rule of severity error (those stop
 * the check before the walk, as "can't decode instruction" did on the module linker script's
 * one-byte {@code .plt}). The whole set's figures are in docs/arm64-modules.md.
 */
class Arm64ModulesTest {
  /** One module in this many of the sorted list. */
  static final int STRIDE = 20;
  private static final Pattern FILE = Pattern.compile("^\\{\"file\":\"((?:[^\"\\\\]|\\\\.)*)\",\"exit\":([^,]+),");

  @TempDir Path dir;

  @Test
  void everySampledModuleDecodesAndWalks() throws Exception {
    Path list = Oracles.corpus("arm64-6.12/list.txt");
    Oracles.require(Files.isRegularFile(list) && Files.isRegularFile(Oracles.corpus("arm64-6.12/.done")),
        "Debian's arm64 modules (" + list.getParent() + "; scripts/corpus.sh --with-arm64-modules fetches them)");
    List<String> all = Files.readAllLines(list);
    List<String> args = new ArrayList<>(List.of("--jobs", "2", "--progress", "never", "--records",
        dir.resolve("records.jsonl").toString(), "--", "--stackval", "--orc", "--link", "--module", "--"));
    int sampled = 0;
    for (int i = 0; i < all.size(); i += STRIDE) {
      String rel = all.get(i);
      Path copy = dir.resolve("ko").resolve(rel);
      Files.createDirectories(copy.getParent());
      Files.copy(Oracles.corpus("arm64-6.12/orig").resolve(rel), copy);
      args.add(copy.toString());
      sampled++;
    }
    assertTrue(sampled > 100, "only " + sampled + " modules in " + list);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = new BatchMain(Main.class.getClassLoader()).run(args, Map.of(), java.io.InputStream.nullInputStream(), o, e, false);
    }
    String stderr = err.toString(StandardCharsets.UTF_8);
    Oracles.Tally tally = Oracles.tally("arm64-modules",
        "Debian arm64 modules (every " + STRIDE + "th; --stackval --orc: decoded and walked, no internal error)");
    int records = 0;
    for (String line : Files.readAllLines(dir.resolve("records.jsonl"))) {
      Matcher m = FILE.matcher(line);
      if (!m.find()) continue; // the summary
      records++;
      String file = m.group(1);
      String exit = m.group(2);
      tally.compare(() -> {
        assertEquals("0", exit, file + ": exit status\n" + line);
        assertTrue(!line.contains("internal error"), file + ": internal error\n" + line);
        assertTrue(!line.contains("\"severity\":\"error\""), file + ": a fatal warning (the walk did not run)\n" + line);
      });
    }
    assertEquals(sampled, records, "one record per module\n" + stderr);
    assertEquals(0, rc, stderr);
  }
}
