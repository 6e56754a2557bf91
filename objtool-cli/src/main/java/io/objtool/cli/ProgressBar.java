package io.objtool.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A one-line progress bar on a terminal: {@code [#####     ] 120/300 files, 2 failed, 4.1 s}.
 * Output printed through {@link #above} appears above the bar. A disabled bar draws nothing and
 * passes output straight through. All methods are synchronized: workers report progress while
 * the main thread prints blocks.
 */
final class ProgressBar {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final OutputStream err;
  private final boolean enabled;
  private final int total;
  private final int width;
  private final long start = System.nanoTime();
  private int done;
  private int failed;
  private long lastDraw;
  private boolean shown;

  ProgressBar(OutputStream err, boolean enabled, int total, int columns) {
    this.err = err;
    this.enabled = enabled;
    this.total = total;
    this.width = Math.max(10, Math.min(50, columns - 45));
  }

  /** One more object finished. */
  synchronized void completed(boolean ok) throws IOException {
    done++;
    if (!ok) failed++;
    long now = System.nanoTime();
    if (enabled && (now - lastDraw >= REDRAW_NANOS || done == total)) {
      draw();
      lastDraw = now;
    }
  }

  /** Prints {@code bytes} (whole lines) on {@code target} (stdout or stderr) above the bar. */
  synchronized void above(OutputStream target, byte[] bytes) throws IOException {
    if (bytes.length == 0) return;
    if (shown) {
      err.write("\r\033[K".getBytes(StandardCharsets.US_ASCII));
      err.flush();
    }
    target.write(bytes);
    target.flush();
    if (shown) draw();
  }

  /** Removes the bar (before the summary). */
  synchronized void clear() throws IOException {
    if (shown) err.write("\r\033[K".getBytes(StandardCharsets.US_ASCII));
    shown = false;
    err.flush();
  }

  /** The bar's text for the current counts. */
  synchronized String text() {
    int filled = total == 0 ? width : (int) ((long) done * width / total);
    return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total
        + " files, " + failed + " failed, " + String.format("%.1f s", (System.nanoTime() - start) / 1e9);
  }

  private void draw() throws IOException {
    err.write(("\r" + text() + "\033[K").getBytes(StandardCharsets.US_ASCII));
    err.flush();
    shown = true;
  }
}
