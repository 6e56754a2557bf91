package io.objtool.check;


import io.objtool.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The AArch64 fixtures ({@code fixtures/index-arm64.txt}), cross-compiled with
 * {@code aarch64-linux-gnu-gcc} at test time and walked by the shared engine with the arm64
 * backend: the warnings land on exactly the lines marked {@code WARN:}. There is no reference
 * objtool for arm64 objects (the x86 one passes them by), so the markers are the expectation.
 */
class Arm64FixtureTest {
  @TempDir Path dir;

  @BeforeAll
  static void tools() {
    Oracles.require(Oracles.runs(Fixture.ARM64_GCC, "--version"), Fixture.ARM64_GCC + " (Debian: gcc-aarch64-linux-gnu)");
  }

  static Stream<String> fixtures() throws IOException {
    return Fixture.index("index-arm64.txt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void warningsAreWhereTheFixtureSays(String name) throws Exception {
    Fixture.compileAndMatch(name, dir, io.objtool.elf.Elf.EM_AARCH64);
  }
}
