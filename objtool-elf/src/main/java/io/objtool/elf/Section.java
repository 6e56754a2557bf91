package io.objtool.elf;

import java.lang.foreign.MemorySegment;

/**
 * One section of an object: its header fields, its bytes (mapped from the file, or replaced by a
 * writer), its symbols sorted by address, and for a section that relocations apply to, its
 * {@code .rela} companion.
 */
public final class Section {
  final ElfFile file;
  int index;
  String name;
  int nameOffset;
  int type;
  long flags;
  long addr;
  final long fileOffset;
  long size;
  int link;
  int info;
  long addralign;
  long entsize;
  /** Null until first asked for (mapped) or replaced. */
  private MemorySegment data;
  private boolean dirty;
  final boolean added;

  Relocations relocs; // for SHT_RELA sections: the parsed entries
  Section rela; // for a base section: its SHT_RELA companion
  Section base; // for a SHT_RELA section: the section it applies to
  SymbolIndex symbolIndex; // symbols defined in this section, by address

  Section(ElfFile file, int index, boolean added, long fileOffset) {
    this.file = file;
    this.index = index;
    this.added = added;
    this.fileOffset = fileOffset;
  }

  /** The object it belongs to. */
  public ElfFile file() { return file; }
  /** Index in the section header table. */
  public int index() { return index; }
  /** Its name, e.g. {@code .text}, {@code .rela.text}, {@code .altinstructions}. */
  public String name() { return name; }
  /** {@code sh_type}, one of {@code Elf.SHT_*}. */
  public int type() { return type; }
  /** {@code sh_flags}, {@code Elf.SHF_*} bits. */
  public long flags() { return flags; }
  /** {@code sh_addr}: its address in memory (0 in a relocatable object). */
  public long addr() { return addr; }
  /** {@code sh_size}: for {@code SHT_NOBITS} the memory size, otherwise the byte count. */
  public long size() { return size; }
  /** {@code sh_link}: for a symbol or relocation section, the index of its string or symbol table. */
  public int link() { return link; }
  /** {@code sh_info}: for a relocation section, the index of the section it applies to. */
  public int info() { return info; }
  /** {@code sh_addralign}: its alignment in memory (0 or 1: none). */
  public long addralign() { return addralign; }
  /** {@code sh_entsize}: the size of one entry for a table section, else 0. */
  public long entsize() { return entsize; }
  /** {@code sh_offset} in the file this section was read from (-1 for an added section). */
  public long fileOffset() { return fileOffset; }

  /** Whether it holds code ({@code SHF_EXECINSTR}): objtool decodes and checks it. */
  public boolean isExecutable() { return (flags & Elf.SHF_EXECINSTR) != 0; }
  /** Whether it occupies memory at run time ({@code SHF_ALLOC}). */
  public boolean isAlloc() { return (flags & Elf.SHF_ALLOC) != 0; }
  /** Whether it is a relocation section with addends ({@code SHT_RELA}). */
  public boolean isRela() { return type == Elf.SHT_RELA; }

  /** For a section relocations apply to: its {@code .rela} section, or null. */
  public Section rela() { return rela; }
  /** For a {@code .rela} section: the section its relocations apply to. */
  public Section base() { return base; }

  /**
   * The relocations that apply to this section, sorted by offset, or null when there are none.
   * Called on a {@code .rela} section, its own entries.
   */
  public Relocations relocations() {
    Section r = type == Elf.SHT_RELA ? this : rela;
    return r == null ? null : r.relocs;
  }

  /**
   * Bytes written over the section by {@link #patch} while its bytes are still the mapped file's:
   * kept aside (offset, bytes; later ones win) and applied when the bytes are asked for, or
   * written over them by the writer, so that patching a few instructions does not copy the section.
   */
  private long[] patchAt;
  private byte[][] patchBytes;
  private int patches;

  /** The section's bytes: empty for {@code SHT_NOBITS}. Read-only unless replaced by {@link #setData}. */
  public MemorySegment data() {
    if (patches > 0) applyPatches();
    return mappedOrOwn();
  }

  /** The bytes without the pending patches (the writer writes those over them). */
  MemorySegment mappedOrOwn() {
    if (data == null) data = file.mappedData(this);
    return data;
  }

  /** Writes {@code bytes} over the section's bytes at {@code offset}; its size stays. */
  void patch(long offset, byte[] bytes) {
    file.checkWritable();
    if (type == Elf.SHT_NOBITS) throw new IllegalStateException(name + " is SHT_NOBITS");
    if (offset < 0 || offset > size - bytes.length) {
      throw new IndexOutOfBoundsException(bytes.length + " bytes at " + offset + " of " + name + " (size " + size + ")");
    }
    dirty = true;
    MemorySegment d = mappedOrOwn();
    if (!d.isNative()) { // bytes of our own already: change them in place
      MemorySegment.copy(bytes, 0, d, java.lang.foreign.ValueLayout.JAVA_BYTE, offset, bytes.length);
      return;
    }
    if (patchAt == null) {
      patchAt = new long[16];
      patchBytes = new byte[16][];
    } else if (patches == patchAt.length) {
      patchAt = java.util.Arrays.copyOf(patchAt, patches * 2);
      patchBytes = java.util.Arrays.copyOf(patchBytes, patches * 2);
    }
    patchAt[patches] = offset;
    patchBytes[patches] = bytes.clone();
    patches++;
  }

  private void applyPatches() {
    byte[] b = mappedOrOwn().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    for (int i = 0; i < patches; i++) System.arraycopy(patchBytes[i], 0, b, (int) patchAt[i], patchBytes[i].length);
    data = MemorySegment.ofArray(b);
    patches = 0;
    patchAt = null;
    patchBytes = null;
  }

  /** The pending patches, in order: how many, and each one's offset and bytes. */
  int patchCount() { return patches; }
  long patchOffset(int i) { return patchAt[i]; }
  byte[] patchBytes(int i) { return patchBytes[i]; }

  /** Replaces the section's bytes (and {@code sh_size}); the writer lays the file out anew. */
  void setData(byte[] bytes) {
    file.checkWritable();
    if (type == Elf.SHT_NOBITS) throw new IllegalStateException(name + " is SHT_NOBITS");
    this.data = MemorySegment.ofArray(bytes);
    this.size = bytes.length;
    this.dirty = true;
    this.patches = 0;
    this.patchAt = null;
    this.patchBytes = null;
    if (symbolIndex != null) symbolIndex.invalidate();
  }

  /** The symbols defined in this section, sorted by address, with lookups by offset. */
  public SymbolIndex symbols() {
    if (symbolIndex == null) symbolIndex = new SymbolIndex(this);
    return symbolIndex;
  }

  void markDirty() { dirty = true; }
  boolean dirty() { return dirty; }

  @Override
  public String toString() {
    return name;
  }
}
