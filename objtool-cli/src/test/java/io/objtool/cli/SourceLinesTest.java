package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.objtool.api.Warning;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source lines in SARIF and JSON: every fixture of the check (objtool-check's
 * {@code fixtures/}, C and assembly with {@code WARN:} markers on the lines that cause each
 * warning) compiled with {@code -g}, run as a batch run would, its SARIF validated against the
 * SARIF 2.1.0 schema; every result located in the code names the fixture and the marked line,
 * and the rest are the warnings that have no line to name.
 */
class SourceLinesTest {
  @TempDir Path dir;

  @BeforeAll
  static void schema() throws IOException {
    SarifSchemaTest.loadSchema();
  }

  @Test
  void everyResultInTheCodeNamesTheMarkedLine() throws Exception {
    int located = 0, unlocated = 0;
    List<String> problems = new ArrayList<>();
    for (CheckFixture fx : CheckFixture.all()) {
      String name = fx.name();
      Path work = Files.createDirectories(dir.resolve(name.replace('.', '_')));
      String obj = fx.compile(work);
      List<String> flags = fx.flags();
      Map<Integer, List<String>> marks = fx.marks();
      List<String> fileMarks = fx.fileMarks();

      RunContext ctx = new RunContext(work, System.getenv(), () -> false);
      FileResult r = new ObjectRun(flags, ctx, Main.class.getClassLoader(), StandardCharsets.UTF_8).run(obj);
      JsonNode doc = SarifSchemaTest.validated(SarifSchemaTest.sarif(List.of(r), work));
      boolean anyRegion = false;
      for (JsonNode res : doc.path("runs").path(0).path("results")) {
        anyRegion |= res.path("locations").path(0).path("physicalLocation").has("region");
      }
      if (anyRegion && doc.path("runs").path(0).path("originalUriBaseIds").path("%SRCROOT%").path("uri").asText().isEmpty()) {
        problems.add(name + ": no %SRCROOT% base");
      }
      JsonNode results = doc.path("runs").path(0).path("results");
      assertEquals(r.warnings().size(), results.size(), name);
      for (int i = 0; i < results.size(); i++) {
        Warning w = r.warnings().get(i);
        JsonNode loc = results.get(i).path("locations").path(0).path("physicalLocation");
        if (loc.has("region")) {
          located++;
          String uri = loc.path("artifactLocation").path("uri").asText();
          int line = loc.path("region").path("startLine").asInt();
          if (!uri.equals(name) || !"%SRCROOT%".equals(loc.path("artifactLocation").path("uriBaseId").asText())) {
            problems.add(name + ": '" + w.message() + "' names " + uri);
          }
          List<String> want = marks.getOrDefault(line, List.of());
          if (want.stream().noneMatch(w.message()::contains)) {
            problems.add(name + ":" + line + ": '" + w.message() + "' is not marked there (marks " + want + ")");
          }
          // the JSON record carries the same line
          Map<String, Object> json = FileResult.warningJson(w, r.source(i));
          if (!Integer.valueOf(line).equals(json.get("source_line"))) problems.add(name + ": JSON line " + json.get("source_line"));
        } else {
          unlocated++;
          boolean noAddress = w.section() == null || w.offset() < 0;
          if (!noAddress && fileMarks.stream().noneMatch(w.message()::contains)) {
            problems.add(name + ": '" + w.line() + "' has an address but no source line");
          }
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(located >= 60, "results located at a source line: " + located + " (others: " + unlocated + ")");
  }
}
