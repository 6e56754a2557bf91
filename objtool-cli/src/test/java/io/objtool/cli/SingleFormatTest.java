package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OBJTOOL_FORMAT adds a document and leaves streams and exit status as a plain run has them. */
class SingleFormatTest {
  @TempDir Path tmp;

  static BatchMainTest.Outcome run(List<String> args, Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = SingleFormat.run(args, RunContext.inProcess(env), io.objtool.check.PassProviders.of(Main.class.getClassLoader()), o, e);
    }
    return new BatchMainTest.Outcome(rc, out.toByteArray(), err.toByteArray());
  }

  @Test
  void jsonBesideTheObjectAndStreamsUnchanged() throws Exception {
    Fixtures.populate(tmp);
    String text = tmp.resolve("text.o").toString();
    BatchMainTest.Outcome plain = BatchMainTest.single(List.of("--orc", text));
    BatchMainTest.Outcome f = run(List.of("--orc", text), Map.of("OBJTOOL_FORMAT", "json"));
    assertEquals(plain.exit(), f.exit());
    assertEquals(plain.err(), f.err());
    assertEquals(0, f.stdout().length);
    String doc = Files.readString(Path.of(text + ".objtool.json"));
    assertTrue(doc.contains("\"exit\":" + plain.exit()), doc);
  }

  @Test
  void sarifToStdoutWhenAsked() throws Exception {
    Fixtures.populate(tmp);
    String obj = tmp.resolve("obj.o").toString();
    BatchMainTest.Outcome f = run(List.of("--orc", "--link", obj), Map.of("OBJTOOL_FORMAT", "sarif", "OBJTOOL_FORMAT_FILE", "-"));
    assertEquals(0, f.exit());
    SarifSchemaTest.loadSchema();
    SarifSchemaTest.validated(f.stdout());
    assertFalse(Files.exists(Path.of(obj + ".sarif")));
  }

  @Test
  void unknownFormatIsOneLine() {
    BatchMainTest.Outcome f = run(List.of("--orc", "x.o"), Map.of("OBJTOOL_FORMAT", "xml"));
    assertEquals(1, f.exit());
    assertEquals("error: objtool: OBJTOOL_FORMAT: unknown format 'xml' (text, json or sarif)\n", f.err());
  }

  @Test
  void rejectedCommandLineWritesNoDocument() throws Exception {
    BatchMainTest.Outcome f = run(List.of("--bogus", tmp.resolve("y.o").toString()), Map.of("OBJTOOL_FORMAT", "json"));
    BatchMainTest.Outcome plain = BatchMainTest.single(List.of("--bogus", tmp.resolve("y.o").toString()));
    assertEquals(plain.exit(), f.exit());
    assertEquals(plain.err(), f.err());
    assertFalse(Files.exists(tmp.resolve("y.o.objtool.json")));
  }
}
