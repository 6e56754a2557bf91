package io.objtool.cli.explain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The layout of the pages' graphs: Graphviz's {@code dot}, run once per object with every
 * function's graph in one input, giving one SVG document per graph.
 */
public final class Graphviz {
  private Graphviz() { }

  /** The {@code dot} executable on {@code PATH} from {@code env}, or null. */
  public static Path find(Map<String, String> env) {
    String path = env.get("PATH");
    if (path == null) return null;
    for (String d : path.split(":")) {
      if (d.isEmpty()) continue;
      Path p = Path.of(d, "dot");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
    }
    return null;
  }

  /** A layout that failed: dot's first complaint. */
  static final class LayoutException extends Exception {
    private static final long serialVersionUID = 1L;

    LayoutException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Lays out {@code graphs} (DOT sources) with {@code dot -Tsvg}; returns each graph's
   * {@code <svg>} element, in order.
   */
  static List<String> svg(Path dot, List<String> graphs) throws LayoutException {
    if (graphs.isEmpty()) return List.of();
    ProcessBuilder pb = new ProcessBuilder(dot.toString(), "-Tsvg");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new LayoutException("cannot run " + dot + ": " + e.getMessage());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
    Thread feed = Thread.ofVirtual().start(() -> {
      try (OutputStream in = p.getOutputStream()) {
        for (String g : graphs) in.write(g.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // dot went away; its exit status and stderr say why
      }
    });
    String out;
    int rc;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      rc = p.waitFor();
      feed.join();
      drain.join();
    } catch (IOException e) {
      p.destroyForcibly();
      throw new LayoutException("reading from dot: " + e.getMessage());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LayoutException("interrupted");
    }
    List<String> svgs = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = out.indexOf("<svg", from);
      if (start < 0) break;
      int end = out.indexOf("</svg>", start);
      if (end < 0) break;
      svgs.add(out.substring(start, end + "</svg>".length()));
      from = end;
    }
    if (rc != 0 || svgs.size() != graphs.size()) {
      String msg = err.toString(StandardCharsets.UTF_8).strip();
      int nl = msg.indexOf('\n');
      throw new LayoutException("dot failed (exit " + rc + ")" + (msg.isEmpty() ? "" : ": " + (nl < 0 ? msg : msg.substring(0, nl))));
    }
    return svgs;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      // the process went away
    }
  }
}
