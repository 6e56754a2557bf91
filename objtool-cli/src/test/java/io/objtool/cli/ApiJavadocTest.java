package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every type and member that a plug-in can see has javadoc: every public or protected type,
 * constructor, method, field and enum constant of every package a module exports to everyone
 * (read from each {@code module-info.java}), and each such package has a {@code package-info.java}.
 * A method that overrides (marked {@code @Override}) inherits its documentation. The sources are
 * parsed with javac's tree API, so the check needs no build of its own.
 */
class ApiJavadocTest {
  static final Path ROOT = Path.of("..");
  private static final Pattern EXPORT = Pattern.compile("(?m)^\\s*exports\\s+([\\w.]+)\\s*;");

  /** The source directories of the exported packages, e.g. {@code objtool-api/src/main/java/io/objtool/api}. */
  static List<Path> exportedPackageDirs() throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path m : modules.filter(p -> Files.isRegularFile(p.resolve("src/main/java/module-info.java"))).sorted().toList()) {
        Matcher e = EXPORT.matcher(Files.readString(m.resolve("src/main/java/module-info.java")));
        while (e.find()) dirs.add(m.resolve("src/main/java").resolve(e.group(1).replace('.', '/')));
      }
    }
    return dirs;
  }

  @Test
  void everyExportedTypeAndMemberHasJavadoc() throws IOException {
    List<Path> dirs = exportedPackageDirs();
    assertTrue(dirs.size() >= 6, "exported packages: " + dirs);
    List<Path> files = new ArrayList<>();
    Set<String> missing = new TreeSet<>();
    for (Path d : dirs) {
      if (!Files.isRegularFile(d.resolve("package-info.java"))) missing.add(ROOT.relativize(d) + ": no package-info.java");
      try (Stream<Path> s = Files.list(d)) {
        s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).sorted().forEach(files::add);
      }
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      JavacTask task = (JavacTask) javac.getTask(null, fm, null, List.of("-proc:none"), null, fm.getJavaFileObjectsFromPaths(files));
      DocTrees docs = DocTrees.instance(task);
      for (CompilationUnitTree unit : task.parse()) new Scanner(unit, docs, missing).scan(new TreePath(unit), null);
    }
    assertEquals(new TreeSet<String>(), missing, "exported API without javadoc");
  }

  /** Walks the types and members a plug-in sees, noting those without a doc comment. */
  private static final class Scanner extends TreePathScanner<Void, Void> {
    private final CompilationUnitTree unit;
    private final DocTrees docs;
    private final Set<String> missing;
    /** The enclosing types: whether each is an interface (or annotation), where members are public by default. */
    private final Deque<Boolean> interfaces = new ArrayDeque<>();

    Scanner(CompilationUnitTree unit, DocTrees docs, Set<String> missing) {
      this.unit = unit;
      this.docs = docs;
      this.missing = missing;
    }

    private boolean visible(ModifiersTree mods) {
      Set<Modifier> f = mods.getFlags();
      if (f.contains(Modifier.PUBLIC) || f.contains(Modifier.PROTECTED)) return true;
      return !interfaces.isEmpty() && interfaces.peek() && !f.contains(Modifier.PRIVATE);
    }

    private void check(Tree tree, String what) {
      if (docs.getDocCommentTree(new TreePath(getCurrentPath(), tree)) == null) missing.add(where(tree) + ": " + what);
    }

    /** {@code module/src/main/java/.../Type.java:LINE}. */
    private String where(Tree tree) {
      long line = unit.getLineMap().getLineNumber(docs.getSourcePositions().getStartPosition(unit, tree));
      return ROOT.toAbsolutePath().normalize().relativize(Path.of(unit.getSourceFile().toUri())) + ":" + line;
    }

    @Override
    public Void visitClass(ClassTree c, Void v) {
      if (!visible(c.getModifiers())) return null; // nor anything inside it
      if (docs.getDocCommentTree(getCurrentPath()) == null) missing.add(where(c) + ": type " + c.getSimpleName());
      Tree.Kind k = c.getKind();
      interfaces.push(k == Tree.Kind.INTERFACE || k == Tree.Kind.ANNOTATION_TYPE);
      for (Tree member : c.getMembers()) {
        switch (member) {
          case ClassTree nested -> scan((Tree) nested, null);
          case MethodTree m -> {
            boolean override = m.getModifiers().getAnnotations().stream().anyMatch(a -> a.getAnnotationType().toString().endsWith("Override"));
            if (!override && visible(m.getModifiers())) check(m, "method " + c.getSimpleName() + "." + m.getName());
          }
          case VariableTree f -> {
            // the parser makes an enum constant public; a record component is a private field, documented by the record's @param
            if (visible(f.getModifiers())) check(f, "field " + c.getSimpleName() + "." + f.getName());
          }
          default -> { } // initialiser blocks
        }
      }
      interfaces.pop();
      return null;
    }
  }
}
