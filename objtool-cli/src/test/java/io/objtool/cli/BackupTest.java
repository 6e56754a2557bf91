package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --backup}: FILE.orig holds the object as it was before the check changed it. */
class BackupTest {
  @TempDir Path dir;

  @Test
  void backupKeepsTheOriginal() throws Exception {
    Path c = dir.resolve("b.c");
    Files.writeString(c, "int f(int x) { return x * 3; }\n");
    Path obj = dir.resolve("b.o");
    Process p = new ProcessBuilder("gcc", "-c", "-O2", c.toString(), "-o", obj.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    byte[] before = Files.readAllBytes(obj);
    ClassLoader cl = getClass().getClassLoader();
    Main main = Main.standard(cl);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = main.run(List.of("--orc", "--link", "--backup", obj.toString()), Map.of(),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, rc, err.toString());
    assertArrayEquals(before, Files.readAllBytes(Path.of(obj + ".orig")));
    assertFalse(Arrays.equals(before, Files.readAllBytes(obj)), "the object gained its ORC sections");
  }
}
