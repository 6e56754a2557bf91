package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.objtool.api.Rule;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules are declared in the code ({@code static final Rule} constants next to the code that
 * emits them) and the code is the source of truth: every rule has a page
 * {@code docs/rules/<id>.md} whose summary and severity are the code's, and a fixture whose
 * {@code # WARN:} marker shows its message — or, when it cannot be triggered from an x86-64
 * object, a page saying why (fixtures "none: REASON", or "none" and a {@code ## Note}). Every page belongs to a rule.
 * {@code docs/rules.md} is generated from the declarations
 * ({@code mvn -o -pl objtool-cli test -Dtest=RulesTest -Drules.update=true} rewrites it).
 */
class RulesTest {
  static final Path ROOT = Path.of("..");
  static final Path DOCS = ROOT.resolve("docs");
  static final Path FIXTURES = ROOT.resolve("objtool-check/src/test/resources/fixtures");

  /** A declared rule and where. */
  record Declared(Rule rule, Class<?> owner, String field) {}

  static Map<String, Declared> rules;

  @BeforeAll
  static void collect() throws Exception {
    rules = declaredRules();
  }

  /** Every {@code static final Rule} of the project's modules, by id; the same id twice fails. */
  static Map<String, Declared> declaredRules() throws IOException, URISyntaxException, ReflectiveOperationException {
    Class<?>[] anchors = {io.objtool.elf.ElfFile.class, io.objtool.api.Rule.class, io.objtool.check.Checker.class,
        io.objtool.orc.OrcFormat.class, Main.class, Class.forName("io.objtool.x86.X86Arch")};
    Map<String, Declared> out = new TreeMap<>();
    for (Class<?> anchor : anchors) {
      for (String name : classNames(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()))) {
        Class<?> c = Class.forName(name, false, RulesTest.class.getClassLoader());
        for (Field f : c.getDeclaredFields()) {
          if (f.getType() != Rule.class || !Modifier.isStatic(f.getModifiers()) || !Modifier.isFinal(f.getModifiers())) continue;
          f.setAccessible(true);
          Rule r = (Rule) f.get(null);
          Declared prev = out.get(r.id());
          if (prev != null && prev.rule() != r) {
            fail("rule " + r.id() + " declared twice: " + prev.owner().getName() + "." + prev.field() + " and " + c.getName() + "." + f.getName());
          }
          if (prev == null) out.put(r.id(), new Declared(r, c, f.getName()));
        }
      }
    }
    return out;
  }

  private static List<String> classNames(Path root) throws IOException {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.walk(root)) {
        s.map(p -> root.relativize(p).toString().replace('\\', '/')).forEach(names::add);
      }
    } else {
      try (JarFile j = new JarFile(root.toFile())) {
        j.stream().map(e -> e.getName()).forEach(names::add);
      }
    }
    return names.stream().filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
        .map(n -> n.substring(0, n.length() - 6).replace('/', '.')).sorted().toList();
  }

  /** The rows of a page's leading table ({@code | key | value |}). */
  static Map<String, String> table(String page) {
    Map<String, String> m = new LinkedHashMap<>();
    Matcher row = Pattern.compile("(?m)^\\| ([a-z ]+) \\| (.*) \\|$").matcher(page);
    while (row.find()) m.putIfAbsent(row.group(1), row.group(2));
    return m;
  }

  /** A page's message pattern ({@code %s}, {@code %d}, {@code %x} for the variable parts) as a regular expression. */
  static Pattern messagePattern(String message) {
    String m = message.startsWith("`") && message.endsWith("`") ? message.substring(1, message.length() - 1) : message;
    StringBuilder re = new StringBuilder();
    for (String part : m.split("(%s|%d|%x)", -1)) {
      if (!re.isEmpty()) re.append(".+");
      re.append(Pattern.quote(part));
    }
    // the marker may hold the text with objtool's prefixes, or just the message
    return Pattern.compile(".*" + re + ".*");
  }

  @Test
  void ruleIdsAreUniqueAndThereAreRules() {
    assertTrue(rules.size() > 90, "rules found: " + rules.keySet());
  }

  @Test
  void everyRuleHasAPageAgreeingWithTheCode() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Declared d : rules.values()) {
      Rule r = d.rule();
      Path page = ROOT.resolve(r.docPath());
      if (!Files.isRegularFile(page)) {
        problems.add(r.id() + ": no page " + r.docPath());
        continue;
      }
      String text = Files.readString(page);
      if (!text.startsWith("# " + r.id() + "\n")) problems.add(r.id() + ": the page's title is not the id");
      Map<String, String> t = table(text);
      if (!r.summary().equals(t.get("summary"))) problems.add(r.id() + ": summary differs: code '" + r.summary() + "', page '" + t.get("summary") + "'");
      if (!r.severity().label().equals(t.get("severity"))) problems.add(r.id() + ": severity differs from the page");
      for (String section : List.of("## What it means", "## Why objtool cares", "## Usual causes and fixes", "## Example")) {
        if (!text.contains("\n" + section + "\n")) problems.add(r.id() + ": page lacks '" + section + "'");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyRuleHasAFixtureOrSaysWhyNot() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Declared d : rules.values()) {
      Rule r = d.rule();
      Path page = ROOT.resolve(r.docPath());
      if (!Files.isRegularFile(page)) continue; // reported above
      String text = Files.readString(page);
      Map<String, String> t = table(text);
      String fixtures = t.getOrDefault("fixtures", "");
      if (fixtures.startsWith("none")) {
        boolean reasonInRow = fixtures.matches("none: \\S.*");
        if (!reasonInRow && !text.contains("\n## Note\n")) problems.add(r.id() + ": no fixture and no note saying why");
        continue;
      }
      Pattern message = messagePattern(t.getOrDefault("message", "?"));
      Matcher f = Pattern.compile("\\[`([^`]+)`\\]").matcher(fixtures);
      boolean any = false;
      while (f.find()) {
        Path fixture = FIXTURES.resolve(f.group(1));
        if (!Files.isRegularFile(fixture)) {
          problems.add(r.id() + ": fixture " + f.group(1) + " does not exist");
          continue;
        }
        for (String line : Files.readAllLines(fixture)) {
          int w = line.indexOf("WARN");
          if (w < 0 || !line.substring(w).matches("WARN(-FILE)?:.*")) continue;
          String marker = line.substring(line.indexOf(':', w) + 1).trim();
          if (message.matcher(marker).matches()) any = true;
        }
      }
      if (!any) problems.add(r.id() + ": no fixture with a WARN marker matching " + t.get("message") + " in " + fixtures);
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyPageBelongsToARule() throws IOException {
    TreeSet<String> stale = new TreeSet<>();
    try (Stream<Path> s = Files.list(DOCS.resolve("rules"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md") && !n.equals("README.md"))
          .map(n -> n.substring(0, n.length() - 3)).filter(id -> !rules.containsKey(id)).forEach(stale::add);
    }
    assertEquals(new TreeSet<String>(), stale, "pages of rules the code does not declare");
    assertFalse(Files.exists(DOCS.resolve("rules/rules.tsv")), "the code is the table now; docs/rules.md is generated");
  }

  /** {@code docs/rules.md}: every rule, generated from the declarations. */
  static String rulesMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Rules\n\n");
    b.append("<!-- generated by RulesTest from the rules declared in the code; do not edit. -->\n\n");
    b.append("Every warning objtool can print belongs to one rule, declared as a `static final Rule` constant of the\n");
    b.append("class that emits it (the \"declared in\" column). SARIF output carries the rule as `ruleId` with its\n");
    b.append("summary in `tool.driver.rules`; JSON output as `rule`. Severity `error`: the check stops after it.\n\n");
    b.append(rules.size()).append(" rules.\n\n");
    b.append("| rule | severity | summary | declared in |\n|---|---|---|---|\n");
    for (Declared d : rules.values()) {
      Rule r = d.rule();
      b.append("| [`").append(r.id()).append("`](rules/").append(r.id()).append(".md) | ").append(r.severity().label())
          .append(" | ").append(r.summary().replace("|", "\\|")).append(" | `").append(d.owner().getSimpleName()).append('.')
          .append(d.field()).append("` |\n");
    }
    return b.toString();
  }

  @Test
  void rulesMarkdownIsGeneratedFromTheCode() throws IOException {
    Path file = DOCS.resolve("rules.md");
    String now = rulesMarkdown();
    if (Boolean.getBoolean("rules.update")) Files.writeString(file, now);
    assertEquals(Files.exists(file) ? Files.readString(file) : "", now,
        "docs/rules.md is stale: mvn -o -pl objtool-cli test -Dtest=RulesTest -Drules.update=true");
  }
}
