package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.cli.explain.Graphviz;
import io.objtool.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --explain=DIR}: every fixture of the check run with its flags, with and without the
 * option. Text output and exit status are the same; every function a warning names gets a page;
 * and Debian's chromium, headless, loads every page (in one browser, each page in a frame of a
 * harness page) and reports no console message but the pages' own, with each page's script
 * having marked it rendered. A control page that throws proves that the console is captured.
 */
class ExplainTest {
  private static final Oracles.Tally TALLY = Oracles.tally("explain-chromium",
      "--explain pages rendered by headless chromium with no console errors");
  private static final Pattern WARNED = Pattern.compile("^\\S+: warning: objtool: ([^ +:]+)\\+0x[0-9a-f]+: ", Pattern.MULTILINE);
  private static final Pattern ANY_WARNING = Pattern.compile("^\\S+: warning: objtool: (?!  )", Pattern.MULTILINE);
  private static final Pattern CONSOLE = Pattern.compile("^\\[[^\\]]*:CONSOLE[^\\]]*\\] (.*)$", Pattern.MULTILINE);
  @TempDir Path dir;

  @Test
  void everyWarnedFunctionHasAPageThatChromiumRenders() throws Exception {
    String chromium = chromium();
    Oracles.require(Graphviz.find(System.getenv()) != null && chromium != null,
        "Graphviz's dot and chromium (Debian packages graphviz, chromium; scripts/test.sh installs them)");
    Path pages = Files.createDirectories(dir.resolve("pages"));
    List<String> loaded = new ArrayList<>();
    int fixturesWarned = 0, functionPages = 0;
    for (CheckFixture fx : CheckFixture.all()) {
      Path plain = Files.createDirectories(dir.resolve("plain"));
      Path explained = Files.createDirectories(dir.resolve("explained"));
      String obj = fx.compile(plain);
      Files.copy(plain.resolve(obj), explained.resolve(obj), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> args = new ArrayList<>(fx.flags());
      args.add(plain.resolve(obj).toString());
      Fixtures.Outcome without = Fixtures.runOurs(args);
      args.set(args.size() - 1, explained.resolve(obj).toString());
      args.add(0, "--explain=" + pages);
      Fixtures.Outcome with = Fixtures.runOurs(args);
      assertEquals(without.exit(), with.exit(), fx.name());
      assertEquals(without.stdout(), with.stdout(), fx.name());
      assertEquals(without.stderr(), with.stderr().replace(explained.toString(), plain.toString()), fx.name());
      Matcher m = WARNED.matcher(without.stderr());
      Set<String> funcs = new LinkedHashSet<>();
      while (m.find()) funcs.add(m.group(1).replaceFirst("\\.cold$", ""));
      Set<String> symbols = functionSymbols(plain.resolve(obj));
      String prefix = explained.resolve(obj).toString().replaceAll("[^A-Za-z0-9._-]", "_") + "@";
      if (ANY_WARNING.matcher(without.stderr()).find()) {
        // every fixture whose run warns gets a page: its functions', or the object's for warnings outside functions
        fixturesWarned++;
        assertTrue(list(pages).stream().anyMatch(n -> n.startsWith(prefix)), fx.name() + ": no page\n" + without.stderr());
      }
      for (String f : funcs) {
        if (!symbols.contains(f)) continue; // a location in a section without a function symbol
        String page = prefix + f + ".html";
        assertTrue(Files.isRegularFile(pages.resolve(page)), fx.name() + ": no page " + page + " for " + f + " in\n" + without.stderr()
            + "\npages: " + list(pages));
        functionPages++;
      }
      // each fixture's pages under the fixture's name: the next fixture's object may have the same name
      for (String n : list(pages)) {
        if (!n.startsWith(prefix)) continue;
        String kept = fx.name() + "@" + n.substring(prefix.length());
        Files.move(pages.resolve(n), pages.resolve(kept));
        loaded.add(kept);
      }
    }
    assertTrue(fixturesWarned > 40, "fixtures with warnings: " + fixturesWarned);
    try (Stream<Path> s = Files.list(pages)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left in " + pages);
    }
    loaded.add("index.html");
    Files.writeString(dir.resolve("control.html"), "<!DOCTYPE html><html><body><script>throw new Error('control page');</script></body></html>");

    StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    for (String p : loaded) h.append("<iframe width=\"900\" height=\"700\" src=\"pages/").append(p).append("\"></iframe>\n");
    h.append("<iframe src=\"control.html\"></iframe>\n<pre id=\"results\"></pre>\n<script>\n")
        .append("window.addEventListener('load', function () {\n")
        .append("  var out = [];\n")
        .append("  document.querySelectorAll('iframe').forEach(function (f) {\n")
        .append("    var d = null; try { d = f.contentDocument; } catch (e) { }\n")
        .append("    var st = d && d.body ? d.body.getAttribute('data-rendered') : 'inaccessible';\n")
        .append("    var s = d && d.getElementById('status') ? d.getElementById('status').textContent : '';\n")
        .append("    out.push('PAGE\\t' + f.getAttribute('src') + '\\t' + st + '\\t' + s);\n")
        .append("  });\n")
        .append("  document.getElementById('results').textContent = out.join('\\n');\n")
        .append("});\n</script></body></html>\n");
    Files.writeString(dir.resolve("harness.html"), h);
    String[] run = browse(chromium, dir.resolve("harness.html"));
    String dom = run[0], log = run[1];

    Map<String, String> state = new TreeMap<>();
    int from = dom.indexOf("<pre id=\"results\">"), to = dom.indexOf("</pre>", Math.max(from, 0));
    assertTrue(from >= 0 && to > from, "no results in the harness's DOM:\n" + dom);
    for (String l : dom.substring(from + "<pre id=\"results\">".length(), to).split("\n")) {
      String[] f = l.split("\t");
      if (f.length >= 3 && f[0].equals("PAGE")) state.put(f[1], f[2] + (f.length > 3 ? " " + f[3] : ""));
    }
    List<String> console = new ArrayList<>();
    Matcher c = CONSOLE.matcher(log);
    while (c.find()) console.add(c.group(1));
    // the control page's error is seen: the console is really captured
    assertTrue(console.stream().anyMatch(l -> l.contains("Uncaught Error: control page")), "console not captured:\n" + log);
    assertEquals("null", state.get("control.html"), "control page");
    int ok = 0;
    for (String p : loaded) {
      String src = "pages/" + p;
      String st = state.get(src);
      boolean rendered = st != null && st.startsWith("ok rendered: ");
      List<String> own = console.stream().filter(l -> l.contains(src.substring("pages/".length()))).toList();
      boolean clean = own.size() == 1 && own.getFirst().startsWith("\"objtool-explain: ");
      if (rendered && clean) ok++;
      System.out.println("explain-chromium: " + p + ": " + st + (clean ? ", console clean" : ", console: " + own));
    }
    List<String> foreign = console.stream()
        .filter(l -> !l.startsWith("\"objtool-explain: ") && !l.contains("control page")).toList();
    TALLY.add(loaded.size(), ok);
    System.out.println("explain-chromium: " + ok + "/" + loaded.size() + " pages rendered with a clean console ("
        + functionPages + " pages of warned functions named in warnings, of " + fixturesWarned + " fixtures with warnings; and the index)");
    assertEquals(List.of(), foreign, "console messages not from the pages' scripts");
    assertEquals(loaded.size(), ok, "pages not rendered cleanly: " + state);
  }

  @Test
  void aBadDirectoryIsOneLineAndExitOne() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    for (String bad : List.of("--explain=" + file, "--explain=" + file.resolve("sub"), "--explain=")) {
      Fixtures.Outcome o = Fixtures.runOurs(List.of("--orc", bad, dir.resolve("missing.o").toString()));
      assertEquals(1, o.exit(), bad);
      assertEquals(1, o.stderr().lines().count(), o.stderr());
      assertTrue(o.stderr().startsWith("error: objtool: --explain"), o.stderr());
    }
    Fixtures.Outcome o = Fixtures.runOurs(List.of("--orc", "--explain"));
    assertEquals("error: objtool: --explain needs a directory (--explain=DIR)\n", o.stderr());
    o = Fixtures.runOurs(List.of("--orc", dir.resolve("missing.o").toString()), "--explain=" + file);
    assertEquals("error: objtool: --explain: " + file + ": not a directory\n", o.stderr());
    assertEquals(1, o.exit());
  }

