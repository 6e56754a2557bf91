package io.objtool.elf;

/** ELF64 constants used by objtool: section types and flags, symbol bindings and types, x86-64 relocation types. */
public final class Elf {
  private Elf() {}

  public static final int EHDR_SIZE = 64;
  public static final int SHDR_SIZE = 64;
  public static final int SYM_SIZE = 24;
  public static final int RELA_SIZE = 24;

  public static final int ET_REL = 1;
  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;
  public static final int EM_X86_64 = 62;

  public static final int SHN_UNDEF = 0;
  public static final int SHN_LORESERVE = 0xff00;
  public static final int SHN_ABS = 0xfff1;
  public static final int SHN_COMMON = 0xfff2;
  public static final int SHN_XINDEX = 0xffff;

  public static final int SHT_NULL = 0;
  public static final int SHT_PROGBITS = 1;
  public static final int SHT_SYMTAB = 2;
  public static final int SHT_STRTAB = 3;
  public static final int SHT_RELA = 4;
  public static final int SHT_NOBITS = 8;
  public static final int SHT_REL = 9;
  public static final int SHT_GROUP = 17;
  public static final int SHT_SYMTAB_SHNDX = 18;

  public static final long SHF_WRITE = 0x1;
  public static final long SHF_ALLOC = 0x2;
  public static final long SHF_EXECINSTR = 0x4;
  public static final long SHF_MERGE = 0x10;
  public static final long SHF_STRINGS = 0x20;
  public static final long SHF_INFO_LINK = 0x40;
  public static final long SHF_GROUP = 0x200;

  public static final int STB_LOCAL = 0;
  public static final int STB_GLOBAL = 1;
  public static final int STB_WEAK = 2;

  public static final int STT_NOTYPE = 0;
  public static final int STT_OBJECT = 1;
  public static final int STT_FUNC = 2;
  public static final int STT_SECTION = 3;
  public static final int STT_FILE = 4;

  public static final int R_X86_64_NONE = 0;
  public static final int R_X86_64_64 = 1;
  public static final int R_X86_64_PC32 = 2;
  public static final int R_X86_64_PLT32 = 4;
  public static final int R_X86_64_32 = 10;
  public static final int R_X86_64_32S = 11;
  public static final int R_X86_64_PC64 = 24;

  /** {@code st_info} from a binding and a type. */
  public static int stInfo(int bind, int type) {
    return (bind << 4) | (type & 0xf);
  }
}
