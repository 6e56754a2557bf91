package io.objtool.elf;

import java.nio.file.Path;

/**
 * The one error an object file can cause: truncated, inconsistent or unsupported ELF input, or a
 * failed write. The message is a single line naming the file and the problem, fit to be printed
 * as it is by a command line tool.
 */
public final class ElfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error whose message is the whole line ({@code file: problem}). */
  public ElfException(String message) {
    super(message, null, false, false);
  }

  /** An error whose message is the whole line, caused by {@code cause} (an I/O error). */
  public ElfException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** An error about {@code file}: the message reads {@code file: problem}. */
  public static ElfException of(Path file, String problem) {
    return new ElfException(file + ": " + problem);
  }
}
