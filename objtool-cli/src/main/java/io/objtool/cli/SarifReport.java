package io.objtool.cli;

import io.objtool.api.Rule;
import io.objtool.api.Warning;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --format=sarif}: a SARIF 2.1.0 log with one run. Every warning is a result with its rule
 * id, message, the object as artifact, the function as logical location, and the section offset
 * as an address (offset from the section's entry in {@code run.addresses}); a warning about a
 * function traced with {@code --trace} carries the path that led to it as a {@code codeFlow}. Each object is an
 * invocation with its exit status; stderr lines that are not warnings become its notifications.
 * Results are streamed; the per-object tables are written at the end.
 */
final class SarifReport implements Report {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  /** The base of source locations: the run's working directory. */
  static final String SRCROOT = "%SRCROOT%";
  private boolean usesSrcRoot;

  private final OutputStream out;
  private final Charset charset;
  private final List<Object> artifacts = new ArrayList<>();
  private final List<Object> invocations = new ArrayList<>();
  private final Map<Rule, Integer> rules = new LinkedHashMap<>();
  private final Map<String, Integer> sections = new LinkedHashMap<>();
  private boolean first = true;

  /** The directory relative object paths are taken from (the empty path: this process's). */
  private Path cwd = Path.of("");

  /** Relative object paths name files in {@code dir}. */
  SarifReport in(Path dir) {
    this.cwd = dir;
    return this;
  }

  SarifReport(OutputStream out, Charset charset) {
    this.out = out;
    this.charset = charset;
  }

  @Override
  public void begin() throws IOException {
    write("{\"$schema\":" + Json.write(SCHEMA) + ",\"version\":\"2.1.0\",\"runs\":[{\"results\":[");
  }

  @Override
  public void file(int index, FileResult r) throws IOException {
    String uri = uri(cwd, r.file());
    artifacts.add(Json.obj("location", Json.obj("uri", uri)));
    for (int i = 0; i < r.warnings().size(); i++) {
      write((first ? "\n" : ",\n") + Json.write(result(r.warnings().get(i), r.source(i), r.path(i), uri, index)));
      first = false;
    }
    invocations.add(invocation(r, uri, index));
  }

  @Override
  public void end(BatchSummary summary) throws IOException {
    Map<String, Object> driver = new LinkedHashMap<>();
    driver.put("name", ToolInfo.NAME);
    driver.put("version", ToolInfo.version());
    List<Object> ruleList = new ArrayList<>();
    for (Rule rule : rules.keySet()) ruleList.add(descriptor(rule));
    driver.put("rules", ruleList);
    List<Object> addresses = new ArrayList<>();
    for (String s : sections.keySet()) addresses.add(Json.obj("name", s, "kind", "section"));
    String bases = "";
    if (usesSrcRoot) {
      String root = cwd.toAbsolutePath().normalize().toUri().toString();
      if (!root.endsWith("/")) root += "/";
      bases = ",\n\"originalUriBaseIds\":" + Json.write(Json.obj(SRCROOT, Json.obj("uri", root)));
    }
    write("],\n\"tool\":" + Json.write(Json.obj("driver", driver)) + bases
        + ",\n\"artifacts\":" + Json.write(artifacts)
        + ",\n\"addresses\":" + Json.write(addresses)
        + ",\n\"invocations\":" + Json.write(invocations) + "}]}\n");
    out.flush();
  }

  /**
   * A result: located at the source line when the object's line table knows it (the object and
   * address then become a related location), else at the address in the object.
   */
  private Map<String, Object> result(Warning w, io.objtool.elf.dwarf.LineTable.SourceLine source, TracePath path, String uri, int fileIndex) {
    Map<String, Object> res = new LinkedHashMap<>();
    res.put("ruleId", w.rule().id());
    res.put("ruleIndex", rules.computeIfAbsent(w.rule(), k -> rules.size()));
    res.put("level", w.rule().severity().label());
    res.put("message", Json.obj("text", w.message()));
    Map<String, Object> physical = new LinkedHashMap<>();
    physical.put("artifactLocation", artifact(uri, fileIndex));
    if (w.section() != null && w.offset() >= 0) {
      Map<String, Object> address = new LinkedHashMap<>();
      address.put("parentIndex", sections.computeIfAbsent(w.section(), k -> sections.size()));
      address.put("offsetFromParent", w.offset());
      address.put("fullyQualifiedName", w.section() + "+0x" + Long.toHexString(w.offset()));
      physical.put("address", address);
    }
    Map<String, Object> location = new LinkedHashMap<>();
    if (source != null && source.file() != null && source.line() > 0) {
      Map<String, Object> region = new LinkedHashMap<>();
      region.put("startLine", source.line());
      if (source.column() > 0) region.put("startColumn", source.column());
      Map<String, Object> src = new LinkedHashMap<>();
      src.put("artifactLocation", sourceArtifact(source.file()));
      src.put("region", region);
      location.put("physicalLocation", src);
      res.put("relatedLocations", List.of(Json.obj("id", 0, "physicalLocation", physical,
          "message", Json.obj("text", "the instruction in the object"))));
    } else {
      location.put("physicalLocation", physical);
    }
    if (w.function() != null) {
      location.put("logicalLocations", List.of(Json.obj("name", w.function(), "kind", "function")));
    }
    res.put("locations", List.of(location));
    if (path != null && !path.steps().isEmpty()) res.put("codeFlows", List.of(codeFlow(path, uri, fileIndex)));
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("section", w.section());
    props.put("sectionOffset", w.offset() < 0 ? null : w.offset());
    props.put("function", w.function());
    props.put("functionOffset", w.function() == null || w.functionOffset() < 0 ? null : w.functionOffset());
    props.put("line", w.line());
    res.put("properties", props);
    return res;
  }

  /**
   * The {@code --trace} path of a result as a code flow with one thread flow: a location per
   * instruction of the path (its source line when known, else its address in the object), with
   * the CFA after it as the location's state.
   */
  private Map<String, Object> codeFlow(TracePath path, String uri, int fileIndex) {
    List<Object> locs = new ArrayList<>(path.steps().size());
    int order = 0;
    for (TracePath.Step s : path.steps()) {
      Map<String, Object> address = new LinkedHashMap<>();
      address.put("parentIndex", sections.computeIfAbsent(s.section(), k -> sections.size()));
      address.put("offsetFromParent", s.offset());
      address.put("fullyQualifiedName", s.section() + "+0x" + Long.toHexString(s.offset()));
      Map<String, Object> physical = new LinkedHashMap<>();
      if (s.source() != null && s.source().file() != null && s.source().line() > 0) {
        physical.put("artifactLocation", sourceArtifact(s.source().file()));
        physical.put("region", Json.obj("startLine", s.source().line()));
        physical.put("address", address);
      } else {
        physical.put("artifactLocation", artifact(uri, fileIndex));
        physical.put("address", address);
      }
      Map<String, Object> loc = new LinkedHashMap<>();
      loc.put("physicalLocation", physical);
      if (s.function() != null) loc.put("logicalLocations", List.of(Json.obj("name", s.function(), "kind", "function")));
      loc.put("message", Json.obj("text", s.where() + ": cfa=" + s.cfa()));
      Map<String, Object> tfl = new LinkedHashMap<>();
      tfl.put("location", loc);
      tfl.put("state", Json.obj("cfa", Json.obj("text", s.cfa())));
      tfl.put("executionOrder", ++order);
      locs.add(tfl);
    }
    String what = path.function() == null ? "the walk" : "the walk of " + path.function();
    return Json.obj("message", Json.obj("text", what + " up to the warning"),
        "threadFlows", List.of(Json.obj("locations", locs)));
  }

  /** A rule's {@code reportingDescriptor}: id, summary, level, documentation page. */
  static Map<String, Object> descriptor(Rule rule) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("id", rule.id());
    d.put("shortDescription", Json.obj("text", rule.summary()));
    String help = ToolInfo.ruleHelpUri(rule);
    if (help != null) d.put("helpUri", help);
    d.put("defaultConfiguration", Json.obj("level", rule.severity().label()));
    d.put("properties", Json.obj("documentation", rule.docPath()));
    return d;
  }

  private Map<String, Object> invocation(FileResult r, String uri, int fileIndex) {
    Map<String, Object> inv = new LinkedHashMap<>();
    inv.put("executionSuccessful", r.status() == 0);
    if (!r.timedOut()) inv.put("exitCode", r.exit());
    List<String> warningLines = r.warnings().stream().map(Warning::line).toList();
    List<Object> notes = new ArrayList<>();
    List<String> lines = new ArrayList<>(r.stderrLines(charset));
    if (r.timedOut()) lines.add("timed out");
    for (String line : lines) {
      if (warningLines.contains(line) || line.isEmpty()) continue;
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("level", r.status() == 0 ? "warning" : "error");
      n.put("message", Json.obj("text", line));
      n.put("locations", List.of(Json.obj("physicalLocation", Json.obj("artifactLocation", artifact(uri, fileIndex)))));
      notes.add(n);
    }
    if (!notes.isEmpty()) inv.put("toolExecutionNotifications", notes);
    inv.put("properties", Json.obj("file", r.file(), "wallSeconds", r.nanos() / 1e9));
    return inv;
  }

  /**
   * A source file's location: relative to {@code %SRCROOT%} (the run's working directory, where
   * a CI job checks out the sources) when it lies under it, else an absolute {@code file:} URI.
   * A relative name from the line table (DWARF 4 and older) is taken as relative to it as well.
   */
  private Map<String, Object> sourceArtifact(String file) {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      Path root = cwd.toAbsolutePath().normalize();
      Path p = Path.of(file);
      Path abs = root.resolve(p).normalize();
      if (abs.startsWith(root)) {
        String rel = root.relativize(abs).toString().replace(java.io.File.separatorChar, '/');
        m.put("uri", new java.net.URI(null, null, rel, null).toASCIIString());
        m.put("uriBaseId", SRCROOT);
        usesSrcRoot = true;
      } else {
        m.put("uri", abs.toUri().toString());
      }
    } catch (RuntimeException | java.net.URISyntaxException e) {
      m.put("uri", "file:" + file.replace("%", "%25").replace(" ", "%20"));
    }
    return m;
  }

  private static Map<String, Object> artifact(String uri, int index) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uri", uri);
    m.put("index", index);
    return m;
  }

  /** The object as an absolute {@code file:} URI (a path that is no valid path stays as given). */
  static String uri(Path cwd, String file) {
    try {
      return cwd.resolve(file).toAbsolutePath().normalize().toUri().toString();
    } catch (RuntimeException e) {
      return "file:" + file.replace("%", "%25").replace(" ", "%20");
    }
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
  }
}
