package io.objtool.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.objtool.api.Warning;
import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
    return Fixture.index("index.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void warningsAreWhereTheFixtureSays(String name) throws Exception {
    Fixture.compileAndMatch(name, dir, io.objtool.elf.Elf.EM_X86_64);
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
