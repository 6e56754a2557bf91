package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import io.objtool.elf.MalformedElfException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and a bug in the tool are told apart: malformed input gets one line saying what is
 * wrong and where, with the reference's exit status (1 for the check, 255 for the dump); an
 * internal error says it is one, names the object and the tool's version and how to get the stack
 * trace, and never reads "malformed". Neither touches the input.
 */
class FailureKindsTest {
  @TempDir Path dir;
  private byte[] good;

  @BeforeEach
  void compile() throws Exception {
    ServerHarness.compile(ServerHarness.ROOT.resolve("examples/example.c"), dir.resolve("good.o"));
    good = Files.readAllBytes(dir.resolve("good.o"));
  }

  private ServerHarness.Result run(ClassLoader loader, Map<String, String> env, String... args) {
    return ServerHarness.inJvm(dir, List.of(args), env, loader);
  }

  @Test
  void malformedInputIsOneLineAboutTheInput() throws Exception {
    // a truncated object: the section header table is past the end
    byte[] cut = Arrays.copyOf(good, good.length / 2);
    Files.write(dir.resolve("cut.o"), cut);
    ServerHarness.Result check = run(getClass().getClassLoader(), Map.of(), "--orc", "--link", "--module", "cut.o");
    assertEquals(1, check.exit());
    assertTrue(check.stderr().matches("cut\\.o: warning: objtool: section header table offset \\d+ is past the end of the file\n"),
        check.stderr());
    ServerHarness.Result dump = run(getClass().getClassLoader(), Map.of(), "--dump=orc", "cut.o");
    assertEquals(255, dump.exit());
    assertArrayEquals(cut, Files.readAllBytes(dir.resolve("cut.o")));

    // a relocation against a symbol that does not exist: the message names the section and entry
    byte[] bad = good.clone();
    try (ElfFile elf = ElfFile.parse(Path.of("good.o"), good)) {
      io.objtool.elf.Section rela = elf.sections().stream().filter(s -> s.isRela() && s.relocations().count() > 0)
          .findFirst().orElseThrow();
      long info = rela.fileOffset() + 8;
      bad[(int) info + 4] = (byte) 0xff; // symbol index 0xff...: out of range
      bad[(int) info + 5] = (byte) 0xff;
      Files.write(dir.resolve("bad.o"), bad);
      ServerHarness.Result r = run(getClass().getClassLoader(), Map.of(), "--orc", "--link", "--module", "bad.o");
      assertEquals(1, r.exit());
      assertEquals("bad.o: warning: objtool: " + rela.name() + " entry 0 refers to symbol 65535, out of range\n", r.stderr());
      assertFalse(r.stderr().contains("internal error"), r.stderr());
    }
    assertArrayEquals(bad, Files.readAllBytes(dir.resolve("bad.o")));

    // the ELF layer: bad input is MalformedElfException, a file that cannot be read is not
    MalformedElfException m = assertThrows(MalformedElfException.class, () -> ElfFile.parse(Path.of("cut.o"), cut));
    assertTrue(m.getMessage().startsWith("cut.o: section header table offset"), m.getMessage());
    ElfException missing = assertThrows(ElfException.class, () -> ElfFile.open(dir.resolve("missing.o")));
    assertFalse(missing instanceof MalformedElfException);
  }

  @Test
  void aBugSaysItIsABug() throws Exception {
    Path jar = ServerHarness.testPlugins(dir, 0);
    Files.write(dir.resolve("y.o"), good);
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      ServerHarness.Result r = run(cl, Map.of(), "--boom", "--orc", "--link", "--module", "y.o");
      assertEquals(1, r.exit());
      assertEquals("error: objtool: internal error on y.o: IllegalStateException: boom (a bug in " + ToolInfo.NAME + " "
          + ToolInfo.version() + ", not a problem with the input; OBJTOOL_JVM_TRACE=1 prints the stack trace)\n", r.stderr());
      assertFalse(r.stderr().toLowerCase(java.util.Locale.ROOT).contains("malformed"));
      assertArrayEquals(good, Files.readAllBytes(dir.resolve("y.o")));

      ServerHarness.Result traced = run(cl, Map.of("OBJTOOL_JVM_TRACE", "1"), "--boom", "--orc", "--link", "--module", "y.o");
      assertEquals(1, traced.exit());
      assertTrue(traced.stderr().startsWith("java.lang.IllegalStateException: boom\n\tat t.BoomPass.visitor("), traced.stderr());
      assertTrue(traced.stderr().endsWith("; stack trace above)\n"), traced.stderr());
    }
  }

  @Test
  void aStackOverflowInTheWalkIsAnInternalError() throws Exception {
    Path jar = ServerHarness.testPlugins(dir, 0);
    Files.write(dir.resolve("z.o"), good);
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      // the check runs in a thread of its own: what overflows there comes back as one line, and
      // neither a result of no warnings nor a written object
      ServerHarness.Result r = run(cl, Map.of(), "--overflow", "--orc", "--link", "--module", "z.o");
      assertEquals(1, r.exit());
      assertTrue(r.stderr().startsWith("error: objtool: internal error on z.o: StackOverflowError"), r.stderr());
      assertEquals(1, r.stderr().lines().count(), r.stderr());
      assertArrayEquals(good, Files.readAllBytes(dir.resolve("z.o")));
    }
  }

  @Test
  void bothKindsStayOneLine() {
    String line = Main.internalError(null, new IndexOutOfBoundsException("Index 7 out of bounds for length 3"), false);
    assertTrue(line.startsWith("error: objtool: internal error: IndexOutOfBoundsException: Index 7"), line);
    assertInstanceOf(ElfException.class, MalformedElfException.of(Path.of("x.o"), "bad"));
    // names from the file may hold any byte
    assertEquals("x.o: section 3 name \\x0a\\x1b[2J", MalformedElfException.of(Path.of("x.o"), "section 3 name \n\u001b[2J").getMessage());
  }
}
