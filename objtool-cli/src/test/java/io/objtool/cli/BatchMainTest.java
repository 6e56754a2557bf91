package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch prints, per object and in input order, exactly what single runs print. */
class BatchMainTest {
  static final List<String> FLAGS = List.of("--orc", "--link", "--module");

  @TempDir Path tmp;

  record Outcome(int exit, byte[] stdout, byte[] stderr) {
    String err() {
      return new String(stderr, StandardCharsets.UTF_8);
    }
  }

  static Outcome single(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      ClassLoader loader = Main.class.getClassLoader();
      rc = Main.standard(loader).run(args, Map.of(), o, e);
    }
    return new Outcome(rc, out.toByteArray(), err.toByteArray());
  }

  static Outcome batch(List<String> args, String stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = new BatchMain(Main.class.getClassLoader()).run(args, Map.of(),
          new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e, false);
    }
    return new Outcome(rc, out.toByteArray(), err.toByteArray());
  }

  /** A fresh copy of the fixture objects in {@code tmp/name}. */
  Path fixtures(String name) throws IOException {
    Path d = tmp.resolve(name);
    if (Files.exists(d)) {
      try (Stream<Path> s = Files.walk(d)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    Files.createDirectories(d.resolve("sub"));
    Fixtures.populate(d);
    for (String extra : List.of("arm64.o", "arm.o", "busy.o", "busy.o.orig")) Files.delete(d.resolve(extra)); // the CLI cases' own
    Files.write(d.resolve("sub").resolve("mod.ko"), Fixtures.relocatable(0));
    return d;
  }

  static List<String> args(List<String> batchOpts, List<String> flags, List<String> inputs) {
    List<String> a = new ArrayList<>(batchOpts);
    a.add("--");
    a.addAll(flags);
    a.add("--");
    a.addAll(inputs);
    return a;
  }

  @Test
  void blocksAndExitMatchSingleRunsInInputOrder() throws IOException {
    Path d = fixtures("objs");
    List<String> files = List.of(d.resolve("text.o").toString(), d.resolve("obj.o").toString(),
        d.resolve("missing.o").toString(), d.resolve("linked.o").toString());
    ByteArrayOutputStream expectedErr = new ByteArrayOutputStream();
    int expectedExit = 0;
    List<byte[]> singleObjects = new ArrayList<>();
    for (String f : files) {
      List<String> a = new ArrayList<>(FLAGS);
      a.add(f);
      Outcome o = single(a);
      expectedErr.writeBytes(o.stderr());
      if (expectedExit == 0) expectedExit = o.exit();
    }
    singleObjects.add(Files.readAllBytes(d.resolve("obj.o")));
    assertTrue(expectedExit != 0, "the fixtures include failing objects");

    d = fixtures("objs");
    Path records = tmp.resolve("rec.jsonl");
    Outcome b = batch(args(List.of("--jobs", "3", "--records", records.toString(), "--no-summary"), FLAGS, files), "");
    assertEquals(expectedErr.toString(StandardCharsets.UTF_8), b.err());
    assertEquals(expectedExit, b.exit());
    assertEquals(0, b.stdout().length);
    assertTrue(java.util.Arrays.equals(singleObjects.getFirst(), Files.readAllBytes(d.resolve("obj.o"))),
        "the batch rewrites an object exactly as a single run does");

    List<String> lines = Files.readAllLines(records);
    assertEquals(files.size() + 1, lines.size());
    for (int i = 0; i < files.size(); i++) {
      assertTrue(lines.get(i).startsWith("{\"file\":" + Json.write(files.get(i)) + ",\"exit\":"), lines.get(i));
    }
    assertTrue(lines.getLast().startsWith("{\"summary\":{\"files\":4,"), lines.getLast());
  }

  @Test
  void directoriesAndStdinExpandToSortedObjects() throws IOException {
    Path d = fixtures("tree");
    Files.writeString(d.resolve("notes.txt"), "not an object\n");
    Path records = tmp.resolve("tree.jsonl");
    Outcome b = batch(args(List.of("--records", records.toString()), FLAGS, List.of("-")),
        d + "\n\n" + d.resolve("obj.o") + "\n");
    List<String> files = Files.readAllLines(records).stream().filter(l -> l.startsWith("{\"file\""))
        .map(l -> l.substring(9, l.indexOf("\",\"exit\""))).toList();
    assertEquals(List.of(d.resolve("linked.o").toString(), d.resolve("obj.o").toString(),
        d.resolve("sub/mod.ko").toString(), d.resolve("text.o").toString(),
        d.resolve("obj.o").toString()), files);
    assertTrue(b.err().lines().toList().getLast().startsWith("objtool-batch: 5 files in "), b.err());
  }

  @Test
  void badFlagsAreReportedOnceWithTheSingleRunsText() throws IOException {
    Path d = fixtures("flags");
    List<String> flags = List.of("--frobnicate");
    Outcome b = batch(args(List.of(), flags, List.of(d.toString())), "");
    Outcome s = single(List.of("--frobnicate", d.resolve("linked.o").toString()));
    assertEquals(s.exit(), b.exit());
    assertEquals(s.err(), b.err());
    Outcome none = batch(args(List.of(), List.of("--link"), List.of(d.toString())), "");
    assertEquals(1, none.exit());
    assertEquals("error: objtool: At least one action required\n", none.err());
  }

  @Test
  void badBatchCommandLinesSayWhyInOneLineAndExit2() {
    for (List<String> a : List.of(List.of("--orc", "x.o"), List.of("--", "--orc", "x.o"),
        List.of("--jobs", "0", "--", "--orc", "--", "x.o"), List.of("--format=xml", "--", "--orc", "--", "x.o"),
        List.of("--", "--orc", "--"))) {
      Outcome b = batch(a, "");
      assertEquals(2, b.exit(), a.toString());
      List<String> lines = b.err().lines().toList();
      assertEquals(2, lines.size(), b.err());
      assertTrue(lines.getFirst().startsWith("objtool-batch: "), b.err());
    }
    Outcome help = batch(List.of("--help"), "");
    assertEquals(0, help.exit());
    assertTrue(new String(help.stdout(), StandardCharsets.UTF_8).startsWith("usage: objtool-batch"));
  }

  @Test
  void unreadableDirectoryIsABatchError() throws IOException {
    Path d = fixtures("locked");
    Path locked = d.resolve("sub");
    assertTrue(locked.toFile().setReadable(false));
    try {
      if (Files.isReadable(locked)) return; // running as root: nothing is unreadable
      Outcome b = batch(args(List.of(), FLAGS, List.of(d.toString())), "");
      assertEquals(2, b.exit());
      assertTrue(b.err().startsWith("objtool-batch: cannot read directory"), b.err());
    } finally {
      locked.toFile().setReadable(true);
    }
  }

  @Test
  void jsonDocumentHoldsEveryFileAndTheSummary() throws IOException {
    Path d = fixtures("json");
    Outcome b = batch(args(List.of("--format=json", "--no-summary"), FLAGS,
        List.of(d.resolve("obj.o").toString(), d.resolve("text.o").toString())), "");
    String doc = new String(b.stdout(), StandardCharsets.UTF_8);
    assertTrue(doc.startsWith("{\"version\":1,\"tool\":{\"name\":\"objtool-jvm\""), doc);
    assertTrue(doc.contains("{\"file\":" + Json.write(d.resolve("text.o").toString()) + ",\"exit\":1,"), doc);
    assertTrue(doc.contains("\"summary\":{\"files\":2,\"ok\":1,\"failed\":1,"), doc);
    assertEquals(1, b.exit());
  }

  @Test
  void timedOutObjectsAreReportedAndTheBatchGoesOn() throws IOException {
    List<String> order = new ArrayList<>();
    BatchRunner runner = new BatchRunner(f -> {
      if (f.equals("slow")) {
        try {
          Thread.sleep(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new FileResult(f, 0, false, new byte[0], (f + "\n").getBytes(StandardCharsets.UTF_8), List.of(), 1);
    }, 1, 200_000_000L);
    List<FileResult> got = new ArrayList<>();
    runner.run(List.of("a", "slow", "b"), (i, r) -> got.add(r), r -> order.add(r.file()));
    assertEquals(List.of("a", "slow", "b"), got.stream().map(FileResult::file).toList());
    assertTrue(got.get(1).timedOut());
    assertEquals(FileResult.TIMEOUT_EXIT, got.get(1).status());
    assertTrue(!got.get(2).timedOut(), "a fresh worker took over from the stuck one");
  }
}
