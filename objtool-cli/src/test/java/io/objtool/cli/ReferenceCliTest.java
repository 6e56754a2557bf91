package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The command line cases of reference-cli.txt, run through the real command line (every pass)
 * and through the reference objtool 6.12 on identical objects: the same stdout, stderr and exit
 * status (for a case the reference's libelf rejects, the same format around our reader's own
 * words), the same file effects, and both what the file recorded.
 * {@code -Dobjtool.cli.record=true} rewrites the file from the reference instead of checking it.
 */
class ReferenceCliTest {
  static final String RESOURCE = "reference-cli.txt";
  static final String PLACEHOLDER = "@/";
  static final String ELF_PREFIX = ": warning: objtool: ";
  private static final boolean RECORD = Boolean.getBoolean("objtool.cli.record");
  private static final Oracles.Tally TALLY = Oracles.tally("cli-cases", "recorded command lines (stdout, stderr, exit, files; objtool 6.12)");

  /** One stanza of the case file. */
  record Case(String name, String env, List<String> args, Fixtures.Outcome expected, String mode) {
    boolean elfError() { return "elferror".equals(mode); }
  }

  static Path dir;
  private static final StringBuilder recording = new StringBuilder();

  @BeforeAll
  static void objects() throws IOException {
    dir = Files.createTempDirectory("objtool-cli-cases");
    Fixtures.populate(dir);
  }

