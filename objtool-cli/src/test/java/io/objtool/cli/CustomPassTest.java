package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pass in {@code examples/custom-pass/}, compiled into its own jar against objtool-api only,
 * is found through {@link java.util.ServiceLoader}: its flag appears in {@code --help} and its
 * warnings come out in objtool's format.
 */
class CustomPassTest {
  static final Path EXAMPLE = Path.of("..", "examples", "custom-pass");
  @TempDir Path dir;

  private Path buildJar() throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path src = EXAMPLE.resolve("src/main/java/com/example/objtool/IndirectCallPass.java");
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    String cp = io.objtool.api.Pass.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    int rc = javac.run(null, null, null, "--release", "25", "-cp", cp, "-d", classes.toString(), src.toString());
    assertEquals(0, rc, "javac");
    Path jar = dir.resolve("indirect-calls.jar");
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
      Path cls = classes.resolve("com/example/objtool/IndirectCallPass.class");
      j.putNextEntry(new JarEntry("com/example/objtool/IndirectCallPass.class"));
      j.write(Files.readAllBytes(cls));
      j.putNextEntry(new JarEntry("com/example/objtool/IndirectCallPass$1.class"));
      j.write(Files.readAllBytes(classes.resolve("com/example/objtool/IndirectCallPass$1.class")));
      j.putNextEntry(new JarEntry("META-INF/services/io.objtool.api.Pass"));
      j.write(Files.readAllBytes(EXAMPLE.resolve("src/main/resources/META-INF/services/io.objtool.api.Pass")));
    }
    return jar;
  }

  private record Run(int rc, String out, String err) {}

  private Run run(ClassLoader cl, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Main.standard(cl).run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pluginFlagIsInHelpAndItsWarningsAreObjtoolsFormat() throws Exception {
    assertTrue(Files.isDirectory(EXAMPLE), "examples/custom-pass not found at " + EXAMPLE);
    Path jar = buildJar();
    Path c = dir.resolve("ind.c");
    Files.writeString(c, "int f(int (*g)(int), int x) { return g(x) + 1; }\n");
    Path obj = dir.resolve("ind.o");
    Process p = new ProcessBuilder("gcc", "-c", "-O2", c.toString(), "-o", obj.toString()).inheritIO().start();
    assertEquals(0, p.waitFor());
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      Run help = run(cl, List.of("--help"));
      assertTrue(help.err().contains("        --indirect-calls  report indirect calls\n"), help.err());
      Run check = run(cl, List.of("--indirect-calls", "--link", obj.toString()));
      assertEquals(0, check.rc(), check.err());
      assertEquals(obj + ": warning: objtool: f+0x9: indirect call\n", check.err());
    }
    // without the jar the flag is unknown, as in the reference
    Run plain = run(getClass().getClassLoader(), List.of("--indirect-calls", "--link", obj.toString()));
    assertEquals(129, plain.rc());
    assertTrue(plain.err().contains("unknown option `indirect-calls'"), plain.err());
  }
}
