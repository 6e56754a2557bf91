package io.objtool.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --format=json}: one JSON document, streamed as objects complete:
 * {@code {"version":1,"tool":{...},"files":[FILE...],"summary":{...}}}, where each FILE is the
 * object {@link FileResult#toJson} makes (file, exit, wall_s, stderr, stdout, warnings).
 */
final class JsonReport implements Report {
  static final int VERSION = 1;

  private final OutputStream out;
  private final Charset charset;
  private boolean first = true;

  JsonReport(OutputStream out, Charset charset) {
    this.out = out;
    this.charset = charset;
  }

  @Override
  public void begin() throws IOException {
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", ToolInfo.NAME);
    tool.put("version", ToolInfo.version());
    write("{\"version\":" + VERSION + ",\"tool\":" + Json.write(tool) + ",\"files\":[");
  }

  @Override
  public void file(int index, FileResult result) throws IOException {
    write((first ? "\n" : ",\n") + Json.write(result.toJson(charset)));
    first = false;
  }

  @Override
  public void end(BatchSummary summary) throws IOException {
    write("],\n\"summary\":" + Json.write(summary.toJson()) + "}\n");
    out.flush();
  }

  private void write(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
  }
}
