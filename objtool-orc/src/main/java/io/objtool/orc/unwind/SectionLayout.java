package io.objtool.orc.unwind;

import io.objtool.elf.ElfFile;
import io.objtool.elf.Section;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the sections of a relocatable object are placed for unwinding: a chosen base address
 * per allocated section, like the module loader lays out a {@code .ko}.
 */
public final class SectionLayout {
  private final Map<Section, Long> bases = new HashMap<>();

  private SectionLayout() {}

  /** An empty layout; add bases with {@link #place}. */
  public static SectionLayout empty() {
    return new SectionLayout();
  }

  /**
   * Every allocated section of {@code file}, in header order, one after the other from
   * {@code start}, each aligned to its {@code sh_addralign}.
   */
  public static SectionLayout sequential(ElfFile file, long start) {
    SectionLayout l = new SectionLayout();
    long at = start;
    for (Section s : file.sections()) {
      if (!s.isAlloc() || s.index() == 0) continue;
      long align = Math.max(1, s.addralign());
      at = (at + align - 1) / align * align;
      l.place(s, at);
      at += s.size();
    }
    return l;
  }

  /** Places {@code section} at {@code base}. */
  public SectionLayout place(Section section, long base) {
    bases.put(section, base);
    return this;
  }

  /** Whether {@code section} has a base. */
  public boolean isPlaced(Section section) {
    return bases.containsKey(section);
  }

  /** The base of {@code section}; an {@link IllegalArgumentException} when it was not placed. */
  public long base(Section section) {
    Long b = bases.get(section);
    if (b == null) throw new IllegalArgumentException("section " + section.name() + " has no base address");
    return b;
  }
}
