package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.objtool.api.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --trace=FUNC} on the command line: parsed outside the reference's option table; on every
 * fixture the warnings come first, byte for byte those of a run without it, and the trace after
 * them; with {@code --trace='*'} every JSON record carries its path and every SARIF result of a
 * walked path a code flow of as many locations, valid against the SARIF 2.1.0 schema.
 */
class TraceCliTest {
  @TempDir Path dir;

  @BeforeAll
  static void schema() throws Exception {
    SarifSchemaTest.loadSchema();
  }

  @Test
  void parsedBesideTheReferenceOptions() throws Exception {
    Options o = CommandLine.parse(List.of("--stackval", "--trace=f*", "x.o"), null);
    assertEquals("f*", o.trace());
    assertEquals("g", CommandLine.parse(List.of("--trace", "g", "--stackval", "x.o"), null).trace());
    assertNull(CommandLine.parse(List.of("--stackval", "x.o"), null).trace());
    assertThrows(CommandLine.Invalid.class, () -> CommandLine.parse(List.of("--stackval", "--trace=", "x.o"), null));
    // after "--" it is a file name, as any argument is
    assertThrows(UsageExit.class, () -> CommandLine.parse(List.of("--stackval", "--", "--trace=f", "x.o"), null));
    // in OBJTOOL_ARGS too (the command line's wins)
    assertEquals("h", CommandLine.parse(List.of("--stackval", "x.o"), "--trace=h --link").trace());
    assertTrue(CommandLine.parse(List.of("--stackval", "x.o"), "--trace=h --link").link());
    assertEquals("f", CommandLine.parse(List.of("--stackval", "--trace=f", "x.o"), "--trace=h").trace());
    // no abbreviation: the reference's parser sees "--trac" and rejects it
    assertThrows(UsageExit.class, () -> CommandLine.parse(List.of("--stackval", "--trac=f", "x.o"), null));
  }

  private static FileResult run(Path work, List<String> flags, String obj) {
    RunContext ctx = new RunContext(work, System.getenv(), () -> false);
    return new ObjectRun(flags, ctx, Main.class.getClassLoader(), StandardCharsets.UTF_8).run(obj);
  }

  @Test
  void everyFixtureWarnsAsBeforeThenTraces() throws Exception {
    List<String> problems = new ArrayList<>();
    int results = 0, flows = 0;
    for (CheckFixture fx : CheckFixture.all()) {
      Path work = Files.createDirectories(dir.resolve(fx.name().replace('.', '_')));
      String obj = fx.compile(work);
      List<String> plain = new ArrayList<>(fx.flags());
      plain.add("--dry-run");
      List<String> traced = new ArrayList<>(plain);
      traced.add("--trace=*");
      FileResult a = run(work, plain, obj);
      FileResult b = run(work, traced, obj);
      String ea = new String(a.stderr(), StandardCharsets.UTF_8), eb = new String(b.stderr(), StandardCharsets.UTF_8);
      if (a.exit() != b.exit()) problems.add(fx.name() + ": exit " + a.exit() + " -> " + b.exit());
      if (!eb.startsWith(ea)) problems.add(fx.name() + ": the warnings changed:\n" + ea + "---\n" + eb);
      else if (!eb.substring(ea.length()).startsWith("objtool: trace: ")) problems.add(fx.name() + ": no trace after the warnings:\n" + eb);
      if (!a.warnings().isEmpty() && b.paths().size() != b.warnings().size()) problems.add(fx.name() + ": paths " + b.paths().size());

      JsonNode doc = SarifSchemaTest.validated(SarifSchemaTest.sarif(List.of(b), work));
      JsonNode res = doc.path("runs").path(0).path("results");
      for (int i = 0; i < res.size(); i++) {
        results++;
        TracePath p = b.path(i);
        if (p == null) {
          problems.add(fx.name() + ": no path for " + b.warnings().get(i).line());
          continue;
        }
        JsonNode locs = res.get(i).path("codeFlows").path(0).path("threadFlows").path(0).path("locations");
        if (locs.size() != p.steps().size()) problems.add(fx.name() + ": " + locs.size() + " code-flow locations for " + p.steps().size() + " steps");
        if (!p.steps().isEmpty()) {
          flows++;
          TracePath.Step last = p.steps().getLast();
          JsonNode lastLoc = locs.get(locs.size() - 1).path("location");
          if (lastLoc.path("physicalLocation").path("address").path("offsetFromParent").asLong() != last.offset()) {
            problems.add(fx.name() + ": the code flow does not end at " + last.where());
          }
          if (!lastLoc.path("message").path("text").asText().endsWith("cfa=" + last.cfa())) problems.add(fx.name() + ": " + lastLoc);
        }
        Object json = b.toJson(StandardCharsets.UTF_8).get("warnings");
        Object trace = ((java.util.Map<?, ?>) ((List<?>) json).get(i)).get("trace");
        if (!(trace instanceof java.util.Map<?, ?> m) || ((List<?>) m.get("steps")).size() != p.steps().size()) {
          problems.add(fx.name() + ": JSON trace " + trace);
        }
      }
      // without --trace: no trace in the records
      for (Object w : (List<?>) a.toJson(StandardCharsets.UTF_8).get("warnings")) {
        if (((java.util.Map<?, ?>) w).containsKey("trace")) problems.add(fx.name() + ": a trace without --trace");
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(results >= 70 && flows >= 35, "results " + results + ", with a code flow " + flows);
  }
}
