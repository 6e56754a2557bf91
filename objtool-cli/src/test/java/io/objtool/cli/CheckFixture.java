package io.objtool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixture of the check (objtool-check's {@code fixtures/}: C or assembly with an
 * {@code objtool:} flags header, an optional {@code cflags:} header, and {@code WARN:} markers on
 * the lines that cause each warning, {@code WARN-FILE:} for warnings with no line), for the
 * command-line tests that run the whole tool on it.
 */
record CheckFixture(String name, List<String> lines, List<String> flags, List<String> cflags,
    Map<Integer, List<String>> marks, List<String> fileMarks) {
  private static final Path DIR = Path.of("..", "objtool-check", "src", "test", "resources", "fixtures");
  private static final Pattern WARN = Pattern.compile("(?://|#|/\\*)\\s*WARN:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  private static final Pattern WARN_FILE = Pattern.compile("(?://|#|/\\*)\\s*WARN-FILE:\\s*(.*?)\\s*(?:\\*/)?\\s*$");
  private static final Pattern HEADER = Pattern.compile("(?://|#|\\*)\\s*(objtool|cflags):\\s*(.*?)\\s*$");

  /** Every fixture of the index, in its order. */
  static List<CheckFixture> all() throws IOException {
    List<CheckFixture> out = new ArrayList<>();
    for (String l : Files.readAllLines(DIR.resolve("index.txt"))) {
      String name = l.trim();
      if (!name.isEmpty() && !name.startsWith("#")) out.add(load(name));
    }
    return out;
  }

  static CheckFixture load(String name) throws IOException {
    List<String> lines = Files.readAllLines(DIR.resolve(name));
    List<String> flags = new ArrayList<>(), cflags = new ArrayList<>(), fileMarks = new ArrayList<>();
    Map<Integer, List<String>> marks = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher h = HEADER.matcher(lines.get(i));
      if (i < 12 && h.find()) {
        (h.group(1).equals("objtool") ? flags : cflags).addAll(List.of(h.group(2).trim().split("\\s+")));
        continue;
      }
      Matcher f = WARN_FILE.matcher(lines.get(i));
      if (f.find()) {
        fileMarks.add(f.group(1));
        continue;
      }
      Matcher m = WARN.matcher(lines.get(i));
      if (m.find()) marks.computeIfAbsent(i + 1, k -> new ArrayList<>()).add(m.group(1));
    }
    return new CheckFixture(name, lines, flags, cflags, marks, fileMarks);
  }

  /** Writes the source into {@code dir} and compiles it there with {@code -g}; returns the object's file name. */
  String compile(Path dir) throws IOException, InterruptedException {
    Files.write(dir.resolve(name), lines);
    String obj = name.replaceFirst("\\.[^.]*$", ".o");
    List<String> cc = new ArrayList<>(List.of("gcc", "-c", "-g", "-O2", "-fno-asynchronous-unwind-tables"));
    cc.addAll(cflags);
    cc.addAll(List.of(name, "-o", obj));
    Process p = new ProcessBuilder(cc).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), name + ": " + out);
    return obj;
  }
}
