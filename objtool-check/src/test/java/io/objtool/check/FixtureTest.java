package io.objtool.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.Warning;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture under {@code fixtures/}: our warnings land on exactly the lines marked
 * {@code WARN:} with the marked text, and (when the reference objtool is present) are the
 * reference's warnings, line for line.
 */
class FixtureTest {
  private static final Oracles.Tally REFERENCE_TALLY = Oracles.tally("fixtures", "fixtures' warnings (line for line, objtool 6.12)");
  @TempDir Path dir;

  static Stream<String> fixtures() throws IOException {
    try (var in = FixtureTest.class.getResourceAsStream("/fixtures/index.txt")) {
      return new String(in.readAllBytes()).lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void warningsAreWhereTheFixtureSays(String name) throws Exception {
    Fixture f = Fixture.load(name);
    assertFalse(f.objtoolFlags.isEmpty(), name + " has no 'objtool:' header");
    Path obj = f.compile(dir);
    List<Warning> ours = Fixture.check(obj, f.objtoolFlags);

    Map<Integer, List<String>> got = new TreeMap<>();
    for (Warning w : ours) {
      int line;
      if (w.section() != null && w.offset() >= 0) {
        line = Fixture.line(obj, w.section(), w.offset());
      } else {
        String[] fn = Fixture.functionOf(obj, w);
        line = fn == null ? Fixture.NO_LINE : Fixture.line(obj, fn[0], Long.parseLong(fn[1]));
      }
      got.computeIfAbsent(line, k -> new ArrayList<>()).add(w.message());
    }
    StringBuilder problems = new StringBuilder();
    for (var e : f.expected.entrySet()) {
      List<String> msgs = got.getOrDefault(e.getKey(), List.of());
      for (String part : e.getValue()) {
        if (msgs.stream().noneMatch(m -> m.contains(part))) {
          problems.append("\n  line ").append(e.getKey()).append(": expected '").append(part).append("', got ").append(msgs);
        }
      }
    }
    for (var e : got.entrySet()) {
      List<String> want = f.expected.getOrDefault(e.getKey(), List.of());
      for (String m : e.getValue()) {
        if (want.stream().noneMatch(m::contains)) {
          problems.append("\n  line ").append(e.getKey()).append(": unexpected warning '").append(m).append("'");
        }
      }
    }
    assertTrue(problems.isEmpty(), name + ":" + problems + "\nall warnings: " + ours.stream().map(Warning::line).toList());
    assertEquals(f.expected.values().stream().mapToInt(List::size).sum(), ours.size(), name + ": " + ours);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void warningsAreTheReferences(String name) throws Exception {
    Fixture.requireReference();
    Fixture f = Fixture.load(name);
    Path obj = f.compile(dir);
    List<String> ref = Fixture.reference(obj, f.objtoolFlags);
    List<String> ours = Fixture.check(obj, f.objtoolFlags).stream().map(Warning::line).toList();
    REFERENCE_TALLY.compare(() -> assertEquals(ref, ours, name));
  }
}
