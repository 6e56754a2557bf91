package io.objtool.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * {@code --records FILE}: one JSON object per line and object, in input order, written as each
 * object is reported (exit status or "timeout", stderr lines, stdout, warnings, wall time), then
 * a last line {@code {"summary": ...}}. Made for harnesses that compare per-object results.
 */
final class RecordsReport implements Report {
  private final OutputStream out;
  private final Charset charset;

  RecordsReport(OutputStream out, Charset charset) {
    this.out = out;
    this.charset = charset;
  }

  @Override
  public void begin() { }

  @Override
  public void file(int index, FileResult result) throws IOException {
    out.write((Json.write(result.toJson(charset)) + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void end(BatchSummary summary) throws IOException {
    out.write((Json.write(Json.obj("summary", summary.toJson())) + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
