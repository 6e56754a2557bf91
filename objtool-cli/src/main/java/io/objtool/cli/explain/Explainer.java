package io.objtool.cli.explain;

import io.objtool.api.CfiState;
import io.objtool.api.Func;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.api.Rule;
import io.objtool.api.UnwindHint;
import io.objtool.api.Warning;
import io.objtool.api.arch.CfiRegs;
import io.objtool.check.trace.Disassembly;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import io.objtool.elf.dwarf.LineTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code --explain=DIR}: after the check, one self-contained HTML page per warned function —
 * its control-flow graph in basic blocks (laid out by Graphviz's {@code dot}, embedded as SVG),
 * the disassembly of each instruction (one {@code objdump} run per object), the CFA at each
 * block's entry, the path that led to each warning highlighted, alternatives side by side, unwind
 * hints marked, source lines when the object has DWARF lines, and a link to each warning's rule
 * page — and an {@code index.html} listing every page in {@code DIR}. Every file is written to a
 * temporary file in {@code DIR} and renamed into place.
 */
public final class Explainer {
  /** The option, given as {@code --explain=DIR} (or {@code --explain DIR}). */
  public static final String OPTION = "--explain";
  /**
   * The key under which the command line hands {@code DIR} to the check in the run's environment
   * map; a name no shell can export, so only the option sets it.
   */
  public static final String DIR_KEY = "objtool-jvm explain dir";
  /** The key for the {@code dot} executable found when the option was checked. */
  public static final String DOT_KEY = "objtool-jvm explain dot";

  /** The page of an object's warnings outside functions: after the object's prefix, a name no function's page can have. */
  static final String OBJECT_PAGE = "@object.html";
  private static final String PAGE_META = "<meta name=\"objtool-explain\" content=\"";
  private static final String[] HINT_NAMES = {"UNDEFINED", "END_OF_STACK", "CALL", "REGS", "REGS_PARTIAL", "FUNC", "SAVE", "RESTORE"};

  /** A failure to write the pages: one line. */
  public static final class ExplainException extends Exception {
    private static final long serialVersionUID = 1L;

    ExplainException(String message) {
      super(message, null, false, false);
    }
  }

  private final Path dir;
  private final Path dot;
  private final String object;
  private final Path cwd;
  private final Map<String, String> env;
  private final Function<Rule, String> ruleLink;
  private final PathRecorder recorder = new PathRecorder();
  /** Why the pages show instruction types instead of disassembly, or null. */
  private String disassemblyProblem;

  /**
   * Pages for {@code object} (the name given on the command line, relative to {@code cwd}) in
   * {@code dir}, laid out with {@code dot}; {@code ruleLink} gives a rule's documentation URI or null.
   */
  public Explainer(Path dir, Path dot, String object, Path cwd, Map<String, String> env, Function<Rule, String> ruleLink) {
    this.dir = dir;
    this.dot = dot;
    this.object = object;
    this.cwd = cwd;
    this.env = env;
    this.ruleLink = ruleLink;
  }

  /** The pass that records the warnings' paths: it must take part in the check. */
  public PathRecorder recorder() {
    return recorder;
  }

  /**
   * Checks {@code DIR} before any work: creates it when missing. Returns the one-line problem, or
   * null when pages can be written there.
   */
  public static String checkDir(Path dir) {
    if (dir.toString().isEmpty()) return "--explain needs a directory (--explain=DIR)";
    try {
      if (Files.exists(dir) && !Files.isDirectory(dir)) return "--explain: " + dir + ": not a directory";
      Files.createDirectories(dir);
      if (!Files.isWritable(dir)) return "--explain: " + dir + ": Permission denied";
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return "--explain: " + dir + ": not a directory";
    } catch (java.nio.file.AccessDeniedException e) {
      return "--explain: " + dir + ": Permission denied";
    } catch (IOException | SecurityException e) {
      return "--explain: " + dir + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return null;
  }

  /** One warned function: its graph, its warnings and their paths. */
  private record Page(Func func, List<Warning> warnings, FunctionGraph graph, List<List<Instruction>> paths,
      Map<Warning, Instruction> at, String name, Set<LineTable.SourceLine> sources) { }

  /** Writes the pages of the warned functions of {@code file} and the index. */
  public void write(ObjtoolFile file, ElfFile elf, List<Warning> warnings) throws ExplainException {
    Map<Func, List<Warning>> byFunc = new LinkedHashMap<>();
    Map<Warning, Instruction> at = new IdentityHashMap<>();
    List<Warning> outside = new ArrayList<>();
    for (Warning w : warnings) {
      if (w.rule().id().equals(PathRecorder.BACKTRACE_RULE)) continue;
      Section sec = w.section() == null || w.offset() < 0 ? null : elf.section(w.section());
      if (sec == null) {
        outside.add(w);
        continue;
      }
      Instruction insn = file.insns().findInsn(sec, w.offset());
      Func f = insn != null && insn.func() != null ? insn.func() : funcAt(file, sec, w.offset());
      if (f == null || f.pfunc() == null) {
        outside.add(w);
        continue;
      }
      if (insn != null) at.put(w, insn);
      byFunc.computeIfAbsent(f.pfunc(), k -> new ArrayList<>()).add(w);
    }
    Map<Warning, List<PathRecorder.Step>> steps = new IdentityHashMap<>();
    for (PathRecorder.WarnedPath p : recorder.paths()) steps.putIfAbsent(p.warning(), p.steps());
    String prefix = objectPrefix(object);
    List<Page> pages = new ArrayList<>();
    List<String> graphs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    if (!byFunc.isEmpty()) {
      Map<Func, FunctionGraph> graphOf = new java.util.LinkedHashMap<>();
      List<Instruction> shown = new ArrayList<>();
      for (var e : byFunc.entrySet()) {
        FunctionGraph g = FunctionGraph.of(file, e.getKey());
        graphOf.put(e.getKey(), g);
        for (FunctionGraph.Block b : g.blocks) shown.addAll(b.insns());
      }
      // the text of the shown instructions only, as --trace takes it (one objdump per section)
      Disassembly dis = Disassembly.of(object, cwd, env, shown);
      disassemblyProblem = dis.problem();
      LineTable lines = LineTable.of(elf);
      for (var e : byFunc.entrySet()) {
        FunctionGraph g = graphOf.get(e.getKey());
        if (g.blocks.isEmpty()) {
          outside.addAll(e.getValue());
          continue;
        }
        List<List<Instruction>> paths = new ArrayList<>();
        for (Warning w : e.getValue()) {
          List<PathRecorder.Step> s = steps.get(w);
          paths.add(s == null ? List.of() : g.path(s, at.get(w)));
        }
        Page page = new Page(e.getKey(), e.getValue(), g, paths, at, pageName(prefix, e.getKey().name(), names),
            new java.util.TreeSet<>(java.util.Comparator.comparing(LineTable.SourceLine::file).thenComparingInt(LineTable.SourceLine::line)));
        pages.add(page);
        graphs.add(dot(file, page, dis, lines));
      }
    }
    List<String> svgs;
    try {
      svgs = Graphviz.svg(dot, graphs);
    } catch (Graphviz.LayoutException e) {
      throw new ExplainException("--explain: " + e.getMessage());
    }
    Set<String> written = new HashSet<>();
    Sources sources = new Sources(cwd);
    for (int i = 0; i < pages.size(); i++) {
      Page p = pages.get(i);
      atomicWrite(dir.resolve(p.name()), html(p, svgs.get(i), sources));
      written.add(p.name());
    }
    if (!outside.isEmpty()) {
      String name = prefix + OBJECT_PAGE;
      atomicWrite(dir.resolve(name), objectPage(outside));
      written.add(name);
    }
    // pages of this object's earlier runs that no longer warn
    try (Stream<Path> old = Files.list(dir)) {
      for (Path q : old.toList()) {
        String n = q.getFileName().toString();
        if (n.startsWith(prefix) && n.endsWith(".html") && !written.contains(n)) Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new ExplainException("--explain: " + dir + ": " + e.getMessage());
    }
    writeIndex();
  }

  /** Runs writing into one directory at once (the batch's threads) take turns at the index. */
  private static final Object INDEX_TURN = new Object();

  /**
   * Rewrites the index from the pages present, under a lock on {@code DIR/.explain.lock} (and in
   * this JVM, a monitor): the scan and the rename happen together, so the last run's index lists
   * every page, whatever the order in which runs for different objects finish.
   */
  private void writeIndex() throws ExplainException {
    synchronized (INDEX_TURN) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(".explain.lock"),
               java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
           java.nio.channels.FileLock lock = ch.lock()) {
        atomicWrite(dir.resolve("index.html"), index());
      } catch (IOException e) {
        throw new ExplainException("--explain: " + dir.resolve(".explain.lock") + ": " + e.getMessage());
      }
    }
  }

  private static Func funcAt(ObjtoolFile file, Section sec, long off) {
    for (Func f : file.funcs()) {
      if (f.section() == sec && f.isFunction() && off >= f.offset() && off < f.end()) return f;
    }
    return null;
  }

  /** What the names of an object's pages start with: its path as a file name (shortened with a hash when long), and {@code @}. */
  public static String objectPrefix(String object) {
    String o = fileName(object);
    return (o.length() > 120 ? o.substring(0, 100) + "~" + Integer.toHexString(o.hashCode()) : o) + "@";
  }

  /**
   * The page of function {@code func}: {@code PREFIX FUNC.html}, {@code PREFIX FUNC@2.html} for a
   * second function of the same name (local functions of a linked object), shortened with a hash
   * when the name would be too long for a file system.
   */
  public static String pageName(String prefix, String func, Set<String> taken) {
    String base = prefix + fileName(func);
    if (base.length() > 220) base = base.substring(0, 200) + "~" + Integer.toHexString(base.hashCode());
    String name = base + ".html";
    for (int n = 2; !taken.add(name); n++) name = base + "@" + n + ".html";
    return name;
  }

  /** {@code name} as a file name: characters other than letters, digits, {@code . _ -} become {@code _}. */
  static String fileName(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' ? c : '_');
    }
    return b.toString();
  }

  // ---- the graph in DOT

  private String dot(ObjtoolFile file, Page p, Disassembly dis, LineTable lines) {
    FunctionGraph g = p.graph();
    Map<Instruction, Set<Integer>> onPath = new HashMap<>();
    Map<List<Instruction>, Set<Integer>> pathSteps = new HashMap<>();
    for (int k = 0; k < p.paths().size(); k++) {
      List<Instruction> path = p.paths().get(k);
      for (int i = 0; i < path.size(); i++) {
        onPath.computeIfAbsent(path.get(i), x -> new HashSet<>()).add(k);
        if (i > 0) pathSteps.computeIfAbsent(List.of(path.get(i - 1), path.get(i)), x -> new HashSet<>()).add(k);
      }
    }
    Map<Instruction, List<Warning>> warnedAt = new HashMap<>();
    for (Warning w : p.warnings()) {
      Instruction i = p.at().get(w);
      if (i != null) warnedAt.computeIfAbsent(i, x -> new ArrayList<>()).add(w);
    }
    StringBuilder d = new StringBuilder();
    d.append("digraph \"").append(p.func().name().replace("\"", "")).append("\" {\n");
    d.append("  graph [fontname=\"DejaVu Sans Mono\", nodesep=0.35, ranksep=0.4, bgcolor=\"transparent\"];\n");
    d.append("  node [shape=plain, fontname=\"DejaVu Sans Mono\", fontsize=10];\n");
    d.append("  edge [fontname=\"DejaVu Sans\", fontsize=9, arrowsize=0.7];\n");
    String lastSource = null;
    for (FunctionGraph.Block b : g.blocks) {
      Set<Integer> paths = new HashSet<>();
      for (Instruction i : b.insns()) paths.addAll(onPath.getOrDefault(i, Set.of()));
      boolean hot = !paths.isEmpty();
      lastSource = null; // each block names its first source line
      d.append("  b").append(b.id()).append(" [id=\"b").append(b.id()).append("\", class=\"")
          .append(classes("block", paths)).append("\", label=<<TABLE BORDER=\"").append(hot ? 2 : 1)
          .append("\" CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\" COLOR=\"").append(hot ? "#c00000" : "#555555")
          .append("\" BGCOLOR=\"white\">\n");
      String head = b.alternative() > 0 ? "alternative " + b.alternative() : file.diag().offstr(b.first().section(), b.first().offset());
      d.append("    <TR><TD ALIGN=\"LEFT\" COLSPAN=\"3\" BGCOLOR=\"").append(b.alternative() > 0 ? "#fff0c8" : "#e4e9f5")
          .append("\"><B>").append(esc(head)).append("</B>   CFA ").append(esc(cfa(b.first().cfi()))).append("</TD></TR>\n");
      for (Instruction i : b.insns()) {
        List<Warning> ws = warnedAt.get(i);
        String bg = ws != null ? "#ff9c9c" : onPath.containsKey(i) ? "#ffe2e2" : i.hint() ? "#dcebff" : null;
        String fg = i.visited() == 0 && !i.has(Instruction.FAKE) ? "#888888" : "#000000";
        String text = dis.text(i);
        if (text == null) text = i.has(Instruction.FAKE) ? "(nop padding)" : i.type().name().toLowerCase(java.util.Locale.ROOT);
        StringBuilder note = new StringBuilder();
        if (i.hint()) note.append("\u25c6 hint ").append(hintName(i)).append(' ');
        if (ws != null) for (Warning w : ws) note.append("\u26a0 ").append(w.rule().id()).append(' ');
        LineTable.SourceLine src = lines.isEmpty() ? null : lines.find(i.section(), i.offset());
        String s = src == null ? "" : shortName(src.file()) + ":" + src.line();
        if (s.equals(lastSource)) s = "";
        else if (!s.isEmpty()) lastSource = s;
        if (src != null) p.sources().add(new LineTable.SourceLine(src.file(), src.line(), 0));
        d.append("    <TR>").append(td(bg, fg, where(p.func(), i)))
            .append(td(bg, fg, text)).append(td(bg, "#2a6a2a", (note.length() > 0 ? note.toString().strip() + " " : "") + s)).append("</TR>\n");
      }
      d.append("  </TABLE>>];\n");
    }
    int n = 0;
    for (FunctionGraph.Edge e : g.edges) {
      FunctionGraph.Block from = g.blockOf(e.from()), to = g.blockOf(e.to());
      if (from == null || to == null) continue;
      Set<Integer> paths = pathSteps.getOrDefault(List.of(e.from(), e.to()), Set.of());
      String color = !paths.isEmpty() ? "#c00000" : switch (e.kind()) {
        case FALL -> "#444444";
        case JUMP -> "#1f5fbf";
        case ALT -> "#c08000";
      };
      d.append("  b").append(from.id()).append(" -> b").append(to.id()).append(" [id=\"e").append(n++)
          .append("\", class=\"").append(classes("edge-" + e.kind().name().toLowerCase(java.util.Locale.ROOT), paths))
          .append("\", color=\"").append(color).append('"');
      if (!paths.isEmpty()) d.append(", penwidth=2.6");
      if (e.kind() == FunctionGraph.Kind.ALT) d.append(", style=dashed, label=\"alt\", fontcolor=\"#c08000\"");
      if (e.kind() == FunctionGraph.Kind.JUMP && e.from().type() == io.objtool.api.arch.InsnType.JUMP_CONDITIONAL) {
        d.append(", label=\"taken\", fontcolor=\"#1f5fbf\"");
      }
      d.append("];\n");
    }
    for (List<FunctionGraph.Block> side : g.altSides.values()) {
      d.append("  { rank=same;");
      for (FunctionGraph.Block b : side) d.append(" b").append(b.id()).append(';');
      d.append(" }\n");
    }
    return d.append("}\n").toString();
  }

  /** An instruction's place: {@code +0x12} in the function, {@code NAME+0x3} in its {@code .cold} part, {@code SECTION+0x8} outside functions. */
  private static String where(Func func, Instruction i) {
    Func f = i.func();
    if (f == func) return "+0x" + Long.toHexString(i.offset() - f.offset());
    if (f != null) return f.name() + "+0x" + Long.toHexString(i.offset() - f.offset());
    return i.section().name() + "+0x" + Long.toHexString(i.offset());
  }

  private static String classes(String base, Set<Integer> paths) {
    StringBuilder b = new StringBuilder(base);
    if (!paths.isEmpty()) b.append(" onpath");
    for (int k : paths) b.append(" p").append(k);
    return b.toString();
  }

  private static String td(String bg, String fg, String text) {
    return "<TD ALIGN=\"LEFT\"" + (bg == null ? "" : " BGCOLOR=\"" + bg + "\"") + "><FONT COLOR=\"" + fg + "\">"
        + (text.isEmpty() ? " " : esc(text)) + "</FONT></TD>";
  }

  /** The CFA rule of {@code cfi} ({@code rsp+8}), its unwind type when not a call frame; "not reached" without a state. */
  static String cfa(CfiState cfi) {
    if (cfi == null) return "not reached";
    String s = cfi.cfaBase() == CfiRegs.UNDEFINED ? "undefined" : cfi.cfa().toString();
    if (cfi.type() != UnwindHint.TYPE_CALL) s += " (" + hintType(cfi.type()) + ")";
    if (cfi.drap()) s += " drap";
    return s;
  }

  private static String hintType(int t) {
    return t >= 0 && t < HINT_NAMES.length ? HINT_NAMES[t] : "type " + t;
  }

  private static String hintName(Instruction i) {
    if (i.has(Instruction.SAVE)) return "SAVE";
    if (i.has(Instruction.RESTORE)) return "RESTORE";
    return i.cfi() == null ? "" : hintType(i.cfi().type());
  }

  private static String shortName(String path) {
    int s = path.lastIndexOf('/');
    return s < 0 ? path : path.substring(s + 1);
  }

  /** Escapes a field of the index line: HTML, and the field separator. */
  private static String metaEsc(String s) {
    return esc(s).replace("|", "&#124;");
  }

  /** Escapes text for HTML and for Graphviz's HTML-like labels. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  // ---- the pages

  private static final String STYLE = """
      body{font-family:"DejaVu Sans",Arial,sans-serif;margin:1.2em;color:#111;background:#fafafa}
      h1{font-size:1.3em;margin:0 0 .3em} h1 small{color:#666;font-weight:normal}
      code,pre,.mono{font-family:"DejaVu Sans Mono",monospace;font-size:12px}
      ul.warnings{padding-left:1.2em} ul.warnings li{margin:.25em 0}
      .rule{font-weight:bold} .summary{color:#444}
      button{font-size:11px;margin-left:.5em;cursor:pointer}
      #graph{background:white;border:1px solid #ccc;padding:.5em;overflow:auto}
      #graph svg .dim{opacity:.18}
      .legend span{display:inline-block;margin-right:1.2em}
      .sw{display:inline-block;width:1em;height:.8em;border:1px solid #888;vertical-align:middle;margin-right:.3em}
      table.src{border-collapse:collapse} table.src td{padding:0 .6em;vertical-align:top}
      #status{color:#666;font-size:11px}
      """;

  private static final String SCRIPT = """
      (function () {
        var svg = document.querySelector('#graph svg');
        var blocks = svg ? svg.querySelectorAll('g.node').length : 0;
        var edges = svg ? svg.querySelectorAll('g.edge').length : 0;
        if (document.body.hasAttribute('data-graph') && (!svg || blocks === 0)) throw new Error('objtool-explain: the graph is missing');
        var warnings = document.querySelectorAll('ul.warnings li').length;
        if (warnings === 0) throw new Error('objtool-explain: no warnings listed');
        var shown = null;
        document.querySelectorAll('button[data-path]').forEach(function (b) {
          b.addEventListener('click', function () {
            var k = b.getAttribute('data-path');
            shown = shown === k ? null : k;
            svg.querySelectorAll('.onpath').forEach(function (e) {
              e.classList.toggle('dim', shown !== null && !e.classList.contains(shown));
            });
          });
        });
        document.getElementById('status').textContent = 'rendered: ' + warnings + ' warnings, ' + blocks + ' blocks, ' + edges + ' edges';
        document.body.setAttribute('data-rendered', 'ok');
        console.log('objtool-explain: rendered ' + warnings + ' warnings, ' + blocks + ' blocks');
      })();
      """;

  private String html(Page p, String svg, Sources sources) {
    StringBuilder h = new StringBuilder(svg.length() + 8192);
    head(h, p.func().name(), p.warnings(), true);
    for (int k = 0; k < p.warnings().size(); k++) {
      warning(h, p.warnings().get(k));
      if (!p.paths().get(k).isEmpty()) {
        h.append("<button data-path=\"p").append(k).append("\">show only this path (")
            .append(p.paths().get(k).size()).append(" instructions)</button>");
      }
      h.append("</li>\n");
    }
    h.append("</ul>\n<p class=\"legend\">")
        .append("<span><i class=\"sw\" style=\"background:#ffe2e2;border-color:#c00000\"></i>path to the warning</span>")
        .append("<span><i class=\"sw\" style=\"background:#ff9c9c\"></i>warned instruction</span>")
        .append("<span><i class=\"sw\" style=\"background:#dcebff\"></i>\u25c6 unwind hint</span>")
        .append("<span><i class=\"sw\" style=\"background:#fff0c8\"></i>alternative (beside its original)</span>")
        .append("<span style=\"color:#1f5fbf\">\u2192 jump</span><span style=\"color:#c08000\">\u21e2 alt</span>")
        .append("<span style=\"color:#888\">grey: not reached by the walk</span>")
        .append("<span>CFA at each block's entry in its header</span></p>\n");
    if (disassemblyProblem != null) {
      h.append("<p>No disassembly (").append(esc(disassemblyProblem)).append("): instructions are shown by their type.</p>\n");
    }
    h.append("<div id=\"graph\">\n").append(svg).append("\n</div>\n<p id=\"status\">not rendered</p>\n");
    if (!p.sources().isEmpty()) {
      h.append("<h2>Source lines</h2>\n<table class=\"src mono\">\n");
      for (LineTable.SourceLine l : p.sources()) {
        String text = sources.line(l.file(), l.line());
        h.append("<tr><td>").append(esc(l.file())).append(':').append(l.line()).append("</td><td><pre style=\"margin:0\">")
            .append(text == null ? "" : esc(text)).append("</pre></td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return h.toString();
  }

  /** The page of the object's warnings that are in no function (file-level ones, code outside symbols). */
  private String objectPage(List<Warning> ws) {
    StringBuilder h = new StringBuilder(4096);
    head(h, "(outside functions)", ws, false);
    for (Warning w : ws) {
      warning(h, w);
      h.append("</li>\n");
    }
    h.append("</ul>\n<p>These warnings are not about a function's code, so there is no graph.</p>\n")
        .append("<p id=\"status\">not rendered</p>\n<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return h.toString();
  }

  /** The start of a page, up to the open list of warnings; the second line is what the index reads. */
  private void head(StringBuilder h, String what, List<Warning> ws, boolean graph) {
    h.append("<!DOCTYPE html>\n").append(PAGE_META).append(metaEsc(object)).append('|').append(metaEsc(what))
        .append('|').append(ws.size()).append('|').append(metaEsc(ws.getFirst().line())).append("\">\n");
    h.append("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(what + " \u2014 " + object))
        .append("</title>\n<style>").append(STYLE).append("</style></head>\n<body data-rendered=\"no\"")
        .append(graph ? " data-graph" : "").append(">\n<p><a href=\"index.html\">all pages</a></p>\n");
    h.append("<h1>").append(esc(what)).append(" <small>in ").append(esc(object)).append("</small></h1>\n");
    h.append("<ul class=\"warnings\">\n");
  }

  /** A warning's list item, left open: the line, its rule linked to the rule's page, the rule's summary. */
  private void warning(StringBuilder h, Warning w) {
    Rule r = w.rule();
    String link = ruleLink.apply(r);
    h.append("<li><code>").append(esc(w.line())).append("</code><br>rule ");
    if (link != null) h.append("<a class=\"rule\" href=\"").append(esc(link)).append("\">").append(esc(r.id())).append("</a>");
    else h.append("<span class=\"rule\">").append(esc(r.id())).append("</span> (").append(esc(r.docPath())).append(")");
    h.append(" <span class=\"summary\">").append(esc(r.summary())).append("</span>");
  }

  /** The index of every page in the directory (those of other objects' runs included). */
  private String index() throws ExplainException {
    List<String[]> rows = new ArrayList<>();
    try (Stream<Path> all = Files.list(dir)) {
      for (Path q : all.sorted().toList()) {
        String n = q.getFileName().toString();
        if (!n.endsWith(".html") || n.equals("index.html") || !Files.isRegularFile(q)) continue;
        String head;
        try (var in = Files.newBufferedReader(q, StandardCharsets.UTF_8)) {
          in.readLine();
          head = in.readLine();
        } catch (IOException e) {
          continue; // removed meanwhile by a run of another object
        }
        if (head == null || !head.startsWith(PAGE_META)) continue;
        String[] f = head.substring(PAGE_META.length(), head.lastIndexOf('"')).split("\\|", 4);
        if (f.length == 4) rows.add(new String[] {n, f[0], f[1], f[2], f[3]});
      }
    } catch (IOException e) {
      throw new ExplainException("--explain: " + dir + ": " + e.getMessage());
    }
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>objtool --explain</title><style>")
        .append(STYLE).append("</style></head>\n<body data-rendered=\"no\">\n<h1>objtool --explain <small>")
        .append(rows.size()).append(" warned functions</small></h1>\n<table class=\"src\">\n")
        .append("<tr><th>object</th><th>function</th><th>warnings</th><th>first warning</th></tr>\n");
    for (String[] r : rows) {
      // the fields were escaped when the page was written
      h.append("<tr><td class=\"mono\">").append(r[1]).append("</td><td class=\"mono\"><a href=\"").append(esc(r[0])).append("\">")
          .append(r[2]).append("</a></td><td>").append(r[3]).append("</td><td class=\"mono\">").append(r[4]).append("</td></tr>\n");
    }
    h.append("</table>\n<p id=\"status\"></p>\n<script>document.getElementById('status').textContent = 'rendered: ' + ")
        .append("document.querySelectorAll('a').length + ' pages'; document.body.setAttribute('data-rendered', 'ok');")
        .append(" console.log('objtool-explain: index rendered');</script>\n</body></html>\n");
    return h.toString();
  }

  /** Source files read for the pages, each once; a file that cannot be read gives no text. */
  private static final class Sources {
    private final Path cwd;
    private final Map<String, List<String>> files = new HashMap<>();

    Sources(Path cwd) {
      this.cwd = cwd;
    }

    String line(String file, int line) {
      List<String> text = files.computeIfAbsent(file, f -> {
        try {
          Path p = cwd.resolve(f);
          return Files.size(p) < (8 << 20) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
        } catch (IOException | RuntimeException e) {
          return List.of();
        }
      });
      return line >= 1 && line <= text.size() ? text.get(line - 1) : null;
    }
  }

  // ---- files

  private void atomicWrite(Path target, String text) throws ExplainException {
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, ".explain-", ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        if (tmp != null) Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the write failed already; that is the message
      }
      throw new ExplainException("--explain: cannot write " + target + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }
}
