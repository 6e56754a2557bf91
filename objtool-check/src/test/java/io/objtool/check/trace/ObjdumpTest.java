package io.objtool.check.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * objdump is looked up in the run's own {@code PATH} (a server request's), not in this process's:
 * a fake objdump first in the run's {@code PATH} is the one that runs.
 */
class ObjdumpTest {
  private static Path script(Path dir, String name, String body) throws Exception {
    Files.createDirectories(dir);
    Path f = dir.resolve(name);
    Files.writeString(f, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  @Test
  void runsTheObjdumpOfTheRunsPath(@TempDir Path dir) throws Exception {
    script(dir.resolve("bin"), "objdump", "echo fake objdump \"$@\"");
    List<String> lines = new ArrayList<>();
    Objdump.Outcome o = Objdump.run(List.of("-wdr", "x.o"), dir, Map.of("PATH", dir.resolve("bin") + ":/usr/bin:/bin"), lines::add);
    assertTrue(o.started());
    assertEquals(List.of("fake objdump -wdr x.o"), lines);
  }

  @Test
  void crossCompilePrefixAndRelativeEntries(@TempDir Path dir) throws Exception {
    script(dir.resolve("tools"), "aarch64-linux-gnu-objdump", "echo cross");
    List<String> lines = new ArrayList<>();
    // a relative PATH entry is relative to the run's directory, as for the shell of a kernel build
    Objdump.Outcome o = Objdump.run(List.of(), dir, Map.of("PATH", "tools", "CROSS_COMPILE", "aarch64-linux-gnu-"), lines::add);
    assertTrue(o.started());
    assertEquals("aarch64-linux-gnu-objdump", o.tool());
    assertEquals(List.of("cross"), lines);
  }

  @Test
  void notFoundInTheRunsPathDoesNotStart(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    Objdump.Outcome o = Objdump.run(List.of(), dir, Map.of("PATH", dir.resolve("empty").toString()), l -> { });
    assertFalse(o.started());
  }

  @Test
  void resolveFollowsTheShell(@TempDir Path dir) throws Exception {
    Path f = script(dir.resolve("a"), "objdump", "true");
    Files.writeString(Files.createDirectories(dir.resolve("b")).resolve("objdump"), "not executable"); // skipped, as by the shell
    assertEquals(f.toString(), Objdump.resolve("objdump", dir.resolve("b") + ":" + dir.resolve("a"), dir));
    assertEquals(dir.resolve("x/objdump").toString(), Objdump.resolve("x/objdump", "/bin", dir));
    assertEquals("/opt/objdump", Objdump.resolve("/opt/objdump", "/bin", dir));
    assertEquals("objdump", Objdump.resolve("objdump", null, dir));
    assertEquals(f.toString(), Objdump.resolve("objdump", ":", dir.resolve("a")));
    assertEquals(null, Objdump.resolve("objdump", dir.resolve("b").toString(), dir));
  }
}
