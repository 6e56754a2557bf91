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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Path FIXTURES = Path.of("..", "objtool-check", "src", "test", "resources", "fixtures");
  private static final Pattern WARN = Pattern.compile("(?://|#|/\\*)\\s*WARN:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  private static final Pattern WARN_FILE = Pattern.compile("(?://|#|/\\*)\\s*WARN-FILE:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  private static final Pattern HEADER = Pattern.compile("(?://|#|\\*)\\s*(objtool|cflags):\\s*(.*?)\\s*$");

  @TempDir Path dir;

  @BeforeAll
  static void schema() throws IOException {
    SarifSchemaTest.loadSchema();
  }

  @Test
  void everyResultInTheCodeNamesTheMarkedLine() throws Exception {
    List<String> names = Files.readAllLines(FIXTURES.resolve("index.txt")).stream().map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    int located = 0, unlocated = 0;
    List<String> problems = new ArrayList<>();
    for (String name : names) {
      Path work = Files.createDirectories(dir.resolve(name.replace('.', '_')));
      List<String> lines = Files.readAllLines(FIXTURES.resolve(name));
      Files.write(work.resolve(name), lines);
      List<String> flags = new ArrayList<>(), cflags = new ArrayList<>();
      Map<Integer, List<String>> marks = new HashMap<>();
      List<String> fileMarks = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        Matcher h = HEADER.matcher(lines.get(i));
        if (i < 12 && h.find()) {
          (h.group(1).equals("objtool") ? flags : cflags).addAll(List.of(h.group(2).trim().split("\\s+")));
          continue;
        }
        Matcher f = WARN_FILE.matcher(lines.get(i));
        if (f.find()) {
          fileMarks.add(f.group(1));
          continue;
        }
        Matcher m = WARN.matcher(lines.get(i));
        if (m.find()) marks.computeIfAbsent(i + 1, k -> new ArrayList<>()).add(m.group(1));
      }
      String obj = name.replaceFirst("\\.[^.]*$", ".o");
      List<String> cc = new ArrayList<>(List.of("gcc", "-c", "-g", "-O2", "-fno-asynchronous-unwind-tables"));
      cc.addAll(cflags);
      cc.addAll(List.of(name, "-o", obj));
      Process p = new ProcessBuilder(cc).directory(work.toFile()).redirectErrorStream(true).start();
      String ccOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), name + ": " + ccOut);

      RunContext ctx = new RunContext(work, System.getenv(), () -> false);
      FileResult r = new ObjectRun(flags, ctx, Main.class.getClassLoader(), StandardCharsets.UTF_8).run(obj);
      var bytes = new java.io.ByteArrayOutputStream();
      SarifReport report = new SarifReport(bytes, StandardCharsets.UTF_8).in(work);
      BatchSummary.Tally tally = new BatchSummary.Tally();
      report.begin();
      report.file(0, r);
      tally.add(r);
      report.end(tally.finish(1, 1, 0));
      JsonNode doc = SarifSchemaTest.validated(bytes.toByteArray());
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
