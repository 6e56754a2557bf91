package io.objtool.cli;

import io.objtool.api.Options;

import io.objtool.elf.ElfFile;
import java.io.PrintStream;

/**
 * One piece of work the command line can ask for. The dispatcher runs the requested passes in
 * table order on the opened object; a pass reports its warnings on {@code err} and returns an
 * exit status (0 for success).
 */
public interface Pass {
  /** Runs on {@code elf}; {@code opts} are the final options (after forced {@code --link}). */
  int run(Options opts, ElfFile elf, PrintStream out, PrintStream err);
}
