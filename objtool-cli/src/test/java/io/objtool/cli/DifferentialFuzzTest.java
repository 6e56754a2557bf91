package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random command lines built from option fragments, run through the reference and through ours
 * (the real command line, every pass): the same stdout, stderr and exit status, and the objects
 * left behind (written, backed up or untouched) byte for byte the same.
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

  private static final int RUNS = 800;
  private static final String[] ACTIONS = {
    "--orc", "--stackval", "--uaccess", "--noinstr", "--ibt", "--retpoline", "--rethunk", "--sls",
    "--static-call", "--mcount", "--hacks=jump_label", "--hacks=noinstr", "--hacks=skylake",
    "--prefix=16", "--cfi", "--unret", "--dump=orc",
  };
  private static final String[] OPTIONS = {
    "--link", "--link", "--module", "--backup", "--dry-run", "--no-unreachable", "--sec-address",
    "--stats", "--mnop", "--backtrace",
  };

  /** The files a run may have written, as they are now (absent files as null). */
  private static List<byte[]> effects(Path dir) throws java.io.IOException {
    List<byte[]> out = new ArrayList<>();
    for (String f : List.of("obj.o", "obj.o.orig", "linked.o", "linked.o.orig", "missing.o")) {
      Path p = dir.resolve(f);
      out.add(Files.isRegularFile(p) ? Files.readAllBytes(p) : null);
    }
    return out;
  }

  private static void clean(Path dir) throws java.io.IOException {
    for (String f : List.of("obj.o.orig", "linked.o.orig", "missing.o")) Files.deleteIfExists(dir.resolve(f));
    Fixtures.populate(dir);
  }

  @Test
  void randomCommandLinesAgree(@TempDir Path dir) throws Exception {
    Path ref = Fixtures.reference();
    Oracles.Tally tally = Oracles.tally("cli-fuzz", "random command lines (stdout, stderr, exit, files; objtool 6.12)");
    Random rnd = new Random(0x0b7001L);
    int analysed = 0;
    List<String> failures = new ArrayList<>();
    for (int n = 0; n < RUNS; n++) {
      List<String> args = new ArrayList<>();
      String env = null;
      if (n < RUNS / 2) { // any fragments: mostly rejected by the option parser
        int len = 1 + rnd.nextInt(5);
        for (int k = 0; k < len; k++) args.add(WORDS[rnd.nextInt(WORDS.length)].replace("@/", dir + "/"));
        env = rnd.nextInt(8) == 0 ? WORDS[rnd.nextInt(WORDS.length)].replace("@/", dir + "/") : null;
      } else { // well-formed: actions and options that reach the analysis of an object
        for (int k = 1 + rnd.nextInt(3); k > 0; k--) args.add(ACTIONS[rnd.nextInt(ACTIONS.length)]);
        for (int k = rnd.nextInt(3); k > 0; k--) args.add(OPTIONS[rnd.nextInt(OPTIONS.length)]);
        java.util.Collections.shuffle(args, rnd);
        args.add(dir.resolve(rnd.nextBoolean() ? "obj.o" : "linked.o").toString());
        if (rnd.nextInt(6) == 0) env = OPTIONS[rnd.nextInt(OPTIONS.length)];
      }
      clean(dir);
      Fixtures.Outcome r = Fixtures.runReference(ref, dir, args, env);
      List<byte[]> refFiles = effects(dir);
      clean(dir);
      Fixtures.Outcome o = Fixtures.runOurs(args, env);
      List<byte[]> ourFiles = effects(dir);
      if (r.exit() == 0) analysed++;
      boolean same = r.equals(o);
      for (int i = 0; i < refFiles.size(); i++) same &= java.util.Arrays.equals(refFiles.get(i), ourFiles.get(i));
      tally.add(1, same ? 1 : 0);
      if (!same) failures.add("env=" + env + " args=" + args + "\n ref:  " + r + "\n ours: " + o);
    }
    assertEquals(List.of(), failures, failures.size() + " of " + RUNS + " differ");
    assertTrue(analysed > RUNS / 4, "only " + analysed + " command lines reached the analysis");
  }
}
