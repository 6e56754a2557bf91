package io.objtool.check.cfg;

import io.objtool.elf.ElfFile;
import io.objtool.elf.MalformedElfException;
import io.objtool.elf.Section;
import java.lang.foreign.MemorySegment;

/**
 * The bytes of a section the check reads as a table of entries sized by {@code sh_size}
 * ({@code .discard.unwind_hints}, {@code .altinstructions}, {@code __bug_table}): a
 * {@code SHT_NOBITS} section has a size but no bytes in the file, which is bad input, not
 * something to read past the end of.
 */
final class SectionContents {
  private SectionContents() {}

  /** {@code sec}'s bytes, all {@code sh_size} of them; a malformed-input error when the file holds fewer. */
  static MemorySegment of(ElfFile elf, Section sec) {
    MemorySegment d = sec.data();
    if (d.byteSize() < sec.size()) {
      throw MalformedElfException.of(elf.path(), "section " + sec.name() + " has a size of " + sec.size()
          + " bytes but holds " + d.byteSize() + " in the file (SHT_NOBITS)");
    }
    return d;
  }
}
