package io.objtool.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns the batch's inputs into the list of objects, in order: a directory becomes the *.o and
 * *.ko regular files under it (recursively, sorted by path), "-" the lines of stdin (each again a
 * file or directory; blank lines skipped), and anything else is taken as an object as given, so
 * a missing file gets the same message as in a single run.
 */
final class BatchInputs {
  private BatchInputs() { }

  /** A directory that cannot be read, or stdin failing. */
  static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  static List<String> expand(List<String> inputs, InputStream stdin, Charset cs) throws Unreadable {
    List<String> out = new ArrayList<>();
    boolean stdinRead = false;
    for (String in : inputs) {
      if (in.equals("-")) {
        if (stdinRead) continue;
        stdinRead = true;
        for (String line : lines(stdin, cs)) {
          if (!line.isBlank()) addOne(line.strip(), out);
        }
      } else {
        addOne(in, out);
      }
    }
    return out;
  }

  private static void addOne(String in, List<String> out) throws Unreadable {
    Path p = Path.of(in);
    if (Files.isDirectory(p)) out.addAll(objectsUnder(p));
    else out.add(in);
  }

  /** The *.o and *.ko regular files under {@code dir}, sorted. */
  static List<String> objectsUnder(Path dir) throws Unreadable {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(BatchInputs::isObjectName).filter(Files::isRegularFile)
          .map(Path::toString).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new Unreadable("cannot read directory " + dir + ": " + describe(io));
    }
  }

  static boolean isObjectName(Path p) {
    Path name = p.getFileName();
    if (name == null) return false;
    String n = name.toString();
    return n.endsWith(".o") || n.endsWith(".ko");
  }

  private static List<String> lines(InputStream in, Charset cs) throws Unreadable {
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, cs));
      return r.lines().toList();
    } catch (UncheckedIOException e) {
      throw new Unreadable("cannot read the object list from stdin: " + describe(e.getCause()));
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
