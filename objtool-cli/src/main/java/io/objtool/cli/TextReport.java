package io.objtool.cli;

import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code --format=text}: each object's stdout, byte for byte as a single run prints it, in input
 * order. (Its stderr block is printed by the batch itself, beside the progress bar.)
 */
final class TextReport implements Report {
  private final OutputStream out;
  private final ProgressBar bar;

  TextReport(OutputStream out, ProgressBar bar) {
    this.out = out;
    this.bar = bar;
  }

  @Override
  public void begin() { }

  @Override
  public void file(int index, FileResult result) throws IOException {
    bar.above(out, result.stdout());
  }

  @Override
  public void end(BatchSummary summary) throws IOException {
    out.flush();
  }
}
