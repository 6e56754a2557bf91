package io.objtool.check.trace;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.Warning;
import io.objtool.check.TraceFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture with a {@code WARN:} marker, checked with {@code --trace='*'}: each of its
 * warnings ends a trace. A warning the walk reported ends the path the recorder kept: its last
 * instruction is the one the walk was at when the warning came, which is the warning's location
 * (or the one its message names, for paths meeting in alternatives), and the text has the line;
 * a warning no path leads to (unreachable code, checks before the walk, a problem that stopped the
 * check) ends the text as such.
 */
class TraceFixtureTest {
  @TempDir Path dir;

  static Stream<String> fixtures() throws Exception {
    return TraceFixtures.withWarnings().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyWarningEndsATrace(String name) throws Exception {
    TraceFixtures.Run run = TraceFixtures.run(name, "*", dir);
    List<Warning> ws = run.warnings();
    assertFalse(ws.isEmpty(), name + ": the fixture has WARN markers but no warning came");
    String text = run.text();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < ws.size(); i++) {
      Warning w = ws.get(i);
      assertTrue(run.traces().traced(i), name + ": not traced: " + w.line() + "\n" + text);
      int at = lines.indexOf(lines.stream().filter(l -> l.strip().equals("warning: " + w.line())).findFirst().orElse(null));
      assertTrue(at >= 0, name + ": the trace has no line for " + w.line() + "\n" + text);
      Trace.Path p = run.traces().path(i);
      if (p == null) {
        assertTrue(lines.get(at - 1).contains("no path of the walk leads to this warning"), name + ": " + w.line() + "\n" + text);
        continue;
      }
      assertFalse(p.steps().isEmpty(), name + ": empty path to " + w.line());
      Trace.Step last = p.steps().getLast();
      Trace.Step warned = warningStep(run.traces(), i);
      assertNotNull(warned, name + ": no warning step for " + w.line());
      assertTrue(java.util.Objects.equals(last.insn(), warned.insn()), name + ": the path to '" + w.line() + "' ends at " + TraceText.where(last.insn())
          + ", the walk warned at " + TraceText.where(warned.insn()));
      String where = TraceText.where(last.insn());
      if (w.function() != null && w.functionOffset() >= 0) {
        // located: at the path's end, or (paths meeting in alternatives) naming it
        String loc = w.function() + "+0x" + Long.toHexString(w.functionOffset());
        assertTrue(where.equals(loc) || w.message().contains(where), name + ": the path to '" + w.line() + "' ends at " + where + "\n" + text);
      }
      assertNotNull(last.insn());
    }
  }

  private static Trace.Step warningStep(Traces traces, int index) {
    for (Trace t : traces.walks()) {
      for (Trace.Step s : t.steps()) if (s.kind() == Trace.Kind.WARNING && s.warningIndex() == index) return s;
    }
    return null;
  }
}
