package io.objtool.orc;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;

/**
 * The text of {@code objtool --dump=orc}: one line per orc entry, in table order, made of the ip
 * and the entry ({@link OrcEntry#toString()}).
 *
 * <p>The ip is {@code name+addend} from the i-th relocation (file order) of
 * {@code .rela.orc_unwind_ip} when the object has that section, the name being the section's for
 * a section symbol and the symbol's otherwise; without it (linked images) it is the address
 * {@code addr(.orc_unwind_ip) + 4*i + ip[i]}. Sections are found by name, the last of a name
 * winning. An AArch64 object's entries are printed in the same line format with arm64's
 * registers ({@link OrcFormat#describeArm64}: the frame pointer is {@code fp}). Nothing is printed unless {@code .symtab}, {@code .orc_unwind} and
 * {@code .orc_unwind_ip} are all there and not empty.
 */
public final class OrcDump {
  private OrcDump() {}

  /**
   * A problem the reference reports as a warning and exit status 255; the message is the text
   * after {@code objtool: }. Lines already written stay written.
   */
  public static final class DumpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DumpError(String message) {
      super(message, null, false, false);
    }
  }

  /** The dump of {@code file} as one string (throws {@link DumpError} like {@link #write}). */
  public static String toString(ElfFile file, OrcFormat format) {
    StringBuilder sb = new StringBuilder();
    write(file, format, sb);
    return sb.toString();
  }

  /** Appends the dump of {@code file} to {@code out}, entry by entry. */
  public static void write(ElfFile file, OrcFormat format, Appendable out) {
    Section symtab = null, orc = null, orcIp = null, rela = null;
    for (Section s : file.sections()) {
      switch (s.name()) {
        case ".symtab" -> symtab = s;
        case ".orc_unwind" -> orc = s;
        case ".orc_unwind_ip" -> orcIp = s;
        case ".rela.orc_unwind_ip" -> rela = s;
        default -> { }
      }
    }
    if (symtab == null || !hasBytes(orc) || !hasBytes(orcIp)) return;
    MemorySegment entries = orc.data();
    if (entries.byteSize() % OrcFormat.ENTRY_SIZE != 0) throw new DumpError("bad .orc_unwind section size");
    long n = entries.byteSize() / OrcFormat.ENTRY_SIZE;
    MemorySegment ips = orcIp.data();
    Relocations relocs = rela == null ? null : rela.relocations();
    int relocCount = relocs == null ? 0 : relocs.count();
    boolean arm64 = file.machine() == Elf.EM_AARCH64;
    StringBuilder line = new StringBuilder(64);
    try {
      for (long i = 0; i < n; i++) {
        line.setLength(0);
        if (rela != null) {
          if (i >= relocCount) throw new DumpError("gelf_getrela: invalid section index");
          int r = (int) i;
          line.append(symbolName(file, relocs.symbol(r))).append('+').append(Long.toHexString(relocs.addend(r)));
        } else {
          long at = i * 4;
          long value = at + 4 <= ips.byteSize() ? ips.get(JAVA_INT_UNALIGNED, at) : 0;
          line.append(Long.toHexString(orcIp.addr() + at + value));
        }
        OrcEntry e = OrcEntry.read(arm64 ? OrcFormat.CURRENT : format, entries, i * OrcFormat.ENTRY_SIZE);
        line.append(':').append(arm64 ? e.toArm64String() : e.toString()).append('\n');
        out.append(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean hasBytes(Section s) {
    // the bytes in the file: none for SHT_NOBITS, whatever sh_size says
    return s != null && s.type() != Elf.SHT_NOBITS && s.data().byteSize() > 0;
  }

  private static String symbolName(ElfFile file, Symbol sym) {
    if (!sym.isSectionSymbol()) return sym.name();
    Section sec = sym.section();
    return sec == null ? file.section(0).name() : sec.name();
  }
}