  @AfterAll
  static void cleanup() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
    if (RECORD) {
      Path file = Path.of(System.getProperty("basedir", "."), "src/test/resources/io/objtool/cli", RESOURCE);
      StringBuilder sb = new StringBuilder();
      for (String line : Files.readString(file).lines().toList()) {
        if (!line.startsWith("#")) break;
        sb.append(line).append('\n');
      }
      Files.writeString(file, sb.append('\n').append(recording).toString());
    }
  }

  static String concrete(String s) {
    return s == null ? null : s.replace(PLACEHOLDER, dir + "/");
  }

  static String symbolic(String s) {
    return s.replace(dir + "/", PLACEHOLDER);
  }

  /** A run of one side on fresh objects: what it printed, and the objects it left. */
  record Run(Fixtures.Outcome outcome, Map<String, byte[]> files) { }

  static Run run(Path ref, Case c) throws IOException, InterruptedException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) Files.delete(p);
    }
    Fixtures.populate(dir);
    List<String> args = c.args().stream().map(ReferenceCliTest::concrete).toList();
    Fixtures.Outcome o = ref == null ? Fixtures.runOurs(args, concrete(c.env()))
        : Fixtures.runReference(ref, dir, args, concrete(c.env()));
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) files.put(p.getFileName().toString(), Files.readAllBytes(p));
    }
    return new Run(new Fixtures.Outcome(o.exit(), symbolic(o.stdout()), symbolic(o.stderr())), files);
  }

  /** The reference went past every check of the command line: it analysed (or dumped) the object. */
  static boolean passedThrough(Fixtures.Outcome ref) {
    return ref.exit() == 0;
  }

  /** The reference failed reading the object: one line "file: warning: objtool: libelf words". */
  static boolean elfFailure(Fixtures.Outcome ref) {
    return ref.exit() != 0 && ref.stderr().matches("@/\\S+: warning: objtool: (g?elf\\w*): [^\n]*\n");
  }

  static String modeOf(Fixtures.Outcome ref) {
    return passedThrough(ref) ? "passthrough" : elfFailure(ref) ? "elferror" : "exact";
  }

  /**
   * Cases where we differ from the reference on purpose (the reference's own outcome is still
   * checked against the recording): an AArch64 object, which this tool walks (issue 16), refuses
   * the x86-only actions with one line and exit status 1 where the x86 reference passes it by.
   */
  static final java.util.Map<String, Fixtures.Outcome> BY_DESIGN = java.util.Map.of(
      "machine-arm64", new Fixtures.Outcome(1, "", "@/arm64.o: error: objtool: --retpoline is an x86-64 action, "
          + "not available for arm64 objects (arm64 supports --orc, --stackval and --dump=orc)\n"));

  @TestFactory
  Stream<DynamicTest> casesMatchTheReference() throws IOException {
    Path ref = Fixtures.reference();
    return load().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      Run theirs = run(ref, c);
      Run ours = run(null, c);
      if (RECORD) {
        record(c, theirs.outcome());
        return;
      }
      assertEquals(c.expected(), theirs.outcome(), c.name() + ": the reference no longer does what was recorded; re-record");
      assertEquals(c.mode(), modeOf(theirs.outcome()), c.name() + " mode");
      TALLY.compare(() -> {
        Fixtures.Outcome o = ours.outcome();
        if (c.elfError()) {
          // The problem text is libelf's in the reference and our ELF reader's here; the format
          // around it, the stream and the exit code must agree.
          String prefix = c.expected().stderr().substring(0, c.expected().stderr().indexOf(ELF_PREFIX) + ELF_PREFIX.length());
          assertTrue(o.stderr().startsWith(prefix), c.name() + ": " + o.stderr());
          assertEquals(1, o.stderr().lines().count(), c.name() + ": one line: " + o.stderr());
          assertTrue(o.stderr().endsWith("\n"), c.name());
          assertEquals(c.expected().stdout(), o.stdout(), c.name() + " stdout");
          assertEquals(c.expected().exit(), o.exit(), c.name() + " exit");
        } else {
          assertEquals(BY_DESIGN.getOrDefault(c.name(), c.expected()), o, c.name());
        }
        assertEquals(theirs.files().keySet(), ours.files().keySet(), c.name() + ": files left");
        for (String f : theirs.files().keySet()) {
          assertArrayEquals(theirs.files().get(f), ours.files().get(f), c.name() + ": " + f);
        }
      });
    }));
  }

  private static synchronized void record(Case c, Fixtures.Outcome r) {
    StringBuilder sb = recording;
    sb.append("case ").append(c.name()).append('\n');
    if (c.env() != null) sb.append("env ").append(escape(c.env())).append('\n');
    for (String a : c.args()) sb.append("arg ").append(escape(a)).append('\n');
    sb.append("exit ").append(r.exit()).append('\n');
    sb.append("stdout ").append(escape(r.stdout())).append('\n');
    sb.append("stderr ").append(escape(r.stderr())).append('\n');
    sb.append("mode ").append(modeOf(r)).append('\n');
    sb.append("end\n\n");
  }

  // ---- the case file ------------------------------------------------------------------------

  static List<Case> load() throws IOException {
    try (InputStream in = ReferenceCliTest.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IOException("missing resource " + RESOURCE);
      List<Case> cases = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      if (!RECORD) {
        for (Case c : cases) {
          if (c.expected() == null) throw new IllegalStateException(c.name() + " was never recorded");
        }
      }
      return cases;
    }
  }

  static List<Case> parse(String text) {
    List<Case> out = new ArrayList<>();
    String name = null;
    String env = null;
    String mode = null;
    Integer exit = null;
    String stdout = null;
    String stderr = null;
    List<String> args = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int sp = line.indexOf(' ');
      String key = sp < 0 ? line : line.substring(0, sp);
      String value = sp < 0 ? "" : unescape(line.substring(sp + 1));
      switch (key) {
        case "case" -> {
          name = value;
          env = null;
          mode = null;
          exit = null;
          stdout = null;
          stderr = null;
          args = new ArrayList<>();
        }
        case "env" -> env = value;
        case "arg" -> args.add(value);
        case "exit" -> exit = Integer.parseInt(value);
        case "stdout" -> stdout = value;
        case "stderr" -> stderr = value;
        case "mode" -> mode = value;
        case "end" -> {
          Fixtures.Outcome expected = exit == null ? null : new Fixtures.Outcome(exit, stdout, stderr);
          out.add(new Case(name, env, List.copyOf(args), expected, mode));
        }
        default -> throw new IllegalArgumentException("bad line in case file: " + line);
      }
    }
    return out;
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 32 || ch == 127) sb.append(String.format("\\x%02x", (int) ch));
          else sb.append(ch);
        }
      }
    }
    return sb.toString();
  }

  static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch != '\\' || i + 1 >= s.length()) {
        sb.append(ch);
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'x' -> {
          sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
        }
        default -> sb.append(n);
      }
    }
    return sb.toString();
  }

  static {
    // Fail early and clearly if the file is unreadable rather than with zero dynamic tests.
    try {
      if (ReferenceCliTest.class.getResource(RESOURCE) == null) throw new IOException(RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
