package io.objtool.cli;

import java.io.IOException;

/**
 * A consumer of per-object results in input order: the text blocks, a JSON or SARIF document, or
 * the JSON Lines records. {@link #file} is called once per object, between {@link #begin} and
 * {@link #end}.
 */
interface Report {
  /** Before the first object. */
  void begin() throws IOException;

  /** The result of the {@code index}-th object (0-based, input order). */
  void file(int index, FileResult result) throws IOException;

  /** After the last object; flushes what it wrote. */
  void end(BatchSummary summary) throws IOException;
}
