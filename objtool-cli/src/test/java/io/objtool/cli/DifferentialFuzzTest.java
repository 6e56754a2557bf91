package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random command lines built from option fragments, run through the reference and through ours.
 * Wherever the reference stops before analysing the object, ours must print the same bytes and
 * exit the same way. Skipped without the reference binary.
 */
class DifferentialFuzzTest {
  private static final String[] WORDS = {
    "--orc", "--or", "--o", "--no-orc", "-o", "-os", "-ov", "-vo", "-h", "-oh", "-z", "-o-v", "-",
    "--", "--help", "--he", "--hacks", "--hacks=jump_label", "--hacks=skylake", "--hacks=foo",
    "--hacks=", "--no-hacks", "--dump", "--dump=orc", "--dump=x", "--no-dump", "--prefix",
    "--prefix=16", "--prefix=x", "--prefix=", "--no-prefix", "16", "--pre=3", "--mnop", "--mcount",
    "--m", "--mo", "--link", "--li", "--module", "--unret", "--rethunk", "--re", "--r", "--ibt",
    "--noinstr", "--no", "--n", "--no-", "--no-u", "--u", "--unreachable", "--no-unreachable",
    "--no-no-unreachable", "--s", "--st", "--sls", "--stackval", "--static-call", "--stats",
    "--sec-address", "--verbose", "-v", "--backup", "--backtrace", "--b", "--dry-run", "--d",
    "--cfi", "--uaccess", "--retpoline", "--orc=1", "--no-s", "--=", "orc", "frame", "s",
    "@/obj.o", "@/obj.o", "@/obj.o", "@/missing.o", "@/linked.o", "-ilmnorstuv",
  };

  @Test
  void randomCommandLinesAgree(@TempDir Path dir) throws Exception {
    Path ref = Fixtures.reference();
    assumeTrue(ref != null, "reference objtool not present");
    Random rnd = new Random(0x0b7001L);
    int compared = 0;
    List<String> failures = new ArrayList<>();
    for (int n = 0; n < 600; n++) {
      int len = 1 + rnd.nextInt(5);
      List<String> args = new ArrayList<>();
      for (int k = 0; k < len; k++) args.add(WORDS[rnd.nextInt(WORDS.length)].replace("@/", dir + "/"));
      String env = rnd.nextInt(8) == 0 ? WORDS[rnd.nextInt(WORDS.length)].replace("@/", dir + "/") : null;
      Fixtures.populate(dir);
      Fixtures.Outcome r = Fixtures.runReference(ref, dir, args, env);
      if (r.exit() == 0) continue; // the reference analysed the object: nothing to compare yet
      Files.deleteIfExists(dir.resolve("obj.o.orig"));
      Fixtures.populate(dir);
      Fixtures.Outcome o = Fixtures.runOurs(args, env);
      compared++;
      if (!r.equals(o)) {
        failures.add("env=" + env + " args=" + args + "\n ref:  " + r + "\n ours: " + o);
      }
    }
    assertEquals(List.of(), failures, failures.size() + " of " + compared + " differ");
    assertTrue(compared > 200, "only " + compared + " command lines were comparable");
  }
}
