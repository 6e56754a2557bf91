package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.objtool.api.BranchVisitor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.stream.Stream;
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

  /** The module path of the released API: objtool-api's and objtool-elf's jars (or class directories). */
  static String apiModulePath() {
    return io.objtool.api.Pass.class.getProtectionDomain().getCodeSource().getLocation().getPath()
        + java.io.File.pathSeparator
        + io.objtool.elf.ElfFile.class.getProtectionDomain().getCodeSource().getLocation().getPath();
  }

  /** Compiles {@code sources} against the API modules only (as a plug-in built outside the project); javac's status. */
  static int compileAgainstApi(Path out, StringWriter diagnostics, Path... sources) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Files.createDirectories(out);
    List<String> args = new ArrayList<>(List.of("--release", "25", "--module-path", apiModulePath(),
        "--add-modules", "io.objtool.api", "-cp", out.toString(), "-d", out.toString()));
    for (Path src : sources) args.add(src.toString());
    return javac.run(null, null, new WriterOutputStream(diagnostics), args.toArray(new String[0]));
  }

  /** An OutputStream into a StringWriter (javac's diagnostics). */
  private static final class WriterOutputStream extends OutputStream {
    private final StringWriter w;

    WriterOutputStream(StringWriter w) {
      this.w = w;
    }

    @Override
    public void write(int b) {
      w.write(b);
    }
  }

  private Path buildJar() throws IOException {
    Path src = EXAMPLE.resolve("src/main/java/com/example/objtool/IndirectCallPass.java");
    Path classes = dir.resolve("classes");
    StringWriter diag = new StringWriter();
    assertEquals(0, compileAgainstApi(classes, diag, src), "javac: " + diag);
    Path jar = dir.resolve("indirect-calls.jar");
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os);
         Stream<Path> files = Files.walk(classes)) {
      for (Path cls : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(cls).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(cls));
      }
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
    // batch mode passes the plug-in's passes through too (OBJTOOL_PLUGINS in bin/objtool-batch)
    try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc = new BatchMain(cl).run(List.of("--no-summary", "--format=json", "--output", dir.resolve("batch.json").toString(), "--", "--indirect-calls", "--link", "--", obj.toString()),
          Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), false);
      assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
      assertEquals(obj + ": warning: objtool: f+0x9: indirect call\n", err.toString(StandardCharsets.UTF_8));
      String json = Files.readString(dir.resolve("batch.json"));
      assertTrue(json.contains("\"rule\":\"example-indirect-call\""), json);
      // and so does a single run writing a document (OBJTOOL_FORMAT)
      Path doc = dir.resolve("single.json");
      ByteArrayOutputStream sout = new ByteArrayOutputStream();
      ByteArrayOutputStream serr = new ByteArrayOutputStream();
      int src = SingleFormat.run(List.of("--indirect-calls", "--link", obj.toString()),
          RunContext.inProcess(Map.of("OBJTOOL_FORMAT", "json", "OBJTOOL_FORMAT_FILE", doc.toString())), io.objtool.check.PassProviders.of(cl),
          new PrintStream(sout, true, StandardCharsets.UTF_8), new PrintStream(serr, true, StandardCharsets.UTF_8));
      assertEquals(0, src, serr.toString(StandardCharsets.UTF_8));
      assertTrue(Files.readString(doc).contains("\"rule\":\"example-indirect-call\""), Files.readString(doc));
    }
    // without the jar the flag is unknown, as in the reference
    Run plain = run(getClass().getClassLoader(), List.of("--indirect-calls", "--link", obj.toString()));
    assertEquals(129, plain.rc());
    assertTrue(plain.err().contains("unknown option `indirect-calls'"), plain.err());
  }

  /**
   * A plug-in compiled against the API cannot change engine state: the model has no setters, the
   * CFI a pass sees is a read-only interface, and the engine's write access (the mutable CFI, the
   * model's setters) is in a package the API module does not export to plug-ins.
   */
  @Test
  void aPluginThatTriesToChangeEngineStateDoesNotCompile() throws IOException {
    String[][] attempts = {
        {"cast the CFI to the engine's class", "((io.objtool.api.internal.Cfi) insn.cfi()).cfaOffset = 0;"},
        {"call the engine's write access", "io.objtool.api.internal.Model.setCfi(insn, null);"},
        {"set an instruction field", "insn.setCfi(null);"},
        {"write a CFI field", "insn.cfi().cfaOffset = 8;"},
        {"create an instruction state", "new io.objtool.api.InsnState(0);"},
        {"change a function", "insn.func().setUaccessSafe();"},
        {"mark the file changed", "file.markChanged();"},
        {"take over the object's alternatives", "insn.altGroup().cfi[0] = null;"},
        {"add a section to the object", "file.elf().addSection(\".evil\", 1, 0, 0, 1, new byte[1]);"},
        {"change a section's bytes", "insn.section().setData(new byte[1]);"},
        {"change a relocation", "insn.section().relocations().setType(0, 0);"},
        {"use the writers' access", "io.objtool.elf.edit.ElfEdit.setData(insn.section(), new byte[1]);"},
        {"write the object", "file.elf().write(java.nio.file.Path.of(\"x.o\"));"},
        {"write the object through the writers' access", "io.objtool.elf.edit.ElfEdit.write(file.elf(), java.nio.file.Path.of(\"x.o\"));"},
        {"fill a decoding", "new io.objtool.api.arch.DecodedInsn().set(1, 0, false, 0, 0, 0, 0x90, -1, 0, 0, 0, 0);"},
        {"use the decoders' access", "io.objtool.api.internal.DecodeWriter.reset(new io.objtool.api.arch.DecodedInsn());"},
    };
    for (String[] attempt : attempts) {
      Path src = dir.resolve(attempt[0].replace(' ', '_')).resolve("p/Tamper.java");
      Files.createDirectories(src.getParent());
      Files.writeString(src, """
          package p;
          import io.objtool.api.*;
          public final class Tamper implements Pass {
            @Override public String option() { return "tamper"; }
            @Override public BranchVisitor visitor(ObjtoolFile file, BranchVisitor next) {
              return new BranchVisitor(BranchVisitor.API_1, next) {
                @Override public boolean visitCall(Func func, Instruction insn, InsnState state) {
                  %s
                  return super.visitCall(func, insn, state);
                }
              };
            }
          }
          """.formatted(attempt[1]));
      StringWriter diag = new StringWriter();
      assertNotEquals(0, compileAgainstApi(src.getParent().resolve("out"), diag, src), attempt[0] + " compiled");
      assertTrue(diag.toString().contains("Tamper.java:8"), attempt[0] + ": " + diag);
    }
  }

  /** A visitor of an API version this library does not know is refused when the chain is built. */
  @Test
  void aVisitorOfAnUnknownApiVersionIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new io.objtool.api.BranchVisitor(BranchVisitor.LATEST + 1, null) { });
  }
}
