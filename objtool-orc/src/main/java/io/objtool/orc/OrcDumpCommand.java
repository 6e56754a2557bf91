package io.objtool.orc;

import io.objtool.api.Rule;
import io.objtool.elf.ElfException;
import io.objtool.elf.ElfFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code objtool --dump=orc FILE} as a whole: the dump on {@code out}, the reference's warnings
 * ({@code FILE: warning: objtool: ...}) on {@code err}, and its exit status (0, or 255).
 *
 * <p>Before parsing, the file is checked the way the reference's libelf sees it: a missing or
 * unreadable file ({@code open: ...}), a directory, a file that is not ELF, a 32-bit ELF file
 * (each with the reference's message, which differs between 6.12 and 6.1), and a section header
 * table past the end of the file (silently nothing, like the reference). Other malformed input
 * that the ELF layer refuses is reported with the ELF layer's message, exit status 255.
 */
public final class OrcDumpCommand {
  /** Rule {@code dump-error}: `--dump=orc` cannot read the ORC sections. Printed by the command line itself, not through {@link io.objtool.api.Diagnostics}. */
  static final Rule DUMP_ERROR = Rule.error("dump-error", "`--dump=orc` cannot read the ORC sections.");

  /** The exit status of a failed dump (objtool returns -1). */
  public static final int FAILED = 255;

  private OrcDumpCommand() {}

  /** Dumps {@code file}, naming it {@code shown} in warnings (the path as given on the command line). */
  public static int run(Path file, String shown, OrcFormat format, PrintStream out, PrintStream err) {
    String prefix = shown + ": warning: objtool: ";
    String early = preflight(file, format);
    if (early != null) {
      if (early.isEmpty()) return 0;
      err.println(early.startsWith("open: ") ? early : prefix + early);
      return FAILED;
    }
    try (ElfFile f = ElfFile.open(file)) {
      StringBuilder sb = new StringBuilder();
      try {
        OrcDump.write(f, format, sb);
      } catch (OrcDump.DumpError e) {
        out.print(sb);
        out.flush();
        err.println(prefix + e.getMessage());
        return FAILED;
      }
      out.print(sb);
      out.flush();
      return 0;
    } catch (ElfException e) {
      err.println(prefix + e.getMessage());
      return FAILED;
    }
  }

  /** Null to go on, "" for a silent success, or the reference's message. */
  private static String preflight(Path file, OrcFormat format) {
    if (!Files.exists(file)) return "open: No such file or directory";
    if (!Files.isReadable(file)) return "open: Permission denied";
    if (Files.isDirectory(file)) return "elf_begin: invalid file descriptor";
    ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      while (h.hasRemaining() && ch.read(h) > 0) { }
    } catch (IOException e) {
      return "open: " + e.getMessage();
    }
    boolean magic = h.position() >= 4 && h.getInt(0) == 0x464c457f;
    if (size < 64 || !magic) {
      return format == OrcFormat.CURRENT ? "elf64_getehdr: invalid `Elf' handle" : "elf_getshdrnum: invalid `Elf' handle";
    }
    if (h.get(4) != 2) return format == OrcFormat.CURRENT ? "elf64_getehdr: invalid binary class" : "";
    long shoff = h.getLong(40);
    long shnum = h.getShort(60) & 0xffff;
    if (shoff != 0 && (shoff < 0 || shoff > size || Math.max(shnum, 1) * 64 > size - shoff)) return "";
    return null;
  }
}
