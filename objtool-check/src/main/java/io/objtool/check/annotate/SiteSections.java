package io.objtool.check.annotate;

import io.objtool.elf.edit.ElfEdit;
import io.objtool.api.internal.Model;
import io.objtool.api.Instruction;
import io.objtool.api.ObjtoolFile;
import io.objtool.elf.Elf;
import io.objtool.elf.ElfFile;
import io.objtool.elf.Relocations;
import io.objtool.elf.Section;
import io.objtool.elf.Symbol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the tables of code addresses the passes of this package produce: a section of
 * {@code entsize}-byte zeroed entries (allocated, alignment 1) followed by its {@code .rela}
 * section, one relocation per entry against the section symbol of the code, addend the offset.
 * Section symbols missing from the object are created in entry order, as the reference does.
 */
final class SiteSections {

  private final ElfFile elf;
  private final Map<Section, Symbol> secSyms = new HashMap<>();
  private boolean scanned;

  SiteSections(ObjtoolFile file) {
    this.elf = file.elf();
  }

  /** The section symbol of {@code sec}, created when missing. */
  Symbol sectionSymbol(Section sec) {
    if (!scanned) {
      for (Symbol s : elf.symbols()) {
        if (s.isSectionSymbol() && s.section() != null) secSyms.putIfAbsent(s.section(), s);
      }
      scanned = true;
    }
    Symbol sym = secSyms.get(sec);
    if (sym == null) {
      sym = ElfEdit.sectionSymbol(elf, sec);
      secSyms.put(sec, sym);
    }
    return sym;
  }

  /** A section of {@code count} entries and its (empty) {@code .rela} section, room made for one relocation per entry. */
  Relocations create(String name, long flags, int entsize, int count) {
    return createAligned(name, flags, entsize, count, 1, count);
  }

  /** As {@link #create}, with the given section alignment and room for {@code relocs} relocations. */
  Relocations createAligned(String name, long flags, int entsize, int count, int align, int relocs) {
    Section sec = ElfEdit.addSection(elf, name, Elf.SHT_PROGBITS, flags, entsize, align, new byte[entsize * count]);
    Relocations rel = ElfEdit.relocationsFor(elf, sec);
    ElfEdit.reserveRelocs(rel, relocs);
    return rel;
  }

  /** One {@code R_X86_64_PC32} per instruction, at entry {@code i * entsize}. */
  static void writeSites(ObjtoolFile file, String name, List<Instruction> sites) {
    SiteSections w = new SiteSections(file);
    Relocations rel = w.create(name, Elf.SHF_ALLOC, 4, sites.size());
    for (int i = 0; i < sites.size(); i++) {
      Instruction insn = sites.get(i);
      ElfEdit.addReloc(rel, (long) i * 4, Elf.R_X86_64_PC32, w.sectionSymbol(insn.section()), insn.offset());
    }
    Model.markChanged(file);
  }
}