  @Test
  void missingDotIsOneLineAndExitOne() {
    RunContext noDot = new RunContext(Path.of(""), Map.of("PATH", dir.toString()), () -> false);
    Main main = Main.create(ExplainTest.class.getClassLoader(), WarningListener.NONE, noDot);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = main.run(List.of("--orc", "--explain=" + dir.resolve("pages"), "x.o"), Map.of(), System.out, e);
    }
    assertEquals(1, rc);
    assertEquals("error: objtool: --explain needs Graphviz's dot on PATH to lay out the graphs (Debian: apt-get install graphviz)\n",
        err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(dir.resolve("pages")), "nothing is created when the run cannot go on");
  }

  @Test
  void withoutTheOptionTheArgumentsAreUntouched() {
    List<String> args = List.of("--orc", "--", "--explain=x");
    assertFalse(ExplainOption.given(args, null));
    assertFalse(ExplainOption.given(args, "--link --explained"));
    ExplainOption o = ExplainOption.extract(List.of("--explain", "d", "--orc", "--explain=e", "f.o"), null);
    assertEquals("e", o.dir());
    assertEquals(List.of("--orc", "f.o"), o.rest());
    assertEquals(null, o.envArgs());
    // $OBJTOOL_ARGS first, then the command line: the command line's directory wins
    assertTrue(ExplainOption.given(List.of("--orc", "f.o"), " --link  --explain=k"));
    o = ExplainOption.extract(List.of("--orc", "f.o"), " --link  --explain=k");
    assertEquals("k", o.dir());
    assertEquals("--link", o.envArgs());
    assertEquals("m", ExplainOption.extract(List.of("--explain=m", "f.o"), "--explain=k").dir());
    assertEquals(null, ExplainOption.extract(List.of("f.o"), "--explain=k").envArgs());
  }

  @Test
  void withOBJTOOL_FORMATTheDocumentAndThePagesAreBothWritten() throws Exception {
    Oracles.require(Graphviz.find(System.getenv()) != null, "Graphviz's dot (Debian package graphviz)");
    CheckFixture fx = CheckFixture.load("backtrace.s");
    String obj = fx.compile(dir);
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put(SingleFormat.ENV_FORMAT, "json");
    RunContext ctx = new RunContext(dir, env, () -> false);
    List<String> args = new ArrayList<>(fx.flags());
    args.addAll(List.of("--explain=pages", obj));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      assertEquals(0, Main.runCommand(args, ctx, ExplainTest.class.getClassLoader(), System.out, e));
    }
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("bt+0x10: return with modified stack frame"), err.toString(StandardCharsets.UTF_8));
    assertTrue(Files.readString(dir.resolve(obj + ".objtool.json")).contains("return with modified stack frame"));
    String page = Files.readString(dir.resolve("pages").resolve("backtrace.o@bt.html"));
    // the path the engine reported: bt+0x0 (entry), the jumps at +0x4 and +0xc, the return at +0x10
    assertTrue(page.contains("show only this path (6 instructions)"), page);
  }

  @Test
  void batchModeWritesEveryObjectsPages() throws Exception {
    Oracles.require(Graphviz.find(System.getenv()) != null, "Graphviz's dot (Debian package graphviz)");
    List<String> objs = new ArrayList<>();
    for (String name : List.of("backtrace.s", "hints.s")) {
      Path d = Files.createDirectories(dir.resolve(name));
      objs.add(d.resolve(CheckFixture.load(name).compile(d)).toString());
    }
    Path pages = dir.resolve("pages");
    List<String> args = new ArrayList<>(List.of("--jobs", "2", "--", "--orc", "--link", "--module", "--dry-run", "--explain=" + pages, "--"));
    args.addAll(objs);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      rc = new BatchMain(ExplainTest.class.getClassLoader())
          .run(args, System.getenv(), java.io.InputStream.nullInputStream(), System.out, e, false);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("2 files") && text.contains("entry_like+0x7") && text.contains("bt+0x10"), text);
    for (String o : objs) {
      String page = io.objtool.cli.explain.Explainer.objectPrefix(o) + (o.contains("hints") ? "entry_like" : "bt") + ".html";
      assertTrue(Files.isRegularFile(pages.resolve(page)), page + " in " + list(pages));
      assertTrue(Files.readString(pages.resolve("index.html")).contains(page), "index lists " + page);
    }
  }

  @Test
  void pageNamesAreDistinctAndShortEnough() {
    Set<String> taken = new java.util.HashSet<>();
    String prefix = io.objtool.cli.explain.Explainer.objectPrefix("drivers/net/foo.o");
    assertEquals("drivers_net_foo.o@", prefix);
    assertEquals("drivers_net_foo.o@init.html", io.objtool.cli.explain.Explainer.pageName(prefix, "init", taken));
    // a second local function of the same name in a linked object
    assertEquals("drivers_net_foo.o@init@2.html", io.objtool.cli.explain.Explainer.pageName(prefix, "init", taken));
    String deep = "a/".repeat(200) + "x.o";
    String p = io.objtool.cli.explain.Explainer.objectPrefix(deep);
    assertTrue(p.length() < 120 && p.endsWith("@"), p);
    String n = io.objtool.cli.explain.Explainer.pageName(p, "f".repeat(300), taken);
    assertTrue(n.length() < 255 && n.startsWith(p), n);
  }

  private static List<String> list(Path d) throws java.io.IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The names of the object's function symbols. */
  private static Set<String> functionSymbols(Path obj) throws Exception {
    Set<String> out = new java.util.HashSet<>();
    try (io.objtool.elf.ElfFile elf = io.objtool.elf.ElfFile.open(obj)) {
      for (io.objtool.elf.Symbol sym : elf.symbols()) {
        if (sym.type() == io.objtool.elf.Elf.STT_FUNC) out.add(sym.name());
      }
    }
    return out;
  }

  /** Debian's chromium, or null. */
  static String chromium() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      for (String n : List.of("chromium", "chromium-browser")) {
        if (!d.isEmpty() && Files.isExecutable(Path.of(d, n))) return Path.of(d, n).toString();
      }
    }
    return null;
  }

  /** Loads {@code page} in headless chromium: its DOM after the load event, and chromium's log (console messages included). */
  static String[] browse(String chromium, Path page) throws Exception {
    Path profile = Files.createTempDirectory("explain-chromium");
    Path log = page.resolveSibling(page.getFileName() + ".log");
    Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--user-data-dir=" + profile, "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0",
        "--dump-dom", page.toUri().toString())
        .redirectError(log.toFile()).start();
    byte[] dom = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "chromium did not finish");
    return new String[] {new String(dom, StandardCharsets.UTF_8), Files.readString(log, StandardCharsets.ISO_8859_1)};
  }
}
