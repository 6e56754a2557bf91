package io.objtool.elf;

/**
 * One symbol table entry. {@link #sectionIndex()} is already resolved through
 * {@code .symtab_shndx} for symbols whose {@code st_shndx} is {@code SHN_XINDEX}.
 */
public final class Symbol {
  int index;
  final String name;
  int nameOffset;
  final int info;
  final int other;
  final int shndx;
  final long value;
  final long size;
  final Section section;
  /** {@code st_shndx} as stored ({@code SHN_XINDEX} when the index is in {@code .symtab_shndx}); -1 for an added symbol. */
  int rawShndx = -1;

  Symbol(int index, String name, int nameOffset, int info, int other, int shndx, long value, long size, Section section) {
    this.index = index;
    this.name = name;
    this.nameOffset = nameOffset;
    this.info = info;
    this.other = other;
    this.shndx = shndx;
    this.value = value;
    this.size = size;
    this.section = section;
  }

  /** Index in {@code .symtab} (changes when a writer inserts a local symbol). */
  public int index() { return index; }
  /** Its name (empty for a section symbol; objtool then names it after its section). */
  public String name() { return name; }
  /** {@code st_info}: binding and type ({@link Elf#stInfo}). */
  public int info() { return info; }
  /** {@code STB_*}. */
  public int bind() { return info >>> 4; }
  /** {@code STT_*}. */
  public int type() { return info & 0xf; }
  /** {@code st_other}: the visibility in its low bits. */
  public int other() { return other; }
  /** The defining section's index, or a reserved index such as {@code SHN_UNDEF} or {@code SHN_ABS}. */
  public int sectionIndex() { return shndx; }
  /** The defining section, or null for undefined, absolute and common symbols. */
  public Section section() { return section; }
  /** {@code st_value}: in a relocatable object, the offset in its section. */
  public long value() { return value; }
  /** The offset in its section (same as {@link #value()} in a relocatable object). */
  public long offset() { return value; }
  /** {@code st_size}: for a function, its length in bytes (0: no ELF size annotation). */
  public long size() { return size; }
  /** The offset just past its end in its section. */
  public long end() { return value + size; }

  /** Whether its binding is {@code STB_LOCAL}. */
  public boolean isLocal() { return bind() == Elf.STB_LOCAL; }
  /** Whether its binding is {@code STB_GLOBAL}. */
  public boolean isGlobal() { return bind() == Elf.STB_GLOBAL; }
  /** Whether its binding is {@code STB_WEAK}. */
  public boolean isWeak() { return bind() == Elf.STB_WEAK; }
  /** Whether it is a function ({@code STT_FUNC}). */
  public boolean isFunction() { return type() == Elf.STT_FUNC; }
  /** Whether it is a data object ({@code STT_OBJECT}). */
  public boolean isObject() { return type() == Elf.STT_OBJECT; }
  /** Whether it is the symbol of a section ({@code STT_SECTION}). */
  public boolean isSectionSymbol() { return type() == Elf.STT_SECTION; }
  /** Whether it is defined in another object ({@code SHN_UNDEF}), e.g. a kernel function a module calls. */
  public boolean isUndefined() { return shndx == Elf.SHN_UNDEF; }

  @Override
  public String toString() {
    return name.isEmpty() && section != null && isSectionSymbol() ? section.name() : name;
  }
}
