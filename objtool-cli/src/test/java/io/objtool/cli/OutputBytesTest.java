package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The object we write is the reference's byte for byte: same sections, and the same file layout
 * (libelf's, which the reference gets from elf_update). gcc compiles the bundled example with the
 * kernel's code-generation flags; ours and the reference then run with the same arguments on
 * identical copies. Skipped when the reference binary is absent.
 */
class OutputBytesTest {
  private static final io.objtool.testkit.Oracles.Tally TALLY = io.objtool.testkit.Oracles.tally("output-bytes",
      "written objects byte for byte (the example, two flag sets, and frames over 32 KiB; objtool 6.12)");
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {
      "--orc --link --module",
      "--ibt --orc --retpoline --rethunk --sls --static-call --uaccess --prefix=16 --link --module"})
  void writtenObjectIsTheReferences(String flags) throws Exception {
    Path ref = Fixtures.reference();
    Path src = Path.of("..", "examples", "example.c").toAbsolutePath().normalize();
    Path obj = dir.resolve("example.o");
    // scripts/example.sh's flags (a 6.12 defconfig module build), with the call padding --prefix needs
    Process cc = new ProcessBuilder("gcc", "-c", "-O2", "-mcmodel=kernel", "-mno-red-zone", "-mno-sse",
        "-mno-mmx", "-mno-sse2", "-mno-3dnow", "-mno-avx", "-fno-pic", "-fno-asynchronous-unwind-tables",
        "-fno-jump-tables", "-fcf-protection=branch", "-mindirect-branch=thunk-extern",
        "-mindirect-branch-register", "-mfunction-return=thunk-extern", "-fno-stack-protector",
        "-fomit-frame-pointer", "-fno-strict-aliasing", "-fno-common", "-fno-delete-null-pointer-checks",
        "-ffunction-sections", "-fpatchable-function-entry=16,16", src.toString(), "-o", obj.toString())
        .inheritIO().start();
    assertEquals(0, cc.waitFor(), "gcc");
    sameAsReference(ref, obj, flags);
  }

  /**
   * Frames over 32 KiB ({@code fixtures/orc-large-frame.c}): the reference stores the cfa offset
   * truncated to the entry's 16 bits; the written object is still the reference's byte for byte
   * (it once stopped us with an internal error).
   */
  @org.junit.jupiter.api.Test
  void framesOver32KiBAreTruncatedAsTheReferenceDoes() throws Exception {
    Path ref = Fixtures.reference();
    Path src = dir.resolve("orc-large-frame.c");
    try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/orc-large-frame.c")) {
      Files.copy(in, src);
    }
    Path obj = dir.resolve("large.o");
    Process cc = new ProcessBuilder("gcc", "-c", "-O2", "-mcmodel=kernel", "-mno-red-zone", "-fno-pic",
        "-fno-asynchronous-unwind-tables", "-fomit-frame-pointer", src.toString(), "-o", obj.toString())
        .inheritIO().start();
    assertEquals(0, cc.waitFor(), "gcc");
    sameAsReference(ref, obj, "--orc --link --module");
  }

  private void sameAsReference(Path ref, Path obj, String flags) throws Exception {
    Path theirs = dir.resolve("theirs.o");
    Path ours = dir.resolve("ours.o");
    Files.copy(obj, theirs);
    Files.copy(obj, ours);
    byte[] before = Files.readAllBytes(obj);

    List<String> args = new ArrayList<>(List.of(flags.split(" ")));
    args.add(theirs.toString());
    Fixtures.Outcome r = Fixtures.runReference(ref, dir, args, null);
    args.set(args.size() - 1, ours.toString());
    Fixtures.Outcome o = Fixtures.runOurs(args);

    byte[] want = Files.readAllBytes(theirs);
    assertFalse(java.util.Arrays.equals(before, want), "the reference wrote the object");
    TALLY.compare(() -> {
      assertEquals(r.exit(), o.exit(), "exit: " + o.stderr());
      assertEquals(r.stderr().replace(theirs.toString(), "OBJ"), o.stderr().replace(ours.toString(), "OBJ"));
      assertArrayEquals(want, Files.readAllBytes(ours));
    });
  }
}
