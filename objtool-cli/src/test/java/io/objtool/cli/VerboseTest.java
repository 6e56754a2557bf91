package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --verbose} on every fixture of the check, with its flags: our command line and the
 * reference (whose disassembly of the warned functions goes through objdump and gawk) print the
 * same stderr, and exit alike.
 */
class VerboseTest {
  private static final Oracles.Tally TALLY = Oracles.tally("fixtures-verbose",
      "fixtures' --verbose output (warnings, then the warned functions' disassembly; objtool 6.12)");
  @TempDir Path dir;

  static Stream<String> fixtures() throws Exception {
    return CheckFixture.all().stream().map(CheckFixture::name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void verboseIsTheReferences(String name) throws Exception {
    Path ref = Fixtures.reference();
    Oracles.require(onPath("gawk") && onPath("objdump"), "gawk and objdump (the reference's --verbose runs them)");
    CheckFixture fx = CheckFixture.load(name);
    String obj = fx.compile(dir);
    Files.copy(dir.resolve(obj), dir.resolve("theirs.o"));
    Files.copy(dir.resolve(obj), dir.resolve("ours.o"));
    List<String> args = new ArrayList<>(fx.flags());
    args.add(0, "--verbose");
    args.add(dir.resolve("theirs.o").toString());
    Fixtures.Outcome r = Fixtures.runReference(ref, dir, args, null);
    args.set(args.size() - 1, dir.resolve("ours.o").toString());
    Fixtures.Outcome o = Fixtures.runOurs(args);
    TALLY.compare(() -> {
      assertEquals(r.stderr().replace("theirs.o", "OBJ"), o.stderr().replace("ours.o", "OBJ"), name);
      assertEquals(r.exit(), o.exit(), name);
    });
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
    }
    return false;
  }
}
