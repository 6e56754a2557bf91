package io.objtool.cli;

import io.objtool.api.Options;
import io.objtool.elf.ElfFile;
import io.objtool.orc.OrcDumpCommand;
import io.objtool.orc.OrcFormat;
import java.io.PrintStream;

/** {@code --dump=orc}: prints the ORC table as the reference does, in the format chosen by {@code OBJTOOL_ORC_FORMAT}. */
final class DumpAction implements Pass {
  private final RunContext ctx;

  DumpAction(RunContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public int run(Options opts, ElfFile elf, PrintStream out, PrintStream err) {
    OrcFormat format;
    try {
      format = OrcFormat.parse(opts.env(OrcFormat.ENV));
    } catch (IllegalArgumentException e) {
      err.println("error: objtool: " + e.getMessage());
      return 1;
    }
    return OrcDumpCommand.run(ctx.resolve(opts.objectFile()), opts.objectFile().toString(), format, out, err);
  }
}
