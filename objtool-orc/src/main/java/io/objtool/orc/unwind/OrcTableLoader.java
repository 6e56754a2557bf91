package io.objtool.orc.unwind;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import io.objtool.orc.OrcFormat;
import java.lang.foreign.MemorySegment;

/**
 * Reads the orc table ({@code .orc_unwind} + {@code .orc_unwind_ip}) of an object into a sorted
 * {@link OrcTable}. In a relocatable object each ip comes from the relocation at its slot in
 * {@code .orc_unwind_ip} (symbol + addend, with the symbol's section at its base in a
 * {@link SectionLayout}); in a linked image (vmlinux, ET_EXEC, ET_DYN) each slot holds the ip
 * relative to itself, at the section's address plus a load bias.
 */
public final class OrcTableLoader {
  private OrcTableLoader() {}

  /** Loads {@code file}: a relocatable one at {@link SectionLayout#sequential} from 0, a linked one unbiased. */
  public static OrcTable load(ElfFile file, OrcFormat format) {
    return file.type() == Elf.ET_REL
        ? relocatable(file, format, SectionLayout.sequential(file, 0), true)
        : linked(file, format, 0);
  }

  /** A linked image's table, every ip moved by {@code bias} (the load address of an ET_DYN). */
  public static OrcTable linked(ElfFile file, OrcFormat format, long bias) {
    Section orc = need(file, ".orc_unwind");
    Section ip = need(file, ".orc_unwind_ip");
    int n = count(orc, ip);
    MemorySegment d = ip.data();
    long[] ips = new long[n];
    for (int i = 0; i < n; i++) ips[i] = bias + ip.addr() + 4L * i + d.get(JAVA_INT_UNALIGNED, 4L * i);
    return read(format, orc, ips);
  }

  /** A relocatable object's table with its sections placed by {@code layout}. */
  public static OrcTable relocatable(ElfFile file, OrcFormat format, SectionLayout layout) {
    return relocatable(file, format, layout, false);
  }

  /**
   * @param ownLayout the layout is {@link SectionLayout#sequential}'s: an entry in a section it
   *     did not place (not allocated) is the object's fault, not the caller's
   */
  private static OrcTable relocatable(ElfFile file, OrcFormat format, SectionLayout layout, boolean ownLayout) {
    Section orc = need(file, ".orc_unwind");
    Section ip = need(file, ".orc_unwind_ip");
    int n = count(orc, ip);
    Relocations r = ip.relocations();
    if (r == null) throw new OrcTableException(file.path() + ": .orc_unwind_ip has no relocations");
    long[] ips = new long[n];
    for (int i = 0; i < n; i++) {
      int k = r.at(4L * i);
      if (k < 0) throw new OrcTableException(file.path() + ": no relocation for .orc_unwind_ip entry " + i);
      Symbol s = r.symbol(k);
      if (s.section() == null) {
        throw new OrcTableException(file.path() + ": .orc_unwind_ip entry " + i + " refers to undefined symbol " + s.name());
      }
      if (ownLayout && !layout.isPlaced(s.section())) {
        throw new OrcTableException(file.path() + ": .orc_unwind_ip entry " + i + " refers to section "
            + s.section().name() + ", which is not loaded");
      }
      ips[i] = layout.base(s.section()) + s.value() + r.addend(k);
    }
    return read(format, orc, ips);
  }

  private static OrcTable read(OrcFormat format, Section orc, long[] ips) {
    int n = ips.length;
    MemorySegment d = orc.data();
    short[] sp = new short[n];
    short[] bp = new short[n];
    short[] fl = new short[n];
    for (int i = 0; i < n; i++) {
      long at = (long) i * OrcFormat.ENTRY_SIZE;
      sp[i] = d.get(JAVA_SHORT_UNALIGNED, at);
      bp[i] = d.get(JAVA_SHORT_UNALIGNED, at + 2);
      fl[i] = d.get(JAVA_SHORT_UNALIGNED, at + 4);
    }
    return OrcTable.sorted(format, ips, sp, bp, fl);
  }

  private static Section need(ElfFile file, String name) {
    Section s = file.section(name);
    if (s == null) throw new OrcTableException(file.path() + ": no " + name + " section");
    return s;
  }

  private static int count(Section orc, Section ip) {
    // the bytes in the file (none for SHT_NOBITS), not sh_size
    long orcSize = orc.data().byteSize();
    long ipSize = ip.data().byteSize();
    if (orcSize % OrcFormat.ENTRY_SIZE != 0 || ipSize % 4 != 0 || orcSize / OrcFormat.ENTRY_SIZE != ipSize / 4) {
      throw new OrcTableException(orc.file().path() + ": bad orc table sizes (.orc_unwind " + orcSize
          + " bytes, .orc_unwind_ip " + ipSize + " bytes)");
    }
    return Math.toIntExact(ipSize / 4);
  }
}
