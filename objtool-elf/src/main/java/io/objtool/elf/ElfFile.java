package io.objtool.elf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ELF64 little-endian x86-64 object ({@code .o}, {@code .ko}, {@code vmlinux.o}, or a linked
 * image), memory-mapped and parsed: sections (with extended numbering), symbols (with
 * {@code .symtab_shndx}), every {@code SHT_RELA} section as columnar {@link Relocations}, and
 * {@code SHT_GROUP} members. It can also be changed (sections added or replaced, symbols added)
 * and written out atomically with {@link #write(Path)}.
 *
 * <p>Any inconsistency in the input raises {@link MalformedElfException} with a one-line message
 * naming what is wrong and where; a file that cannot be read raises {@link ElfException}. Any
 * other exception is a bug in the reader and is not dressed up as bad input.
 */
public final class ElfFile implements AutoCloseable {
  static {
    io.objtool.elf.edit.ElfEdit.install(new EditAccess());
  }

  private final Path path;
  private final Arena arena;
  private final MemorySegment image;
  final long fileSize;

  // header
  private int type;
  private int machine;
  private int osabi;
  private int abiVersion;
  private int version;
  private long entry;
  private long phoff;
  private long shoff;
  private int flags;
  private int phentsize;
  private int phnum;
  private int ehsize;
  private int shentsize;
  /** The raw e_shnum / e_shstrndx, kept for an identical rewrite. */
  int rawShnum;
  int rawShstrndx;
  byte[] ident;

  final List<Section> sections = new ArrayList<>();
  private final Map<String, Section> sectionsByName = new HashMap<>();
  private Section shstrtab;
  Section symtab;
  Section symtabShndx;
  private StringTable shstrings;
  private StringTable strings;
  final List<Symbol> symbols = new ArrayList<>();
  private final Map<String, Symbol> symbolsByName = new HashMap<>();
  boolean readDone;
  private boolean closed;

  private ElfFile(Path path, Arena arena, MemorySegment image) {
    this.path = path;
    this.arena = arena;
    this.image = image;
    this.fileSize = image.byteSize();
  }

  /** Maps and parses {@code path}; the mapping lives until {@link #close()}. */
  public static ElfFile open(Path path) {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment image;
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = ch.size();
        if (size < Elf.EHDR_SIZE) {
          throw MalformedElfException.of(path, "file too short for an ELF header (" + size + " bytes)");
        }
        image = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      }
      ElfFile f = new ElfFile(path, arena, image);
      f.parse();
      return f;
    } catch (NoSuchFileException e) {
      arena.close();
      throw ElfException.of(path, "no such file");
    } catch (IOException e) {
      arena.close();
      throw ElfException.of(path, "cannot read: " + e.getMessage());
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /** Parses an in-memory image (tests and tools that build objects in memory). */
  public static ElfFile parse(Path name, byte[] bytes) {
    if (bytes.length < Elf.EHDR_SIZE) {
      throw MalformedElfException.of(name, "file too short for an ELF header (" + bytes.length + " bytes)");
    }
    ElfFile f = new ElfFile(name, null, MemorySegment.ofArray(bytes));
    f.parse();
    return f;
  }

  /**
   * Names read so far, in bytes. Many symbols may name the same long string (or overlapping
   * suffixes of it), which would cost memory and time quadratic in the file's size; real objects
   * read a small multiple of their string tables at most.
   */
  private long nameBytes;

  /** Bytes of names an object may read: {@value #NAME_BUDGET_FACTOR} times its size, and 1 MiB. */
  static final int NAME_BUDGET_FACTOR = 4;

  void chargeName(long len, String what, long index) {
    nameBytes += len;
    if (nameBytes > NAME_BUDGET_FACTOR * fileSize + (1 << 20)) {
      throw error(what + " " + index + ": names read so far total " + nameBytes + " bytes, more than " + NAME_BUDGET_FACTOR
          + " times the file (many symbols share long names)");
    }
  }

  MalformedElfException error(String problem) {
    return MalformedElfException.of(path, problem);
  }

  // ---------------------------------------------------------------- reading

  private int u8(long off) { return image.get(JAVA_BYTE, off) & 0xff; }
  private int u16(long off) { return image.get(JAVA_SHORT_UNALIGNED, off) & 0xffff; }
  private int i32(long off) { return image.get(JAVA_INT_UNALIGNED, off); }
  private long u32(long off) { return image.get(JAVA_INT_UNALIGNED, off) & 0xffffffffL; }
  private long i64(long off) { return image.get(JAVA_LONG_UNALIGNED, off); }

  private void parse() {
    if (i32(0) != 0x464c457f) throw error("not an ELF file (bad magic)");
    if (u8(4) != 2) throw error("not a 64-bit ELF file (EI_CLASS " + u8(4) + ")");
    if (u8(5) != 1) throw error("not a little-endian ELF file (EI_DATA " + u8(5) + ")");
    ident = new byte[16];
    MemorySegment.copy(image, JAVA_BYTE, 0, ident, 0, 16);
    osabi = u8(7);
    abiVersion = u8(8);
    type = u16(16);
    machine = u16(18);
    version = i32(20);
    entry = i64(24);
    phoff = i64(32);
    shoff = i64(40);
    flags = i32(48);
    ehsize = u16(52);
    phentsize = u16(54);
    phnum = u16(56);
    shentsize = u16(58);
    rawShnum = u16(60);
    rawShstrndx = u16(62);
    if (phnum > 0 && (phoff < 0 || phoff > fileSize || (long) phnum * phentsize > fileSize - phoff)) {
      throw error("program header table extends past the end of the file");
    }
    if (shoff == 0) {
      readDone = true;
      return; // no sections at all
    }
    if (shentsize != Elf.SHDR_SIZE) throw error("bad e_shentsize " + shentsize);
    if (shoff < 0 || shoff > fileSize - Elf.SHDR_SIZE) throw error("section header table offset " + shoff + " is past the end of the file");
    long shnum = rawShnum;
    if (shnum == 0) shnum = i64(shoff + 32); // extended numbering: sh_size of section 0
    if (shnum <= 0 || shnum > (fileSize - shoff) / Elf.SHDR_SIZE) {
      throw error("section header table (" + shnum + " entries at " + shoff + ") extends past the end of the file");
    }
    long shstrndx = rawShstrndx == Elf.SHN_XINDEX ? u32(shoff + 40) : rawShstrndx;
    if (shstrndx >= shnum) throw error("section name table index " + shstrndx + " out of range");

    for (int i = 0; i < shnum; i++) {
      long h = shoff + (long) i * Elf.SHDR_SIZE;
      Section s = new Section(this, i, false, i64(h + 24));
      s.nameOffset = i32(h);
      s.type = i32(h + 4);
      s.flags = i64(h + 8);
      s.addr = i64(h + 16);
      s.size = i64(h + 32);
      s.link = i32(h + 40);
      s.info = i32(h + 44);
      s.addralign = i64(h + 48);
      s.entsize = i64(h + 56);
      if (i > 0 && s.type != Elf.SHT_NOBITS
          && (s.fileOffset < 0 || s.size < 0 || s.fileOffset > fileSize || s.size > fileSize - s.fileOffset)) {
        throw error("section " + i + " data (offset " + s.fileOffset + ", size " + s.size + ") extends past the end of the file");
      }
      sections.add(s);
    }
    checkOverlaps();
    shstrtab = sections.get((int) shstrndx);
    if (shstrtab.type != Elf.SHT_STRTAB) throw error("section name table is not SHT_STRTAB");
    shstrings = new StringTable(this, shstrtab);
    for (Section s : sections) {
      s.name = shstrings.get(s.nameOffset & 0xffffffffL, "section", s.index);
      sectionsByName.putIfAbsent(s.name, s);
    }
    for (Section s : sections) {
      if (s.type == Elf.SHT_SYMTAB) {
        if (symtab != null) throw error("more than one SHT_SYMTAB section");
        symtab = s;
      } else if (s.type == Elf.SHT_SYMTAB_SHNDX) {
        symtabShndx = s;
      }
    }
    if (symtab != null) readSymbols();
    for (Section s : sections) {
      if ((s.type == Elf.SHT_RELA || s.type == Elf.SHT_REL) && isDynamic(s)) continue; // .rela.dyn, .rela.plt
      if (s.type == Elf.SHT_RELA) readRela(s);
      else if (s.type == Elf.SHT_REL) throw error("SHT_REL section " + s.name + " is not supported on x86-64");
      else if (s.type == Elf.SHT_GROUP) checkGroup(s);
    }
    for (Section s : sections) if (s.symbolIndex == null) s.symbolIndex = new SymbolIndex(s);
    indexAllSymbols();
    readDone = true;
  }

  private void checkOverlaps() {
    int n = sections.size();
    long[] starts = new long[n + 1];
    long[] ends = new long[n + 1];
    int k = 0;
    for (Section s : sections) {
      if (s.index == 0 || s.type == Elf.SHT_NOBITS || s.size == 0) continue;
      starts[k] = s.fileOffset;
      ends[k++] = s.fileOffset + s.size;
    }
    starts[k] = shoff;
    ends[k++] = shoff + (long) n * Elf.SHDR_SIZE;
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Long.compare(starts[a], starts[b]));
    for (int i = 1; i < k; i++) {
      if (starts[order[i]] < ends[order[i - 1]]) {
        throw error("overlapping tables in the file at offset " + starts[order[i]]);
      }
    }
    if (starts[order[0]] < Elf.EHDR_SIZE) throw error("section data overlaps the ELF header");
  }

  private Section sectionRef(long index, String what) {
    if (index <= 0 || index >= sections.size()) throw error(what + " refers to section " + index + ", out of range");
    return sections.get((int) index);
  }

  private void readSymbols() {
    Section s = symtab;
    if (s.entsize != Elf.SYM_SIZE) throw error(s.name + " has entry size " + s.entsize);
    if (s.size % Elf.SYM_SIZE != 0) throw error(s.name + " size is not a multiple of 24");
    Section strtab = sectionRef(s.link & 0xffffffffL, s.name + " sh_link");
    if (strtab.type != Elf.SHT_STRTAB) throw error(s.name + " sh_link is not a string table");
    strings = new StringTable(this, strtab);
    long n = s.size / Elf.SYM_SIZE;
    if (n > Integer.MAX_VALUE - 8) throw error("too many symbols");
    MemorySegment shndxTable = null;
    if (symtabShndx != null) {
      if (symtabShndx.link != symtab.index) throw error(symtabShndx.name + " does not link to " + s.name);
      if (symtabShndx.size < n * 4) throw error(symtabShndx.name + " is shorter than " + s.name);
      shndxTable = symtabShndx.data();
    }
    long first = s.info & 0xffffffffL;
    if (first > n) throw error(s.name + " sh_info " + first + " is past its last symbol");
    long base = s.fileOffset;
    for (int i = 0; i < n; i++) {
      long e = base + (long) i * Elf.SYM_SIZE;
      int nameOff = i32(e);
      int info = u8(e + 4);
      int other = u8(e + 5);
      int rawShndx = u16(e + 6);
      int shndx = rawShndx;
      if (rawShndx == Elf.SHN_XINDEX) {
        if (shndxTable == null) throw error("symbol " + i + " uses SHN_XINDEX without .symtab_shndx");
        shndx = shndxTable.get(JAVA_INT_UNALIGNED, (long) i * 4);
      }
      Section sec = null;
      if (rawShndx == Elf.SHN_XINDEX || (rawShndx != Elf.SHN_UNDEF && rawShndx < Elf.SHN_LORESERVE)) {
        if (shndx <= 0 || shndx >= sections.size()) throw error("symbol " + i + " refers to section " + (shndx & 0xffffffffL) + ", out of range");
        sec = sections.get(shndx);
      }
      String name = nameOff == 0 ? "" : strings.get(nameOff & 0xffffffffL, "symbol", i);
      Symbol sym = new Symbol(i, name, nameOff, info, other, shndx, i64(e + 8), i64(e + 16), sec);
      sym.rawShndx = rawShndx;
      symbols.add(sym);
      if (!name.isEmpty() && (info & 0xf) != Elf.STT_SECTION) {
        Symbol prev = symbolsByName.putIfAbsent(name, sym);
        if (prev != null && prev.isLocal() && !sym.isLocal()) symbolsByName.put(name, sym); // globals win
      }
    }
  }

  /**
   * Relocations for the dynamic linker in a linked image: they refer to {@code .dynsym}, not to
   * the symbol table, and are left as plain data.
   */
  private boolean isDynamic(Section s) {
    if (type == Elf.ET_REL) return false;
    long link = s.link & 0xffffffffL;
    return link == 0 || link >= sections.size() || sections.get((int) link).type == SHT_DYNSYM;
  }

  private static final int SHT_DYNSYM = 11;

  private void readRela(Section s) {
    if (s.entsize != Elf.RELA_SIZE) throw error(s.name + " has entry size " + s.entsize);
    if (s.size % Elf.RELA_SIZE != 0) throw error(s.name + " size is not a multiple of 24");
    if (symtab == null) throw error(s.name + " without a symbol table");
    if (s.link != symtab.index) throw error(s.name + " sh_link " + s.link + " is not the symbol table");
    Section target = sectionRef(s.info & 0xffffffffL, s.name + " sh_info");
    if (target.rela != null) throw error("two relocation sections apply to " + target.name);
    target.rela = s;
    s.base = target;
    int n = Math.toIntExact(s.size / Elf.RELA_SIZE);
    Relocations r = new Relocations(s, n);
    int nsyms = symbols.size();
    long base = s.fileOffset;
    for (int i = 0; i < n; i++) {
      long e = base + (long) i * Elf.RELA_SIZE;
      long info = i64(e + 8);
      long symIdx = info >>> 32;
      if (symIdx >= nsyms) throw error(s.name + " entry " + i + " refers to symbol " + symIdx + ", out of range");
      r.add(i64(e), (int) info, symbols.get((int) symIdx), i64(e + 16));
    }
    r.sealRead();
    s.relocs = r;
  }

  private void checkGroup(Section s) {
    if (s.size % 4 != 0 || s.size < 4) throw error("group section " + s.name + " has size " + s.size);
    if (symtab == null || s.link != symtab.index) throw error("group section " + s.name + " does not link to the symbol table");
    if ((s.info & 0xffffffffL) >= symbols.size()) throw error("group section " + s.name + " signature symbol out of range");
    MemorySegment d = s.data();
    for (long o = 4; o < s.size; o += 4) sectionRef(d.get(JAVA_INT_UNALIGNED, o) & 0xffffffffL, "group " + s.name);
  }

  private void indexAllSymbols() {
    int n = sections.size();
    int[] counts = new int[n];
    for (Symbol s : symbols) {
      int at = indexedIn(s);
      if (at >= 0) counts[at]++;
    }
    Symbol[][] per = new Symbol[n][];
    for (int i = 0; i < n; i++) per[i] = new Symbol[counts[i]];
    Arrays.fill(counts, 0);
    for (Symbol s : symbols) {
      int at = indexedIn(s);
      if (at >= 0) per[at][counts[at]++] = s;
    }
    for (int i = 0; i < n; i++) sections.get(i).symbolIndex.set(per[i], per[i].length);
  }

  /**
   * The section whose symbol index holds {@code s}, or -1. A symbol in no section (undefined,
   * absolute, common) that covers bytes belongs to section 0, as objtool has it: a warning at an
   * offset of section 0 (an alternative whose target is an absolute symbol) names that symbol.
   */
  private static int indexedIn(Symbol s) {
    if (s.type() == Elf.STT_SECTION || s.type() == Elf.STT_FILE) return -1;
    if (s.section != null) return s.section.index;
    return s.size() > 0 ? 0 : -1;
  }

  void indexSymbols(Section sec) {
    List<Symbol> list = new ArrayList<>();
    for (Symbol s : symbols) if (indexedIn(s) == sec.index) list.add(s);
    sec.symbolIndex.set(list.toArray(new Symbol[0]), list.size());
  }

  MemorySegment mappedData(Section s) {
    // section 0 has no data whatever its header says (its sh_size may be the section count); any
    // other section but SHT_NOBITS has its file bytes, SHT_NULL too (as libelf reads them)
    if (s.index == 0 || s.type == Elf.SHT_NOBITS || s.added) return MemorySegment.ofArray(new byte[0]);
    return image.asSlice(s.fileOffset, s.size);
  }

  MemorySegment image() {
    return image;
  }

  // ---------------------------------------------------------------- queries

  /** The file it was read from. */
  public Path path() { return path; }
  /** {@code e_type}: {@link Elf#ET_REL}, {@link Elf#ET_EXEC} or {@link Elf#ET_DYN}. */
  public int type() { return type; }
  /** {@code e_machine}: {@link Elf#EM_X86_64} for the objects objtool checks. */
  public int machine() { return machine; }
  /** {@code e_entry}: the entry point address (0 in a relocatable object). */
  public long entry() { return entry; }
  /** {@code e_phnum}: the number of program headers (0 in a relocatable object). */
  public int programHeaderCount() { return phnum; }
  /** Size of the file as read. */
  public long size() { return fileSize; }

  int osabi() { return osabi; }
  int abiVersion() { return abiVersion; }
  int version() { return version; }
  long phoff() { return phoff; }
  long shoff() { return shoff; }
  int flags() { return flags; }
  int ehsize() { return ehsize; }
  int phentsize() { return phentsize; }

  /** All sections in header-table order; index 0 is the null section. */
  public List<Section> sections() { return Collections.unmodifiableList(sections); }

  /** The section at header index {@code index}. */
  public Section section(int index) { return sections.get(index); }

  /**
   * The section {@code sym} belongs to as objtool has it: its own, or section 0 for a symbol in no
   * section (undefined, absolute, common), which has no data, no instructions and holds those of
   * them that cover bytes.
   */
  public Section sectionOf(Symbol sym) {
    return sym.section != null ? sym.section : sections.get(0);
  }

  /** The first section named {@code name}, or null. */
  public Section section(String name) { return sectionsByName.get(name); }

  /** The section holding the section names ({@code e_shstrndx}). */
  public Section shstrtab() { return shstrtab; }
  /** The symbol table ({@code .symtab}), or null when there is none. */
  public Section symtab() { return symtab; }

  /** All symbols in symtab order; index 0 is the null symbol. */
  public List<Symbol> symbols() { return Collections.unmodifiableList(symbols); }

  /** The symbol at symbol-table index {@code index}. */
  public Symbol symbol(int index) { return symbols.get(index); }

  /** The symbol named {@code name} (a global one if both exist), or null. O(1). */
  public Symbol symbol(String name) { return symbolsByName.get(name); }

  /** The innermost function covering {@code offset} in {@code sec}, or null. */
  public Symbol functionContaining(Section sec, long offset) { return sec.symbols().functionContaining(offset); }

  /** The innermost symbol covering {@code offset} in {@code sec}, or null. */
  public Symbol symbolContaining(Section sec, long offset) { return sec.symbols().containing(offset); }

  /** The members of a {@code SHT_GROUP} section. */
  public List<Section> groupMembers(Section group) {
    if (group.type != Elf.SHT_GROUP) throw new IllegalArgumentException(group.name + " is not a group");
    MemorySegment d = group.data();
    List<Section> out = new ArrayList<>();
    for (long o = 4; o < d.byteSize(); o += 4) out.add(sections.get(d.get(JAVA_INT_UNALIGNED, o)));
    return out;
  }

  /** The group flags word ({@code GRP_COMDAT}) of a {@code SHT_GROUP} section. */
  public int groupFlags(Section group) {
    return group.data().get(JAVA_INT_UNALIGNED, 0);
  }

  // ---------------------------------------------------------------- changing

  void checkWritable() {
    if (closed) throw new IllegalStateException(path + " is closed");
  }

  /**
   * Adds a section with {@code data} (null for {@code SHT_NOBITS} with {@code size}); it is placed
   * after all existing sections.
   */
  Section addSection(String name, int shType, long shFlags, long entsize, long align, byte[] data) {
    checkWritable();
    if (shstrings == null) throw error("no section name table to add " + name + " to");
    Section s = new Section(this, sections.size(), true, -1);
    s.name = name;
    s.nameOffset = shstrings.add(name);
    s.type = shType;
    s.flags = shFlags;
    s.entsize = entsize;
    s.addralign = align;
    s.symbolIndex = new SymbolIndex(s);
    s.symbolIndex.set(new Symbol[0], 0);
    if (data != null) s.setData(data);
    s.markDirty();
    sections.add(s);
    sectionsByName.putIfAbsent(name, s);
    return s;
  }

  /** The {@code .rela} section of {@code base}, created empty when it has none. */
  Relocations relocationsFor(Section base) {
    if (base.rela != null) return base.rela.relocs;
    if (symtab == null) throw error("no symbol table for relocations of " + base.name);
    Section r = addSection(".rela" + base.name, Elf.SHT_RELA, Elf.SHF_INFO_LINK, Elf.RELA_SIZE, 8, new byte[0]);
    r.link = symtab.index;
    r.info = base.index;
    r.relocs = new Relocations(r, 16);
    r.base = base;
    base.rela = r;
    return r.relocs;
  }

  /**
   * Adds a symbol. A local symbol goes to the first global's slot and that global moves to the
   * end, so locals stay before globals with one renumbering (what the reference objtool does);
   * others are appended. Relocations hold symbols by reference and follow the renumbering.
   */
  Symbol addSymbol(String name, int bind, int symType, int other, Section sec, long value, long size) {
    checkWritable();
    if (symtab == null) throw error("no symbol table to add " + name + " to");
    int nameOff = name.isEmpty() ? 0 : strings.add(name);
    int shndx = sec == null ? Elf.SHN_UNDEF : sec.index;
    Symbol sym = new Symbol(-1, name, nameOff, Elf.stInfo(bind, symType), other, shndx, value, size, sec);
    if (bind == Elf.STB_LOCAL) {
      int firstGlobal = symtab.info;
      if (firstGlobal < symbols.size()) {
        Symbol moved = symbols.get(firstGlobal);
        moved.index = symbols.size();
        symbols.add(moved);
        symbols.set(firstGlobal, sym);
      } else {
        symbols.add(sym);
      }
      sym.index = firstGlobal;
      symtab.info = firstGlobal + 1;
    } else {
      sym.index = symbols.size();
      symbols.add(sym);
    }
    symtab.markDirty();
    if (!name.isEmpty() && symType != Elf.STT_SECTION) {
      Symbol prev = symbolsByName.putIfAbsent(name, sym);
      if (prev != null && prev.isLocal() && bind != Elf.STB_LOCAL) symbolsByName.put(name, sym);
    }
    if (sec != null && sec.symbolIndex != null && symType != Elf.STT_SECTION && symType != Elf.STT_FILE) {
      sec.symbolIndex.invalidate();
    }
    return sym;
  }

  /** The section symbol of {@code sec}, created when the object has none (relocations against a section). */
  Symbol sectionSymbol(Section sec) {
    for (Symbol s : symbols) if (s.section == sec && s.isSectionSymbol()) return s;
    return addSymbol("", Elf.STB_LOCAL, Elf.STT_SECTION, 0, sec, 0, 0);
  }

  StringTable shstrings() { return shstrings; }
  StringTable strings() { return strings; }

  /** Where {@link #write(Path, Layout)} puts the sections in the file. */
  public enum Layout {
    /**
     * Each section keeps its offset while it does not collide with what precedes it; added or
     * grown sections go last, and bytes between sections are kept. An unchanged object is
     * reproduced byte for byte.
     */
    PRESERVE,
    /**
     * libelf's layout, which objtool's output has: sections in index order, each at its alignment
     * (NOBITS sections take no room), zeros between them, the section header table after them at
     * an 8-byte boundary. Objects with program headers are written as with {@link #PRESERVE}.
     */
    REPACK
  }

  /**
   * Writes the object to {@code out} atomically with the {@link Layout#PRESERVE} layout: a
   * temporary file in the same directory, then a rename. On failure {@code out} is untouched.
   * Write access: {@link io.objtool.elf.edit.ElfEdit#write(ElfFile, Path)}.
   */
  void write(Path out) {
    write(out, Layout.PRESERVE);
  }

  /** {@link #write(Path)} with the given layout. */
  void write(Path out, Layout layout) {
    checkWritable();
    new ElfWriter(this, layout).write(out);
  }

  /** Unmaps the file. Sections' data must not be used afterwards. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (arena != null) arena.close();
  }
}
