package io.objtool.elf;

import java.nio.file.Path;

/**
 * The input is not a well-formed object: the reader found a field that is out of range, a table
 * past the end of the file, an inconsistency between sections, or a limit exceeded. The message
 * names the file, what is wrong and where (section, entry, offset). Thrown only where the reader
 * validates; any other exception escaping the reader is a bug in the reader, not bad input.
 */
public final class MalformedElfException extends ElfException {
  private static final long serialVersionUID = 1L;

  private MalformedElfException(String message) {
    super(message);
  }

  /**
   * A problem with {@code file}: the message reads {@code file: problem}. Names taken from the
   * file (sections, symbols) may hold any byte: control characters are shown as {@code \xNN}, so
   * the message stays one line.
   */
  public static MalformedElfException of(Path file, String problem) {
    return new MalformedElfException(file + ": " + printable(problem));
  }

  private static String printable(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        sb.append(String.format("\\x%02x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
