package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.testkit.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An AArch64 object: the arm64 decoder is on the class path, but the engine does not walk arm64
 * code yet, so every checking action does what the x86-only reference does with a machine it
 * does not know: one warning line, exit status 0, the object left alone (a kernel build sees no
 * difference).
 */
class Arm64CliTest {
  @Test
  void checkingAnArm64ObjectIsPassedByAsTheReferenceDoes(@TempDir Path dir) throws Exception {
    Oracles.require(Oracles.runs("aarch64-linux-gnu-gcc", "--version"), "aarch64-linux-gnu-gcc (Debian: gcc-aarch64-linux-gnu)");
    Path c = dir.resolve("a.c");
    Path o = dir.resolve("a.o");
    Files.writeString(c, "extern void ext(int);\nint f(int x) { ext(x); ext(x + 1); return x * 2; }\n");
    Process p = new ProcessBuilder("aarch64-linux-gnu-gcc", "-O2", "-fno-omit-frame-pointer", "-c", "-o", o.toString(), c.toString())
        .inheritIO().start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0);
    byte[] before = Files.readAllBytes(o);
    for (List<String> args : List.of(List.of("--orc", "--link", o.toString()),
        List.of("--stackval", "--link", o.toString()), List.of("--orc", "--stackval", "--module", o.toString()))) {
      Fixtures.Outcome r = Fixtures.runOurs(args);
      assertEquals(0, r.exit(), r::toString);
      assertEquals("", r.stdout());
      assertEquals(o + ": warning: objtool: unexpected ELF machine type 183\n", r.stderr());
      assertArrayEquals(before, Files.readAllBytes(o));
    }
  }
}
