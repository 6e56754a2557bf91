package io.objtool.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API guard: every public and protected signature of {@code objtool-api} is listed in the
 * checked-in {@code objtool-api/api.txt}. A change of the public API fails this test until that
 * file is updated in the same commit ({@code mvn -pl objtool-api test -Dapi.update=true} rewrites
 * it; review the diff).
 */
class ApiGuardTest {
  static final Path API_FILE = Path.of("api.txt");

  @Test
  void publicApiMatchesTheCheckedInDescription() throws Exception {
    String now = describe();
    if (Boolean.getBoolean("api.update")) Files.writeString(API_FILE, now);
    String expected = Files.exists(API_FILE) ? Files.readString(API_FILE) : "";
    assertEquals(expected, now, "the public API of objtool-api changed: update objtool-api/api.txt "
        + "(mvn -pl objtool-api test -Dapi.update=true) in the same commit if the change is intended");
  }

  static String describe() throws IOException, URISyntaxException, ClassNotFoundException {
    Path root = Path.of(Instruction.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> classes;
    try (Stream<Path> s = Files.walk(root)) {
      classes = s.map(p -> root.relativize(p).toString())
          .filter(p -> p.endsWith(".class") && !p.contains("$") && !p.endsWith("package-info.class") && !p.endsWith("module-info.class"))
          .filter(p -> !p.contains("/internal/")) // not exported: the engine's write access
          .map(p -> p.substring(0, p.length() - 6).replace('/', '.'))
          .sorted().toList();
    }
    StringBuilder out = new StringBuilder();
    for (String name : classes) {
      Class<?> c = Class.forName(name, false, ApiGuardTest.class.getClassLoader());
      describe(c, out);
    }
    return out.toString();
  }

  private static void describe(Class<?> c, StringBuilder out) {
    if (!Modifier.isPublic(c.getModifiers())) return;
    out.append(Modifier.toString(c.getModifiers() & ~Modifier.INTERFACE & ~Modifier.ABSTRACT | (c.isInterface() ? 0 : c.getModifiers() & Modifier.ABSTRACT)))
        .append(c.isInterface() ? " interface " : c.isEnum() ? " enum " : c.isRecord() ? " record " : " class ")
        .append(c.getName());
    if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()) {
      out.append(" extends ").append(c.getGenericSuperclass().getTypeName());
    }
    for (var i : c.getGenericInterfaces()) out.append(" implements ").append(i.getTypeName());
    out.append('\n');
    List<String> members = new ArrayList<>();
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) members.add("  field " + f.toGenericString());
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic()) members.add("  ctor " + k.toGenericString());
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) members.add("  method " + m.toGenericString());
    }
    members.sort(null);
    for (String m : members) out.append(m).append('\n');
    for (Class<?> inner : c.getDeclaredClasses()) describe(inner, out);
  }

  private static boolean visible(int mod) {
    return Modifier.isPublic(mod) || Modifier.isProtected(mod);
  }
}
